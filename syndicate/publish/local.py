"""A local folder as the publish target. Every write is a temporary file renamed into place."""

from __future__ import annotations

import hashlib
import os
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

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.name = f"file://{self.root}"
        # published files get the modes any other file made here would (a web server running
        # as another user must read them), not mkstemp's private 0600
        self.file_mode = 0o666 & ~current_umask()

    def previous(self, catalog_rows: dict[str, dict]) -> dict[str, dict]:
        """What the folder holds, as the catalog recorded it (files are checked by ``has``)."""
        return catalog_rows

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
        try:  # a read: the key is checked, symlinks need not be resolved
            return (self.root / safe_key(key)).stat().st_size == size
        except OSError:
            return False

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
