"""Publish-side guards: what is live is never lost or contradicted by a failed input, a
mass removal, or a file syndicate did not publish (F3, F5, F1b/F6b/F14)."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
from pathlib import Path

import feedparser
import lxml.html
import podcastparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Project, png_bytes, post, sidecar, tone


def live_files(proj) -> dict[str, bytes]:
    """The site's files (its own bookkeeping under .syndicate/ left out)."""
    root = proj.root / "public"
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not str(p.relative_to(root)).startswith(".syndicate/")}


def pod_episodes(proj) -> list[dict]:
    raw = proj.read("podcast.xml")
    return podcastparser.parse("https://example.test/podcast.xml", io.BytesIO(raw))["episodes"]


def assert_enclosures_live(proj) -> None:
    for ep in pod_episodes(proj):
        for enc in ep["enclosures"]:
            key = enc["url"].removeprefix("https://example.test/")
            assert os.path.getsize(proj.public(key)) == enc["file_size"], key


# -- F3: a broken show cover ------------------------------------------------------------------

def test_broken_cover_keeps_episode_media_pages_and_feed(make_project):
    proj = make_project({"episodes/001-one.mp3": tone(1.0),
                         "episodes/001-one.yaml": sidecar("One", "2026-10-01 08:00")})
    assert proj.run("publish").exit_code == 0
    before = live_files(proj)
    good_cover = proj.root.joinpath("cover.png").read_bytes()
    # a new episode arrives while the cover is broken, then while it is missing
    proj.write("episodes/002-two.mp3", tone(1.0, freq=660))
    proj.write("episodes/002-two.yaml", sidecar("Two", "2026-10-02 08:00"))
    for breakage in ("not a png", None):
        if breakage is None:
            proj.root.joinpath("cover.png").unlink()
        else:
            proj.write("cover.png", breakage)
        res = proj.run("publish")
        assert res.exit_code == 1, res.output
        assert "cover.png" in res.output and "episodes/002-two.yaml" in res.output
        assert "Traceback" not in res.output
        # nothing new: no cover-less re-tag, no page pointing at one, feed unchanged
        assert live_files(proj) == before
    proj.write("cover.png", good_cover)
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    titles = sorted(e["title"] for e in pod_episodes(proj))
    assert titles == ["One", "Two"]
    assert_enclosures_live(proj)
    # the first episode's page plays the MP3 it played before (it gained a link to the next)
    def played(page: bytes) -> list[str]:
        return lxml.html.document_fromstring(page).xpath("//audio/@src")

    assert played(proj.read("episodes/001-one/index.html")) == \
        played(before["episodes/001-one/index.html"])
    media = sorted(k for k in live_files(proj) if k.startswith("media/"))
    assert len(media) == 2, media  # the first episode's MP3 is the one published first
    assert next(k for k in before if k.startswith("media/")) in media
    page2 = proj.read("episodes/002-two/index.html").decode()
    assert next(k for k in media if k.startswith("media/002-two-")) in page2


# -- F5: the local folder never overwrites a file syndicate did not publish -------------------

def test_local_target_refuses_files_it_did_not_publish(make_project):
    proj = make_project({"posts/a.md": post("A"), "episodes/001-one.mp3": tone(1.0),
                         "episodes/001-one.yaml": sidecar("One")})
    proj.write("public/index.html", "MY OWN HOMEPAGE\n")
    proj.write("public/posts/a/index.html", "MY HAND PAGE\n")
    proj.write("public/feed.xml",
               "<rss><channel><link>https://elsewhere.test/</link></channel></rss>")
    res = proj.run("publish")
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, res.output
    assert "refusing to overwrite 3 file(s)" in lines[0] and "feed.xml" in lines[0]
    assert "index.html" in lines[0] and "posts/a/index.html" in lines[0]
    assert "--overwrite" in lines[0] and "Traceback" not in res.output
    assert "safe" not in lines[0]  # no promise that an override loses nothing
    # nothing at all was written: the hand-made files are as they were
    assert set(live_files(proj)) == {"index.html", "posts/a/index.html", "feed.xml"}
    assert proj.read("index.html") == b"MY OWN HOMEPAGE\n"
    assert proj.read("posts/a/index.html") == b"MY HAND PAGE\n"
    # moved away: the site publishes, and re-publishes without a word
    (proj.root / "public/feed.xml").unlink()
    (proj.root / "public/index.html").unlink()
    (proj.root / "public/posts/a/index.html").unlink()
    assert proj.run("publish").exit_code == 0
    assert [e.title for e in feedparser.parse(proj.read("feed.xml")).entries] == ["A"]
    assert_enclosures_live(proj)
    again = proj.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output


def test_new_catalog_adopts_identical_files_and_refuses_changed_ones(make_project):
    proj = make_project({"posts/a.md": post("A"), "posts/b.md": post("B", "2026-10-02")})
    assert proj.run("publish").exit_code == 0
    before = live_files(proj)
    for f in (proj.root / ".syndicate").glob("catalog.db*"):
        f.unlink()
    # a catalog made anew over the published folder takes back what it would write anyway
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert "wrote 0 files" in res.output
    assert live_files(proj) == before
    # the folder's .syndicate/state.json names this site: a page edited by hand is restored
    for f in (proj.root / ".syndicate").glob("catalog.db*"):
        f.unlink()
    proj.write("public/posts/b/index.html", "EDITED BY HAND\n")
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert live_files(proj) == before
    # but in a folder that does not say whose it is, a file edited by hand is refused...
    for f in (proj.root / ".syndicate").glob("catalog.db*"):
        f.unlink()
    shutil.rmtree(proj.root / "public/.syndicate")
    proj.write("public/posts/b/index.html", "EDITED BY HAND\n")
    res = proj.run("publish")
    assert res.exit_code == 1
    assert "refusing to overwrite 1 file(s)" in res.output
    assert "posts/b/index.html" in res.output
    assert proj.read("posts/b/index.html") == b"EDITED BY HAND\n"
    assert proj.read("feed.xml") == before["feed.xml"]
    # ...until --overwrite says to overwrite it
    res = proj.run("publish", "--overwrite")
    assert res.exit_code == 0, res.output
    assert live_files(proj) == before


# -- F14, F1b, F6b: the live feeds are never emptied or cut down in bulk without --force ------

def feed_titles(proj, key: str = "feed.xml") -> list[str]:
    return sorted(e.title for e in feedparser.parse(proj.read(key)).entries)


def test_posts_path_pointed_at_an_empty_folder_keeps_the_feeds(make_project):
    proj = make_project({f"posts/p{i}.md": post(f"P{i}", f"2026-10-0{i + 1}") for i in range(3)})
    assert proj.run("publish").exit_code == 0
    before = live_files(proj)
    (proj.root / "drafts").mkdir()
    proj.write("config.yaml", BASE_CONFIG + "paths:\n  posts: drafts\n")
    for _ in range(2):  # held, and held again on the next run
        res = proj.run("publish")
        assert res.exit_code == 1, res.output
        errors = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
        assert len(errors) == 1, res.output
        assert "feed.xml" in errors[0] and "3 entries" in errors[0]
        assert "drafts/" in errors[0] and "--force" in errors[0]
        assert live_files(proj) == before
        assert feed_titles(proj) == ["P0", "P1", "P2"]
        assert feed_titles(proj, "atom.xml") == ["P0", "P1", "P2"]
    res = proj.run("publish", "--force")  # the removal is meant
    assert res.exit_code == 0, res.output
    assert feed_titles(proj) == []
    assert not proj.public("posts/p0/index.html").exists()


def test_lost_catalog_and_missing_sources_keep_the_live_entries(make_project):
    config = BASE_CONFIG + "max_deletes: 2\nblog:\n  feed_items: 5\n"
    proj = make_project({f"posts/p{i}.md": post(f"P{i}", f"2026-10-0{i + 1}") for i in range(6)},
                        config=config)
    assert proj.run("publish").exit_code == 0
    assert feed_titles(proj) == ["P1", "P2", "P3", "P4", "P5"]
    before = live_files(proj)
    for f in (proj.root / ".syndicate").glob("catalog.db*"):
        f.unlink()
    for i in (3, 4, 5):  # e.g. a checkout of an older branch
        (proj.root / f"posts/p{i}.md").unlink()
    res = proj.run("publish")
    assert res.exit_code == 1, res.output
    assert "would remove 3 entries" in res.output and "--force" in res.output
    assert "Traceback" not in res.output
    assert live_files(proj) == before
    assert feed_titles(proj) == ["P1", "P2", "P3", "P4", "P5"]


def test_few_entries_removed_on_purpose_still_publish(make_project):
    config = BASE_CONFIG + "blog:\n  feed_items: 2\n"
    proj = make_project({f"posts/p{i}.md": post(f"P{i}", f"2026-10-0{i + 1}") for i in range(4)},
                        config=config)
    assert proj.run("publish").exit_code == 0
    assert feed_titles(proj) == ["P2", "P3"]
    (proj.root / "posts/p3.md").unlink()  # one post taken down: P1 moves up, nothing held
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert feed_titles(proj) == ["P1", "P2"]
    proj.write("posts/p9.md", post("P9", "2026-10-20"))  # a new post pushes P1 out: no removal
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert feed_titles(proj) == ["P2", "P9"]


def test_another_checkout_adopting_an_s3_site_keeps_its_feeds(make_project, s3_endpoint, bucket,
                                                             tmp_path):
    from conftest import BUCKET, s3_config, s3_keys

    config = s3_config(s3_endpoint) + "max_deletes: 2\n"
    site = make_project({f"posts/p{i}.md": post(f"P{i}", f"2026-10-0{i + 1}") for i in range(4)},
                        config=config)
    assert site.run("publish").exit_code == 0
    before = s3_keys(bucket)

    def body(key: str) -> bytes:
        return bucket.get_object(Bucket=BUCKET, Key=f"site/{key}")["Body"].read()

    feed = body("feed.xml")
    # a second checkout (a staging copy, say) of fewer posts, pointed at the same place
    other = Project(tmp_path / "other")
    other.write("config.yaml", config)
    other.write("cover.png", png_bytes())
    other.write("posts/x.md", post("X", "2026-10-09"))
    (other.root / "episodes").mkdir()
    res = other.run("publish")
    assert res.exit_code == 1, res.output
    assert "would remove 4 entries" in res.output and "--force" in res.output
    assert "Traceback" not in res.output
    assert body("feed.xml") == feed
    assert sorted(e.title for e in feedparser.parse(feed).entries) == ["P0", "P1", "P2", "P3"]
    after = s3_keys(bucket)
    assert all(after.get(k) == etag for k, etag in before.items() if not k.endswith(".json")), \
        "a live object was changed or deleted"


# -- the live feed is outside input: whatever it holds, one clear answer -----------------------

_XML_BITS = st.sampled_from([
    "<rss><channel>", "</channel></rss>", "<item>", "</item>", "<guid>", "</guid>",
    "<title>", "</title>", "<link>https://example.test/posts/x/</link>", "<entry><id>",
    "</id></entry>", "<feed xmlns='http://www.w3.org/2005/Atom'>", "\x00", "\x1b", "&#0;",
    "<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'>]>", "&a;", "<?xml version='1.0' encoding='utf-16'?>",
    "urn:uuid:", "\udcff", "é", "<" * 50, "9" * 400,
])
_HOSTILE = st.one_of(
    st.binary(max_size=2000),
    st.lists(_XML_BITS | st.text(max_size=20), max_size=60).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogateescape")),
    st.integers(1, 3000).map(lambda n: b"<rss><channel>" + b"<item>" * n),
)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=_HOSTILE, which=st.sampled_from(["feed.xml", "atom.xml", "podcast.xml"]))
def test_hostile_live_feed_gives_success_or_one_clear_error(raw, which):
    with tempfile.TemporaryDirectory() as tmp:
        proj = Project(Path(tmp) / "proj")
        proj.root.mkdir()
        proj.write("config.yaml", BASE_CONFIG)
        proj.write("cover.png", png_bytes())
        proj.write("posts/a.md", post("A"))
        (proj.root / "episodes").mkdir()
        proj.write(f"public/{which}", raw)
        started = time.monotonic()
        res = proj.run("publish")
        assert time.monotonic() - started < 30
        assert res.exit_code in (0, 1), res.output
        assert "Traceback" not in res.output
        errors = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
        if res.exit_code == 1:
            assert len(errors) == 1 and which in errors[0], res.output
            assert "--overwrite" in errors[0] or "--force" in errors[0]
            assert proj.read(which) == raw  # what was there is left alone
        else:
            assert not errors
            feed = feedparser.parse(proj.read("feed.xml"))
            assert feed.feed.get("title") == "Test Site"
            # a catalog made anew over a site holds back what that site does not show yet
            assert [e.title for e in feed.entries] == ["A"] or "held back" in res.output
