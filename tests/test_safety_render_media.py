"""Issue 12: episode art and transcripts are checked by their content before they are published.

A bad one is one clear error naming the file and line; the episode keeps its last published
version; the rest of the site is published. Readers of these files are driven with generated
input: success or one CollectError naming the file, never another exception, in bounded time.
"""

from __future__ import annotations

import io
import json
import re
import struct
import time

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import BASE_CONFIG, png_bytes, post, sidecar, tone
from syndicate.captions import shift_captions
from syndicate.errors import CollectError
from syndicate.images import check_art, read_header
from syndicate.transcripts import read_transcript

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:00.500\nHello.\n\n00:00.500 --> 00:00.900\nBye.\n"


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR declaring any size (no pixel data behind it)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"


def jpeg_header(width: int, height: int, app_bytes: int = 16) -> bytes:
    app = b"\xff\xe0" + struct.pack(">H", app_bytes + 2) + b"\0" * app_bytes
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app + sof + b"\xff\xda\x00\x02\xff\xd9"


def jpeg_bytes(width: int, height: int) -> bytes:
    """A real JPEG (it decodes), made with the bundled ffmpeg."""
    import subprocess
    import tempfile
    from pathlib import Path

    from syndicate.audio import ffmpeg_exe

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "a.jpg"
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                        f"color=c=navy:s={width}x{height}", "-frames:v", "1", str(out)],
                       check=True, capture_output=True)
        return out.read_bytes()


def episode_items(proj) -> list:
    return etree.fromstring(proj.read("podcast.xml")).findall("channel/item")


def key_of(url: str) -> str:
    return url.removeprefix("https://example.test/")


# -- episode art --------------------------------------------------------------------------------

@pytest.mark.parametrize("content,message", [
    (b"just some text, not an image\n", "'episodes/art.png' is not a PNG image"),
    (png_header(20000, 20000), "'episodes/art.png' declares 20000x20000 px"),
    (png_header(0, 1400), "'episodes/art.png' declares 0x1400 px: an image with no pixels"),
    (jpeg_header(1400, 1400), "'episodes/art.png' is a JPEG image named as a PNG"),
    (b"", "'episodes/art.png' is not a PNG image"),
])
def test_bad_episode_art_is_refused_naming_sidecar_and_line(make_project, content, message):
    proj = make_project({"episodes/e.mp3": tone(), "episodes/art.png": content,
                         "episodes/e.yaml": sidecar("E", image="art.png"),
                         "posts/a.md": post("A")})
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"episodes/e.yaml:3: 'image': {message}" in result.output
    assert episode_items(proj) == []  # never published: nothing to keep, nothing half-made
    assert not list((proj.root / "public").rglob("cover-*.png"))[1:]  # only the show's cover
    assert proj.public("posts/a/index.html").exists()


def test_huge_declared_image_is_refused_without_reading_it(make_project):
    proj = make_project({"episodes/e.mp3": tone(), "episodes/e.yaml": sidecar("E", image="a.png"),
                         "posts/a.md": post("A")})
    art = proj.root / "episodes/a.png"
    with art.open("wb") as f:  # 2 GB (sparse): a reader that decoded or hashed it would crawl
        f.write(png_header(20000, 20000))
        f.truncate(2 * 1024**3)
    started = time.monotonic()
    result = proj.run("publish")
    assert time.monotonic() - started < 20
    assert result.exit_code == 1
    assert "episodes/e.yaml:3: 'image': 'episodes/a.png' declares 20000x20000 px" in result.output


def test_episode_whose_art_breaks_keeps_its_last_published_art(make_project):
    proj = make_project({"episodes/e.mp3": tone(), "episodes/art.jpg": jpeg_bytes(1400, 1400),
                         "episodes/e.yaml": sidecar("E", image="art.jpg")})
    assert proj.run("publish").exit_code == 0
    [item] = episode_items(proj)
    href = item.find(f"{ITUNES}image").get("href")
    before = proj.read(key_of(href))
    proj.write("episodes/art.jpg", b"<html>not an image</html>")
    proj.write("episodes/e.yaml", sidecar("E, edited", image="art.jpg"))
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "episodes/e.yaml:3: 'image': 'episodes/art.jpg' is not a JPEG image" in result.output
    [item] = episode_items(proj)
    assert item.findtext("title") == "E"  # the last good version, art and all
    assert item.find(f"{ITUNES}image").get("href") == href
    assert proj.read(key_of(href)) == before


def test_small_or_oblong_episode_art_is_published_with_a_warning(make_project):
    proj = make_project({"episodes/e.mp3": tone(), "episodes/art.png": png_bytes(300, 200),
                         "episodes/e.yaml": sidecar("E", image="art.png")})
    result = proj.run("publish")
    assert result.exit_code == 0
    assert "episodes/art.png: 300x200 px; Apple asks for a square image of 1400 to 3000 px" \
        in result.output
    [item] = episode_items(proj)
    assert proj.read(key_of(item.find(f"{ITUNES}image").get("href"))) == png_bytes(300, 200)


segments = st.lists(st.tuples(st.sampled_from([0xE0, 0xE1, 0xDB, 0xC4, 0xFE, 0xC0, 0xC2, 0xDA,
                                               0xD9, 0xFF, 0x01, 0xD0]),
                              st.binary(max_size=12)), max_size=8)


@settings(max_examples=400, deadline=5000)
@given(st.one_of(
    st.binary(max_size=64),
    st.builds(lambda b: b"\x89PNG\r\n\x1a\n" + b, st.binary(max_size=40)),
    st.builds(lambda w, h: png_header(w, h), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)),
    st.builds(lambda segs: b"\xff\xd8" + b"".join(bytes([0xFF, m]) + d for m, d in segs), segments),
))
@example(b"\xff\xd8" + b"\xff\xe0\x00\x00" * 3)  # a zero-length segment must not loop
@example(b"\xff\xd8\xff\xc0\x00\x11")  # a frame header cut short
def test_image_header_reader_never_raises(data):
    found = read_header(io.BytesIO(data))
    assert found is None or (found[0] in ("PNG", "JPEG") and all(
        isinstance(n, int) and n >= 0 for n in found[1:]))


def test_check_art_reads_only_the_header_of_a_file_too_large_to_decode(tmp_path):
    path = tmp_path / "big.jpg"
    with path.open("wb") as f:
        f.write(jpeg_header(2000, 2000, app_bytes=60000))
        f.truncate(3 * 1024**3)
    started = time.monotonic()
    wrong, notes = check_art(path, "big.jpg")
    assert wrong is not None and "'big.jpg' is 3,221,225,472 bytes, too large" in wrong
    assert notes == [] and time.monotonic() - started < 1
    # a header alone (no image data behind it) does not decode
    path.write_bytes(jpeg_header(2000, 2000))
    wrong, _ = check_art(path, "big.jpg")
    assert wrong is not None and "cannot be decoded" in wrong
    path.write_bytes(jpeg_bytes(2000, 2000))
    assert check_art(path, "big.jpg") == (None, [])


# -- transcripts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name,content,where,message", [
    ("t.vtt", "WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nHi\n", "episodes/t.vtt:3",
     "expected a cue timing line such as 00:00:01.000 --> 00:00:04.000"),
    ("t.vtt", "Hello\n\n00:00:01.000 --> 00:00:02.000\nHi\n", "episodes/t.vtt:1",
     "a WebVTT file must begin with the line 'WEBVTT'"),
    ("t.vtt", "WEBVTT\n\n00:00:03.000 --> 00:00:02.000\nHi\n", "episodes/t.vtt:3",
     "the cue ends before it starts"),
    ("t.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n00:00:02.000 --> 00:00:03.000\n",
     "episodes/t.vtt:5", "a cue timing line inside a cue's text"),
    ("t.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\ncaf\xe9\n", "episodes/t.vtt:4",
     "not UTF-8 text (byte 0xe9 in column 4)"),
    ("t.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nnul \x00 here\n", "episodes/t.vtt:4",
     "holds the control character U+0000"),
    ("t.srt", "1\n00:00:01,000 --> 00:00:02,000\nHi\n\nTwo\n00:00:03,000 --> 00:00:04,000\n",
     "episodes/t.srt:5", "expected a subtitle number"),
    ("t.srt", "1\n00:00:01,000 --> 00:61:02,000\nHi\n", "episodes/t.srt:2",
     "expected a cue timing line such as 00:00:01,000 --> 00:00:04,000"),
    ("t.json", '{"version": "1.0.0",\n "segments": [\n  {"startTime": 1, }\n]}',
     "episodes/t.json:3", "invalid JSON"),
    ("t.json", '{"segments": [{"startTime": "x", "endTime": 2, "body": "a"}]}',
     "episodes/t.json", "'segments[0]': expected 'startTime' and 'endTime' as seconds"),
    ("t.json", "[" * 100000 + "]" * 100000, "episodes/t.json:1", "invalid JSON: nested too deeply"),
    ("t.html", "<p>Hi</p>\n<p onclick='x()'>there</p>\n", "episodes/t.html:2",
     "holds an event handler (onclick=); the site publishes no scripts"),
    ("t.html", "<p>Hi</p>\n<script>alert(1)</script>\n", "episodes/t.html:2",
     "holds a <script> element; the site publishes no scripts"),
    ("t.txt", "\n\n  \n", "episodes/t.txt:1", "the transcript is empty"),
    ("t.html", "<p>Hi</p>\n\n<a href=' java\tscript:alert(1)'>x</a>\n", "episodes/t.html:3",
     "holds a link the site does not publish"),
])
def test_malformed_transcript_is_refused_naming_file_and_line(make_project, name, content,
                                                              where, message):
    proj = make_project({"episodes/e.mp3": tone(), f"episodes/{name}": content,
                         "episodes/e.yaml": sidecar("E", transcript=name),
                         "posts/a.md": post("A")})
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    assert f"{where}: {message}" in errors[0]
    assert "named in episodes/e.yaml:3" in errors[0]
    assert episode_items(proj) == []
    assert not list((proj.root / "public").rglob("transcript.*"))
    assert proj.public("posts/a/index.html").exists()


@pytest.mark.parametrize("name,content", [
    ("t.vtt", VTT),
    ("t.vtt", "\ufeffWEBVTT - with a title\nKind: captions\n\nNOTE a note\n\nSTYLE\n::cue {}\n\n"
              "intro\n00:00.000 --> 00:00.400 align:start\n<v Ann>Hi</v>\n"),
    ("t.srt", "1\r\n00:00:00,000 --> 00:00:00,400\r\nHi\r\n\r\n2\r\n00:00:00,400 --> "
              "00:00:00,800\r\nBye\r\n"),
    ("t.json", '{"version": "1.0.0", "segments": [{"startTime": 0, "endTime": 0.4, '
               '"body": "Hi", "speaker": "Ann"}]}'),
    ("t.html", "<cite>Ann:</cite> <time>0:00</time> <p>JavaScript: one = two &amp; bye</p>\n"
               "<a href='https://example.org/'>a link</a>\n"),
    ("t.txt", "Ann: Hi.\nBob: Bye.\n"),
])
def test_good_transcripts_are_published_as_they_are(make_project, name, content):
    proj = make_project({"episodes/e.mp3": tone(), f"episodes/{name}": content,
                         "episodes/e.yaml": sidecar("E", transcript=name)})
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    [item] = episode_items(proj)
    url = item.find(f"{PODCAST}transcript").get("url")
    assert proj.read(key_of(url)) == (proj.root / "episodes" / name).read_bytes()


def test_transcript_that_breaks_keeps_the_last_published_one(make_project):
    proj = make_project({"episodes/e.mp3": tone(), "episodes/t.vtt": VTT,
                         "episodes/e.yaml": sidecar("E", transcript="t.vtt")})
    assert proj.run("publish").exit_code == 0
    proj.write("episodes/t.vtt", VTT.replace("-->", "->", 1))
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "episodes/t.vtt:3: expected a cue timing line" in result.output
    [item] = episode_items(proj)
    assert proj.read(key_of(item.find(f"{PODCAST}transcript").get("url"))) == VTT.encode()


def test_non_utf8_vtt_with_an_intro_is_one_clear_error(make_project, tmp_path):
    from conftest import make_audio

    config = BASE_CONFIG + "audio:\n  intro: clips/intro.wav\n  crossfade: 0\n"
    files = {"clips/intro.wav": make_audio(tmp_path / "i.wav", 1.0, kind="tone",
                                           rate=44100).read_bytes(),
             "episodes/e.mp3": tone(), "episodes/t.vtt": VTT,
             "episodes/e.yaml": sidecar("E", transcript="t.vtt"), "posts/a.md": post("A")}
    proj = make_project(files, config=config)
    assert proj.run("publish").exit_code == 0
    [item] = episode_items(proj)
    key = key_of(item.find(f"{PODCAST}transcript").get("url"))
    shifted = proj.read(key)
    assert shifted.startswith(b"WEBVTT\n\n00:00:01.000 --> ")  # moved by the intro
    proj.write("episodes/t.vtt", VTT.encode("utf-16"))
    proj.write("posts/b.md", post("B"))
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "episodes/t.vtt:1: not UTF-8 text (byte 0xff in column 1)" in result.output
    assert proj.read(key) == shifted  # the last published captions stay
    assert proj.public("posts/b/index.html").exists()


# -- the reader, driven with generated captions -------------------------------------------------

def _stamp(ms: int, srt: bool) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{',' if srt else '.'}{ms:03d}"


@st.composite
def captions(draw, srt: bool) -> str:
    starts = sorted(draw(st.lists(st.integers(0, 10_000_000), min_size=1, max_size=6)))
    texts = draw(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")),
                                  min_size=1, max_size=30).filter(
        lambda t: t.strip() and "-->" not in t), min_size=len(starts), max_size=len(starts)))
    blocks = []
    for i, (start, text) in enumerate(zip(starts, texts, strict=True)):
        end = start + draw(st.integers(0, 60_000))
        lines = [line for line in text.splitlines() if line.strip()] or ["x"]
        timing = f"{_stamp(start, srt)} --> {_stamp(end, srt)}"
        blocks.append("\n".join([str(i + 1), timing, *lines] if srt else [timing, *lines]))
    return ("" if srt else "WEBVTT\n\n") + "\n\n".join(blocks) + "\n"


def _mangle(text: str, cuts: list[tuple[int, str]]) -> str:
    for pos, junk in cuts:
        pos %= len(text) + 1
        text = text[:pos] + junk + text[pos + 1:]
    return text


junk = st.sampled_from(["", "-->", "\x00", "\n", "\n\n", ":", "99", "WEBVTT", "\ud800", "é",
                        "\r", "NOTE", "1", " --> ", "\ufeff"])


@settings(max_examples=200, deadline=5000)
@given(data=st.data(), srt=st.booleans(), mangle=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
def test_caption_reader_succeeds_or_names_the_file(tmp_path_factory, data, srt, mangle,
                                                   encoding):
    text = data.draw(captions(srt))
    if mangle:
        text = _mangle(text, data.draw(st.lists(st.tuples(st.integers(0, 10_000), junk),
                                                min_size=1, max_size=4)))
    raw = text.encode(encoding, errors="surrogatepass" if "utf" in encoding else "replace")
    path = tmp_path_factory.mktemp("t") / ("t.srt" if srt else "t.vtt")
    path.write_bytes(raw)
    try:
        read = read_transcript(path, "episodes/t")
    except CollectError as exc:
        event("refused")
        assert str(exc).startswith("episodes/t")
        assert re.match(r"episodes/t(:\d+)?: \S", str(exc))
        valid_input = not mangle and encoding in ("utf-8", "utf-8-sig")
        assert not valid_input, f"valid captions refused: {exc}"
        return
    event("read")
    # what was read is what shifting and publishing use: shifting keeps it valid
    shifted = path.with_name("shifted" + path.suffix)
    shifted.write_text(shift_captions(read, 2.5), encoding="utf-8")
    read_transcript(shifted, "shifted")


@settings(max_examples=80, deadline=5000)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["segments", "startTime", "endTime", "body",
                                                       "version"]), inner, max_size=4),
                    max_leaves=20))
def test_json_transcript_reader_succeeds_or_names_the_file(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("j") / "t.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        read_transcript(path, "episodes/t.json")
    except CollectError as exc:
        assert str(exc).startswith("episodes/t.json")


def test_json_transcript_follows_the_intro(make_project, tmp_path):
    from conftest import make_audio

    config = BASE_CONFIG + "audio:\n  intro: clips/intro.wav\n  crossfade: 0\n"
    doc = {"version": "1.0.0", "segments": [{"startTime": 0.0, "endTime": 0.4, "body": "Hi"},
                                            {"startTime": 0.4, "endTime": 0.9, "body": "Bye"}]}
    proj = make_project({"clips/intro.wav": make_audio(tmp_path / "i.wav", 1.0, kind="tone",
                                                       rate=44100).read_bytes(),
                         "episodes/e.mp3": tone(), "episodes/t.json": json.dumps(doc),
                         "episodes/e.yaml": sidecar("E", transcript="t.json")}, config=config)
    assert proj.run("publish").exit_code == 0
    [item] = episode_items(proj)
    published = json.loads(proj.read(key_of(item.find(f"{PODCAST}transcript").get("url"))))
    assert [(s["startTime"], s["endTime"], s["body"]) for s in published["segments"]] == [
        (1.0, 1.4, "Hi"), (1.4, 1.9, "Bye")]
