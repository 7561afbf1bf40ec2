"""A catalog restored from a backup (as every catalog error advises) does not know what was
queued since: the publish generation the site records tells it so, and items the live site does
not show yet are held back until queued again, never released early."""

from __future__ import annotations

import json
import shutil
import sqlite3

import feedparser
import pytest

from conftest import BUCKET, post, s3_config, s3_keys, sidecar, tone

AT = "2026-12-15T09:00:00+00:00"


def _titles(proj) -> set[str]:
    return {e.title for e in feedparser.parse(proj.read("feed.xml")).entries}


def _manifest(client) -> dict:
    return json.loads(client.get_object(Bucket=BUCKET, Key="site/.syndicate/manifest.json")
                      ["Body"].read())


def _meta(proj, key: str) -> str | None:
    with sqlite3.connect(proj.root / ".syndicate/catalog.db") as db:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _restore(proj, backup) -> None:
    state = proj.root / ".syndicate"
    for name in ("catalog.db-wal", "catalog.db-shm"):
        (state / name).unlink(missing_ok=True)
    shutil.copy(backup, state / "catalog.db")


@pytest.mark.sqlite_file
def test_a_restored_catalog_holds_back_what_was_queued_since_the_backup(make_project, tmp_path):
    proj = make_project({"posts/old.md": post("Old news", date="2026-10-01")})
    assert proj.run("publish").exit_code == 0
    backup = tmp_path / "nightly.db"
    shutil.copy(proj.root / ".syndicate/catalog.db", backup)

    proj.write("posts/embargo.md", post("Embargoed", date="2026-10-20"))
    assert proj.run("queue", "posts/embargo.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    assert _titles(proj) == {"Old news"}
    state = json.loads(proj.read(".syndicate/state.json"))
    assert state["generation"] >= 2

    _restore(proj, backup)
    result = proj.run("publish")
    # exit 0: the publish did what is safe, and the hold is kept (and shown by status) until the
    # author queues the item again; a retry would exit 0 anyway
    assert result.exit_code == 0, result.output
    assert "the catalog is older than the published site (generation 1 < " in result.output
    assert "items not yet published are held until queued again" in result.output
    assert "posts/embargo.md: held back" in result.output
    assert _titles(proj) == {"Old news"}
    assert not proj.public("posts/embargo/index.html").exists()
    assert "draft" in next(line for line in proj.run("status").output.splitlines()
                           if "Embargoed" in line)

    # warned once: the catalog now knows the site's generation
    again = proj.run("publish")
    assert again.exit_code == 0 and "older than the published site" not in again.output
    assert _titles(proj) == {"Old news"}

    assert proj.run("queue", "posts/embargo.md", "--at", AT).exit_code == 0
    early = proj.run("release-due", now="2026-12-15T08:59:00+00:00")
    assert early.exit_code == 0 and _titles(proj) == {"Old news"}, early.output
    done = proj.run("release-due", now=AT)
    assert done.exit_code == 0 and "Released post 'Embargoed'" in done.output, done.output
    assert _titles(proj) == {"Old news", "Embargoed"}


def test_a_publish_that_changes_nothing_leaves_the_site_state_as_it_was(make_project):
    proj = make_project({"posts/a.md": post("A", date="2026-10-01")})
    assert proj.run("publish").exit_code == 0
    path = proj.public(".syndicate/state.json")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    assert proj.run("publish").exit_code == 0
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_the_site_state_is_never_an_output_nor_deleted(make_project):
    proj = make_project({"posts/a.md": post("A", date="2026-10-01"),
                         "posts/c.md": post("C", date="2026-10-03")})
    assert proj.run("publish").exit_code == 0
    (proj.root / "posts/a.md").unlink()
    proj.write("posts/b.md", post("B", date="2026-10-02"))
    assert proj.run("publish").exit_code == 0
    assert proj.public(".syndicate/state.json").is_file()
    assert ".syndicate" not in proj.read("feed.xml").decode()


def test_a_damaged_site_state_is_ignored_not_fatal(make_project):
    proj = make_project({"posts/a.md": post("A", date="2026-10-01")})
    assert proj.run("publish").exit_code == 0
    proj.public(".syndicate/state.json").write_bytes(b'{"generation": "x"\x00')
    proj.write("posts/b.md", post("B", date="2026-10-02"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    # unreadable is unknown: the site may be newer than the catalog, so what it does not show
    # yet waits to be queued (issue 12, N9); what it shows stays
    assert "records no publish generation" in result.output
    assert "posts/b.md: held back" in result.output
    assert _titles(proj) == {"A"}
    assert json.loads(proj.read(".syndicate/state.json"))["generation"] >= 1  # written again
    assert proj.run("queue", "posts/b.md", "--at", "now").exit_code == 0
    assert proj.run("publish").exit_code == 0
    assert _titles(proj) == {"A", "B"}
    assert json.loads(proj.read(".syndicate/state.json"))["generation"] >= 2


@pytest.mark.sqlite_file
def test_a_backup_from_before_a_queue_is_older_even_with_no_publish_since(make_project,
                                                                          tmp_path):
    proj = make_project({"posts/old.md": post("Old news", date="2026-10-01")})
    assert proj.run("publish").exit_code == 0
    proj.write("posts/embargo.md", post("Embargoed", date="2026-10-20"))
    assert proj.run("queue", "posts/embargo.md", "--at", AT).exit_code == 0
    backup = tmp_path / "nightly.db"
    shutil.copy(proj.root / ".syndicate/catalog.db", backup)  # knows the embargo
    assert proj.run("unqueue", "posts/embargo.md").exit_code == 0
    assert proj.run("queue", "posts/embargo.md", "--at", "2026-12-31 09:00").exit_code == 0
    _restore(proj, backup)  # the embargo moved later since; no publish in between

    result = proj.run("publish", now="2026-12-20T00:00:00+00:00")
    assert result.exit_code == 0, result.output
    assert "the catalog is older than the published site" in result.output
    assert _titles(proj) == {"Old news"}  # not released at the backup's (earlier) time


@pytest.mark.sqlite_file
def test_a_restored_catalog_on_s3_holds_back_what_was_queued_since(make_project, s3_endpoint,
                                                                    bucket, tmp_path):
    proj = make_project({"posts/old.md": post("Old news", date="2026-10-01")},
                        config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    backup = tmp_path / "nightly.db"
    shutil.copy(proj.root / ".syndicate/catalog.db", backup)
    proj.write("posts/embargo.md", post("Embargoed", date="2026-10-20"))
    assert proj.run("queue", "posts/embargo.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    state = _manifest(bucket)  # the manifest every publish reads carries the generation
    assert state["generation"] == 3 and state["catalog"] == _meta(proj, "catalog_id")
    assert "site/.syndicate/state.json" not in s3_keys(bucket)

    _restore(proj, backup)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "the catalog is older than the published site (generation 1 < 3)" in result.output
    feed = bucket.get_object(Bucket=BUCKET, Key="site/feed.xml")["Body"].read()
    assert {e.title for e in feedparser.parse(feed).entries} == {"Old news"}
    assert "site/posts/embargo/index.html" not in s3_keys(bucket)
    assert proj.run("publish").exit_code == 0  # the state object is never taken for a stray


def test_a_catalog_that_published_an_empty_site_is_not_taken_for_a_new_one(make_project):
    proj = make_project()
    assert proj.run("publish").exit_code == 0
    proj.write("posts/first.md", post("First", date="2026-10-01"))
    result = proj.run("publish")
    assert result.exit_code == 0 and "held back" not in result.output, result.output
    assert _titles(proj) == {"First"}


@pytest.mark.sqlite_file
def test_an_s3_site_of_the_previous_version_keeps_its_generation_in_state_json(
        make_project, s3_endpoint, bucket, tmp_path):
    """A site published before the generation moved into the manifest: its state.json is
    read (a restored catalog is still noticed), and the next publish carries it over."""
    proj = make_project({"posts/old.md": post("Old news", date="2026-10-01")},
                        config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    backup = tmp_path / "nightly.db"
    shutil.copy(proj.root / ".syndicate/catalog.db", backup)
    proj.write("posts/embargo.md", post("Embargoed", date="2026-10-20"))
    assert proj.run("queue", "posts/embargo.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    # as the previous version left it: no generation in the manifest, state.json beside it
    old = _manifest(bucket)
    state = {"generation": old.pop("generation"), "catalog": old.pop("catalog")}
    assert state["generation"] == 3
    bucket.put_object(Bucket=BUCKET, Key="site/.syndicate/manifest.json",
                      Body=json.dumps(old).encode())
    bucket.put_object(Bucket=BUCKET, Key="site/.syndicate/state.json",
                      Body=json.dumps(state).encode())

    _restore(proj, backup)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "the catalog is older than the published site (generation 1 < 3)" in result.output
    assert "site/posts/embargo/index.html" not in s3_keys(bucket)
    assert _manifest(bucket)["generation"] >= 3  # carried over: state.json is read no more
    assert "site/.syndicate/state.json" not in s3_keys(bucket)  # nor kept, stale
    bucket.put_object(Bucket=BUCKET, Key="site/.syndicate/state.json",
                      Body=json.dumps({"generation": 99, "catalog": "stale"}).encode())
    again = proj.run("publish")
    assert again.exit_code == 0 and "older than the published site" not in again.output
    assert "site/posts/embargo/index.html" not in s3_keys(bucket)  # still held


@pytest.mark.sqlite_file
def test_a_manifest_generation_of_the_wrong_type_is_a_damaged_manifest(
        make_project, s3_endpoint, bucket):
    proj = make_project({"posts/old.md": post("Old news", date="2026-10-01")},
                        config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    good = _manifest(bucket)
    for bad in ("3", -1, None, 2.5, [1], 10 ** 30, 2 ** 53 + 1):  # (huge: h25, by hand)
        damaged = {**good, "generation": bad} if bad is not None else {**good, "catalog": 7}
        bucket.put_object(Bucket=BUCKET, Key="site/.syndicate/manifest.json",
                          Body=json.dumps(damaged).encode())
        result = proj.run("publish")
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
        assert "rebuilt from the" in result.output and "deleted 0" in result.output
        fixed = _manifest(bucket)
        assert fixed["generation"] == _meta_gen(proj) and fixed["objects"] == good["objects"]


def _meta_gen(proj) -> int:
    return int(_meta(proj, "publish_generation"))


@pytest.mark.sqlite_file
def test_a_restored_catalog_keeps_what_was_released_since_the_backup(make_project, tmp_path):
    """h18 Y21: a post queued when the backup was made and released since (the live feeds show
    it) stays published: the restored queue time does not take it down; and a post made and
    released since, then renamed, is not taken off either (the catalog has no record of it)."""
    proj = make_project({"posts/old.md": post("Old news", date="2026-10-01"),
                         "posts/golf.md": post("Post Golf", date="2026-10-20")})
    assert proj.run("queue", "posts/golf.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    backup = tmp_path / "nightly.db"
    shutil.copy(proj.root / ".syndicate/catalog.db", backup)
    assert proj.run("queue", "posts/golf.md", "--at", "now").exit_code == 0
    proj.write("posts/2026-10-25-x.md", post("Post X", date="2026-10-25", body="x body words"))
    assert proj.run("publish").exit_code == 0
    assert _titles(proj) == {"Old news", "Post Golf", "Post X"}
    (proj.root / "posts/2026-10-25-x.md").rename(proj.root / "posts/2026-10-25-x-renamed.md")

    _restore(proj, backup)
    result = proj.run("publish")
    assert "Traceback" not in result.output
    assert "posts/golf.md: released since the catalog was saved" in result.output, result.output
    assert {"Old news", "Post Golf", "Post X"} <= _titles(proj)  # nothing live taken off
    assert proj.public("posts/golf/index.html").exists()
    status = proj.run("status").output
    assert "queued" not in next(line for line in status.splitlines() if "Post Golf" in line)
    again = proj.run("publish")
    assert "Traceback" not in again.output
    assert {"Old news", "Post Golf", "Post X"} <= _titles(proj)


def _guids(raw: bytes) -> dict[str, str]:
    return {e.title: e.id for e in feedparser.parse(raw).entries}


@pytest.mark.sqlite_file
def test_a_restored_catalog_takes_a_post_released_since_and_renamed_as_that_post(
        make_project, tmp_path):
    """h19 Z5: a post made and released since the backup, then renamed, was held as "not shown
    yet" and its live entry as another checkout's (exit 1 on every run, the advice doing
    nothing, --force giving it a new guid). It is the released post: same guid, exit 0."""
    proj = make_project({"posts/old.md": post("Old news", date="2026-10-01")})
    assert proj.run("publish").exit_code == 0
    backup = tmp_path / "nightly.db"
    shutil.copy(proj.root / ".syndicate/catalog.db", backup)
    proj.write("posts/2026-10-25-x.md", post("Post X", date="2026-10-25 10:00",
                                             body="x body words here"))
    assert proj.run("publish").exit_code == 0
    guid = _guids(proj.read("feed.xml"))["Post X"]
    (proj.root / "posts/2026-10-25-x.md").rename(proj.root / "posts/2026-10-25-x-renamed.md")

    _restore(proj, backup)
    for n in range(2):
        result = proj.run("publish")
        assert result.exit_code == 0, result.output
        assert ("it is that released item" in result.output) == (n == 0), result.output
        assert "does not show this post yet" not in result.output
        assert "no record of it" not in result.output
        assert _guids(proj.read("feed.xml"))["Post X"] == guid
        assert set(_guids(proj.read("feed.xml"))) == {"Post X", "Old news"}
    line = next(x for x in proj.run("status").output.splitlines() if "Post X" in x)
    assert "released" in line, line
    assert proj.public("posts/x-renamed/index.html").exists()
    assert "posts/x-renamed/" in proj.read("posts/x/index.html").decode()  # the old address
    forced = proj.run("publish", "--force")
    assert forced.exit_code == 0 and _guids(proj.read("feed.xml"))["Post X"] == guid


@pytest.mark.sqlite_file
def test_a_restored_catalog_takes_an_episode_released_since_and_renamed_as_that_episode(
        make_project, tmp_path):
    proj = make_project({"posts/old.md": post("Old news", date="2026-10-01")})
    assert proj.run("publish").exit_code == 0
    backup = tmp_path / "nightly.db"
    shutil.copy(proj.root / ".syndicate/catalog.db", backup)
    proj.write("episodes/009-extra.yaml", sidecar("Extra episode", date="2026-10-20 18:00"))
    proj.write("episodes/009-extra.mp3", tone(1.0))
    assert proj.run("publish").exit_code == 0
    guid = _guids(proj.read("podcast.xml"))["Extra episode"]
    for ext in ("yaml", "mp3"):
        (proj.root / f"episodes/009-extra.{ext}").rename(
            proj.root / f"episodes/010-extra-renamed.{ext}")

    _restore(proj, backup)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "no record of it" not in result.output
    assert _guids(proj.read("podcast.xml")) == {"Extra episode": guid}
    again = proj.run("publish")
    assert again.exit_code == 0 and _guids(proj.read("podcast.xml")) == {"Extra episode": guid}


@pytest.mark.sqlite_file
def test_a_restored_catalog_on_s3_takes_a_post_released_since_and_renamed(
        make_project, s3_endpoint, bucket, tmp_path):
    proj = make_project({"posts/old.md": post("Old news", date="2026-10-01")},
                        config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    backup = tmp_path / "nightly.db"
    shutil.copy(proj.root / ".syndicate/catalog.db", backup)
    proj.write("posts/2026-10-25-x.md", post("Post X", date="2026-10-25 10:00", body="x words"))
    assert proj.run("publish").exit_code == 0

    def feed() -> dict[str, str]:
        return _guids(bucket.get_object(Bucket=BUCKET, Key="site/feed.xml")["Body"].read())

    guid = feed()["Post X"]
    (proj.root / "posts/2026-10-25-x.md").rename(proj.root / "posts/2026-10-25-x-renamed.md")
    _restore(proj, backup)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert feed()["Post X"] == guid and len(feed()) == 2
    assert "site/posts/x-renamed/index.html" in s3_keys(bucket)
