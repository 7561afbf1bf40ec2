"""A file's identity as stat gives it: the one signature syndicate compares to know a file is
as it was without reading it (a source whose content hash this checkout keeps, filehashes.py;
a theme file or an image beside a post in the no-change fingerprint). It is this host's only:
what the catalog, shared between checkouts, knows of a source is its content.

Size and mtime alone are not enough: ``cp -p``, ``rsync -a``, ``tar x`` and ``touch -r`` give a
rewritten file its old mtime, and an edit may keep the size. The inode and the ctime are what
no such tool can keep (the kernel sets the ctime on every write, rename and ``utime``), so a
file rewritten in place or renamed over its old self always signs differently. The mode is in
too, so a file made unreadable is looked at again (and named) rather than taken as unchanged.
Nothing is read: a stat costs the same whatever the file's size.
"""

from __future__ import annotations

import os
import stat


def signature(st: os.stat_result) -> str:
    """The identity of the file ``st`` describes (see the module's docstring)."""
    return f"{st.st_mode:o}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def of_path(path: str | os.PathLike, follow: bool = True) -> str:
    """The identity of the file at ``path``, '-' where there is none. With ``follow`` False
    a link signs as itself and as what it leads to (a link pointed elsewhere and a target
    edited through it both change it; a link that leads nowhere signs as '-')."""
    try:
        if follow:
            return signature(os.stat(path))
        st = os.lstat(path)
        seen = signature(st)
        if stat.S_ISLNK(st.st_mode):
            seen += "|" + signature(os.stat(path))
    except (OSError, ValueError):
        return "-"
    return seen


def may_be_there(path: str | os.PathLike, follow: bool = True) -> bool:
    """Whether something stands at ``path``: False only where the system says there is nothing
    (no such file, or a part of the path is not a folder); True where it cannot tell (a folder
    that may be listed but not searched), so a caller never takes an unreadable file as gone.
    With ``follow`` False a link stands there whatever it leads to."""
    try:
        os.stat(path) if follow else os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError):
        return True
    return True


def unlisted(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` is there but cannot be listed (made unreadable: its files are not
    gone, so what was published of them stays)."""
    try:
        os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError):
        return True
    return False
