"""Two checkouts of the same sources (two hosts: two folders here) sharing one catalog on
PostgreSQL and one S3 bucket (moto's server): the catalog knows each item by its content, so a
fresh checkout's first publish parses, encodes and uploads nothing, and no guid changes; an edit
published from one checkout is not rolled back by the other while its copy is behind, which it
says, naming the file; a post the other checkout never held stays live. All through the CLI,
with a real PostgreSQL (pgserver)."""

from __future__ import annotations

import io
import shutil

import feedparser
import podcastparser
import pytest

from conftest import BUCKET, Project, png_bytes, post, s3_config, s3_keys, sidecar, tone

EP = "episodes/001-tides.yaml"
POST = "posts/2026-09-01-first.md"


def _checkout(root, endpoint: str, pg_url: str) -> Project:
    proj = Project(root)
    root.mkdir()
    proj.write("config.yaml", s3_config(endpoint).rstrip("\n") + f"\ncatalog: {pg_url}\n")
    proj.write("cover.png", png_bytes())
    proj.write(POST, post("First", date="2026-09-01", body="The river is grey."))
    proj.write("posts/2026-09-02-second.md", post("Second", date="2026-09-02", body="Reeds."))
    proj.write(EP, sidecar("Tides", date="2026-09-03 08:00"))
    proj.write("episodes/001-tides.mp3", tone(2.0, freq=330))
    return proj


def _clone(a: Project, root) -> Project:
    """A fresh checkout of ``a``'s sources: copies of its files, none of its state."""
    shutil.copytree(a.root, root, ignore=shutil.ignore_patterns(".syndicate"))
    return Project(root)


def _live(client) -> dict[str, dict[str, str]]:
    """Title -> guid of the blog's and the podcast's feeds in the bucket, as readers see them;
    and the podcast episode's description."""
    def body(key):
        return client.get_object(Bucket=BUCKET, Key=f"site/{key}")["Body"].read()

    blog = {e.title: e.id for e in feedparser.parse(body("feed.xml")).entries}
    show = podcastparser.parse("https://example.test/podcast.xml", io.BytesIO(body("podcast.xml")))
    return {"blog": blog, "podcast": {e["title"]: e["guid"] for e in show["episodes"]},
            "bodies": {e.title: e.summary for e in feedparser.parse(body("feed.xml")).entries}}


@pytest.fixture
def pair(tmp_path, bucket, s3_endpoint, pg_url):
    a = _checkout(tmp_path / "a", s3_endpoint, pg_url)
    first = a.run("publish")
    assert first.exit_code == 0, first.output
    assert list((a.root / ".syndicate" / "media").glob("*.mp3"))  # the episode was encoded
    return a, _clone(a, tmp_path / "b"), bucket


def test_a_fresh_checkout_parses_encodes_and_uploads_nothing_and_no_guid_changes(pair):
    a, b, client = pair
    keys, live = s3_keys(client), _live(client)
    result = b.run("publish")
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated, 3 unchanged" in result.output, result.output
    assert "wrote 0 files" in result.output, result.output
    assert not list((b.root / ".syndicate").glob("media/*"))  # nothing encoded here
    assert s3_keys(client) == keys  # no object written, none deleted
    assert _live(client) == live
    back = a.run("publish")  # and the first checkout sees nothing changed either
    assert back.exit_code == 0 and "0 new, 0 updated, 3 unchanged" in back.output, back.output
    assert "wrote 0 files" in back.output and s3_keys(client) == keys


def test_an_edit_from_one_checkout_is_not_rolled_back_by_the_other_behind_it(pair):
    a, b, client = pair
    assert b.run("publish").exit_code == 0
    a.write(POST, post("First", date="2026-09-01", body="The river is green today."))
    a.write(EP, sidecar("Tides (remastered)", date="2026-09-03 08:00"))
    edited = a.run("publish")
    assert edited.exit_code == 0 and "2 updated" in edited.output, edited.output
    live, keys = _live(client), s3_keys(client)
    assert "green" in live["bodies"]["First"] and "Tides (remastered)" in live["podcast"]

    for _ in range(2):  # not once: on every run while its copy is behind
        stale = b.run("publish")
        assert stale.exit_code == 1, stale.output
        for name in (POST, EP):
            assert f"{name}: this checkout's copy is an earlier version" in stale.output
        assert "not rolled back" in stale.output and "git pull" in stale.output
        assert "Traceback" not in stale.output
        assert "wrote 0 files" in stale.output, stale.output
        assert _live(client) == live and s3_keys(client) == keys

    for name in (POST, EP):  # brought up to date: nothing to do, nothing said
        shutil.copy2(a.root / name, b.root / name)
    pulled = b.run("publish")
    assert pulled.exit_code == 0 and "wrote 0 files" in pulled.output, pulled.output
    assert "3 unchanged" in pulled.output and s3_keys(client) == keys


def test_an_earlier_text_written_back_here_is_this_checkouts_edit_and_goes_out(pair):
    _a, b, client = pair
    before = _live(client)
    b.write(POST, post("First", date="2026-09-01", body="An edit made here."))
    assert b.run("publish").exit_code == 0
    assert "edit made here" in _live(client)["bodies"]["First"]
    b.write(POST, post("First", date="2026-09-01", body="The river is grey."))  # undone
    undone = b.run("publish")
    assert undone.exit_code == 0 and "1 updated" in undone.output, undone.output
    assert _live(client)["bodies"] == before["bodies"]
    assert _live(client)["blog"] == before["blog"]  # the same guids throughout


def test_force_publishes_the_copy_behind_over_the_later_one(pair):
    a, b, client = pair
    assert b.run("publish").exit_code == 0
    a.write(POST, post("First", date="2026-09-01", body="The river is green today."))
    assert a.run("publish").exit_code == 0
    forced = b.run("publish", "--force")
    assert forced.exit_code == 0, forced.output
    assert "grey" in _live(client)["bodies"]["First"]


def test_a_post_the_other_checkout_never_held_stays_live_and_one_deleted_here_goes(pair):
    a, b, client = pair
    assert b.run("publish").exit_code == 0
    a.write("posts/2026-09-04-news.md", post("News from A", date="2026-09-04", body="New."))
    assert a.run("publish").exit_code == 0
    live = _live(client)
    assert "News from A" in live["blog"]
    kept = b.run("publish")
    assert kept.exit_code == 1, kept.output
    assert ("posts/2026-09-04-news.md: this post was published from another checkout sharing "
            "the catalog, and its file is not in this one") in kept.output
    assert _live(client) == live
    (b.root / "posts/2026-09-02-second.md").unlink()  # deleted here: it goes
    gone = b.run("publish")
    assert "Second" not in _live(client)["blog"], gone.output
    assert "News from A" in _live(client)["blog"]
    removed = b.run("publish", "--remove", "posts/2026-09-04-news.md")
    assert removed.exit_code == 0, removed.output
    assert "News from A" not in _live(client)["blog"]


def test_a_deletion_from_one_checkout_is_not_undone_by_the_other_behind_it(pair):
    a, b, client = pair
    assert b.run("publish").exit_code == 0
    (a.root / "posts/2026-09-02-second.md").unlink()
    deleted = a.run("publish")
    assert deleted.exit_code == 0, deleted.output
    live, keys = _live(client), s3_keys(client)
    assert "Second" not in live["blog"]
    for _ in range(2):  # b still holds the file, unchanged since it last read it
        stale = b.run("publish")
        assert "Traceback" not in stale.output
        assert _live(client) == live and s3_keys(client) == keys, stale.output
        assert stale.exit_code == 1, stale.output
        assert "posts/2026-09-02-second.md: " in stale.output and "git pull" in stale.output
    (b.root / "posts/2026-09-02-second.md").unlink()  # brought up to date: nothing to do
    pulled = b.run("publish")
    assert pulled.exit_code == 0 and "wrote 0 files" in pulled.output, pulled.output


def test_a_rename_from_one_checkout_is_not_undone_by_the_other_behind_it(pair):
    a, b, client = pair
    assert b.run("publish").exit_code == 0
    before = _live(client)
    (a.root / POST).rename(a.root / "posts/2026-09-01-first-renamed.md")
    renamed = a.run("publish")
    assert renamed.exit_code == 0, renamed.output
    live, keys = _live(client), s3_keys(client)
    assert live["blog"] == before["blog"]  # the same guid
    for _ in range(2):
        stale = b.run("publish")
        assert "Traceback" not in stale.output
        assert _live(client) == live and s3_keys(client) == keys, stale.output
        assert stale.exit_code == 1, stale.output
        assert f"{POST}: " in stale.output and "git pull" in stale.output
    (b.root / POST).rename(b.root / "posts/2026-09-01-first-renamed.md")
    pulled = b.run("publish")
    assert pulled.exit_code == 0 and "wrote 0 files" in pulled.output, pulled.output
    assert _live(client) == live


def test_a_post_or_episode_taken_down_here_and_put_back_here_comes_back(pair):
    a, _b, client = pair
    before = _live(client)
    saved = {n: (a.root / n).read_bytes() for n in ("posts/2026-09-02-second.md", EP)}
    for name in saved:
        (a.root / name).unlink()
    down = a.run("publish", "--force")
    assert down.exit_code == 0, down.output
    assert "Second" not in _live(client)["blog"] and "Tides" not in _live(client)["podcast"]
    for name, data in saved.items():  # put back in the checkout that took them down
        (a.root / name).write_bytes(data)
    back = a.run("publish")
    assert back.exit_code == 0, back.output
    assert _live(client)["blog"] == before["blog"]  # the same guids
    assert _live(client)["podcast"] == before["podcast"]


def test_an_episode_taken_down_by_one_checkout_is_not_put_back_by_the_other(pair):
    a, b, client = pair
    assert b.run("publish").exit_code == 0
    (a.root / EP).unlink()
    assert a.run("publish", "--force").exit_code == 0
    live = _live(client)
    assert "Tides" not in live["podcast"]
    stale = b.run("publish")
    assert stale.exit_code == 1, stale.output
    assert f"{EP}: another checkout took this episode down" in stale.output, stale.output
    assert _live(client) == live
    forced = b.run("publish", "--force")  # meant: it goes back up
    assert forced.exit_code == 0 and "Tides" in _live(client)["podcast"], forced.output


def test_an_episode_renamed_by_one_checkout_is_not_published_twice_by_the_other(pair):
    a, b, client = pair
    assert b.run("publish").exit_code == 0
    before = _live(client)
    for suffix in (".yaml", ".mp3"):  # the sidecar and its audio renamed together
        (a.root / EP).with_suffix(suffix).rename(
            (a.root / "episodes/001-tides-renamed.yaml").with_suffix(suffix))
    a.write("episodes/001-tides-renamed.yaml", (a.root / "episodes/001-tides-renamed.yaml")
            .read_text().replace("001-tides.mp3", "001-tides-renamed.mp3"))
    renamed = a.run("publish")
    assert renamed.exit_code == 0, renamed.output
    live, keys = _live(client), s3_keys(client)
    assert live["podcast"] == before["podcast"]  # one Tides, the same guid
    stale = b.run("publish")
    assert stale.exit_code == 1, stale.output
    assert f"{EP}: another checkout renamed this episode" in stale.output, stale.output
    assert _live(client) == live and s3_keys(client) == keys


def test_a_post_taken_down_by_one_checkout_stays_down_when_the_other_renames_its_copy(pair):
    a, b, client = pair
    assert b.run("publish").exit_code == 0
    (a.root / "posts/2026-09-02-second.md").unlink()
    assert a.run("publish").exit_code == 0
    live, keys = _live(client), s3_keys(client)
    assert "Second" not in live["blog"]
    (b.root / "posts/2026-09-02-second.md").rename(b.root / "posts/2026-09-02-second-b.md")
    stale = b.run("publish")
    assert stale.exit_code == 1, stale.output
    assert "posts/2026-09-02-second-b.md: another checkout took this post down" in stale.output
    assert _live(client) == live and s3_keys(client) == keys


def test_a_post_renamed_two_ways_by_two_checkouts_stays_published_once(pair):
    a, b, client = pair
    assert b.run("publish").exit_code == 0
    before = _live(client)
    (a.root / POST).rename(a.root / "posts/2026-09-01-first-by-a.md")
    assert a.run("publish").exit_code == 0
    live, keys = _live(client), s3_keys(client)
    assert live["blog"] == before["blog"]
    (b.root / POST).rename(b.root / "posts/2026-09-01-first-by-b.md")
    both = b.run("publish")
    assert both.exit_code == 1, both.output
    assert ("posts/2026-09-01-first-by-b.md: another checkout renamed this post to "
            "posts/2026-09-01-first-by-a.md") in both.output, both.output
    assert _live(client) == live and s3_keys(client) == keys  # one First, its guid
