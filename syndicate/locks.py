"""Process locks beside the catalog: one publish at a time, one scheduler per catalog.

A lock is an ``flock`` on a file in the state folder, so the kernel releases it when its process
dies, even by SIGKILL: there is never a stale lock to clear by hand. The holder writes its pid,
command and start time into the file, so whoever finds it taken can say who holds it.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import SyndicateError
from .space import FULL, no_space


class LockedError(SyndicateError):
    """Another process holds the lock."""


def holder(path: Path) -> str:
    """Who holds the lock at ``path``, in words (as far as its file says)."""
    try:
        info = json.loads(path.read_text())
        return (f"pid {info['pid']} ({info['command']}, since "
                f"{info['since'].replace('T', ' ')[:16]} UTC)")
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


_guards: dict[str, threading.RLock] = {}
_depth: dict[str, int] = {}
_fds: dict[str, int] = {}
_registry = threading.Lock()
_holding: dict[str, Callable[[], bool]] = {}  # a catalog on a server: is its lock still held


@contextmanager
def process_lock(path: Path, what: str, *, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the block; wait up to ``wait`` seconds for it.

    Re-entrant within a thread (a release pass that collects, then publishes, holds it once);
    other threads of the same process wait as other processes do.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(path, what, exc) from None
    key = str(path.resolve())
    with _registry:
        guard = _guards.setdefault(key, threading.RLock())
    got = guard.acquire(timeout=wait) if wait > 0 else guard.acquire(blocking=False)
    if not got:
        raise LockedError(f"{path}: {what} is already in progress in this process; "
                          "wait for it to finish")
    try:
        if _depth.get(key, 0) == 0:
            try:
                _fds[key] = _acquire(path, what, wait)
            except OSError as exc:
                raise _os_error(path, what, exc) from None
        _depth[key] = _depth.get(key, 0) + 1
        try:
            yield
        finally:
            _depth[key] -= 1
            if _depth[key] == 0:
                os.close(_fds.pop(key))  # closing the descriptor releases the lock
    finally:
        guard.release()


def _os_error(path: Path, what: str, exc: OSError) -> SyndicateError:
    if exc.errno in FULL:
        return no_space(path, f"the lock for {what}", "nothing was changed")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return SyndicateError(f"{path}: cannot take the lock for {what}: the folder is read-only "
                              f"({exc.strerror or exc}); syndicate writes its catalog and locks "
                              "there: give this user write access to it (or mount it read-write)")
    return SyndicateError(f"{path}: cannot take the lock for {what} ({exc.strerror or exc}); "
                          "syndicate needs to write in that folder")


def _acquire(path: Path, what: str, wait: float) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise LockedError(f"{path}: {what} is already in progress, held by "
                                  f"{holder(path)}; wait for it to finish or stop it") from None
            time.sleep(0.05)
    prog = Path(sys.argv[0]).name
    command = " ".join(["syndicate", *sys.argv[1:2]]) if prog in (
        "syndicate", "__main__.py") else prog
    info = {"pid": os.getpid(), "command": command,
            "since": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
    except OSError:
        os.close(fd)
        raise
    return fd


@contextmanager
def publish_lock(settings, *, wait: float = 0.0) -> Iterator[Callable[[], bool] | None]:
    """One publish at a time: the lock file in the state folder and, for a catalog on
    PostgreSQL, a lock on its server too (another host's publish shares only the catalog).
    Yields, on PostgreSQL, a call saying whether the server's lock is still held (lost when
    this process was stopped or cut off past ``engines.SILENT_SECONDS``), else None."""
    with process_lock(settings.state_dir / "publish.lock", "a publish", wait=wait):
        if not settings.catalog_on_server:
            yield None
            return
        from .engines import PUBLISH_LOCK, server_lock

        key = str(settings.catalog_path)
        with _registry:
            held = _depth.get(key, 0)
            _depth[key] = held + 1
        try:
            if held:  # re-entrant, as the lock file is (a release that collects, then publishes)
                yield _holding.get(key)
            else:
                with server_lock(settings.catalog_path, PUBLISH_LOCK, "a publish",
                                 wait=wait) as still_held:
                    _holding[key] = still_held
                    yield still_held
        finally:
            with _registry:
                _depth[key] -= 1
                if not _depth[key]:
                    _holding.pop(key, None)
