"""A catalog lost, then files renamed (their slugs with them): the items are found in the live
feeds by title and date, keep their guids and stay in the feeds."""

from __future__ import annotations

import io

import feedparser
import podcastparser

from conftest import post, sidecar, tone


def _guids(proj) -> tuple[dict, dict]:
    blog = {e.title: e.id for e in feedparser.parse(proj.read("feed.xml")).entries}
    pod = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    return blog, {e["title"]: e["guid"] for e in pod["episodes"]}


def test_a_lost_catalog_and_renamed_files_keep_every_live_entry(make_project):
    proj = make_project({"posts/notes-from-the-river.md": post("Notes", date="2026-10-20"),
                         "posts/plain.md": post("Plain", date="2026-10-01"),
                         "episodes/tides.yaml": sidecar("Tides", date="2026-10-25 06:00"),
                         "episodes/tides.mp3": tone(1.0),
                         "episodes/other.yaml": sidecar("Other", date="2026-10-02 06:00"),
                         "episodes/other.mp3": tone(1.1, freq=550)})
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    assert len(before[0]) == 2 and len(before[1]) == 2

    for name in ("catalog.db", "catalog.db-wal", "catalog.db-shm"):
        (proj.root / ".syndicate" / name).unlink(missing_ok=True)
    (proj.root / "posts/notes-from-the-river.md").rename(proj.root / "posts/river.md")
    (proj.root / "episodes/tides.yaml").rename(proj.root / "episodes/tidal.yaml")
    (proj.root / "episodes/tides.mp3").rename(proj.root / "episodes/tidal.mp3")
    result = proj.run("publish")
    # the folder's state.json names this site: a catalog made anew takes its files as its own
    assert result.exit_code == 0, result.output
    assert "refusing" not in result.output
    assert "held back" not in result.output, result.output
    assert _guids(proj) == before
    pod = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    for ep in pod["episodes"]:
        enclosure = ep["enclosures"][0]
        key = enclosure["url"].removeprefix("https://example.test/")
        assert proj.public(key).stat().st_size == enclosure["file_size"]
    assert proj.public("posts/river/index.html").is_file()
