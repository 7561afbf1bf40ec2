"""Check the live site as a podcast directory would: over HTTP, from its public address.

The feeds must parse, each page of them (RFC 5005 ``next`` links; JSON Feed's ``next_url``) too;
the podcast channel must carry the tags Apple requires; every enclosure and JSON attachment must
answer HEAD with its stated length and type and a byte-range GET with 206; the cover art must be
a square JPEG or PNG of 1400 to 3000 px, and it and each episode's art must decode whole (the
one image checker, ``images``). Then the pages (see ``crawl``): every page, image, transcript
and chapters file the feeds and the pages link to on the site answers 200, served as what it
is; first an address that cannot exist is asked, so a host answering every missing file with a
page and 200 is named, and each missing file it hides too.
"""

from __future__ import annotations

import io
import json
import secrets
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
from lxml import etree

from . import __version__
from . import http as bounded
from .chapterfile import check_chapters
from .config import Settings
from .crawl import (
    MIN_RATE,
    SLOW_SECONDS,
    TIMEOUT,
    AppFile,
    Fallback,
    Judge,
    crawl,
    digest,
    page_links,
    said_while_waiting,
)
from .errors import CollectError
from .images import image_size, read_header, served_art_problem
from .measurement import direct
from .mediatypes import CHAPTERS, TRANSCRIPT_SUFFIX_OF, main_type
from .model import parse_timestamp
from .render.podcast_ext import ITUNES, PODCAST
from .render.sitemap import sitemap_locs
from .transcripts import check_transcript, cues_within
from .urls import page_address, rebase, redact, redact_text

USER_AGENT = f"syndicate/{__version__} (feed check)"


@dataclass
class CheckReport:
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    external: int = 0  # links to other sites, not fetched unless asked
    down: dict[str, str] = field(default_factory=dict)  # host -> the address it left unanswered
    progress: Callable[[str], None] | None = None  # told each request as it is made
    asked: set[str] = field(default_factory=set)  # the addresses in ``checked``

    @property
    def ok(self) -> bool:
        return not self.problems


BODY_BYTES = 16 << 20  # the most read of one feed, page, sitemap or cover (a feed over 4 MB
# is warned about on publish already); audio bodies are never read, only their status lines
BODY_SECONDS = 120  # the longest one answer may take to arrive, however slowly it trickles
# SLOW_SECONDS: an answer still coming after this is said while it is waited for; MIN_RATE
# (bytes a second): an answer slower than this once SLOW_SECONDS passed is given up, and its
# host is asked nothing more (as one that ran out its deadline); the crawl's answers alike


@contextmanager
def _said_while_waiting(report: CheckReport, method: str, url: str):
    """Say a line if the answer to ``url`` is still being waited for after SLOW_SECONDS;
    yields a function that says it now if it was not said yet (once in all)."""
    with said_while_waiting(report.progress, method, url, SLOW_SECONDS, BODY_SECONDS) as say:
        yield say


def _host(url: str) -> str:
    """The host (and port) an address is asked of, never its user name or password: it is
    named in messages that are shown and kept."""
    return urlsplit(url).netloc.rpartition("@")[2].lower()


def _ask(session, url: str, report: CheckReport, method: str = "GET",
         **kw) -> requests.Response | None:
    """The answer to one request (its body not read yet: streamed), counted as asked; a host
    that gave no answer once is not asked again (each later address says so), so a host that
    accepts and never answers costs one timeout, not one for each address."""
    host = _host(url)
    if host in report.down:
        report.problems.append(f"{url}: not asked ({report.down[host]})")
        return None
    if url not in report.asked:  # (an audio file is asked twice: HEAD, then a range)
        report.asked.add(url)
        report.checked.append(url)
    if report.progress is not None:
        report.progress(f"{method} {url}")
    try:
        with bounded.within(BODY_SECONDS), _said_while_waiting(report, method, url):
            # (however slowly its headers trickle)
            if method == "HEAD":
                return session.head(url, timeout=TIMEOUT, allow_redirects=True, **kw)
            return session.get(url, timeout=TIMEOUT, stream=True, **kw)
    except bounded.TimedOut:
        report.down[host] = f"{host} gave no whole answer to {url}"
        report.problems.append(f"{url}: no whole answer to {method} within {BODY_SECONDS} s "
                               "(the headers trickle in); is the host overloaded?")
        return None
    except requests.RequestException as exc:
        if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
            report.down[host] = f"{host} gave no answer to {url}"
        report.problems.append(f"{url}: no answer to {method} ({_no_answer(exc)})")
        return None


def _no_answer(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return f"no connection within {TIMEOUT[0]} s; is the host up?"
    if isinstance(exc, requests.Timeout):
        return f"nothing arrived for {TIMEOUT[1]} s; is the host overloaded?"
    return type(exc).__name__


FEED_ADVICE = ("a feed or page this large is too big for readers: page the feed with "
               "blog.feed_items / podcast.feed_items")
SMALL_FILE_ADVICE = ("syndicate writes this file small: the host serves something else at this "
                     "address")


def _body(resp: requests.Response, url: str, report: CheckReport,
          cap: int | None = None, advice: str = FEED_ADVICE) -> bytes | None:
    """The body of ``resp``, read as it arrives up to ``cap`` bytes and ``BODY_SECONDS``;
    past either, None with the problem said (the rest is never read)."""
    cap = BODY_BYTES if cap is None else cap
    parts, size, start = [], 0, time.monotonic()
    host = _host(url)
    try:
        with resp, bounded.within(BODY_SECONDS), \
                _said_while_waiting(report, "GET", url) as say:
            bounded.watch(resp)  # (a body trickling a byte at a time too)
            for chunk in bounded.pieces(resp):
                size += len(chunk)
                if size > cap:
                    report.problems.append(
                        f"{url}: the answer is over {cap >> 20} MB, the most check reads of one "
                        f"file; reading stopped there ({advice})")
                    return None
                took = time.monotonic() - start
                if took > BODY_SECONDS:
                    return _too_slow(report, host, url, f"the answer took over {BODY_SECONDS} s "
                                     "to arrive; reading stopped there")
                if took > SLOW_SECONDS and size < MIN_RATE * took:
                    say()  # (the line comes before the verdict, whichever thread is first)
                    return _too_slow(report, host, url, (
                        f"the answer arrives at {size / took:,.0f} bytes a second, under the "
                        f"{MIN_RATE:,} check waits for; reading stopped after {took:.0f} s "
                        f"({size:,} bytes)"))
                parts.append(chunk)
    except bounded.TimedOut:
        return _too_slow(report, host, url, f"the answer took over {BODY_SECONDS} s to arrive; "
                         "reading stopped there")
    except requests.RequestException as exc:
        report.problems.append(f"{url}: the answer broke off ({_no_answer(exc)})")
        return None
    return b"".join(parts)


def _too_slow(report: CheckReport, host: str, url: str, why: str) -> None:
    """Say why the answer to ``url`` was given up; its host is asked nothing more."""
    report.problems.append(f"{url}: {why}; is the host overloaded?")
    report.down.setdefault(host, f"{host} answered {url} too slowly")
    return None


def _answered(session, url: str, report: CheckReport) -> bytes | None:
    """The body of the answer to a GET of ``url``, counted as asked, if it is HTTP 200 (read
    up to ``BODY_BYTES``); else None with the problem said."""
    resp = _ask(session, url, report)
    if resp is None:
        return None
    if resp.status_code != 200:
        resp.close()
        report.problems.append(f"{url}: HTTP {resp.status_code}")
        return None
    return _body(resp, url, report)


def _feed(session, url: str, report: CheckReport) -> etree._Element | None:
    body = _answered(session, url, report)
    if body is None:
        return None
    try:
        return etree.fromstring(body, etree.XMLParser(resolve_entities=False))
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
    head = heads[media] = _ask(session, media, report, "HEAD")
    if head is None:
        return
    if head.status_code != 200:
        report.problems.append(f"{media}: HEAD answered {head.status_code}")
        return
    _stated(head, media, length, kind, report, says)
    part = _ranged(session, media, report)
    if part is not None and part != (206, 2):
        report.problems.append(f"{media}: a byte-range request got {part[0]}, not 206 with the "
                               "2 bytes asked (podcast apps need range requests to stream and "
                               "seek)")


def _ranged(session, media: str, report: CheckReport) -> tuple[int, int] | None:
    """(status, bytes of body up to 3) of a GET of the first two bytes: an answer that is not
    206 is judged by its status line, its body (maybe the whole episode) never read."""
    resp = _ask(session, media, report, headers={"Range": "bytes=0-1"})
    if resp is None:
        return None
    with resp:
        if resp.status_code != 206:
            return resp.status_code, 0
        try:
            with bounded.within(BODY_SECONDS):
                bounded.watch(resp)
                return 206, len(resp.raw.read(3, decode_content=True) or b"")
        except (requests.RequestException, OSError, ValueError, bounded.TimedOut) as exc:
            report.problems.append(f"{media}: the byte-range answer broke off "
                                   f"({type(exc).__name__})")
            return None


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
    body = _answered(session, url, report)
    if body is None:
        return None
    try:
        doc = json.loads(body)
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
    """The show's cover: a square JPEG or PNG of 1400 to 3000 px, whole (read as publish
    reads a new one)."""
    size = _art(session, url, report, "cover art")
    if size is not None and (size[0] != size[1] or not 1400 <= size[0] <= 3000):
        report.problems.append(f"{url}: cover art is {size[0]}x{size[1]} px; Apple needs a "
                               "square of 1400 to 3000 px")


def _art(session, url: str, report: CheckReport, what: str) -> tuple[int, int] | None:
    """Art as the host serves it, read through the one image checker: its (width, height) when
    it is a whole JPEG or PNG, else None with the problem said."""
    resp = _ask(session, url, report)
    if resp is None:
        return None
    status, kind = resp.status_code, resp.headers.get("Content-Type")
    if status != 200:
        resp.close()
        report.problems.append(f"{url}: {what} is not a JPEG or PNG (HTTP {status})")
        return None
    body = _body(resp, url, report)
    if body is None:
        return None  # too big or too slow, said
    size = image_size(body)
    if size is None:
        report.problems.append(f"{url}: {what} is not a JPEG or PNG (HTTP 200, served as "
                               f"{main_type(kind) or 'no Content-Type'})")
        return None
    wrong = served_art_problem(body, PurePosixPath(urlsplit(url).path).suffix)
    if wrong:
        report.problems.append(f"{url}: {what}: {wrong}")
        return None
    header = read_header(io.BytesIO(body))
    want = f"image/{header[0].lower()}" if header else None
    if want and main_type(kind) != want:  # apps and directories go by the type served
        served = main_type(kind) or "no Content-Type"
        report.problems.append(f"{url}: {what} is served as {served}, where {want} belongs")
        return None
    return size


def _episode_art(session, roots: list[etree._Element], report: CheckReport, moved,
                 done: set[str]) -> None:
    """Each episode's own art (its item's itunes:image), once each, read as the cover is."""
    for root in roots:
        for image in root.iterfind(f"channel/item/{{{ITUNES}}}image"):
            href = (image.get("href") or "").strip()
            if not href:
                continue
            url = moved(href)
            if url not in done:
                done.add(url)
                _art(session, url, report, "episode art")


def check_site(settings: Settings, base_url: str | None = None,
               session: requests.Session | None = None, *, pages: bool = True,
               external: bool = False,
               progress: Callable[[str], None] | None = None) -> CheckReport:
    """Fetch the published feeds and what they point to, then (with ``pages``) every page and
    file on the site they and the pages link to (and, with ``external``, the links to other
    sites too); report every problem found (with every address redacted: no credential in an
    address is shown); ``progress`` is told each request as it is made."""
    report = CheckReport(progress=(lambda text: progress(redact_text(text))) if progress
                         else None)
    _check_site(report, settings, base_url, session, pages, external)
    report.problems = [redact_text(p) for p in report.problems]
    report.checked = [redact(u) for u in report.checked]
    return report


def _check_site(report: CheckReport, settings: Settings, base_url: str | None,
                session: requests.Session | None, pages: bool = True,
                external: bool = False) -> None:
    cfg = settings.config
    base = (base_url or cfg.site.url).rstrip("/") + "/"
    site = cfg.site.url.rstrip("/") + "/"

    def moved(url: str) -> str:
        """An address under site.url as the copy at ``--url`` has it (the copy's own)."""
        return rebase(url, site, base) if base != site else url

    prefix = cfg.podcast.measurement_prefix

    def media(url: str) -> str:
        """An enclosure's own address on this copy (not through the measurement prefix: a
        check is no download)."""
        return moved(direct(url, prefix))

    session = session or bounded.session()
    session.headers["User-Agent"] = USER_AGENT
    feeds: dict[str, etree._Element] = {}
    heads: dict = {}  # each audio file's HEAD answer, asked once

    def every_page(path: str) -> list:  # a feed and its archive pages (RFC 5005)
        return _pages_of(session, base + path, report, _feed, _older, moved, base)

    for path in (cfg.blog.rss_path, cfg.blog.atom_path):
        feeds.update(every_page(path))
    feed_url = base + cfg.podcast.feed_path
    art: set[str] = set()  # the art read already
    for number, (url, root) in enumerate(every_page(cfg.podcast.feed_path)):
        feeds[url] = root
        if number == 0:
            _channel(root, feed_url, report)
            image = root.find(f"channel/{{{ITUNES}}}image")
            if image is not None and image.get("href"):
                art.add(moved(image.get("href")))
                _cover(session, moved(image.get("href")), report)
        for item in root.iterfind("channel/item"):
            _enclosure(session, item, url, report, media, heads)
        _episode_art(session, [root], report, moved, art)
    items: list[tuple[str, str]] = []  # the JSON feeds' items' pages, to be fetched
    for path in (cfg.blog.json_path, cfg.podcast.json_path):
        for url, doc in _pages_of(session, base + path, report, _json_feed,
                                  lambda d: d.get("next_url") if isinstance(
                                      d.get("next_url"), str) else None, moved, base):
            items += _json_items(session, url, doc, report, media, heads)
    if pages:
        _pages(base, page_address(base, "", cfg.site.links), feeds, report, external,
               [*_site_maps(session, base, report, moved), *items], moved, session,
               links_file=cfg.site.links == "file")


SITEMAP_BYTES = 50 << 20  # the sitemaps protocol's own limit for one file


def _site_maps(session, base: str, report: CheckReport,
               moved=lambda u: u) -> list[tuple[str, str]]:
    """The pages robots.txt and sitemap.xml name (a site without them is not wrong: nothing has
    to link them): (address, the file that names it) pairs, so no published page is missed
    because no other page links it."""
    found: list[tuple[str, str]] = []
    maps = [base + "sitemap.xml"]
    robots = base + "robots.txt"
    text = _optional(session, robots, report, BODY_BYTES)
    if text is not None:
        for line in text.decode("utf-8", "replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                maps.append(moved(value.strip()))
    for url in dict.fromkeys(maps):
        if not url.startswith(base):
            continue  # another site's sitemap is not ours to check
        body = _optional(session, url, report, SITEMAP_BYTES)
        if body is None:
            continue
        try:
            locs = sitemap_locs(body)
        except ValueError as exc:
            report.problems.append(f"{url}: not a sitemap ({exc})")
            continue
        found += [(moved(loc), url) for loc in locs]
    return found


def _optional(session, url: str, report: CheckReport, cap: int) -> bytes | None:
    """The body of a file a site may leave out (robots.txt, a sitemap): None when it is not
    there (no problem) or could not be read (the problem said)."""
    resp = _ask(session, url, report)
    if resp is None:
        return None
    if resp.status_code != 200:
        resp.close()
        return None
    return _body(resp, url, report, cap, SMALL_FILE_ADVICE)


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


# what a podcast app expects at the address each type names, as check says it is not
_KIND = {".vtt": "WebVTT transcript", ".srt": "SRT transcript", ".json": "JSON transcript",
         ".html": "HTML transcript", ".txt": "text transcript"}


def _judge(read: Callable[[bytes], object], kind: str) -> Judge:
    """A crawl judge: what ``read`` (the project's own reader of such a file) finds wrong."""

    def judge(body: bytes) -> str | None:
        try:
            read(body)
        except CollectError as exc:
            where = f"line {exc.line}: " if exc.line else ""
            return f"not a {kind} podcast apps can read ({where}{exc.reason})"
        return None

    return judge


def app_files(feeds: dict[str, etree._Element], moved=lambda u: u) -> dict[str, AppFile]:
    """For each transcript and chapters file the podcast feeds name (podcast:transcript by its
    declared type, podcast:chapters), its address on this copy of the site, its declared type
    and what reads it back as a podcast app would."""
    out: dict[str, AppFile] = {}
    for feed_url, root in feeds.items():
        for el in root.iter(f"{{{PODCAST}}}transcript", f"{{{PODCAST}}}chapters"):
            if not (el.get("url") or "").strip():
                continue
            length = _item_length(el)
            try:
                url = urldefrag(moved(urljoin(feed_url, el.get("url").strip())))[0]
            except ValueError:  # an address no app could follow: the crawl says so
                continue
            kind = (el.get("type") or "").split(";")[0].strip().lower()
            if el.tag == f"{{{PODCAST}}}chapters":
                if kind == CHAPTERS:
                    out.setdefault(url, AppFile(_judge(
                        lambda b, u=url, n=length: check_chapters(b, u, n), "chapters file"),
                        kind))
                continue
            suffix = TRANSCRIPT_SUFFIX_OF.get(kind)
            if suffix is not None:
                out.setdefault(url, AppFile(_judge(
                    lambda b, u=url, x=suffix, n=length: _transcript(b, x, u, n),
                    _KIND[suffix]), kind))
    return out


def _transcript(data: bytes, suffix: str, shown: str, length: float | None) -> None:
    text = check_transcript(data, suffix, shown)
    if length is not None:
        cues_within(text, suffix, shown, length)


def _item_length(el: etree._Element) -> float | None:
    """The itunes:duration of the item holding ``el``, in seconds (None when it has none)."""
    item = el.getparent()
    while item is not None and item.tag != "item":
        item = item.getparent()
    text = item.findtext(f"{{{ITUNES}}}duration") if item is not None else None
    try:
        return parse_timestamp(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


def _fallback(session, base: str, report: CheckReport) -> Fallback | None:
    """Ask for an address that cannot exist: a host that answers it with 200 answers every
    missing file so (an SPA fallback, an error page set to answer 200, Netlify's
    `/* /index.html 200`), so no missing file is ever a 404. That is named once, and what it
    answered is returned, for the crawl to know a missing file by."""
    probe = f"{base}syndicate-check-missing-{secrets.token_hex(6)}"
    resp = _ask(session, probe, report)
    if resp is None:
        return None
    if resp.status_code != 200:
        resp.close()
        return None
    body = _body(resp, probe, report, PAGE_PROBE_BYTES, SMALL_FILE_ADVICE)
    report.problems.append(
        f"{probe}: HTTP 200 for an address that cannot exist: this host answers every missing "
        "file with a page and 200 (a single-page-app fallback, or an error page set to answer "
        "200), so apps and browsers get that page instead of a 404; have it answer a missing "
        "address with 404 (the site's 404.html)")
    return Fallback("" if body is None else digest(body))  # ('': no answer is that page)


PAGE_PROBE_BYTES = 8 << 20  # the most read of the answer to an address that cannot exist


def _pages(base: str, home: str, feeds: dict[str, etree._Element], report: CheckReport,
           external: bool, named: list[tuple[str, str]], moved=lambda u: u,
           session=None, links_file: bool = False) -> None:
    host = _host(base)
    if host not in report.down:
        if report.progress is not None:
            report.progress(f"crawling the pages of {base}")
        fallback = _fallback(session or bounded.session(), base, report)
    if host in report.down:  # (before, or the probe's answer did not come)
        report.problems.append(f"{base}: its pages were not crawled ({report.down[host]})")
        return
    if fallback is not None:
        fallback = Fallback(fallback.digest, frozenset({base, base + "index.html", home,
                                                        base + "404.html"}))
    start = [(home, None), *named]  # the home page, in the site's link style
    for url, root in feeds.items():
        start += [(moved(link), url) for link in feed_links(root, url)]
    done = set(report.checked)  # the feeds, the cover, the enclosures and the probe
    found = crawl(base, start, user_agent=USER_AGENT, done=done, external=external,
                  moved=moved, app_files=app_files(feeds, moved), fallback=fallback,
                  slow=(SLOW_SECONDS, MIN_RATE), progress=report.progress,
                  links_file=links_file)
    report.checked += found.checked
    report.problems += found.problems()
    report.external = len(found.external)
