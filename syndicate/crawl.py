"""Check the site's pages as a visitor's browser would: every page, image, transcript and
chapters file the feeds and the pages link to on the site must answer 200.

The crawl starts from the addresses the feeds give and from the home page, follows the links
of each page it fetches, stays within the site's address, asks for each address once (its
fragment dropped), a few at a time, and stops after ``limit`` addresses. Links to other sites
are only counted, unless ``external`` asks for them to be fetched too (never followed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import requests

from . import http as bounded
from .links import clean, has_scheme

WORKERS = 4  # a small pool: a check is a visitor, not a load test
LIMIT = 20_000  # addresses checked at most (a site of 2,000 posts and 500 episodes is ~6,000)
PAGE_BYTES = 8 << 20  # a page read for its links; past this its links are not followed
FILE_BYTES = 16 << 20  # a transcript or chapters file read back to be judged (check's cap)
TIMEOUT = (10, 15)  # seconds to connect, and to wait for each piece of an answer
ANSWER_SECONDS = 120  # the longest one whole answer may take, however slowly it trickles
_PAGE_TYPES = ("text/html", "application/xhtml+xml")
Judge = Callable[[bytes], "str | None"]  # what is wrong with a file's body, or None
NO_INDEX = (" (its index.html is there: this host serves no index document for a folder, as a "
            "plain S3 endpoint does not; serve the site from a website endpoint or a CDN, or "
            "link the pages by their index.html)")


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


class _Fetcher:
    """One requests session per worker thread (a session is not shared between threads)."""

    def __init__(self, user_agent: str):
        self.user_agent = user_agent
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "s"):
            self.local.s = bounded.session()
            self.local.s.headers["User-Agent"] = self.user_agent
        return self.local.s

    def fetch(self, url: str, read: bool, judge: Judge | None = None
              ) -> tuple[str | None, str | None, str]:
        """(what is wrong or None, the page's text when ``read`` and it is a page, where it
        landed after any redirect: its links are relative to that). ``judge`` reads the body
        of a file a podcast app reads (a transcript, chapters) and says what is wrong."""
        try:
            with bounded.within(ANSWER_SECONDS), \
                    self.session().get(url, timeout=TIMEOUT, stream=True) as resp:
                if resp.status_code != 200:
                    return f"HTTP {resp.status_code}", None, url
                kind = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                if judge is not None:
                    body = _read(resp, FILE_BYTES)
                    if body is None:
                        return (f"the file is over {FILE_BYTES >> 20} MB, the most check reads "
                                "of one; what is in it was not checked"), None, url
                    return judge(body), None, url
                if not read or kind not in _PAGE_TYPES:
                    return None, None, url
                body = _read(resp, PAGE_BYTES)
                if body is None:
                    return (f"the page is over {PAGE_BYTES >> 20} MB, the most check reads "
                            "of one page; its links were not followed"), None, url
                if not body.removeprefix(b"\xef\xbb\xbf").strip():  # (a BOM shows nothing)
                    return ("an empty page (" + ("0 bytes" if not body else "only white "
                            "space") + "): publish the site again"), None, url
                if b"\0" in body:  # no page holds a NUL: zeros over it (a copy cut short)
                    return ("the page holds zero bytes (a copy cut short or damaged): publish "
                            "the site again"), None, url
                # a page without a charset in its header is read as UTF-8 (as ours say inside)
                header = resp.headers.get("Content-Type") or ""
                charset = resp.encoding if "charset" in header.lower() else "utf-8"
                try:
                    text = body.decode(charset or "utf-8", errors="replace")
                except LookupError:  # a charset Python does not know
                    text = body.decode("utf-8", errors="replace")
                return None, text, resp.url or url
        except bounded.TimedOut:
            return f"no whole answer within {ANSWER_SECONDS} s", None, url
        except requests.RequestException as exc:
            return f"no answer ({type(exc).__name__})", None, url


def _read(resp: requests.Response, cap: int) -> bytes | None:
    """The body of ``resp`` as it arrives, or None once it passes ``cap`` bytes."""
    body = b""
    for chunk in resp.iter_content(65536):
        body += chunk
        if len(body) > cap:
            return None
    return body


def crawl(site: str, start: Iterable[tuple[str, str | None]], *, user_agent: str,
          done: Iterable[str] = (), external: bool = False, limit: int = LIMIT,
          workers: int = WORKERS, moved: Callable[[str], str] = lambda u: u,
          judges: dict[str, Judge] | None = None) -> CrawlReport:
    """Check every address reachable from ``start`` ((address, the page that links it or
    None) pairs) within ``site``; ``done``: addresses checked already (the enclosures);
    ``moved``: where a link is found on this copy of the site (its public address mapped);
    ``judges``: for the addresses of files apps read (as this copy has them), what reads each
    body and says what is wrong with it."""
    judges = judges or {}
    report = CrawlReport()
    fetcher = _Fetcher(user_agent)
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
            results = list(pool.map(lambda u: fetcher.fetch(u, True, judges.get(u)), batch))
            for url, (wrong, text, landed) in zip(batch, results, strict=True):
                report.checked.append(url)
                if wrong:
                    if wrong == "HTTP 404" and url.endswith("/") and \
                            fetcher.fetch(url + "index.html", False)[0] is None:
                        wrong += NO_INDEX
                    report.broken.append(Broken(url, wrong, referrers.get(url, [])))
                elif text is not None:  # its links are relative to where it landed
                    for link in page_links(text, landed):
                        offer(link, url)
        if external and report.external:
            results = list(pool.map(lambda u: fetcher.fetch(u, False), report.external))
            for url, (wrong, _, _) in zip(report.external, results, strict=True):
                report.checked.append(url)
                if wrong:
                    report.broken.append(Broken(url, wrong, referrers.get(url, [])))
    return report
