"""Move WebVTT and SubRip cue times and JSON transcript segments, so a transcript follows its
audio when an intro is added or leading silence is cut."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .transcripts import decode

# 00:01:02.345 (VTT), 01:02.345 (VTT without hours) or 00:01:02,345 (SRT)
_TIME = re.compile(r"(?<![\d:])(?:(\d{1,3}):)?(\d{2}):(\d{2})([.,])(\d{3})(?![\d])")
_CUE_LINE = re.compile(r"^\s*\S+\s+-->\s+\S+")


def read_captions(path: Path, shown: str) -> str:
    """The text of a caption file to shift; a file that is not UTF-8 (or cannot be read) is a
    CollectError naming it and the line of the bad byte."""
    from .errors import CollectError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CollectError(shown, f"cannot be read ({exc.strerror or exc})") from None
    return decode(data, shown)


def _shift(match: re.Match, offset_ms: int) -> str:
    hours, minutes, seconds, sep, millis = match.groups()
    total = ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)
    total = max(0, total + offset_ms)
    h, rest = divmod(total, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def shift_captions(text: str, offset: float) -> str:
    """Shift every cue timing line by ``offset`` seconds (times never go below zero)."""
    offset_ms = round(offset * 1000)
    if not offset_ms:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        if "-->" in line and _CUE_LINE.match(line):
            line = _TIME.sub(lambda m: _shift(m, offset_ms), line)
        out.append(line)
    return "".join(out)


def shift_json(text: str, offset: float) -> str:
    """Shift a Podcast Index JSON transcript's segments (checked on collect) by ``offset`` s."""
    if not round(offset * 1000):
        return text
    doc = json.loads(text)
    for seg in doc["segments"]:
        for key in ("startTime", "endTime"):
            seg[key] = round(max(0.0, seg[key] + offset), 3)
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def shift_transcript(text: str, suffix: str, offset: float) -> str:
    """A transcript's text with its times moved by ``offset`` seconds (text and HTML have none)."""
    if suffix == ".json":
        return shift_json(text, offset)
    return shift_captions(text, offset) if suffix in (".vtt", ".srt") else text
