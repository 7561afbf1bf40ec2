"""The preview build: the site as `syndicate publish` makes it, into a folder of its own.

The settings are derived from the project's: ``site.url`` is the preview server's address, the
target is ``<state>/preview/site`` (whatever the real target is: a folder or S3), the state folder
is ``<state>/preview/state`` and the catalog a throwaway copy of the real one. The real catalog is
read when the preview starts, and its queue again whenever it changed (`queue`, `unqueue` or a
publish run while serving), never written; the real target is never touched. The build itself is
the publish path (``publish.publish``: collect, build, plan, write), with the guards on removals
off, as the folder is the preview's own.

With ``drafts``, drafts, queued, held and future-dated items are shown too, each marked
(``preview`` on the item: "draft" or "queued"): their rows in the copy are made releasable just
for the build and put back as they were after it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from .. import filehashes
from ..catalog import dumps, loads, open_catalog
from ..config import Settings, load_config
from ..errors import ConfigError, SyndicateError

PREVIEW = "preview"  # under the project's state folder


@dataclass
class Outcome:
    """One build: what went wrong (file and line, as publish says it), what it wrote."""

    ok: bool  # the folder holds this build (a build that failed keeps the last good one)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: int = 0
    deleted: int = 0
    types: dict[str, str] = field(default_factory=dict)  # key -> Content-Type, as built
    hidden: int = 0  # drafts and queued, held or future items left out (no --drafts)


class Preview:
    """A preview of the project whose config is at ``config_path``, at address ``url``."""

    def __init__(self, config_path: str | Path, url: str, *, drafts: bool = False):
        self.config_path = Path(config_path)
        self.url = url if url.endswith("/") else url + "/"
        self.drafts = drafts
        self._stack = ExitStack()
        self.home: Path | None = None  # <state>/preview
        self._catalog: Path | None = None
        self._real: Path | None = None  # the project's catalog, whose queue the preview follows
        self._queue_lock = threading.Lock()  # (read by the watcher's thread and the build's)
        self._files_seen: object = None  # that catalog's files as last read
        self._queue: dict[str, tuple] = {}  # its queue as last read, by guid
        self._queue_followed: object = None  # the queue the copy follows
        self._started = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.settings: Settings | None = None  # the project's, as the last build read them

    # -- the folders ------------------------------------------------------------------------
    @property
    def site_dir(self) -> Path:
        assert self.home is not None, "start() first"
        return self.home / "site"

    def start(self, settings: Settings) -> None:
        """Make the preview's folders anew and copy the catalog (read without a lock or a
        write of any kind)."""
        from ..locks import process_lock
        from ..publish import scratch_catalog

        # one preview per project: a second `serve` would empty the folder the first serves
        self._stack.enter_context(process_lock(settings.state_dir / "serve.lock",
                                               "a preview (syndicate serve)"))
        self.settings = settings
        self.home = settings.state_dir / PREVIEW
        if self.home.is_symlink() or (self.home.exists() and not self.home.is_dir()):
            raise SyndicateError(f"{self.home}: in the way of the preview (not a folder); "
                                 "remove it and run serve again")
        try:
            shutil.rmtree(self.home, ignore_errors=True)  # the last preview's: never reused
            (self.home / "state").mkdir(parents=True)
            self.site_dir.mkdir()
            _link_tree(settings.state_dir / "media", self.home / "state" / "media")
            hashes = settings.state_dir / filehashes.FILE  # (no source read again to be known)
            if hashes.is_file():
                shutil.copyfile(hashes, self.home / "state" / filehashes.FILE)
        except OSError as exc:
            raise SyndicateError(f"{self.home}: cannot make the preview folder here "
                                 f"({exc.strerror or exc}); check the permissions of "
                                 f"{settings.state_dir}") from None
        self._real = settings.catalog_path
        self._queue_followed = self.catalog_token()  # (the copy holds this queue already)
        self._catalog = self._stack.enter_context(scratch_catalog(settings.catalog_path))
        with open_catalog(self._catalog) as cat:
            cat.check()  # (once: from here on only the preview's own builds write the copy)
        self._empty_site()

    def _empty_site(self) -> None:
        """The preview's site folder, empty, and the copy knowing it so: at start, and again
        when the folder was removed under a running serve (built anew, nothing said)."""
        from .. import generation

        self.site_dir.mkdir(parents=True, exist_ok=True)
        with open_catalog(self._catalog) as cat:
            # the real targets' records mean nothing here: the preview folder starts empty
            cat.conn.execute("DELETE FROM outputs")
            stamp = generation.current(cat)
        # the folder is this copy's site at its generation: nothing is held as "restored"
        generation.record_local(self.site_dir, stamp, self.url)

    def site_token(self) -> object:
        """The site folder's identity (None when it is gone): a change wakes a build."""
        try:
            st = os.stat(self.site_dir)
        except OSError:
            return None
        return st.st_ino, st.st_dev

    def close(self) -> None:
        self._stack.close()

    def derive(self, settings: Settings) -> Settings:
        """The project's settings, pointed at the preview."""
        assert self.home is not None and self._catalog is not None, "start() first"
        cfg = settings.config
        site = cfg.site.model_copy(update={"url": self.url})
        podcast = cfg.podcast.model_copy(update={"media_base_url": None})
        paths = cfg.paths.model_copy(update={"state": str(self.home / "state")})
        config = cfg.model_copy(update={
            "site": site, "podcast": podcast, "paths": paths, "catalog": str(self._catalog),
            "target": str(self.site_dir), "sources": []})
        # preview=True: publish runs none of the steps after it (no ping of any kind)
        return dataclasses.replace(settings, config=config, warnings=[], preview=True)

    # -- one build --------------------------------------------------------------------------
    def build(self, now: dt.datetime | None = None) -> Outcome:
        """Read the config and the sources again and bring the preview folder up to date.
        Never raises for what the author wrote: a broken config or file is in ``errors``."""
        now = now or dt.datetime.now(dt.UTC)
        try:
            settings = load_config(self.config_path)
        except ConfigError as exc:
            return Outcome(ok=False, errors=list(exc.problems))
        self.settings = settings
        try:
            return self._build(self.derive(settings), now)
        except SyndicateError as exc:
            return Outcome(ok=False, errors=[str(exc)])
        except OSError as exc:  # the preview's own folders (a full disk, say)
            where = f"{exc.filename}: " if exc.filename else ""
            return Outcome(ok=False, errors=[f"{where}{exc.strerror or exc} (building the "
                                             "preview)"])

    def catalog_token(self) -> object:
        """The project catalog's queue as it is now: (guid, time, zone, held) of each queued
        or held item. Read again only when the catalog's files changed (so each pass of the
        watcher costs two stats); a change is a `queue`, `unqueue` or release run beside
        serve. A publish that only writes its records changes nothing here."""
        if self._real is None:
            return None
        files = []
        for path in (self._real, Path(f"{self._real}-wal")):
            try:
                st = os.stat(path)
                files.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                files.append(None)
        with self._queue_lock:
            if files != self._files_seen:
                self._files_seen = files
                self._queue = self._read_queue()
            return tuple(sorted((k, r["at"], r["zone"], r["held"])
                                for k, (_p, r) in self._queue.items() if r is not None))

    def _read_queue(self) -> dict[str, tuple[str | None, dict | None]]:
        """guid -> (published_at, queue entry or None) of each item of the project catalog."""
        from ..publish import scratch_catalog

        if self._real is None or not self._real.exists():
            return {}
        try:
            with scratch_catalog(self._real) as copy, \
                    open_catalog(copy, commit=False) as real:
                queue = real.releases()
                out = {}
                for r in real.all_items():  # by guid, and by file (the preview's own new
                    entry = (r["published_at"], queue.get(r["id"]))  # items have guids
                    out[r["guid"]] = entry  # made from its address)
                    if not r["missing"]:
                        out.setdefault(f"file:{r['source']}", entry)
                return out
        except SyndicateError:  # (being replaced, say: the next change reads it again)
            return self._queue

    def _follow_queue(self, now: dt.datetime) -> None:
        """The project catalog's queue over the copy's, item by guid (a `queue` or `unqueue`
        run while serving): an item queued for later, or held, is no longer shown as
        released by an earlier build of the preview."""
        token = self.catalog_token()
        if token == self._queue_followed:
            return
        rows = self._queue
        now_iso = now.astimezone(dt.UTC).isoformat()
        with open_catalog(self._catalog) as cat:
            for r in cat.all_items():
                found = rows.get(r["guid"]) or (None if r["missing"]
                                                else rows.get(f"file:{r['source']}"))
                if found is None:
                    continue  # (a file the project catalog has not read: the copy's queue)
                published, release = found
                cat.conn.execute("DELETE FROM releases WHERE item_id = ?", (r["id"],))
                if release is None:
                    continue
                cat.set_release(r["id"], release["at"], release["zone"],
                                release["queued_at"], held=release["held"])
                if published is None and r["published_at"] \
                        and (release["held"] or release["at"] > now_iso):
                    cat.conn.execute("UPDATE items SET published_at = NULL WHERE id = ?",
                                     (r["id"],))
        self._queue_followed = token

    def _build(self, settings: Settings, now: dt.datetime) -> Outcome:
        from ..collect import collect
        from ..publish import publish

        if not (self.site_dir / ".syndicate").is_dir():  # removed under a running serve
            self._empty_site()
        self._follow_queue(now)
        with open_catalog(settings.catalog_path) as cat:
            report = collect(settings, cat, now=now)
        undo: list[tuple[dict, dict | None]] = []
        hidden = 0
        try:
            with open_catalog(settings.catalog_path) as cat:
                if self.drafts:
                    undo = _show_unreleased(cat, now, self._started)
                else:
                    hidden = len(_unreleased(cat, now))
            result = publish(settings, now=now, force=True, collected=report,
                             rehash=False, checked=True)
        finally:
            if undo:
                with open_catalog(settings.catalog_path) as cat:
                    _put_back(cat, undo)
        types = {r["key"]: r["content_type"] for r in result.plan.manifest}
        return Outcome(ok=True, errors=[str(e) for e in result.errors],
                       warnings=[str(w) for w in result.warnings],
                       written=len(result.plan.writes), deleted=len(result.plan.deletes),
                       types=types, hidden=hidden)


def _link_tree(src: Path, dst: Path) -> None:
    """The media cache as the preview's own: each file hard-linked (a copy where links cannot
    be made), so nothing the preview prunes or writes reaches the real cache."""
    if not src.is_dir():
        return
    for folder, _dirs, files in os.walk(src):
        here = dst / Path(folder).relative_to(src)
        here.mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(folder) / name, here / name)
            except OSError:
                try:
                    shutil.copy2(Path(folder) / name, here / name)
                except OSError:
                    continue  # encoded again if needed


def _unreleased(cat, now: dt.datetime) -> list[tuple]:
    """(row, queue entry or None) of each draft, queued, held or future-dated item."""
    queue = cat.releases()
    now_iso = now.astimezone(dt.UTC).isoformat()
    out = []
    for r in cat.all_items():
        release = queue.get(r["id"])
        at = release["at"] if release else r["date"]
        waiting = bool(release and release["held"]) or at > now_iso
        if not r["missing"] and (r["draft"] or waiting):
            out.append((r, release))
    return out


def _show_unreleased(cat, now: dt.datetime, since: dt.datetime) -> list[tuple[dict, dict | None]]:
    """Make drafts, queued, held and future-dated items releasable, marked; returns their rows
    and queue entries as they were (for ``_put_back``)."""
    stamp = min(now, since).astimezone(dt.UTC).isoformat()
    undo = []
    shown = _unreleased(cat, now)
    ids = {r["id"] for r, _ in shown}
    # an address is its released item's: a draft or queued item given the same slug (said by
    # collect) is left out of the preview rather than failing it
    taken = {(r["kind"], r["slug"]) for r in cat.all_items()
             if not r["missing"] and r["id"] not in ids}
    for r, release in sorted(shown, key=lambda pair: bool(pair[0]["draft"])):
        if (r["kind"], r["slug"]) in taken:
            continue
        taken.add((r["kind"], r["slug"]))
        row = dict(cat.conn.execute("SELECT * FROM items WHERE id = ?", (r["id"],)).fetchone())
        undo.append((row, dict(release) if release else None))
        data = loads(r["data"])
        data["preview"] = "draft" if r["draft"] else "queued"
        if release and not release["held"]:
            data["date"] = release["at"]  # shown at the time it is queued for
        cat.conn.execute("DELETE FROM releases WHERE item_id = ?", (r["id"],))
        cat.conn.execute("UPDATE items SET draft = 0, data = ?, date = ? WHERE id = ?",
                         (dumps(data), stamp, r["id"]))
    return undo


def _put_back(cat, undo: list[tuple[dict, dict | None]]) -> None:
    for row, release in undo:
        cols = [c for c in row if c != "id"]
        cat.conn.execute(f"UPDATE items SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                         [row[c] for c in cols] + [row["id"]])
        if release is not None:
            cols = list(release)
            cat.conn.execute(f"INSERT OR REPLACE INTO releases ({', '.join(cols)}) "
                             f"VALUES ({', '.join('?' * len(cols))})", [release[c] for c in cols])
