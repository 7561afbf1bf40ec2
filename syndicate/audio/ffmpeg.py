"""The ffmpeg that imageio-ffmpeg ships (no system ffmpeg, no ffprobe), and reading its output."""

from __future__ import annotations

import re
import warnings
from functools import cache


@cache
def ffmpeg_exe() -> str:
    """The bundled ffmpeg binary; pydub is pointed at it too (it has no ffprobe to call)."""
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    with warnings.catch_warnings():
        # pydub warns at import when no ffmpeg is on PATH; we point it at the bundled one.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # audioop, on Python 3.11-3.12
        from pydub import AudioSegment
    AudioSegment.converter = exe
    return exe


STREAM = re.compile(r"Stream #0:\d+.*?: Audio: (\w+)[^,]*, (\d+) Hz, ([^,]+)")
DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_LAYOUTS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "5.0": 5, "5.1": 6, "7.1": 8}


def channels_of(layout: str) -> int:
    layout = layout.strip()
    if layout in _LAYOUTS:
        return _LAYOUTS[layout]
    m = re.match(r"(\d+) channels", layout)
    return int(m.group(1)) if m else 2


def header_duration(stderr: str) -> float | None:
    """The input's duration as its header states it, unless ffmpeg only estimated it."""
    if "Estimating duration from bitrate" in stderr:
        return None
    m = DURATION.search(stderr)
    if not m:
        return None
    h, mi, s = m.groups()
    return int(h) * 3600 + int(mi) * 60 + float(s)


_TIME = re.compile(r"time=(\d+):(\d\d):(\d\d(?:\.\d+)?)")


def reached(stderr: str) -> float | None:
    """How far into its input ffmpeg got (its last progress line), in seconds."""
    times = _TIME.findall(stderr)
    if not times:
        return None
    h, m, s = times[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def reason(stderr: str) -> str:
    """The most telling line of ffmpeg's complaint."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if any(w in ln for w in ("Error", "Invalid", "does not contain", "matches no",
                                 "not supported", "Unknown", "unsupported")):
            return re.sub(r"^\[[^\]]+\]\s*", "", ln)
    return lines[-1] if lines else "ffmpeg failed"


DECODE_ERRORS = re.compile(
    r"(Error while decoding|Invalid data found|[Cc]orrupt|Header missing|error decoding|"
    r"invalid (block|frame)|overread|Packet corrupt)"
)
