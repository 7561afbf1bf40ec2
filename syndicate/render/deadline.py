"""A time and memory limit on a block of Python code in any thread: a theme's template that
loops for hours (nested loops the sandbox's cap on one ``range`` does not stop), or that piles
up values each within the sandbox's limits until they take gigabytes, is interrupted and named,
rather than holding a publish, the scheduler or ``serve``'s builder for good, or taking the
machine's memory.

One watchdog thread serves every limit. When a block's time is up it raises ``TookTooLong`` in
the block's thread, and ``TookTooMuch`` when the process's resident memory has grown by more
than the block's allowance since it began (CPython's ``PyThreadState_SetAsyncExc``: raised at
that thread's next bytecode, so a template's loop, which is Python, stops; a single long call
into C finishes first, which is why the sandbox bounds each operation). A block that ends first
is never interrupted: a limit is settled under the watchdog's lock, on whichever side comes
first. Memory is the whole process's (Linux's /proc/self/statm; elsewhere time alone holds).
"""

from __future__ import annotations

import ctypes
import itertools
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

TICK = 0.05  # seconds between the watchdog's looks (memory can grow by a gigabyte a second)


class TookTooLong(BaseException):
    """Raised into a thread whose block is past its time (a BaseException, so no ``except
    Exception`` on the way swallows it)."""


class TookTooMuch(TookTooLong):
    """Raised into a thread whose block made the process grow past its memory allowance."""


def resident() -> int | None:
    """The process's resident memory in bytes, or None where it cannot be read cheaply."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class _Watchdog:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        # token: (deadline, thread id, the resident memory it may reach, or None)
        self._due: dict[int, tuple[float, int, int | None]] = {}
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    @contextmanager
    def limit(self, seconds: float, memory: int | None = None) -> Iterator[None]:
        token = next(self._tokens)
        now = resident() if memory is not None else None
        ceiling = now + memory if now is not None else None
        with self._cond:
            self._due[token] = (time.monotonic() + seconds, threading.get_ident(), ceiling)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="render-deadline",
                                                daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._cond:
                self._due.pop(token, None)  # (gone: its exception is raised here, at the latest)

    def _watch(self) -> None:
        # it looks every TICK seconds: no block wakes it, so a limit costs the block a
        # dictionary entry and no switch of threads
        with self._cond:
            while True:
                self._cond.wait(TICK)
                if not self._due:
                    continue
                now = time.monotonic()
                used = resident() if any(c is not None for *_, c in self._due.values()) \
                    else None
                for token, (at, thread, ceiling) in list(self._due.items()):
                    if at <= now:
                        why = TookTooLong
                    elif used is not None and ceiling is not None and used > ceiling:
                        why = TookTooMuch
                    else:
                        continue
                    del self._due[token]
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread),
                                                               ctypes.py_object(why))


_WATCHDOG = _Watchdog()


def within(seconds: float, memory: int | None = None):
    """A block of code that is interrupted with ``TookTooLong`` once ``seconds`` have passed,
    or with ``TookTooMuch`` once the process holds ``memory`` bytes more than when it began."""
    return _WATCHDOG.limit(seconds, memory)
