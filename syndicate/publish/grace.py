"""Superseded episode audio, show cover, favicon and episode art stay served for a grace period.

Re-tagging an episode (a title fixed, new notes, a new cover) gives its MP3 new bytes and so a
new key. Copies of the previous feed live on (syndicate's own Cache-Control, CDNs, podcast apps
that fetched the feed and download episodes later in the background), and they point at the old
key. So the old object is not deleted in the publish that replaced it: it stays until a publish
at least ``GRACE`` after it left the feed. The same holds for the show's cover and favicon and an
episode's art (a replaced image gets a new key too): cached feeds and the link previews other
sites keep of every page (og:image) point at the old one. An episode renamed (its slug, and so
its keys, changed) is the same episode: its old audio and art stay the same way. Only the audio
and art of an episode taken down (its file deleted, or ``draft: true``), or never released, go
at once (a take-down is meant at once), and ``publish --force`` deletes them at once too. Every
key of these kinds that leaves the site goes through ``keep_superseded``: the one place that
decides.

A full archive page of a paged feed is cached far longer than a feed (``mediatypes.ARCHIVED``),
and a cached copy names what the page named when it was fetched. So while a site has archive
pages, or had them within that max-age, a key that leaves stays for ``ARCHIVE_GRACE``: the
page's max-age plus ``GRACE``. Which page named which key is not tracked: every key leaving then
gets the longer period (a few superseded files kept some days longer, never a 404).

The time each key left the feed is kept in the catalog's meta table, and the time until which a
cached archive page may still be served.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from ..mediatypes import ARCHIVE_MAX_AGE
from ..render.paging import archive_matcher
from ..when import stored
from .plan import Plan, _kept

GRACE = dt.timedelta(hours=72)
ARCHIVE_GRACE = GRACE + dt.timedelta(seconds=ARCHIVE_MAX_AGE)
META_KEY = "superseded_media"
# until when a copy of an archive page this site served may still be cached somewhere
ARCHIVES_META = "archive_pages_cached_until"
# keys named by their content, each of a family: one superseded stays while another of its
# family is published (an episode's audio or art, the show's cover, its favicon)
_FAMILIES = (re.compile(r"^(media/.+)-([0-9a-f]{12})\.[A-Za-z0-9]+$"),
             re.compile(r"^(episodes/[^/]+/cover)-([0-9a-f]{12})\.[A-Za-z0-9]+$"),
             re.compile(r"^(cover|favicon)-([0-9a-f]{12})\.[A-Za-z0-9]+$"))


def _families(key: str) -> set[str]:
    """The families of a key: its own (an episode's audio or art by the episode's folder, the
    cover, the favicon) and, for an episode's audio or art, the same bytes under any episode's
    name (a renamed episode publishes its unchanged audio under a new key: the old one is an
    older version of a file still on the site, not a take-down)."""
    for number, pattern in enumerate(_FAMILIES):
        if m := pattern.match(key):
            return {m.group(1), f"{number}:{m.group(2)}"} if number < 2 else {m.group(1)}
    return set()


def replaced(gone: list[str], wanted: set[str]) -> set[str]:
    """The keys of ``gone`` whose family is published now under another key: older versions of
    a file still on the site (no loss: the grace period decides when each goes)."""
    live = {f for k in wanted for f in _families(k)}
    return {k for k in gone if _families(k) & live}


def _since(cat) -> dict[str, str]:
    try:
        data = json.loads(cat.get_meta(META_KEY) or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(data, dict) else {}


def superseded_keys(cat) -> set[str]:
    """The keys kept for their grace period by the last publish."""
    return set(_since(cat))


def _archives_until(cat) -> dt.datetime | None:
    try:
        until = stored(cat.get_meta(ARCHIVES_META) or "")
    except (ValueError, TypeError):
        return None
    return until if until.tzinfo is not None else None  # (only ever written with its offset)


def archives_cached_until(cat, keys, feeds: list[str], now: dt.datetime) -> dt.datetime | None:
    """Until when a cached archive page of this site may still be served: the max-age after
    now if ``keys`` (what the target held until now, and what it will hold) has an archive page
    of one of ``feeds``, else as the catalog remembers it (None: never)."""
    said = _archives_until(cat)
    is_archive = archive_matcher(feeds)
    if any(is_archive(k) for k in set(keys)):
        return now + dt.timedelta(seconds=ARCHIVE_MAX_AGE)
    return said


def _moved(cat, plan: Plan) -> set[str]:
    """The families of episodes published now under another slug (renamed): their audio and
    art under the old slug are older versions of files still on the site."""
    from ..collect.renames import moved_pages
    from .items import page_key

    pages = {row["key"] for row in plan.manifest if row["key"] not in plan.deletes}
    rows = {r["guid"]: r for r in cat.all_items()}
    out: set[str] = set()
    for old, guid in moved_pages(cat).items():
        kind, _, slug = old.partition("/")
        r = rows.get(guid)
        if kind == "episode" and r is not None and r["slug"] != slug \
                and page_key(kind, r["slug"]) in pages:
            out |= {f"media/{slug}", f"episodes/{slug}/cover"}
    return out


def keep_superseded(plan: Plan, previous: dict[str, dict], cat, now: dt.datetime, *,
                    force: bool, cached_until: dt.datetime | None = None) -> dict[str, str]:
    """Take out of ``plan.deletes`` the audio and art of episodes, and the show's cover and
    favicon, that left the site while their family is still published (replaced by a newer
    key, an alternate dropped, the episode renamed), until their grace period is over (the longer
    ``ARCHIVE_GRACE`` for a key that left before ``cached_until``, while a copy of an archive
    page may be cached: see ``archives_cached_until``); returns the keys kept, with the time
    each left the feed (for ``record`` once the publish is done)."""
    live = {f for row in plan.manifest if row["key"] not in plan.deletes
            for f in _families(row["key"])}
    if plan.deletes:
        live |= _moved(cat, plan)
    since = _since(cat)
    stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    held: dict[str, str] = {}
    for key in plan.deletes:
        if force or not _families(key) & live or key not in previous:
            continue
        first = since.get(key, stamp)
        try:
            left = stored(first)
        except (ValueError, TypeError):
            first, left = stamp, now
        grace = ARCHIVE_GRACE if cached_until is not None and left < cached_until else GRACE
        if now - left < grace:
            held[key] = first
    if held:
        plan.deletes = [k for k in plan.deletes if k not in held]
        plan.manifest += [_kept(previous[k]) for k in sorted(held)]
    return held


def record(cat, held: dict[str, str], cached_until: dt.datetime | None = None) -> None:
    """Remember when each kept key left the feed, and until when a copy of an archive page may
    be cached (inside the publish's last transaction)."""
    if held or cat.get_meta(META_KEY):
        cat.set_meta(META_KEY, json.dumps(held, sort_keys=True))
    if cached_until is not None and cached_until != _archives_until(cat):
        cat.set_meta(ARCHIVES_META, cached_until.astimezone(dt.UTC).replace(
            microsecond=0).isoformat())
