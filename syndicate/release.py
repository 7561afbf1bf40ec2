"""Releases: queue an item for a time, and release whatever is due in one publish.

The catalog is the only record of release times. An item is released when the publish that
first puts it in the feeds commits (its ``published_at``), so a release that runs twice
publishes once, and a release cut short by a crash is simply still due. An item's release time
is the time it was queued for (``syndicate queue``), else its own date; an unqueued item is held
back until it is queued again. A failed release is recorded with its reason and retried with a
doubling wait, never dropped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import shlex
import zoneinfo
from dataclasses import dataclass, field

from . import generation
from .catalog import Catalog, open_catalog
from .collect import collect
from .collect.kept_back import forget_copy_hold
from .config import Settings
from .errors import SyndicateError
from .locks import publish_lock
from .when import WhenError, parse_release_time, stored

log = logging.getLogger("syndicate.release")
FAILURE_KEY = "release_failure"
MAX_RETRY = dt.timedelta(hours=1)


class ReleaseError(SyndicateError):
    """A queue request that cannot be carried out (unknown item, bad time...)."""


def iso(when: dt.datetime) -> str:
    """An instant as the catalog stores and compares it: ISO 8601 in UTC, to the microsecond
    when it has any (such strings sort in time order). Never rounded: a release must not go
    out even a fraction of a second early."""
    return when.astimezone(dt.UTC).isoformat()


def stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _when(text: str) -> dt.datetime:
    return stored(text)


# -- queueing ----------------------------------------------------------------------------------
def _one_item(cat: Catalog, ref: str, settings: Settings) -> dict:
    ref = ref.strip()
    candidates = cat.find_items(ref)
    if not candidates and ref:  # a path as typed from elsewhere: make it relative to the project
        try:
            rel = (settings.root / ref).resolve().relative_to(settings.root.resolve())
            candidates = cat.find_items(rel.as_posix())
        except ValueError:
            pass
    if not candidates:
        raise ReleaseError(f"no post or episode is known as {ref!r}; give its file (e.g. "
                           "posts/hello.md), its slug or its guid (see `syndicate status`)")
    if len(candidates) > 1:
        names = ", ".join(f"{r['kind']} {r['source']}" for r in candidates)
        raise ReleaseError(f"{ref!r} names more than one item ({names}); give its file instead")
    return candidates[0]


def _find(settings: Settings, cat: Catalog, refs: list[str], now: dt.datetime) -> list[dict]:
    """The items ``refs`` name. Files not yet in the catalog, or known to it as drafts, are
    collected first, once (that waits for a publish in progress: it holds the publish lock)."""
    try:
        found = [_one_item(cat, ref, settings) for ref in refs]
    except ReleaseError:
        return _recollected(settings, cat, refs, now)
    if any(item["draft"] and not item["published_at"] for item in found):
        # the catalog knew it as a draft: the author may have removed the line since
        return _recollected(settings, cat, refs, now)
    return found


def _recollected(settings: Settings, cat: Catalog, refs: list[str],
                 now: dt.datetime) -> list[dict]:
    """The items ``refs`` name, from the files as they are now (collected again)."""
    cat.commit()  # never wait for the publish lock while holding the catalog's write lock
    with publish_lock(settings, wait=30):
        collect(settings, cat, now=now)
        cat.commit(immediate=True)
    return [_one_item(cat, ref, settings) for ref in refs]


@dataclass
class Queued:
    item: dict
    at: dt.datetime
    zone: str
    moved_from: str | None = None
    title: str = ""


def queue(settings: Settings, ref: str, when_text: str, *, now: dt.datetime) -> Queued:
    """Queue ``ref`` (a path, slug or guid) for ``when_text``; queueing again moves it."""
    return queue_many(settings, [(ref, when_text)], now=now)[0]


def queue_many(settings: Settings, requests: list[tuple[str, str]], *,
               now: dt.datetime) -> list[Queued]:
    """Queue each (item, time) in one transaction: all of them, or (on any error) none."""
    zone = settings.config.site.timezone
    times = []
    for _, when_text in requests:
        try:
            at = parse_release_time(when_text, zone, now)
        except WhenError as exc:
            raise ReleaseError(str(exc)) from None
        if at < now.replace(microsecond=0) - dt.timedelta(seconds=59) \
                and when_text.strip() != "now":
            local = at.astimezone(zoneinfo.ZoneInfo(zone))
            raise ReleaseError(
                f"{when_text!r} ({local:%Y-%m-%d %H:%M %Z}) is in the past; nothing was queued. "
                "Use --at now to release it at once, or give a later time")
        times.append(at)
    done = []
    with open_catalog(settings.catalog_path, immediate=True) as cat:
        found = _find(settings, cat, [ref for ref, _ in requests], now)
        releases = cat.releases()
        for item, at in zip(found, times, strict=True):
            if item["published_at"]:
                raise ReleaseError(
                    f"{item['kind']} {item['source']} was already released on "
                    f"{item['published_at'][:16].replace('T', ' ')} UTC; a released item cannot "
                    "be queued again (set draft: true to take it down)")
            if item["draft"]:
                raise ReleaseError(f"{item['source']} is a draft (draft: true); remove that "
                                   "line first, then queue it")
            previous = releases.get(item["id"])
            cat.set_release(item["id"], iso(at), zone, stamp(now))
            forget_copy_hold(cat, item["guid"])
            moved = previous["at"] if previous and not previous["held"] else None
            done.append(Queued(item, at, zone, moved, json.loads(item["data"]).get("title", "")))
        gen = generation.after_queue(cat, settings)
        site_id = cat.get_meta("site_id")
    _record(settings, gen, site_id)
    return done


def _record(settings: Settings, gen, site_id: str | None = None) -> None:
    """The site's record of the generation a queue change made (see generation.py); should it
    fail, the catalog's queue_changed mark makes the next publish record one."""
    if gen is None:
        return
    if settings.config.target.startswith("s3://"):
        from botocore.exceptions import BotoCoreError, ClientError

        with contextlib.suppress(SyndicateError, ClientError, BotoCoreError, OSError), \
                publish_lock(settings, wait=30):
            generation.record_s3(settings, gen, site_id)
        return
    if settings.target_dir.is_dir():  # else nothing is published yet
        with contextlib.suppress(OSError):  # the next publish records it
            generation.record(settings, gen)


def unqueue(settings: Settings, ref: str, *, now: dt.datetime) -> dict:
    """Hold ``ref`` back: it is not released, at its queued time or its own date, until it is
    queued again."""
    with open_catalog(settings.catalog_path, immediate=True) as cat:
        (item,) = _find(settings, cat, [ref], now)
        if item["published_at"]:
            raise ReleaseError(
                f"{item['kind']} {item['source']} was already released on "
                f"{item['published_at'][:16].replace('T', ' ')} UTC; set draft: true in its "
                "file to take it down")
        release = cat.releases().get(item["id"])
        at = release["at"] if release else item["date"]
        cat.set_release(item["id"], at, settings.config.site.timezone, stamp(now), held=True)
        forget_copy_hold(cat, item["guid"])
        gen = generation.after_queue(cat, settings)
        site_id = cat.get_meta("site_id")
    _record(settings, gen, site_id)
    return item


# -- state ---------------------------------------------------------------------------------------
def failure(cat: Catalog) -> dict | None:
    text = cat.get_meta(FAILURE_KEY)
    return json.loads(text) if text else None


def states(settings: Settings, *, now: dt.datetime) -> list[dict]:
    """Every item with its release state: draft, queued, released, failed, held (gone from its
    folder, still live: a guard held its removal) or removed."""
    zone = zoneinfo.ZoneInfo(settings.config.site.timezone)
    with open_catalog(settings.catalog_path, commit=False) as cat:
        cat.check()  # (a release time spelled otherwise than syndicate writes would mislead)
        rows, releases, fail = cat.all_items(), cat.releases(), failure(cat)
        live = _live_pages(cat)
        return _states(rows, releases, fail, zone, now, live)  # inside: damage is named


def _live_pages(cat: Catalog) -> set[str]:
    """The item pages the last publish left live (to whatever target it recorded)."""
    return {r[0] for r in cat.conn.execute(
        "SELECT key FROM outputs WHERE key LIKE '%/index.html' AND target NOT LIKE 'preview:%'")}


WAITS = "held back until queued: release it with `syndicate queue {ref} --at <time>`"
HELD = ("its file is gone from its folder but it is still live: a publish held the removal "
        "(see its message); put the file back, or confirm with `syndicate publish --remove "
        "{ref}`")


def _states(rows, releases, fail, zone, now, live: set[str] = frozenset()) -> list[dict]:
    from .publish.items import page_key
    out = []
    # a page stands for the item whose file is there: another item's page at the same address
    # (a post renamed onto a deleted one's slug) says nothing of the one whose file is gone
    present = {page_key(r["kind"], r["slug"]) for r in rows if not r["missing"]}
    for r in rows:
        release = releases.get(r["id"])
        at = _when(release["at"] if release else r["date"])
        data = json.loads(r["data"])
        entry = {"kind": r["kind"], "title": data.get("title"), "source": r["source"],
                 "guid": r["guid"], "release_utc": iso(at),
                 "release_local": at.astimezone(zone).isoformat(), "seconds_left": None,
                 "queued": bool(release and not release["held"]), "error": r["error"],
                 "released_at": r["published_at"], "reason": None, "next_attempt": None}
        page = page_key(r["kind"], r["slug"])
        if r["missing"] and r["published_at"] and page in live and page not in present:
            state = "held"  # the guards kept it published: it is live, not removed
            entry["reason"] = HELD.format(ref=shlex.quote(data.get("title") or r["guid"]))
        elif r["missing"]:
            state = "removed"
        elif r["draft"] or (release and release["held"]):
            state = "draft"
            if not r["draft"]:  # no `draft:` line: held back (unqueued, or a copy held)
                entry["reason"] = WAITS.format(ref=shlex.quote(r["source"]))
        elif r["published_at"]:
            state = "released"
        elif at > now:
            state = "queued"
            entry["seconds_left"] = int((at - now).total_seconds())
        elif fail:
            state = "failed"
            entry["reason"], entry["next_attempt"] = fail["error"], fail["next_attempt"]
        else:
            state = "queued"  # due: the next publish or release pass releases it
            entry["seconds_left"] = 0
        entry["state"] = state
        out.append(entry)
    return out


def next_wake(cat: Catalog, now: dt.datetime) -> dt.datetime | None:
    """When the scheduler should next release something: ``now`` if something is due (or the
    retry time, after a failure), else the next release time; None if nothing is queued."""
    cat.check()
    upcoming = cat.next_release(iso(now))
    upcoming_at = _when(upcoming) if upcoming else None
    if cat.has_due(iso(now)):
        fail = failure(cat)
        if fail and _when(fail["next_attempt"]) > now:
            retry = _when(fail["next_attempt"])
            return min(retry, upcoming_at) if upcoming_at else retry
        return now
    return upcoming_at


# -- releasing -------------------------------------------------------------------------------
@dataclass
class ReleaseOutcome:
    released: list[dict] = field(default_factory=list)
    published: bool = False
    error: str | None = None
    next_attempt: dt.datetime | None = None
    warnings: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # what the steps after the publish did


def release_due(settings: Settings, *, now: dt.datetime, lock_wait: float = 5.0,
                publish_fn=None, fence=None) -> ReleaseOutcome:
    """Release everything due at ``now`` in one publish (which then tells the hubs).

    Nothing due: nothing is published. A failed publish is recorded (reason, attempts, next
    attempt) and the items stay due. ``fence(cat)`` (the scheduler's lease, leader.py) is
    called in the transaction that reads what is due and in the one that records the release;
    the ``NotLeader`` it raises goes to the caller, and nothing is recorded.
    """
    from .leader import NotLeader
    from .publish import publish

    publish_fn = publish_fn or publish
    outcome = ReleaseOutcome()
    try:
        with publish_lock(settings, wait=lock_wait):
            with open_catalog(settings.catalog_path) as cat:
                if fence:
                    fence(cat)
                cat.check()  # a damaged release time must not read as "nothing is due"
                report = collect(settings, cat, now=now)  # files dropped in since count
                due = cat.has_due(iso(now))
            if not due:  # (what collect said stands: an item held back, say)
                outcome.warnings = [*report.warnings, *(str(e) for e in report.errors)]
                return outcome
            extra = {"fence": fence} if fence else {}
            result = publish_fn(settings, now=now, lock_wait=lock_wait, collected=report, **extra)
    except NotLeader:
        raise
    except SyndicateError as exc:
        return _failed(settings, now, str(exc), outcome)
    except OSError as exc:  # never let a release vanish: record it and retry
        return _failed(settings, now, f"{type(exc).__name__}: {exc}", outcome)
    outcome.published = True
    outcome.released = result.released
    outcome.after = list(result.after)
    outcome.warnings = [*result.warnings, *(str(e) for e in result.errors)]
    with open_catalog(settings.catalog_path, immediate=True) as cat:
        blocked = _blocked(cat, now)
        if not blocked and cat.get_meta(FAILURE_KEY):
            cat.delete_meta(FAILURE_KEY)
    if blocked:  # its feed kept its last version: the release did not happen, so it failed
        # the reason it was held first (a guard on removals names what to run), then the rest
        reasons = sorted((str(e) for e in result.errors), key=lambda r: "--force" not in r) \
            or result.warnings or ["unknown"]
        names = ", ".join(blocked[:5]) + (f" and {len(blocked) - 5} more" if len(blocked) > 5
                                          else "")
        _failed(settings, now, f"{names} did not reach the feeds (kept at their last "
                f"published version): {reasons[0]}", outcome)
    return outcome


def _blocked(cat: Catalog, now: dt.datetime) -> list[str]:
    """Items due at ``now`` that the publish just run did not put in a feed."""
    if not cat.has_due(iso(now)):
        return []
    return [r["source"] for r in cat.visible(iso(now)) if not r["published_at"]]


def _failed(settings: Settings, now: dt.datetime, error: str,
            outcome: ReleaseOutcome) -> ReleaseOutcome:
    retry = dt.timedelta(seconds=settings.config.scheduler.retry_seconds)
    with open_catalog(settings.catalog_path, immediate=True) as cat:
        previous = failure(cat)
        attempts = (previous["attempts"] if previous else 0) + 1
        wait = min(retry * 2 ** (attempts - 1), MAX_RETRY)
        outcome.error, outcome.next_attempt = error, now + wait
        cat.set_meta(FAILURE_KEY, json.dumps({
            "error": error, "attempts": attempts, "since": previous["since"] if previous
            else stamp(now), "next_attempt": outcome.next_attempt.astimezone(dt.UTC).isoformat()}))
    return outcome
