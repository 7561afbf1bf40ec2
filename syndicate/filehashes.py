"""What this checkout's files hold: the sha256 of each source, kept by its stat signature.

The catalog knows an item by the content of its files, not by their stat, so two checkouts of
the same sources on two hosts (a catalog on PostgreSQL) agree that nothing changed. Reading
every file on every run would cost what a stat costs only once: each file's sha256 is kept
here, in the checkout's own state folder (``file-hashes.json``), with the stat signature it
was read under (``filestat``: inode and ctime included, so no rewrite keeps it), and read again
only when that signature changed. A file this checkout has hashed is also one it has held: an
item of the catalog whose file this checkout never held is another checkout's, not one
deleted here (collect keeps it).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from . import filestat

FILE = "file-hashes.json"
_CHUNK = 1 << 20


def sha256_of(path: str | os.PathLike) -> str:
    """The sha256 of a regular file's bytes, '-' where it cannot be read or is not a regular
    file (never opened blocking: a pipe or a device is not read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except (OSError, ValueError):
        return "-"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # (a folder opens too: never read)
            return "-"
        h = hashlib.sha256()
        while chunk := os.read(fd, _CHUNK):
            h.update(chunk)
    except OSError:
        return "-"
    finally:
        os.close(fd)
    return h.hexdigest()


# the file last loaded by this process, by its stat: a process that collects again and again
# (the scheduler) decodes it again only when a run wrote it
_loaded: dict[str, tuple[tuple, dict, dict]] = {}


def _load(path: Path) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The hashes kept in ``path`` (as ``known``, a dict of the caller's own) and the sha256
    of each path (``before``, not to be changed)."""
    st = os.stat(path)
    ident = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    held = _loaded.get(str(path))
    if held is None or held[0] != ident:
        loaded = json.loads(path.read_text(encoding="utf-8"))
        known = {k: v for k, v in loaded.items() if isinstance(v, list) and len(v) == 2}
        held = (ident, known, {k: v[1] for k, v in known.items()})
        _loaded.clear()
        _loaded[str(path)] = held
    return dict(held[1]), held[2]


class FileHashes:
    """The hashes of one checkout's files (see the module's docstring), each under its name
    relative to the project's ``root`` (a checkout moved or copied whole, its state folder
    with it, keeps what it knows). ``fresh`` reads every file again whatever its stat says
    (``publish --force``); ``folder`` None keeps nothing."""

    def __init__(self, root: Path, folder: Path | None, fresh: bool = False):
        self.root = os.fspath(root).rstrip(os.sep) + os.sep
        self.path = folder / FILE if folder is not None else None
        self.known: dict[str, list[str]] = {}  # path -> [stat signature, sha256]
        self.had = False  # whether this checkout kept hashes before this run
        self.before: dict[str, str] = {}  # path -> sha256, as this run found them
        if self.path is not None:
            try:
                self.known, self.before = _load(self.path)
                self.had = True
            except (OSError, ValueError, AttributeError):
                pass  # none yet, or unreadable: every file is read once
        self.fresh = fresh
        self.changed = False
        self.used: set[str] = set()  # the paths asked about in this run

    def of(self, path: str | os.PathLike, sig: str | None = None) -> str:
        """The sha256 of the file at ``path`` ('-': none there, or unreadable). ``sig``: its
        stat signature, if the caller has it."""
        full = os.fspath(path)
        key = self._key(full)
        self.used.add(key)
        sig = filestat.of_path(full, follow=False) if sig is None else sig
        if sig == "-":
            return "-"
        seen = self.known.get(key)
        if seen is not None and seen[0] == sig and not self.fresh:
            return seen[1]
        digest = sha256_of(full)
        if digest != "-" and os.path.islink(full) \
                and not (os.path.realpath(full) + os.sep).startswith(self.root):
            # the same bytes, from outside the project: not the file it was (collect reads
            # the item again, and refuses what leads out)
            digest = "outside:" + digest
        if digest != "-":
            self.known[key] = [sig, digest]
            self.changed = True
        return digest

    def read_as(self, path: str | os.PathLike, sig: str, digest: str) -> None:
        """Record the hash of the bytes the caller read from ``path`` under stat ``sig``."""
        key = self._key(os.fspath(path))
        self.used.add(key)
        if sig != "-" and self.known.get(key) != [sig, digest]:
            self.known[key] = [sig, digest]
            self.changed = True

    def sig(self, *paths: str | os.PathLike | None) -> str:
        """One signature of the content of ``paths`` (a missing file signs as '-')."""
        parts = [self.of(p) for p in paths if p is not None]
        return parts[0] if len(parts) == 1 else \
            hashlib.sha256("|".join(parts).encode()).hexdigest()

    def _key(self, path: str) -> str:
        return path[len(self.root):] if path.startswith(self.root) else path

    def ever_held(self, name: str) -> bool:
        """Whether this checkout held a file of that name (relative to the project, as the
        catalog names sources) before this run."""
        return name in self.before

    def held(self, path: str | os.PathLike) -> str | None:
        """The sha256 ``path`` had when this checkout last read it (before this run), if it
        read it: where it is the file's now, the file did not change here since."""
        return self.before.get(self._key(os.fspath(path)))

    def held_as(self, name: str) -> str | None:
        """``held``, by the file's name relative to the project (as the catalog names it)."""
        return self.before.get(name)

    def unchanged_here(self, *paths: str | os.PathLike | None) -> bool:
        """Whether none of ``paths`` changed in this checkout since it last read them (a file
        never read here did not change here). Asked after ``of`` or ``sig`` read them."""
        for p in paths:
            if p is None:
                continue
            key = self._key(os.fspath(p))
            then, now = self.before.get(key), self.known.get(key)
            if then is not None and (now is None or now[1] != then):
                return False
        return True

    def save(self, keep: set[str] = frozenset()) -> None:
        """Write the hashes of the files asked about in this run and of ``keep``'s names; a
        failure to write costs only a read of each file next time."""
        if self.path is None:
            return
        kept = {k: v for k, v in self.known.items() if k in self.used or k in keep}
        self.changed |= len(kept) != len(self.known)
        self.known = kept
        if not self.changed and self.had:
            return
        tmp = self.path.with_name(f".{FILE}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(self.known, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)
