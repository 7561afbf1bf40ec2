"""Generated transcripts with known answers, read by the library's transcript reader: every cue
comes back with its times, words and speaker; the latest cue and the line of its timing are
found whatever the layout (cue numbers or names, notes, blank lines, a BOM, CRLF); and the check
against the audio's length refuses exactly the transcripts whose last cue starts past its end,
naming that line."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.errors import CollectError
from syndicate.transcripts import CUE_SLACK, check_transcript, cues, cues_within, last_cue

WORD = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd")), min_size=1,
               max_size=8)
SPEAKER = st.one_of(st.just(""), st.text(st.characters(whitelist_categories=("Lu", "Ll")),
                                         min_size=1, max_size=10))


@st.composite
def cue_lists(draw):
    """(start, end, words, speaker) in order of start (ms), some starting together."""
    n = draw(st.integers(1, 25))
    at, out = 0, []
    for _ in range(n):
        at += draw(st.integers(0, 3_600_000))  # up to an hour between cues; 0: same start
        length = draw(st.integers(0, 120_000))
        words = " ".join(draw(st.lists(WORD, min_size=1, max_size=6)))
        out.append((at, at + length, words, draw(SPEAKER)))
    return out


def _clock(ms: int, sep: str, hours: bool) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return (f"{h:02d}:" if hours or h else "") + f"{m:02d}:{s:02d}{sep}{ms:03d}"


@st.composite
def documents(draw):
    """(suffix, bytes, the cues as a reader sees them, (latest start, its timing's line))."""
    kind = draw(st.sampled_from([".vtt", ".srt", ".json"]))
    found = draw(cue_lists())
    expected = [(a / 1000, b / 1000, w, sp if kind != ".srt" else "") for a, b, w, sp in found]
    latest_ms = max(a for a, *_ in found)
    if kind == ".json":
        doc = {"version": "1.0.0", "segments": [
            {"startTime": a / 1000, "endTime": b / 1000, "body": w,
             **({"speaker": sp} if sp else {})} for a, b, w, sp in found]}
        return kind, json.dumps(doc, ensure_ascii=draw(st.booleans())).encode(), expected, \
            (latest_ms / 1000, None)
    blank = st.integers(1, 3)
    lines = ["WEBVTT" + draw(st.sampled_from(["", " - a show"]))] if kind == ".vtt" else []
    if kind == ".vtt":
        lines += [""] * draw(blank)
    latest_line = None
    for i, (a, b, w, sp) in enumerate(found, 1):
        if kind == ".vtt" and draw(st.booleans()):
            lines += ["NOTE a note", "over two lines", *[""] * draw(blank)]
        if kind == ".srt":
            lines.append(str(i))
        elif draw(st.booleans()):
            lines.append(draw(st.sampled_from([str(i), f"cue-{i}", "intro"])))
        sep, hours = (".", draw(st.booleans())) if kind == ".vtt" else (",", True)
        settings_text = draw(st.sampled_from(["", " align:start", " line:0"])) \
            if kind == ".vtt" else ""
        lines.append(f"{_clock(a, sep, hours)} --> {_clock(b, sep, hours)}{settings_text}")
        if a == latest_ms and latest_line is None:
            latest_line = len(lines)  # the first of the cues starting latest
        voice = f"<v {sp}>" if kind == ".vtt" and sp else ""
        parts = w.split(" ")
        if len(parts) > 1 and draw(st.booleans()):  # the words over two lines
            lines += [voice + parts[0], " ".join(parts[1:])]
        else:
            lines.append(voice + w)
        lines += [""] * draw(blank)
    text = "\n".join(lines)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    data = text.replace("\n", newline).encode()
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return kind, data, expected, (latest_ms / 1000, latest_line)


PROPS = settings(max_examples=300, deadline=None, derandomize=True)


@PROPS
@given(documents())
def test_every_cue_and_the_latest_with_its_line_are_read_back(doc):
    """Each cue with its times, words and speaker; the latest cue's start and timing line."""
    suffix, data, expected, latest = doc
    text = check_transcript(data, suffix, "t" + suffix)
    assert cues(text, suffix) == expected
    assert last_cue(text, suffix) == latest


@PROPS
@given(doc=documents(), length=st.floats(0, 30 * 3600, allow_nan=False))
def test_a_transcript_past_the_audio_is_refused_at_its_last_cue_line(doc, length):
    suffix, data, _, (start, line) = doc
    text = check_transcript(data, suffix, "t" + suffix)
    if start > length + CUE_SLACK:
        with pytest.raises(CollectError) as caught:
            cues_within(text, suffix, "t" + suffix, length)
        assert caught.value.line == line
        assert f"{start:g} s" in str(caught.value)
    else:
        cues_within(text, suffix, "t" + suffix, length)  # no error
