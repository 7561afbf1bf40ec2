"""Noticing edits: a polling watcher over the sources, the config and the theme.

Polling needs no dependency and behaves the same on every filesystem (network shares and
containers' bind mounts included, where change notifications go missing). One pass stats every
file below the watched folders: a few milliseconds for thousands of posts.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

Snapshot = dict[str, tuple[int, int, int, int]]


def snapshot(paths: list[Path], ignore: list[Path] = ()) -> Snapshot:
    """(mtime_ns, size, inode, mode) of each watched file and of every file and folder below
    each watched folder (of a folder: its inode and mode only; links are not followed; what
    cannot be read is left out), leaving out ``ignore`` and what lies below it (syndicate's own
    outputs: a build writes there)."""
    out: Snapshot = {}
    skip = {os.path.abspath(p) for p in ignore}

    def note(path: str) -> bool:
        if os.path.abspath(path) in skip:
            return False
        try:
            st = os.lstat(path)
        except OSError:
            return False
        if stat.S_ISDIR(st.st_mode):  # a folder changes when an entry comes or goes, which
            out[path] = (0, 0, st.st_ino, st.st_mode)  # is seen as that entry (an ignored one
        else:  # made beside the sources, the target on a first publish, is not an edit)
            out[path] = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_mode)
        return True

    for path in paths:
        if not note(str(path)) or not path.is_dir() or path.is_symlink():
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if note(os.path.join(folder, d))]  # ignored: not entered
            for name in files:
                note(os.path.join(folder, name))
    return out


class PollingWatcher:
    """``wait(stop)`` returns True once something under ``paths()`` changed since the last
    pass that did, False once ``stop`` is set. ``paths`` is asked again each pass (a config edit
    may move the sources). A file caught half-saved is read again at the next pass, as its
    change is seen then."""

    def __init__(self, paths: Callable[[], list[Path]], interval: float = 0.2,
                 ignore: Callable[[], list[Path]] = list,
                 also: Callable[[], object] = lambda: None):
        self.paths = paths
        self.ignore = ignore
        self.also = also  # anything else whose change counts (the catalog's queue)
        self.interval = interval
        self._seen = (snapshot(paths(), ignore()), also())

    def poll(self) -> bool:
        """One pass: whether anything watched changed since the last pass that saw a change."""
        now = (snapshot(self.paths(), self.ignore()), self.also())
        if now == self._seen:
            return False
        self._seen = now
        return True

    def wait(self, stop: threading.Event) -> bool:
        while not stop.wait(self.interval):
            if self.poll():
                return True
        return False
