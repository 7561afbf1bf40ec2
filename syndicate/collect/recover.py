"""GUIDs read back from the published site, for a catalog rebuilt from the sources.

A guid is derived from an item's slug when it is first collected, then kept through renames: a
catalog made again from the sources would derive other guids for renamed items, and podcast
apps would take them for new episodes. So a catalog that holds no items yet first reads the
feeds the site already publishes (a local folder target) and gives each item the guid its feed
entry has, matched by the entry's link (``posts/<slug>/``, ``episodes/<slug>/``).
"""

from __future__ import annotations

import feedparser

from ..config import Settings

MAX_FEED_BYTES = 64 << 20
KINDS = {"posts": "post", "episodes": "episode"}


def published_guids(settings: Settings) -> dict[tuple[str, str], str]:
    """(kind, slug) -> guid of every entry in the site's published RSS feeds; empty for an S3
    target or a site not published yet."""
    cfg = settings.config
    if cfg.target.startswith("s3://"):
        return {}
    base = cfg.site.url if cfg.site.url.endswith("/") else cfg.site.url + "/"
    found: dict[tuple[str, str], str] = {}
    for key in (cfg.podcast.feed_path, cfg.blog.rss_path):
        path = settings.target_dir / key
        try:
            if not path.is_file() or path.stat().st_size > MAX_FEED_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        for entry in feedparser.parse(data).entries:
            guid, link = entry.get("id"), entry.get("link")
            if not isinstance(guid, str) or not guid or not isinstance(link, str) \
                    or not link.startswith(base):
                continue
            parts = link[len(base):].strip("/").split("/")
            if len(parts) == 2 and parts[0] in KINDS:
                found.setdefault((KINDS[parts[0]], parts[1]), guid)
    return found
