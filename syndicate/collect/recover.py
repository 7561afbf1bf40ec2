"""GUIDs read back from the published site, for a catalog rebuilt from the sources.

A guid is derived from an item's slug when it is first collected, then kept through renames: a
catalog made again from the sources would derive other guids for renamed items, and podcast
apps would take them for new episodes. So a catalog that holds no items yet first reads the
feeds the site already publishes (in its folder or under its S3 prefix) and gives each item the
guid its feed entry has, matched by the entry's link (``posts/<slug>/``, ``episodes/<slug>/``).

Such a catalog does not know the release queue either: an item that is neither in those feeds
nor has a page on the site may have been queued for later, so it is held back (as if unqueued)
until the author queues it again. Nothing goes out early because a catalog was lost.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

from ..config import Settings
from ..errors import SyndicateError
from ..render.paging import archive_key
from ..when import stored

MAX_FEED_BYTES = 64 << 20
KINDS = {"posts": "post", "episodes": "episode"}


class PublishedSite:
    """What the site already shows: feed entries' guids, and pages."""

    def __init__(self, reader: SiteReader, guids: dict[tuple[str, str], str],
                 by_title: dict[tuple[str, str, str], str | None] | None = None,
                 dates: dict[str, str] | None = None):
        self.reader = reader
        self.guids = guids
        self.by_title = by_title or {}  # (kind, title, date): guid, None when ambiguous
        self.dates = dates or {}  # guid of every live entry: its date there (UTC, ISO)

    def live(self, kind: str, slug: str, guid: str) -> str | None:
        """For an item whose own file gives its guid: the date the live feeds show it with, or
        None if they do not (once found, it counts as shown whatever its file is called)."""
        when = self.dates.get(guid)
        if when is not None:
            self.guids.setdefault((kind, slug), guid)
        return when

    def guid_for(self, kind: str, slug: str, title: str, date: str) -> str | None:
        """The guid the live feeds give this item: by its link, else (its file renamed, and its
        slug with it) by its title and date. An item found so counts as shown."""
        guid = self.guids.get((kind, slug))
        if guid is None:
            guid = self.by_title.get((kind, title, _instant(date)))
            if guid is not None:
                self.guids[(kind, slug)] = guid
        return guid

    def released_as(self, kind: str, title: str, dates, known: set[str]
                    ) -> tuple[str, str, str | None] | None:
        """A live entry of ``kind`` with this title and one of ``dates`` whose guid the catalog
        does not know (``known``): (its guid, its date there, the slug of its link), or None.
        An item released from another state of the catalog (a backup restored since, another
        checkout) and renamed since is that entry: it keeps its guid."""
        for date in dates:
            guid = self.by_title.get((kind, title, _instant(date))) if date else None
            if guid and guid not in known and guid in self.dates:
                slug = next((s for (k, s), g in self.guids.items() if k == kind and g == guid),
                            None)
                return guid, self.dates[guid], slug
        return None

    def shows(self, kind: str, slug: str) -> bool:
        """Whether the item is already public: in a feed, or with a page of its own."""
        from .renames import moved_page

        folder = "posts" if kind == "post" else "episodes"
        if (kind, slug) in self.guids:
            return True
        page = self.reader.read(f"{folder}/{slug}/index.html")
        return page is not None and not moved_page(page)  # (an old address: another's page)


class SiteReader:
    """Reads keys of the published site: a local folder, or an S3 prefix."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.s3 = None
        self.errors: tuple[type[Exception], ...] = ()
        if settings.config.target.startswith("s3://"):
            from botocore.exceptions import BotoCoreError, ClientError

            from ..publish.s3 import S3Target  # boto3: only for an S3 target

            self.s3 = S3Target(settings.config.target, settings.config.s3)
            self.errors = (BotoCoreError, ClientError)

    def read(self, key: str) -> bytes | None:
        if self.s3 is None:
            return self._read_local(self.settings.target_dir / key)
        try:
            got = self.s3.client.get_object(Bucket=self.s3.bucket, Key=self._full(key))
            if got.get("ContentLength", 0) > MAX_FEED_BYTES:
                return None
            return got["Body"].read()
        except self.errors as exc:  # not found, or the store unreachable
            return self._missing_or_fail(exc, key)

    def _read_local(self, path: Path) -> bytes | None:
        """The file's bytes; None where the site has none (no such file, a folder or an
        oversized file in its place). A file or folder that is there but cannot be read is
        an error: taken as gone, the site's record would make new items wait for good."""
        try:
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FEED_BYTES:
                return None
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            parent = next((p for p in path.parents if p.is_file()), path.parent)
            raise SyndicateError(f"{parent}: not a folder, where the published site keeps "
                                 f"{path.relative_to(parent)}; move it away (nothing was "
                                 "changed)") from None
        except OSError as exc:
            from ..sourcefiles import why_unreadable

            reason, hint = why_unreadable(exc, path)
            raise SyndicateError(f"{path}: {reason} (a file of the published site); nothing "
                                 f"was changed ({hint})") from None

    def _full(self, key: str) -> str:
        """The object's name: the site's own records (the reserved area) are not outputs."""
        from ..publish.keys import RESERVED

        return self.s3.prefix + key if key.startswith(RESERVED) else self.s3._key(key)

    def exists(self, key: str) -> bool:
        if self.s3 is None:
            return (self.settings.target_dir / key).is_file()
        try:
            self.s3.client.head_object(Bucket=self.s3.bucket, Key=self.s3._key(key))
            return True
        except self.errors as exc:
            return self._missing_or_fail(exc, key) is not None

    def _missing_or_fail(self, exc: Exception, key: str) -> None:
        from ..publish.s3 import explain, not_found  # one place that reads S3's errors

        if not_found(exc):
            return None
        raise SyndicateError(f"{explain(exc, self.s3.bucket, self._full(key))} (reading the "
                             "published site to make the catalog anew; nothing was changed)"
                             ) from None


MAX_ARCHIVE_PAGES = 10000  # pages of a paged feed read back (far over any show's)


def published_site(settings: Settings) -> PublishedSite | None:
    """The site a catalog made anew finds already published (its feeds exist), or None."""
    reader = SiteReader(settings)
    cfg = settings.config
    feeds = {key: reader.read(key) for key in (cfg.podcast.feed_path, cfg.blog.rss_path)}
    if not any(feeds.values()):
        return None
    for key, data in list(feeds.items()):  # a paged feed: its archive pages list the older items
        if not data or b"prev-archive" not in data:
            continue
        for number in range(1, MAX_ARCHIVE_PAGES + 1):
            page = reader.read(archive_key(key, number))
            if not page:
                break
            feeds[archive_key(key, number)] = page
    import feedparser  # only a catalog made anew for a published site reads its feeds

    base = cfg.site.url if cfg.site.url.endswith("/") else cfg.site.url + "/"
    guids: dict[tuple[str, str], str] = {}
    by_title: dict[tuple[str, str, str], str | None] = {}
    dates: dict[str, str] = {}
    for data in feeds.values():
        for entry in feedparser.parse(data or b"").entries:
            guid, link = entry.get("id"), entry.get("link")
            if isinstance(guid, str) and guid and entry.get("published_parsed"):
                dates.setdefault(guid, _instant(entry.get("published_parsed")))
            if not isinstance(guid, str) or not guid or not isinstance(link, str) \
                    or not link.startswith(base):
                continue
            parts = link[len(base):].strip("/").split("/")
            if len(parts) == 2 and parts[0] in KINDS:
                guids.setdefault((KINDS[parts[0]], parts[1]), guid)
                title, when = entry.get("title"), entry.get("published_parsed")
                if isinstance(title, str) and when:
                    key = (KINDS[parts[0]], title, _instant(when))
                    by_title[key] = guid if by_title.get(key, guid) == guid else None
    return PublishedSite(reader, guids, by_title, dates)


def live_podcast_guid(settings: Settings, *, with_episodes: bool = False) -> str | None:
    """The show's podcast:guid as the live podcast feed gives it (None when there is no such
    feed or it names no UUID): the show's identity, which directories follow across moves.
    ``with_episodes``: only a feed that holds an episode counts (a show of nothing has no
    listener to lose)."""
    import uuid

    from lxml import etree

    from ..render.podcast_ext import PODCAST

    data = SiteReader(settings).read(settings.config.podcast.feed_path)
    if not data:
        return None
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                      load_dtd=False))
    except etree.XMLSyntaxError:
        return None
    if with_episodes and root.find("channel/item") is None:
        return None
    found = root.findtext(f"channel/{{{PODCAST}}}guid")
    try:
        return str(uuid.UUID(found.strip())) if found else None
    except ValueError:
        return None


def _instant(when) -> str:
    """An instant to the second, in UTC: from the catalog's text or a feed's parsed date."""
    if isinstance(when, str):
        try:
            moment = stored(when)
        except (TypeError, ValueError):
            return ""
    else:
        moment = dt.datetime(*when[:6], tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def site_state(settings: Settings) -> dict | None:
    """The publish generation the site records (see generation.py), or None: a site folder's
    ``.syndicate/state.json``; an S3 site's manifest (``S3Target.site_state``)."""
    from ..generation import STATE_KEY, parse_state

    reader = SiteReader(settings)
    if reader.s3 is None:
        return parse_state(reader.read(STATE_KEY))
    try:
        return reader.s3.site_state()
    except SyndicateError as exc:
        raise SyndicateError(f"{exc} (reading the publish generation; nothing was changed)"
                             ) from None
