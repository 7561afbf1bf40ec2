"""Progress bars for long audio encodes, on the terminal only (one bar per episode, with ETA)."""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # tqdm loads when a bar is first drawn
    from tqdm import tqdm

MIN_SECONDS = 60.0  # encodes of shorter audio finish too fast to need a bar


class EncodeBars:
    """A progress callback for ``publish``/``collect``: ``bars(name, done, total)``."""

    def __init__(self, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = self.stream.isatty() or os.environ.get("SYNDICATE_PROGRESS") == "1"
        self.enabled = enabled
        self._bars: dict[str, tqdm] = {}
        self._lock = threading.Lock()

    def __call__(self, name: str, done: float, total: float) -> None:
        if not self.enabled or total < MIN_SECONDS:
            return
        with self._lock:
            bar = self._bars.get(name)
            if bar is None:
                from tqdm import tqdm

                bar = tqdm(total=round(total), desc=name, unit="s", position=len(self._bars),
                           file=self.stream, leave=True, dynamic_ncols=True,
                           bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s "
                                      "of audio [{elapsed}<{remaining}]")
                self._bars[name] = bar
            bar.update(max(0, min(round(done), bar.total) - bar.n))

    def close(self) -> None:
        with self._lock:
            for bar in self._bars.values():
                bar.close()
            self._bars.clear()


class UploadBar:
    """A byte counter for ``publish``: ``bar(bytes_sent, bytes_in_all)``, one bar for the run."""

    MIN_BYTES = 1 << 20  # smaller uploads finish before a bar means anything

    def __init__(self, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = self.stream.isatty() or os.environ.get("SYNDICATE_PROGRESS") == "1"
        self.enabled = enabled
        self._bar: tqdm | None = None
        self._lock = threading.Lock()

    def __call__(self, sent: int, total: int) -> None:
        if not self.enabled or total < self.MIN_BYTES:
            return
        with self._lock:
            if self._bar is None:
                from tqdm import tqdm

                self._bar = tqdm(total=total, desc="upload", unit="B", unit_scale=True,
                                 unit_divisor=1024, file=self.stream, dynamic_ncols=True)
            self._bar.update(sent)

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None


class FileBar:
    """A progress callback for reading log files, ``bar(done, total)``: on the terminal only."""

    def __init__(self, desc: str, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = self.stream.isatty() or os.environ.get("SYNDICATE_PROGRESS") == "1"
        self.enabled = enabled
        self.desc = desc
        self._bar = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < 2:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=self.desc, unit="file", file=self.stream,
                             leave=False, dynamic_ncols=True)
        self._bar.update(max(0, done - self._bar.n))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
