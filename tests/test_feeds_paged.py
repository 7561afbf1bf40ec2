"""RFC 5005 paged podcast feeds (``podcast.feed_items``): every page read by feedparser and
podcastparser, following the links from the main feed, gives every episode once; archive pages
are stable, so a new episode rewrites only the main feed and the newest archive page; the guard
on live feeds takes paging for what it is; a feed grown too big is published with a warning."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import feedparser
import podcastparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import BASE_CONFIG, NOW_DT, Project, bare_project, post, sidecar
from syndicate.config import load_config
from syndicate.mediatypes import cache_policy
from syndicate.publish import publish
from syndicate.render.paging import FH, archive_key

SITE = "https://example.test/"


def paged_config(n: int | None, extra: str = "") -> str:
    cfg = BASE_CONFIG.replace("  explicit: false\n",
                              "  explicit: false\n" + (f"  feed_items: {n}\n" if n else ""))
    return cfg + extra


def add_episode(root: Path, i: int) -> None:
    """An episode whose audio stays at its URL: nothing to encode, a known guid-free answer."""
    day = f"2026-{1 + i // 28:02d}-{1 + i % 28:02d} 08:00"
    (root / "episodes" / f"ep{i:03d}.yaml").write_text(
        sidecar(f"Episode {i}", day, audio_url=f"https://media.example.test/ep{i}.mp3",
                audio_length=1000 + i, duration=60 + i), encoding="utf-8")


def run(root: Path, *args: str):
    return Project(root).run(*args)


def written(root: Path) -> set[str]:
    result = run(root, "publish", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ok"], doc["errors"]
    return set(doc["written"])


def read_pages(root: Path) -> list[tuple[str, bytes]]:
    """(key, bytes) of the main podcast feed and every page its links lead to, in link order,
    following podcastparser's reading of rel="next" (the way an app pages back)."""
    out, url, seen = [], SITE + "podcast.xml", set()
    while url:
        assert url.startswith(SITE) and url not in seen, url  # no loop, nothing off-site
        seen.add(url)
        key = url.removeprefix(SITE)
        raw = (root / "public" / key).read_bytes()
        out.append((key, raw))
        parsed = podcastparser.parse(url, io.BytesIO(raw))
        url = parsed.get("paged_feed_next")
    return out


def check_paged_site(root: Path, n: int | None, count: int) -> None:
    pages = read_pages(root)
    titles: list[str] = []
    for number, (key, raw) in enumerate(pages):
        fp = feedparser.parse(raw)
        assert not fp.bozo, (key, fp.get("bozo_exception"))
        pp = podcastparser.parse(SITE + key, io.BytesIO(raw))
        assert [e.title for e in fp.entries] == [e["title"] for e in pp["episodes"]]
        assert all(e["enclosures"] for e in pp["episodes"])  # each episode keeps its audio
        titles += [e.title for e in fp.entries]
        channel = etree.fromstring(raw).find("channel")
        archived = channel.find(f"{{{FH}}}archive") is not None
        assert archived == (number > 0), key  # fh:archive on archive pages only
        if n is not None:
            assert len(fp.entries) <= n
    # the union of the pages is every episode, each once
    assert sorted(titles) == sorted(f"Episode {i}" for i in range(count))
    assert len(titles) == len(set(titles))
    expected_pages = 0 if n is None or count <= n else -(-(count - n) // n)
    assert len(pages) == 1 + expected_pages
    on_disk = sorted(p.name for p in (root / "public").glob("podcast-archive-*.xml"))
    assert on_disk == sorted(archive_key("podcast.xml", k) for k in range(1, expected_pages + 1))
    # the main feed holds the newest; pages run from newest to oldest
    first = feedparser.parse(pages[0][1]).entries
    assert [e.title for e in first] == [f"Episode {i}" for i in
                                        range(count - 1, count - 1 - len(first), -1)]
    assert len(first) == (count if n is None else min(n, count))


@settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.one_of(st.none(), st.integers(1, 5)), count=st.integers(0, 13))
def test_every_page_read_gives_every_episode_once(n, count):
    with tempfile.TemporaryDirectory() as tmp:
        root = bare_project(tmp)
        (root / "config.yaml").write_text(paged_config(n), encoding="utf-8")
        for i in range(count):
            add_episode(root, i)
        written(root)
        check_paged_site(root, n, count)


def test_new_episode_rewrites_only_the_main_feed_and_the_newest_archive_page(tmp_path):
    root = bare_project(tmp_path)
    (root / "config.yaml").write_text(paged_config(2), encoding="utf-8")
    for i in range(5):  # main: 4 3; pages: [1 0] [2]
        add_episode(root, i)
    first = written(root)
    assert {"podcast.xml", "podcast-archive-1.xml", "podcast-archive-2.xml"} <= first
    old_page = (root / "public" / "podcast-archive-1.xml").read_bytes()

    add_episode(root, 5)  # main: 5 4; pages: [1 0] [3 2]
    feeds = {k for k in written(root) if k.startswith("podcast")}
    assert feeds == {"podcast.xml", "podcast-archive-2.xml", "podcast.json",
                     "podcast-archive-2.json"}
    assert (root / "public" / "podcast-archive-1.xml").read_bytes() == old_page
    check_paged_site(root, 2, 6)

    add_episode(root, 6)  # main: 6 5; pages: [1 0] [3 2] [4]: page 2, now full, stays
    result = publish(load_config(root / "config.yaml"), now=NOW_DT)
    assert not result.errors
    feeds = {w.output.key for w in result.plan.writes if w.output.key.startswith("podcast")}
    assert feeds == {"podcast.xml", "podcast-archive-3.xml", "podcast.json",
                     "podcast-archive-3.json"}
    served = {row["key"]: row["cache_control"] for row in result.plan.manifest}
    # full pages are kept long; the newest page (still filling) and the main feed change
    assert served["podcast-archive-1.xml"] == cache_policy("archive")
    assert served["podcast-archive-2.xml"] == cache_policy("archive")
    assert served["podcast-archive-3.xml"] == cache_policy("feed")
    assert served["podcast-archive-1.json"] == cache_policy("archive")
    assert served["podcast-archive-3.json"] == cache_policy("feed")
    assert served["podcast.xml"] == cache_policy("feed")
    assert cache_policy("archive") != cache_policy("feed")
    check_paged_site(root, 2, 7)


def test_turning_paging_on_and_off_is_not_held_as_a_loss(tmp_path):
    """Entries moved to archive pages are still published: the guard does not hold the feed;
    archive pages no longer made go without the 'live feed no longer made' hold."""
    root = bare_project(tmp_path)
    for i in range(6):
        add_episode(root, i)
    written(root)
    (root / "config.yaml").write_text(paged_config(2), encoding="utf-8")
    result = run(root, "publish", "--json")  # h25 B10: said, naming what Apple's readers lose
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert "podcast-archive-2.xml" in doc["written"]
    said = [w for w in doc["warnings"] if "podcast.feed_items" in w]
    assert len(said) == 1 and "4 episode(s)" in said[0] and "Apple Podcasts" in said[0], said
    check_paged_site(root, 2, 6)
    again = json.loads(run(root, "publish", "--json").stdout)  # once: not repeated (h26 C5)
    assert not again["written"] and not [w for w in again["warnings"]
                                         if "podcast.feed_items" in w]
    add_episode(root, 6)  # said when the size changes, not at each episode paged out
    again = json.loads(run(root, "publish", "--json").stdout)
    assert again["written"] and not [w for w in again["warnings"] if "podcast.feed_items" in w]
    for size, moved in ((5, 0), (2, 1)):  # 2 full pages stay: the main feed holds 3, then 2
        (root / "config.yaml").write_text(paged_config(size), encoding="utf-8")
        doc = json.loads(run(root, "publish", "--json").stdout)
        said = [w for w in doc["warnings"] if "podcast.feed_items" in w]
        assert said == ([] if not moved else [said[0]]) and (
            not moved or f"{moved} episode(s)" in said[0]), said
    (root / "config.yaml").write_text(paged_config(None), encoding="utf-8")
    written(root)
    assert not list((root / "public").glob("podcast-archive-*.xml"))
    check_paged_site(root, None, 7)


def test_a_feed_over_the_size_apps_handle_is_published_with_a_warning(tmp_path):
    root = bare_project(tmp_path)
    para = "A long paragraph of words that a feed carries in full. " * 40 + "\n\n"
    for i in range(20):  # each body about 220 KB: the RSS feed (body and summary) over 4 MB
        (root / "posts" / f"p{i:02d}.md").write_text(
            post(f"Post {i}", f"2026-10-{1 + i:02d}", body=para * 100), encoding="utf-8")
    result = run(root, "publish")
    assert result.exit_code == 0, result.output
    assert (root / "public" / "feed.xml").stat().st_size > 4_000_000
    assert "feed.xml:" in result.output and "MB" in result.output
    assert "feed_items" in result.output  # what to do about it
    assert "Traceback" not in result.output


def blog_chain(root: Path, key: str) -> list[tuple[str, feedparser.FeedParserDict]]:
    """The blog feed at ``key`` and the pages its rel="next" links lead to, as feedparser reads
    them (RSS or Atom alike)."""
    out, url = [], SITE + key
    while url:
        assert url.startswith(SITE) and len(out) < 100, url
        page_key = url.removeprefix(SITE)
        parsed = feedparser.parse((root / "public" / page_key).read_bytes())
        assert not parsed.bozo, (page_key, parsed.get("bozo_exception"))
        out.append((page_key, parsed))
        url = next((link.href for link in parsed.feed.get("links", [])
                    if link.get("rel") == "next"), None)
    return out


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 4), count=st.integers(0, 11))
def test_blog_archive_pages_give_every_post_once_in_both_formats(n, count):
    with tempfile.TemporaryDirectory() as tmp:
        root = bare_project(tmp)
        (root / "config.yaml").write_text(
            BASE_CONFIG + f"blog:\n  feed_items: {n}\n  archive_pages: true\n", encoding="utf-8")
        for i in range(count):
            (root / "posts" / f"p{i:02d}.md").write_text(
                post(f"Post {i}", f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}"), encoding="utf-8")
        written(root)
        for key in ("feed.xml", "atom.xml"):
            chain = blog_chain(root, key)
            titles = [e.title for _, parsed in chain for e in parsed.entries]
            assert sorted(titles) == sorted(f"Post {i}" for i in range(count)), key
            assert len(titles) == count
            assert [e.title for e in chain[0][1].entries] == \
                [f"Post {i}" for i in range(count - 1, max(count - 1 - n, -1), -1)]
            for number, (page_key, parsed) in enumerate(chain):
                assert len(parsed.entries) <= n
                root_el = etree.fromstring((root / "public" / page_key).read_bytes())
                assert (root_el.find(f".//{{{FH}}}archive") is not None) == (number > 0)


def test_blog_new_post_rewrites_only_the_main_feeds_and_the_newest_archive_pages(tmp_path):
    root = bare_project(tmp_path)
    (root / "config.yaml").write_text(
        BASE_CONFIG + "blog:\n  feed_items: 2\n  archive_pages: true\n", encoding="utf-8")
    for i in range(5):
        (root / "posts" / f"p{i}.md").write_text(post(f"Post {i}", f"2026-10-0{1 + i}"),
                                                 encoding="utf-8")
    assert {"feed-archive-1.xml", "atom-archive-2.xml"} <= written(root)
    (root / "posts" / "p5.md").write_text(post("Post 5", "2026-10-06"), encoding="utf-8")
    feeds = {k for k in written(root) if k.endswith((".xml", ".json")) and k != "sitemap.xml"}
    assert feeds == {"feed.xml", "atom.xml", "feed.json", "feed-archive-2.xml",
                     "atom-archive-2.xml", "feed-archive-2.json"}


def test_a_lost_catalog_keeps_every_archived_episode_published(tmp_path):
    """A catalog made anew reads the live archive pages too: episodes only they list are known
    as published, so nothing is held back or taken down."""
    root = bare_project(tmp_path)
    (root / "config.yaml").write_text(paged_config(2), encoding="utf-8")
    for i in range(7):
        add_episode(root, i)
    written(root)
    before = {p.name: p.read_bytes() for p in (root / "public").glob("podcast*.xml")}
    for f in (root / ".syndicate").glob("catalog.db*"):
        f.unlink()
    result = run(root, "publish", "--json")
    doc = json.loads(result.stdout)
    assert doc["ok"], doc["errors"]
    assert doc["held_items"] == []
    check_paged_site(root, 2, 7)
    after = {p.name: p.read_bytes() for p in (root / "public").glob("podcast*.xml")}
    assert after.keys() == before.keys()


def test_a_lost_catalog_keeps_the_guid_of_a_renamed_archived_episode(tmp_path):
    root = bare_project(tmp_path)
    (root / "config.yaml").write_text(paged_config(2), encoding="utf-8")
    for i in range(5):
        add_episode(root, i)
    written(root)

    def guid_of(title: str) -> str:
        pages = [raw for _, raw in read_pages(root)]
        found = [e.id for raw in pages for e in feedparser.parse(raw).entries if e.title == title]
        assert len(found) == 1, found
        return found[0]

    before = guid_of("Episode 0")  # on archive page 1 only
    assert b"Episode 0" not in (root / "public" / "podcast.xml").read_bytes()
    (root / "episodes" / "ep000.yaml").rename(root / "episodes" / "first-one.yaml")
    for f in (root / ".syndicate").glob("catalog.db*"):
        f.unlink()
    written(root)
    assert guid_of("Episode 0") == before
    check_paged_site(root, 2, 5)


def test_moving_the_show_and_back_rewrites_only_the_main_feed(tmp_path):
    root = bare_project(tmp_path)
    (root / "config.yaml").write_text(paged_config(2), encoding="utf-8")
    for i in range(5):  # main: 4 3; pages: [1 0] [2]
        add_episode(root, i)
    written(root)
    pages = {k: (root / "public" / k).read_bytes()
             for k in ("podcast-archive-1.xml", "podcast-archive-2.xml")}
    moved = "https://new-host.example/show.xml"
    (root / "config.yaml").write_text(paged_config(2).replace(
        "  feed_items: 2\n", f"  feed_items: 2\n  new_feed_url: {moved}\n"), encoding="utf-8")
    assert not {k for k in written(root) if k.startswith("podcast-archive")}
    assert f"<itunes:new-feed-url>{moved}</itunes:new-feed-url>" in (
        root / "public" / "podcast.xml").read_text()
    assert {k: (root / "public" / k).read_bytes() for k in pages} == pages
    (root / "config.yaml").write_text(paged_config(2), encoding="utf-8")  # moving back
    assert {k for k in written(root) if k.startswith("podcast")} == {"podcast.xml"}
    assert "new-feed-url" not in (root / "public" / "podcast.xml").read_text()
