"""GUIDs read back from the published site, for a catalog rebuilt from the sources.

A guid is derived from an item's slug when it is first collected, then kept through renames: a
catalog made again from the sources would derive other guids for renamed items, and podcast
apps would take them for new episodes. So a catalog that holds no items yet first reads the
feeds the site already publishes (a local folder target) and gives each item the guid its feed
entry has, matched by the entry's link (``posts/<slug>/``, ``episodes/<slug>/``).

Such a catalog does not know the release queue either: an item that is neither in those feeds
nor has a page on the site may have been queued for later, so it is held back (as if unqueued)
until the author queues it again. Nothing goes out early because a catalog was lost.
"""

from __future__ import annotations

import feedparser

from ..config import Settings

MAX_FEED_BYTES = 64 << 20
KINDS = {"posts": "post", "episodes": "episode"}


class PublishedSite:
    """What a local site folder already shows: feed entries' guids, and pages."""

    def __init__(self, settings: Settings, guids: dict[tuple[str, str], str]):
        self.root = settings.target_dir
        self.guids = guids

    def shows(self, kind: str, slug: str) -> bool:
        """Whether the item is already public: in a feed, or with a page of its own."""
        folder = "posts" if kind == "post" else "episodes"
        return (kind, slug) in self.guids or (self.root / folder / slug / "index.html").is_file()


def published_site(settings: Settings) -> PublishedSite | None:
    """The site a catalog made anew finds already published (a local folder whose feeds
    exist), or None."""
    guids = published_guids(settings)
    cfg = settings.config
    if guids or any((settings.target_dir / key).is_file() for key in (
            cfg.podcast.feed_path, cfg.blog.rss_path)):
        return PublishedSite(settings, guids)
    return None


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
