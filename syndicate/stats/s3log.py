"""Amazon S3 server access logs: one request per line, fields separated by spaces.

Fields read (by position): the time, the remote IP, the request line (its method), the key,
the HTTP status, the bytes sent and the user agent. S3's logs do not carry the Range header."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

from ..when import log_clock
from .hit import Hit, Skips, number, read_lines, request_parts, status_of, tokens

FIELDS = 17  # up to the user agent; later fields (version id, host id, TLS...) are not read


def read(lines: Iterable[str], name: str, skips: Skips) -> Iterator[Hit]:
    return read_lines(lines, name, skips, parse, "an S3 access log line")


_Q = r'"([^"]*)"'
# the usual line, read by one expression (S3 escapes nothing inside quotes, so a backslash is
# itself); any other spelling goes through tokens()
_LINE = re.compile(r"^\S+ \S+ \[([^\]]*)\] (\S+) \S+ \S+ \S+ (\S+) " + _Q
                   + r" (\S+) \S+ (\S+) \S+ \S+ \S+ " + _Q + " " + _Q)


def parse(line: str) -> Hit:
    m = _LINE.match(line)
    if m:
        clock, ip, key, uri, status, sent, _, agent = m.groups()
        method, uri_path = request_parts(uri)
        return Hit(time=log_clock(clock), ip=ip, method=method,
                   path=unquote(key) if key != "-" else unquote(uri_path),
                   status=status_of(status), sent=number(sent), range=None, agent=agent)
    f = tokens(line)
    if len(f) < FIELDS:
        raise ValueError(f"{len(f)} fields where an S3 access log line has at least {FIELDS}")
    method, uri_path = request_parts(f[8])
    key = unquote(f[7]) if f[7] != "-" else unquote(uri_path)
    return Hit(time=log_clock(f[2]), ip=f[3], method=method, path=key, status=status_of(f[9]),
               sent=number(f[11]), range=None, agent=f[16])
