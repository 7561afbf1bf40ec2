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

The time each key left the feed is kept in the catalog's meta table.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from ..when import stored
from .plan import Plan, _kept

GRACE = dt.timedelta(hours=72)
META_KEY = "superseded_media"
# keys named by their content, each of a family: one superseded stays while another of its
# family is published (an episode's audio or art, the show's cover, its favicon)
_FAMILIES = (re.compile(r"^(media/.+)-[0-9a-f]{12}\.[A-Za-z0-9]+$"),
             re.compile(r"^(episodes/[^/]+/cover)-[0-9a-f]{12}\.[A-Za-z0-9]+$"),
             re.compile(r"^(cover|favicon)-[0-9a-f]{12}\.[A-Za-z0-9]+$"))


def _family(key: str) -> str | None:
    for pattern in _FAMILIES:
        if m := pattern.match(key):
            return m.group(1)
    return None


def replaced(gone: list[str], wanted: set[str]) -> set[str]:
    """The keys of ``gone`` whose family is published now under another key: older versions of
    a file still on the site (no loss: the grace period decides when each goes)."""
    live = {f for k in wanted if (f := _family(k))}
    return {k for k in gone if (f := _family(k)) and f in live}


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
                    force: bool) -> dict[str, str]:
    """Take out of ``plan.deletes`` the audio and art of episodes, and the show's cover and
    favicon, that left the site while their family is still published (replaced by a newer
    key, an alternate dropped, the episode renamed), until their grace period is over; returns
    the keys kept, with the time each left the feed (for ``record`` once the publish is
    done)."""
    live = {f for row in plan.manifest if (f := _family(row["key"]))
            and row["key"] not in plan.deletes}
    if plan.deletes:
        live |= _moved(cat, plan)
    since = _since(cat)
    stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    held: dict[str, str] = {}
    for key in plan.deletes:
        family = _family(key)
        if force or family is None or family not in live or key not in previous:
            continue
        first = since.get(key, stamp)
        try:
            left = stored(first)
        except (ValueError, TypeError):
            first, left = stamp, now
        if now - left < GRACE:
            held[key] = first
    if held:
        plan.deletes = [k for k in plan.deletes if k not in held]
        plan.manifest += [_kept(previous[k]) for k in sorted(held)]
    return held


def record(cat, held: dict[str, str]) -> None:
    """Remember when each kept key left the feed (inside the publish's last transaction)."""
    if held or cat.get_meta(META_KEY):
        cat.set_meta(META_KEY, json.dumps(held, sort_keys=True))
