"""Noticing edits: a polling watcher over the sources, the config and the theme.

Polling needs no dependency and behaves the same on every filesystem (network shares and
containers' bind mounts included, where change notifications go missing). One pass stats every
file below the watched folders: a few milliseconds for thousands of posts.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

Snapshot = dict[str, tuple[int, int, int, int]]


def snapshot(paths: list[Path]) -> Snapshot:
    """(mtime_ns, size, inode, mode) of each watched file and of every file and folder below
    each watched folder (links are not followed; what cannot be read is left out)."""
    out: Snapshot = {}

    def note(path: str) -> bool:
        try:
            st = os.lstat(path)
        except OSError:
            return False
        out[path] = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_mode)
        return True

    for path in paths:
        if not note(str(path)) or not path.is_dir() or path.is_symlink():
            continue
        for folder, dirs, files in os.walk(path):
            for name in dirs + files:
                note(os.path.join(folder, name))
    return out


class PollingWatcher:
    """``wait(stop)`` returns True once something under ``paths()`` changed since the last
    pass that did, False once ``stop`` is set. ``paths`` is asked again each pass (a config edit
    may move the sources). A file caught half-saved is read again at the next pass, as its
    change is seen then."""

    def __init__(self, paths: Callable[[], list[Path]], interval: float = 0.2):
        self.paths = paths
        self.interval = interval
        self._seen = snapshot(paths())

    def wait(self, stop: threading.Event) -> bool:
        while not stop.wait(self.interval):
            now = snapshot(self.paths())
            if now != self._seen:
                self._seen = now
                return True
        return False
