"""Which addresses a CDN must forget after a publish: the keys it wrote, re-headed or deleted
that may change under their name (feeds, pages, the sitemap, robots.txt, JSON feeds, redirect
pages, assets), as the paths a listener asks for. Never a content-addressed key (audio, cover
and episode art carry their hash in the name): its bytes never change, so no copy is stale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from ..mediatypes import IMMUTABLE

if TYPE_CHECKING:
    from ..config import Settings
    from .plan import Plan

INDEX = "index.html"


def changed_keys(plan: Plan, previous: dict[str, dict]) -> list[str]:
    """The keys of ``plan`` whose live bytes or headers change and may be cached under their
    name: written or re-headed outputs not addressed by their content, and deleted keys not
    published as immutable; sorted, once each."""
    keys = {w.output.key for w in plan.writes if not w.output.addressed}
    keys |= {o.key for o in plan.header_fixes if not o.addressed}
    keys |= {k for k in plan.deletes
             if (previous.get(k) or {}).get("cache_control") != IMMUTABLE}
    return sorted(keys)


def cdn_paths(settings: Settings, keys: list[str]) -> list[str]:
    """The paths listeners ask for ``keys`` by, under the site's own path: "/" + the key,
    URL-quoted; a page named index.html also by its folder ("/posts/x/", and "/" for the
    home page) when ``site.links`` is directory."""
    base = urlsplit(settings.config.site.url).path.rstrip("/") + "/"
    folders = settings.config.site.links == "directory"
    out: list[str] = []
    for key in keys:
        out.append(base + quote(key))
        if folders and (key == INDEX or key.endswith("/" + INDEX)):
            out.append(base + quote(key[:-len(INDEX)]))
    return list(dict.fromkeys(out))


def wildcard(settings: Settings) -> str:
    """The one path that stands for every file of the site: its path and ``*``."""
    return urlsplit(settings.config.site.url).path.rstrip("/") + "/*"
