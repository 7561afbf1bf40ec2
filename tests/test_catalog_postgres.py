"""The catalog on PostgreSQL (a real server, tests/conftest.py's pg_server), end to end through
the CLI: publish, queue, unqueue, status, a no-change publish, db upgrade, db copy; and the
refusals: a password in config.yaml, a server that cannot be reached, a catalog newer than the
code, the driver not installed. (The scheduler on PostgreSQL: test_run_leader.py.)"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import feedparser
import podcastparser
import pytest

from conftest import REPO, free_port
from syndicate.schema import LATEST

AT = "2026-11-20T09:00:00+00:00"


def _on(proj, url: str) -> None:
    """Point the project's catalog at ``url`` (replacing a 'catalog:' line if there is one)."""
    path = proj.root / "config.yaml"
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("catalog:")]
    path.write_text("\n".join([*lines, f"catalog: {url}"]) + "\n")


def _guids(proj) -> dict[str, set[str]]:
    """Every entry id of the blog feed and the podcast feed as readers see them."""
    blog = feedparser.parse(proj.read("feed.xml"))
    with open(proj.public("podcast.xml"), "rb") as f:
        show = podcastparser.parse("https://example.test/podcast.xml", f)
    return {"blog": {e.id for e in blog.entries},
            "podcast": {e["guid"] for e in show["episodes"]}}


def _status(proj) -> dict[str, dict]:
    result = proj.run("status", "--json")
    assert result.exit_code == 0, result.output
    return {row["source"]: row for row in json.loads(result.output)}


def _rows(url: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_publish_queue_unqueue_status_and_a_no_change_publish_on_postgresql(sample_project,
                                                                             pg_url):
    proj = sample_project
    _on(proj, pg_url)
    first = proj.run("publish")
    assert first.exit_code == 0, first.output
    assert not (proj.root / ".syndicate" / "catalog.db").exists()  # nothing went to SQLite
    items = _rows(pg_url, "SELECT guid, source FROM items ORDER BY id")
    assert len(items) == len({g for g, _s in items}) >= 5
    seen = _guids(proj)
    assert seen["blog"] and seen["podcast"]
    assert seen["blog"] | seen["podcast"] <= {g for g, _s in items}

    again = proj.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output, again.output

    src = "posts/later.md"
    proj.write(src, "---\ntitle: Later\ndate: 2026-12-24\n---\n\nNot yet.\n")
    queued = proj.run("queue", src, "--at", AT)
    assert queued.exit_code == 0, queued.output
    assert _status(proj)[src]["state"] == "queued"
    assert _rows(pg_url, "SELECT r.at FROM releases r JOIN items i ON i.id = r.item_id "
                         f"WHERE i.source = '{src}'") == [("2026-11-20T09:00:00+00:00",)]
    held = proj.run("unqueue", src)
    assert held.exit_code == 0, held.output
    assert _status(proj)[src]["state"] == "draft"  # held back until queued again
    assert _rows(pg_url, "SELECT r.held FROM releases r JOIN items i ON i.id = r.item_id "
                         f"WHERE i.source = '{src}'") == [(True,)]
    assert _guids(proj) == seen  # queue and unqueue published nothing


def test_db_copy_then_publish_from_the_copy_keeps_every_guid(sample_project, pg_url):
    proj = sample_project
    first = proj.run("publish")
    assert first.exit_code == 0, first.output
    sqlite_file = proj.root / ".syndicate" / "catalog.db"
    if not sqlite_file.exists():  # the suite runs on PostgreSQL: make the SQLite one by copying
        pytest.skip("the project's catalog is on PostgreSQL already")
    queued = proj.run("queue", "posts/2027-01-10-the-year-ahead.md", "--at", AT)
    assert queued.exit_code == 0, queued.output
    before, states = _guids(proj), _status(proj)
    with sqlite3.connect(sqlite_file) as conn:
        rows = conn.execute("SELECT id, guid, date, published_at FROM items ORDER BY id").fetchall()
        queue = conn.execute("SELECT item_id, at, zone, held FROM releases").fetchall()

    copied = proj.run("db", "copy", str(sqlite_file), pg_url)
    assert copied.exit_code == 0, copied.output
    assert f"Copied {len(rows)} items" in copied.output
    assert _rows(pg_url, "SELECT id, guid, date, published_at FROM items ORDER BY id") == rows
    assert _rows(pg_url, "SELECT item_id, at, zone, held::int FROM releases") == queue

    again = proj.run("db", "copy", str(sqlite_file), pg_url)  # not into a catalog with rows
    assert again.exit_code == 1 and "not empty" in again.output and "--replace" in again.output
    replaced = proj.run("db", "copy", "--replace", str(sqlite_file), pg_url)
    assert replaced.exit_code == 0, replaced.output

    sqlite_file.rename(sqlite_file.with_suffix(".old"))
    _on(proj, pg_url)
    published = proj.run("publish")
    assert published.exit_code == 0 and "wrote 0 files" in published.output, published.output
    assert _guids(proj) == before
    after = _status(proj)  # on PostgreSQL each entry also names the scheduler (none runs)
    assert all(o.pop("scheduler") is None for o in after.values())
    assert after == states
    # a new item gets an id of its own after the copied ones
    proj.write("posts/after-the-copy.md", "---\ntitle: After\ndate: 2026-10-25\n---\n\nNew.\n")
    assert proj.run("publish").exit_code == 0
    ids = [r[0] for r in _rows(pg_url, "SELECT id FROM items ORDER BY id")]
    assert len(ids) == len(rows) + 1 and ids[-1] > max(r[0] for r in rows)


def test_db_upgrade_and_a_catalog_newer_than_the_code_on_postgresql(make_project, pg_url):
    proj = make_project()
    _on(proj, pg_url)
    config = str(proj.root / "config.yaml")
    made = proj.run("--config", config, "db", "upgrade")
    assert made.exit_code == 0 and f"schema 0 -> {LATEST}" in made.output, made.output
    same = proj.run("--config", config, "db", "upgrade")
    assert same.exit_code == 0 and f"already at schema {LATEST}" in same.output, same.output
    import psycopg

    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    for args in (("status",), ("publish",), ("--config", config, "db", "upgrade")):
        result = proj.run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "newer syndicate" in result.output and "Traceback" not in result.output
    assert _rows(pg_url, "SELECT value FROM meta WHERE key = 'schema_version'") == [("99",)]


def test_a_password_in_the_catalog_address_is_refused_at_its_line_and_never_shown(make_project):
    proj = make_project()
    secret = "Hunter2-Secret"
    for url in (f"postgresql://bob:{secret}@db.example.test:5432/show",
                f"postgresql://bob@db.example.test/show?password={secret}",
                f"postgres://bob:{secret}@[::1/show"):
        _on(proj, url)
        line = len((proj.root / "config.yaml").read_text().splitlines())
        result = proj.run("status")
        assert result.exit_code == 2, result.output
        assert f"config.yaml:{line}: 'catalog'" in result.output
        assert secret not in result.output and "PGPASSWORD" in result.output
    copy = proj.run("db", "copy", "nothing.db", f"postgresql://bob:{secret}@db.example.test/x")
    assert copy.exit_code == 2 and secret not in copy.output and "PGPASSWORD" in copy.output


def test_a_server_that_cannot_be_reached_or_refuses_is_one_clear_line(make_project, pg_server,
                                                                      monkeypatch):
    proj = make_project()
    monkeypatch.setenv("PGPASSWORD", "Not-Shown-77")
    _on(proj, f"postgresql://nobody@127.0.0.1:{free_port()}/show")
    for args in (("status",), ("publish",), ("queue", "x.md", "--at", AT)):
        result = proj.run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "cannot be reached" in result.output and "Traceback" not in result.output
        assert "Not-Shown-77" not in result.output
    _on(proj, pg_server.url("no_such_database"))
    result = proj.run("status")
    assert result.exit_code == 1 and "no such database" in result.output, result.output


def test_without_the_driver_the_error_names_the_extra(make_project, pg_url):
    proj = make_project()
    _on(proj, pg_url)
    code = ("import sys; sys.modules['psycopg'] = None; from syndicate.cli import main; "
            "main()")
    result = subprocess.run([sys.executable, "-c", code, "--config",
                             str(proj.root / "config.yaml"), "status"],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "'postgres' extra" in result.stderr and "Traceback" not in result.stderr


def test_a_dry_run_on_postgresql_writes_nothing_to_the_catalog(make_project, pg_url):
    from conftest import post

    proj = make_project({"posts/a.md": post("First")})
    _on(proj, pg_url)
    assert proj.run("publish").exit_code == 0
    before = {t: _rows(pg_url, f"SELECT * FROM {t} ORDER BY 1, 2") for t in
              ("items", "outputs", "meta", "releases")}
    proj.write("posts/b.md", post("Second", date="2026-10-03"))
    dry = proj.run("publish", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "1 new" in dry.output
    after = {t: _rows(pg_url, f"SELECT * FROM {t} ORDER BY 1, 2") for t in before}
    assert after == before
    assert "Second" not in proj.read("feed.xml").decode()


def test_a_publish_from_another_host_waits_for_the_one_holding_the_catalog(make_project,
                                                                            pg_url):
    """Two checkouts (two state folders) on one PostgreSQL catalog: one publish at a time,
    and the refusal names the holder."""
    import os

    from syndicate.engines import PUBLISH_LOCK, location, server_lock

    proj = make_project()
    _on(proj, pg_url)
    assert proj.run("publish").exit_code == 0
    with server_lock(location(pg_url), PUBLISH_LOCK, "a publish"):
        result = proj.run("publish")
    assert result.exit_code == 1, result.output
    assert "already in progress" in result.output and f"pid {os.getpid()}" in result.output
    assert proj.run("publish").exit_code == 0  # the lock went with its holder
