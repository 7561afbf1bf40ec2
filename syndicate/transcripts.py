"""Episode transcripts (.vtt, .srt, .json, .html, .txt): read and checked before they are published.

One entry point, :func:`read_transcript`, returns the text of a transcript that a podcast app can
use, or raises one CollectError naming the file and the line of the first problem. A transcript
that fails leaves its episode at its last good version.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

from . import utf8
from .errors import CollectError
from .markup import shows_anything

MAX_BYTES = 50 * 1024 * 1024  # a three-hour show's captions are well under 1 MB

# Characters no transcript has a use for (tab, LF, CR and form feed are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_SRT_TIME = r"(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{3})"
_VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t]+.*)?$")
_SRT_TIMING = re.compile(rf"^\s*{_SRT_TIME}\s+-->\s+{_SRT_TIME}(?:\s+.*)?$")
_VTT_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
EXAMPLE = {".vtt": "00:00:01.000 --> 00:00:04.000", ".srt": "00:00:01,000 --> 00:00:04,000"}


def _seconds(groups: tuple) -> float:
    hours, minutes, seconds, millis = groups  # (in whole milliseconds, then divided once:
    ms = ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)
    return ms / 1000  # 1.632 s reads as 1.632, not 1.6320000000000001)


def decode(data: bytes, shown: str, *, lenient: bool = False) -> str:
    """UTF-8 text (a BOM allowed), newlines made LF; else an error naming the bad byte's line
    (``lenient``: a byte that is not UTF-8 read as U+FFFD instead, for words compared, never
    published)."""
    try:
        text = utf8.decode(data, lenient=lenient)
    except utf8.NotUtf8 as exc:
        raise CollectError(shown, str(exc), exc.line,
                           hint="save the transcript as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_transcript(path: Path, shown: str) -> str:
    """The checked text of the transcript at ``path`` (``shown`` is its name in messages)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CollectError(shown, f"{size:,} bytes; a transcript may be at most "
                                      f"{MAX_BYTES // 1024 // 1024} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise CollectError(shown, f"cannot be read ({exc.strerror or exc})") from None
    return check_transcript(data, path.suffix, shown)


def check_transcript(data: bytes, suffix: str, shown: str) -> str:
    """The checked text of a transcript's bytes, read as a file ending in ``suffix`` (.vtt,
    .srt, .json, .html, .txt): the one reader of a transcript file, whether it is about to be
    published or was fetched back from the site."""
    text = decode(data, shown)
    if not text.strip():
        raise CollectError(shown, "the transcript is empty", 1)
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise CollectError(shown, f"holds the control character U+{ord(bad.group()):04X}", line,
                           hint="remove it")
    check = {".vtt": _check_vtt, ".srt": _check_srt, ".json": _check_json,
             ".html": _check_html}.get(suffix.lower())
    if check is not None:
        check(text, shown)
    if suffix.lower() == ".html" and not shows_anything(text):
        raise CollectError(shown, "the transcript is empty: the page shows no words", 1)
    if suffix.lower() in (".vtt", ".srt", ".json") and not cues(text, suffix):
        raise CollectError(shown, "the transcript is empty: none of its cues holds a word", 1,
                           hint="add its cues, or take 'transcript:' out of the sidecar")
    return text


def _blocks(lines: list[str], first: int) -> list[list[tuple[int, str]]]:
    """Blocks of (line number, line) separated by blank lines."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for n, line in enumerate(lines, first):
        if line.strip():
            current.append((n, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _cue(timing: re.Pattern, n: int, line: str, shown: str, suffix: str,
         last_start: float) -> float:
    m = timing.match(line)
    if m is None:
        raise CollectError(shown, f"expected a cue timing line such as {EXAMPLE[suffix]}, "
                                  f"got {line[:80]!r}", n)
    start, end = _seconds(m.groups()[:4]), _seconds(m.groups()[4:8])
    if end < start:
        raise CollectError(shown, f"the cue ends before it starts ({line.strip()[:80]!r})", n)
    if start < last_start:
        raise CollectError(shown, "the cue starts before the one above it; cues must be in "
                                  "order of their start times", n)
    return start


def _check_cue_text(block: list[tuple[int, str]], shown: str) -> None:
    for n, line in block:
        if "-->" in line:
            raise CollectError(shown, "a cue timing line inside a cue's text", n,
                               hint="put a blank line before each cue")


def _check_vtt(text: str, shown: str) -> None:
    lines = text.split("\n")
    if not _VTT_HEADER.match(lines[0]):
        raise CollectError(shown, "a WebVTT file must begin with the line 'WEBVTT'", 1)
    blocks = _blocks(lines[1:], 2)
    if blocks and blocks[0][0][0] == 2:  # header lines right under WEBVTT
        header = blocks.pop(0)
        _check_cue_text(header, shown)
    last, cues = 0.0, 0
    for block in blocks:
        n, first = block[0]
        if re.match(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)", first):
            if not first.startswith("NOTE") and cues:
                raise CollectError(shown, f"a {first.split()[0]} block after the first cue", n,
                                   hint="move it above the cues")
            continue
        if "-->" not in first and len(block) > 1 and "-->" in block[1][1]:
            block = block[1:]  # a cue identifier, then the timing
        n, timing = block[0]
        last = _cue(_VTT_TIMING, n, timing, shown, ".vtt", last)
        _check_cue_text(block[1:], shown)
        cues += 1


def _check_srt(text: str, shown: str) -> None:
    blocks = _blocks(text.split("\n"), 1)
    if not blocks:
        raise CollectError(shown, "no subtitles in the file", 1)
    last = 0.0
    for block in blocks:
        n, index = block[0]
        if not index.strip().isdecimal():
            raise CollectError(shown, f"expected a subtitle number, got {index[:80]!r}", n,
                               hint="each subtitle is a number, a timing line, then its text")
        if len(block) < 2:
            raise CollectError(shown, "a subtitle number without a timing line", n)
        n, timing = block[1]
        last = _cue(_SRT_TIMING, n, timing, shown, ".srt", last)
        _check_cue_text(block[2:], shown)


def is_seconds(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def json_document(text: str, shown: str, bad: str = "invalid JSON: {}"):
    """The JSON document ``text`` holds, or a CollectError naming ``shown`` and the line, in
    the words ``bad`` gives (``{}`` is what is wrong)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CollectError(shown, bad.format(exc.msg), exc.lineno) from None
    except RecursionError:
        raise CollectError(shown, bad.format("nested too deeply"), 1) from None


def _check_json(text: str, shown: str) -> None:
    """Podcast Index JSON transcripts: {"segments": [{startTime, endTime, body}, ...]}."""
    doc = json_document(text, shown)
    if not isinstance(doc, dict) or not isinstance(doc.get("segments"), list):
        raise CollectError(shown, "expected a JSON transcript: an object with a 'segments' list",
                           1, hint="see the Podcast Index transcript format")
    last = 0.0
    for i, seg in enumerate(doc["segments"]):
        where = f"'segments[{i}]'"
        if not isinstance(seg, dict):
            raise CollectError(shown, f"{where}: expected an object, got {type(seg).__name__}")
        start, end, body = seg.get("startTime"), seg.get("endTime"), seg.get("body")
        if not (is_seconds(start) and is_seconds(end)) or start < 0:
            raise CollectError(shown, f"{where}: expected 'startTime' and 'endTime' as seconds, "
                                      f"got {str(start)[:40]!r} and {str(end)[:40]!r}")
        if end < start:
            raise CollectError(shown, f"{where}: ends before it starts ({start:g} > {end:g})")
        if start < last:
            raise CollectError(shown, f"{where}: starts before the segment above it")
        if not isinstance(body, str):
            raise CollectError(shown, f"{where}: expected 'body' as text")
        last = start


# a transcript is text: more is refused in it than in a file beside a post
_ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "style", "form", "base", "meta",
                "link", "svg", "math", "applet"}


def _check_html(text: str, shown: str) -> None:
    """An HTML transcript is served from the site as it is: nothing active may be in it (no
    script, style, frame, event handler, or link that is not http(s) or within the page)."""
    import lxml.html

    from .activefiles import first_active

    try:
        root = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise CollectError(shown, f"not HTML the site can publish ({exc})", 1) from None
    found = first_active(root, tags=_ACTIVE_TAGS)
    if found:
        raise CollectError(shown, f"holds {found[0]}; the site publishes no scripts, styles "
                                  "or event handlers", found[1],
                           hint="keep the transcript to plain markup (p, cite, time)")


_TAG = re.compile(r"<[^>\n]*>")  # VTT cue markup (<v Speaker>, <i>): shown as its text only


_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>\n]+)>")  # VTT's <v Name> / <v.loud Name>


CUE_SLACK = 1.0  # seconds a cue may start past the audio's end (an edit trimmed its tail)


def cues_within(text: str, suffix: str, shown: str, length: float, hint: str = "") -> None:
    """A checked transcript whose cues start after the audio ends (``length`` seconds) is
    another episode's or another cut's: an error naming the cue's line."""
    late = last_cue(text, suffix)
    if late is not None and late[0] > length + CUE_SLACK:
        raise CollectError(shown, f"a cue starts at {late[0]:g} s, after the audio ends "
                                  f"({length:.1f} s): is this the episode's transcript?",
                           late[1], hint=hint)


def last_cue(text: str, suffix: str) -> tuple[float, int | None] | None:
    """The start of a checked transcript's latest cue and its line (None for JSON, which has
    no lines to name); None where it has no timed cues."""
    suffix = suffix.lower()
    if suffix == ".json":
        found = cues(text, suffix)
        return (max(c[0] for c in found), None) if found else None
    timing = {".vtt": _VTT_TIMING, ".srt": _SRT_TIMING}.get(suffix)
    if timing is None:
        return None
    latest = None
    for block in _blocks(text.split("\n"), 1):
        for n, line in block:
            m = timing.match(line)
            if m is not None:
                start = _seconds(m.groups()[:4])
                if latest is None or start > latest[0]:
                    latest = (start, n)
                break
    return latest


def cues(text: str, suffix: str) -> list[tuple[float, float, str, str]]:
    """(start, end, text, speaker) of every cue of a checked transcript (.vtt, .srt, .json), in
    order, for the episode page to show as timed text ('' where no speaker is named: VTT's
    ``<v Name>``, a JSON segment's ``speaker``); plain text and HTML transcripts have none."""
    suffix = suffix.lower()
    if suffix == ".json":
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            return []
        segments = doc.get("segments") if isinstance(doc, dict) else None
        return [(float(s["startTime"]), float(s["endTime"]), s["body"].strip(),
                 s["speaker"].strip() if isinstance(s.get("speaker"), str) else "")
                for s in segments or [] if isinstance(s, dict) and is_seconds(s.get("startTime"))
                and is_seconds(s.get("endTime")) and isinstance(s.get("body"), str)
                and s["body"].strip()]
    timing = {".vtt": _VTT_TIMING, ".srt": _SRT_TIMING}.get(suffix)
    if timing is None:
        return []
    out = []
    for block in _blocks(text.replace("\r\n", "\n").split("\n"), 1):
        lines = [line for _, line in block]
        at = next((i for i, line in enumerate(lines) if timing.match(line)), None)
        if at is None:
            continue
        m = timing.match(lines[at])
        start, end = _seconds(m.groups()[:4]), _seconds(m.groups()[4:8])
        words = html.unescape(" ".join(_TAG.sub("", line).strip()
                                       for line in lines[at + 1:])).strip()
        voice = next((v.group(1) for line in lines[at + 1:] for v in [_VOICE.search(line)]
                      if v), "") if suffix == ".vtt" else ""
        if words:  # as a reader sees it (a cue of only `&nbsp;` shows nothing)
            out.append((start, end, words, html.unescape(voice.strip())))
    return out
