"""A time limit on a block of Python code in any thread: a theme's template that loops for
hours (nested loops the sandbox's cap on one ``range`` does not stop) is interrupted and named,
rather than holding a publish, the scheduler or ``serve``'s builder for good.

One watchdog thread serves every limit. When a block's time is up it raises ``TookTooLong`` in
the block's thread (CPython's ``PyThreadState_SetAsyncExc``: raised at that thread's next
bytecode, so a template's loop, which is Python, stops; a single long call into C finishes
first). A block that ends first is never interrupted: a limit is settled under the watchdog's
lock, on whichever side comes first.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

TICK = 0.25  # seconds between the watchdog's looks


class TookTooLong(BaseException):
    """Raised into a thread whose block is past its time (a BaseException, so no ``except
    Exception`` on the way swallows it)."""


class _Watchdog:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: dict[int, tuple[float, int]] = {}  # token: (deadline, thread id)
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    @contextmanager
    def limit(self, seconds: float) -> Iterator[None]:
        token = next(self._tokens)
        with self._cond:
            self._due[token] = (time.monotonic() + seconds, threading.get_ident())
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
        # it looks every TICK seconds (a limit is a matter of seconds): no block wakes it, so
        # a limit costs the block a dictionary entry and no switch of threads
        with self._cond:
            while True:
                self._cond.wait(TICK)
                now = time.monotonic()
                for token, (at, thread) in list(self._due.items()):
                    if at <= now:
                        del self._due[token]
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(
                            ctypes.c_ulong(thread), ctypes.py_object(TookTooLong))


_WATCHDOG = _Watchdog()


def within(seconds: float):
    """A block of code that is interrupted with ``TookTooLong`` once ``seconds`` have passed."""
    return _WATCHDOG.limit(seconds)
