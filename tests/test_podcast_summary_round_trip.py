"""An episode's summary reaches the podcast feed (``itunes:subtitle``, the short line podcast
apps show under the title) and comes back from it: a project is published, its podcast.xml is
imported into a fresh project through the CLI, and that project publishes the same title,
notes, summary, guid, date and duration for every episode (issue 15, U4)."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from pathlib import Path

import feedparser
import podcastparser
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import BASE_CONFIG, Project, bare_project, serve_folder, tone
from syndicate.markup import plain_summary

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT = "http://purl.org/rss/1.0/modules/content/"

# words in several scripts, and the characters XML, HTML and Markdown treat specially
WORDS = ["tide", "harbour", "gull", "Ærø", "Größe", "señal", "żółw", "潮", "🌊", "AT&T", "x<y",
         "\"quoted\"", "it's", "5 > 4", "#7", "50%", "a_b", "C++", "&amp;"]
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)
paragraph = st.one_of(words, words.map(lambda w: f"*{w}*"),
                      words.map(lambda w: f"{w} [more](https://example.org/more)"))
episode = st.fixed_dictionaries({
    "title": words,
    "summary": st.one_of(st.none(), words, st.lists(words, min_size=2, max_size=3)
                         .map("\n".join)),  # a summary over lines: one line when published
    "notes": st.one_of(st.none(), st.lists(paragraph, min_size=1, max_size=3).map("\n\n".join)),
    "duration": st.integers(min_value=1, max_value=5 * 3600),
})


def _items(feed: bytes) -> dict[str, dict]:
    """Per guid: what an app shows of the item."""
    out = {}
    for item in etree.fromstring(feed).find("channel").iterfind("item"):
        out[item.findtext("guid")] = {
            "title": item.findtext("title"), "date": item.findtext("pubDate"),
            "summary": item.findtext(f"{{{ITUNES}}}subtitle"),
            "notes": item.findtext(f"{{{CONTENT}}}encoded"),
            "description": item.findtext("description"),
            "duration": item.findtext(f"{{{ITUNES}}}duration")}
    return out


def _bare(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    return bare_project(root)


def _import_and_publish(feed: str, root: Path, *extra: str) -> tuple[dict, bytes]:
    dest = Project(root)
    result = dest.run("import", feed, "--json", *extra, "--config", str(root / "config.yaml"))
    assert result.exit_code == 0, result.output[-2000:]
    report = json.loads(result.output)
    published = dest.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    return report, dest.read("podcast.xml")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(episode, min_size=1, max_size=4))
def test_a_published_feed_imported_again_keeps_title_notes_summary_guid_date_duration(eps):
    with tempfile.TemporaryDirectory() as tmp:
        src = Project(_bare(Path(tmp) / "src"))
        for n, ep in enumerate(eps):
            car = {"title": ep["title"], "date": f"2026-0{n + 1}-0{n + 1} 08:00",
                   "audio_url": f"https://old.example/{n}.mp3", "audio_length": 1000 + n,
                   "duration": ep["duration"]}
            car |= {k: ep[k] for k in ("summary", "notes") if ep[k] is not None}
            src.write(f"episodes/{n:03d}-ep.yaml", yaml.safe_dump(car, allow_unicode=True))
        published = src.run("publish")
        assert published.exit_code == 0, published.output[-2000:]
        before = src.read("podcast.xml")
        mine = _items(before)
        assert len(mine) == len(eps)
        # every summary is in the feed: the author's (as plain text on one line), or else
        # the notes' opening; podcast apps' parsers read it as the item's subtitle
        for ep, item in zip(eps, reversed(mine.values()), strict=True):  # (newest first)
            assert item["title"] == ep["title"]
            if ep["summary"] is not None:
                assert item["summary"] == " ".join(plain_summary(ep["summary"]).split())
            assert item["summary"]
        gpodder = podcastparser.parse("x", io.BytesIO(before))["episodes"]
        assert {e["guid"]: e["subtitle"] for e in gpodder} == \
            {g: i["summary"] for g, i in mine.items()}
        parsed = feedparser.parse(before)
        assert parsed.bozo == 0
        assert {e.id: e.subtitle for e in parsed.entries} == \
            {g: i["summary"] for g, i in mine.items()}

        root = _bare(Path(tmp) / "dest")
        report, after = _import_and_publish(str(src.public("podcast.xml")), root,
                                            "--audio", "keep-url")
        assert all("summary" in e["kept"] for e in report["created"])
        assert not any(d["field"] == "itunes:subtitle" for e in report["created"]
                       for d in e["dropped"])
        assert _items(after) == mine  # nothing lost, nothing changed


@pytest.fixture
def served(tmp_path):
    """A project of two real MP3 episodes, one with a summary of its own, published at a
    loopback address: (its feed's address, its published feed)."""
    root = tmp_path / "src"
    src = Project(_bare(root))
    (root / "public").mkdir()
    server, base, _ = serve_folder(root / "public")
    src.write("config.yaml", BASE_CONFIG.replace("https://example.test/", base + "/"))
    src.write("episodes/001-dawn.mp3", tone(2.0))
    src.write("episodes/001-dawn.yaml", yaml.safe_dump({
        "title": "Dawn", "date": "2026-09-01 06:00", "guid": "dawn-1",
        "summary": "Out before dawn with one microphone & a flask of tea.",
        "notes": "We walk to the *harbour*.\n\nThen [the gulls](https://example.org/gulls).",
    }))
    src.write("episodes/002-dusk.mp3", tone(3.0, freq=330))
    src.write("episodes/002-dusk.yaml", "title: Dusk\ndate: 2026-09-08 18:00\n"
                                        "notes: Back at *dusk*, no summary written.\n")
    published = src.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    yield base + "/podcast.xml", src.read("podcast.xml")
    server.shutdown()
    server.server_close()


def test_the_summary_survives_a_round_trip_with_the_audio_downloaded(served, tmp_path):
    feed_url, before = served
    root = _bare(tmp_path / "dest")
    report, after = _import_and_publish(feed_url, root, "--audio", "download")
    mine, theirs = _items(before), _items(after)
    assert mine["dawn-1"]["summary"] == "Out before dawn with one microphone & a flask of tea."
    assert mine["dawn-1"]["duration"] == "2"
    assert theirs == mine
    cars = {yaml.safe_load(p.read_text("utf-8"))["guid"]: yaml.safe_load(p.read_text("utf-8"))
            for p in (root / "episodes").glob("*.yaml")}
    assert cars["dawn-1"]["summary"] == mine["dawn-1"]["summary"]
    # the summary made from the notes' opening is made again from them: no key to carry it
    (dusk,) = [g for g in cars if g != "dawn-1"]
    assert "summary" not in cars[dusk]
    assert all("summary" in e["kept"] for e in report["created"])
    shutil.rmtree(root / "public")  # published from the imported project alone, again
    assert Project(root).run("publish").exit_code == 0
    assert _items(Project(root).read("podcast.xml")) == mine
