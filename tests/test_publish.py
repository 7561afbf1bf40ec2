"""Publishing the sample project, read back by the parsers feed readers and podcast apps use."""

from __future__ import annotations

import json
import uuid

import feedparser
import lxml.html
import podcastparser
from lxml import etree

from syndicate.publish.build import podcast_guid

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def _snapshot(root):
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*") if p.is_file()}


def test_podcast_guid_follows_the_podcast_index_rule():
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_sample_publishes_valid_blog_feeds(sample_project):
    result = sample_project.run("publish")
    assert result.exit_code == 0, result.output
    rss = feedparser.parse(sample_project.read("feed.xml"))
    atom = feedparser.parse(sample_project.read("atom.xml"))
    assert not rss.bozo and not atom.bozo
    assert rss.version == "rss20" and atom.version == "atom10"
    titles = [e.title for e in rss.entries]
    # newest first; the draft and the post dated after "now" are left out
    assert titles == [
        "Notes from the river wall",
        "What's in the bag: a field recording kit for £200",
        "Why I still keep a blog",
    ]
    assert [e.title for e in atom.entries] == titles
    kit = rss.entries[1]
    assert "<table>" in kit.content[0].value
    assert "<script" not in sample_project.read("feed.xml").decode()
    assert "<script" not in sample_project.read("atom.xml").decode()
    assert "<" not in kit.summary  # the description is a plain summary
    assert rss.entries[2].summary.startswith("A blog is a place nobody else rearranges.")
    # Atom content is type="html", never feedgen's invalid type="CDATA"
    tree = etree.fromstring(sample_project.read("atom.xml"))
    types = {c.get("type") for c in tree.iter("{http://www.w3.org/2005/Atom}content")}
    assert types == {"html"}
    selfs = [ln.get("href") for ln in tree.iter("{http://www.w3.org/2005/Atom}link")
             if ln.get("rel") == "self"]
    assert selfs == ["https://lowtide.example.org/atom.xml"]
    rss_tree = etree.fromstring(sample_project.read("feed.xml"))
    assert rss_tree.find("channel/{http://www.w3.org/2005/Atom}link").get("href") == \
        "https://lowtide.example.org/feed.xml"
    assert rss_tree.findtext("channel/link") == "https://lowtide.example.org/"
    for guid in rss_tree.iter("guid"):
        assert guid.get("isPermaLink") == "false"
    # every item link leads to a page that was written
    for entry in rss.entries:
        key = entry.link.removeprefix("https://lowtide.example.org/") + "index.html"
        page = lxml.html.document_fromstring(sample_project.read(key))
        assert page.xpath("string(//main//h1)") == entry.title


def test_sample_podcast_feed_reads_in_podcast_apps(sample_project):
    assert sample_project.run("publish").exit_code == 0
    raw = sample_project.read("podcast.xml")
    parsed = podcastparser.parse("https://lowtide.example.org/podcast.xml", _stream(raw))
    eps = parsed["episodes"]
    assert [e["title"] for e in eps] == ["Tides", "First light", "Welcome to Low Tide Radio"]
    assert parsed["itunes_categories"][0] == ["Society & Culture", "Places & Travel"]
    assert parsed["explicit"] is False
    assert parsed["itunes_owner"] == {"name": "Morwenna Hale",
                                      "email": "podcast@lowtide.example.org"}
    for ep in eps:
        (enc,) = ep["enclosures"]
        key = enc["url"].removeprefix("https://lowtide.example.org/")
        media = sample_project.public(key)
        assert enc["file_size"] == media.stat().st_size
        assert enc["mime_type"] == {"mp3": "audio/mpeg", "m4a": "audio/x-m4a"}[key[-3:]]
        uuid.UUID(ep["guid"])
    first = eps[1]
    assert (first["season"], first["number"], first["type"]) == (1, 1, "full")
    assert first["total_time"] == 11  # 482,670 samples at 44.1 kHz = 10.94 s
    assert eps[2]["type"] == "trailer"

    tree = etree.fromstring(raw)
    ch = tree.find("channel")
    assert ch.findtext(f"{ITUNES}explicit") == "false"
    assert ch.findtext(f"{ITUNES}type") == "episodic"
    assert ch.find(f"{ITUNES}image").get("href").endswith(".png")
    assert ch.findtext(f"{PODCAST}locked") == "yes"
    assert ch.findtext(f"{PODCAST}guid") == podcast_guid("https://lowtide.example.org/podcast.xml")
    assert ch.findtext("language") == "en-GB"
    item = ch.findall("item")[1]
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.findtext(f"{ITUNES}duration") == "11"
    assert item.findtext(f"{ITUNES}explicit") == "false"
    assert item.findtext(f"{PODCAST}season") == "1"
    assert item.findtext(f"{PODCAST}episode") == "1"
    assert "<strong>one microphone</strong>" in item.findtext(
        "{http://purl.org/rss/1.0/modules/content/}encoded")
    transcript = item.find(f"{PODCAST}transcript")
    assert transcript.get("type") == "text/vtt" and transcript.get("rel") == "captions"
    assert sample_project.read(_key(transcript.get("url"))).startswith(b"WEBVTT")
    chapters = json.loads(sample_project.read(_key(item.find(f"{PODCAST}chapters").get("url"))))
    assert chapters["version"] == "1.2.0"
    assert [(c["startTime"], c["title"]) for c in chapters["chapters"]] == [
        (0.0, "Setting out"), (5.5, "The first birds arrive")]
    assert sample_project.read(_key(item.find(f"{ITUNES}image").get("href")))[:4] == b"\x89PNG"
    assert not feedparser.parse(raw).bozo


def test_second_publish_writes_nothing_and_feeds_are_byte_identical(sample_project):
    assert sample_project.run("publish").exit_code == 0
    before = _snapshot(sample_project.root / "public")
    again = sample_project.run("publish")
    assert again.exit_code == 0
    assert "wrote 0 files" in again.output
    assert _snapshot(sample_project.root / "public") == before


def test_future_item_is_published_once_its_date_has_come(sample_project):
    assert sample_project.run("publish").exit_code == 0
    assert b"The year ahead" not in sample_project.read("feed.xml")
    assert not sample_project.public("posts/the-year-ahead/index.html").exists()
    later = sample_project.run("publish", now="2027-01-10T09:00:01+00:00")
    assert later.exit_code == 0
    assert feedparser.parse(sample_project.read("feed.xml")).entries[0].title == \
        "The year ahead on the estuary"


def test_dry_run_lists_the_plan_and_writes_nothing(sample_project):
    result = sample_project.run("publish", "--dry-run")
    assert result.exit_code == 0, result.output
    # (the sample's pages, archives, tag pages, theme files, cover, favicon and feeds, JSON
    # feeds included)
    assert "Dry run: would write 22 files" in result.output
    assert "write  podcast.xml" in result.output
    # a dry run encodes nothing: it names the audio a publish would encode
    assert "encode episodes/001-first-light.mp3" in result.output
    assert not (sample_project.root / "public").exists()
    assert not (sample_project.root / ".syndicate").exists()
    # and the catalog did not remember anything either
    status = sample_project.run("status", "--json")
    assert json.loads(status.output) == []


def test_publish_order_puts_feeds_last(sample_project):
    assert sample_project.run("collect").exit_code == 0  # the audio is encoded and cached
    result = sample_project.run("publish", "--dry-run")
    writes = [ln.split()[1] for ln in result.output.splitlines() if ln.strip().startswith("write")]
    feeds = ("feed.xml", "atom.xml", "podcast.xml", "feed.json", "podcast.json")
    kinds = ["media" if k.startswith("media/") else "feed" if k in feeds else "other"
             for k in writes]
    assert kinds.index("feed") > max(i for i, k in enumerate(kinds) if k != "feed")
    assert kinds[0] == "media"


def _stream(raw: bytes):
    import io

    return io.BytesIO(raw)


def _key(url: str) -> str:
    return url.removeprefix("https://lowtide.example.org/")
