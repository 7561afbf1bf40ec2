"""Collect posts and episodes into the catalog.

An item is known by the content of its files (their sha256, kept per checkout by their stat in
``filehashes``): a source whose content is the catalog's is not parsed again, whichever
checkout last collected it, unless ``reread`` asks to read every source by its content
(``publish --force``). A checkout behind another sharing its catalog (see ``behind``) rolls
nothing back. Each item keeps the GUID
it was given when first collected, through edits, renames and re-collects. A source that fails
keeps its last good version in the catalog and is reported with its file and line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import audio, engines, filestat
from ..catalog import Catalog, dumps, item_names, loads
from ..config import Settings
from ..errors import CollectError, ItemError, SyndicateError, printable
from ..filehashes import FileHashes
from ..fingerprint import code_fingerprint
from ..model import Episode, Post, published_part
from ..sourcefiles import read_source, why_unreadable
from ..when import stored
from . import behind, identity
from .episodes import SIDECAR_SUFFIXES, EpisodeSource, read_sidecar, shared_audio
from .kept_back import COPY_HOLDS, KeptBack, copy_holds
from .media import audio_fingerprint, prepare_audio
from .posts import POST_SUFFIXES, parse_post
from .recover import published_site, site_state
from .released import keep_release_date
from .renames import (
    continued,
    copies,
    crossed,
    near_miss,
    remember_move,
    same_words,
    unlike,
    words,
)
from .scan import FolderScan, scan_folder

if TYPE_CHECKING:
    from ..audio.pipeline import Progress

# Sources are re-parsed when the code that parses them changes.
PARSE_VERSION = code_fingerprint(
    "collect/*.py", "markup.py", "model.py", "yamlcheck.py", "when.py", "frontmatter.py",
    "mediatypes.py")


@dataclass
class CollectReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Parsed:
    kind: str
    name: str
    sig: str
    content_hash: str
    item: Post | Episode | None = None
    error: ItemError | None = None


def derive_guid(taken: set[str], site_url: str, kind: str, slug: str) -> str:
    """A stable UUID for a new item; stored once and never derived again for that item."""
    base = f"{site_url}{kind}/{slug}"
    n = 1
    while True:
        guid = str(uuid.uuid5(uuid.NAMESPACE_URL, base if n == 1 else f"{base}#{n}"))
        if guid not in taken:
            return guid
        n += 1


def _not_there(kind: str, folder: Path) -> str:
    """Why the sources folder is not read: gone, or something else in its place."""
    if os.path.lexists(folder) and not os.path.isdir(folder):
        return f"{kind} folder is not a folder (a file of that name is in its place)"
    return f"{kind} folder not found"


def collect(settings: Settings, cat: Catalog, *, now: dt.datetime,
            progress: Progress | None = None, dry_run: bool = False,
            state: Callable[[], dict | None] | None = None,
            reread: bool = False, remove: tuple[str, ...] = ()) -> CollectReport:
    """Bring the catalog up to date with posts/ and episodes/; see the module's docstring.

    ``progress`` is called as (name, seconds done, seconds in all) during long audio encodes.
    With ``dry_run`` no audio is encoded or cached (audio.NotEncoded names what would be).
    ``state`` gives the publish generation the site records (a publish to S3 has it from the
    manifest it reads anyway); by default it is read from the site (``site_state``).
    With ``reread`` every source is read, and its audio hashed, whatever its stat says (an
    item whose content is the same stays unchanged). ``remove`` (``publish --remove``) names
    items whose file is gone that are not to be kept while another file fails to read.
    """
    report = CollectReport()
    root = settings.root
    zone = settings.config.site.timezone
    hashes = FileHashes(root, settings.state_dir, fresh=reread)
    rows = cat.all_items()
    by_source = identity.by_source(rows)
    queue = cat.releases()
    parsed: list[_Parsed] = []
    seen: set[str] = set()

    scans: dict[str, FolderScan] = {}

    elsewhere = behind.Elsewhere(rows, hashes, scans)
    known = {parent for r in rows if not r["missing"]  # folders holding the catalog's items
             for parent in _parents(r["source"])}
    posts_dir = settings.posts_dir
    there = _folder_there(posts_dir, "posts", report)
    if there:
        scan = scans["post"] = scan_folder(posts_dir, root, POST_SUFFIXES,
                                            skip_files_folders=True, known=known)
        report.errors += scan.errors
        report.warnings += scan.warnings
        post_version = _version(PARSE_VERSION, zone)
        for found in scan.files:
            name = found.name
            seen.add(name)
            row = by_source.get(name)
            # (a file new to the catalog is hashed from the bytes its parse reads)
            sig = f"{post_version}|{hashes.of(found.path, found.sig)}" if row else ""
            if not reread and found.error is None and row and row["sig"] == sig \
                    and not row["error"] and not row["missing"]:
                report.unchanged += 1
                continue
            if not reread and found.error is None and behind.is_earlier(
                    cat, row, sig, hashes.unchanged_here(found.path)):
                report.errors.append(behind.error(name, row))
                continue
            held = hashes.held(found.path) if not reread and found.error is None else None
            if held is not None and held == hashes.of(found.path, found.sig):
                gone = behind.gone_elsewhere(cat, row, name, "post", held, elsewhere.live)
                if gone is not None:
                    report.errors.append(gone)
                    continue
            elif not reread and found.error is None and row is None and (
                    taken := elsewhere.taken_down.get(hashes.of(found.path, found.sig))):
                report.errors.append(behind.renamed_after_taken_down(name, taken))
                continue
            elif not reread and found.error is None and row is None and (
                    moved := elsewhere.renamed_both.get(hashes.of(found.path, found.sig))):
                report.errors.append(behind.renamed_twice(name, moved))
                continue
            p = _Parsed("post", name, sig, "", error=found.error)
            if p.error is None:
                path = Path(found.path)
                try:
                    data = read_source(path, name, identity=found.identity)
                    p.content_hash = hashlib.sha256(data).hexdigest()
                    if not sig:
                        p.sig = f"{post_version}|{p.content_hash}"
                        hashes.read_as(found.path, found.sig, p.content_hash)
                    p.item = parse_post(path, name, zone, report.warnings, data, posts_dir)
                    _released_date(p, p.item, row, queue, now, path, zone, report)
                except ItemError as exc:
                    p.error = exc
            parsed.append(p)
    elif there is False and any(r["kind"] == "post" and not r["missing"] for r in rows):
        report.errors.append(CollectError(str(posts_dir), _not_there("posts", posts_dir),
                                          hint="check paths.posts in config.yaml"))

    episodes_dir = settings.episodes_dir
    there = _folder_there(episodes_dir, "episodes", report)
    if there:
        episode_version = _version(PARSE_VERSION, zone, audio_fingerprint(settings, hashes))
        scan = scans["episode"] = scan_folder(episodes_dir, root,
                                              SIDECAR_SUFFIXES | audio.AUDIO_EXTENSIONS,
                                              skip_files_folders=True, known=known)
        report.errors += scan.errors
        report.warnings += scan.warnings
        pending: list[tuple[_Parsed, EpisodeSource]] = []
        claimed_audio: set[str] = set()
        named_by: dict[str, set[str]] = {}  # each audio's real path -> the sidecars naming it
        audio_files = []
        for found in scan.files:
            if os.path.splitext(found.name)[1].lower() not in SIDECAR_SUFFIXES:
                audio_files.append(found)
                continue
            name, path = found.name, Path(found.path)
            seen.add(name)
            row = by_source.get(name)
            if found.error is None and row and not row["error"] and not row["missing"]:
                data = loads(row["data"])
                deps = [root / d for d in (data["audio"], data["image"], data["transcript"]) if d]
                if data["audio"]:
                    claimed_audio.add(os.path.realpath(root / data["audio"]))
                if not reread and row["sig"] == f"{episode_version}|{hashes.sig(path, *deps)}":
                    report.unchanged += 1
                    if data["audio"]:
                        named_by.setdefault(os.path.realpath(root / data["audio"]),
                                            set()).add(name)
                    continue
            p = _Parsed("episode", name, "", "", error=found.error)
            if p.error is None:
                try:
                    src = read_sidecar(path, name, zone, report.warnings, episodes_dir,
                                      found.identity)
                    p.sig = f"{episode_version}|{hashes.sig(*src.files())}"
                    gone = None  # (taken down or renamed by another checkout, held here)
                    if not reread and (row is None or row["missing"]) \
                            and hashes.held(path) == hashes.of(path) \
                            and hashes.unchanged_here(*src.files()):
                        gone = behind.gone_elsewhere(cat, row, name, "episode",
                                                     behind.content(p.sig), elsewhere.live)
                    if not reread and (gone or behind.is_earlier(
                            cat, row, p.sig, hashes.unchanged_here(*src.files()))):
                        report.errors.append(gone or behind.error(name, row))
                        if src.audio is not None:
                            claimed_audio.add(os.path.realpath(src.audio))
                        continue
                    _released_date(p, src, row, queue, now, path, zone, report)
                    if src.audio is None:  # kept at its URL: its identity is the URL and size
                        p.content_hash = hashlib.sha256(
                            f"{src.meta.audio_url}|{src.meta.audio_length}".encode()).hexdigest()
                    else:
                        p.content_hash = hashes.of(src.audio)  # (read once, just above)
                        if p.content_hash == "-":  # unreadable: said as such
                            p.content_hash = _sha256_file(src.audio, name)
                        claimed_audio.add(os.path.realpath(src.audio))
                        named_by.setdefault(os.path.realpath(src.audio), set()).add(name)
                    pending.append((p, src))
                except ItemError as exc:
                    p.error = exc
            parsed.append(p)
        prepare_audio(pending, settings, report, progress, dry_run=dry_run)
        report.warnings += shared_audio(named_by, root)
        for found in audio_files:
            path = Path(found.path)
            if found.real not in claimed_audio \
                    and not filestat.may_be_there(path.with_suffix(".yaml")) \
                    and not filestat.may_be_there(path.with_suffix(".yml")):
                report.warnings.append(
                    f"{printable(found.name)}: audio without a sidecar, ignored "
                    f"(add {printable(path.stem)}.yaml with at least title and date)"
                )
    elif there is False and any(r["kind"] == "episode" and not r["missing"] for r in rows):
        report.errors.append(CollectError(str(episodes_dir), _not_there("episodes", episodes_dir),
                                          hint="check paths.episodes in config.yaml"))

    # an item whose file this checkout never held is another checkout's (a catalog shared),
    # not one deleted here; told only once this checkout has a record of its files, or when
    # the catalog is on a server (a fresh checkout's first run)
    others = not reread and (hashes.had or settings.catalog_on_server)
    _reconcile(cat, settings, rows, parsed, seen, scans, report, now, remove,
               never_here=(lambda r: not hashes.ever_held(r["source"])) if others
               else None)
    if not dry_run:  # (the names of items gone or renamed here are forgotten: put back,
        # they are this checkout's own again, not a copy behind another's change)
        live = {r["source"] for r in rows if not r["missing"]} if not (
            parsed or report.removed) else {s for (s,) in engines.tuples(
                cat.conn, "SELECT source FROM items WHERE NOT missing")}
        hashes.save(live)
    from ..generation import ours

    # a catalog made anew (empty, never published) held what the site does not show already
    _hold_if_behind(cat, settings, report, now, hold=bool(rows or ours(cat)),
                    state=state or (lambda: site_state(settings)))
    from ..publish.foreign import CARRIED

    if cat.get_meta(CARRIED):  # the live feeds hold posts this catalog has no record of
        _released_elsewhere(cat, settings, report, now)
    return report


def _released_elsewhere(cat, settings, report, now) -> None:
    """Items due now and never released whose title and date a live entry has, its guid one
    this catalog never gave (released from another checkout, or a backup's later state, and
    renamed since): each is that entry, released, and keeps its guid (a new guid would show
    readers a second copy). Asked only while the last publish carried such entries
    (publish/foreign.py): a collect otherwise reads no feed."""
    stamp = now.astimezone(dt.UTC).isoformat()
    queue = cat.releases()
    due = [r for r in cat.all_items() if not (r["draft"] or r["missing"] or r["published_at"])
           and not (queue.get(r["id"]) or {}).get("held")
           and (queue[r["id"]]["at"] if r["id"] in queue else r["date"]) <= stamp]
    if not due:
        return  # (the live feeds are read only when an item is about to be released)
    try:
        site = published_site(settings)
    except SyndicateError:
        return  # the publish that follows says what is wrong with the store
    if site is not None:
        known = cat.known_guids()
        for r in due:
            _take_live_entry(cat, site, r, queue.get(r["id"]), known, report)


def _take_live_entry(cat, site, r: dict, release: dict | None, known: set[str],
                     report) -> bool:
    """``r`` (never released) is the live entry with its title and date whose guid this
    catalog does not know, if there is one: it takes that guid and release time (its old
    address leads to its page)."""
    title = loads(r["data"]).get("title")
    found = site.released_as(r["kind"], title, (r["date"], release and release["at"]), known) \
        if title else None
    if found is None:
        return False
    guid, when, old = found
    old = old and f"{'posts' if r['kind'] == 'post' else 'episodes'}/{old}/"
    cat.update_item(r["id"], guid=guid)
    cat.take_as_released(r["id"], when)
    if old and found[2] != r["slug"]:
        remember_move(cat, {"kind": r["kind"], "slug": found[2], "published_at": when},
                      r["slug"], guid)
    known.add(guid)
    report.warnings.append(
        f"{printable(r['source'])}: the live feeds show this {r['kind']} (same title and date, "
        f"released {when}, guid {guid}) from a later catalog or another checkout: it is that "
        "released item, renamed since; it keeps its guid" + (
            f" and its old address {old} leads to its page" if old and found[2] != r["slug"]
            else ""))
    return True


def _released_date(p: _Parsed, dated, row, queue, now, path, zone, report) -> None:
    """A released item keeps its date when its file now gives one in the future (before its
    audio is tagged with it); the warning repeats on every collect until the date is fixed."""
    warning = keep_release_date(row, dated, queue.get(row["id"]) if row else None, now, path,
                                p.name, zone)
    if warning:
        report.warnings.append(warning)
        p.sig = f"released-date|{p.sig}"  # read again next time, so the warning stays


def _folder_there(folder: Path, key: str, report: CollectReport) -> bool | None:
    """Whether a source folder is there to scan (False: it is not). One that cannot be looked
    at (a folder above it is not readable, say) is an error, reported here (None); its items
    are kept."""
    try:
        st = os.stat(folder)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        reason, hint = why_unreadable(exc, folder)
        report.errors.append(CollectError(str(folder), f"{key} folder {reason}; its items keep "
                                          "their last version", hint=hint))
        return None
    return stat.S_ISDIR(st.st_mode)


def _version(*parts: str) -> str:
    """What a parse depends on besides the file itself: the code, the time zone dates without
    an offset are read in, and (for episodes) the audio settings. A change re-reads the items."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def _sha256_file(path: Path, name: str) -> str:
    try:
        return audio.sha256_file(path)
    except OSError as exc:
        reason, hint = why_unreadable(exc, path)
        raise CollectError(name, f"audio {path.name!r} {reason}", hint=hint) from None


def _parents(source: str) -> list[str]:
    """The folders above a source, by name: ``a/b/c.md`` -> ``a/b``, ``a``."""
    parts = source.split("/")[:-1]
    return ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _gone(row: dict, scan: FolderScan, root: Path, reals: set[str]) -> bool:
    """Whether an item's file, not found by the scan, is verifiably gone: not in the folder any
    more, or a second name of a file read under another, or absent from a folder that was read.
    A file in a folder that could not be read, or one that cannot be checked, is not gone."""
    source = row["source"]
    if not scan.holds(source):
        return True
    if scan.unlooked_above(source) is not None:
        return False
    path = root / source
    try:
        if os.path.realpath(path) in reals:
            return True
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):
        return False
    return False


def _reconcile(cat, settings, rows, parsed, seen, scans, report, now, remove=(),
               never_here=None) -> None:
    stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    kept_queued: set[int] = set()  # queued items whose file names another's guid (kept)
    by_source = identity.by_source(rows)
    root = settings.root
    reals = {f.real for scan in scans.values() for f in scan.files}
    vanished, kept = [], set()
    for r in rows:
        if r["kind"] not in scans:
            continue
        if r["source"] in seen:
            if by_source[r["source"]] is not r and not r["missing"]:
                vanished.append(r)  # a second live item on one name (an older catalog's)
            continue
        if _gone(r, scans[r["kind"]], root, reals):
            if not r["missing"] and never_here is not None and never_here(r) \
                    and not _named(r, remove):
                kept.add(r["source"])  # another checkout's: kept as it is
                report.errors.append(behind.not_here(r))
                continue
            vanished.append(r)
        elif not r["missing"]:
            kept.add(r["source"])
            _keep(cat, r, scans[r["kind"]], report, root)
    names, gone = by_source, list(vanished)
    queue = cat.releases()
    embargoed = _embargoed(rows, queue, stamp)
    by_source = identity.follow_content(rows, parsed, by_source, vanished, embargoed)
    # a file that fails to read may be any vanished released or queued item of its kind,
    # renamed: such an item is kept as it is (said below). While one is, files whose content
    # moved between names wait (an item moved onto a name the kept one had would take its
    # address), and so does a new file much like it (it would be published twice); while any
    # file of a kind fails, so does a file at a known name that now holds another item
    # altogether (the item its name held may be the failing file, renamed)
    failing = {p.kind for p in parsed if p.error is not None}
    kept_live = [r for r in vanished if r["kind"] in failing and not r["missing"]
                 and (r["published_at"] or r["id"] in embargoed) and not _named(r, remove)]
    frozen = {r["kind"] for r in kept_live}
    wait = {n for n, r in by_source.items() if r["kind"] in frozen and names.get(n) is not r}
    # a new file that fails may be a released item renamed: a file at that item's name now
    # holding other words (a new text begun under the old name) waits too
    from ..errors import NotEncoded  # (a dry run's "would encode": no failure)

    fresh_failing = {p.kind for p in parsed if p.error is not None and p.name not in names
                     and not isinstance(p.error, NotEncoded)}

    def other_words(own: dict, p) -> bool:
        mine, theirs = words(loads(own["data"]).get("html")), words(p.item.html)
        return mine != theirs and not same_words(mine, theirs)

    for p in parsed:
        if p.error is not None or p.kind not in failing:
            continue
        own = names.get(p.name)
        if (own is not None and by_source.get(p.name) is own
                and (unlike(own, p) or (p.kind in fresh_failing and own["published_at"]
                                        and other_words(own, p)))) \
                or (own is None and near_miss([r for r in kept_live if r["published_at"]], p)):
            wait.add(p.name)
    if wait:
        by_source, vanished = names, gone
        report.warnings.append(WAITING.format(", ".join(printable(n) for n in sorted(wait))))
    report.warnings.extend(crossed(by_source, [p for p in parsed if p.name not in wait]))
    named = _named_by_guid(parsed, by_source, vanished, rows)
    doubtful: set[int] = set()  # vanished items alike to several new files (or the reverse)
    claimed: dict[tuple[str, str], str] = {}
    idle_drafts: list = []  # unchanged drafts: they take no address either
    taken = {r["guid"] for r in rows}
    holders = {r["guid"]: r["source"] for r in rows}  # whose each guid is, for the message
    new_rows: list[dict] = []
    own_guid: set[str] = set()  # new items whose guid is in their file
    site = None  # for a catalog made anew: what the site already shows
    from ..generation import ours  # an empty catalog that published the site is not new

    published = ours(cat) > 0
    # what queued items keep back (their files here), against what live items already show
    copies_held = copy_holds(cat)  # (a copy held keeps back only what its original does)
    kept_back = KeptBack([r for r in rows if r["id"] in embargoed and not r["missing"]
                          and r["guid"] not in copies_held],
                         [r for r in rows if r["published_at"] and not r["missing"]], root)
    copied: list[tuple[str, dict, str]] = []  # (file, queued row, what) to hold back
    for r in rows:
        if r["missing"] or r["kind"] not in scans or (r["source"] not in seen
                                                       and r["source"] not in kept):
            continue
        if by_source.get(r["source"]) is not r:
            continue  # moved to another name (or a second item on this one)
        if r["source"] in wait:
            claimed.setdefault((r["kind"], r["slug"]), r["source"])
            continue
        fresh = next((p for p in parsed if p.name == r["source"]), None)
        if fresh is None and r["draft"]:
            idle_drafts.append(r)  # said below if what goes out has its address
        elif fresh is None or fresh.error is not None:
            claimed.setdefault((r["kind"], r["slug"]), r["source"])

    for r in kept_live:  # its address stays its own
        claimed.setdefault((r["kind"], r["slug"]), r["source"])

    def order(p: _Parsed):  # drafts last: a draft never takes an address from what goes out
        row = by_source.get(p.name)
        draft = p.error is None and p.item.draft
        return (draft, 0, row["id"]) if row else (draft, 1, p.name)

    for p in sorted(parsed, key=order):
        row = by_source.get(p.name)
        if p.name in wait and p.error is None:  # read again by the next collect
            if row and row["error"]:  # an error this file had is not what holds it now
                cat.update_item(row["id"], error=WAITING.format(printable(p.name)))
            continue
        if p.error is None:
            key = (p.kind, p.item.slug)
            holder = claimed.get(key)
            if holder is not None and holder != p.name and p.item.draft:
                report.warnings.append(_draft_slug(p.name, p.item.slug, holder))
            elif holder is not None and holder != p.name:
                p.error = CollectError(
                    p.name, f"slug '{p.item.slug}' is already used by {holder}",
                    hint="give one of them a different 'slug:'",
                )
        if p.error is not None:
            if not any(e is p.error for e in report.errors):  # one config problem, said once
                report.errors.append(p.error)
            if row:
                cat.update_item(row["id"], error=str(p.error))
                if row["source"] != p.name and row["published_at"]:  # moved here, failing
                    report.errors.append(CollectError(
                        row["source"], f"its item is now {printable(p.name)}, which failed to "
                        "read; its last published version is kept",
                        hint=f"fix {printable(p.name)}, then publish again"))
            continue
        if p.name in named:  # its `guid:` names an item whose file is gone: that item
            if row is not None and not any(row is r for r in named.values()):
                vanished.append(row)  # the item this file was until now gives way
            row = named[p.name]
            vanished.remove(row)
        elif row is None and not p.item.guid:
            pool = [r for r in vanished if not any(r is n for n in named.values())]
            row = _renamed(pool, p, embargoed, rows)
            if row is None and pool:  # renamed and retitled (or re-dated): its words tell
                row, doubt, alike = continued(
                    [r for r in pool if r["id"] not in embargoed], p,
                    [q for q in parsed if q.error is None and q.name not in by_source
                     and q.name not in named])
                if doubt:
                    if doubt not in report.warnings:
                        report.warnings.append(doubt)
                    doubtful.update(r["id"] for r in alike if r["published_at"])
                    if any(r["published_at"] for r in alike):
                        continue  # not published as new: it may be one of them
                elif row is None and (miss := near_miss(pool, p)):
                    report.warnings.append(miss)
            if row is not None:
                vanished.remove(row)
        claimed.setdefault((p.kind, p.item.slug), p.name)
        if row is not None and row["source"] != p.name:  # renamed: not looked at when parsed
            _released_date(p, p.item, row, queue, now, root / p.name,
                           settings.config.site.timezone, report)
        data = p.item.to_dict()
        text = dumps(data)
        guid = p.item.guid
        if row is None:
            if guid and guid in taken:
                report.errors.append(_guid_taken(p.name, guid, holders))
                continue
            released_at = None
            if not rows and not published and site is None:  # a catalog made anew: the
                site = published_site(settings) or False      # site's feeds know the guids
            if guid:
                own_guid.add(p.name)
                if site:  # its file names its guid: if a live feed has it, it is released
                    released_at = _live_release(site, p, guid, now, root, settings, report)
                    text = dumps(p.item.to_dict())
            elif site:
                known = site.guid_for(p.kind, p.item.slug, p.item.title, p.item.date)
                guid = known if known and known not in taken else None
                if guid:
                    released_at = _live_release(site, p, guid, now, root, settings, report)
                    text = dumps(p.item.to_dict())
            guid = guid or derive_guid(taken, settings.config.site.url, p.kind, p.item.slug)
            taken.add(guid)
            holders[guid] = p.name
            new_rows.append(dict(kind=p.kind, guid=guid, slug=p.item.slug, source=p.name,
                                 sig=p.sig, content_hash=p.content_hash, data=text,
                                 date=p.item.date, draft=p.item.draft, first_seen=stamp,
                                 changed_at=p.item.date, missing=False, error=None,
                                 published_at=released_at))
            report.created.append(p.name)
            if released_at is None and not p.item.draft \
                    and (hit := kept_back.holder(p.kind, None, data)) is not None:
                copied.append((p.name, *hit))
            continue
        values = dict(source=p.name, sig=p.sig, content_hash=p.content_hash, slug=p.item.slug,
                      date=p.item.date, draft=p.item.draft, missing=False, error=None)
        hit = kept_back.holder(p.kind, row["id"], data) if text != row["data"] else None
        if hit is not None and row["published_at"]:  # a live item given queued content
            error = _holds_queued(p.name, *hit) if hit[0]["source"] != p.name else \
                _took_released_guid(p.name, row)
            if hit[0]["source"] == p.name:  # the queued item stays as it was, its file too
                kept_queued.add(hit[0]["id"])
            report.errors.append(error)
            cat.update_item(row["id"], error=str(error))
            continue
        if hit is not None and not p.item.draft:
            copied.append((p.name, *hit))
        if guid and guid != row["guid"]:
            if guid in taken:
                report.errors.append(_guid_taken(p.name, guid, holders))
                continue
            values["guid"] = guid
            taken.add(guid)
            holders[guid] = p.name
            cat.retire_guid(row["guid"], p.name)
        remember_move(cat, row, p.item.slug, values.get("guid", row["guid"]))
        behind.record(cat, row, p.sig)
        if text != row["data"]:
            values["data"] = text
            if published_part(data) != published_part(loads(row["data"])):
                values["changed_at"] = stamp  # moved or renamed only: nothing changed
            report.updated.append(p.name)
        else:
            report.unchanged += 1
        cat.update_item(row["id"], **values)

    for r in idle_drafts:
        holder = claimed.get((r["kind"], r["slug"]))
        if holder is not None and holder != r["source"]:
            report.warnings.append(_draft_slug(r["source"], r["slug"], holder))

    # a file that failed to read may be anything: a queued item's file that fails now may have
    # been renamed away (its words are looked for elsewhere), and any file that fails may be
    # a released item renamed (that item is not removed while it fails: see below)
    failed = {p.name for p in parsed if p.error is not None}
    held = _keep_embargo(cat, new_rows, vanished, own_guid, report, stamp, rows, failed)
    cat.insert_items(new_rows)
    _hold_candidates(cat, held, settings.config.site.timezone, report, stamp)
    _lift_copy_holds(cat, kept_back, report)
    left = [r for r in rows if r["id"] in embargoed  # queued words that left their file
            and r["guid"] not in copies_held  # (a held copy's words are another's)
            and (r["source"] not in seen or r["source"] in report.updated
                 or r["source"] in failed)]
    _hold_moved_words(cat, parsed, left, settings.config.site.timezone, report, stamp)
    # a file holding what a queued item keeps back while that item's file stays (a copy to
    # work on, the queued audio beside a new sidecar): held too, not out before its time
    for name, r, what in copied:
        _hold_copy(cat, name, r, what, settings.config.site.timezone, report, stamp)
    queue = cat.releases()  # (a copy held back is not published: no need to say it is)
    waits = {s for i, s in cat.conn.execute("SELECT id, source FROM items") if i in queue}
    report.warnings.extend(copies([r for r in new_rows if r["published_at"] is None
                                   and not r["draft"] and r["source"] not in waits], rows))
    if site:
        _hold_unshown(cat, site, new_rows, settings.config.site.timezone, report, stamp)
    releases = cat.releases()  # (as the renames above left the queue)
    for r in vanished:
        if r["id"] in kept_queued:
            continue
        if r["missing"]:
            if r["error"]:  # gone for good: no error of its file stands any more
                cat.update_item(r["id"], error=None)
            continue
        if r["published_at"] and r["id"] in doubtful and not _named(r, remove):
            report.errors.append(CollectError(
                r["source"], "its file is gone while a new file alike to it appeared, and "
                "which new file is this item cannot be told; its last published version is "
                "kept", hint="give the new file that is this item its guid (`guid:`, as "
                "`syndicate status --json` shows it), or give the new files guids of their own to "
                "publish them as new items"))
            continue
        news = sorted(p.name for p in parsed if p.error is not None and p.kind == r["kind"])
        if r["published_at"] and news and not _named(r, remove):
            report.errors.append(CollectError(
                r["source"], f"its file is gone (or holds another item now) while "
                f"{', '.join(printable(n) for n in news)} failed to read, which may be this "
                f"item renamed; its last published version is kept",
                hint="fix the file that failed to read, then publish again; to take it down "
                f"now, `syndicate publish --remove {r['source']}`"))
            continue
        # changed_at stays: an item back unedited (a folder mistyped once) is unchanged
        cat.update_item(r["id"], missing=True, error=None)
        report.removed.append(r["source"])
        if not r["published_at"] and r["id"] in releases and releases[r["id"]]["at"] > stamp:
            report.warnings.append(
                f"{printable(r['source'])}: queued for {releases[r['id']]['at']} UTC, and its file "
                "is gone: it is taken off the queue and will not be released (put the file back "
                "to release it as queued; its words and files stay kept back until that time)")


WAITING = ("{}: not taken in while a file fails to read: which item each is waits for that file "
           "(it may be an item renamed whose name these now hold, or whose content moved here); "
           "read again once it reads")


def _named(row: dict, names: tuple[str, ...]) -> bool:
    """Whether ``publish --remove`` names this item."""
    return bool(names) and not item_names(row).isdisjoint(names)


def _named_by_guid(parsed, names: dict, vanished: list[dict], rows: list[dict]) -> dict:
    """Files whose `guid:` is an item's whose file is gone (vanished now, or removed before), or
    whose file now names another guid: each is that item, come back, renamed or exchanged, as
    its author says (a file taken as new before gives that new item up)."""
    out_ids = {id(r) for r in vanished}
    gone = {r["guid"]: r for r in rows if r["missing"] or id(r) in out_ids}
    # an item whose own file now names another guid (items' files exchanged, each given its
    # item's guid) is free to be named too
    given = {p.name: p.item.guid for p in parsed if p.error is None and p.item.guid}
    gone.update({r["guid"]: r for r in rows if not r["missing"] and id(r) not in out_ids
                 and names.get(r["source"]) is r
                 and given.get(r["source"], r["guid"]) != r["guid"]})
    out: dict[str, dict] = {}
    for p in parsed:
        guid = p.item.guid if p.error is None else None
        r = gone.get(guid) if guid else None
        if r is not None and r["kind"] == p.kind and r not in out.values():
            if id(r) not in out_ids:
                vanished.append(r)
                out_ids.add(id(r))
            out[p.name] = r
    return out


def _draft_slug(name: str, slug: str, holder: str) -> str:
    return (f"{printable(name)}: a draft whose slug '{printable(slug)}' is already used by "
            f"{printable(holder)}; give it another 'slug:' before it goes out (a draft never "
            "takes an address from what is published or queued)")


def _guid_taken(name: str, guid: str, holders: dict[str, str]) -> CollectError:
    other = holders.get(guid)
    return CollectError(name, f"guid {guid!r} is used by another item"
                        + (f", {printable(other)}" if other and other != name else ""),
                        hint="give one of them another `guid:` (each item needs its own)")


def _live_release(site, p: _Parsed, guid: str, now, root: Path, settings,
                  report: CollectReport) -> str | None:
    """A catalog made anew meets an item whose file gives a guid the live feeds show: it is
    that released item, whatever its file is now called. Its release time is the live one; a
    date in its file that is now in the future (a year typo) does not take it down."""
    live = site.live(p.kind, p.item.slug, guid)
    if live is None:
        return None
    if stored(p.item.date) > now:
        row = {"published_at": live, "date": live, "kind": p.kind}
        warning = keep_release_date(row, p.item, None, now, root / p.name, p.name,
                                    settings.config.site.timezone)
        if warning:
            report.warnings.append(warning)
            p.sig = f"released-date|{p.sig}"
    return live


def _keep(cat, row: dict, scan: FolderScan, report: CollectReport, root: Path) -> None:
    """An item whose file could not be looked for keeps its last version, with the reason."""
    folder = scan.unlooked_above(row["source"])
    error = scan.unlooked.get(folder) if folder is not None else None
    if error is not None:
        report.errors.append(error)
        scan.unlooked[folder] = None  # one line per folder
    reason = (f"its folder {folder} could not be read" if folder is not None
              else "its file could not be looked at")
    if folder is None:
        is_dir = os.path.isdir(root / row["source"])
        reason = "it is a folder now, not a file" if is_dir else reason
        report.errors.append(CollectError(
            row["source"], f"{reason}; its last published version is kept",
            hint="put the file back in its place" + ("; to take the item down, delete the "
                                                     "folder" if is_dir else "")))
    cat.update_item(row["id"], error=f"{row['source']}: {reason}; the last version is kept")


def _hold_unshown(cat, site, new_rows, zone, report, stamp) -> None:
    """A catalog made anew for a site already published does not know what was queued: items
    the site does not show yet are held back until queued again (never released early)."""
    for r in new_rows:
        if r["draft"] or site.shows(r["kind"], r["slug"]):
            continue
        _hold(cat, r, zone, stamp, report,
              f"the catalog is new and the published site does not show this {r['kind']} yet, "
              "so it may have been queued")


def _hold_if_behind(cat, settings, report, now, *, hold: bool = True, state) -> None:
    """A catalog older than the published site (restored from a backup, copied from elsewhere)
    does not know what was queued since: every item the site does not show yet is held back
    until queued again, once; then the catalog takes the site's generation (``hold`` False:
    only that)."""
    from .. import generation

    try:
        recorded = state()
    except SyndicateError as exc:
        report.warnings.append(f"{exc}; whether the catalog is older than the site is unknown")
        return
    gens = generation.behind(cat, recorded)
    mine = generation.ours(cat)
    if gens is None and recorded is None and hold and mine and cat.has_published():
        # the site's record is gone (deleted by hand), yet this catalog published and counted
        # generations before: it may be a restored backup the site would have shown to be
        # older, so it is not trusted (a catalog that never published, as for a brand-new
        # site, publishes at once; one from before generations were counted, at 0, published
        # a site that never had a record)
        report.warnings.append(
            f"{settings.catalog_path}: the published site records no publish generation (its "
            f"{generation.STATE_KEY} or S3 manifest is gone), though this catalog published "
            "before: whether the catalog is older than the site is unknown, so items not yet "
            "published are held until queued again")
        gens = (mine, mine)
    elif gens is None:
        return
    elif not hold:
        cat.set_meta(generation.GENERATION, str(gens[1]))
        return
    else:
        report.warnings.append(
            f"{settings.catalog_path}: the catalog is older than the published site (generation "
            f"{gens[0]} < {gens[1]}): it was restored from a backup (or copied from elsewhere); "
            "items not yet published are held until queued again")
    stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    site = published_site(settings)
    queue = cat.releases()
    zone = settings.config.site.timezone
    known = cat.known_guids()
    for r in cat.all_items():
        release = queue.get(r["id"])
        if r["draft"] or r["missing"] or r["published_at"]:
            continue
        when = site.live(r["kind"], r["slug"], r["guid"]) if site is not None else None
        if when is not None:  # released since this catalog's time: it stays published
            cat.take_as_released(r["id"], when)
            report.warnings.append(
                f"{r['source']}: released since the catalog was saved (the live feeds show it "
                "at " + when + "): it stays published, as the site has it")
            continue
        if site is not None and _take_live_entry(cat, site, r, release, known, report):
            continue  # released since and renamed: found by its title and date
        if (release and release["held"]) or (site is not None
                                             and site.shows(r["kind"], r["slug"])):
            continue
        cat.set_release(r["id"], release["at"] if release else r["date"], zone, stamp,
                        held=True)
        report.warnings.append(
            f"{r['source']}: held back: the published site does not show this {r['kind']} "
            f"yet and the catalog may not know its release time; release it with `syndicate "
            f"queue {r['source']} --at <time>` (or --at now)")
    cat.set_meta(generation.GENERATION, str(gens[1]))


def _keep_embargo(cat, new_rows, vanished, own_guid, report, stamp, rows,
                  failed: set[str] = frozenset()) -> list:
    """A queued (or held) item renamed and edited at once looks like a new item, which would go
    out at its own date. When one queued item of a kind vanished and exactly one new item of
    that kind appeared (in one collect, or since the queued one went missing), they are taken as
    the same item: the embargo stays with it. Holding back a new item by mistake is undone by
    queueing it; releasing an embargoed one early cannot be undone."""
    queue = cat.releases()
    held: list = []  # (new row, what vanished) when the match is ambiguous
    # a queued item's file given other words while a new file alike to it (same title and
    # date) appeared: its words may have moved there; the new one is held, never released early
    moved = [r for r in rows if (r["source"] in report.updated or r["source"] in failed)
             and r["id"] in _embargoed(rows, queue, stamp)]
    for new in new_rows:
        was = loads(new["data"])
        like = [r for r in moved if r["kind"] == new["kind"]
                and (lambda old: (old.get("title"), old.get("date"))
                     == (was.get("title"), was.get("date")))(loads(r["data"]))]
        if like:
            held.append((new, ", ".join(r["source"] for r in like)))
    for kind in sorted({r["kind"] for r in new_rows}):
        fresh = [r for r in new_rows if r["kind"] == kind
                 and not any(new is r for new, _ in held)]
        embargoed = _embargoed(vanished, queue, stamp)
        waiting = [r for r in vanished if r["kind"] == kind and r["id"] in embargoed]
        if not waiting:
            continue
        if len(fresh) != 1 or len(waiting) != 1:
            gone = ", ".join(r["source"] for r in waiting)
            held.extend((new, gone) for new in fresh)
            continue
        new, row = fresh[0], waiting[0]
        new_rows.remove(new)
        vanished.remove(row)
        values = {c: new[c] for c in ("source", "sig", "content_hash", "slug", "data", "date",
                                      "draft")}
        if new["source"] in own_guid:
            values["guid"] = new["guid"]
        cat.update_item(row["id"], **values, missing=False, error=None, changed_at=stamp)
        report.created.remove(new["source"])
        report.updated.append(new["source"])
        report.warnings.append(f"{new['source']}: taken as {row['source']}, renamed and edited "
                               "(it was queued): it keeps its place in the queue")
    return held


def _hold_candidates(cat, held, zone, report, stamp) -> None:
    """Queued items vanished while several new ones appeared (or one appeared for several): which
    is which cannot be told, so each new one is held back (never released early) until the
    author queues it."""
    for new, gone in held:
        _hold(cat, new, zone, stamp, report,
              f"it appeared as the queued {gone} vanished or was rewritten, and may be "
              f"{'that item' if ',' not in gone else 'one of them'}, renamed and edited")


def _hold_moved_words(cat, parsed, left, zone, report, stamp) -> None:
    """The words of a queued item that left its file (``left``: gone, or rewritten) now in
    another item's file (the files swapped, or the queued one renamed over another's name,
    perhaps edited): that item is held back too, never released early, until the author
    queues it."""
    def words(html) -> frozenset:
        return frozenset(re.findall(r"\w+", re.sub(r"<[^>]*>", " ", html or "")))

    now_at = {p.name: words(getattr(getattr(p, "item", None), "html", None)) for p in parsed}
    queued = []
    for r in left:
        w = words(loads(r["data"]).get("html"))
        if w:  # (with the words that left its file: those it still holds tell nothing)
            queued.append((r, w, w - now_at.get(r["source"], frozenset())))
    if not queued:
        return
    for p in parsed:
        mine = now_at[p.name]
        # its words and the queued item's: one holds the other (renamed, perhaps edited), or it
        # holds at least half the words that left the queued item's file (renamed and edited,
        # words dropped and added, while another text took the queued one's name)
        r = next((r for r, w, gone in queued if r["kind"] == p.kind and r["source"] != p.name
                  and mine and (w <= mine or mine <= w
                                or (gone and len(gone & mine) >= 0.5 * len(gone)))), None)
        if r is not None:
            _hold_copy(cat, p.name, r, "words", zone, report, stamp, "moved")


def _holds_queued(name: str, row: dict, what: str) -> CollectError:
    """The error for a released item's file now holding what a queued item keeps back."""
    return CollectError(
        name, f"it now holds the {what} of the queued {printable(row['source'])}, kept back "
        "until that one's release; its last published version is kept",
        hint=f"put this file's own text back, or release the queued one first: `syndicate "
             f"queue {printable(row['source'])} --at now`")


def _took_released_guid(name: str, row: dict) -> CollectError:
    """The error for a queued item's file given the guid of a released item (whose file is
    gone): taken as that item, it would release the queued content at once."""
    return CollectError(
        name, f"it is queued, and now names the guid of the released "
        f"{printable(row['source'])}, whose file is gone: as that item it would put out what "
        "is queued before its time; both are kept as they were",
        hint=f"take the `guid:` line out of {printable(name)} (it keeps its own), or release it "
             f"first: `syndicate queue {printable(name)} --at now`")


def _hold_copy(cat, name: str, row: dict, what: str, zone, report, stamp,
               how: str = "been copied") -> None:
    """Hold back the unreleased item of file ``name``, which holds ``what`` the queued
    ``row`` keeps back (unless it is that item itself, or held, queued or dated later
    already). A copy's hold is remembered (``COPY_HOLDS``): it is lifted once the file no
    longer holds anything kept back."""
    found = cat.conn.execute("SELECT id, date, published_at, guid FROM items "
                             "WHERE source = ?", (name,)).fetchone()
    queue = cat.releases()
    if found is None or found[0] == row["id"] or found[2] or found[0] in queue:
        return  # (the item itself; released; queued or held already)
    theirs = queue.get(row["id"])
    if stored(found[1]) >= stored(theirs["at"] if theirs and not theirs["held"]
                                  else row["date"]) and not (theirs and theirs["held"]):
        return  # dated later than the queued one's time: out after it anyway
    _hold(cat, {"source": name, "date": found[1]}, zone, stamp, report,
          f"it holds the {what} of the queued {printable(row['source'])}, which may have "
          f"{how} here")
    if how == "been copied":  # (words moved from a queued file gone: that file's item, held)
        holds = copy_holds(cat)
        holds[found[3]] = stamp
        cat.set_meta(COPY_HOLDS, json.dumps(holds, sort_keys=True))


def _lift_copy_holds(cat, kept_back: KeptBack, report) -> None:
    """Lift the holds of items held for holding kept-back content that no longer do (rewritten
    from the template, the queued item released or gone): each goes out at its date. A hold
    the author changed since (queued, unqueued) is the author's, left as it is."""
    holds = copy_holds(cat)
    if not holds:
        return
    queue = cat.releases()
    left = dict(holds)
    for guid, stamp in holds.items():
        row = cat.conn.execute("SELECT id, kind, source, data, missing, published_at FROM items "
                               "WHERE guid = ?", (guid,)).fetchone()
        release = queue.get(row[0]) if row is not None else None
        if row is None or row[4] or row[5] or release is None or not release["held"] \
                or release["queued_at"] != stamp:
            del left[guid]  # gone, released, or the author's hold now
            continue
        if kept_back.holder(row[1], row[0], loads(row[3])) is None:
            cat.conn.execute("DELETE FROM releases WHERE item_id = ?", (row[0],))
            del left[guid]
            report.warnings.append(f"{printable(row[2])}: no longer holds anything a queued "
                                   "item keeps back: its hold is lifted, it goes out at its date")
    if left != holds:
        cat.set_meta(COPY_HOLDS, json.dumps(left, sort_keys=True))


def _hold(cat, row: dict, zone, stamp, report, why: str) -> None:
    """Hold ``row``'s item back (never released early) until the author queues it; say why."""
    (item_id,) = cat.conn.execute("SELECT id FROM items WHERE source = ?",
                                  (row["source"],)).fetchone()
    cat.set_release(item_id, row["date"], zone, stamp, held=True)
    report.warnings.append(f"{printable(row['source'])}: held back: {why}; release it with "
                           f"`syndicate queue {printable(row['source'])} --at <time>` (or --at "
                           "now)")


def _embargoed(rows: list[dict], queue: dict, stamp: str) -> set[int]:
    """The ids of ``rows`` never published and queued for later (or held), or, not queued and
    no draft, dated later (an item goes out at its date)."""
    out = set()
    for r in rows:
        release = queue.get(r["id"])
        if r["published_at"]:
            continue
        if release is not None:
            if release["held"] or release["at"] > stamp:
                out.add(r["id"])
        elif not r.get("draft") and r.get("date") and stored(r["date"]) > stored(stamp):
            out.add(r["id"])
    return out


def _renamed(vanished: list[dict], p: _Parsed, embargoed: set[int],
             rows: list[dict]) -> dict | None:
    """The catalog row a new path continues: same content, else same title and date. Where an
    item queued for later is alike too, only it may be continued (or none: the new path is then
    a new item, which collect holds back if the queued one was rewritten): keeping an embargo by
    mistake is undone by queueing the item; releasing an embargoed one early cannot be undone."""
    same_kind = [r for r in vanished if r["kind"] == p.kind]
    for r in same_kind:
        if r["content_hash"] and r["content_hash"] == p.content_hash:
            return r

    def alike(r) -> bool:
        old = loads(r["data"])
        return old.get("title") == p.item.title and old.get("date") == p.item.date

    matches = [r for r in same_kind if alike(r)]
    queued = [r for r in matches if r["id"] in embargoed]
    if queued:
        return queued[0]
    if any(r["id"] in embargoed and r["kind"] == p.kind and alike(r) for r in rows):
        return None
    return matches[0] if matches else None
