"""The catalog's schema version and migrations: a catalog made by the code of before versions
(checked in, see tests/data/catalogs/make_schema0.py) is upgraded in place and publishes the same
site; a catalog from a newer syndicate is refused, untouched."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3

import feedparser
import podcastparser
import pytest

from conftest import DATA, Project
from syndicate.schema import LATEST

SCHEMA0 = DATA / "catalogs" / "schema0"


def _db(proj) -> sqlite3.Connection:
    conn = sqlite3.connect(proj.root / ".syndicate/catalog.db")
    conn.row_factory = sqlite3.Row
    return conn


def _feed(path) -> set[tuple]:
    return {(e.id, e.title, e.link) for e in feedparser.parse(path.read_bytes()).entries}


def _episodes(path) -> set[tuple]:
    feed = podcastparser.parse("x", io.BytesIO(path.read_bytes()))
    return {(e["guid"], e["title"], e["enclosures"][0]["url"], e["enclosures"][0]["file_size"])
            for e in feed["episodes"]}


def _files(folder) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def old(tmp_path) -> tuple[Project, dict]:
    """A copy of the checked-in project and its schema-0 catalog, and what that catalog held
    (read before the new code touches it)."""
    root = tmp_path / "old"
    shutil.copytree(SCHEMA0, root)
    proj = Project(root)
    with _db(proj) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        held = {"items": {r["source"]: dict(r) for r in conn.execute("SELECT * FROM items")},
                "releases": [dict(r) for r in conn.execute("SELECT * FROM releases")],
                "outputs": {r["key"]: dict(r) for r in conn.execute("SELECT * FROM outputs")},
                "meta": dict(conn.execute("SELECT key, value FROM meta").fetchall())}
    conn.close()
    return proj, held


def test_a_catalog_of_schema_0_is_upgraded_and_publishes_the_same_site(old):
    proj, held = old
    assert len(held["items"]) == 8 and len(held["releases"]) == 3 and len(held["outputs"]) == 10

    status = json.loads(proj.run("status", "--json").output)
    by_source = {o["source"]: o for o in status}
    # every item, with the guid it had (the renamed post's guid came from its first name)
    assert {s: o["guid"] for s, o in by_source.items()} == \
        {s: r["guid"] for s, r in held["items"].items()}
    assert by_source["posts/renamed-later.md"]["state"] == "released"
    # the queue, now keyed on the item
    assert by_source["posts/queued.md"]["state"] == "queued"
    assert by_source["posts/queued.md"]["release_utc"] == "2026-12-01T10:00:00+00:00"
    assert by_source["episodes/two.yaml"]["release_utc"] == "2026-11-15T08:00:00+00:00"
    assert by_source["posts/held.md"]["state"] == "draft"  # unqueued: held back
    with _db(proj) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        assert meta["schema_version"] == str(LATEST)
        assert meta["podcast_guid"] == held["meta"]["podcast_guid"]
        ids = {r["guid"]: r["id"] for r in held["items"].values()}
        assert sorted((r["item_id"], r["at"], r["held"]) for r in conn.execute(
            "SELECT * FROM releases")) == sorted((ids[r["guid"]], r["at"], r["held"])
                                                 for r in held["releases"])
        assert {r["key"]: dict(r) for r in conn.execute("SELECT * FROM outputs")} == \
            held["outputs"]
    conn.close()

    before = {name: SCHEMA0 / "public" / name for name in ("feed.xml", "atom.xml",
                                                           "podcast.xml")}
    # today's theme renders other pages than that syndicate did, and a copy of the project in
    # another folder owns none of the files there: overwriting them is asked for
    result = proj.run("publish", "--overwrite")
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated" in result.output and "0 removed, 0 failed" in result.output
    # the same site: the same entries and guids, enclosures at their stated length, no new file
    assert _feed(proj.public("feed.xml")) == _feed(before["feed.xml"])
    assert _feed(proj.public("atom.xml")) == _feed(before["atom.xml"])
    assert _episodes(proj.public("podcast.xml")) == _episodes(before["podcast.xml"])
    for _guid, _title, url, size in _episodes(proj.public("podcast.xml")):
        key = url.removeprefix("https://example.test/")
        assert proj.public(key).stat().st_size == size
    # every file the old site had is still there (beside the theme's new pages and files)
    assert _files(SCHEMA0 / "public") <= _files(proj.root / "public")
    for name in _files(SCHEMA0 / "public"):
        if not name.endswith(".html"):  # media, cover: the same bytes
            assert (proj.root / "public" / name).read_bytes() == \
                (SCHEMA0 / "public" / name).read_bytes() or name.endswith(".xml"), name

    # the queue still holds: each item at its time, the held one never
    assert proj.run("release-due", now="2026-11-15T07:59:00+00:00").output.strip() == \
        "Nothing is due"
    two = proj.run("release-due", now="2026-11-15T08:00:00+00:00")
    assert "Released episode 'Two'" in two.output and "Queued post" not in two.output
    assert {e[1] for e in _episodes(proj.public("podcast.xml"))} == {"One", "Two"}
    assert "Queued post" not in {e[1] for e in _feed(proj.public("feed.xml"))}
    done = proj.run("release-due", now="2026-12-01T10:00:00+00:00")
    assert "Released post 'Queued post'" in done.output
    titles = {e[1] for e in _feed(proj.public("feed.xml"))}
    assert "Queued post" in titles and "Held post" not in titles and "Draft post" not in titles


def test_opening_twice_migrates_once(old):
    proj, _ = old
    for _ in range(2):
        assert proj.run("status").exit_code == 0
    with _db(proj) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "ORDER BY name")] == ["items", "meta", "outputs",
                                                                 "releases"]
    conn.close()


@pytest.mark.sqlite_file
@pytest.mark.parametrize("how", ["user_version", "meta"])
def test_a_catalog_from_a_newer_syndicate_is_refused_untouched(make_project, how):
    proj = make_project({"posts/a.md": "---\ntitle: A\ndate: 2026-10-01\n---\nA.\n"})
    assert proj.run("publish").exit_code == 0
    path = proj.root / ".syndicate/catalog.db"
    with sqlite3.connect(path) as conn:
        if how == "user_version":
            conn.execute(f"PRAGMA user_version = {LATEST + 1}")
        else:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                         (str(LATEST + 7),))
    conn.close()
    before = path.read_bytes()
    feed = proj.read("feed.xml")
    newer = LATEST + 1 if how == "user_version" else LATEST + 7
    for args in (("publish",), ("collect",), ("status",), ("queue", "a", "--at", "now"),
                 ("unqueue", "a"), ("release-due",), ("run",)):
        result = proj.run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.strip() == (
            f"Error: catalog {path} was written by a newer syndicate (schema {newer}, "
            f"this one knows {LATEST}): upgrade syndicate"), args
    assert path.read_bytes() == before
    assert proj.read("feed.xml") == feed

