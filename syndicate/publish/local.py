"""A local folder as the publish target. Every write is a temporary file renamed into place."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PublishError
from .keys import safe_key

if TYPE_CHECKING:
    from .build import Output


def current_umask() -> int:
    """The process's umask, read without changing it where the kernel says it (Linux 4.7+);
    else set and restored at once (before any writer thread starts)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class LocalTarget:
    workers = 8

    def __init__(self, root: Path, *, force: bool = False, site_url: str = ""):
        self.root = root.resolve()
        self.name = f"file://{self.root}"
        self.force = force  # overwrite files in the folder this site did not publish
        self.owned: set[str] = set()  # keys the catalog records as published here
        self.site_url = site_url
        # published files get the modes any other file made here would (a web server running
        # as another user must read them), not mkstemp's private 0600
        self.file_mode = 0o666 & ~current_umask()

    def previous(self, catalog_rows: dict[str, dict]) -> dict[str, dict]:
        """What the folder holds, as the catalog recorded it (files are checked by ``has``)."""
        self.owned = set(catalog_rows)
        return catalog_rows

    def claim(self, plan) -> None:
        """Before anything is written: a file already in the folder that this site did not
        publish is overwritten only if it holds exactly the bytes it would get (then it is
        adopted and not written again), if it is this site's own feed, or with --force."""
        taken: list[str] = []
        adopted: list = []
        in_way = [p for p in map(self._in_the_way, (w.output.key for w in plan.writes)) if p]
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
            elif not (st is not None and stat.S_ISREG(st.st_mode)
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
            f"there ({shown}); move them away, or run publish --force to overwrite them"
            + ("" if self.owned else " (if they are this site's own and its catalog was made "
               "anew, --force is safe)"))

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
                return f"{shown} cannot be looked at ({exc.strerror or exc})"
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
        """Nothing to announce: a file not yet in the catalog is simply written again."""

    def finish(self, manifest: list[dict]) -> None:
        """Nothing to record in the folder itself: the catalog holds its manifest."""

    def _path(self, key: str) -> Path:
        path = (self.root / safe_key(key)).resolve()
        if self.root not in path.parents:
            raise PublishError(f"refusing to touch {path}: outside the site folder {self.root}")
        return path

    def has(self, key: str, size: int) -> bool:
        try:  # a read: the key is checked; a link put there by hand is not the file
            st = (self.root / safe_key(key)).lstat()
        except OSError:
            return False
        return stat.S_ISREG(st.st_mode) and st.st_size == size

    def write(self, out: Output, data: bytes | None, sent=None) -> None:
        path = self._path(out.key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._write(path, out, data, sent)
        except OSError as exc:
            raise PublishError(f"{path}: cannot write it ({exc.strerror or exc}); check the "
                               "site folder") from None

    def _write(self, path: Path, out: Output, data: bytes | None, sent) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), self.file_mode)
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

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


MAX_FEED_BYTES = 64 << 20


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    return "not a regular file"


def _no_block(path: str, flags: int) -> int:
    """Open without following a last link or waiting on a pipe put there meanwhile."""
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def _digest(f) -> str:
    h = hashlib.sha256()
    while chunk := f.read(1 << 20):
        h.update(chunk)
    return h.hexdigest()
