"""Alternate audio (``audio.alternates``, issue 15): Opus and AAC renditions of each episode made
from the same source, published beside the MP3 and named in the podcast feed as
podcast:alternateEnclosure. Everything is checked from outside: the feed read by lxml (against
an XSD written from the namespace's documents), feedparser and podcastparser; the files decoded
by ffmpeg (codec, duration, loudness) and hashed here; the cache and the target looked at as
files. Wrong values in config.yaml are one error naming its line, whatever they are."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import subprocess
from pathlib import Path

import feedparser
import podcastparser
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import (
    BASE_CONFIG,
    DATA,
    Project,
    loudness_of,
    make_audio,
    png_bytes,
    sidecar,
)
from syndicate.audio import ffmpeg_exe
from syndicate.config import load_config
from syndicate.errors import ConfigError

P = "https://podcastindex.org/namespace/1.0"
ALT = f"{{{P}}}alternateEnclosure"
XSD = DATA / "alternate-enclosure.xsd"
BASE = "https://example.test/"
TARGET = -16.0
MP3_FRAME = 1152 / 44100  # seconds
WANTED = {"opus": 48, "aac": 64}  # kbps, as configured below
TYPES = {".opus": "audio/opus", ".m4a": "audio/x-m4a", ".mp3": "audio/mpeg"}


def _config(*alternates: dict) -> str:
    if not alternates:
        return BASE_CONFIG
    return BASE_CONFIG + yaml.safe_dump({"audio": {"alternates": list(alternates)}},
                                        sort_keys=False)


def _project(root: Path, config: str) -> Project:
    root.mkdir(parents=True)
    proj = Project(root)
    proj.write("config.yaml", config)
    proj.write("cover.png", png_bytes())
    (root / "posts").mkdir()
    (root / "episodes").mkdir()
    return proj


@pytest.fixture(scope="module")
def show(tmp_path_factory) -> Project:
    """Two episodes unlike each other (a quiet 48 kHz stereo FLAC, a loud 22.05 kHz mono WAV),
    published with an Opus and an AAC rendition."""
    proj = _project(tmp_path_factory.mktemp("alt") / "proj",
                    _config({"codec": "opus", "bitrate": "48k"},
                            {"codec": "aac", "bitrate": "64k", "title": "AAC for Apple"}))
    make_audio(proj.root / "episodes" / "quiet.flac", 30.0, rate=48000, channels=2,
               level_db=-30)
    make_audio(proj.root / "episodes" / "loud.wav", 21.3, rate=22050, channels=1, level_db=-6)
    proj.write("episodes/quiet.yaml", sidecar("Quiet one", date="2026-10-01 08:00"))
    proj.write("episodes/loud.yaml", sidecar("Loud one", date="2026-10-02 08:00"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    return proj


def _items(feed: bytes) -> list:
    return etree.fromstring(feed).find("channel").findall("item")


def _file(proj: Project, url: str) -> Path:
    assert url.startswith(BASE), url
    return proj.public(url.removeprefix(BASE))


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def _codec(path: Path) -> str:
    """The audio codec ffmpeg finds in the file (ffmpeg's own probe of the input)."""
    out = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                         text=True).stderr
    return re.search(r"Stream #0:\d+.*?: Audio: (\w+)", out).group(1)


def test_each_rendition_is_published_with_its_exact_length_type_bitrate_and_hash(show):
    items = _items(show.read("podcast.xml"))
    assert len(items) == 2
    for item in items:
        enc = item.find("enclosure")
        alts = item.findall(ALT)
        assert [a.get("default") for a in alts] == ["true", None, None]
        mp3 = alts[0]
        # the default rendition is the enclosure itself
        (src,) = mp3.findall(f"{{{P}}}source")
        assert src.get("uri") == enc.get("url")
        assert (mp3.get("type"), mp3.get("length")) == (enc.get("type"), enc.get("length"))
        assert mp3.get("bitrate") == "128000"
        seen = {}
        for alt in alts:
            (source,) = alt.findall(f"{{{P}}}source")
            (integrity,) = alt.findall(f"{{{P}}}integrity")
            path = _file(show, source.get("uri"))
            data = path.read_bytes()
            assert int(alt.get("length")) == len(data)
            assert alt.get("type") == TYPES[path.suffix]
            assert integrity.get("type") == "sri" and integrity.get("value") == _sri(data)
            # content-addressed like the MP3: the key carries the file's own hash
            assert hashlib.sha256(data).hexdigest()[:12] in path.name
            seen[path.suffix] = alt
        assert set(seen) == {".mp3", ".opus", ".m4a"}
        for suffix, codec in ((".opus", "opus"), (".m4a", "aac")):  # the average, near the ask
            path = _file(show, seen[suffix].find(f"{{{P}}}source").get("uri"))
            m = loudness_of(path)
            average = path.stat().st_size * 8 / (m["samples"] / m["rate"])
            assert abs(int(seen[suffix].get("bitrate")) - average) <= 0.02 * average
            assert abs(average - WANTED[codec] * 1000) <= 0.2 * WANTED[codec] * 1000
        assert seen[".opus"].get("title") == "Opus 48 kbps"
        assert seen[".m4a"].get("title") == "AAC for Apple"


def test_each_rendition_is_the_mp3s_audio_in_its_codec_at_its_bitrate_and_loudness(show):
    for item in _items(show.read("podcast.xml")):
        mp3 = loudness_of(_file(show, item.find("enclosure").get("url")))
        mp3_seconds = mp3["samples"] / mp3["rate"]
        for alt in item.findall(ALT)[1:]:
            path = _file(show, alt.find(f"{{{P}}}source").get("uri"))
            codec = {".opus": "opus", ".m4a": "aac"}[path.suffix]
            assert _codec(path) == codec
            m = loudness_of(path)
            seconds = m["samples"] / m["rate"]
            assert abs(seconds - mp3_seconds) <= MP3_FRAME, (path.name, seconds, mp3_seconds)
            kbps = path.stat().st_size * 8 / seconds / 1000
            assert abs(kbps - WANTED[codec]) <= 0.2 * WANTED[codec], (path.name, kbps)
            assert abs(m["integrated"] - TARGET) <= 1.0, (path.name, m)
            assert m["true_peak"] <= -1.0, (path.name, m)


def test_the_alternate_enclosures_validate_and_every_reader_keeps_every_item(show):
    feed = show.read("podcast.xml")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    alts = list(etree.fromstring(feed).iter(ALT))
    assert len(alts) == 6
    for alt in alts:
        plain = etree.fromstring(etree.tostring(alt))
        for e in plain.iter():
            e.tag = etree.QName(e).localname
        etree.cleanup_namespaces(plain)
        root = etree.Element("root")
        root.append(plain)
        assert schema.validate(root), (etree.tostring(alt), schema.error_log.last_error)
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 2
    assert all(e.enclosures[0].type == "audio/mpeg" for e in parsed.entries)
    pod = podcastparser.parse(BASE + "podcast.xml", io.BytesIO(feed))
    assert len(pod["episodes"]) == 2
    assert all(e["enclosures"][0]["mime_type"] == "audio/mpeg" for e in pod["episodes"])


def test_the_json_feed_gives_every_rendition_as_an_alternate_attachment(show):
    doc = json.loads(show.read("podcast.json"))
    by_id = {i["id"]: i for i in doc["items"]}
    for item in _items(show.read("podcast.xml")):
        attachments = by_id[item.findtext("guid")]["attachments"]
        alts = item.findall(ALT)
        assert [a["url"] for a in attachments] == [
            a.find(f"{{{P}}}source").get("uri") for a in alts]
        assert [a["size_in_bytes"] for a in attachments] == [int(a.get("length")) for a in alts]
        assert [a["mime_type"] for a in attachments] == [a.get("type") for a in alts]
        # JSON Feed 1.1: attachments with the same title are renditions of one another
        assert {a["title"] for a in attachments} == {item.findtext("title")}


def test_the_episode_page_offers_every_rendition_to_play_and_download(show):
    for item in _items(show.read("podcast.xml")):
        page = _file(show, item.findtext("link")) / "index.html"
        html = page.read_text()
        player = re.search(r"<audio[^>]*>(.*?)</audio>", html, re.S).group(1)
        sources = re.findall(r'<source src="([^"]+)" type="([^"]+)"', player)
        downloads = re.findall(r'<a href="([^"]+)"[^>]*download>', html)
        uris = [a.find(f"{{{P}}}source").get("uri") for a in item.findall(ALT)]
        assert sorted(u for u, _ in sources) == sorted(uris) == sorted(downloads)
        assert sources[-1][0] == item.find("enclosure").get("url")  # the MP3: the fallback
        for uri, kind in sources:
            assert kind.split(";")[0] == TYPES[Path(uri).suffix]


def _cache(proj: Project) -> dict[str, int]:
    """The media cache's encodes: file name -> modification time (ns)."""
    return {p.name: p.stat().st_mtime_ns
            for p in (proj.root / ".syndicate" / "media").glob("audio-*.*")
            if p.suffix != ".json"}


def _alternate_files(proj: Project) -> set[str]:
    return {p.suffix for item in _items(proj.read("podcast.xml")) for a in item.findall(ALT)
            for p in [Path(a.find(f"{{{P}}}source").get("uri"))]}


def test_adding_an_alternate_encodes_only_it_and_removing_one_retires_its_files(tmp_path):
    proj = _project(tmp_path / "proj", _config({"codec": "opus", "bitrate": "32k"}))
    make_audio(proj.root / "episodes" / "ep.wav", 9.0, rate=44100)
    proj.write("episodes/ep.yaml", sidecar("Only one"))
    assert proj.run("publish").exit_code == 0
    first = _cache(proj)
    assert sorted(Path(n).suffix for n in first) == [".mp3", ".opus"]
    assert _alternate_files(proj) == {".mp3", ".opus"}

    proj.write("config.yaml", _config({"codec": "opus", "bitrate": "32k"},
                                      {"codec": "aac", "bitrate": "96k"}))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    second = _cache(proj)
    assert {n: t for n, t in second.items() if n in first} == first  # nothing made again
    (made,) = set(second) - set(first)
    assert made.endswith(".m4a")
    assert _alternate_files(proj) == {".mp3", ".opus", ".m4a"}
    m4a = next(proj.public("media").glob("*.m4a"))
    assert _codec(m4a) == "aac"

    again = proj.run("publish")  # nothing changed: nothing encoded, nothing written
    assert again.exit_code == 0 and "wrote 0 files" in again.output, again.output
    assert _cache(proj) == second

    proj.write("config.yaml", _config({"codec": "aac", "bitrate": "96k"}))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _alternate_files(proj) == {".mp3", ".m4a"}
    assert not [n for n in _cache(proj) if n.endswith(".opus")]  # its encode is pruned
    (opus,) = proj.public("media").glob("*.opus")  # still served to cached copies of the feed
    later = proj.run("publish", now="2026-11-04T13:00:00+00:00")  # 73 hours on
    assert later.exit_code == 0, later.output
    assert not opus.exists()
    assert next(proj.public("media").glob("*.m4a")).read_bytes() == m4a.read_bytes()


_CODECS = st.sampled_from(["opus", "aac", "mp3", "vorbis", "OPUS", "", "flac"])
_BITRATES = st.one_of(
    st.integers(-10, 700),
    st.integers(-10, 700).map(lambda n: f"{n}k"),
    st.text(max_size=6),
    st.sampled_from(["48k", "64K", " 96k ", "1.5k", "48kbps", "0x30", "∞"]),
    st.none(),
)
_RANGES = {"opus": (6, 256), "aac": (24, 320)}


def _expected_kbps(codec: str, bitrate) -> int | None:
    """What a valid alternate's bitrate is, or None where the config must be refused."""
    if codec not in _RANGES or bitrate is None or isinstance(bitrate, bool):
        return None
    text = str(bitrate).strip().lower()
    digits = text[:-1] if text.endswith("k") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 4:
        return None
    low, high = _RANGES[codec]
    return int(digits) if low <= int(digits) <= high else None


def _one_line(value) -> str:
    """``value`` as one line of YAML (a string with a line break in it double-quoted)."""
    plain = yaml.safe_dump(value, width=float("inf"))
    if plain.rstrip("\n").removesuffix("\n...").count("\n") == 0:
        return plain.split("\n")[0]
    return yaml.safe_dump(value, default_style='"', width=float("inf")).split("\n")[0]


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codec=_CODECS, bitrate=_BITRATES)
def test_any_codec_and_bitrate_is_taken_or_refused_naming_the_line(tmp_path, codec, bitrate):
    text = BASE_CONFIG + "audio:\n  alternates:\n    - codec: " + _one_line(codec) + \
        "\n      bitrate: " + _one_line(bitrate) + "\n"
    root = tmp_path / "p"
    root.mkdir(exist_ok=True)
    (root / "config.yaml").write_text(text)
    (root / "cover.png").write_bytes(b"")
    loaded = yaml.safe_load(text)["audio"]["alternates"][0]
    want = _expected_kbps(loaded["codec"], loaded["bitrate"])
    try:
        settings_ = load_config(root / "config.yaml")
    except ConfigError as exc:
        assert want is None, (text, str(exc))
        lines = text.splitlines()
        first = lines.index("  alternates:") + 1
        found = re.findall(r"config\.yaml:(\d+): 'audio\.alternates[\[\]0-9a-z.]*'", str(exc))
        assert found and all(first <= int(n) <= len(lines) for n in found), str(exc)
        return
    assert want is not None, text
    (alt,) = settings_.config.audio.alternates
    assert (alt.codec, alt.bitrate) == (loaded["codec"], want)


def test_a_bad_alternate_stops_the_cli_with_the_line_and_the_allowed_values(tmp_path):
    proj = _project(tmp_path / "proj", _config({"codec": "opus", "bitrate": "48k"},
                                               {"codec": "mp2", "bitrate": "64k"}))
    result = proj.run("publish")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert re.search(r"config\.yaml:2\d: 'audio\.alternates\[1\]\.codec': expected 'opus' or "
                     r"'aac'", result.output), result.output


def test_alternates_with_processing_off_are_a_warning_naming_the_line(tmp_path):
    config = BASE_CONFIG + yaml.safe_dump(
        {"audio": {"process": False, "alternates": [{"codec": "opus", "bitrate": "48k"}]}},
        sort_keys=False)
    proj = _project(tmp_path / "proj", config)
    make_audio(proj.root / "episodes" / "one.mp3", 3.0)
    proj.write("episodes/one.yaml", sidecar("One", date="2026-10-01 08:00"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    line = config.splitlines().index("  alternates:") + 1
    assert f"config.yaml:{line}: 'audio.alternates'" in result.output, result.output
    assert "audio.process: true" in result.output and "Traceback" not in result.output
    assert not _items(proj.read("podcast.xml"))[0].findall(ALT)
    # with processing on, the same alternates give no such warning
    proj.write("config.yaml", config.replace("process: false", "process: true"))
    assert "'audio.alternates'" not in proj.run("publish").output
