"""The lines an episode page shows of its transcript, bounded whatever the transcript holds.

A transcript of up to ``MAX_CUES`` cues is shown cue by cue. A longer one (word by word, say:
100,000 cues, a page of megabytes no browser opens quickly) has its consecutive cues of one
speaker joined into lines of an even length; where the voice changes so often that this still
leaves more than ``MAX_LINES`` lines, cues are joined whatever their speakers (a change of voice
inside a line names the new speaker in the text). Either way every word is kept, up to
``MAX_TEXT`` bytes as the page writes them (UTF-8, escaped), half of what `syndicate check`
reads of a page: past that the page stops, says where, and the transcript file, which keeps
every cue, is linked for the rest.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..check_limits import PAGE_BYTES

MAX_CUES = 1500  # shown one by one up to this many (an hour in 2.4 s lines)
MAX_LINES = 2 * MAX_CUES  # the most lines a page lists, whatever its speakers
MAX_TEXT = PAGE_BYTES // 2  # bytes of words a page shows (4 MB: some 70 hours of speech)


@dataclass
class Line:
    start: float
    end: float
    text: str
    speaker: str  # who speaks at its start ('' where no one is named)
    last: str  # who speaks at its end


@dataclass
class PageLines:
    lines: list[Line]
    cut_at: float | None = None  # the start of the line where the page stops (MAX_TEXT)


def written(text: str) -> int:
    """The bytes ``text`` takes in a page (escaped, UTF-8)."""
    return len(html.escape(text).encode())


def page_lines(found: list[tuple[float, float, str, str]]) -> PageLines:
    """``found``: (start, end, words, speaker) of every cue, in order (transcripts.cues)."""
    if len(found) <= MAX_CUES:
        lines = [Line(s, e, t, who, who) for s, e, t, who in found]
    else:
        span = (found[-1][0] - found[0][0]) / MAX_CUES
        lines = _by_speaker(found, span)
        if len(lines) > MAX_LINES:
            lines = _by_count(found, -(-len(found) // MAX_CUES))
    return _within_text(lines)


def _by_speaker(found, span: float) -> list[Line]:
    out: list[Line] = []
    for start, end, text, who in found:
        if out and out[-1].last == who and start - out[-1].start < span:
            out[-1].end = max(out[-1].end, end)
            out[-1].text += " " + text
        else:
            out.append(Line(start, end, text, who, who))
    return out


def _by_count(found, per_line: int) -> list[Line]:
    out: list[Line] = []
    for i, (start, end, text, who) in enumerate(found):
        if i % per_line:
            line = out[-1]
            line.end = max(line.end, end)
            line.text += f" {who}: {text}" if who and who != line.last else f" {text}"
            line.last = who
        else:
            out.append(Line(start, end, text, who, who))
    return out


def _within_text(lines: list[Line]) -> PageLines:
    used = 0
    for n, line in enumerate(lines):
        size = written(line.text) + written(line.speaker)
        if used + size > MAX_TEXT:
            room = MAX_TEXT - used - written(line.speaker) - len(" …".encode())
            kept = 0
            for ch in line.text:  # (as many characters as the room holds)
                room -= written(ch)
                if room < 0:
                    break
                kept += 1
            if kept:  # the line shown in part
                line.text = line.text[:kept].rstrip() + " …"
            return PageLines(lines[:n + 1] if kept else lines[:n], line.start)
        used += size
    return PageLines(lines)
