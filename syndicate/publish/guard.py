"""The guard on the live feeds: a publish never quietly empties them.

Whatever the cause (a catalog lost, a folder emptied or mistyped in the config, a site adopted
by another checkout, dates edited), the entries the live feeds hold are compared with what the
feeds about to be written keep. An entry pushed out by newer ones (beyond ``blog.feed_items``)
is not a removal: its item is still published. When more entries would be removed than
``max_deletes``, when a live feed would be left with no entry at all, or when more published files
would be deleted than ``max_deletes``, the feeds, the home page and the pages of those items
keep their last published version (the kept-outputs mechanism: nothing linked is deleted either)
until ``publish --force`` says the removal is meant.
"""

from __future__ import annotations

import hashlib
from fnmatch import fnmatchcase

from ..catalog import Catalog
from ..config import Settings
from ..errors import ItemError, SyndicateError
from .build import Site
from .keys import content_type
from .sitepages import PAGE_KEYS


def live_entries(raw: bytes) -> dict[str, str]:
    """guid -> title of the entries of a published feed (RSS or Atom)."""
    import feedparser  # only a publish that rewrites a feed reads the live one

    out: dict[str, str] = {}
    for entry in feedparser.parse(raw).entries:
        guid = entry.get("id")
        if isinstance(guid, str) and guid:
            guid = guid.removeprefix("urn:uuid:")  # Atom's id of an entry with a UUID guid
            title = entry.get("title")
            out[guid] = title if isinstance(title, str) else guid
    return out


def drafts(cat: Catalog) -> set[str]:
    """The guids of items their files set to draft."""
    return {r["guid"] for r in cat.all_items() if r["draft"] and not r["missing"]}


def _kept(key: str, patterns: list[str]) -> bool:
    return any(key == p or fnmatchcase(key, p) for p in patterns)


def guard_feeds(settings: Settings, cat: Catalog, site: Site, previous: dict[str, dict], *,
                force: bool, adopted: bool = False) -> list[ItemError]:
    """Hold the feeds back (``site.keep``) if this publish would take too much off them; returns
    the errors that say so (none when nothing is held). ``previous`` gains rows for held feeds
    the catalog has no record of (a catalog made anew), so that they are kept as they are.
    ``adopted``: the catalog had no record of publishing to the target (a lost catalog, a fresh
    checkout): it takes no live entry off a feed at all without ``force``."""
    from ..collect.recover import SiteReader  # the one reader of the published site

    cfg = settings.config
    feeds = {o.key: o for o in site.outputs if o.kind == "feed"}
    for key in (cfg.blog.rss_path, cfg.blog.atom_path, cfg.podcast.feed_path):
        feeds.setdefault(key, None)  # a feed not made this run (no cover, say) is kept anyway
    wanted = {o.key for o in site.outputs}
    gone_files = [k for k in previous if k not in wanted and not _kept(k, site.kept)]
    reader = None
    raw_of: dict[str, bytes] = {}
    removed: dict[str, str] = {}  # guid -> title
    emptied: list[str] = []
    wiped: list[str] = []  # feeds that would keep none of their live entries
    for key, out in feeds.items():
        if out is None or _kept(key, site.kept):
            continue
        prev = previous.get(key)
        if prev and prev.get("input_hash") == out.input_hash:
            continue  # the feed does not change
        if reader is None:
            reader = SiteReader(settings)
        try:
            raw = reader.read(key)
        except SyndicateError:
            raw = None  # the store cannot be read: the plan's own checks speak for it
        if not raw:
            continue
        raw_of[key] = raw
        live = live_entries(raw)
        if not live:
            continue
        keeps = site.guids_of.get(key, set())
        gone = {g: t for g, t in live.items() if g not in keeps}
        removed.update(gone)
        kind = "episode" if key == cfg.podcast.feed_path else "post"
        if not keeps and not any(not r["missing"] for r in cat.all_items(kind)):
            emptied.append(key)  # its folder yields no items at all (a mistyped path, say);
            # drafts count as yielded: setting the last item to draft is a choice
        elif len(gone) == len(live) and set(gone) - drafts(cat):
            wiped.append(key)  # every live entry goes, whatever comes in (another folder);
            # entries set to draft are taken down by choice
    errors = [] if force else _moved_feeds(settings, site, previous, gone_files)
    if force or not removed:
        return errors
    reasons = []
    if adopted:
        reasons.append("this catalog has no record of publishing the site (a lost catalog, or "
                       "another checkout), so it takes no live entry off")
    if len(removed) > cfg.max_deletes:
        reasons.append(f"more than max_deletes ({cfg.max_deletes})")
    by_folder: dict[str, list[str]] = {}
    for key in emptied:
        folder = cfg.paths.episodes if key == cfg.podcast.feed_path else cfg.paths.posts
        by_folder.setdefault(folder, []).append(key)
    for folder, keys in by_folder.items():
        hold = "they hold" if len(keys) > 1 else "it holds"
        reasons.append(f"{' and '.join(keys)} would lose every entry {hold} ({folder}/ yields "
                       "none of them)")
    if wiped:
        reasons.append(f"{' and '.join(wiped)} would keep none of the entries live now")
    if len(gone_files) > cfg.max_deletes:
        reasons.append(f"{len(gone_files)} published files would go, more than max_deletes "
                       f"({cfg.max_deletes})")
    if not reasons:
        return errors
    # the feeds and every page: each may list a held item or link to it as a neighbour
    site.keep(cfg.blog.rss_path, cfg.blog.atom_path, cfg.podcast.feed_path, *PAGE_KEYS)
    unrecorded = [o.key for o in site.outputs if o.kind == "page" and o.key not in previous]
    if unrecorded and reader is None:
        reader = SiteReader(settings)
    for key in unrecorded:  # every page may list the entries or link to them: as they are live
        try:
            raw = reader.read(key)
        except SyndicateError:
            raw = None
        if raw:
            raw_of[key] = raw
    for key, raw in raw_of.items():  # a file the catalog has no record of stays as it is
        if key not in previous:
            previous[key] = {"key": key, "sha256": hashlib.sha256(raw).hexdigest(),
                             "size": len(raw), "content_type": content_type(key),
                             "input_hash": ""}
    titles = sorted(removed.values())
    shown = ", ".join(repr(t) for t in titles[:5]) + (", ..." if len(titles) > 5 else "")
    n = len(removed)
    return [*errors, ItemError(
        _where(settings, cfg.blog.rss_path),
        f"this publish would remove {n} {'entry' if n == 1 else 'entries'} from the live feeds "
        f"({shown}): {'; '.join(reasons)}; the feeds and the pages keep their last published "
        "version",
        hint=f"check the sources and paths in {settings.path.name}, then run publish --force "
             "if the removal is meant")]


FEED_TYPES = ("application/rss+xml", "application/atom+xml")


def _moved_feeds(settings: Settings, site: Site, previous: dict[str, dict],
                 gone_files: list[str]) -> list[ItemError]:
    """A live feed the config no longer makes (its path moved) is kept, not deleted: every app
    subscribed to it would lose the show or blog. It goes with ``--force``."""
    moved = [k for k in gone_files
             if str(previous[k].get("content_type", "")).split(";")[0] in FEED_TYPES]
    if not moved:
        return []
    site.keep(*moved)
    cfg = settings.config
    now_at = ", ".join(dict.fromkeys([cfg.podcast.feed_path, cfg.blog.rss_path,
                                      cfg.blog.atom_path]))
    return [ItemError(
        _where(settings, k),
        f"this live feed is no longer made (the feeds are now {now_at}); deleting it would "
        "cut off every app subscribed to it, so it stays as it is",
        hint=f"set its old path back in {settings.path.name} (podcast.feed_path, blog.rss_path, "
             "blog.atom_path), or run publish --force to delete it") for k in moved]


def _where(settings: Settings, key: str) -> str:
    target = settings.config.target
    if target.startswith("s3://"):
        return f"{target.rstrip('/')}/{key}"
    return str(settings.target_dir / key)
