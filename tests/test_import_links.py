"""Relative addresses in imported content resolve against the entry's base, as a feed reader
would resolve them: the xml:base in effect (on the feed, the entry or the content, itself
relative to the feed's address), else the entry's link, else the feed's link, else the feed's
address; an HTML page's <base href>, else the page's address. Generated feeds, RSS and Atom,
with known answers."""

from __future__ import annotations

import http.server
import re
from html import escape
from urllib.parse import urljoin, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, serve
from syndicate.importer import SourceError
from syndicate.importer.html import absolute_links
from syndicate.importer.sources import parse

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FEED_URLS = [None, "http://old.example/feeds/main.xml", "https://blog.example.org/a/b/feed"]
BASES = [None, None, "http://cdn.example/base/", "/root/", "sub/", "../up/", "https://x.example"]
FEED_LINKS = [None, "http://old.example/blog/", "https://www.example.com/", "/relative/blog/"]
ITEM_LINKS = [None, "http://old.example/2019/post.html", "/2019/rel.html", "entry?id=3"]
REFS = ["img.png", "/about", "../x/y.html", "sub/p?q=1", "//cdn.example.net/i.png",
        "https://abs.example/z", "mailto:a@b.example", "#fn1"]


def _absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def known_base(feed_url, feed_base, entry_base, content_base, feed_link, item_link):
    """The answer, from the rule: the xml:base chain, else the entry's link, else the feed's
    link, else the feed's address (each link relative to what comes after it); a base still
    relative is taken against the feed's link."""
    chain = [b for b in (feed_base, entry_base, content_base) if b]
    site = urljoin(feed_url or "", feed_link) if feed_link else None
    if chain:
        base = feed_url or ""
        for b in chain:
            base = urljoin(base, b)
    elif item_link:
        base = urljoin(site or feed_url or "", item_link)
    else:
        base = site or feed_url
    if base and not _absolute(base) and (site or feed_url):
        base = urljoin(site or feed_url, base)
    return base


def expected(base: str | None, ref: str) -> str:
    if ref.startswith("#") or re.match(r"[a-z]+:", ref) or not _absolute(base):
        return ref
    return urljoin(base, ref)


def _attr(name: str, value: str | None) -> str:
    return f' {name}="{escape(value)}"' if value else ""


@st.composite
def linked_feeds(draw):
    """(feed bytes, feed URL, [(refs, expected base)] per entry)."""
    atom = draw(st.booleans())
    feed_url = draw(st.sampled_from(FEED_URLS))
    feed_base = draw(st.sampled_from(BASES))
    feed_link = draw(st.sampled_from(FEED_LINKS))
    answers, items = [], []
    for n in range(draw(st.integers(1, 4))):
        entry_base, content_base = draw(st.sampled_from(BASES)), draw(st.sampled_from(BASES))
        item_link = draw(st.sampled_from(ITEM_LINKS))
        refs = draw(st.lists(st.sampled_from(REFS), min_size=1, max_size=4))
        html = f"<p>Entry number {n} has words.</p><p>" + " ".join(
            (f'<img src="{escape(r)}" alt="pic{i}">' if i % 2 else
             f'<a href="{escape(r)}">link{i}</a>') for i, r in enumerate(refs)) + "</p>"
        date = f"2020-01-{n + 1:02d}T10:00:00Z" if atom else f"0{n + 1} Jan 2020 10:00:00 GMT"
        if atom:
            link = f'<link rel="alternate" href="{escape(item_link)}"/>' if item_link else ""
            items.append(f"<entry{_attr('xml:base', entry_base)}><title>Entry {n}</title>"
                         f"<id>tag:old.example,2020:{n}</id>{link}<published>{date}</published>"
                         f"<content type=\"html\"{_attr('xml:base', content_base)}>"
                         f"{escape(html)}</content></entry>")
        else:
            link = f"<link>{escape(item_link)}</link>" if item_link else ""
            items.append(f"<item{_attr('xml:base', entry_base)}><title>Entry {n}</title>"
                         f'<guid isPermaLink="false">old-{n}</guid>{link}'
                         f"<pubDate>{date}</pubDate>"
                         f"<content:encoded{_attr('xml:base', content_base)}>"
                         f"<![CDATA[{html}]]></content:encoded></item>")
        answers.append((refs, known_base(feed_url, feed_base, entry_base, content_base,
                                         feed_link, item_link)))
    if atom:
        link = f'<link rel="alternate" href="{escape(feed_link)}"/>' if feed_link else ""
        doc = (f'<feed xmlns="http://www.w3.org/2005/Atom"{_attr("xml:base", feed_base)}>'
               f"<title>Old</title><id>tag:old.example,2020:feed</id>{link}"
               "<updated>2020-02-01T00:00:00Z</updated>" + "".join(items) + "</feed>")
    else:
        link = f"<link>{escape(feed_link)}</link>" if feed_link else ""
        doc = (f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
               f'{_attr("xml:base", feed_base)}><channel><title>Old</title>{link}'
               "<description>d</description>" + "".join(items) + "</channel></rss>")
    return doc.encode(), feed_url, answers


def _targets(markdown: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)", markdown)


@FAST
@given(linked_feeds())
def test_relative_addresses_resolve_against_each_entrys_base(case):
    data, feed_url, answers = case
    found = parse(data, feed_url or "old-feed.xml")
    assert len(found) == len(answers)
    for f, (refs, base) in zip(found, answers, strict=True):
        assert _targets(f.body) == [expected(base, r) for r in refs], (base, f.body)
        assert f"Entry number {found.index(f)} has words." in f.body  # nothing lost
        changed = [c for c in f.fields.changed if c["field"] == "content"]
        resolved = sum(expected(base, r) != r for r in refs)
        assert (f"{resolved} relative address" in changed[0]["why"]) == bool(resolved)


@FAST
@given(st.sampled_from(["http://old.example/blog/post/", "https://b.example/x?y=1"]),
       st.lists(st.sampled_from(REFS), min_size=1, max_size=5))
def test_every_kind_of_address_attribute_is_resolved(base, refs):
    html = "".join(
        f'<img src="{r}" srcset="{r} 1x, {r} 2x"><video poster="{r}"><source src="{r}">'
        f'</video><blockquote cite="{r}">q</blockquote><a href="{r}">a</a>' for r in refs)
    out, changed = absolute_links(html, base)
    for r in refs:
        want = expected(base, r)
        assert f'src="{want}"' in out and f'poster="{want}"' in out and f'cite="{want}"' in out
        assert f'srcset="{want} 1x, {want} 2x"' in out and f'href="{want}"' in out
    assert changed == sum(6 for r in refs if expected(base, r) != r)
    assert absolute_links(html, None) == (html, 0)  # no base: as written


def test_an_html_pages_base_href_then_its_address():
    page = (b'<html><head><base href="/static/"></head><body><article><h1>T</h1>'
            b'<time datetime="2020-01-02">x</time><div class="entry-content"><p>Words here. '
            b'<img src="a.png" alt="a"> <a href="#fn1">1</a> <a href="../b">b</a></p></div>'
            b"</article></body></html>")
    found = parse(page, "https://old.example/2020/01/post.html")
    assert _targets(found[0].body) == ["https://old.example/static/a.png", "#fn1",
                                       "https://old.example/b"]
    without = parse(page.replace(b'<base href="/static/">', b""),
                    "https://old.example/2020/01/post.html")
    assert _targets(without[0].body) == ["https://old.example/2020/01/a.png", "#fn1",
                                         "https://old.example/2020/b"]


def test_an_imported_remote_feed_resolves_against_its_address(make_project):
    feed = (b'<rss version="2.0"><channel><title>Old</title><item><title>Pictures</title>'
            b'<guid isPermaLink="false">p1</guid><pubDate>Mon, 06 Jan 2020 10:00:00 GMT</pubDate>'
            b'<description><![CDATA[<p>See <img src="img/cat.png" alt="cat"> and '
            b'<a href="/about">about</a>.</p>]]></description></item></channel></rss>')

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(feed)))
            self.end_headers()
            self.wfile.write(feed)

    server, url = serve(Handler)
    try:
        proj = make_project({}, config=BASE_CONFIG)
        result = proj.run("import", f"{url}/blog/feed.xml", "--config",
                          str(proj.root / "config.yaml"))
        assert result.exit_code == 0, result.output
        text = (proj.root / "posts/2020-01-06-pictures.md").read_text()
        assert f"![cat]({url}/blog/img/cat.png)" in text and f"[about]({url}/about)" in text
    finally:
        server.shutdown()


addresses = st.one_of(st.sampled_from([*REFS, "http://[broken/", "http://a b/", "\\x", ""]),
                      st.text(max_size=30))


@FAST
@given(st.booleans(), addresses, addresses, addresses, addresses)
def test_any_base_or_address_imports_or_is_one_named_error(atom, feed_base, base, link, ref):
    def attr(name, value):
        return f' {name}="{escape(value)}"' if value else ""

    html = escape(f'<p>Some words <a href="{escape(ref)}">x</a> '
                  f'<img srcset="{escape(ref)} 2x"></p>')
    if atom:
        doc = (f'<feed xmlns="http://www.w3.org/2005/Atom"{attr("xml:base", feed_base)}>'
               f'<title>T</title><id>i</id><entry{attr("xml:base", base)}><title>E</title>'
               f'<id>e</id><link href="{escape(link)}"/><link rel="related" href="/r"/>'
               "<published>2020-01-01T00:00:00Z</published>"
               f'<content type="html">{html}</content></entry></feed>')
    else:
        doc = (f'<rss version="2.0"{attr("xml:base", feed_base)}><channel><title>T</title>'
               f"<link>{escape(link)}</link><item{attr('xml:base', base)}><title>E</title>"
               f"<guid>{escape(link)}</guid><link>{escape(ref)}</link>"
               f"<pubDate>Wed, 01 Jan 2020 00:00:00 GMT</pubDate>"
               f"<description>{html}</description></item></channel></rss>")
    try:
        found = parse(doc.encode("utf-8", "surrogatepass"), "https://old.example/feed.xml")
    except SourceError as exc:
        assert "internal error" not in str(exc)
        return
    assert "Some words" in found[0].body
