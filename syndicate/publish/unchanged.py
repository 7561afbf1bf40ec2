"""A publish that finds nothing changed skips the build: no page or feed is made again.

What the build reads is summed up in one fingerprint, taken once collect has brought the catalog
up to date: syndicate's own code (every file of the package, the default theme's included), the
settings, the target, the items a publish at this time shows (their rows as the catalog holds
them, so a release that fell due changes it, and whether an ``updated:`` date has come), the
files the build reads beside them (the folder of images beside a post, the files an item links),
the show's cover and the theme's folder. Files are known by their stat (``filestat``: size,
times, inode), as a read would be too dear for every run.

A publish that made every output without a failure records the fingerprint, and the warnings
its build gave, for its target. The next publish to the same target whose fingerprint is the
same, and whose target still holds every output at the recorded size and sha256 (an S3 bucket's
listing is still read and compared, so objects deleted by hand are noticed), plans the outputs
as recorded instead of building them. The show's podcast:guid, which the first build of a
catalog records, is compared as that build left it; a first build that gave warnings (one may
be about that guid, said once) is not recorded: the next publish builds again.
Anything else builds as before: a dry run, --force, --remove, --verify, an item that failed or
was taken down, a release not yet marked published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from .. import filestat
from ..catalog import Catalog, loads
from ..config import Settings
from ..fingerprint import code_signature
from ..when import stored
from .outputs import Output

META_PREFIX = "unchanged:"  # + the target's name: {"fingerprint": ..., "warnings": [...]}
SCHEME = "1"  # of what goes into the fingerprint


def _stat(path: Path) -> str:
    """A file's or folder's identity, and for a link that of what it leads to as well (its
    target edited changes it too); '-' where there is none."""
    return filestat.of_path(path, follow=False)


def _tree(folder: Path) -> list[str]:
    """Every entry below ``folder`` with its stat, through links to folders (each folder
    once: a link loop ends)."""
    out: list[str] = []
    seen: set[str] = set()
    try:
        for base, dirs, files in os.walk(folder, followlinks=True):
            real = os.path.realpath(base)
            if real in seen:
                dirs.clear()
                continue
            seen.add(real)
            dirs.sort()
            for name in sorted(files) + dirs:
                path = Path(base) / name
                out.append(f"{path.relative_to(folder)}={_stat(path)}")
    except (OSError, ValueError):
        out.append("?")
    return out


def fingerprint(settings: Settings, cat: Catalog, now: dt.datetime, target: str
                ) -> tuple[str, bool] | None:
    """(the fingerprint of what a build at ``now`` would read, whether every item it shows
    was published already), or None where a build cannot be skipped (an item whose sources
    failed keeps its last version: that needs the build)."""
    cfg = settings.config
    h = hashlib.sha256()

    def put(*parts: object) -> None:
        for part in parts:
            h.update(str(part).encode("utf-8", "surrogateescape") + b"\0")

    put(SCHEME, code_signature(), target, cfg.model_dump_json(), settings.path, settings.root,
        settings.posts_dir, settings.episodes_dir, settings.state_dir, settings.preview,
        cat.get_meta("created_at"))
    cover = settings.resolve(cfg.podcast.image)
    put(cover, _stat(cover))
    if cfg.theme:
        put(*_tree(settings.resolve(cfg.theme)))
    published = True
    for r in sorted(cat.visible(now.astimezone(dt.UTC).isoformat()), key=lambda r: r["id"]):
        if r["error"]:
            return None
        published = published and bool(r["published_at"])
        data = r["data"]
        put(r["id"], r["kind"], r["guid"], r["slug"], r["source"], r["changed_at"], r["date"],
            r["queued"], data)
        if '"updated":' in data and '"updated":null' not in data:
            edited = loads(data).get("updated")
            try:  # an edit dated ahead is shown once its time has come
                put(edited is not None and stored(edited) <= now)
            except (TypeError, ValueError):
                put("?")
        if '"files":' in data and '"files":{}' not in data:
            files = loads(data).get("files") or {}
            put(*(f"{rel}={_stat(settings.root / rel)}" for rel in sorted(files.values())))
        if r["kind"] == "post":  # the images in the folder beside it
            folder = (settings.root / r["source"]).with_suffix("")
            seen = _stat(folder)
            put(seen)
            if seen != "-" and os.path.isdir(folder):
                put(*_tree(folder))
    queue = cat.releases()
    if queue:  # a queued item whose file went: its copies are held until its time (linked.py)
        at = now.astimezone(dt.UTC).isoformat()
        for (i,) in cat.conn.execute(  # (only the queued rows: not a scan of the catalog)
                "SELECT i.id FROM releases r JOIN items i ON i.id = r.item_id "
                "WHERE i.missing AND i.published_at IS NULL ORDER BY i.id"):
            put(i, queue[i]["at"] <= at)
    return h.hexdigest(), published


def remembered(cat: Catalog, target: str, fp: str) -> list[str] | None:
    """The warnings of the last clean publish to ``target``, if what its build read had the
    fingerprint ``fp`` and the show's podcast:guid is the one it recorded; else None."""
    try:
        got = json.loads(cat.get_meta(META_PREFIX + target) or "null")
    except ValueError:
        return None
    if not isinstance(got, dict) or got.get("fingerprint") != fp \
            or got.get("podcast_guid") != cat.get_meta("podcast_guid") \
            or not isinstance(got.get("warnings"), list):
        return None
    return [str(w) for w in got["warnings"]]


def remember(cat: Catalog, target: str, fp: str | None, warnings: list[str]) -> None:
    """Record (or, with ``fp`` None, forget) the fingerprint of a publish to ``target``, with
    the show's podcast:guid as its build left it."""
    key = META_PREFIX + target
    if fp is None:
        if cat.get_meta(key) is not None:
            cat.set_meta(key, "null")
        return
    value = json.dumps({"fingerprint": fp, "podcast_guid": cat.get_meta("podcast_guid"),
                        "warnings": [str(w) for w in warnings]})
    if cat.get_meta(key) != value:
        cat.set_meta(key, value)


def as_published(recorded: dict[str, dict], previous: dict[str, dict], target,
                 superseded: set[str]) -> list[Output] | None:
    """The outputs the last publish recorded, as they are on the target (superseded audio and
    art left out: the grace period decides on them), or None where the target does not hold
    every one of them at its recorded size and sha256, made from the same inputs (a row rebuilt
    from the bucket's objects knows none of them: that needs the build), with the recorded type
    and this site's id (headers to put right need the build, which knows them)."""
    outputs: list[Output] = []
    for key, row in recorded.items():
        if key in superseded:
            continue
        live = previous.get(key)
        if live is None or live.get("unstamped") \
                or any(live.get(c, row[c]) != row[c] for c in ("sha256", "size", "input_hash",
                                                                "content_type")) \
                or "sha256" not in live or not target.has(key, row["size"]):
            return None
        outputs.append(Output(key, "page", row["input_hash"], sha256=row["sha256"],
                              size=row["size"], content_type=row["content_type"],
                              cache_control=live.get("cache_control") or ""))
    if set(previous) - set(recorded):  # the target holds more than was recorded
        return None
    return outputs
