"""A log file's bytes: the hashes it is known by, and a large local log read a window at a
time (never whole in memory) for the compiled reader.

A window ends just after a line feed (or, in a log whose lines end with carriage returns
alone, after one), so each line is read whole; a line longer than a window is no log line:
skipped, its bytes passed over."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import BinaryIO

from ..errors import printable
from .logfiles import StatsError

WINDOW = 64 * 2**20  # bytes of a large log held at once
LARGE = 2 * WINDOW  # a local log larger than this is read a window at a time


def crlf(data: bytes, end: int | None = None) -> bool:
    """Whether ``data`` (up to ``end``) holds a CRLF: looked for as a CR first, which memchr
    finds at the speed of memory (a pair of bytes is searched for four times slower)."""
    end = len(data) if end is None else end
    return data.find(b"\r", 0, end) >= 0 and data.find(b"\r\n", 0, end) >= 0


class Digests:
    """The hashes a log is known by, fed its bytes in order: the SHA-256 of its text with CRLF
    line ends as LF (a gzipped copy of a log read, or the log converted to CRLF, is the same
    log); then, where it differs, that of its bytes as they are, which the stats files of
    earlier versions kept. Fed in pieces, each must end after a line feed (but the last)."""

    def __init__(self) -> None:
        self.text = hashlib.sha256()
        self.raw = None  # (the same as the text's until a CRLF comes)

    def update(self, data: bytes, end: int | None = None) -> None:
        """``data`` (up to ``end``) hashed."""
        end = len(data) if end is None else end
        view = memoryview(data)[:end]  # (no copy of a window)
        if self.raw is None and crlf(data, end):
            self.raw = self.text.copy()
        if self.raw is not None:
            self.raw.update(view)
            view = data[:end].replace(b"\r\n", b"\n")
        self.text.update(view)

    def result(self) -> list[str]:
        text = self.text.hexdigest()
        return [text] if self.raw is None else [text, self.raw.hexdigest()]


def digests(content: bytes, raw: bytes | None = None) -> list[str]:
    """The hashes of a log held whole (``raw``: the file's own bytes where they are not its
    text, a gzip's)."""
    d = Digests()
    d.update(content)
    out = d.result()
    if raw is not None and raw is not content:
        own = hashlib.sha256(raw).hexdigest()
        if own not in out:
            out.append(own)
    return out


class CutShort(StatsError):
    """A log got shorter while it was read: the run counts nothing."""


def head(data: bytes) -> str:
    """The hash a log's first line is known by: its first line that is neither blank nor a
    header (CloudFront's ``#Version`` and ``#Fields`` lines are every log's), its line end left
    out (a CRLF copy has the same); the first 64 KB where no such line is there. A log that
    grew keeps it."""
    at = 0
    while at < min(len(data), 65536):
        end = min((i for i in (data.find(b"\n", at), data.find(b"\r", at)) if i >= 0),
                  default=len(data))
        line = data[at:end]
        if line.strip() and not line.startswith(b"#"):
            return hashlib.sha256(line).hexdigest()[:32]
        at = end + 1
    return hashlib.sha256(data[:65536]).hexdigest()[:32]


def _read(fh: BinaryIO, at: int, size: int, name: str) -> bytes:
    fh.seek(at)
    data = fh.read(size)
    if len(data) != size:
        raise CutShort(f"{printable(name)}: cut short while it was read (rotated by "
                         "copytruncate?); nothing was counted: run `syndicate stats` again")
    return data


def pieces(fh: BinaryIO, start: int, stop: int,
           name: str) -> Iterator[tuple[memoryview | bytes, int]]:
    """The bytes from ``start`` to ``stop`` a window at a time, each ending after a line feed
    (but the last), with the number of line feeds before it from ``start``; a line longer
    than a window is given as ``b""`` with the line feeds before it (to be skipped)."""
    at, lines = start, 0
    while at < stop:
        data = _read(fh, at, min(WINDOW, stop - at), name)
        # (after the last line feed; where a window holds none, after its last carriage return)
        cut = len(data) if at + len(data) == stop else \
            (data.rfind(b"\n") + 1 or data.rfind(b"\r") + 1)
        if cut:
            yield memoryview(data)[:cut], lines
            lines += data.count(b"\n", 0, cut)
            at += cut
            continue
        yield b"", lines  # no line end in a whole window: passed over to the next one
        lines += 1
        while True:
            at += len(data)
            if at >= stop:
                return
            data = _read(fh, at, min(WINDOW, stop - at), name)
            end = min((i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0), default=-1)
            if end >= 0:
                at += end + 1
                break


def window_digests(fh: BinaryIO, stop: int, name: str) -> list[str]:
    """The hashes of the log's first ``stop`` bytes, read a window at a time (as ``digests``
    gives them for the bytes held whole)."""
    d = Digests()
    at = 0
    while at < stop:
        data = _read(fh, at, min(WINDOW, stop - at), name)
        cut = len(data) if at + len(data) == stop else (data.rfind(b"\n") + 1 or len(data))
        if at + cut < stop and data[cut - 1:cut] == b"\r":
            cut -= 1  # (a CR before the next window's LF: kept with it)
        d.update(data, cut)
        at += cut
    return d.result()


def line_feeds(fh: BinaryIO, stop: int, name: str) -> int:
    """The line feeds in the log's first ``stop`` bytes."""
    count, at = 0, 0
    while at < stop:
        data = _read(fh, at, min(WINDOW, stop - at), name)
        count += data.count(b"\n")
        at += len(data)
    return count


def last_line_end(fh: BinaryIO, size: int, name: str) -> int:
    """Where the log's last line end (a line feed or a carriage return) ends, in its last
    window; 0 if none is there."""
    at = max(0, size - WINDOW)
    data = _read(fh, at, size - at, name)
    found = max(data.rfind(b"\n"), data.rfind(b"\r"))
    return at + found + 1 if found >= 0 else 0
