"""The guard on the live feeds: a publish never quietly empties them.

Whatever the cause (a catalog lost, a folder emptied or mistyped in the config, a site adopted
by another checkout, dates edited), the entries the live feeds hold are compared with what the
feeds about to be written keep. An entry pushed out by newer ones (beyond ``blog.feed_items``)
is not a removal: its item is still published. The feeds of a kind (the blog's, the podcast's)
and the pages of the entries they would lose keep their last published version (the
kept-outputs mechanism: nothing linked is deleted either; ``site.held`` names the kinds, and
publish builds the other pages again to list what the held feeds show) until
``publish --remove ITEM`` confirms the removal of those entries (or ``--force`` lifts every
guard), when:

- more entries would be removed than ``max_deletes``, or more published files deleted;
- the source folder of the kind changed since the last publish (folders.py);
- a feed would keep none of its live entries: left empty, or (more than one entry) replaced by
  others; the one last entry replaced by new ones goes (a placeholder deleted by its author);
- more than half of a feed's live entries, two or more, would go at once;
- the catalog has no record of publishing the site.

One file deleted at a time is always removed, except a feed's last entry (it would be empty).
Each error names the feeds holding its entries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from ..catalog import Catalog
from ..config import Settings
from ..errors import ItemError, SyndicateError
from ..mediatypes import of_key
from ..render.paging import archive_key, is_archive_of
from .build import Site
from .folders import feeds_of
from .sitepages import PAGE_KEYS


def live_entries(raw: bytes) -> dict[str, str]:
    """guid -> title of the entries of a published feed (RSS, Atom or JSON Feed)."""
    out: dict[str, str] = {}
    if raw.lstrip()[:1] == b"{":  # a JSON Feed (feedparser reads none)
        return _json_entries(raw)
    import feedparser  # only a publish that rewrites a feed reads the live one

    for entry in feedparser.parse(raw).entries:
        guid = entry.get("id")
        if isinstance(guid, str) and guid:
            guid = guid.removeprefix("urn:uuid:")  # Atom's id of an entry with a UUID guid
            title = entry.get("title")
            out[guid] = title if isinstance(title, str) else guid
    return out


def _json_entries(raw: bytes) -> dict[str, str]:
    import json

    try:
        doc = json.loads(raw)
    except ValueError:
        return {}
    items = doc.get("items") if isinstance(doc, dict) else None
    out: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        guid = item.get("id") if isinstance(item, dict) else None
        if isinstance(guid, str) and guid:
            title = item.get("title")
            out[guid] = title if isinstance(title, str) else guid
    return out


def drafts(cat: Catalog) -> set[str]:
    """The guids of items their files set to draft."""
    return {r["guid"] for r in cat.all_items() if r["draft"] and not r["missing"]}


def _kept(key: str, patterns: list[str]) -> bool:
    return any(key == p or fnmatchcase(key, p) for p in patterns)


def guard_feeds(settings: Settings, cat: Catalog, site: Site, previous: dict[str, dict], *,
                force: bool, adopted: bool = False,
                moved: dict[str, str] | None = None,
                confirmed: set[str] = frozenset(),
                target_has: Callable[[str], bool] | None = None) -> list[ItemError]:
    """Hold the feeds back (``site.keep``) if this publish would take too much off them; returns
    the errors that say so (none when nothing is held), one for the blog's feeds and one for the
    podcast feed, each naming the feeds that hold its entries. ``previous`` gains rows for held
    feeds the catalog has no record of (a catalog made anew), so that they are kept as they are.
    ``adopted``: the catalog had no record of publishing to the target (a lost catalog, a fresh
    checkout): it takes no live entry off a feed at all without ``force``. ``moved``: kind ->
    how its source folder changed since the last publish (see folders.py): no live entry of
    that kind goes without ``force``. ``confirmed``: guids whose removal ``publish --remove``
    confirmed: they go, and are not counted against the rest. ``target_has``: whether the
    target still holds a key as recorded (a feed another checkout rewrote since is read)."""
    from ..collect.recover import SiteReader  # the one reader of the published site

    cfg = settings.config
    moved = moved or {}
    feeds = {o.key: o for o in site.outputs if o.kind == "feed"}
    wanted = {o.key for o in site.outputs}
    gone_files = [k for k in previous if k not in wanted and not _kept(k, site.kept)]
    reader = None
    raw_of: dict[str, bytes] = {}
    lost: dict[str, Lost] = {}
    for kind, keys in feeds_of(settings).items():
        for key in keys:
            out = feeds.get(key)  # None: a feed not made this run (no cover, say) is kept anyway
            if out is None or _kept(key, site.kept):
                continue
            prev = previous.get(key)
            if prev and prev.get("input_hash") == out.input_hash \
                    and (target_has is None or target_has(key)):
                continue  # the feed does not change (and is live as recorded)
            if reader is None:
                reader = SiteReader(settings)
            try:
                raw = reader.read(key)
            except SyndicateError:
                raw = None  # the store cannot be read: the plan's own checks speak for it
            if not raw:
                continue
            live = live_entries(raw)
            if not live:
                continue
            raw_of[key] = raw
            keeps = site.guids_of.get(key, set())
            gone = {g: t for g, t in live.items() if g not in keeps and g not in confirmed}
            if not gone:
                continue
            entry = lost.setdefault(kind, Lost(kind))
            entry.feeds.append(key)
            entry.removed.update(gone)
            entry.live = max(entry.live, len(live))
            if not keeps and not any(not r["missing"] for r in cat.all_items(kind)):
                entry.emptied = True  # its folder yields no items at all (a mistyped path,
                # say); drafts count as yielded: setting the last item to draft is a choice
            elif len(gone) == len(live) and set(gone) - drafts(cat) \
                    and (not keeps or len(live) > 1):
                entry.wiped = True  # every live entry goes (another folder, a folder replaced
                # on disk), or the last one goes and leaves the feed empty. The one last entry
                # replaced by new ones is the author's act (a placeholder post deleted), and
                # entries set to draft are taken down by choice
    errors = [] if force else _moved_feeds(settings, site, previous, gone_files)
    if force or not lost:
        return errors
    common = []
    if adopted:
        common.append("this catalog has no record of publishing the site (a lost catalog, or "
                      "another checkout), so it takes no live entry off")
    total = len({g for e in lost.values() for g in e.removed})
    if total > cfg.max_deletes:
        common.append(f"more than max_deletes ({cfg.max_deletes})")
    if len(gone_files) > cfg.max_deletes:
        common.append(f"{len(gone_files)} published files would go, more than max_deletes "
                      f"({cfg.max_deletes})")
    drafted = drafts(cat)  # entries set to draft are taken down by choice
    known = set() if adopted else cat.known_guids()
    held = []
    for kind, entry in lost.items():
        reasons = list(common)
        foreign = {g: t for g, t in entry.removed.items() if known and g not in known}
        if foreign:  # live entries this catalog never gave: another checkout published them
            n = len(foreign)
            which = "it" if n == len(entry.removed) else f"{n} of them"
            reasons.append(f"this catalog has no record of {which} ({_shown(foreign)}): "
                           "published from another checkout or catalog (bring its sources "
                           "here), so it takes none of them off")
        noun = "episode" if kind == "episode" else "post"
        folder = cfg.paths.episodes if kind == "episode" else cfg.paths.posts
        if entry.emptied:
            hold = "they hold" if len(entry.feeds) > 1 else "it holds"
            reasons.append(f"{' and '.join(entry.feeds)} would lose every entry {hold} "
                           f"({folder}/ yields none of them)")
        if kind in moved:
            absent = {g: t for g, t in entry.removed.items() if g not in drafted}
            if absent:
                n = len(absent)
                reasons.append(f"{moved[kind]}: {n} live {noun}{'' if n == 1 else 's'} "
                               f"({_shown(absent)}) {'is' if n == 1 else 'are'} not in the new "
                               "folder")
        taken = set(entry.removed) - drafted
        if entry.wiped and not entry.emptied:
            reasons.append(f"{' and '.join(entry.feeds)} would keep none of the entries live now")
        elif not entry.emptied and kind not in moved and len(taken) > 1 \
                and 2 * len(taken) > entry.live:
            # most of a feed gone in one run (a folder replaced on disk, files moved away) is
            # not taken for an edit; one file deleted at a time always is
            reasons.append(f"more than half of the live entries would go at once "
                           f"({len(taken)} of {entry.live})")
        if reasons:
            held.append((entry, reasons))
    if not held:
        return errors
    held_feeds = [k for entry, _ in held for k in feeds_of(settings)[entry.kind]]
    site.held = {entry.kind for entry, _ in held}
    # the held feeds and every page: each page may list a held item or link to it as a neighbour
    site.keep(*held_feeds, *(archive_key(k, "*") for k in held_feeds), *PAGE_KEYS)
    unrecorded = [o.key for o in site.outputs if o.kind == "page" and o.key not in previous]
    if unrecorded and reader is None:
        reader = SiteReader(settings)
    for key in unrecorded:  # pages the catalog has no record of: kept as they are live
        try:
            raw = reader.read(key)
        except SyndicateError:
            raw = None
        if raw:
            raw_of[key] = raw
    # typed as the site's outputs are (the Atom feed by its format, whatever its key)
    typed = {o.key: o.content_type for o in site.outputs}
    for key, raw in raw_of.items():  # a file the catalog has no record of stays as it is
        if key not in previous and (key in held_feeds or key in unrecorded):
            previous[key] = {"key": key, "sha256": hashlib.sha256(raw).hexdigest(),
                             "size": len(raw), "content_type": typed.get(key) or of_key(key),
                             "input_hash": ""}
    taken_down = {r["guid"] for r in cat.all_items() if r["missing"] or r["draft"]}
    for entry, reasons in held:
        n = len(entry.removed)
        feeds_named = " and ".join(entry.feeds)
        # --remove confirms items the catalog knows taken down (a lost catalog knows none)
        confirm = (f"`syndicate publish {_remove_args(entry.removed)}` (it confirms these "
                   "removals only; --force would lift every guard)"
                   if set(entry.removed) <= taken_down else "`syndicate publish --force` once")
        if entry.kind in moved:
            setting = "paths.episodes" if entry.kind == "episode" else "paths.posts"
            hint = (f"move them into the new folder or set {setting} back in "
                    f"{settings.path.name}; or, to remove them, run {confirm}")
        else:
            hint = (f"check the sources and paths in {settings.path.name}; if the removal is "
                    f"meant, run {confirm}")
        errors.append(ItemError(
            _where(settings, entry.feeds[0]),
            f"this publish would remove {n} {'entry' if n == 1 else 'entries'} from "
            f"{feeds_named} ({_shown(entry.removed)}): {'; '.join(reasons)}; {feeds_named} "
            f"{'keep their' if len(entry.feeds) > 1 else 'keeps its'} last published version and "
            "the site's pages keep listing them", hint=hint))
    return errors


@dataclass
class Lost:
    """The live entries one family of feeds (the blog's, the podcast's) would lose."""

    kind: str
    feeds: list[str] = field(default_factory=list)
    removed: dict[str, str] = field(default_factory=dict)  # guid -> title
    live: int = 0  # entries its feed holds now
    emptied: bool = False
    wiped: bool = False


def _remove_args(entries: dict[str, str]) -> str:
    """The options that confirm these removals, one ``--remove`` per entry (its title, or its
    guid where two entries share a title)."""
    import shlex

    titles = list(entries.values())
    return " ".join(f"--remove {shlex.quote(t if titles.count(t) == 1 else g)}"
                    for g, t in sorted(entries.items(), key=lambda e: e[1]))


def _shown(entries: dict[str, str]) -> str:
    titles = sorted(entries.values())
    return ", ".join(repr(t) for t in titles[:5]) + (", ..." if len(titles) > 5 else "")


FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


def _moved_feeds(settings: Settings, site: Site, previous: dict[str, dict],
                 gone_files: list[str]) -> list[ItemError]:
    """A live feed the config no longer makes (its path moved) is kept, not deleted: every app
    subscribed to it would lose the show or blog. It goes with ``--force``."""
    made = [k for keys in feeds_of(settings).values() for k in keys]
    moved = [k for k in gone_files
             if str(previous[k].get("content_type", "")).split(";")[0] in FEED_TYPES
             and not any(is_archive_of(f, k) for f in made)]  # archive pages come and go
    if not moved:
        return []
    site.keep(*moved)
    cfg = settings.config
    now_at = ", ".join(dict.fromkeys([cfg.podcast.feed_path, cfg.podcast.json_path,
                                      cfg.blog.rss_path, cfg.blog.atom_path, cfg.blog.json_path]))
    return [ItemError(
        _where(settings, k),
        f"this live feed is no longer made (the feeds are now {now_at}); deleting it would "
        "cut off every app subscribed to it, so it stays as it is",
        hint=f"set its old path back in {settings.path.name} (podcast.feed_path, "
             "podcast.json_path, blog.rss_path, blog.atom_path, blog.json_path), or run "
             "publish --force to delete it") for k in moved]


def _where(settings: Settings, key: str) -> str:
    target = settings.config.target
    if target.startswith("s3://"):
        return f"{target.rstrip('/')}/{key}"
    return str(settings.target_dir / key)
