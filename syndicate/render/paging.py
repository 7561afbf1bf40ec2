"""RFC 5005 paged feeds: the main feed holds the newest N entries, older ones go to archive
pages numbered from the oldest, so that a new entry changes only the main feed and the newest
archive page (a full page never changes again unless one of its items is edited or removed:
see ``stable_split``).

Heads: a full archive page must not change when the show's settings do, or every cached copy
disagrees with the fresh one for the week it is cached. So an archive page's channel holds only
what a reader of the page needs beside its items: RSS 2.0's required title, link and description
(the title stands for the description), the language, the links below and ``fh:archive``; the
podcast's pages also the show's ``podcast:guid`` (its identity for life, which names the show a
page belongs to); the JSON pages and the blog's Atom pages also the author, whom those formats
make the author of every item that names none. Everything else of the channel (Apple's tags,
the cover, copyright, the Podcast Index channel tags, a move) is the main feed's alone: Apple
reads only the main feed, and podcastparser and feedparser read a show's details from the feed
they were given, the main one, following ``next`` only for items.

Links: the main feed names the newest archive page as ``next`` (paging, section 3) and
``prev-archive`` (archiving, section 4); each archive page names the main feed as ``current``,
the page before it as ``prev-archive`` and ``next``, and carries ``fh:archive``. No page names the
one after it (``next-archive``): that link would rewrite a full page when a new one begins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

ATOM = "http://www.w3.org/2005/Atom"
FH = "http://purl.org/syndication/history/1.0"

# the podcast channel's values an archive page keeps ("explicit": its items' default, which an
# item that states none shows as its own; not written as the channel's)
PODCAST_HEAD = ("title", "link", "language", "guid", "explicit")

T = TypeVar("T")


def _around(feed_key: str) -> tuple[str, str]:
    """What comes before and after the page number in the keys of a feed's archive pages."""
    folder, _, name = feed_key.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    before, after = (f"{stem}-archive-", f".{ext}") if dot and stem else (f"{name}-archive-", "")
    return (f"{folder}/{before}" if folder else before), after


def archive_key(feed_key: str, number: int) -> str:
    """The key of archive page ``number`` (1 = the oldest entries) of the feed at ``feed_key``:
    ``podcast.xml`` has ``podcast-archive-1.xml``, ``podcast-archive-2.xml``..."""
    before, after = _around(feed_key)
    return f"{before}{number}{after}"


def is_archive_of(feed_key: str, key: str) -> bool:
    """Whether ``key`` is one of the archive pages of the feed at ``feed_key``."""
    return archive_matcher([feed_key])(key)


def archive_matcher(feed_keys: Sequence[str]) -> Callable[[str], bool]:
    """A test of whether a key is an archive page of one of the feeds at ``feed_keys`` (their
    keys' parts worked out once, for a test of many keys)."""
    parts = [_around(f) for f in feed_keys]

    def matches(key: str) -> bool:
        for before, after in parts:
            if not (key.startswith(before) and key.endswith(after)) \
                    or len(key) <= len(before) + len(after):
                continue
            number = key[len(before):len(key) - len(after)]
            if number.isascii() and number.isdigit() and not number.startswith("0"):
                return True
        return False

    return matches


def podcast_head(channel: dict, page_url: str) -> dict:
    """The channel of the podcast's archive page at ``page_url``, from the main feed's
    ``channel`` (see ``render.feeds.render_podcast``)."""
    return {**{k: channel[k] for k in PODCAST_HEAD}, "feed_url": page_url, "archive_page": True}


def split(entries: Sequence[T], n: int | None) -> tuple[list[T], list[list[T]]]:
    """(the main feed's entries, the archive pages oldest first), from entries newest first.
    Each page holds ``n`` entries, the newest page up to ``n``; ``None``: one feed of all."""
    entries = list(entries)
    if n is None or len(entries) <= n:
        return entries, []
    older = entries[n:][::-1]  # oldest first
    pages = [older[i:i + n][::-1] for i in range(0, len(older), n)]  # each newest first
    return entries[:n], pages


def add_links(xml: bytes, links: list[tuple[str, str]], *, archive: bool) -> bytes:
    """The feed (RSS or Atom) with these ``(rel, href)`` links after its self link, and
    ``fh:archive`` when it is an archive page."""
    from lxml import etree

    root = etree.fromstring(xml)
    parent = root.find("channel") if root.tag == "rss" else root
    anchor = parent.find(f"{{{ATOM}}}link[@rel='self']")
    for rel, href in reversed(links):
        link = etree.Element(f"{{{ATOM}}}link", href=href, rel=rel)
        if anchor is not None:
            anchor.addnext(link)
        else:
            parent.insert(0, link)
    if archive:
        parent.insert(0, etree.Element(f"{{{FH}}}archive", nsmap={"fh": FH}))
    etree.cleanup_namespaces(root, top_nsmap={"fh": FH} if archive else None)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def page_links(feed_url: str, urls: list[str], number: int | None) -> list[tuple[str, str]]:
    """The links of the main feed (``number`` None) or of archive page ``number`` (1-based),
    given the archive pages' URLs oldest first."""
    if number is None:
        return [("next", urls[-1]), ("prev-archive", urls[-1])] if urls else []
    links = [("current", feed_url)]
    if number > 1:
        links += [("prev-archive", urls[number - 2]), ("next", urls[number - 2])]
    return links


def stable_split(entries: Sequence[T], n: int | None, guid, placed: dict[str, int],
                 full: int = 0) -> tuple[list[T], list[list[T]], dict[str, int], int]:
    """``split``, with the pages already full kept as they were: ``placed`` maps the guid of
    each entry on a full page to its page's number, and ``full`` is how many pages were full
    once (as the last publish left them). Such an entry stays on its page: a removal leaves
    its page one entry shorter, or empty, and no page is renumbered. The other entries, newest
    first, fill the main feed, then pages after the last full one, oldest first, so a new
    entry dated before the others (an import) goes to the newest page. Returns the main
    feed's entries, the pages (oldest first, each newest first), and ``placed`` and ``full``
    for the next publish, the pages full now included."""
    entries = list(entries)
    if n is None:
        return entries, [], {}, 0
    kept = {guid(e): placed[guid(e)] for e in entries if guid(e) in placed}
    last = max(full, *kept.values()) if kept else full
    frozen: list[list[T]] = [[] for _ in range(last)]
    free: list[T] = []
    for e in entries:
        number = kept.get(guid(e))
        if number is None:
            free.append(e)
        else:
            frozen[number - 1].append(e)
    main, pages = split(free, n)
    now, count = dict(kept), last
    for at, page in enumerate(pages, start=last + 1):
        if len(page) == n:
            now.update((guid(e), at) for e in page)
            count = at
    return main, frozen + pages, now, count
