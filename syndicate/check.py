"""Check the live site as a podcast directory would: over HTTP, from its public address.

The feeds must parse, each page of them (RFC 5005 ``next`` links; JSON Feed's ``next_url``) too;
the podcast channel must carry the tags Apple requires; every enclosure and JSON attachment must
answer HEAD with its stated length and type and a byte-range GET with 206; the cover art must be
a square JPEG or PNG of 1400 to 3000 px. Then the pages (see ``crawl``): every page,
image, transcript and chapters file the feeds and the pages link to on the site answers 200.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urljoin

import requests
from lxml import etree

from . import __version__
from .config import Settings
from .crawl import crawl, page_links
from .images import image_size
from .render.podcast_ext import ITUNES, PODCAST
from .urls import page_address, rebase, redact, redact_text

USER_AGENT = f"syndicate/{__version__} (feed check)"
TIMEOUT = 20


@dataclass
class CheckReport:
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    external: int = 0  # links to other sites, not fetched unless asked

    @property
    def ok(self) -> bool:
        return not self.problems


def _get(session: requests.Session, url: str, report: CheckReport,
         **kw) -> requests.Response | None:
    try:
        return session.get(url, timeout=TIMEOUT, **kw)
    except requests.RequestException as exc:
        report.problems.append(f"{url}: no answer ({type(exc).__name__})")
        return None


def _answered(session, url: str, report: CheckReport):
    """The answer to a GET of ``url``, counted as checked, if it is HTTP 200; else None with
    the problem said."""
    resp = _get(session, url, report)
    if resp is None:
        return None
    report.checked.append(url)
    if resp.status_code != 200:
        report.problems.append(f"{url}: HTTP {resp.status_code}")
        return None
    return resp


def _feed(session, url: str, report: CheckReport) -> etree._Element | None:
    resp = _answered(session, url, report)
    if resp is None:
        return None
    try:
        return etree.fromstring(resp.content, etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        report.problems.append(f"{url}: not well-formed XML ({exc})")
        return None


def _channel(root: etree._Element, url: str, report: CheckReport) -> None:
    ch = root.find("channel")
    if ch is None:
        report.problems.append(f"{url}: no <channel>")
        return
    required = {
        "title": ch.findtext("title"), "link": ch.findtext("link"),
        "description": ch.findtext("description"), "language": ch.findtext("language"),
        "itunes:image": (ch.find(f"{{{ITUNES}}}image") is not None
                         and ch.find(f"{{{ITUNES}}}image").get("href")),
        "itunes:category": (ch.find(f"{{{ITUNES}}}category") is not None
                            and ch.find(f"{{{ITUNES}}}category").get("text")),
        "itunes:explicit": ch.findtext(f"{{{ITUNES}}}explicit") in ("true", "false"),
        "itunes:author": ch.findtext(f"{{{ITUNES}}}author"),
        "itunes:owner/itunes:email": ch.findtext(f"{{{ITUNES}}}owner/{{{ITUNES}}}email"),
        "podcast:guid": ch.findtext(f"{{{PODCAST}}}guid"),
    }
    for tag, value in required.items():
        if not value:
            report.problems.append(f"{url}: channel lacks a valid <{tag}>")


def _enclosure(session, item: etree._Element, url: str, report: CheckReport,
               moved=lambda u: u, heads: dict | None = None) -> None:
    title = item.findtext("title") or "(untitled)"
    enc = item.find("enclosure")
    if enc is None or not enc.get("url"):
        report.problems.append(f"{url}: item {title!r} has no enclosure")
        return
    if not item.findtext("guid"):
        report.problems.append(f"{url}: item {title!r} has no guid")
    _media(session, moved(enc.get("url")), enc.get("length"), enc.get("type"), report,
           "the feed", heads)


def _media(session, media: str, length: str | None, kind: str | None, report: CheckReport,
           says: str, heads: dict | None = None) -> None:
    """An episode's audio answers HEAD with the length and type the feed (or the JSON feed)
    states, and a byte-range GET with 206; ``heads`` keeps each address's HEAD answer, so audio
    named by several feeds is fetched once."""
    heads = {} if heads is None else heads
    if media in heads:
        head = heads[media]
        if head is None or head.status_code != 200:
            return
        _stated(head, media, length, kind, report, says)
        return
    try:
        head = session.head(media, timeout=TIMEOUT, allow_redirects=True)
    except requests.RequestException as exc:
        heads[media] = None
        report.problems.append(f"{media}: no answer to HEAD ({type(exc).__name__})")
        return
    heads[media] = head
    report.checked.append(media)
    if head.status_code != 200:
        report.problems.append(f"{media}: HEAD answered {head.status_code}")
        return
    _stated(head, media, length, kind, report, says)
    part = _get(session, media, report, headers={"Range": "bytes=0-1"})
    if part is not None and (part.status_code != 206 or len(part.content) != 2):
        report.problems.append(f"{media}: a byte-range request got {part.status_code}, not 206 "
                               "(podcast apps need range requests to stream and seek)")


def _stated(head, media: str, length: str | None, kind: str | None, report: CheckReport,
            says: str) -> None:
    if length is not None and head.headers.get("Content-Length") != length:
        report.problems.append(f"{media}: Content-Length {head.headers.get('Content-Length')} "
                               f"but {says} says {length}")
    if (head.headers.get("Content-Type") or "").split(";")[0] != kind:
        report.problems.append(f"{media}: Content-Type {head.headers.get('Content-Type')} but "
                               f"{says} says {kind}")


MAX_PAGES = 1000  # pages of one feed followed (RFC 5005 links, JSON Feed's next_url)


def _older(root: etree._Element) -> str | None:
    """The address of the page a feed page names as holding older entries (rel="next")."""
    parent = root.find("channel") if root.tag == "rss" else root
    for link in (parent if parent is not None else root).iterfind(f"{{{_ATOM}}}link"):
        if "next" in (link.get("rel") or "").split() and link.get("href"):
            return link.get("href").strip()
    return None


def _pages_of(session, url: str, report: CheckReport, read, older, moved, base: str) -> list:
    """(address, document) of the feed at ``url`` and each page it leads to by ``older``
    (each page's link to the next older one), read by ``read``; a page that leads off the
    site or back to one already read is a problem."""
    out, seen = [], set()
    while url and len(out) < MAX_PAGES:
        doc = read(session, url, report)
        if doc is None:
            break
        seen.add(url)
        out.append((url, doc))
        nxt = older(doc)
        if not nxt:
            break
        nxt = moved(urljoin(url, nxt))
        if not nxt.startswith(base):
            report.problems.append(f"{url}: its next page {nxt} is not on the site")
            break
        if nxt in seen:
            report.problems.append(f"{url}: its next page {nxt} was read already (a loop)")
            break
        url = nxt
    return out


def _json_feed(session, url: str, report: CheckReport) -> dict | None:
    """A JSON Feed read as a reader reads it: HTTP 200, JSON, version 1.1's items list."""
    resp = _answered(session, url, report)
    if resp is None:
        return None
    try:
        doc = json.loads(resp.content)
    except ValueError as exc:
        report.problems.append(f"{url}: not JSON ({exc})")
        return None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
            "https://jsonfeed.org/version/") or not isinstance(doc.get("items"), list):
        report.problems.append(f"{url}: not a JSON Feed (no version or items)")
        return None
    return doc


def _json_items(session, url: str, doc: dict, report: CheckReport, moved, heads: dict) -> list:
    """Each item's attachments answer as the feed states them; returns (address, the JSON
    feed) of each item's own page, for the crawl to fetch."""
    pages = []
    for item in doc["items"]:
        if not isinstance(item, dict):
            report.problems.append(f"{url}: an item that is not an object")
            continue
        if not item.get("id"):
            report.problems.append(f"{url}: item {item.get('title')!r} has no id")
        if isinstance(item.get("url"), str):
            pages.append((moved(urljoin(url, item["url"])), url))
        for att in item.get("attachments") or []:
            if not isinstance(att, dict) or not isinstance(att.get("url"), str):
                report.problems.append(f"{url}: item {item.get('title')!r} has an attachment "
                                       "without a url")
                continue
            size = att.get("size_in_bytes")
            _media(session, moved(urljoin(url, att["url"])),
                   str(size) if isinstance(size, int) else None, att.get("mime_type"), report,
                   "the JSON feed", heads)
    return pages


def _cover(session, url: str, report: CheckReport) -> None:
    resp = _get(session, url, report)
    if resp is None:
        return
    report.checked.append(url)
    size = image_size(resp.content) if resp.status_code == 200 else None
    if size is None:
        report.problems.append(f"{url}: cover art is not a JPEG or PNG (HTTP {resp.status_code})")
    elif size[0] != size[1] or not 1400 <= size[0] <= 3000:
        report.problems.append(f"{url}: cover art is {size[0]}x{size[1]} px; Apple needs a "
                               "square of 1400 to 3000 px")


def check_site(settings: Settings, base_url: str | None = None,
               session: requests.Session | None = None, *, pages: bool = True,
               external: bool = False) -> CheckReport:
    """Fetch the published feeds and what they point to, then (with ``pages``) every page and
    file on the site they and the pages link to (and, with ``external``, the links to other
    sites too); report every problem found (with every address redacted: no credential in an
    address is shown)."""
    report = _check_site(settings, base_url, session, pages, external)
    report.problems = [redact_text(p) for p in report.problems]
    report.checked = [redact(u) for u in report.checked]
    return report


def _check_site(settings: Settings, base_url: str | None,
                session: requests.Session | None, pages: bool = True,
                external: bool = False) -> CheckReport:
    cfg = settings.config
    base = (base_url or cfg.site.url).rstrip("/") + "/"
    site = cfg.site.url.rstrip("/") + "/"

    def moved(url: str) -> str:
        """An address under site.url as the copy at ``--url`` has it (the copy's own)."""
        return rebase(url, site, base) if base != site else url

    session = session or requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    report = CheckReport()
    feeds: dict[str, etree._Element] = {}
    heads: dict = {}  # each audio file's HEAD answer, asked once

    def every_page(path: str) -> list:  # a feed and its archive pages (RFC 5005)
        return _pages_of(session, base + path, report, _feed, _older, moved, base)

    for path in (cfg.blog.rss_path, cfg.blog.atom_path):
        feeds.update(every_page(path))
    feed_url = base + cfg.podcast.feed_path
    for number, (url, root) in enumerate(every_page(cfg.podcast.feed_path)):
        feeds[url] = root
        if number == 0:
            _channel(root, feed_url, report)
            image = root.find(f"channel/{{{ITUNES}}}image")
            if image is not None and image.get("href"):
                _cover(session, moved(image.get("href")), report)
        for item in root.iterfind("channel/item"):
            _enclosure(session, item, url, report, moved, heads)
    items: list[tuple[str, str]] = []  # the JSON feeds' items' pages, to be fetched
    for path in (cfg.blog.json_path, cfg.podcast.json_path):
        for url, doc in _pages_of(session, base + path, report, _json_feed,
                                  lambda d: d.get("next_url") if isinstance(
                                      d.get("next_url"), str) else None, moved, base):
            items += _json_items(session, url, doc, report, moved, heads)
    if pages:
        _pages(base, page_address(base, "", cfg.site.links), feeds, report, external,
               [*_site_maps(session, base, report, moved), *items], moved)
    return report


SITEMAP_BYTES = 50 << 20  # the sitemaps protocol's own limit for one file
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _site_maps(session, base: str, report: CheckReport,
               moved=lambda u: u) -> list[tuple[str, str]]:
    """The pages robots.txt and sitemap.xml name (a site without them is not wrong: nothing has
    to link them): (address, the file that names it) pairs, so no published page is missed
    because no other page links it."""
    found: list[tuple[str, str]] = []
    maps = [base + "sitemap.xml"]
    robots = base + "robots.txt"
    try:
        resp = session.get(robots, timeout=TIMEOUT)
    except requests.RequestException:
        resp = None
    if resp is not None and resp.status_code == 200:
        report.checked.append(robots)
        for line in resp.text[:SITEMAP_BYTES].splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                maps.append(moved(value.strip()))
    for url in dict.fromkeys(maps):
        if not url.startswith(base):
            continue  # another site's sitemap is not ours to check
        try:
            resp = session.get(url, timeout=TIMEOUT)
        except requests.RequestException:
            continue
        if resp.status_code != 200 or len(resp.content) > SITEMAP_BYTES:
            continue
        report.checked.append(url)
        try:
            root = etree.fromstring(resp.content, etree.XMLParser(resolve_entities=False,
                                                                  no_network=True))
        except etree.XMLSyntaxError:
            report.problems.append(f"{url}: not a sitemap (the XML does not parse)")
            continue
        found += [(moved(loc.text.strip()), url) for loc in root.iter(f"{{{_SITEMAP_NS}}}loc")
                  if loc.text and loc.text.strip()]
    return found


_ATOM = "http://www.w3.org/2005/Atom"
_NOT_PAGES = {"self", "hub", "enclosure"}  # a feed's own address, WebSub hubs, audio


def feed_links(root: etree._Element, feed_url: str) -> list[str]:
    """The addresses a feed links for a reader to follow: item and channel links, art,
    transcripts, chapters, and the addresses in item bodies (its enclosures are not here)."""
    out: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if local == "enclosure" or el.get("rel") in _NOT_PAGES:
            continue
        for name in ("href", "url"):
            if el.get(name):
                out.append(el.get(name).strip())
        if local in ("link", "url") and el.text and el.text.strip():  # RSS <link>, <image><url>
            out.append(el.text.strip())
        elif local in ("encoded", "description", "content", "summary") and el.text \
                and "<" in el.text:
            out += page_links(el.text, feed_url)
    return out


def _pages(base: str, home: str, feeds: dict[str, etree._Element], report: CheckReport,
           external: bool, named: list[tuple[str, str]], moved=lambda u: u) -> None:
    start = [(home, None), *named]  # the home page, in the site's link style
    for url, root in feeds.items():
        start += [(moved(link), url) for link in feed_links(root, url)]
    done = set(report.checked)  # the feeds, the cover and the enclosures
    found = crawl(base, start, user_agent=USER_AGENT, done=done, external=external,
                  moved=moved)
    report.checked += found.checked
    report.problems += found.problems()
    report.external = len(found.external)
