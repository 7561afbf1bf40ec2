"""A catalog made again from the sources (deleted by hand, lost with a disk) gives renamed items
the guids their published feed entries carry, so no listener sees an old episode as new."""

from __future__ import annotations

import io
import json

import feedparser
import podcastparser
import pytest

from conftest import BUCKET, post, s3_config, s3_files, s3_keys, sidecar, tone


def _guids(proj) -> tuple[dict, dict]:
    blog = {e.title: e.id for e in feedparser.parse(proj.read("feed.xml")).entries}
    pod = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    return blog, {e["title"]: e["guid"] for e in pod["episodes"]}


@pytest.mark.sqlite_file
def test_a_rebuilt_catalog_keeps_the_guids_of_renamed_items(make_project):
    proj = make_project({"posts/first-name.md": post("Renamed later", date="2026-10-02"),
                         "posts/plain.md": post("Plain", date="2026-10-01"),
                         "posts/own.md": post("Own guid", date="2026-09-01", guid="urn:own:1"),
                         "episodes/ep.yaml": sidecar("Episode one"),
                         "episodes/ep.mp3": tone(1.0)})
    assert proj.run("publish").exit_code == 0
    # renamed, and their slugs with them: the guids stay those derived from the first names
    (proj.root / "posts/first-name.md").unlink()
    proj.write("posts/second-name.md", post("Renamed later", date="2026-10-02"))
    (proj.root / "episodes/ep.yaml").rename(proj.root / "episodes/pilot.yaml")
    (proj.root / "episodes/ep.mp3").rename(proj.root / "episodes/pilot.mp3")
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    assert len(before[0]) == 3 and len(before[1]) == 1

    for name in ("catalog.db", "catalog.db-wal", "catalog.db-shm"):
        (proj.root / ".syndicate" / name).unlink(missing_ok=True)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "4 new" in result.output
    assert _guids(proj) == before
    status = {o["source"]: o["guid"] for o in json.loads(proj.run("status", "--json").output)}
    assert status["posts/second-name.md"] == before[0]["Renamed later"]
    assert status["episodes/pilot.yaml"] == before[1]["Episode one"]


@pytest.mark.sqlite_file
def test_a_rebuilt_catalog_releases_nothing_that_was_queued(make_project):
    """The queue lived only in the lost catalog: what the site does not show yet is held."""
    proj = make_project({"posts/old.md": post("Old post", date="2026-10-01"),
                         "posts/queued.md": post("Queued post", date="2026-10-15",
                                                 body="Not yet."),
                         "episodes/ep.yaml": sidecar("Episode one"),
                         "episodes/ep.mp3": tone(1.0)})
    assert proj.run("queue", "posts/queued.md", "--at", "2026-12-01 10:00").exit_code == 0
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    assert list(before[0]) == ["Old post"]

    for name in ("catalog.db", "catalog.db-wal", "catalog.db-shm"):
        (proj.root / ".syndicate" / name).unlink(missing_ok=True)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "posts/queued.md: held back: the catalog is new" in result.output
    assert _guids(proj) == before  # nothing released early, the rest unchanged
    assert not proj.public("posts/queued/index.html").exists()
    state = {o["source"]: o["state"] for o in json.loads(proj.run("status", "--json").output)}
    assert state == {"posts/old.md": "released", "posts/queued.md": "draft",
                     "episodes/ep.yaml": "released"}
    again = proj.run("queue", "posts/queued.md", "--at", "2026-12-01 10:00")
    assert again.exit_code == 0, again.output
    assert "Released post 'Queued post'" in proj.run(
        "release-due", now="2026-12-01T10:00:00+00:00").output


@pytest.mark.sqlite_file
def test_a_rebuilt_catalog_on_s3_keeps_guids_and_the_embargo(make_project, s3_endpoint, bucket):
    files = {**s3_files(), "posts/first-name.md": post("Renamed later", date="2026-10-02"),
             "posts/queued.md": post("Queued post", date="2026-10-15", body="Not yet.")}
    proj = make_project(files, config=s3_config(s3_endpoint))
    assert proj.run("queue", "posts/queued.md", "--at", "2026-12-01 10:00").exit_code == 0
    assert proj.run("publish").exit_code == 0
    (proj.root / "posts/first-name.md").unlink()
    proj.write("posts/second-name.md", post("Renamed later", date="2026-10-02"))
    assert proj.run("publish").exit_code == 0

    def guids():
        def get(key):
            return bucket.get_object(Bucket=BUCKET, Key=f"site/{key}")["Body"].read()
        blog = {e.title: e.id for e in feedparser.parse(get("feed.xml")).entries}
        pod = podcastparser.parse("x", io.BytesIO(get("podcast.xml")))
        return blog, {e["title"]: e["guid"] for e in pod["episodes"]}

    before = guids()
    assert sorted(before[0]) == ["First post", "Renamed later"]
    for name in ("catalog.db", "catalog.db-wal", "catalog.db-shm"):
        (proj.root / ".syndicate" / name).unlink(missing_ok=True)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "posts/queued.md: held back: the catalog is new" in result.output
    assert guids() == before
    assert "site/posts/queued/index.html" not in s3_keys(bucket)
