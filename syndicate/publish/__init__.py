"""The main job, readable top to bottom: collect, build, plan, apply, record."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import generation
from ..config import Settings
from ..engines import DB_ERRORS, SILENT_SECONDS, PgError, PgLocation
from ..errors import ItemError, PublishError, SiteBlocked, SyndicateError
from ..locks import publish_lock
from . import after
from .keys import check_feed_keys
from .targets import open_target

if TYPE_CHECKING:
    from ..audio.pipeline import Progress
    from ..collect import CollectReport
    from .plan import Plan
    from .targets import Target

# The catalog, collect, the build and the plan (with pydantic's models, YAML, Markdown and the
# renderers) are imported inside publish(), once a publish to S3 has its first requests on their
# way: the store answers while they load.


@dataclass
class PublishResult:
    collected: CollectReport
    plan: Plan
    dry_run: bool
    errors: list[ItemError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    released: list[dict] = field(default_factory=list)  # items that reached the feeds just now
    held_items: list[str] = field(default_factory=list)  # removed items kept live: over max
    would_encode: list[str] = field(default_factory=list)  # a dry run's audio left unencoded
    changed_feeds: list[str] = field(default_factory=list)  # addresses of the feeds it changed
    # the CDN's paths it changed (a dry run's: that would be invalidated), when a CDN is set
    cdn_paths: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # what the steps after it did (invalidated)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.plan.held_deletes and not self.held_items


def publish(settings: Settings, *, now: dt.datetime, dry_run: bool = False,
            force: bool = False, overwrite: bool = False, progress: Progress | None = None,
            uploaded: Callable[[int, int], None] | None = None,
            lock_wait: float = 5.0, collected: CollectReport | None = None,
            verify: bool = False, target: Target | None = None,
            remove: tuple[str, ...] = (), rehash: bool | None = None,
            checked: bool = False, fence: Callable | None = None) -> PublishResult:
    """Collect the sources, render the site and bring the target up to date.

    Items dated after ``now`` are not published. Items that fail keep their last good version.
    With ``dry_run`` the plan is computed and returned, and neither the target nor the catalog
    changes. ``progress`` is called as (name, seconds done, seconds in all) during encodes,
    ``uploaded`` as (bytes just sent, bytes to send in all) while the target is written.

    ``force`` lifts the guards on removals (and overwrites files syndicate did not publish),
    reads every source by its content whatever its stat says, and has a folder target hash
    every live file against the sha256 it was written with (``LocalTarget.rehash``);
    ``overwrite`` only overwrites such files in a local folder. ``remove`` confirms the removal
    of these live items only (each a title, slug, guid or file of an item gone from its folder
    or set to draft): no guard holds them, every guard stays on for the rest.

    ``collected`` is the report of a collect the caller just ran under the publish lock (the
    sources are then not scanned twice).

    ``verify`` (an S3 target) reads every object's headers (a HEAD each) and puts back those
    edited by hand, which the listing a run reads cannot show.

    One publish runs at a time per catalog (a lock beside it; another waits up to ``lock_wait``
    seconds, then fails naming the holder). What collect found is committed before the target is
    written, so the catalog is not locked against ``syndicate queue`` during long uploads; what
    the target holds, and which items were released, is committed after it succeeded.

    ``rehash`` False keeps a folder target trusting the size and time each file was written
    with even under ``force`` (the preview: a folder only syndicate writes, built again on every
    change, whose 3,000 files would otherwise be read and hashed each time).

    ``checked`` skips the scan of every catalog row for damage (``Catalog.check``): the
    caller checked this catalog and nothing but its own publishes wrote it since (the preview's
    copy, built again on every change).

    ``fence(cat)`` is called in the transaction that records what the target holds and which
    items were released, before it writes anything: the scheduler's check that it still leads
    (leader.py); what it raises leaves that transaction unwritten. It is also asked before the
    target is written and before each write begun a second or more after the last ask
    (``_guarded``), and so, on PostgreSQL, is whether this publish's lock on the server is
    still held: a publish stopped past its locks and continued writes nothing more.

    ``target`` is where the site goes (by default the one the config's ``target`` names, see
    ``targets.py``). A target that records nothing (``PreviewTarget``) leaves the catalog's
    published state as it was, is never guarded and is followed by no step (no ping).

    After a publish that changed the site, the steps of ``after.STEPS`` run in order (the
    CDN told of the changed paths, then the pings), once the publish lock is released; their
    warnings are the result's.
    """
    check_feed_keys(settings.config, settings.path)
    target = target or open_target(settings, force=force or overwrite, verify=verify)
    records = target.records
    force_asked = force and records  # --force: every source and live file read, not trusted
    target.rehash = force_asked if rehash is None else rehash and force_asked
    force = force or not records  # a preview holds nothing back: it is never live
    released: list[dict] = []
    would_encode: list[str] = []
    with ExitStack() as stack:
        lock_held = None  # on PostgreSQL: whether the server's publish lock is still ours
        if not dry_run:
            lock_held = stack.enter_context(publish_lock(settings, wait=lock_wait))
        target.start()  # the bucket is read while the rest loads and collect runs (under the
        # lock: what is read must not change under this run)
        from ..catalog import open_catalog
        from . import unchanged
        from .foreign import Carried, carried_posts
        from .items import confirm_removals, vanished_live
        from .plan import make_plan

        if dry_run:  # a dry run works on a copy of the catalog and takes no lock: it writes nothing
            catalog_path = stack.enter_context(scratch_catalog(settings.catalog_path))
        else:
            catalog_path = settings.catalog_path
        cat = stack.enter_context(open_catalog(catalog_path, commit=not dry_run))
        if not checked:  # a damaged row would drop its item from the site: stop before
            cat.check()  # anything
        target.bind(cat)  # what the catalog knows of the target (an S3 site's id)
        if records and not target.rehash and _behind(cat, target, settings):
            target.rehash = True  # another checkout published since: its files are not ours
        if cat.get_meta("created_at") is None:
            cat.set_meta("created_at", now.astimezone(dt.UTC).replace(microsecond=0).isoformat())
            if not dry_run:
                cat.commit()  # never hold the write lock through the encodes of collect
        # an S3 site's generation: from the manifest read
        report = collected or _collect_fresh(settings, cat, now, progress, dry_run,
                                             target.site_state, reread=force_asked,
                                             remove=remove)
        if not dry_run:
            cat.commit()
        else:
            from ..errors import NotEncoded

            would_encode = [e.path for e in report.errors if isinstance(e, NotEncoded)]
            report.errors = [e for e in report.errors if not isinstance(e, NotEncoded)]
        target.adopt(cat, settings)  # a folder: whose site it holds
        recorded = cat.outputs(target.name) if records else {}
        previous = target.previous(recorded)
        # many items gone at once (a folder emptied, moved or unreadable) stay published, feed
        # entries and all, until --force says the removal is meant
        vanished = vanished_live(cat, previous)
        confirmed, unmatched = confirm_removals(vanished, remove)
        carried = Carried()
        if records and recorded and not force:  # another checkout's live posts stay listed
            carried = carried_posts(settings, cat, recorded, previous, lambda k: k in previous
                                    and target.has(k, previous[k]["size"]), remove)
            unmatched = [n for n in unmatched if n not in carried.names]
        left = [r for r in vanished if r not in confirmed]
        held = left if len(left) > settings.config.max_deletes and not force else []
        if not dry_run and records:
            target.remember(cat)  # what was learnt of the target, before anything carries it
        # nothing that feeds the pages and feeds changed since the last clean publish here, and
        # the target still holds all it made: they are planned as recorded, not built again
        fp = unchanged.fingerprint(settings, cat, now, target.name) \
            if records and not dry_run and not settings.preview else None  # (a preview is
        # built whole on each change it is woken by: it never plans from what it recorded)
        site_errors: list[ItemError] = []
        guarded: list[ItemError] = []
        plan, first, site = None, False, None
        quiet = not (force or vanished or remove or report.errors or carried.rows
                     or getattr(target, "verify", False))  # nothing asks more of this run
        if fp is not None and fp[1] and recorded and quiet:
            said = unchanged.remembered(cat, target.name, fp[0])
            if said is not None:
                from .grace import superseded_keys

                outs = unchanged.as_published(recorded, previous, target, superseded_keys(cat))
                if outs is not None:
                    plan = make_plan(outs, previous, target,
                                     max_deletes=settings.config.max_deletes, force=force)
                    site_warnings, shown, tag_folders = said, [], {}
        if plan is None:
            first = cat.get_meta("podcast_guid") is None  # a build that records it: see clean
            site, plan, guarded = _build(settings, cat, target, now=now, previous=previous,
                                         recorded=recorded, held=held, force=force,
                                         dry_run=dry_run, confirmed=confirmed, carried=carried)
            site_errors, site_warnings = site.errors, site.warnings
            kept = set(plan.kept)
            shown = [] if plan.held_back else \
                [i for i in site.visible_ids if site.feed_of.get(i) not in kept]
            tag_folders = site.tag_folders
        if records:  # (a folder's record is the catalog's: local.py says so itself)
            site_warnings = [*site_warnings, *_rolled_back(plan, recorded, previous, target)]
        from .grace import archives_cached_until, keep_superseded

        # archive pages held until now, or published now, may be cached a week from now
        cached_until = archives_cached_until(
            cat, [*previous, *(row["key"] for row in plan.manifest)], _feed_keys(settings), now)
        superseded = keep_superseded(plan, previous, cat, now, force=force,
                                     cached_until=cached_until)
        paths = []
        if records and after.wanted(settings):  # what the CDN must forget (cdnpaths.py)
            from .cdnpaths import cdn_paths, changed_keys

            paths = cdn_paths(settings, changed_keys(plan, previous))
        if not dry_run:
            try:
                guard = _guarded(cat, fence, lock_held) if fence or lock_held else None
                _apply(plan, target, uploaded, guard)
            except Exception:
                if paths:  # what was written before it failed may be cached: still pending
                    _keep_pending(cat, paths)
                raise
            if site is not None:  # where the files beside items are now (linked.py)
                from .linked import remember

                remember(cat, site.linked)
            if records:
                clean = fp is not None and not (report.errors or site_errors or plan.errors
                                                or plan.kept or plan.deferred or held
                                                or plan.held_deletes or guarded
                                                or (first and site_warnings))
                released = _record(settings, cat, target, shown, tag_folders, plan,
                                   (superseded, cached_until), now,
                                   (fp[0] if clean else None,
                                    [w for w in site_warnings
                                     if site is None or w not in site.said_once]), guard)
            else:
                target.finish(plan.manifest, (0, ""))  # a preview: remembered by itself only
        feeds = [] if dry_run or not records else after.changed_feeds(
            settings, {w.output.key for w in plan.writes}, released)
        todo = after.mark_pending(cat, feeds=feeds, paths=paths) if records and not dry_run else {}
    # (the lock released: the CDN and the pings may be slow)
    after_done, after_warnings = after.run_pending(settings, todo)
    return PublishResult(
        collected=report, plan=plan, dry_run=dry_run,
        errors=one_cover_error([*report.errors, *site_errors, *plan.errors, *guarded]),
        warnings=[*settings.warnings, *report.warnings, *site_warnings,
                  *(f"--remove {name!r}: no live item gone from its folder (or set to draft) "
                    "has this title, slug, guid or file; it confirmed nothing"
                    for name in unmatched),
                  *carried.warnings(),
                  *target.warnings, *after_warnings],
        released=released, held_items=[r["source"] for r in held], would_encode=would_encode,
        changed_feeds=feeds, cdn_paths=paths, after=after_done,
    )


def one_cover_error(errors: list) -> list:
    """``errors`` with the show's cover said once: the build's error of it (the feeds and pages
    keep their last version) takes in what collect said of the same cover (the episodes that
    carry it are not re-tagged)."""
    about = next((e for e in errors if getattr(e, "about_cover", False)), None)
    effects = [e for e in errors if getattr(e, "cover_effect", None)]
    if about is None or not effects:
        return errors
    merged = type(about)(about.path, "; ".join([about.reason, *(e.cover_effect
                                                                 for e in effects)]),
                         about.line, hint=about.hint)
    return [merged if e is about else e for e in errors if e not in effects]


def _build(settings: Settings, cat, target: Target, *, now: dt.datetime, previous: dict,
           recorded: dict, held: list, force: bool, dry_run: bool, confirmed: list[dict],
           carried=None):
    """Build the site and plan it: (the site, the plan, the guards' errors).

    An item whose page cannot be made (a broken template), or new to the site while a list that
    must show it cannot be made, is left out of every list and feed, as if not released yet; a
    tag page that cannot be made is linked by no page: the site is built again without them
    (nothing is sent before the plan is final). ``carried``: another checkout's live posts
    (foreign.py), listed beside this checkout's; one error names them."""
    from . import folders
    from .build import build_site
    from .foreign import Carried, carried_error, remember
    from .guard import guard_feeds
    from .items import item_keys, left_behind
    from .linked import LastPublished
    from .plan import hold_unlinked, make_plan
    from .sitepages import PAGE_KEYS

    records = target.records
    carried = carried or Carried()
    if records:
        remember(cat, carried)
    left_out: dict[str, tuple[str, str]] = {}
    moved: dict[tuple[str, str], list[str]] = {}  # (kind, guid) -> the old slugs of its address
    if confirmed:
        from ..collect.renames import moved_pages

        for old, guid in moved_pages(cat).items():
            kind, _, slug = old.partition("/")
            moved.setdefault((kind, guid), []).append(slug)
    last = LastPublished.of(cat, previous, target.has)
    while True:
        site = build_site(settings, cat, now=now, preview=settings.preview,
                          target_has=lambda k: k in previous
                          and target.has(k, previous[k]["size"]),
                          left_out=frozenset(left_out), carried=carried.rows, last=last)
        if held:  # every feed (JSON ones and archive pages too) and page keeps them listed
            from ..render.paging import archive_key

            feeds = [k for keys in folders.feeds_of(settings).values() for k in keys]
            site.keep(*feeds, *(archive_key(k, "*") for k in feeds), *PAGE_KEYS)
        # a source folder changed since the last publish takes no live entry off by itself
        guarded = guard_feeds(settings, cat, site, previous, force=force,
                              adopted=not recorded, moved=folders.changes(settings, cat),
                              confirmed={r["guid"] for r in confirmed} | set(carried.dropped),
                              target_has=lambda k: k in previous
                              and target.has(k, previous[k]["size"])) if records else []
        if site.held and recorded and not held:
            # the pages show what the held feeds show: built again with those kinds as the
            # last publish showed them, the rest (a post released meanwhile) as it is now
            kept = [k for k in site.kept if k not in PAGE_KEYS]  # the held feeds, moved ones
            site = build_site(settings, cat, now=now, preview=settings.preview,
                              frozen=site.held, live=set(previous), target_has=lambda k: (
                                  k in previous and target.has(k, previous[k]["size"])),
                              left_out=frozenset(left_out), carried=carried.rows,
                              last=last)
            site.keep(*kept)
        plan = make_plan(site.outputs, previous, target,
                         max_deletes=settings.config.max_deletes, force=force,
                         keep=site.kept, check_sources=not dry_run,
                         confirmed=[p for r in confirmed for p in item_keys(r, moved.get(
                             (r["kind"], r["guid"]), ()))],
                         left_out=left_out)
        more = left_behind(site.outputs, plan, previous, site.kept)
        if not more:
            hold_unlinked(plan, site.outputs, previous)
            said = carried_error(settings, [r for r in carried.rows if item_keys(r)[0]
                                            + "index.html" not in left_out]) \
                if "post" not in site.held else None
            return site, plan, [*guarded, *([said] if said else [])]
        left_out.update(more)


def _apply(plan: Plan, target: Target, uploaded, guard=None) -> None:
    """Write the plan to the target, feeds last (``guard``: see ``_guarded``)."""
    from .plan import apply_plan

    total = plan.bytes
    try:
        apply_plan(plan, target, workers=target.workers,
                   sent=(lambda n: uploaded(n, total)) if uploaded else None, guard=guard)
    except SiteBlocked as exc:  # publishing again cannot help until it is moved
        raise SiteBlocked(f"{exc}. Feeds go last, so what is live still points only "
                          "at files that exist") from None
    except PublishError as exc:
        raise PublishError(f"{exc}. Feeds go last, so what is live still points only "
                           "at files that exist; run publish again to finish") from None


def _guarded(cat, fence: Callable | None, lock_held: Callable[[], bool] | None
             ) -> Callable[..., None]:
    """What a publish asks before the target is written and before it records (``force``),
    and before each write begun ``GUARD_SECONDS`` or more after the last ask: the scheduler's
    ``fence(cat)`` (its lease) and whether the server's publish lock is still this
    process's. A process stopped past its locks (SIGSTOP, a hung host) and continued writes and
    records nothing more (leader.py)."""
    from ..leader import GUARD_SECONDS

    lock = threading.Lock()
    last = [float("-inf")]

    def check(force: bool = False) -> None:
        with lock:  # (the writes run in threads; one connection asks)
            if force or time.monotonic() - last[0] >= GUARD_SECONDS:
                if fence:
                    fence(cat)
                if lock_held and not lock_held():
                    raise PublishError(
                        f"catalog {cat.path}: this publish lost its lock on the "
                        "server (its process was stopped or cut off for more than "
                        f"{SILENT_SECONDS} s), so another may have published since; it wrote "
                        "nothing more and recorded nothing: run publish again")
                last[0] = time.monotonic()
    return check


def _keep_pending(cat, paths: list[str]) -> None:
    """After a failed apply: this run's catalog writes dropped (as they would be), its paths
    recorded as pending for the CDN, so the next publish tells it of what was written."""
    try:
        cat.restart()
        after.mark_pending(cat, paths=paths)
    except (*DB_ERRORS, SyndicateError):  # the apply's own error is the one to say
        pass


def _feed_keys(settings: Settings) -> list[str]:
    """The keys of every feed the config makes (each may have archive pages)."""
    from .folders import feeds_of

    return [k for keys in feeds_of(settings).values() for k in keys]


def _record(settings: Settings, cat, target: Target, shown: list[int],
            tag_folders: dict[str, str], plan: Plan,
            superseded: tuple[dict[str, str], dt.datetime | None], now: dt.datetime,
            fingerprint: tuple[str | None, list[str]], guard=None) -> list[dict]:
    """Once the target holds the site: what it holds, and which items were released, into the
    catalog, then the publishing catalog's generation onto the site; returns the released.
    ``shown``: the items in the feeds this publish made; ``superseded``: the old keys kept for
    their grace and until when an archive page may be cached (grace.py); ``fingerprint``: what
    the build read (None when it must run again next time) and the warnings it gave (see
    unchanged.py)."""
    from . import folders, tagfolders, unchanged
    from .grace import record

    cat.commit(immediate=True)
    if guard:  # under the writer lock: no other scheduler records between the check and commit
        guard(force=True)
    cat.replace_outputs(target.name, plan.manifest)
    held, cached_until = superseded
    record(cat, held, cached_until)
    tagfolders.record(cat, tag_folders, plan.manifest)
    unchanged.remember(cat, target.name, *fingerprint)
    # an item reaches the feeds only if its feed was made, not kept at its last version
    kept = set(plan.kept)
    released = cat.mark_published(shown, now)
    # the folders this publish read are the ones its feeds now show (a held feed still shows
    # the entries of the folder recorded before)
    folders.record(settings, cat, [kind for kind, keys in folders.feeds_of(settings).items()
                                   if not kept.intersection(keys)])
    # a publish that changed the site or follows a change of the queue counts one up: a
    # backup taken before it is older (one that changed nothing leaves the site as it was)
    changed = (plan.writes or plan.deletes or plan.header_fixes or released
               or generation.pending(cat))
    gen = generation.bump(cat) if changed else None
    stamp = gen or generation.current(cat)
    cat.commit()  # what is live is recorded: only now may the cache lose what it replaced
    # the site learns which catalog published it last (for a restored old one), last of
    # all: a crash before leaves the site behind the catalog (harmless), never ahead
    try:
        target.finish(plan.manifest, stamp)  # S3: in the manifest; a folder: state.json
    except PublishError as exc:
        raise PublishError(f"{exc}. Every object and feed is live; run publish again "
                           "to record them") from None
    _prune_media(settings, cat, [r for r in plan.manifest if r["key"] not in held])
    return released


def _rolled_back(plan: Plan, recorded: dict, previous: dict, target) -> list[str]:
    """Warnings for the live files this publish puts back as this catalog last wrote them,
    which the target's own record says another checkout (or a hand) changed since."""
    new = {row["key"]: row["sha256"] for row in plan.manifest}
    out = []
    for w in plan.writes:
        key = w.output.key
        mine, live = recorded.get(key), previous.get(key)
        if mine and live and live["sha256"] != mine["sha256"] and new.get(key) == \
                mine["sha256"]:
            out.append(f"{target.name}{key}: changed since this catalog published it (by "
                       "another checkout publishing here, or by hand: bring its sources to "
                       "this one first); put back as this checkout has it")
    return out


def _behind(cat, target, settings: Settings) -> bool:
    """Whether the site was published since this catalog last did (by another checkout, or
    this catalog is a restored backup): then no live file is taken as this catalog wrote it
    on its stamp alone."""
    from ..collect.recover import site_state

    try:
        state = target.site_state() if target.site_state is not None else site_state(settings)
        return generation.behind(cat, state) is not None
    except SyndicateError:
        return False


def _collect_fresh(settings: Settings, cat, now, progress, dry_run: bool, state=None,
                   reread: bool = False, remove: tuple[str, ...] = ()):
    """Collect; when a queue or unqueue wrote to the catalog while collect was reading or
    encoding, collect again on what the catalog holds now (the encodes are cached by then)."""
    from ..catalog import stale
    from ..collect import collect

    for attempt in range(5):
        try:
            return collect(settings, cat, now=now, progress=progress, dry_run=dry_run,
                           state=state, reread=reread, remove=remove)
        except (sqlite3.OperationalError, PgError) as exc:
            if not stale(exc) or attempt == 4:
                raise
            cat.restart()
    raise AssertionError("unreachable")


def _prune_media(settings: Settings, cat, manifest: list[dict]) -> None:
    """After a publish: drop from the media cache what neither a live enclosure nor an episode
    of the catalog needs (earlier tags of re-tagged episodes, encodes of changed audio or old
    settings, partial files of killed encodes). Never during a dry run."""
    cache_dir = settings.state_dir / "media"
    if not cache_dir.is_dir():
        return
    from ..audio.cache import cache_key, prune_cache
    from ..catalog import loads
    from ..collect.media import audio_settings

    lock = settings.state_dir / "publish.lock"
    try:  # the lock file was written when this publish began: a file time, like the cache's
        before = lock.stat().st_mtime
    except OSError:
        return
    tagged = {r["sha256"] for r in manifest if r["key"].startswith("media/")}
    encoded: set[str] | None = set()
    sound = None
    if settings.config.audio.process:
        try:
            sound = audio_settings(settings, check=False)
        except (ItemError, OSError):
            encoded = None  # an intro or outro is broken: which encodes are current is unknown
    live = set(tagged)
    for r in cat.all_items("episode"):
        media = loads(r["data"]).get("media") or {}
        if media.get("passthrough") or media.get("url"):
            continue
        if r["missing"] and media.get("sha256") not in live:
            continue  # removed, and its audio no longer served: nothing of it is needed
        tagged.add(media.get("sha256", ""))
        if sound is not None and encoded is not None and r["content_hash"]:
            encoded.add(cache_key(r["content_hash"], sound))
        if encoded is not None:  # its renditions (audio.alternates), published from the cache
            encoded.update(alt["key"] for alt in media.get("alternates", []))
    prune_cache(cache_dir, tagged=tagged, encoded=encoded, before=before)


@contextmanager
def scratch_catalog(path: Path) -> Iterator[Path]:
    """A private copy of the catalog (an empty one if there is none yet), removed afterwards:
    a SQLite file, whatever the catalog's engine. The original is read without a lock file, a
    journal or a write of any kind."""
    from ..catalog import db_error

    with tempfile.TemporaryDirectory(prefix="syndicate-dry-run-") as tmp:
        copy = Path(tmp) / "catalog.db"
        if isinstance(path, PgLocation):
            from ..catalogcopy import copy_catalog

            copy_catalog(path, copy, migrate_source=False)
        elif path.exists():
            # immutable: SQLite creates no -wal/-shm beside it; while another process has it
            # open (its -wal exists) a read-only connection shares that process's files instead
            mode = "mode=ro" if Path(f"{path}-wal").exists() else "immutable=1"
            try:
                src = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
                try:
                    dst = sqlite3.connect(copy)
                    with dst:
                        src.backup(dst)
                    dst.close()
                finally:
                    src.close()
            except sqlite3.Error as exc:
                raise db_error(path, exc) from None
        yield copy
