"""`syndicate import`: the old blog's text exports, HTML pages and feeds into posts/."""

from __future__ import annotations

import http.server
import json
import re
import time

import feedparser
import pytest

from conftest import BASE_CONFIG, DATA, SHARED, serve
from syndicate.importer.textexport import parse_text_export

FIX = DATA / "import"
SEEDS = SHARED / "seeds"
SEED_TITLES = {
    "001_d04eaa0b306be807.txt": [
        "Can General Practice Lead an ICS?", "What will happen to Primary Care Commissioning?",
        "How Will PCNs Work Together?", "The Importance of Training for New GP Partners",
        "All Your PCN CD Mastermind Programme Questions Answered!"],
    "004_5f808259bcbb4523.txt": [
        "What is your story?",
        "What does the cut in CCG running costs mean for general practice?",
        "Making general practice easy to do business with", "Can you solve The Autonomy Paradox?",
        "How to build trust with practices"],
}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.replace("[^", "[").lower())


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not here")
@pytest.mark.parametrize("name", sorted(SEED_TITLES))
def test_each_seed_export_yields_exactly_its_posts_with_full_bodies(name):
    text = (SEEDS / name).read_text(encoding="utf-8")
    page = parse_text_export(text)
    assert page.kind == "index"
    assert [p.title for p in page.posts] == SEED_TITLES[name]
    # every word of the page is in exactly one post (titles included), except the furniture
    lines = [ln for ln in text.splitlines() if not re.match(r"^(Page \d+ of \d+|\d+)\s*$", ln)]
    words = _words("\n".join(lines))
    got = _words("\n".join(p.title + "\n" + p.body for p in page.posts))
    assert sorted(got) == sorted(words)
    for post in page.posts:
        assert "Page " not in post.body.splitlines()[-1]
        assert post.body.count("\n\n") >= 5  # paragraph breaks survive


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not here")
def test_seed_subheadings_closing_lines_and_footnotes_stay_in_their_post():
    first = parse_text_export((SEEDS / "001_d04eaa0b306be807.txt").read_text()).posts[-1]
    for question in ("What is a Mastermind Group?", "Who are the Facilitators?",
                     "More Questions?"):
        assert f"\n\n{question}\n\n" in first.body
    story = parse_text_export((SEEDS / "004_5f808259bcbb4523.txt").read_text()).posts[0]
    assert "\n\nWhat is your story?\n\n" in story.body  # the closing question
    assert "Stephen Denning[^i] describes" in story.body
    assert "[^i]: The Leader’s Guide to Storytelling, Stephen Denning, 2005" in story.body


def test_index_page_fixture():
    page = parse_text_export((FIX / "index-page.txt").read_text())
    assert (page.kind, page.page, page.pages) == ("index", 3, 12)
    bees, questions = page.posts
    assert bees.title == "Notes on Keeping Bees in a Town Garden"
    assert "- raise the hive on a stand from the first day\n- keep a second" in bees.body
    assert "tasting faintly of mint.[^1]" in bees.body
    assert bees.body.rstrip().endswith("[^1]: The mint came from a neighbour's herb bed, two "
                                       "doors down.")
    assert "\n\nWould I do it again?\n\n" in bees.body
    assert questions.title == "Why Questions Make Better Posts"
    assert "Do you wear gloves?" in questions.body and "Where did you learn?" in questions.body
    assert "1234" not in questions.body and "Page 3" not in questions.body


def test_archive_page_fixture_dates_posts_and_flags_made_up_titles():
    page = parse_text_export((FIX / "archive-page.txt").read_text())
    assert page.kind == "archive"
    got = [(p.title, p.date.date().isoformat(), p.derived_title) for p in page.posts]
    assert got == [
        ("The frogspawn in the pond has hatched, three weeks later…", "2019-03-28", True),
        ("A Walk Along the Canal", "2019-03-14", False),
        ("Snowdrops are finishing and the first celandines are out…", "2019-03-03", True)]
    assert all("," not in p.body.strip().splitlines()[-1][:3] for p in page.posts)


def test_single_post_page_drops_its_comment_count():
    page = parse_text_export((FIX / "single-post.txt").read_text())
    (post,) = page.posts
    assert page.kind == "single" and post.title == "Notes on Keeping Bees in a Town Garden"
    assert "Comments" not in post.body


def _feed_titles(proj) -> list[str]:
    return [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]


def _posts(proj) -> list[str]:
    return sorted(p.name for p in (proj.root / "posts").glob("*.md"))


def test_import_writes_posts_once_and_they_publish(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    index, archive = str(FIX / "index-page.txt"), str(FIX / "archive-page.txt")
    first = proj.run("import", index, archive, "--config", str(proj.root / "config.yaml"))
    assert first.exit_code == 0, first.output
    assert "created 3, merged 0, skipped 2" in first.output  # the index page has no dates
    assert "no date on the page; run again with --date-by-order DATE" in first.output
    assert "review   posts/2019-03-28-the-frogspawn" in first.output
    dated = proj.run("import", index, archive, "--date-by-order", "2020-06-30", "--json",
                     "--config", str(proj.root / "config.yaml"))
    report = json.loads(dated.output)
    # page 3, two posts a page: four newer posts come before it on pages 1 and 2
    assert [e["file"] for e in report["created"]] == [
        "posts/2020-06-26-notes-on-keeping-bees-in-a-town-garden.md",
        "posts/2020-06-25-why-questions-make-better-posts.md"]
    assert len(report["merged"]) == 3
    again = proj.run("import", index, archive, str(FIX / "single-post.txt"), "--date-by-order",
                     "2020-06-30", "--config", str(proj.root / "config.yaml"))
    assert "created 0, merged 6" in again.output  # the post's own page is the same post
    assert len(_posts(proj)) == 5
    front = (proj.root / "posts/2019-03-28-the-frogspawn-in-the-pond-has-hatched-three-"
             "weeks-later.md").read_text()
    assert "review: title made from the opening sentence; check it" in front
    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    assert "Warning" not in published.output
    assert len(_feed_titles(proj)) == 5
    page = proj.read("posts/notes-on-keeping-bees-in-a-town-garden/index.html").decode()
    assert "<li>raise the hive on a stand from the first day</li>" in page
    assert 'class="footnote' in page or "footnote" in page


def test_html_page_and_feed_are_one_post_and_the_feed_keeps_its_guids(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    html = proj.run("import", str(FIX / "blog-page.html"), "--json", *cfg)
    report = json.loads(html.output)
    assert [e["title"] for e in report["created"]] == ["Laying a Hedge in Winter", "Seed Swaps"]
    hedge = (proj.root / "posts/2018-05-02-laying-a-hedge-in-winter.md").read_text()
    assert "2018-05-02T08:15:00+00:00" in hedge and "tags:\n- hedges" in hedge
    assert "- a billhook" in hedge and "Lovely work" not in hedge and "Share this" not in hedge
    feed = json.loads(proj.run("import", str(FIX / "blog-feed.xml"), "--json", *cfg).output)
    assert [e["title"] for e in feed["merged"]] == ["Laying a Hedge in Winter"]
    assert [e["title"] for e in feed["created"]] == ["Apple Day"]
    apple = (proj.root / "posts/2018-10-21-apple-day.md").read_text()
    assert "guid: old-blog-post-121" in apple
    assert proj.run("publish").exit_code == 0
    ids = [e.id for e in feedparser.parse(proj.read("feed.xml")).entries]
    assert "old-blog-post-121" in ids


AWKWARD_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Lane notes</title><link>https://old.example/</link>
<description>x</description>
<item><title>Ride along the towpath</title><guid>lane-1</guid>
<pubDate>Tue, 03 Apr 2018 09:00:00 GMT</pubDate>
<description>&lt;iframe src="https://video.example/embed/towpath" title="Towpath ride"&gt;
&lt;/iframe&gt;</description></item>
<item><title>Seed potatoes for sale</title><guid>lane-2</guid>
<pubDate>Wed, 04 Apr 2018 09:00:00 GMT</pubDate>
<description>Charlotte seed potatoes, two kilo nets, four pounds a net, collect from
the lane end on Saturday morning.</description></item>
<item><title>More seed potatoes for sale</title><guid>lane-3</guid>
<pubDate>Thu, 05 Apr 2018 09:00:00 GMT</pubDate>
<description>Charlotte seed potatoes, two kilo nets, three pounds a net, collect from
the lane end on Saturday morning.</description></item>
<item><title>Frost on the brassicas</title><guid>lane-3</guid>
<pubDate>Fri, 06 Apr 2018 09:00:00 GMT</pubDate>
<description>A hard frost last night; the sprouts shrugged it off, the kale did not, and
the netting held.</description></item>
<item><title>Empty</title><guid>lane-5</guid>
<pubDate>Sat, 07 Apr 2018 09:00:00 GMT</pubDate><description></description></item>
</channel></rss>
"""


def test_no_feed_entry_is_lost_or_swallowed(make_project):
    """An embed-only post keeps a link to what it showed; two near-identical entries of one feed
    stay two posts; a guid the old feed gave twice stays with the first, the second post gets
    its own and is flagged; an empty entry is reported, not dropped in silence."""
    proj = make_project({"old.xml": AWKWARD_FEED}, config=BASE_CONFIG)
    result = proj.run("import", str(proj.root / "old.xml"), "--json",
                      "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [e["title"] for e in report["created"]] == [
        "Ride along the towpath", "Seed potatoes for sale", "More seed potatoes for sale",
        "Frost on the brassicas"]
    assert report["merged"] == []
    assert [(s["title"], s["reason"]) for s in report["skipped"]] == [
        ("Empty", "the entry has no text")]
    (clash,) = report["flagged"]
    assert clash["title"] == "Frost on the brassicas"
    assert "the same guid as posts/2018-04-05-more-seed-potatoes-for-sale.md" in clash["reason"]
    ride = (proj.root / "posts/2018-04-03-ride-along-the-towpath.md").read_text()
    assert "[Towpath ride](https://video.example/embed/towpath)" in ride
    assert proj.run("publish").exit_code == 0
    entries = feedparser.parse(proj.read("feed.xml")).entries
    guids = [e.id for e in entries]
    assert len(guids) == len(set(guids)) == 4 and "lane-3" in guids
    assert {e.title: e.id for e in entries}["More seed potatoes for sale"] == "lane-3"


# -- bad input: files, and a local server standing in for the old site -----------------------
class OldSite:
    def __init__(self):
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path == "/missing":
                    self.send_error(404)
                elif self.path == "/broken":
                    self.send_error(500)
                elif self.path.startswith("/loop"):
                    self.send_response(302)
                    self.send_header("Location", "/loop-again" if self.path == "/loop"
                                     else "/loop")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path == "/slow":
                    time.sleep(3)
                    self.send_response(200)
                    self.end_headers()
                elif self.path == "/cut":
                    body = (FIX / "index-page.txt").read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body) + 500))
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                    self.connection.shutdown(2)
                elif self.path == "/page.txt":
                    body = (FIX / "archive-page.txt").read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    site.served += 1

        self.served = 0
        self.server, self.url = serve(Handler)


@pytest.fixture
def old_site():
    site = OldSite()
    yield site
    site.server.shutdown()


@pytest.mark.parametrize("path,message", [
    ("/missing", "the server answered HTTP 404"),
    ("/broken", "the server answered HTTP 500"),
    ("/loop", "too many redirects (a redirect loop?)"),
    ("/slow", "timed out"),
    ("/cut", "cut short"),
])
def test_remote_failures_are_clear_and_write_nothing(make_project, old_site, monkeypatch, path,
                                                     message):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "TIMEOUT", (2, 1))
    proj = make_project({}, config=BASE_CONFIG)
    result = proj.run("import", old_site.url + path, "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    assert f"Error: {old_site.url}{path}: " in result.output and message in result.output
    assert "Traceback" not in result.output
    assert not list((proj.root / "posts").glob("*")) if (proj.root / "posts").exists() else True


def test_a_remote_page_imports(make_project, old_site):
    proj = make_project({}, config=BASE_CONFIG)
    result = proj.run("import", old_site.url + "/page.txt", "--config",
                      str(proj.root / "config.yaml"))
    assert result.exit_code == 0 and "created 3" in result.output


@pytest.mark.parametrize("content,message", [
    (b"", "the file is empty"),
    (b"\x00\x01\x02binary\x00" * 20, "a binary file, not a page or a feed"),
    (b"Page 1 of 3\n123\n", "no posts found on this page"),
    (b"<?xml version='1.0'?><rss><channel><item><title>x</ti", "not a readable feed"),
    (b"<html><body><p>Just a page.</p></body></html>", "no posts found on this page"),
    (b"caf\xe9 au lait\n", ":1: not UTF-8 text (byte 0xe9 in column 4)"),
])
def test_bad_files_are_named_and_nothing_is_written(make_project, tmp_path, content, message):
    proj = make_project({}, config=BASE_CONFIG)
    bad = tmp_path / "bad-source"
    bad.write_bytes(content)
    good = FIX / "archive-page.txt"
    result = proj.run("import", str(bad), str(good), "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    assert f"Error: {bad}" in result.output and message in result.output
    assert "created 3" in result.output  # the good source still imported
    assert not [p for p in (proj.root / "posts").rglob("*") if p.name.startswith(".")]


class FeedHost:
    """Serves blog-feed.xml with an ETag; answers 304 to a matching If-None-Match."""

    def __init__(self):
        self.body = (FIX / "blog-feed.xml").read_bytes()
        self.log: list[tuple[str, int]] = []
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                import hashlib

                etag = '"' + hashlib.sha256(host.body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    host.log.append((self.path, 304))
                    self.send_response(304)
                    self.end_headers()
                    return
                host.log.append((self.path, 200))
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(host.body)))
                self.end_headers()
                self.wfile.write(host.body)

        self.server, base = serve(Handler)
        self.url = base + "/feed.xml"


def test_configured_sources_are_refreshed_by_collect_with_conditional_get(make_project):
    host = FeedHost()
    try:
        proj = make_project({}, config=BASE_CONFIG + f"sources:\n  - {host.url}\n")
        first = proj.run("collect")
        assert first.exit_code == 0, first.output
        assert "Sources: created 2" in first.output
        assert len(_posts(proj)) == 2
        again = proj.run("collect")
        assert again.exit_code == 0 and "Sources:" not in again.output
        assert host.log[-1] == ("/feed.xml", 304)  # unchanged: nothing sent, nothing parsed
        host.body = host.body.replace(b"</channel>", b"""<item><title>Frost Dates</title>
<guid>old-blog-post-130</guid><pubDate>Mon, 05 Nov 2018 09:00:00 GMT</pubDate>
<description>The first frost came on the fifth, a week early.</description></item>
</channel>""")
        third = proj.run("collect")
        assert "Sources: created 1, merged 2" in third.output
        assert host.log[-1] == ("/feed.xml", 200)
        assert len(_posts(proj)) == 3
    finally:
        host.server.shutdown()


AWKWARD_TITLES = ["yes", "1.50", "- a dash", "# a hash", "key: value", "'quoted'", '"double"',
                  "Ünïcödé ✓", "null", "~", "@at", "2024-01-01", "on", "[list]", "{map}",
                  "a | b", "> folded", "*star", "!tag", "%pct", "`tick`"]


def test_titles_and_notes_that_look_like_yaml_survive_the_front_matter(make_project):
    from xml.sax.saxutils import escape

    items = "".join(
        f"<item><title>{escape(t)}</title><guid>t-{n}</guid>"
        f"<pubDate>Mon, {n + 1:02d} Jan 2018 09:00:00 GMT</pubDate>"
        f"<description>{escape(f'<p>{t}</p><p>second  line</p>')}</description></item>"
        for n, t in enumerate(AWKWARD_TITLES))
    feed = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>x'
            f"</title><link>https://old.example/</link><description>x</description>{items}"
            "</channel></rss>")
    proj = make_project({"old.xml": feed}, config=BASE_CONFIG + "blog:\n  feed_items: 100\n")
    result = proj.run("import", str(proj.root / "old.xml"), "--config",
                      str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    got = {e.id: e.title for e in feedparser.parse(proj.read("feed.xml")).entries}
    assert got == {f"t-{n}": t for n, t in enumerate(AWKWARD_TITLES)}
