"""The measuring pass: one decode of the source that validates it and measures its loudness.

EBU R128 integrated loudness and loudness range (ffmpeg's ebur128), the sample peak and the exact
sample count (volumedetect), all in the output's channel layout so that the gain computed from
them is the gain the output needs. True-peak measurement of the source is left out: it costs more
than the encode's headroom allows (about 4x the plain measure), and the limiter guards the output.
"""

from __future__ import annotations

import re
import struct
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import AudioError
from .ffmpeg import DECODE_ERRORS, STREAM, ffmpeg_exe, header_duration, reason

SILENCE_LUFS = -69.5  # ebur128 reports -70 LUFS when every block falls under the absolute gate
_I = re.compile(r"I:\s+(-?[\d.]+|-inf|nan) LUFS")
_LRA = re.compile(r"LRA:\s+(-?[\d.]+|nan) LU")
_TP = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")
_MAX = re.compile(r"max_volume: (-?[\d.]+|-inf) dB")
_N = re.compile(r"n_samples: (\d+)")


@dataclass(frozen=True)
class Loudness:
    integrated: float | None  # LUFS; None for digital silence
    lra: float
    peak: float | None  # sample peak in dBFS (true peak in dBTP where ``verify`` measured it)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SourceFacts:
    samples: int  # per channel, at the source's own rate
    sample_rate: int
    channels: int
    codec: str
    loudness: Loudness
    glitches: int  # decoding errors ffmpeg reported and concealed

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate


def _num(m: re.Match | None) -> float | None:
    if not m or m.group(1) in ("-inf", "nan"):
        return None
    return float(m.group(1))


def parse_summary(text: str) -> Loudness:
    """Loudness from the last ebur128 summary in ffmpeg's log; the peak is its true peak where
    it measured one, else volumedetect's sample peak."""
    tail = text[text.rfind("Summary:"):] if "Summary:" in text else text
    integrated = _num(_I.search(tail))
    if integrated is not None and integrated <= SILENCE_LUFS:
        integrated = None
    peak = _num(_TP.search(tail))
    if peak is None:
        maxes = _MAX.findall(text)
        peak = None if not maxes or maxes[-1] == "-inf" else float(maxes[-1])
    return Loudness(integrated=integrated, lra=_num(_LRA.search(tail)) or 0.0, peak=peak)


def verify(path: Path) -> Loudness:
    """Measure a finished file (integrated loudness, LRA, true peak) as a directory would."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-i", str(path), "-map", "0:a:0",
           "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise AudioError(str(path), f"not readable audio: {reason(proc.stderr)}")
    return parse_summary(proc.stderr)


def _wav_shortfall(path: Path) -> int:
    """Bytes a WAV file's data chunk claims but does not hold (0 if complete or not a WAV)."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return 0
            size = path.stat().st_size
            pos = 12
            while pos + 8 <= size:
                f.seek(pos)
                cid, length = struct.unpack("<4sI", f.read(8))
                if cid == b"data":
                    if length in (0, 0xFFFFFFFF):  # streamed WAV: size unknown
                        return 0
                    return max(0, length - (size - pos - 8))
                pos += 8 + length + (length & 1)
    except OSError:
        return 0
    return 0


def measure_source(path: Path, name: str, out_channels: int) -> SourceFacts:
    """Decode the whole source once; refuse what is not sound audio, naming the file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AudioError(name, "audio file not found") from None
    if size == 0:
        raise AudioError(name, "audio file is empty", hint="export the episode's audio again")
    layout = "mono" if out_channels == 1 else "stereo"
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-i", str(path),
           "-map", "0:a:0", "-vn", "-af",
           f"aformat=channel_layouts={layout},ebur128=framelog=quiet,volumedetect",
           "-f", "null", "-"]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    err = proc.stderr
    stream = STREAM.search(err)
    if "no decoder found" in err or "unknown codec" in err:
        raise AudioError(name, "unsupported audio codec; ffmpeg cannot decode it",
                         hint="export it again as WAV, FLAC or MP3")
    counts = _N.findall(err)
    if proc.returncode != 0 or not stream or not counts:
        raise AudioError(name, f"not readable audio: {reason(err)}",
                         hint="export it again as WAV, FLAC or MP3")
    samples = int(counts[-1]) // out_channels
    rate = int(stream.group(2))
    glitches = len(DECODE_ERRORS.findall(err))
    if samples == 0:
        raise AudioError(name, "holds no sound samples", hint="export it again")
    if glitches >= 3:
        raise AudioError(name, f"corrupt: ffmpeg hit {glitches} decoding errors",
                         hint="export it again from the original recording")
    declared = header_duration(err)
    shortfall = _wav_shortfall(path)
    if shortfall or (declared and samples / rate < declared - max(0.5, declared * 0.01)):
        raise AudioError(
            name, "truncated: the file ends before its header says it should"
            + (f" ({samples / rate:.1f} s of {declared:.1f} s)" if declared else ""),
            hint="copy or export it again",
        )
    codec, chans = stream.group(1), stream.group(3)
    from .ffmpeg import channels_of

    return SourceFacts(samples=samples, sample_rate=rate, channels=channels_of(chans),
                       codec=codec, loudness=parse_summary(err), glitches=glitches)
