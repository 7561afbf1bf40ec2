"""Collect posts and episodes into the catalog.

Unchanged sources (same mtime and size as last time) are not read again. Each item keeps the GUID
it was given when first collected, through edits, renames and re-collects. A source that fails
keeps its last good version in the catalog and is reported with its file and line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import audio
from ..catalog import Catalog, dumps, loads
from ..config import Settings
from ..errors import CollectError, ItemError
from ..fingerprint import code_fingerprint
from ..model import Episode, Post
from .episodes import SIDECAR_SUFFIXES, EpisodeSource, read_sidecar
from .media import audio_fingerprint, prepare_audio
from .posts import POST_SUFFIXES, parse_post
from .recover import published_site
from .sources import relative, stat_sig

if TYPE_CHECKING:
    from ..audio.pipeline import Progress

# Sources are re-parsed when the code that parses them changes.
PARSE_VERSION = code_fingerprint("collect/*.py", "markup.py", "model.py", "yamlcheck.py")


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


def _scan(folder: Path, suffixes: set[str], root: Path) -> list[tuple[str, str, str]]:
    """(name relative to the project, path, stat signature) of the source files in ``folder``,
    hidden and ``_`` names skipped, in path order. Plain strings and ``os.scandir``: a
    no-change collect of ten thousand files is mostly this loop."""
    found: list[tuple[tuple[str, ...], str, str]] = []
    base = str(root)
    lead = len(base) + 1

    def walk(directory: str) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir():
                walk(entry.path)
            elif os.path.splitext(entry.name)[1].lower() in suffixes:
                try:
                    st = entry.stat()
                    sig = f"{st.st_mtime_ns}:{st.st_size}"
                except OSError:
                    sig = "-"
                name = entry.path[lead:] if entry.path.startswith(base + os.sep) else None
                found.append((tuple(entry.path.split(os.sep)), name or "", sig))

    walk(str(folder))
    found.sort()
    out = []
    for parts, name, sig in found:
        path = os.sep.join(parts)
        out.append((name.replace(os.sep, "/") if name else relative(Path(path), root), path, sig))
    return out


def _files(folder: Path, suffixes: set[str]) -> list[Path]:
    return [Path(path) for _, path, _ in _scan(folder, suffixes, folder)]


def derive_guid(taken: set[str], site_url: str, kind: str, slug: str) -> str:
    """A stable UUID for a new item; stored once and never derived again for that item."""
    base = f"{site_url}{kind}/{slug}"
    n = 1
    while True:
        guid = str(uuid.uuid5(uuid.NAMESPACE_URL, base if n == 1 else f"{base}#{n}"))
        if guid not in taken:
            return guid
        n += 1


def collect(settings: Settings, cat: Catalog, *, now: dt.datetime,
            progress: Progress | None = None) -> CollectReport:
    """Bring the catalog up to date with posts/ and episodes/; see the module's docstring.

    ``progress`` is called as (name, seconds done, seconds in all) during long audio encodes.
    """
    report = CollectReport()
    root = settings.root
    zone = settings.config.site.timezone
    rows = cat.all_items()
    by_source = {r["source"]: r for r in rows}
    parsed: list[_Parsed] = []
    seen: set[str] = set()
    scanned_kinds: set[str] = set()

    posts_dir = settings.posts_dir
    if posts_dir.is_dir():
        scanned_kinds.add("post")
        for name, path, file_sig in _scan(posts_dir, POST_SUFFIXES, root):
            seen.add(name)
            row = by_source.get(name)
            sig = f"{PARSE_VERSION}|{file_sig}"
            if row and row["sig"] == sig and not row["error"] and not row["missing"]:
                report.unchanged += 1
                continue
            p = _Parsed("post", name, sig, "")
            path = Path(path)
            try:
                p.content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
                p.item = parse_post(path, name, zone, report.warnings)
            except ItemError as exc:
                p.error = exc
            parsed.append(p)
    elif any(r["kind"] == "post" and not r["missing"] for r in rows):
        report.errors.append(CollectError(str(posts_dir), "posts folder not found",
                                          hint="check paths.posts in config.yaml"))

    episodes_dir = settings.episodes_dir
    if episodes_dir.is_dir():
        episode_version = f"{PARSE_VERSION}|{audio_fingerprint(settings)}"
        scanned_kinds.add("episode")
        pending: list[tuple[_Parsed, EpisodeSource]] = []
        claimed_audio: set[Path] = set()
        for name, path, _ in _scan(episodes_dir, SIDECAR_SUFFIXES, root):
            path = Path(path)
            seen.add(name)
            row = by_source.get(name)
            if row and not row["error"] and not row["missing"]:
                data = loads(row["data"])
                deps = [root / d for d in (data["audio"], data["image"], data["transcript"]) if d]
                if data["audio"]:
                    claimed_audio.add((root / data["audio"]).resolve())
                if row["sig"] == f"{episode_version}|{stat_sig(path, *deps)}":
                    report.unchanged += 1
                    continue
            p = _Parsed("episode", name, "", "")
            try:
                src = read_sidecar(path, name, zone, report.warnings)
                p.sig = f"{episode_version}|{stat_sig(*src.files())}"
                if src.audio is None:  # kept at its URL: its identity is the URL and size
                    p.content_hash = hashlib.sha256(
                        f"{src.meta.audio_url}|{src.meta.audio_length}".encode()).hexdigest()
                else:
                    p.content_hash = audio.sha256_file(src.audio)
                    claimed_audio.add(src.audio.resolve())
                pending.append((p, src))
            except ItemError as exc:
                p.error = exc
            parsed.append(p)
        prepare_audio(pending, settings, report, progress)
        for path in _files(episodes_dir, audio.AUDIO_EXTENSIONS):
            if path.resolve() not in claimed_audio and not path.with_suffix(".yaml").exists() \
                    and not path.with_suffix(".yml").exists():
                report.warnings.append(
                    f"{relative(path, root)}: audio without a sidecar, ignored "
                    f"(add {path.stem}.yaml with at least title and date)"
                )
    elif any(r["kind"] == "episode" and not r["missing"] for r in rows):
        report.errors.append(CollectError(str(episodes_dir), "episodes folder not found",
                                          hint="check paths.episodes in config.yaml"))

    _reconcile(cat, settings, rows, parsed, seen, scanned_kinds, report, now)
    return report


def _reconcile(cat, settings, rows, parsed, seen, scanned_kinds, report, now) -> None:
    stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    by_source = {r["source"]: r for r in rows}
    vanished = [r for r in rows if r["source"] not in seen and r["kind"] in scanned_kinds]
    claimed: dict[tuple[str, str], str] = {}
    taken = {r["guid"] for r in rows}
    new_rows: list[dict] = []
    own_guid: set[str] = set()  # new items whose guid is in their file
    site = None  # for a catalog made anew: what the site already shows
    for r in rows:
        if r["missing"] or r["kind"] not in scanned_kinds or r["source"] not in seen:
            continue
        fresh = next((p for p in parsed if p.name == r["source"]), None)
        if fresh is None or fresh.error is not None:
            claimed.setdefault((r["kind"], r["slug"]), r["source"])

    def order(p: _Parsed):
        row = by_source.get(p.name)
        return (0, row["id"]) if row else (1, p.name)

    for p in sorted(parsed, key=order):
        row = by_source.get(p.name)
        if p.error is None:
            key = (p.kind, p.item.slug)
            holder = claimed.get(key)
            if holder is not None and holder != p.name:
                p.error = CollectError(
                    p.name, f"slug '{p.item.slug}' is already used by {holder}",
                    hint="give one of them a different 'slug:'",
                )
        if p.error is not None:
            report.errors.append(p.error)
            if row:
                cat.update_item(row["id"], error=str(p.error))
            continue
        claimed[(p.kind, p.item.slug)] = p.name
        if row is None:
            row = _renamed(vanished, p)
            if row is not None:
                vanished.remove(row)
        data = p.item.to_dict()
        text = dumps(data)
        guid = p.item.guid
        if row is None:
            if guid and guid in taken:
                report.errors.append(CollectError(p.name, f"guid {guid!r} is used by another item"))
                continue
            if guid:
                own_guid.add(p.name)
            elif not rows:  # a catalog made anew: the site's feeds know the guids
                if site is None:
                    site = published_site(settings) or False
                known = site.guids.get((p.kind, p.item.slug)) if site else None
                guid = known if known and known not in taken else None
            guid = guid or derive_guid(taken, settings.config.site.url, p.kind, p.item.slug)
            taken.add(guid)
            new_rows.append(dict(kind=p.kind, guid=guid, slug=p.item.slug, source=p.name,
                                 sig=p.sig, content_hash=p.content_hash, data=text,
                                 date=p.item.date, draft=p.item.draft, first_seen=stamp,
                                 changed_at=p.item.date, missing=False, error=None,
                                 published_at=None))
            report.created.append(p.name)
            continue
        values = dict(source=p.name, sig=p.sig, content_hash=p.content_hash, slug=p.item.slug,
                      date=p.item.date, draft=p.item.draft, missing=False, error=None)
        if guid and guid != row["guid"]:
            if guid in taken:
                report.errors.append(CollectError(p.name, f"guid {guid!r} is used by another item"))
                continue
            values["guid"] = guid
            taken.add(guid)
        if text != row["data"]:
            values.update(data=text, changed_at=stamp)
            report.updated.append(p.name)
        else:
            report.unchanged += 1
        cat.update_item(row["id"], **values)

    _keep_embargo(cat, new_rows, vanished, own_guid, report, stamp)
    cat.insert_items(new_rows)
    if site:
        _hold_unshown(cat, site, new_rows, settings.config.site.timezone, report, stamp)
    for r in vanished:
        if not r["missing"]:
            cat.update_item(r["id"], missing=True, changed_at=stamp)
            report.removed.append(r["source"])


def _hold_unshown(cat, site, new_rows, zone, report, stamp) -> None:
    """A catalog made anew for a site already published does not know what was queued: items
    the site does not show yet are held back until queued again (never released early)."""
    for r in new_rows:
        if r["draft"] or site.shows(r["kind"], r["slug"]):
            continue
        (item_id,) = cat.conn.execute("SELECT id FROM items WHERE source = ?",
                                      (r["source"],)).fetchone()
        cat.set_release(item_id, r["date"], zone, stamp, held=True)
        report.warnings.append(
            f"{r['source']}: held back: the catalog is new and the published site does not show "
            f"this {r['kind']} yet, so it may have been queued; release it with `syndicate "
            f"queue {r['source']} --at <time>` (or --at now)")


def _keep_embargo(cat, new_rows, vanished, own_guid, report, stamp) -> None:
    """A queued (or held) item renamed and edited at once looks like a new item, which would go
    out at its own date. When one queued item of a kind vanished and exactly one new item of
    that kind appeared (in one collect, or since the queued one went missing), they are taken as
    the same item: the embargo stays with it. Holding back a new item by mistake is undone by
    queueing it; releasing an embargoed one early cannot be undone."""
    queue = cat.releases()
    for kind in sorted({r["kind"] for r in new_rows}):
        fresh = [r for r in new_rows if r["kind"] == kind]
        waiting = [r for r in vanished if r["kind"] == kind and r["id"] in queue
                   and not r["published_at"]
                   and (queue[r["id"]]["held"] or queue[r["id"]]["at"] > stamp)]
        if len(fresh) != 1 or len(waiting) != 1:
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


def _renamed(vanished: list[dict], p: _Parsed) -> dict | None:
    """The catalog row a new path continues: same content, else same title and date."""
    same_kind = [r for r in vanished if r["kind"] == p.kind]
    for r in same_kind:
        if r["content_hash"] and r["content_hash"] == p.content_hash:
            return r
    for r in same_kind:
        old = loads(r["data"])
        if old.get("title") == p.item.title and old.get("date") == p.item.date:
            return r
    return None
