"""`syndicate check` reads back what podcast apps and browsers fetch, not only its status: the
published chapters file (Podcast Index JSON chapters), each transcript by the type the feed
declares for it (WebVTT, SRT, JSON, HTML) and every page (an empty one is named). Each damage
is one "Error: URL: ..." line; an undamaged copy has none.

A published site is copied, damaged by hand, and served on 127.0.0.1 (byte ranges kept, as a
real host has them).
"""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_check_pages import _host

from conftest import BASE_CONFIG, post, sidecar, tone
from syndicate.chapterfile import check_chapters
from syndicate.errors import CollectError

GOOD = {
    ".vtt": "WEBVTT\n\n00:00.000 --> 00:00.900\nHello.\n",
    ".srt": "1\n00:00:00,000 --> 00:00:00,900\nHello.\n",
    ".json": json.dumps({"version": "1.0.0", "segments": [
        {"startTime": 0, "endTime": 0.9, "body": "Hello."}]}),
    ".html": "<p><cite>Host:</cite> Hello.</p>\n",
}
BROKEN = {  # each what a podcast app could not read as the declared type
    ".vtt": "NOT A VTT\n",
    ".srt": "one\n00:00:00,000 --> 00:00:00,900\nHello.\n",
    ".json": '{"segments": [{"startTime": "x"',
    ".html": " \n\t\n",
}
KIND = {".vtt": "WebVTT transcript", ".srt": "SRT transcript", ".json": "JSON transcript",
        ".html": "HTML transcript"}


def _publish(make_project, suffix: str):
    files = {
        "posts/a.md": post("A", "2026-10-02", "Words."),
        "posts/b.md": post("B", "2026-10-03", "More words."),
        "episodes/one.yaml": sidecar("One", transcript=f"one{suffix}",
                                     chapters="[{start: 0, title: Start}, {start: 0.5, "
                                              "title: Later}]"),
        "episodes/one.mp3": tone(1.0), f"episodes/one{suffix}": GOOD[suffix],
    }
    proj = make_project(files, config=BASE_CONFIG + "audio:\n  process: false\n")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    return proj


def _check_copy(proj, tmp_path, damage: dict[str, bytes]):
    """Check a copy of the published site with ``damage`` ({path: new bytes}) done to it."""
    copy = tmp_path / "copy"
    shutil.copytree(proj.public(""), copy)
    for rel, data in damage.items():
        (copy / rel).write_bytes(data)
    server, _ = _host(copy)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        result = proj.run("check", "--config", str(proj.root / "config.yaml"), "--url", base)
    finally:
        server.shutdown()
        server.server_close()
    errors = [x for x in result.output.splitlines() if x.startswith("Error: ")]
    return result, base, errors


@pytest.mark.parametrize("suffix", sorted(GOOD))
def test_check_reads_back_each_transcript_by_its_declared_type(make_project, tmp_path, suffix):
    proj = _publish(make_project, suffix)
    rel = f"episodes/one/transcript{suffix}"
    assert proj.public(rel).is_file()
    result, base, errors = _check_copy(proj, tmp_path, {})
    assert result.exit_code == 0 and errors == [], result.output  # our own files read back
    result, base, errors = _check_copy(proj, tmp_path / "b", {rel: BROKEN[suffix].encode()})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(errors) == 1, result.output
    assert errors[0].startswith(f"Error: {base}{rel}: not a {KIND[suffix]} podcast apps can "
                                "read ("), errors[0]
    assert "linked from" in errors[0]


def test_check_names_a_broken_chapters_file_transcript_and_empty_pages(make_project, tmp_path):
    """The hostile tester's case: a cut chapters file, a transcript that is not WebVTT, a page
    of 0 bytes and one of only white space; each named once, nothing else."""
    proj = _publish(make_project, ".vtt")
    damage = {
        "episodes/one/chapters.json": b'{"version":"1.2.0","chapters":[{"startTime":"x"}]',
        "episodes/one/transcript.vtt": b"NOT A VTT",
        "posts/a/index.html": b"",
        "posts/b/index.html": b"\xef\xbb\xbf  \n\n ",  # a BOM and white space
    }
    result, base, errors = _check_copy(proj, tmp_path, damage)
    assert result.exit_code == 1 and "Traceback" not in result.output
    by_url = {e.split(": ", 2)[1]: e for e in errors}
    assert set(by_url) == {base + rel.removesuffix("index.html") for rel in damage}, errors
    assert "not a chapters file podcast apps can read (line 1: not JSON" in \
        by_url[base + "episodes/one/chapters.json"]
    assert "not a WebVTT transcript podcast apps can read (line 1: a WebVTT file must begin" \
        in by_url[base + "episodes/one/transcript.vtt"]
    assert "an empty page (0 bytes)" in by_url[base + "posts/a/"]
    assert "an empty page (only white space)" in by_url[base + "posts/b/"]
    assert "4 problems" in result.output


@pytest.mark.parametrize("chapters, why", [
    ({"chapters": [{"startTime": 0}]}, "expected an object with a 'version'"),
    ({"version": "1.2.0", "chapters": [{"startTime": "0"}]}, "'chapters[0]': expected"),
    ({"version": "1.2.0", "chapters": [{"startTime": 0.8}, {"startTime": 0.2}]},
     "'chapters[1]': starts before the chapter above it"),
    ({"version": "1.2.0", "chapters": [{"title": "no start"}]}, "expected 'startTime'"),
    ({"version": "1.2.0", "chapters": {"startTime": 0}}, "a 'chapters' list"),
    ({"version": "1.2.0", "chapters": [{"startTime": 0}, {"startTime": 600}]},  # (1 s audio)
     "'chapters[1]': starts at 600 s, after the audio ends (1.0 s, the feed's itunes:duration)"),
])
def test_check_names_chapters_a_podcast_app_cannot_use(make_project, tmp_path, chapters, why):
    proj = _publish(make_project, ".vtt")
    rel = "episodes/one/chapters.json"
    result, base, errors = _check_copy(proj, tmp_path, {rel: json.dumps(chapters).encode()})
    assert result.exit_code == 1 and len(errors) == 1, result.output
    assert errors[0].startswith(f"Error: {base}{rel}: not a chapters file") and why in errors[0]


def _late(suffix: str, at: float) -> str:
    """A transcript of two cues, the second starting ``at`` seconds."""
    mm, ss = divmod(at, 60)
    if suffix == ".json":
        return json.dumps({"version": "1.0.0", "segments": [
            {"startTime": 0, "endTime": 0.9, "body": "Hello."},
            {"startTime": at, "endTime": at + 1, "body": "Late."}]})
    if suffix == ".vtt":
        return (f"WEBVTT\n\n00:00.000 --> 00:00.900\nHello.\n\n{int(mm):02d}:{ss:06.3f} --> "
                f"{int(mm):02d}:{ss + 0.5:06.3f}\nLate.\n")
    stamp = f"00:{int(mm):02d}:{ss:06.3f}".replace(".", ",")
    return (f"1\n00:00:00,000 --> 00:00:00,900\nHello.\n\n2\n{stamp} --> {stamp}\n"
            "Late.\n")


@pytest.mark.parametrize("suffix, line", [(".vtt", 6), (".srt", 6), (".json", None)])
def test_check_names_a_live_transcript_running_past_the_audio(make_project, tmp_path, suffix,
                                                              line):
    """Another episode's transcript put live in this one's place: named with its cue, and a
    last cue a moment past the end (a trimmed tail, a duration in whole seconds) is not."""
    proj = _publish(make_project, suffix)
    rel = f"episodes/one/transcript{suffix}"
    result, base, errors = _check_copy(proj, tmp_path / "a", {rel: _late(suffix, 1.4).encode()})
    assert result.exit_code == 0 and errors == [], result.output
    result, base, errors = _check_copy(proj, tmp_path / "b", {rel: _late(suffix, 600).encode()})
    assert result.exit_code == 1 and len(errors) == 1, result.output
    where = f"line {line}: " if line else ""
    assert errors[0].startswith(
        f"Error: {base}{rel}: not a {KIND[suffix]} podcast apps can read ({where}a cue starts "
        "at 600 s, after the audio ends (1.0 s): is this the episode's transcript?)"), errors[0]


# -- the chapters reader on generated input: one clear answer, never a traceback ---------------
_json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3), max_leaves=8)
_start = st.one_of(st.integers(-5, 10_000), st.floats(allow_nan=True, allow_infinity=True),
                   st.text(max_size=4), st.none(), st.booleans())


@settings(max_examples=200, deadline=None)
@given(starts=st.lists(_start, max_size=8), extra=_json_value, cut=st.integers(0, 400))
def test_the_chapters_reader_accepts_exactly_ordered_numeric_starts(starts, extra, cut):
    doc = {"version": "1.2.0", "chapters": [{"startTime": s, "title": "t"} for s in starts],
           "x": extra}
    data = json.dumps(doc).encode()
    numbers = all(isinstance(s, int | float) and not isinstance(s, bool) and s == s
                  and abs(s) != float("inf") and s >= 0 for s in starts)
    good = numbers and starts == sorted(starts)
    try:
        assert check_chapters(data, "c.json") == len(starts) and good
    except CollectError as exc:
        assert not good and str(exc).startswith("c.json")
    cut = min(cut, len(data) - 1)
    with pytest.raises(CollectError, match=r"^c\.json:\d+: not JSON"):
        check_chapters(data[:cut], "c.json")  # a file cut short is never read as whole


def test_a_good_site_on_a_host_that_compresses_its_answers_passes(make_project, tmp_path):
    """A host that gzips what it serves (nginx `gzip on`, CloudFront, GitHub Pages): check
    inflates every answer (feeds, sitemap, pages, app files) and finds nothing wrong (h17 X12);
    a damaged feed behind it is still named."""
    proj = _publish(make_project, ".vtt")
    for damage in ({}, {"feed.xml": b"<rss><channel>"}):
        copy = tmp_path / f"copy{len(damage)}"
        shutil.copytree(proj.public(""), copy)
        for rel, data in damage.items():
            (copy / rel).write_bytes(data)
        server, log = _host(copy, gzip=True)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            result = proj.run("check", "--config", str(proj.root / "config.yaml"), "--url", base)
        finally:
            server.shutdown()
            server.server_close()
        errors = [x for x in result.output.splitlines() if x.startswith("Error: ")]
        assert "Traceback" not in result.output
        if damage:
            assert [e for e in errors if e.startswith(f"Error: {base}feed.xml: ")], result.output
        else:
            assert result.exit_code == 0 and errors == [], result.output
            assert ("GET", "/episodes/one/transcript.vtt") in log


def test_a_page_zeroed_in_part_or_whole_is_named(make_project, tmp_path):
    """h17 X9: a page whose tail, or all of it, is zero bytes (a copy into a pre-allocated file
    that stopped) is named, as an empty one is."""
    proj = _publish(make_project, ".vtt")
    page = proj.public("posts/a/index.html").read_bytes()
    half = page[:len(page) // 2] + bytes(len(page) - len(page) // 2)
    for n, damaged in enumerate((half, bytes(len(page)))):
        result, base, errors = _check_copy(proj, tmp_path / str(n), {"posts/a/index.html": damaged})
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert [e for e in errors if e.startswith(f"Error: {base}posts/a/")
                and "zero bytes" in e], result.output
