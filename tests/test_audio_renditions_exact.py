"""What the feed says of an episode's audio is what the files are (Q15, Q16): a rendition's
bitrate is its average, the same source gives the same Opus bytes on every encode, a clip under
a second does not last 0 seconds, a soundbite that cannot be checked is warned about, every
text limit is worded one way, and an empty `audio:` section means its defaults."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from lxml import etree

from conftest import BASE_CONFIG, Project, make_audio, png_bytes, sidecar
from syndicate.audio import ffmpeg_exe
from syndicate.config import load_config

P = "https://podcastindex.org/namespace/1.0"
I = "http://www.itunes.com/dtds/podcast-1.0.dtd"  # noqa: E741
BASE = "https://example.test/"
ODD = {"opus": "6k", "aac": "320k"}  # the ends of the ranges: averages far from the rate asked


def _project(root: Path, config: str) -> Project:
    root.mkdir(parents=True)
    proj = Project(root)
    proj.write("config.yaml", config)
    proj.write("cover.png", png_bytes())
    (root / "posts").mkdir()
    (root / "episodes").mkdir()
    return proj


def _alternates_config() -> str:
    return BASE_CONFIG + yaml.safe_dump({"audio": {"alternates": [
        {"codec": c, "bitrate": b} for c, b in ODD.items()]}}, sort_keys=False)


def _decoded_seconds(path: Path) -> float:
    """The file's length as ffmpeg decodes it (its own count, not syndicate's)."""
    out = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-f",
                          "null", "-"], capture_output=True, text=True).stderr
    h, m, s = re.findall(r"time=(\d+):(\d+):([\d.]+)", out)[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def _odd_show(root: Path) -> Project:
    proj = _project(root, _alternates_config())
    make_audio(root / "episodes" / "hush.wav", 6.0, rate=8000, channels=1, kind="silence")
    make_audio(root / "episodes" / "wide.flac", 5.0, rate=96000, channels=2, kind="tone",
               codec=["-sample_fmt", "s32"])
    proj.write("episodes/hush.yaml", sidecar("Hush", date="2026-10-01 08:00"))
    proj.write("episodes/wide.yaml", sidecar("Wide", date="2026-10-02 08:00"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    return proj


@pytest.fixture(scope="module")
def odd(tmp_path_factory) -> Project:
    return _odd_show(tmp_path_factory.mktemp("odd") / "proj")


def _renditions(proj: Project) -> dict[str, tuple[str, Path]]:
    """url suffix -> (bitrate as published, the file), over every item."""
    root = etree.fromstring(proj.read("podcast.xml"))
    found = {}
    for alt in root.iter(f"{{{P}}}alternateEnclosure"):
        url = alt.find(f"{{{P}}}source").get("uri")
        found[url] = (alt.get("bitrate"), proj.public(url.removeprefix(BASE)))
    return found


def test_a_renditions_bitrate_is_its_average_from_its_size_and_length(odd):
    renditions = _renditions(odd)
    assert {p.suffix for _, p in renditions.values()} == {".mp3", ".opus", ".m4a"}
    far = 0
    for bitrate, path in renditions.values():
        if path.suffix == ".mp3":
            # constant: the rate the MP3 was encoded at
            assert bitrate == str(load_config(odd.root / "config.yaml").config.audio.kbps * 1000)
            continue
        average = path.stat().st_size * 8 / _decoded_seconds(path)
        assert abs(int(bitrate) - average) <= 0.02 * average, (path.name, bitrate, average)
        asked = int(ODD["opus" if path.suffix == ".opus" else "aac"][:-1]) * 1000
        far += abs(average - asked) > 0.1 * asked
    assert far  # the sources are odd enough that the rate asked for would be wrong


def test_the_same_source_gives_the_same_opus_bytes_on_every_encode(odd, tmp_path):
    again = _odd_show(tmp_path / "again")  # a new project: nothing cached, every file encoded
    first = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for _, p in _renditions(odd).values()}
    second = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
              for _, p in _renditions(again).values()}
    assert [n for n in first if n.endswith(".opus")]
    assert first == second  # same keys, same bytes: apps keep what they downloaded


def test_a_clip_shorter_than_a_second_is_not_published_as_lasting_0(tmp_path):
    proj = _project(tmp_path / "proj", BASE_CONFIG)
    make_audio(proj.root / "episodes" / "blip.wav", 0.4, kind="tone")
    proj.write("episodes/blip.yaml", sidecar("Blip"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    item = etree.fromstring(proj.read("podcast.xml")).find("channel/item")
    assert item.find(f"{{{I}}}duration").text == "1"
    (entry,) = json.loads(proj.read("podcast.json"))["items"]
    assert entry["attachments"][0]["duration_in_seconds"] == 1


def test_soundbites_on_audio_at_a_url_with_no_duration_are_warned_about_by_name(tmp_path):
    proj = _project(tmp_path / "proj", BASE_CONFIG)
    proj.write("episodes/far.yaml", sidecar(
        "Far", audio_url="https://media.example.test/far.mp3", audio_length="12345") +
        "soundbites:\n  - {start: 99999, duration: 30}\n")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "episodes/far.yaml:5: 'soundbites' cannot be checked" in result.output, result.output


@pytest.mark.parametrize("where,value,limit", [
    ("podcast.funding", [{"url": "https://example.test/give", "text": "f" * 129}], 128),
    ("audio.alternates", [{"codec": "opus", "bitrate": "48k", "title": "t" * 33}], 32),
    ("podcast.persons", [{"name": "n" * 129}], 128),
    ("podcast.title", "t" * 256, 255),
])
def test_every_text_limit_is_worded_the_same_way(tmp_path, where, value, limit):
    cfg = yaml.safe_load(BASE_CONFIG)
    section, key = where.split(".")
    cfg.setdefault(section, {})[key] = value
    proj = _project(tmp_path / "proj", yaml.safe_dump(cfg, sort_keys=False))
    result = proj.run("publish")
    assert result.exit_code != 0
    said = re.search(r"config\.yaml:\d+: '" + re.escape(where) + r"[^']*': (.*)", result.output)
    assert said, result.output
    assert re.fullmatch(rf"at most {limit} characters \([^)]+\), got {limit + 1}: shorten it",
                        said.group(1).strip()), said.group(1)


def test_an_empty_audio_section_means_its_defaults(tmp_path):
    proj = _project(tmp_path / "proj", BASE_CONFIG + "audio:\n  # process: false\n")
    make_audio(proj.root / "episodes" / "a.wav", 1.5, kind="tone")
    proj.write("episodes/a.yaml", sidecar("A"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    media = [p.suffix for p in (proj.root / "public" / "media").iterdir()]
    assert media == [".mp3"]  # processed, as by default
