"""The combined log format of nginx and Apache:
``IP IDENT USER [TIME] "REQUEST" STATUS BYTES "REFERER" "USER-AGENT"`` (fields after the user
agent, which some servers add, are not read). The format does not carry the Range header."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import unquote

from ..when import log_clock
from .hit import Hit, Skips, number, read_lines, request_parts, status_of, tokens

FIELDS = 9


def read(lines: Iterable[str], name: str, skips: Skips) -> Iterator[Hit]:
    return read_lines(lines, name, skips, parse, "a combined log format line")


def parse(line: str) -> Hit:
    f = tokens(line)
    if len(f) < FIELDS:
        raise ValueError(f"{len(f)} fields where a combined log line has {FIELDS}")
    method, path = request_parts(f[4])
    return Hit(time=log_clock(f[3]), ip=f[0], method=method, path=unquote(path),
               status=status_of(f[5]), sent=number(f[6]), range=None, agent=f[8])
