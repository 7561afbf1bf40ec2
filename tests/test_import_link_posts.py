"""Link posts (Daring Fireball's style: the entry links elsewhere, its permalink is on the blog)
keep their target as ``link:``, and are published as such: the feeds' item link is the target,
the guid stays the permalink's, the page shows the target. Read back with feedparser."""

from __future__ import annotations

import json

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, DATA, SHARED
from syndicate.importer.sources import parse

FIX = DATA / "import"
DARING = SHARED / "feeds" / "blog" / "rsparser__DaringFireball.atom"


def _import(proj, *sources):
    result = proj.run("import", *map(str, sources), "--json", "--config",
                      str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _by_title(report) -> dict:
    return {e["title"]: e for e in report["created"]}


@pytest.mark.parametrize("name, link_post, other", [
    ("link-posts.atom", "Toads Cross the Lane Again", "Why the Pond Went Green"),
    ("link-posts.rss", "A Study of Newts in Garden Ponds", "Frogspawn Is Late This Year"),
])
def test_link_posts_keep_their_target_and_publish_it(make_project, name, link_post, other):
    proj = make_project({}, config=BASE_CONFIG)
    source = FIX / name
    old = feedparser.parse(source.read_bytes())
    want = {e.title: e for e in old.entries}
    created = _by_title(_import(proj, source))
    assert set(created) == {link_post, other}
    assert "link" in created[link_post]["kept"]
    assert {"field": "link", "why": "the post gets its own address on this site (it was "
            f"{want[other].link})"} in created[other]["changed"]
    front = (proj.root / created[link_post]["file"]).read_text()
    assert f"link: {want[link_post].link}" in front
    assert "link:" not in (proj.root / created[other]["file"]).read_text()

    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    for feed in ("feed.xml", "atom.xml"):
        got = {e.title: e for e in feedparser.parse(proj.read(feed)).entries}
        assert got[link_post].link == want[link_post].link  # readers go to the target
        assert got[link_post].id == want[link_post].id  # the guid stays the permalink's
        assert got[other].link.startswith("https://example.test/posts/")
        assert got[other].id == want[other].id
    atom = feedparser.parse(proj.read("atom.xml"))
    entry = next(e for e in atom.entries if e.title == link_post)
    rels = sorted(link.rel for link in entry.links)
    assert rels == ["alternate", "related"]  # one alternate: the target; the page is related
    page_url = next(link.href for link in entry.links if link.rel == "related")
    page = proj.read(page_url.replace("https://example.test/", "") + "index.html").decode()
    assert f'href="{want[link_post].link}"' in page


def test_a_link_post_written_by_hand_must_point_at_a_web_address(make_project):
    proj = make_project({"posts/2024-01-01-x.md": "---\ntitle: X\nlink: ftp://x.example/a\n"
                                                  "---\nWords.\n"}, config=BASE_CONFIG)
    result = proj.run("publish")
    assert result.exit_code != 0
    assert "2024-01-01-x.md" in result.output and "link" in result.output
    assert "http" in result.output


@pytest.mark.parametrize("target", ["https://me:S3cretPw@x.example/a",
                                    "https://x.example/a?token=S3cretPw"])
def test_a_link_post_carrying_a_credential_is_refused_never_published(make_project, target):
    proj = make_project({"posts/2024-01-01-x.md": f"---\ntitle: X\nlink: {target}\n"
                                                  "---\nWords.\n"}, config=BASE_CONFIG)
    result = proj.run("publish")
    assert result.exit_code != 0
    assert "2024-01-01-x.md" in result.output and "credential" in result.output
    assert "S3cretPw" not in result.output
    public = proj.root / "public"
    assert not any(b"S3cretPw" in p.read_bytes() for p in public.rglob("*") if p.is_file())


@pytest.mark.skipif(not DARING.exists(), reason="../shared/feeds is absent")
def test_daring_fireballs_linked_items_keep_their_targets(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    old = feedparser.parse(DARING.read_bytes())
    report = _import(proj, DARING)
    assert len(report["created"]) == len(old.entries) and report["skipped"] == []
    created = {e["title"]: e for e in report["created"]}
    offsite = 0
    for e in old.entries:
        related = [lk.href for lk in e.links if lk.rel == "related"]
        away = bool(related) and not e.link.startswith("https://daringfireball.net/")
        offsite += away
        front = (proj.root / created[" ".join(e.title.split())]["file"]).read_text()
        assert (f"link: {e.link}" in front) == away, e.title
    assert offsite > 10
    assert proj.run("publish").exit_code == 0
    old_by_id = {e.id: e for e in old.entries}
    got = feedparser.parse(proj.read("feed.xml")).entries  # the newest, as many as a feed holds
    assert got and all(e.id in old_by_id for e in got)
    for e in got:
        target = old_by_id[e.id].link
        if not target.startswith("https://daringfireball.net/"):
            assert e.link == target
        else:
            assert e.link.startswith("https://example.test/posts/")


HOSTS = ["blog.example", "www.blog.example", "news.example.org", "elsewhere.example.net"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(HOSTS), st.sampled_from(HOSTS),
                          st.sampled_from(["rss", "atom-related", "atom-id"])),
                min_size=1, max_size=5))
def test_an_entry_is_a_link_post_exactly_when_it_points_off_the_blog(entries):
    """Generated RSS items and Atom entries, the link's and the permalink's hosts drawn: a link
    post (its target kept) exactly when the link leaves the blog's host (www. aside)."""
    for kind in ("rss", "atom"):
        items, answers = [], []
        for n, (link_host, perma_host, style) in enumerate(entries):
            link = f"https://{link_host}/story/{n}"
            perma = f"https://{perma_host}/linked/{n}"
            same = link_host.removeprefix("www.") == perma_host.removeprefix("www.")
            on_blog = perma_host.removeprefix("www.") == "blog.example"
            if kind == "rss":
                items.append(f"<item><title>Item {n}</title><link>{link}</link>"
                             f"<guid>{perma}</guid><pubDate>Mon, 0{n + 1} Jun 2020 10:00:00 GMT"
                             f"</pubDate><description>Words {n} here.</description></item>")
                answers.append(link if not same and on_blog else None)
            else:
                related = (f'<link rel="related" href="{perma}"/>'
                           if style == "atom-related" else "")
                ident = perma if style == "atom-id" else f"tag:blog.example,2020:{n}"
                items.append(f'<entry><title>Item {n}</title><link href="{link}"/>{related}'
                             f"<id>{ident}</id><published>2020-06-0{n + 1}T10:00:00Z</published>"
                             f'<content type="html">Words {n} here.</content></entry>')
                # (an entry with neither a related link nor an address for its id: no link post)
                answers.append(link if not same and (style == "atom-related" or (
                    style == "atom-id" and on_blog)) else None)
        if kind == "rss":
            doc = ('<rss version="2.0"><channel><title>B</title><link>https://blog.example/'
                   "</link><description>d</description>" + "".join(items) + "</channel></rss>")
        else:
            doc = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>B</title><id>b</id>'
                   '<link href="https://blog.example/"/>' + "".join(items) + "</feed>")
        found = parse(doc.encode(), "old.xml")
        assert [f.link for f in found] == answers, (kind, entries)
