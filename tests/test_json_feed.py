"""JSON Feed 1.1 for the blog and the podcast: the spec's required fields, every item the XML
feeds hold kept under the same id, absolute addresses, attachments for episodes, linked from
every page's head, served as application/feed+json, at configurable keys, and known to the guard
on live feeds as part of their family."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, NOW_DT, Project, bare_project, post, sidecar
from syndicate.config import load_config
from syndicate.mediatypes import JSON_FEED
from syndicate.publish import publish
from syndicate.render.jsonfeed import VERSION

WORDS = ["marsh", "heron", "Größe", "żółw", "señal", "a & b", "<tag>", "\"quoted\"", "tab\tin"]
title_st = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)


def check_json_feed(doc: dict, feed_url: str) -> None:
    """The JSON Feed 1.1 spec's required fields and their types, and absolute addresses."""
    assert doc["version"] == VERSION == "https://jsonfeed.org/version/1.1"
    assert isinstance(doc["title"], str) and doc["title"]
    assert doc["feed_url"] == feed_url
    assert isinstance(doc["items"], list)
    ids = [item["id"] for item in doc["items"]]
    assert all(isinstance(i, str) and i for i in ids) and len(ids) == len(set(ids))
    for item in doc["items"]:
        assert "content_html" in item or "content_text" in item  # one of them is required
        for address in [item["url"], *(a["url"] for a in item.get("attachments", []))]:
            parts = urlsplit(address)
            assert parts.scheme == "https" and parts.netloc, address
        for a in item.get("attachments", []):
            assert a["mime_type"] and isinstance(a["size_in_bytes"], int)
    for key in ("home_page_url", "feed_url", "icon"):
        if key in doc:
            assert urlsplit(doc[key]).scheme == "https"


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(posts=st.lists(st.tuples(title_st, st.booleans(), st.lists(st.sampled_from(WORDS[:3]),
                                                                   max_size=2)),
                      max_size=6),
       episodes=st.integers(0, 4))
def test_json_feeds_hold_what_the_xml_feeds_hold(posts, episodes):
    with tempfile.TemporaryDirectory() as tmp:
        root = bare_project(tmp)
        for i, (title, is_link, tags) in enumerate(posts):
            extra = {"link": f"https://elsewhere.example/{i}"} if is_link else {}
            if tags:
                extra["tags"] = json.dumps(tags)
            (root / "posts" / f"p{i}.md").write_text(
                post(json.dumps(title), f"2026-09-{1 + i:02d}",
                     body=f"See [the picture](pic{i}.png) and [home](/).", **extra),
                encoding="utf-8")
        for i in range(episodes):
            (root / "episodes" / f"e{i}.yaml").write_text(
                sidecar(f"Show {i}", f"2026-09-{1 + i:02d} 08:00",
                        audio_url=f"https://media.example.test/{i}.mp3", audio_length=500 + i,
                        duration=90), encoding="utf-8")
        result = Project(root).run("publish")
        assert result.exit_code == 0, result.output
        public = root / "public"
        blog = json.loads((public / "feed.json").read_bytes())
        check_json_feed(blog, "https://example.test/feed.json")
        rss = feedparser.parse((public / "feed.xml").read_bytes())
        assert [i["id"] for i in blog["items"]] == [e.id for e in rss.entries]
        assert [i["title"] for i in blog["items"]] == [e.title for e in rss.entries]
        assert len(blog["items"]) == len(posts)  # under blog.feed_items: every post kept
        for item in blog["items"]:
            assert "https://example.test/" in item["content_html"]  # relative links resolved
            assert 'href="/"' not in item["content_html"]
        podcast = json.loads((public / "podcast.json").read_bytes())
        check_json_feed(podcast, "https://example.test/podcast.json")
        pod = feedparser.parse((public / "podcast.xml").read_bytes())
        assert [i["id"] for i in podcast["items"]] == [e.id for e in pod.entries]
        for item, entry in zip(podcast["items"], pod.entries, strict=True):
            (attachment,) = item["attachments"]
            assert attachment["url"] == entry.enclosures[0].href
            assert attachment["size_in_bytes"] == int(entry.enclosures[0].length)
            assert attachment["mime_type"] == "audio/mpeg"
            assert attachment["duration_in_seconds"] == 90


def test_json_feeds_at_configured_keys_linked_from_every_page_and_typed(tmp_path):
    root = bare_project(tmp_path)
    config = BASE_CONFIG.replace("podcast:\n", "podcast:\n  json_path: feeds/show.json\n")
    config += "blog:\n  json_path: feeds/blog.json\n"
    (root / "config.yaml").write_text(config, encoding="utf-8")
    (root / "posts" / "a.md").write_text(post("Alpha", "2026-10-01"), encoding="utf-8")
    (root / "episodes" / "e.yaml").write_text(
        sidecar("One", audio_url="https://media.example.test/1.mp3", audio_length=10),
        encoding="utf-8")
    result = publish(load_config(root / "config.yaml"), now=NOW_DT)
    assert not result.errors, result.errors
    served = {row["key"]: row["content_type"] for row in result.plan.manifest}
    assert served["feeds/blog.json"] == served["feeds/show.json"] == JSON_FEED
    assert JSON_FEED.split(";")[0] == "application/feed+json"
    assert not (root / "public" / "feed.json").exists()
    pages = [p for p in (root / "public").rglob("*.html")]
    assert len(pages) >= 5
    for page in pages:
        head = lxml.html.fromstring(page.read_bytes()).find("head")
        links = {a.get("href") for a in head.iterfind("link")
                 if a.get("rel") == "alternate" and a.get("type") == "application/feed+json"}
        assert links == {"https://example.test/feeds/blog.json",
                         "https://example.test/feeds/show.json"}, page


def test_the_json_feed_is_held_with_its_family(tmp_path):
    """Every post gone at once (a folder emptied) holds the blog's feeds: feed.json too."""
    proj = Project(bare_project(tmp_path))
    for i in range(3):
        proj.write(f"posts/p{i}.md", post(f"Post {i}", f"2026-10-0{1 + i}"))
    assert proj.run("publish").exit_code == 0
    before = proj.read("feed.json")
    assert len(json.loads(before)["items"]) == 3
    for i in range(3):
        (proj.root / "posts" / f"p{i}.md").unlink()
    result = proj.run("publish")
    assert result.exit_code != 0
    assert "feed.json" in result.output  # the error names it among the held feeds
    assert "Traceback" not in result.output
    assert proj.read("feed.json") == before
    result = proj.run("publish", "--force")
    assert result.exit_code == 0, result.output
    assert json.loads(proj.read("feed.json"))["items"] == []


def test_an_empty_project_writes_valid_json_feeds(tmp_path):
    """A project with nothing in it still writes valid JSON feeds (items empty, not absent)."""
    root = bare_project(tmp_path)
    assert Project(root).run("publish").exit_code == 0
    for name in ("feed.json", "podcast.json"):
        doc = json.loads((Path(root) / "public" / name).read_bytes())
        check_json_feed(doc, f"https://example.test/{name}")
        assert doc["items"] == []


def _json_pages(public: Path, key: str) -> list[dict]:
    """The JSON feed at ``key`` and every page its ``next_url`` leads to, in order."""
    out, url, seen = [], "https://example.test/" + key, set()
    while url:
        assert url.startswith("https://example.test/") and url not in seen, url  # no loop
        seen.add(url)
        doc = json.loads((public / url.removeprefix("https://example.test/")).read_bytes())
        check_json_feed(doc, url)  # an archive page names itself
        out.append(doc)
        url = doc.get("next_url")
    return out


@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 4), posts=st.integers(0, 9), episodes=st.integers(0, 9))
def test_a_paged_json_feed_leads_by_next_url_to_every_item_once(n, posts, episodes):
    """With podcast.feed_items (and blog.feed_items with archive_pages) the JSON feeds are
    paged as the XML ones: next_url from the main feed leads through archive pages of at most
    N items, newest first, to every item once, the same as the XML pages hold."""
    with tempfile.TemporaryDirectory() as tmp:
        root = bare_project(tmp)
        config = BASE_CONFIG.replace("  explicit: false\n",
                                     f"  explicit: false\n  feed_items: {n}\n")
        config += f"blog:\n  feed_items: {n}\n  archive_pages: true\n"
        (root / "config.yaml").write_text(config, encoding="utf-8")
        for i in range(posts):
            (root / "posts" / f"p{i}.md").write_text(post(f"Post {i}", f"2026-09-{1 + i:02d}"),
                                                     encoding="utf-8")
        for i in range(episodes):
            (root / "episodes" / f"e{i}.yaml").write_text(
                sidecar(f"Show {i}", f"2026-09-{1 + i:02d} 08:00",
                        audio_url=f"https://media.example.test/{i}.mp3", audio_length=500 + i),
                encoding="utf-8")
        result = Project(root).run("publish")
        assert result.exit_code == 0, result.output
        public = root / "public"
        for key, xml_glob, count, word in (("feed.json", "feed*.xml", posts, "Post"),
                                           ("podcast.json", "podcast*.xml", episodes, "Show")):
            pages = _json_pages(public, key)
            titles = [i["title"] for doc in pages for i in doc["items"]]
            assert titles == [f"{word} {i}" for i in range(count - 1, -1, -1)]  # newest first
            assert all(len(doc["items"]) <= n for doc in pages)
            assert len(pages) == max(1, -(-count // n))
            xml_ids = {e.id for f in public.glob(xml_glob) for e in
                       feedparser.parse(f.read_bytes()).entries}
            assert {i["id"] for doc in pages for i in doc["items"]} == xml_ids
