"""The one record every log reader yields, and the tally of the lines a reader could not use."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..errors import printable
from ..when import WhenError

EXAMPLES_KEPT = 5  # skipped lines named with their file and line; the rest only counted


@dataclass(frozen=True, slots=True)
class Hit:
    """One request as a log tells it."""

    time: dt.datetime  # UTC
    ip: str
    method: str
    path: str  # the object's key or the URL's path, as the log spells it
    status: int
    sent: int  # body bytes sent
    range: str | None  # the Range asked (``bytes=0-1``), None where the log does not say
    agent: str


# an IPv4 address, or an IPv6 one: eight groups, or any with "::" (a clock's colons are neither);
# with a port or after a colon too
_ADDRESS = re.compile(r"(?<![\w.])(?:\d{1,3}(?:\.\d{1,3}){3}|(?:[0-9A-Fa-f]{1,4}:){7}"
                      r"[0-9A-Fa-f]{1,4}|[0-9A-Fa-f:]*::[0-9A-Fa-f:.]*)(?![\w.])")


@dataclass
class Skips:
    """Lines left out: how many, and where the first few are, with why."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, name: str, line: int, why: str) -> None:
        """A line left out; ``why`` may quote its text, in which what looks like an address
        is masked (a damaged line may hold one where another field should be)."""
        self.count += 1
        if len(self.examples) < EXAMPLES_KEPT:
            self.examples.append(f"{printable(name)}:{line}: {_ADDRESS.sub('<address>', why)}")

    def merge(self, other: Skips) -> None:
        self.count += other.count
        room = EXAMPLES_KEPT - len(self.examples)
        self.examples.extend(other.examples[:max(room, 0)])


def number(text: str) -> int:
    """A byte count or a status as logs write them; ``-`` is 0."""
    if text == "-":
        return 0
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"{text[:40]!r} is not a number")
    if len(text) > 18:  # (an exabyte: no log counts that many, and DuckDB's BIGINT ends there)
        raise ValueError(f"{text[:40]!r} has more digits than a byte count of a log (18)")
    return int(text)


def status_of(text: str) -> int:
    if len(text) != 3 or not text.isascii() or not text.isdigit():
        raise ValueError(f"{text[:40]!r} is not an HTTP status")
    return int(text)


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|\[([^\]]*)\]|(\S+)')


def tokens(line: str) -> list[str]:
    """The fields of a space-separated log line: quoted ("...", with backslash escapes) and
    bracketed ([...]) fields each one field, without their marks."""
    out = []
    for m in _TOKEN.finditer(line):
        quoted, bracketed, bare = m.groups()
        if quoted is not None:
            out.append(_unescape(quoted) if "\\" in quoted else quoted)
        else:
            out.append(bracketed if bracketed is not None else bare)
    return out


_ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})|\\(.)")


def _unescape(text: str) -> str:
    """Apache writes a quote as \\" and nginx as \\x22."""
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else m[2], text)


def request_parts(request: str) -> tuple[str, str]:
    """(method, path) of a request line such as ``GET /media/a.mp3?x=1 HTTP/1.1``."""
    parts = request.split(" ")
    if len(parts) < 2 or not parts[0].isascii() or not parts[0].isalpha():
        raise ValueError(f"{request[:60]!r} is not a request line")
    return parts[0].upper(), parts[1].split("?", 1)[0]


def read_lines(lines: Iterable[str], name: str, skips: Skips, parse: Callable[[str], Hit],
               what: str) -> Iterator[Hit]:
    """The hits of a log of one line a request (``parse`` reads one); a line it cannot read is
    counted as skipped, ``what`` saying what it is not; blank lines are passed over."""
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            yield parse(line)
        except (ValueError, WhenError) as exc:
            skips.add(name, n, f"not {what} ({exc})")
