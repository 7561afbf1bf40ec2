"""One damaged value in the catalog never takes a published item down, nor hides a queued
release: publish, release-due and status stop with one error naming the catalog and the item."""

from __future__ import annotations

import shutil
import sqlite3

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import post, sidecar, tone

pytestmark = pytest.mark.sqlite_file  # the SQLite file itself: scribbled on, its disk filled

FILES = {"posts/a.md": post("Alpha", date="2026-10-01"),
         "posts/b.md": post("Beta", date="2026-10-02"),
         "episodes/ep.yaml": sidecar("Pilot", date="2026-10-03 08:00"),
         "episodes/ep.mp3": tone(1.0)}


def _entries(proj) -> set[str]:
    return {e.link for name in ("feed.xml", "podcast.xml") if proj.public(name).exists()
            for e in feedparser.parse(proj.read(name)).entries}


def _sql(proj, statement: str, *args) -> None:
    conn = sqlite3.connect(proj.root / ".syndicate/catalog.db")
    with conn:
        conn.execute(statement, args)
    conn.close()


def test_a_damaged_date_stops_publish_and_keeps_the_episode(make_project):
    proj = make_project(FILES)
    assert proj.run("publish").exit_code == 0
    live = _entries(proj)
    media = sorted(p.name for p in proj.public("media").iterdir())
    _sql(proj, "UPDATE items SET date = 'notadate' WHERE source = 'episodes/ep.yaml'")
    for _ in range(2):
        result = proj.run("publish")
        assert result.exit_code == 1, result.output
        assert "catalog.db: the catalog holds a damaged value" in result.output
        assert "episodes/ep.yaml" in result.output and "Traceback" not in result.output
        assert _entries(proj) == live
        assert sorted(p.name for p in proj.public("media").iterdir()) == media
        assert proj.public("episodes/ep/index.html").is_file()


def test_a_damaged_release_time_is_an_error_not_nothing_due(make_project):
    proj = make_project({"posts/a.md": post("Alpha", date="2026-10-01"),
                         "posts/qq.md": post("Queued", date="2026-10-05")})
    assert proj.run("queue", "posts/qq.md", "--at", "2026-12-25 10:00").exit_code == 0
    assert proj.run("publish").exit_code == 0
    _sql(proj, "UPDATE releases SET at = 'garbage'")
    for cmd, now in (("release-due", "2026-12-26T00:00:00+00:00"),
                     ("publish", "2026-12-26T00:00:00+00:00"), ("status", None),
                     ("run", None)):
        result = proj.run(cmd) if now is None else proj.run(cmd, now=now)
        assert result.exit_code == 1, (cmd, result.output)
        assert "catalog.db: the catalog holds a damaged value (the release time of item" \
            in result.output and "posts/qq.md" in result.output, result.output
        assert "Nothing is due" not in result.output
    assert {e.title for e in feedparser.parse(proj.read("feed.xml")).entries} == {"Alpha"}


# the same instant (or one a person would type) in a spelling syndicate never writes: the catalog
# compares release times as text, so each is damage, never a release early, late or a traceback
SPELLINGS = ["2026-12-25T05:00:00-05:00", "2026-12-25T15:00:00+05:00", "2026-12-25 10:00:00",
             "2026-12-25T10:00:00", "2026-12-25T10:00:00Z", "2026-12-25 10:00:00+00:00",
             "2026-12-25T10:00+00:00"]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("column", ["at", "date"])
def test_a_time_in_another_spelling_is_damage_not_a_release_early_or_never(
        make_project, column, spelling):
    proj = make_project({"posts/a.md": post("Alpha", date="2026-10-01"),
                         "posts/qq.md": post("Queued", date="2026-10-05")})
    if column == "at":
        assert proj.run("queue", "posts/qq.md", "--at", "2026-12-25 10:00").exit_code == 0
        _sql(proj, "UPDATE releases SET at = ?", spelling)
    else:
        proj.write("posts/qq.md", post("Queued", date="2026-12-25 10:00"))
        assert proj.run("publish").exit_code == 0
        _sql(proj, "UPDATE items SET date = ? WHERE source = 'posts/qq.md'", spelling)
    for cmd, now in (("release-due", "2026-12-25T09:59:00+00:00"),
                     ("release-due", "2026-12-25T10:01:00+00:00"),
                     ("publish", "2026-12-25T09:59:00+00:00"), ("status", None),
                     ("run", None)):
        result = proj.run(cmd) if now is None else proj.run(cmd, now=now)
        assert result.exit_code == 1, (cmd, result.output)
        assert "the catalog holds a damaged value" in result.output, result.output
        assert "posts/qq.md" in result.output and "Traceback" not in result.output
    live = {e.title for e in feedparser.parse(proj.read("feed.xml")).entries} \
        if proj.public("feed.xml").exists() else set()
    assert "Queued" not in live


COLUMNS = ["kind", "guid", "slug", "source", "data", "date", "published_at", "changed_at",
           "draft", "missing", "sig", "content_hash", "first_seen", "error"]
VALUES = st.one_of(
    st.none(), st.integers(min_value=-2**63, max_value=2**63 - 1),
    st.floats(allow_nan=True), st.binary(max_size=20),
    st.text(max_size=30),
    st.sampled_from(["notadate", "", "{}", "[]", "null", '{"title": 1}', "9999-99-99",
                     "2026-13-01T00:00:00+00:00", "0000-01-01T00:00:00+00:00",
                     "2026-10-01\x00", "post", "episode", "x" * 5000]),
)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(column=st.sampled_from(COLUMNS), row=st.integers(min_value=1, max_value=3),
       value=VALUES)
def test_one_damaged_value_never_removes_a_live_entry(make_project_once, column, row, value):
    proj, template = make_project_once
    state = proj.root / ".syndicate"
    public = proj.root / "public"
    shutil.rmtree(state)
    shutil.rmtree(public)
    shutil.copytree(template / ".syndicate", state)
    shutil.copytree(template / "public", public)
    live = _entries(proj)
    try:
        _sql(proj, f"UPDATE items SET {column} = ? WHERE id = ?", value, row)
    except sqlite3.Error:
        return  # a constraint refused it: not a value the catalog can hold
    result = proj.run("publish")
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert live <= _entries(proj), (column, value, result.output)
    else:
        assert "catalog.db" in result.output, (column, value, result.output)
        assert _entries(proj) == live, (column, value, result.output)


@pytest.fixture
def make_project_once(make_project, tmp_path):
    proj = make_project({k: v for k, v in FILES.items() if k.startswith("posts/")})
    assert proj.run("publish").exit_code == 0
    template = tmp_path / "template"
    template.mkdir()
    shutil.copytree(proj.root / ".syndicate", template / ".syndicate")
    shutil.copytree(proj.root / "public", template / "public")
    return proj, template


def test_an_unreadable_schema_version_names_the_catalog(make_project):
    proj = make_project({"posts/a.md": post("Alpha", date="2026-10-01")})
    assert proj.run("publish").exit_code == 0
    before = proj.read("feed.xml")
    _sql(proj, "UPDATE meta SET value = 'abc' WHERE key = 'schema_version'")
    for cmd in ("publish", "status", "release-due"):
        result = proj.run(cmd)
        assert result.exit_code == 1, result.output
        assert "catalog.db: its schema version is unreadable ('abc')" in result.output, \
            result.output
    assert proj.read("feed.xml") == before
