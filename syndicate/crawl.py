"""Check the site's pages as a visitor's browser would: every page, image, transcript and
chapters file the feeds and the pages link to on the site must answer 200.

The crawl starts from the addresses the feeds give and from the home page, follows the links
of each page it fetches, stays within the site's address, asks for each address once (its
fragment dropped), a few at a time, and stops after ``limit`` addresses. Links to other sites
are only counted, unless ``external`` asks for them to be fetched too (never followed).

What each answer is served as counts too: a page must come as HTML (it is read for its links
whatever it comes as), a file whose name gives a type must not come as a page (an error page,
or a host's fallback for a missing address), and a transcript or chapters file must come as the
type its feed declares. An answer slower than the least rate once the slow mark passed is given
up, as check gives up one of the feeds'.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import requests

from . import http as bounded
from .check_limits import FILE_BYTES, PAGE_BYTES
from .links import clean, has_scheme
from .mediatypes import PAGE_TYPES, SERVED_AS, UNKNOWN, main_type, of_key

WORKERS = 4  # a small pool: a check is a visitor, not a load test
LIMIT = 20_000  # addresses checked at most (a site of 2,000 posts and 500 episodes is ~6,000)
TIMEOUT = (10, 15)  # seconds to connect, and to wait for each piece of an answer
ANSWER_SECONDS = 120  # the longest one whole answer may take, however slowly it trickles
SLOW_SECONDS = 15  # an answer still coming after this is said while it is waited for
MIN_RATE = 1024  # bytes a second: an answer slower than this once SLOW_SECONDS passed is given
# up (check's answers alike)
Judge = Callable[[bytes], "str | None"]  # what is wrong with a file's body, or None
NO_INDEX = (" (its index.html is there: this host serves no index document for a folder, as a "
            "plain S3 endpoint does not; {fix}, or serve the site from a website endpoint or a "
            "CDN)")
NO_INDEX_FIX = {False: "set `site.links: file` in config.yaml and publish again",
                True: "the site's own links name index.html already (`site.links: file`): "
                      "link it as .../index.html where it is written"}


@contextmanager
def said_while_waiting(progress: Callable[[str], None] | None, method: str, url: str,
                       after: float, deadline: float):
    """Tell ``progress`` a line if the answer to ``url`` is still being waited for ``after``
    seconds; yields a function that says it now if it was not said yet (once in all)."""
    lock, said = threading.Lock(), []

    def say() -> None:
        with lock:
            if progress is not None and not said:
                said.append(True)
                progress(f"{method} {url}: still waiting for the answer after {after:g} s "
                         f"(it may take up to {deadline:g} s)")

    timer = None
    if progress is not None:
        timer = threading.Timer(after, say)
        timer.daemon = True
        timer.start()
    try:
        yield say
    finally:
        if timer is not None:
            timer.cancel()


class _TooSlow(Exception):
    """An answer arriving under the least rate once the slow mark passed (its text: why)."""


class _Links(HTMLParser):
    """The addresses a page links: href, src and poster of any element; srcset candidates."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src", "poster"):
                if tag == "base" and name == "href":
                    self.base = self.base or value
                else:
                    self.found.append(value)
            elif name == "srcset":
                self.found += [c.strip().split()[0] for c in value.split(",") if c.strip()]


def page_links(text: str, page_url: str) -> list[str]:
    """Every address an HTML page (or fragment) links, absolute, without its fragment."""
    parser = _Links()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):  # HTMLParser on markup no browser would keep
        pass
    base = urljoin(page_url, clean(parser.base)) if parser.base else page_url
    out = []
    for value in parser.found:
        address = clean(value)
        if has_scheme(address) and not address.lower().startswith(("http:", "https:")):
            continue  # mailto:, tel:, data:, javascript: lead to no page
        try:
            out.append(urldefrag(urljoin(base, address))[0])
        except ValueError:  # an address no browser could follow ('http://[x')
            out.append(address)
    return out


@dataclass
class Broken:
    url: str
    why: str  # "HTTP 404", "no answer (ConnectionError)"
    linked_from: list[str] = field(default_factory=list)


@dataclass
class CrawlReport:
    checked: list[str] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)
    external: list[str] = field(default_factory=list)  # links to other sites (not fetched)
    stopped: bool = False  # the limit was reached before every address was checked

    def problems(self) -> list[str]:
        """One line for each broken link, naming the pages that link it (pages before feeds;
        the feeds were fetched before the crawl, so pages are the addresses it checked)."""
        out = []
        pages = set(self.checked)
        for b in self.broken:
            # up to three pages, then every feed (there are few): where to fix it
            linking = [r for r in b.linked_from if r in pages]
            refs = linking[:3] + [r for r in b.linked_from if r not in pages]
            shown = ", ".join(refs) or "the start"
            more = f" and {len(linking) - 3} more pages" if len(linking) > 3 else ""
            out.append(f"{b.url}: {b.why}, linked from {shown}{more}")
        if self.stopped:
            out.append(f"stopped after {len(self.checked)} addresses; the rest were not checked")
        return out


def within(url: str, site: str) -> bool:
    """Whether ``url`` lies under the site's address (its scheme, host, port and path)."""
    u, s = urlsplit(url), urlsplit(site)
    return (u.scheme.lower(), u.netloc.lower()) == (s.scheme.lower(), s.netloc.lower()) and \
        (u.path or "/").startswith(s.path or "/")


@dataclass(frozen=True)
class AppFile:
    """A file podcast apps read (a transcript, chapters): what reads its body back and says
    what is wrong with it, and the type the feed declares it as."""

    judge: Judge
    declared: str


@dataclass(frozen=True)
class Fallback:
    """What a host answers an address that cannot exist with, when it answers 200 (an SPA
    fallback, an error page set to answer 200): the sha256 of that body, and the addresses
    whose own page it may be (the home page, the 404 page), not named for it."""

    digest: str
    own: frozenset[str] = frozenset()


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _page_like(url: str) -> bool:
    """Whether an address names a page syndicate publishes as HTML: a folder (its index.html)
    or an .html file."""
    path = urlsplit(url).path
    return path.endswith(("/", ".html", ".htm")) or not path


def _named_type(url: str) -> str | None:
    """The type a file's name says it is (its extension, by the one table), when it says one
    that is not a page's."""
    path = urlsplit(url).path
    kind = main_type(of_key(path.rsplit("/", 1)[-1]))
    return None if kind in (main_type(UNKNOWN), *PAGE_TYPES) else kind


class _Fetcher:
    """One requests session per worker thread (a session is not shared between threads)."""

    def __init__(self, user_agent: str, fallback: Fallback | None = None,
                 slow: tuple[float, float] = (SLOW_SECONDS, MIN_RATE),
                 progress: Callable[[str], None] | None = None):
        self.user_agent = user_agent
        self.fallback = fallback
        self.slow, self.progress = slow, progress
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "s"):
            self.local.s = bounded.session()
            self.local.s.headers["User-Agent"] = self.user_agent
        return self.local.s

    def fetch(self, url: str, read: bool, app: AppFile | None = None
              ) -> tuple[str | None, str | None, str]:
        """(what is wrong or None, the page's text when ``read`` and it is a page, where it
        landed after any redirect: its links are relative to that). ``read`` also means the
        address is the site's own, so what it is served as is judged: a page must come as
        HTML (and is read for its links whatever it comes as), a file named as something else
        must not come as a page, and ``app`` (a file a podcast app reads: a transcript,
        chapters) must come as the type its feed declares, its body read back and judged."""
        try:
            with bounded.within(ANSWER_SECONDS), \
                    said_while_waiting(self.progress, "GET", url, self.slow[0],
                                       ANSWER_SECONDS) as self.local.say, \
                    self.session().get(url, timeout=TIMEOUT, stream=True) as resp:
                if resp.status_code != 200:
                    return f"HTTP {resp.status_code}", None, url
                landed = resp.url or url
                kind = main_type(resp.headers.get("Content-Type"))
                if read and kind in PAGE_TYPES and not _page_like(landed) and (
                        app is not None or _named_type(landed)):
                    return self._page_instead(app.declared if app else _named_type(landed),
                                              kind), None, url
                if app is not None:
                    return self._app_file(resp, kind, app), None, url
                if not read or (kind not in PAGE_TYPES and not _page_like(landed)):
                    return None, None, url
                typed = None if kind in PAGE_TYPES else (
                    f"served as {kind or 'no Content-Type'}, not text/html: browsers show it "
                    "as text or download it instead of showing the page; serve .html files "
                    "as text/html")
                return self._page(resp, url, landed, typed)
        except _TooSlow as exc:
            return str(exc), None, url
        except bounded.TimedOut:
            return f"no whole answer within {ANSWER_SECONDS} s", None, url
        except requests.RequestException as exc:
            return f"no answer ({type(exc).__name__})", None, url

    def _read(self, resp: requests.Response, cap: int) -> bytes | None:
        """The body of ``resp`` as it arrives, or None once it passes ``cap`` bytes; raises
        _TooSlow once the slow mark passed with the answer coming under the least rate."""
        after, rate = self.slow
        parts, size, start = [], 0, time.monotonic()
        for chunk in bounded.pieces(resp):
            size += len(chunk)
            if size > cap:
                return None
            took = time.monotonic() - start
            if took > after and size < rate * took:
                self.local.say()  # (the line comes before the verdict)
                raise _TooSlow(f"the answer arrives at {size / took:,.0f} bytes a second, "
                               f"under the {rate:,.0f} check waits for; reading stopped after "
                               f"{took:.0f} s ({size:,} bytes)")
            parts.append(chunk)
        return b"".join(parts)

    def _page_instead(self, named: str, kind: str) -> str:
        """What is wrong with a file answered by a page."""
        if self.fallback is not None:
            return (f"not there: the host answers it with a page ({kind}, HTTP 200), as it "
                    "answers any missing address")
        return (f"served as {kind}, a page, where a {named} file belongs: the host serves a "
                "page (an error page?) in its place")

    def _app_file(self, resp: requests.Response, kind: str, app: AppFile) -> str | None:
        """What is wrong with a transcript or chapters file: its type, then its body."""
        wrong = []
        if kind not in SERVED_AS.get(app.declared, (app.declared,)):
            wrong.append(f"served as {kind or 'no Content-Type'}, but the feed declares it "
                         f"{app.declared}: apps and browsers go by the type served")
        body = self._read(resp, FILE_BYTES)
        if body is None:
            wrong.append(f"the file is over {FILE_BYTES >> 20} MB, the most check reads of "
                         "one; what is in it was not checked")
        else:
            wrong.append(app.judge(body))
        return "; ".join(w for w in wrong if w) or None

    def _page(self, resp: requests.Response, url: str, landed: str, typed: str | None
              ) -> tuple[str | None, str | None, str]:
        """A page's body judged (its type as ``typed`` says), and its text for its links."""
        def wrong(why: str) -> str:
            return f"{typed}; {why}" if typed else why

        body = self._read(resp, PAGE_BYTES)
        if body is None:
            return wrong(f"the page is over {PAGE_BYTES >> 20} MB, the most check reads of one "
                         "page; its links were not followed"), None, url
        if not body.removeprefix(b"\xef\xbb\xbf").strip():  # (a BOM shows nothing)
            return wrong("an empty page (" + ("0 bytes" if not body else "only white space")
                         + "): publish the site again"), None, url
        if b"\0" in body:  # no page holds a NUL: zeros over it (a copy cut short)
            return wrong("the page holds zero bytes (a copy cut short or damaged): publish the "
                         "site again"), None, url
        fallback = self.fallback
        if fallback is not None and digest(body) == fallback.digest and \
                url not in fallback.own and landed not in fallback.own:
            return ("not there: the host answers it with the same page (HTTP 200) as an "
                    "address that cannot exist"), None, url
        # a page without a charset in its header is read as UTF-8 (as ours say inside)
        header = resp.headers.get("Content-Type") or ""
        charset = resp.encoding if "charset" in header.lower() else "utf-8"
        try:
            text = body.decode(charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            text = body.decode("utf-8", errors="replace")
        return typed, text, landed


def crawl(site: str, start: Iterable[tuple[str, str | None]], *, user_agent: str,
          done: Iterable[str] = (), external: bool = False, limit: int = LIMIT,
          workers: int = WORKERS, moved: Callable[[str], str] = lambda u: u,
          app_files: dict[str, AppFile] | None = None,
          fallback: Fallback | None = None,
          slow: tuple[float, float] = (SLOW_SECONDS, MIN_RATE),
          progress: Callable[[str], None] | None = None,
          links_file: bool = False) -> CrawlReport:
    """Check every address reachable from ``start`` ((address, the page that links it or
    None) pairs) within ``site``; ``done``: addresses checked already (the enclosures);
    ``moved``: where a link is found on this copy of the site (its public address mapped);
    ``app_files``: for the addresses of files apps read (as this copy has them), the type each
    is declared as and what reads its body and says what is wrong with it; ``fallback``: what
    the host answers a missing address with, when that is a 200 (so such an answer is named);
    ``slow``: (the slow mark in seconds, the least rate in bytes a second past it): an answer
    still awaited at the mark is told to ``progress``, and one coming slower is given up."""
    app_files = app_files or {}
    report = CrawlReport()
    fetcher = _Fetcher(user_agent, fallback, slow, progress)
    seen = {urldefrag(u)[0] for u in done}
    referrers: dict[str, list[str]] = {}
    pending: list[str] = []

    def offer(url: str, by: str | None) -> None:
        url = urldefrag(moved(url))[0]
        if by is not None:
            refs = referrers.setdefault(url, [])
            if by not in refs and len(refs) < 50:
                refs.append(by)
        if url in seen:
            return
        seen.add(url)
        try:
            inside = within(url, site)
        except ValueError:  # an address no browser could follow
            report.broken.append(Broken(url, "not a valid address", referrers.get(url, [])))
            return
        if inside:
            pending.append(url)
        elif url.lower().startswith(("http://", "https://")):
            report.external.append(url)

    for url, by in start:
        offer(url, by)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while pending:
            room = limit - len(report.checked)
            if room <= 0:
                report.stopped = True
                break
            batch = pending[:room]
            del pending[:room]
            results = list(pool.map(lambda u: fetcher.fetch(u, True, app_files.get(u)),
                                    batch))
            for url, (wrong, text, landed) in zip(batch, results, strict=True):
                report.checked.append(url)
                if wrong:
                    if wrong == "HTTP 404" and url.endswith("/") and \
                            fetcher.fetch(url + "index.html", False)[0] is None:
                        wrong += NO_INDEX.format(fix=NO_INDEX_FIX[links_file])
                    report.broken.append(Broken(url, wrong, referrers.get(url, [])))
                if text is not None:  # its links are relative to where it landed
                    for link in page_links(text, landed):
                        offer(link, url)
        if external and report.external:
            results = list(pool.map(lambda u: fetcher.fetch(u, False), report.external))
            for url, (wrong, _, _) in zip(report.external, results, strict=True):
                report.checked.append(url)
                if wrong:
                    report.broken.append(Broken(url, wrong, referrers.get(url, [])))
    return report
