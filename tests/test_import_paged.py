"""The importer follows a source feed's RFC 5005 pages (``next`` / ``prev-archive``): a show or
blog that pages its feed is imported whole. Our own paged feeds are served on loopback and
imported through the CLI; generated page graphs (any number of pages, links back to any page,
to itself, twice, to a page that fails) are read through the library: every item reachable
once, each page fetched once, or one error naming the page and nothing imported."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import shutil
import tempfile
from email.utils import format_datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    BASE_CONFIG,
    Project,
    bare_settings,
    png_bytes,
    post,
    serve,
    serve_folder,
    sidecar,
    tone,
)
from syndicate.importer import SourceError, paged, read_source

# -- our own paged feeds, served on loopback, imported by the CLI -------------------------------

@pytest.fixture
def paged_site(tmp_path):
    """A project of 5 episodes and 5 posts whose feeds hold 2 items each, the older ones on
    archive pages, published at the address of a loopback host serving its public folder."""
    root = tmp_path / "source"
    (root / "public").mkdir(parents=True)
    server, base, asked = serve_folder(root / "public")
    proj = Project(root)
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["site"]["url"] = base + "/"
    cfg["podcast"]["feed_items"] = 2
    cfg["blog"] = {"feed_items": 2, "archive_pages": True}
    cfg["audio"] = {"process": False}
    proj.write("config.yaml", yaml.safe_dump(cfg))
    proj.write("cover.png", png_bytes())
    for n in range(1, 6):
        proj.write(f"episodes/ep{n}.mp3", tone(1.0, 300 + 40 * n))
        proj.write(f"episodes/ep{n}.yaml", sidecar(f"Episode {n}", f"2026-0{n}-02 08:00"))
        proj.write(f"posts/post{n}.md", post(f"Post {n}", f"2026-0{n}-03",
                                             f"The words of post {n}, all different."))
    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    yield base, proj, asked
    server.shutdown()
    server.server_close()


def test_a_paged_podcast_feed_is_imported_whole_through_the_cli(paged_site, make_project):
    base, src, asked = paged_site
    feed = src.read("podcast.xml")
    assert feed.count(b"<item>") == 2 and b'rel="prev-archive"' in feed  # paged indeed
    dest = make_project()
    result = dest.run("import", base + "/podcast.xml", "--audio", "keep-url", "--json",
                      "--config", str(dest.root / "config.yaml"))
    assert result.exit_code == 0, result.output[-2000:]
    created = json.loads(result.output)["created"]
    assert sorted(c["title"] for c in created) == [f"Episode {n}" for n in range(1, 6)]
    titles = sorted(yaml.safe_load(p.read_text())["title"]
                    for p in (dest.root / "episodes").glob("*.yaml"))
    assert titles == [f"Episode {n}" for n in range(1, 6)]
    pages = [p for p in asked if "archive" in p]
    assert sorted(pages) == ["/podcast-archive-1.xml", "/podcast-archive-2.xml"]  # each once


def test_a_paged_blog_feed_is_imported_whole_through_the_cli(paged_site, make_project):
    base, src, _asked = paged_site
    assert src.read("feed.xml").count(b"<item>") == 2
    dest = make_project()
    result = dest.run("import", base + "/atom.xml", "--json",
                      "--config", str(dest.root / "config.yaml"))
    assert result.exit_code == 0, result.output[-2000:]
    titles = sorted(c["title"] for c in json.loads(result.output)["created"])
    assert titles == [f"Post {n}" for n in range(1, 6)]
    assert len(list((dest.root / "posts").glob("*.md"))) == 5
    # a new post moves post 4 from the main feed to an archive page: imported again, each is
    # still the one file
    src.write("posts/post6.md", post("Post 6", "2026-06-03", "The words of post 6, new."))
    assert src.run("publish").exit_code == 0
    (dest.root / "posts" / next(p.name for p in (dest.root / "posts").glob("*post-4*"))
     ).unlink()  # what the author deleted here stays deleted
    again = dest.run("import", base + "/atom.xml", "--json",
                     "--config", str(dest.root / "config.yaml"))
    assert again.exit_code == 0, again.output[-2000:]
    doc = json.loads(again.output)
    assert [c["title"] for c in doc["created"]] == ["Post 6"]
    assert len(list((dest.root / "posts").glob("*.md"))) == 5


def test_a_paged_feed_named_in_sources_is_imported_whole_by_publish(paged_site, make_project):
    base, _src, _asked = paged_site
    dest = make_project(config=BASE_CONFIG + f"sources:\n  - {base}/podcast.xml\n"
                                             "import_audio: keep-url\n")
    result = dest.run("publish")
    assert result.exit_code == 0, result.output[-2000:]
    titles = sorted(yaml.safe_load(p.read_text())["title"]
                    for p in (dest.root / "episodes").glob("*.yaml"))
    assert titles == [f"Episode {n}" for n in range(1, 6)]
    assert dest.read("podcast.xml").count(b"<item>") == 5


def test_a_page_that_fails_is_one_error_naming_it_and_nothing_is_imported(paged_site,
                                                                          make_project):
    base, src, _asked = paged_site
    src.public("podcast-archive-1.xml").unlink()
    dest = make_project()
    result = dest.run("import", base + "/podcast.xml", "--audio", "keep-url",
                      "--config", str(dest.root / "config.yaml"))
    assert result.exit_code != 0
    assert "podcast-archive-1.xml" in result.output and "404" in result.output
    assert "nothing of the feed was imported" in result.output
    assert "Traceback" not in result.output
    assert not list((dest.root / "episodes").iterdir())


# -- generated pages ---------------------------------------------------------------------------

PAGES: dict[str, bytes] = {}  # path -> body; a path not here answers 404
ASKED: list[str] = []


class Pages(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        ASKED.append(self.path)
        body = PAGES.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


SERVER, BASE = serve(Pages)
TMP = Path(tempfile.mkdtemp(prefix="paged-import-"))
SETTINGS = bare_settings(TMP)
WHEN = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _page(n: int, guids: list[str], links: list[tuple[str, str]], podcast: bool) -> bytes:
    items = []
    for g in guids:
        when = format_datetime(WHEN + dt.timedelta(days=int(g.split("-")[1])))
        audio = (f'<enclosure url="{BASE}/media/{g}.mp3" length="1000" type="audio/mpeg"/>'
                 if podcast else "")
        items.append(f"<item><title>Item {g}</title><guid isPermaLink=\"false\">{g}</guid>"
                     f"<pubDate>{when}</pubDate><description>The words of item {g} alone."
                     f"</description>{audio}</item>")
    link_xml = "".join(f'<atom:link rel="{rel}" href="{href}"/>' for rel, href in links)
    itunes = ("<itunes:author>A</itunes:author><itunes:explicit>false</itunes:explicit>"
              if podcast else "")
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            f'xmlns:atom="http://www.w3.org/2005/Atom" '
            f'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
            f"<title>Paged {n}</title><link>{BASE}/</link><description>d</description>"
            f"{itunes}{link_xml}{''.join(items)}</channel></rss>").encode()


@st.composite
def graphs(draw):
    """Pages 0..n-1 (0 is the feed), each with its items and the pages it links as older: any
    page (itself, one before it: cycles), the same one twice, a page that does not exist (-1),
    relative or absolute."""
    n = draw(st.integers(1, 8))
    items = [[f"g-{p * 10 + i}" for i in range(draw(st.integers(0, 3)))] for p in range(n)]
    # a newer page repeats an older page's item: the item once
    for p in range(1, n):
        if items[p] and draw(st.booleans()):
            items[p - 1].append(items[p][0])
    links = [draw(st.lists(st.tuples(st.sampled_from(["next", "prev-archive", "next-archive",
                                                       "current", "self"]),
                                     st.integers(-1, n - 1), st.booleans()), max_size=3))
             for _ in range(n)]
    for p in range(n - 1):  # mostly a chain
        if draw(st.integers(0, 4)):
            links[p].append(("prev-archive", p + 1, True))
    return n, items, links, draw(st.booleans())


def _reachable(links) -> set[int]:
    seen, todo = {0}, [0]
    while todo:
        for rel, to, _abs in links[todo.pop()]:
            if rel in paged.OLDER and to not in seen:
                seen.add(to)
                if to >= 0:
                    todo.append(to)
    return seen


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(graphs())
def test_any_graph_of_pages_gives_every_reachable_item_once_or_one_error(graph):
    n, items, links, podcast = graph
    PAGES.clear()
    ASKED.clear()
    path = {p: f"/page-{p}.xml" for p in range(n)} | {-1: "/gone.xml"}
    for p in range(n):
        hrefs = [(rel, (BASE if absolute else "") + path[to]) for rel, to, absolute in links[p]]
        PAGES[path[p]] = _page(p, items[p], hrefs, podcast)
    reach = _reachable(links)
    msg = ""
    try:
        got = read_source(BASE + path[0], SETTINGS)
    except SourceError as exc:
        msg = str(exc)
        assert "\n" not in msg
        if -1 in reach:
            assert "/gone.xml" in msg and "404" in msg
            return
    assert -1 not in reach, msg
    expected = {g for p in reach if p >= 0 for g in items[p]}
    if not expected:  # every page empty: said so
        assert "no entries" in msg
        return
    assert not msg, msg
    guids = [e.guid for e in got.episodes] if podcast else [f.guid for f in got]
    assert sorted(guids) == sorted(expected)  # every one, each once
    assert len(ASKED) == len(set(ASKED)) == len(reach)  # each page fetched once, cycles too
    if podcast:
        assert got.items == len(got.episodes) + len(got.left_out)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(2, 12), st.integers(1, 6))
def test_a_feed_of_more_pages_than_the_limit_is_one_error_naming_the_limit(n, limit):
    PAGES.clear()
    for p in range(n):
        links = [("next", f"{BASE}/page-{p + 1}.xml")] if p + 1 < n else []
        PAGES[f"/page-{p}.xml"] = _page(p, [f"g-{p}"], links, False)
    old, paged.MAX_PAGES = paged.MAX_PAGES, limit
    try:
        got = read_source(f"{BASE}/page-0.xml", SETTINGS)
        assert n <= limit and len(got) == n
    except SourceError as exc:
        assert n > limit and f"more than {limit} pages" in str(exc)
        assert "save its pages as files and import each file" in str(exc)
    finally:
        paged.MAX_PAGES = old


def teardown_module():
    SERVER.shutdown()
    SERVER.server_close()
    shutil.rmtree(TMP, ignore_errors=True)


def _rss_page(title: str, guid: str, link: str | None) -> str:
    atom = f'<atom:link rel="next" href="{link}"/>' if link else ""
    return ('<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
            f"<channel><title>Old</title><link>http://old.test/</link>{atom}"
            f"<item><title>{title}</title><guid>{guid}</guid>"
            "<pubDate>Mon, 05 Nov 2018 09:00:00 GMT</pubDate>"
            f"<description>Words of {title}.</description></item></channel></rss>")


@pytest.mark.parametrize("scheme", ["file", "ftp", "data", "javascript", "gopher"])
def test_a_page_link_that_is_not_http_is_refused_by_name_and_nothing_imported(
        tmp_path, make_project, scheme):
    secret = tmp_path / "secret.xml"
    secret.write_text(_rss_page("Secret", "s-1", None))
    link = {"file": secret.as_uri(), "ftp": "ftp://127.0.0.1/p1.xml",
            "data": "data:text/xml;base64,PHJzcy8+", "javascript": "javascript:alert(1)",
            "gopher": "gopher://127.0.0.1/p1"}[scheme]
    site = tmp_path / "site"
    site.mkdir()
    (site / "p1.xml").write_text(_rss_page("Second", "f-2", link))
    server, base, asked = serve_folder(site)
    try:
        (site / "p0.xml").write_text(_rss_page("First", "f-1", f"{base}/p1.xml"))
        dest = make_project()
        result = dest.run("import", "--audio", "keep-url", base + "/p0.xml",
                          "--config", str(dest.root / "config.yaml"))
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert f"its page 3 ({link}" in line and "is not an http(s) address" in line, line
    assert "nothing of the feed was imported" in line
    assert list((dest.root / "posts").glob("*")) == []
    assert asked == ["/p0.xml", "/p1.xml"]


@pytest.mark.parametrize("body", [
    "<!DOCTYPE html><html><body><article><h1>T</h1><p>x</p></article></body></html>",
    "<html><head><title>Not found</title></head><body>Gone</body></html>",
    "Just some words, no markup at all.",
])
def test_a_page_that_is_a_web_page_or_text_is_another_kind_of_source(tmp_path, make_project,
                                                                      body):
    site = tmp_path / "site"
    site.mkdir()
    (site / "p1.xml").write_text(body)
    server, base, _asked = serve_folder(site)
    try:
        (site / "p0.xml").write_text(_rss_page("First", "f-1", f"{base}/p1.xml"))
        dest = make_project()
        result = dest.run("import", "--audio", "keep-url", base + "/p0.xml",
                          "--config", str(dest.root / "config.yaml"))
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert f"its page 2 ({base}/p1.xml) is another kind of source than the feed" in line, line
    assert "no posts found" not in line
    assert list((dest.root / "posts").glob("*")) == []


@pytest.mark.parametrize("number", [1, 3, 5])  # on the oldest archive page, the next, the main
def test_a_paged_feeds_trailer_on_any_page_is_not_reported_left_behind(
        paged_site, make_project, number):
    base, src, _asked = paged_site
    src.write(f"episodes/ep{number}.yaml",
              sidecar(f"Episode {number}", f"2026-0{number}-02 08:00") + "type: trailer\n")
    assert src.run("publish").exit_code == 0
    assert b"<podcast:trailer" in src.read("podcast.xml")
    dest = make_project()
    result = dest.run("import", base + "/podcast.xml", "--audio", "keep-url", "--json",
                      "--config", str(dest.root / "config.yaml"))
    assert result.exit_code == 0, result.output[-2000:]
    doc = json.loads(result.output)
    assert [c for c in doc["channel"] if c["field"] == "podcast:trailer"] == []
    kinds = {yaml.safe_load(p.read_text())["title"]: yaml.safe_load(p.read_text()).get("type")
             for p in (dest.root / "episodes").glob("*.yaml")}
    assert kinds[f"Episode {number}"] == "trailer"
