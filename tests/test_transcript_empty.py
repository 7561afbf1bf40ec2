"""A WebVTT, SRT or JSON transcript none of whose cues holds a word is refused as empty, as an
empty file is (h23 Z24): generated transcripts with no cue, notes and header text only, cues
whose text is blank or only tags; one cue with a word is enough to publish."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import sidecar, tone
from syndicate.errors import CollectError
from syndicate.transcripts import check_transcript

EMPTY_TEXT = {".vtt": ["", "<v Bob></v>", "<i> </i>", "<c.loud></c>", "<b></b>&nbsp;"],
              ".srt": ["", "<i></i>", "&nbsp;"], ".json": ["", "   "]}


@st.composite
def wordless(draw):
    """(suffix, bytes) of a transcript whose cues (none, or several) hold no word."""
    kind = draw(st.sampled_from([".vtt", ".srt", ".json"]))
    texts = draw(st.lists(st.sampled_from(EMPTY_TEXT[kind]), max_size=4))
    if kind == ".json":
        return kind, json.dumps({"version": "1.0.0", "segments": [
            {"startTime": i, "endTime": i + 1, "body": w} for i, w in enumerate(texts)]}).encode()
    lines = ["WEBVTT" + draw(st.sampled_from(["", " - a show"])), ""] if kind == ".vtt" else []
    if kind == ".vtt" and draw(st.booleans()):
        lines += ["NOTE only a note", ""]
    for i, w in enumerate(texts):
        sep = "." if kind == ".vtt" else ","
        lines += [str(i + 1), f"00:00:0{i}{sep}000 --> 00:00:0{i + 1}{sep}000"]
        lines += [w, ""] if w else [""]
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return kind, end.join(lines).encode() + (end.encode() if lines else b"")


@settings(max_examples=200, deadline=None)
@given(wordless())
def test_a_transcript_without_a_word_is_refused_as_empty(doc):
    kind, data = doc
    with pytest.raises(CollectError) as err:
        check_transcript(data, kind, f"t{kind}")
    assert str(err.value).startswith(f"t{kind}:1: the transcript is empty")


@settings(max_examples=100, deadline=None)
@given(wordless(), st.integers(0, 3))
def test_one_cue_with_a_word_is_enough(doc, at):
    kind, data = doc
    if kind == ".json":
        segments = json.loads(data)["segments"]
        segments.insert(min(at, len(segments)), {"startTime": 0, "endTime": 1, "body": "Hi"})
        data = json.dumps({"segments": sorted(segments, key=lambda s: s["startTime"])}).encode()
    else:
        sep = "." if kind == ".vtt" else ","
        data = data + f"\n99\n00:00:09{sep}000 --> 00:00:09{sep}500\nHi\n".encode()
    assert check_transcript(data, kind, f"t{kind}")


@pytest.mark.parametrize("name,data", [
    ("t9.vtt", b"WEBVTT\n\nNOTE only a note\n"),
    ("t.json", b'{"segments": []}'),
    ("t2.srt", b""),
])
def test_publish_refuses_an_empty_transcript_of_any_kind_alike(make_project, name, data):
    proj = make_project({"episodes/one.yaml": sidecar("One") + f"transcript: {name}\n",
                         "episodes/one.mp3": tone(2.0), f"episodes/{name}": data})
    result = proj.run("publish")
    assert result.exit_code == 1
    assert f"Error: episodes/{name}:1: the transcript is empty" in result.output
    assert not (proj.root / "public/podcast.xml").exists() or \
        b"podcast:transcript" not in (proj.root / "public/podcast.xml").read_bytes()


def test_wrong_art_and_an_empty_transcript_are_told_in_one_run(make_project):
    proj = make_project({"episodes/one.yaml": sidecar("One", image="art.png",
                                                      transcript="t.vtt"),
                         "episodes/one.mp3": tone(2.0), "episodes/art.png": b"not a picture",
                         "episodes/t.vtt": b"WEBVTT\n\nNOTE only a note\n"})
    result = proj.run("publish")
    assert result.exit_code == 1
    (error,) = [ln for ln in result.output.splitlines() if ln.startswith("Error: ")]
    assert error.startswith("Error: episodes/one.yaml:")
    assert "'image': " in error
    assert "; also refused, line " in error
    assert ": 'transcript': episodes/t.vtt:1: the transcript is empty" in error


@pytest.mark.parametrize("page", ["<html><body></body></html>", "<p>   </p><!-- x -->",
                                  "<html><head><title>T</title></head><body>\n</body></html>"])
def test_an_html_transcript_showing_no_word_is_refused_as_empty(page):
    """h24 A5: an HTML transcript is judged by what its page shows."""
    with pytest.raises(CollectError) as err:
        check_transcript(page.encode(), ".html", "t.html")
    assert str(err.value).startswith("t.html:1: the transcript is empty")
    assert check_transcript(b"<p>Hello there.</p>", ".html", "t.html")
