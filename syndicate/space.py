"""A full disk, said as such: which filesystem is full and what to do, never a damaged-file
message or a traceback."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from .errors import SyndicateError

FULL = (errno.ENOSPC, errno.EDQUOT)


class NoSpaceError(SyndicateError):
    """A write failed because the filesystem (or the user's quota) is full."""


def mount_of(path: Path) -> Path:
    """The mount point of the filesystem holding ``path`` (or its nearest existing parent)."""
    path = Path(path).absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    path = path.resolve()
    while not path.is_mount() and path.parent != path:
        path = path.parent
    return path


def nearly_full(path: Path, margin: int = 1 << 20) -> bool:
    """Whether the filesystem holding ``path`` has less than ``margin`` bytes free."""
    try:
        return shutil.disk_usage(mount_of(path)).free < margin
    except OSError:
        return False


def no_space(path: Path, what: str, unchanged: str = "") -> NoSpaceError:
    """``path``: no space left on its filesystem to write ``what``; free some, run again."""
    tail = f" ({unchanged})" if unchanged else ""
    return NoSpaceError(f"{path}: no space left on {mount_of(path)} to write {what}; free some "
                        f"space there, then run again{tail}")
