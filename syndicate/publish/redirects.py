"""The old address of a released item whose slug changed leads to its new page.

Links shared to the old page, search results and feeds cached before the change point at the
old address: a small page is left there (noindex, a canonical link and an immediate refresh to
the new page; on S3 the object also carries ``WebsiteRedirectLocation``, which an S3 website
endpoint answers with a 301). It stays while the item is published under another slug and no
other item has taken the address; the sitemap lists only the new page.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from ..collect.renames import MOVED_MARK, moved_pages
from .items import page_key
from .outputs import Output


def redirect_page(target: str) -> bytes:
    """A page that sends its reader (and search engines) on to ``target``."""
    to = escape(target, quote=True)
    return (b"<!doctype html>\n" + MOVED_MARK + (
            f'\n<html>\n<head>\n<meta charset="utf-8">\n<title>Moved</title>\n'
            f'<meta name="robots" content="noindex">\n<link rel="canonical" href="{to}">\n'
            f'<meta http-equiv="refresh" content="0; url={to}">\n</head>\n<body>\n'
            f'<p>This page has moved to <a href="{to}">{to}</a>.</p>\n</body>\n</html>\n'
            ).encode())


def redirects(cat, rows: list[dict], taken: set[str],
              page_url: Callable[[str], str]) -> list[Output]:
    """Outputs for the old addresses of the published ``rows`` (visible catalog rows) whose
    slug changed, unless ``taken`` (the keys of the other outputs) holds the address."""
    by_guid = {r["guid"]: r for r in rows}
    outs = []
    for old, guid in sorted(moved_pages(cat).items()):
        kind, _, slug = old.partition("/")
        r = by_guid.get(guid)
        key = page_key(kind, slug)
        if r is None or r["kind"] != kind or r["slug"] == slug or key in taken:
            continue
        target = page_url(page_key(kind, r["slug"]).removesuffix("index.html"))
        outs.append(Output(key, "page", f"redirect|{target}",
                           render=lambda t=target: redirect_page(t), redirect=target))
    return outs
