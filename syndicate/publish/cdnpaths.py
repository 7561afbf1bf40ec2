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
    keys |= {k for k in plan.deletes if not _immutable(k, previous.get(k) or {})}
    return sorted(keys)


def _immutable(key: str, row: dict) -> bool:
    """Whether a live key was served as immutable: as its record says (an S3 manifest's
    Cache-Control), else by its name, which then ends in the start of its sha256 ("-" and 12
    hex digits before the extension), as every content-addressed key does."""
    if row.get("cache_control"):
        return row["cache_control"] == IMMUTABLE
    sha = row.get("sha256") or ""
    stem = key.rsplit("/", 1)[-1].split(".", 1)[0]
    return len(sha) >= 12 and stem.endswith("-" + sha[:12])


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
