"""Links in a released item's body to the pages of the site's own posts and episodes.

A body may link another item's page (``[the plans](../secret-plans/)``). One whose item is not
released (a draft, queued, held, dated later) leads readers to a page not found until it is,
and its address shows the words of that item's slug before its release; one no item has is
dead. Each is a warning naming the file, the line and the address; the link is left as it is
written (it works once the item is out). A preview that shows drafts and queued items says the
same of links to them, so it does not hide what the live site will show."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..collect.linked import link_line
from ..errors import CollectError, printable
from ..links import addresses, clean
from ..sitekeys import EPISODES, HOME, POSTS
from ..sourcefiles import read_source

# an item's page under the site's root: its folder (with its '/' or 'index.html'), or a bare
# name without a suffix (a name with one is a file)
_KINDS = f"({re.escape(POSTS)}|{re.escape(EPISODES)})"
_PAGE = re.compile(rf"^{_KINDS}/([^/]+)(?:/|/{re.escape(HOME)})$|^{_KINDS}/([^/.]+)$")


def page_of(address: str, page_url: str, base: str) -> str | None:
    """The key of the item page (``posts/<slug>/index.html``) an address written in the body
    of the page at ``page_url`` leads to, or None (elsewhere, a file, another kind of page)."""
    value = clean(address)
    if not _may_lead_elsewhere(value):
        return None
    parts, root = urlsplit(urljoin(page_url, value)), urlsplit(base)
    if (parts.scheme, parts.netloc) != (root.scheme, root.netloc) \
            or not parts.path.startswith(root.path):
        return None
    found = _PAGE.match(unquote(parts.path[len(root.path):]))
    if found is None:
        return None
    kind, slug = (found[1], found[2]) if found[1] else (found[3], found[4])
    return f"{kind}/{slug}/{HOME}"


_MARKS = ("..", f"/{POSTS}/", f"/{EPISODES}/")


def _may_lead_elsewhere(text: str) -> bool:
    """Whether ``text`` (an address, or a body holding them) may lead to another item's page:
    from an item's page only an address that climbs (``..``) or names the folder of posts or
    episodes from the root or the host does (others stay under the item's own folder). A
    quick test before the addresses are resolved: most bodies and addresses fail it."""
    return any(mark in text for mark in _MARKS)


def check_page_links(items: Iterable[tuple[dict, str, str]], base: str,
                     unreleased: dict[str, tuple[str, str]], exists: Callable[[str], bool],
                     root: Path, warnings: list[str]) -> None:
    """A warning for each link of ``items`` ((row, body HTML, page URL) of the released items)
    to an item page that is not released (``unreleased``: key -> (its source, why)) or that
    neither this site makes nor the target holds (``exists``)."""
    for r, html, page_url in items:
        if not _may_lead_elsewhere(html):
            continue
        said: set[str] = set()
        text: str | None = None
        for address in addresses(html):
            key = page_of(address, page_url, base)
            if key is None or address in said or (exists(key) and key not in unreleased):
                continue
            said.add(address)
            if text is None:
                text = _text(root, r["source"])
            line = link_line(text, address, unquote(address), 1, None)
            where = f"{printable(r['source'])}:{line}" if line else printable(r["source"])
            if key in unreleased:
                source, why = unreleased[key]
                warnings.append(
                    f"{where}: the link {printable(address)!r} leads to the page of "
                    f"{printable(source)}, which is not released ({why}): on the live site it "
                    "is a page not found, and its address shows that item's slug; it works once "
                    "that item is released (or link it then)")
            else:
                warnings.append(
                    f"{where}: the link {printable(address)!r} leads to {key.removesuffix(HOME)}"
                    ", which no post or episode of the site has: readers get a page not found; "
                    "fix the link")


def _text(root: Path, source: str) -> str:
    """The source's text, to find a link's line in (none if it cannot be read now), read as
    sources are (a regular file, bounded: never a pipe)."""
    try:
        return read_source(root / source, source).decode("utf-8", "replace")
    except CollectError:
        return ""
