"""A local folder as the publish target. Every write is a temporary file renamed into place.

Published files are 0644 and folders 0755 whatever the umask (a web server running as another
user must read them). What each file was when written (its stat signature: size, mtime, and the
ctime and inode no copying tool can keep) is kept in the folder's ``.syndicate/written.json``: a
file that still matches is taken as it was written (a publish that changes nothing reads no
file); one that does not is hashed, and sent again if its content or mode changed by hand (an
edit that put the old mtime back too). ``publish --force`` hashes every file (``rehash``). The
keys a run is about to write are listed first in ``.syndicate/pending.json``, so a run killed
half-way leaves no file the next run does not know: it rewrites or deletes them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .. import filestat
from ..errors import PublishError, SiteBlocked
from .keys import RESERVED, safe_key
from .targets import TargetBase

if TYPE_CHECKING:
    from ..config import Settings
    from .outputs import Output


FILE_MODE = 0o644
DIR_MODE = 0o755
STAMPS_KEY = RESERVED + "written.json"
PENDING_KEY = RESERVED + "pending.json"
MAX_RECORD_BYTES = 64 << 20


class LocalTarget(TargetBase):
    workers = 8

    def __init__(self, root: Path, *, force: bool = False, site_url: str = ""):
        self.root = root.resolve()
        self.name = f"file://{self.root}"
        self.force = force  # overwrite files in the folder this site did not publish
        self.owned: set[str] = set()  # keys the catalog records as published here
        self.ours = False  # the folder's state.json names this site: every file in it is its
        self.site_url = site_url
        self.warnings: list[str] = []
        self.file_mode = FILE_MODE
        self.rows: dict[str, dict] = {}
        self.stamps: dict[str, str] = {}  # key: stat signature as written or verified
        self.stamps_read: dict[str, str] | None = None
        self.labels = True  # the content type is set on each file written, where it can be
        self.restored: set[str] = set()  # keys found changed by hand (said once put back)

    def adopt(self, cat, settings: Settings) -> None:
        """Whose site the folder is, by its ``.syndicate/state.json``: this catalog's (its
        records follow the folder wherever the project now sits), this site's under a catalog
        made anew (its files are the site's own), or another site's (refused, naming it)."""
        from .. import generation
        from ..catalog import file_target_names
        from ..collect.recover import site_state

        mine = generation.catalog_id(cat)
        for folder in self.root.parents:  # a site inside another site's folder: refused
            other = _state_at(folder)
            if other is not None and other.get("catalog") != mine:
                raise PublishError(
                    f"{self.root}: this folder lies inside the folder of another site "
                    f"({other.get('site') or 'published by catalog ' + str(other['catalog'])}, "
                    f"at {folder}); the two would overwrite each other's files. Point target at "
                    "a folder of this site's own, outside it")
        state = site_state(settings)
        if state is None:
            return
        if state["catalog"] == mine:
            self.ours = True
            if not cat.outputs(self.name):  # the project moved: its records name the old place
                others = [n for n in file_target_names(cat) if n != self.name]
                if len(others) == 1:
                    cat.rename_target(others[0], self.name)
            return
        if state.get("site") is not None and state["site"] != settings.config.site.url:
            raise PublishError(
                f"{self.root}: this folder holds another site ({state['site']}, published by "
                f"catalog {state['catalog']}), not {settings.config.site.url}; publishing here "
                "would overwrite its feeds and delete its files. Point target at a folder of "
                f"this site's own (if the folder really is to change hands, delete "
                f"{self.root}/{generation.STATE_KEY} first)")
        if state.get("site") == settings.config.site.url:
            self.ours = True  # this site's folder, and a catalog made anew (guarded on removals)

    def previous(self, catalog_rows: dict[str, dict]) -> dict[str, dict]:
        """What the folder holds, as the catalog recorded it (files are checked by ``has``),
        with the files a run killed half-way had begun to write (rewritten or deleted)."""
        rows = dict(catalog_rows)
        record = self.root / RESERVED.rstrip("/")
        if record.is_symlink():
            raise PublishError(
                f"{record}: a link (to {os.readlink(record)}) where syndicate keeps its record "
                "of the site: its records would be written wherever it leads; remove the link "
                "(syndicate makes the folder), then publish again. Nothing was written")
        stamps = self._read_record(STAMPS_KEY)
        self.stamps = {k: v for k, v in stamps.items() if isinstance(k, str)
                       and isinstance(v, str)} if isinstance(stamps, dict) else {}
        self.stamps_read = dict(self.stamps)
        pending = self._read_record(PENDING_KEY)
        for key in pending if isinstance(pending, list) else []:
            if not isinstance(key, str) or key in rows:
                continue
            try:
                st = (self.root / safe_key(key)).lstat()
            except (OSError, PublishError):
                continue
            if stat.S_ISREG(st.st_mode):  # written by a run that did not record it
                rows[key] = {"key": key, "sha256": "", "size": -1,
                             "content_type": "application/octet-stream", "input_hash": ""}
        self.owned = set(rows)
        self.rows = rows
        return rows

    def _read_record(self, key: str):
        try:
            with open(self.root / key, "rb", opener=_no_block) as f:
                raw = f.read(MAX_RECORD_BYTES + 1)
            if len(raw) > MAX_RECORD_BYTES:
                return None
            return json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return None

    def _write_record(self, key: str, value) -> None:
        """One of syndicate's own records in the site's ``.syndicate/`` folder, written whole
        (a folder that cannot be written is a PublishError naming it)."""
        path = self.root / key
        try:
            self._mkdirs(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        except OSError as exc:
            raise PublishError(f"{path.parent}: cannot write syndicate's record of the site "
                               f"there ({exc.strerror or exc}); make the folder writable by the "
                               "user running syndicate, then publish again") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                os.fchmod(f.fileno(), FILE_MODE)
                json.dump(value, f, separators=(",", ":"), sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def refuse_other_sites(self, keys) -> None:
        """A key that lands in the folder of another site published below this one (a folder
        with its own ``.syndicate/state.json``) is refused, naming that site and the key: this
        site would overwrite its files (the folder may hold such a site beside this one's
        files, as long as none lands in it)."""
        by_folder: dict[str, str] = {}
        for key in keys:
            by_folder.setdefault(posixpath.dirname(key), key)
        for folder in sorted(f for f in by_folder if f):
            parts = folder.split("/")
            for depth in range(1, len(parts) + 1):
                other = _state_at(self.root / "/".join(parts[:depth]))
                if other is not None:
                    raise PublishError(
                        f"{self.root}: cannot publish: {self.root / '/'.join(parts[:depth])} "
                        f"holds another site ({other.get('site') or 'its own catalog'}), and "
                        f"{by_folder[folder]} would land in it; this site would overwrite its "
                        "files. Move that site out of this site's folder (or publish this one "
                        "elsewhere, or choose another key in config.yaml). Nothing was written")

    def claim(self, plan) -> None:
        """Before anything is written: a file already in the folder that this site did not
        publish is overwritten only if it holds exactly the bytes it would get (then it is
        adopted and not written again), if it is this site's own feed, or with --force."""
        taken: list[str] = []
        adopted: list = []
        self.refuse_other_sites(w.output.key for w in plan.writes)
        in_way = [p for p in map(self._in_the_way, (w.output.key for w in plan.writes)) if p]
        unseen = [p for p in in_way if p.startswith(_UNSEEN)]
        if unseen:  # (not a file put there by hand: perhaps this site's own, live)
            raise PublishError(
                f"{unseen[0].removeprefix(_UNSEEN)}: the site folder cannot be looked at there; "
                "make it readable by the user running syndicate, then publish again. Nothing "
                "was written")
        own = [p for p in in_way if p.startswith(_OWN)]
        if own:
            raise PublishError(
                f"{self.root}: cannot publish: {own[0].removeprefix(_OWN)}. A file and a "
                "folder cannot share a name, and the live file stays until what replaces it "
                "is in place: give the new key another name (in config.yaml). Nothing was "
                "written")
        if in_way:
            shown = "; ".join(sorted(set(in_way))[:5]) + (
                f"; ... ({len(set(in_way))} in all)" if len(set(in_way)) > 5 else "")
            raise PublishError(
                f"{self.root}: cannot publish: {shown}. These were put there by hand, where "
                "syndicate writes its own files; remove them (or move them out of the site "
                "folder), then publish again. Nothing was written")
        for w in plan.writes:
            if w.output.key in self.owned:
                continue
            try:
                st = (self.root / safe_key(w.output.key)).lstat()
            except FileNotFoundError:
                continue
            except OSError:
                st = None
            if st is not None and stat.S_ISREG(st.st_mode) and st.st_size == w.size \
                    and self._sha256(w.output.key) == (w.sha256 or self._source_sha(w)):
                adopted.append(w)
            elif not self.ours and not (st is not None and stat.S_ISREG(st.st_mode)
                      and w.output.kind == "feed" and self._own_feed(w.output.key)):
                taken.append(w.output.key)
        for w in adopted:  # already there, byte for byte: nothing to write
            plan.writes.remove(w)
            plan.unchanged += 1
        if not taken or self.force:
            return
        taken.sort()
        shown = ", ".join(taken[:5]) + (f", ... ({len(taken)} in all)" if len(taken) > 5 else "")
        raise PublishError(
            f"{self.root}: refusing to overwrite {len(taken)} file(s) syndicate did not publish "
            f"there ({shown}); move them away, or run publish --overwrite to overwrite just "
            "them (the guards on removals stay on)")

    def _in_the_way(self, key: str) -> str | None:
        """What stands where ``key`` goes and is not a file syndicate could replace: a link
        (never followed, never replaced), a folder where a file goes, a file where a folder
        goes. None when the way is clear."""
        parts = safe_key(key).split("/")
        path = self.root
        for i, part in enumerate(parts):
            path = path / part
            shown = "/".join(parts[:i + 1])
            try:
                st = path.lstat()
            except FileNotFoundError:
                return None
            except OSError as exc:
                return f"{_UNSEEN}{self.root / shown} cannot be looked at " \
                    f"({exc.strerror or exc})"
            last = i == len(parts) - 1
            if stat.S_ISLNK(st.st_mode):
                if not last and self._inside(path):
                    continue  # a folder linked within the site: written through
                try:
                    where = os.readlink(path)
                except OSError:
                    where = "?"
                return f"{shown} is a link (to {where})"
            if last and not stat.S_ISREG(st.st_mode):
                return f"{shown} is {_kind(st.st_mode)} where syndicate writes a file"
            if not last and not stat.S_ISDIR(st.st_mode):
                if shown in self.owned:
                    return (f"{_OWN}{shown} is a file this site published (its old key), "
                            f"where this publish needs a folder (for {key})")
                return f"{shown} is a file where syndicate needs a folder (for {key})"
        return None

    def _inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self.root) and path.resolve().is_dir()
        except (OSError, RuntimeError):
            return False

    def _own_feed(self, key: str) -> bool:
        """Whether the file is this site's feed (it links to the site's address): a catalog
        made anew renders its feeds afresh, and may replace its own."""
        if not self.site_url:
            return False
        import feedparser

        try:
            with open(self.root / safe_key(key), "rb", opener=_no_block) as f:
                raw = f.read(MAX_FEED_BYTES + 1)
        except OSError:
            return False
        if len(raw) > MAX_FEED_BYTES:
            return False
        parsed = feedparser.parse(raw)
        if not parsed.get("version"):  # not recognisably RSS or Atom
            return False
        base = self.site_url.rstrip("/") + "/"
        links = [parsed.feed.get("link")] + [e.get("link") for e in parsed.entries]
        return any(isinstance(u, str) and (u + "/").startswith(base) for u in links)

    def _sha256(self, key: str) -> str | None:
        try:
            with open(self.root / safe_key(key), "rb", opener=_no_block) as f:
                return _digest(f)
        except OSError:
            return None

    @staticmethod
    def _source_sha(w) -> str | None:
        if w.data is not None:
            return hashlib.sha256(w.data).hexdigest()
        try:
            with open(w.output.path, "rb") as f:
                return _digest(f)
        except OSError:
            return None

    def begin(self, plan) -> None:
        """Name the files about to be written before any is (a killed run's leftovers are then
        known to the next one)."""
        fresh = sorted({w.output.key for w in plan.writes} - set(self.rows))
        old = self._read_record(PENDING_KEY)
        old = [k for k in old if isinstance(k, str)] if isinstance(old, list) else []
        for key in old:  # a killed run began these: what it left of the ones it never wrote
            try:
                path = self.root / safe_key(key)
            except PublishError:
                continue
            if not path.is_symlink() and not path.exists():
                _sweep_parts(path)
                self._prune(path.parent)
        if fresh:
            self._write_record(PENDING_KEY, sorted({*old, *fresh}))

    def finish(self, manifest: list[dict], stamp: tuple[int, str]) -> None:
        """Record what each file is as written (the catalog holds the folder's manifest), and
        the publishing catalog's generation ``stamp`` (``.syndicate/state.json``, written only
        when it differs). The site is published by now: a failure here is a warning."""
        from .. import generation

        keys = {r["key"] for r in manifest}
        for key in sorted(self.restored & keys):
            self.warnings.append(f"{self.root / key}: changed since this catalog published it "
                                 "(by hand, or by another checkout publishing here: bring its "
                                 "sources to this one first); put back as this checkout has it")
        stamps = {k: v for k, v in self.stamps.items() if k in keys}
        if stamps != self.stamps_read:  # a publish that changed nothing writes nothing
            try:
                self._write_record(STAMPS_KEY, stamps)
            except PublishError as exc:  # the site is published: files are hashed next time
                self.warnings.append(f"{exc} (the site is published; the next publish reads "
                                     "each file to know it unchanged)")
        try:
            (self.root / PENDING_KEY).unlink(missing_ok=True)
        except OSError as exc:  # the next publish checks again the files it names
            self.warnings.append(f"{self.root / PENDING_KEY}: could not be removed "
                                 f"({exc.strerror or type(exc).__name__}); the site is "
                                 "published (the next publish checks the files it lists again)")
        state = {"generation": stamp[0], "catalog": stamp[1]}
        if self.site_url:
            state["site"] = self.site_url
        path = self.root / generation.STATE_KEY
        try:
            if path.is_file() and path.stat().st_size <= generation.MAX_STATE_BYTES \
                    and generation.parse_state(path.read_bytes()) == state:
                return
            generation.record_local(self.root, stamp, self.site_url or None)
        except OSError as exc:
            self.warnings.append(f"{self.name}: could not record the publish generation "
                                 f"({exc.strerror or type(exc).__name__}); a catalog restored "
                                 "from a backup may not be noticed until the next publish")

    def _path(self, key: str) -> Path:
        """Where ``key`` is written: its folder resolved (a linked folder leading out is
        refused), its last part not, so a link put there by hand is itself replaced, never
        followed."""
        path = self.root / safe_key(key)
        folder = path.parent.resolve()
        if folder != self.root and self.root not in folder.parents:
            near = path.parent
            while near.parent != self.root and not near.is_symlink():
                near = near.parent
            raise SiteBlocked(f"{near}: a link put in the site folder leads outside it (to "
                              f"{folder}); refusing to write through it; remove the link, "
                              "then publish again")
        return folder / path.name

    def has(self, key: str, size: int) -> bool:
        """Whether the file holds what was published there: its size, its mode, and its
        size and mtime as written (else its content, hashed once). With ``rehash`` (publish
        --force) every file is hashed: an edit that kept its size and mtime is found too. A
        file found changed by hand is said once it is put back (``finish``)."""
        try:  # a read: the key is checked; a link put there by hand is not the file
            st = (self.root / safe_key(key)).lstat()
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode) or st.st_size != size \
                or stat.S_IMODE(st.st_mode) != FILE_MODE:
            if key in self.rows:  # it was there as written: someone changed it since
                self.restored.add(key)
            return False
        seen = filestat.signature(st)
        if self.stamps.get(key) == seen and not self.rehash:
            return True
        want = (self.rows.get(key) or {}).get("sha256")
        if want and self._sha256(key) != want:  # changed by hand, same size
            self.restored.add(key)  # (said once written back: see finish)
            return False
        self.stamps[key] = seen
        return True

    def write(self, out: Output, data: bytes | None, sent=None) -> None:
        path = self._path(out.key)
        self._blocked(path)
        try:
            self._mkdirs(path.parent)
            self._write(path, out, data, sent)
            self.stamps[out.key] = filestat.signature(path.lstat())
        except OSError as exc:
            raise PublishError(f"{path}: cannot write it ({exc.strerror or exc}); check the "
                               "site folder") from None

    def _mkdirs(self, folder: Path) -> None:
        """Make the folder and those above it inside the site, each 0755 whatever the umask."""
        made = []
        while not folder.is_dir():
            made.append(folder)
            folder = folder.parent
        for d in reversed(made):
            try:
                d.mkdir()
            except FileExistsError:
                if not d.is_dir():
                    raise
                continue
            os.chmod(d, DIR_MODE)

    def _blocked(self, path: Path) -> None:
        """A folder where the file goes, or a file where one of its folders goes."""
        if path.is_dir() and not path.is_symlink():
            raise SiteBlocked(f"{path}: a folder stands where the site publishes a file; "
                              "syndicate never deletes a folder it did not make: move it "
                              "away, then publish again")
        for folder in [path.parent, *path.parent.parents]:
            if folder == self.root:
                break
            if folder.exists() and not folder.is_dir():
                raise SiteBlocked(f"{folder}: a file stands where the site needs a folder; "
                                  "move it away, then publish again")

    def _write(self, path: Path, out: Output, data: bytes | None, sent) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), self.file_mode)
                self._label(f.fileno(), out)
                if data is not None:
                    f.write(data)
                    if sent:
                        sent(len(data))
                else:
                    h = hashlib.sha256()
                    with open(out.path, "rb") as src:
                        while chunk := src.read(1 << 20):
                            h.update(chunk)
                            f.write(chunk)
                            if sent:
                                sent(len(chunk))
                    if out.sha256 and h.hexdigest() != out.sha256:
                        raise PublishError(
                            f"{out.path}: changed while publishing; run publish again"
                        )
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _sweep_parts(path)

    def _label(self, fd: int, out: Output) -> None:
        """The file's content type as extended attributes, where the file system keeps them:
        ``user.mime_type`` and ``user.charset`` (the names freedesktop.org gives them, which
        Apache's mod_mime_xattr serves). A folder has no place for a cache policy: the web
        server in front of it decides that."""
        if not self.labels:
            return
        mime, _, params = out.content_type.partition(";")
        charset = params.strip().removeprefix("charset=") if "charset=" in params else ""
        try:
            os.setxattr(fd, "user.mime_type", mime.strip().encode())
            if charset:
                os.setxattr(fd, "user.charset", charset.encode())
        except (OSError, AttributeError):  # not kept here (tmpfs, some mounts), or no xattrs
            self.labels = False

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        _sweep_parts(path)
        self.stamps.pop(key, None)
        self._prune(path.parent)

    def _prune(self, folder: Path) -> None:
        """Folders left empty inside the site go (never the site's own folder)."""
        while folder != self.root and folder.is_dir() \
                and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


MAX_FEED_BYTES = 64 << 20


def _state_at(folder: Path) -> dict | None:
    """The publish record (``.syndicate/state.json``) a site left in ``folder``, or None."""
    from ..generation import MAX_STATE_BYTES, STATE_KEY, parse_state

    path = folder / STATE_KEY
    try:
        if not path.is_file() or path.stat().st_size > MAX_STATE_BYTES:
            return None
        return parse_state(path.read_bytes())
    except (OSError, ValueError):
        return None


def _sweep_parts(path: Path) -> None:
    """A killed run's half-written copies of this file (our temporary names: publishes hold a
    lock, so none is another run's): removed with the file or when it is written again."""
    try:
        with os.scandir(path.parent) as entries:
            stale = [e.path for e in entries if e.name.startswith(f".{path.name}.")
                     and e.name.endswith(".part") and e.is_file(follow_symlinks=False)]
    except OSError:
        return
    for name in stale:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    return "not a regular file"


_OWN = "\0own:"  # marks a way blocked by one of the site's own files (see ``claim``)
_UNSEEN = "\0unseen:"  # (a part of the folder this user may not look at)


def _no_block(path: str, flags: int) -> int:
    """Open without following a last link or waiting on a pipe put there meanwhile."""
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def _digest(f) -> str:
    h = hashlib.sha256()
    while chunk := f.read(1 << 20):
        h.update(chunk)
    return h.hexdigest()


class PreviewTarget(LocalTarget):
    """A folder that shows the site before it goes live (``syndicate serve``): written like a
    site folder, but it records nothing. The catalog keeps no row of it, no item counts as
    released by it, no hub is told, no guard holds it back, and nothing is written beside the
    files (no ``.syndicate/`` records). What it holds is remembered in memory only, so one
    instance built again after a change writes only what changed. The folder is the preview's
    own: whatever stands in it is overwritten."""

    records = False

    def __init__(self, root: Path, *, site_url: str = ""):
        super().__init__(root, force=True, site_url=site_url)
        self.name = f"preview://{self.root}"
        self.ours = True
        self.built: dict[str, dict] = {}  # key -> row, as the last build left the folder

    def adopt(self, cat, settings: Settings) -> None:
        pass  # the folder is the preview's own

    def previous(self, catalog_rows: dict[str, dict]) -> dict[str, dict]:
        self.rows = {k: dict(v) for k, v in self.built.items()}
        self.owned = set(self.rows)
        return self.rows

    def begin(self, plan) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def finish(self, manifest: list[dict], stamp: tuple[int, str]) -> None:
        self.built = {r["key"]: dict(r) for r in manifest}

    def served_as(self, key: str) -> tuple[str, str] | None:
        """(Content-Type, Cache-Control) the last build gave ``key``; None if it made no such
        file. A server in front of the folder answers with these."""
        row = self.built.get(key)
        if row is None:
            return None
        return row.get("content_type") or "application/octet-stream", \
            row.get("cache_control") or ""
