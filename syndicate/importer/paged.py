"""A source feed split into pages (RFC 5005): the feed first fetched holds the newest items and
links older ones, as ``next`` (paging) or ``prev-archive`` (archiving). An import follows those
links so that a show that pages its feed comes whole.

Each page is fetched once (a link back to a page seen, a cycle, is not followed again), at most
MAX_PAGES in all. A page that cannot be fetched or read fails the whole source, naming the page:
the import then writes nothing of it, rather than a back catalogue with a hole. An item a newer
page already gave (the same guid) is the newer page's (RFC 5005, section 4).
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urldefrag, urljoin, urlsplit

from ..urls import redact
from . import EmptyFeed, Found, SourceError

ATOM = "http://www.w3.org/2005/Atom"
OLDER = ("next", "prev-archive")  # the relations that lead to older entries
MAX_PAGES = 500  # pages of one feed, the first included
_REL = re.compile(rb"""rel\s*=\s*["'][^"']*\b(?:next|prev-archive)\b""")  # (a quick look first)


def older_pages(data: bytes, url: str) -> list[str]:
    """The addresses (absolute) of the pages a feed page links as holding older entries;
    none when it links none or does not parse (its reader names what is wrong)."""
    if not _REL.search(data):
        return []
    from lxml import etree

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                      load_dtd=False, huge_tree=True))
    except (etree.XMLSyntaxError, ValueError):
        return []
    parent = root.find("channel") if root.tag == "rss" else root
    if parent is None:
        return []
    found = []
    for link in parent.iterfind(f"{{{ATOM}}}link"):
        rels = (link.get("rel") or "").split()
        href = (link.get("href") or "").strip()
        if href and any(r in OLDER for r in rels):
            try:
                address = urldefrag(urljoin(url, href)).url
            except ValueError:
                continue
            found.append(address)  # (one not http(s) is refused, by name, when followed)
    return list(dict.fromkeys(found))


def follow(source: str, data: bytes, first_url: str, links: list[str], fetch, parse,
           limit: int | None = None):
    """What the feed at ``first_url`` (its bytes ``data``) holds with the items of every older
    page its ``links`` lead to, fetched with ``fetch`` and read with ``parse`` (data, name); at
    most ``limit`` pages (default MAX_PAGES). A page with no entries adds none (a paged feed
    may begin with an empty one); a feed whose every page is empty says so."""
    limit = limit or MAX_PAGES
    seen = {urldefrag(first_url).url, urldefrag(source).url}
    empty: EmptyFeed | None = None
    try:
        pages = [parse(data, first_url)]
    except EmptyFeed as exc:
        pages, empty = [], exc
    queue = [u for u in links if u not in seen]
    fetched = 1
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if fetched >= limit:
            raise SourceError(f"{redact(source)}: the feed is split into more than {limit} pages "
                              "(RFC 5005 'next'/'prev-archive' links); nothing of it was "
                              "imported: save its pages as files and import each file (a file "
                              "is read alone; a page's address follows its links again), or ask "
                              "the old host for a feed of every item")
        fetched += 1
        where = f"{redact(source)}: its page {fetched} ({redact(url)})"
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise SourceError(f"{where} is not an http(s) address, so it was not fetched; "
                              "nothing of the feed was imported: import the pages you can "
                              "reach as files, one by one")
        try:
            data, final = fetch(url)
            _a_feed(data, where)
            seen.add(urldefrag(final).url)
            queue += [u for u in older_pages(data, final) if u not in seen]
            page = parse(data, final)
        except EmptyFeed:
            continue
        except _NotAFeed:
            raise
        except SourceError as exc:
            raise SourceError(f"{where} failed, so nothing of the feed was imported: "
                              f"{exc}") from None
        if pages and type(page) is not type(pages[0]):
            raise SourceError(f"{where} is {_kind(page)}, not {_kind(pages[0])} like the feed; "
                              "nothing of the feed was imported")
        pages.append(page)
    if not pages:
        raise empty or EmptyFeed(f"{redact(source)}: the feed has no entries")
    return _merge(pages, first_url)


class _NotAFeed(SourceError):
    """A page that is a web page or text, not a page of the feed (its message says so)."""


def _a_feed(data: bytes, where: str) -> None:
    """SourceError when a page is a web page or plain text, not a page of the feed."""
    from .sources import _unicode, kind_of

    text = _unicode(data)
    kind = kind_of(text[:4096] if text is not None else data[:4096].decode("latin-1"))
    if kind in ("html", "text") and data.strip():
        what = "a web page" if kind == "html" else "plain text"
        raise _NotAFeed(f"{where} is another kind of source than the feed ({what}, not a "
                          "feed page); nothing of the feed was imported")


def _kind(result) -> str:
    return "a blog's feed" if isinstance(result, list) else f"a podcast {result.kind}"


def _merge(pages: list, name: str):
    """One source's items from its pages, newest page first; an item given twice is the newer
    page's. Each item is the feed's (``name``), whichever page gave it: an item moves to an
    older page as new ones come, and stays the item it was (its line, on a page, is left out)."""
    if isinstance(pages[0], list):
        out: list[Found] = []
        known: set[str] = set()
        for number, page in enumerate(pages):
            for found in page:
                key = found.guid or found.old_link
                if key and key in known:
                    continue
                if key:
                    known.add(key)
                out.append(replace(found, order=(number, found.order[1])) if number == 0 else
                           replace(found, order=(number, found.order[1]), source=name,
                                   line=None))
        return out
    feed = pages[0]
    known = {ep.guid for ep in feed.episodes}
    for page in pages[1:]:
        for ep in page.episodes:
            if ep.guid in known:
                feed.items -= 1  # the newer page's item stands for it
                continue
            known.add(ep.guid)
            feed.episodes.append(ep)
        feed.left_out += page.left_out
        feed.trailer_audio |= page.trailer_audio  # (its trailer may be on any page)
        feed.items += page.items
    return feed
