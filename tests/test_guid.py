"""GUIDs are assigned once and survive edits, renames and re-collects."""

from __future__ import annotations

import json

import feedparser

from conftest import post, sidecar, tone


def _guids(proj) -> dict[str, str]:
    rows = json.loads(proj.run("status", "--json").output)
    return {r["title"]: r["guid"] for r in rows if r["state"] != "removed"}


def test_guid_survives_edit_rename_and_recollect(make_project):
    proj = make_project({"posts/first.md": post("First", body="one"),
                         "episodes/ep.yaml": sidecar("Ep"), "episodes/ep.mp3": tone(1.0)})
    assert proj.run("publish").exit_code == 0
    guids = _guids(proj)

    proj.write("posts/first.md", post("First", body="one, edited"))
    proj.write("episodes/ep.yaml", sidecar("Ep", notes="'New notes'"))
    assert proj.run("publish").exit_code == 0
    assert _guids(proj) == guids

    (proj.root / "posts/first.md").rename(proj.root / "posts/renamed.md")
    (proj.root / "episodes/ep.yaml").rename(proj.root / "episodes/moved.yaml")
    (proj.root / "episodes/ep.mp3").rename(proj.root / "episodes/moved.mp3")
    result = proj.run("publish")
    assert result.exit_code == 0
    assert "0 new" in result.output and "0 removed" in result.output
    assert _guids(proj) == guids

    assert proj.run("collect").exit_code == 0
    assert _guids(proj) == guids
    entry = feedparser.parse(proj.read("feed.xml")).entries[0]
    assert entry.id == guids["First"]


def test_renamed_and_edited_post_keeps_its_guid_by_title_and_date(make_project):
    proj = make_project({"posts/a.md": post("Same title", body="v1")})
    proj.run("publish")
    guids = _guids(proj)
    (proj.root / "posts/a.md").unlink()
    proj.write("posts/b.md", post("Same title", body="v2"))
    proj.run("publish")
    assert _guids(proj) == guids


def test_front_matter_guid_wins(make_project):
    proj = make_project({"posts/a.md": post("Imported", guid="https://old.example/?p=42")})
    assert proj.run("publish").exit_code == 0
    rss = feedparser.parse(proj.read("feed.xml"))
    assert rss.entries[0].id == "https://old.example/?p=42"
    atom = feedparser.parse(proj.read("atom.xml"))
    assert atom.entries[0].id == "https://old.example/?p=42"


def test_duplicate_front_matter_guid_is_refused(make_project):
    proj = make_project({"posts/a.md": post("A", guid="g-1"), "posts/b.md": post("B", guid="g-1")})
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Error: posts/b.md: guid 'g-1' is used by another item, posts/a.md" in result.output
    assert [e.title for e in feedparser.parse(proj.read("feed.xml")).entries] == ["A"]


def test_deleted_post_leaves_the_feed(make_project):
    proj = make_project({"posts/a.md": post("A"), "posts/b.md": post("B", date="2026-10-02")})
    proj.run("publish")
    (proj.root / "posts/b.md").unlink()
    result = proj.run("publish")
    assert result.exit_code == 0
    assert "1 removed" in result.output
    assert [e.title for e in feedparser.parse(proj.read("feed.xml")).entries] == ["A"]
    assert not proj.public("posts/b/index.html").exists()
