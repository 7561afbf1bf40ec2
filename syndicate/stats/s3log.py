"""Amazon S3 server access logs: one request per line, fields separated by spaces.

Fields read (by position): the time, the remote IP, the request line (its method), the key,
the HTTP status, the bytes sent and the user agent. S3's logs do not carry the Range header.

Three readers of one format. The compiled one (``_s3scan.c``, where it was built) and
``requests_sql``, DuckDB's where it was not, read the usual line (USUAL: its fields printable
ASCII, the clock in UTC) with no Python per line; a line they do not take is handed to
``parse``, which reads any other spelling or says why the line is none."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

from ..when import log_clock, log_clock_day_sql
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


_MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_F = '[!#-~]+'  # a field of printable ASCII, no space or quote (a subset of _LINE's \S+)
_KEY = "(?:[!#-$&-~]|%[0-9A-Fa-f]{2})+"  # the key as S3 writes it: URL-encoded
# The usual line, as _LINE reads it, but stricter: where this matches, _LINE matches with the
# same fields; anything else goes to ``parse``.
USUAL = (f'^{_F} {_F} \\[[0-9]{{2}}/{_MONTH}/[0-9]{{4}}:[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}} '
         f'\\+0000\\] {_F} {_F} {_F} {_F} {_KEY} "[A-Za-z]+ [^"]*" [0-9]{{3}} {_F} '
         f'(?:-|[0-9]{{1,18}}) {_F} {_F} {_F} "[^"]*" "[^"]*"')


# Whitespace Python's \S (and so ``parse``) tells from a field's characters, other than the
# space and the line's end: a text without any of them is split into the same fields by
# SQL's string functions as by ``parse``, so its lines need not be matched whole (``LEAN``).
SPACES = b"\t\x0b\x0c\r\x1c\x1d\x1e\x1f"


def lean(data: bytes) -> bool:
    """Whether the engine may read ``data``'s lines the lean way: no whitespace in them but
    spaces (looked for a byte at a time, as fast as the bytes are read)."""
    return not any(bytes([c]) in data for c in SPACES)


_CLOCK = f"\\[[0-9]{{2}}/{_MONTH}/[0-9]{{4}}:[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}"
# The usual line checked a piece at a time, for a text ``lean`` passes: only the short
# fields are matched by patterns (RE2 costs a few nanoseconds a byte; a whole line is 400),
# the rest split by its quotes and spaces. Where this holds, USUAL holds but for the
# characters USUAL leaves out and ``parse`` reads alike (ASCII controls that are no
# whitespace), and _LINE matches with the same fields. The fields outside quotes are ASCII
# (where a character is a byte, no other whitespace can hide): told for a whole text that is
# ASCII (``ascii``) without looking at its lines.
_NOT_ASCII_TEXT = """(strlen(line) = length(line) OR
     (strlen(q[1]) = length(q[1]) AND strlen(q[3]) = length(q[3])))"""
LEAN = f"""
len(q) >= 7 AND q[5] = ' ' AND {_NOT_ASCII_TEXT}
AND len(f) = 10 AND NOT starts_with(q[1], ' ') AND NOT contains(q[1], '  ')
AND f[10] = '' AND f[4] = '+0000]' AND regexp_full_match(f[3], '{_CLOCK}')
AND (NOT contains(f[9], '%') OR regexp_full_match(f[9], '{_KEY}'))
AND regexp_matches(q[2], '^[A-Za-z]+ ')
AND len(g) = 8 AND g[1] = '' AND g[8] = '' AND NOT contains(q[3], '  ')
AND regexp_full_match(g[2], '[0-9]{{3}}')
AND (g[4] = '-' OR regexp_full_match(g[4], '[0-9]{{1,18}}'))"""


def requests_sql(lines: str, lean: bool = False, ascii: bool = False) -> str:
    """The requests of ``lines`` (SQL giving ``file, n, line``: the lines of log files, each
    numbered), one row a line that is not blank: ``ok`` where the engine read it, its fields
    then as ``parse`` gives them (the key URL-decoded, the day in UTC) in the columns of
    rules.REQUESTS. ``lean``: the lines are of a text ``lean()`` passed, checked by LEAN
    rather than matched whole by USUAL; ``ascii`` (with ``lean``): that text is all ASCII."""
    q, p = "string_split(line, '\"')", "string_split(string_split(line, '\"')[1], ' ')"
    if lean:
        check = LEAN.replace(_NOT_ASCII_TEXT, "TRUE") if ascii else LEAN
        split = f"""SELECT file, n, line, coalesce({check.strip()}, FALSE) AS ok, q, f, g
            FROM (SELECT file, n, line, q, string_split(q[1], ' ') AS f,
                         string_split(q[3], ' ') AS g
                  FROM (SELECT file, n, line, {q} AS q FROM ({lines}) WHERE line <> ''))"""
    else:
        split = f"""SELECT file, n, line, ok, CASE WHEN ok THEN {q} END AS q,
                   CASE WHEN ok THEN {p} END AS f,
                   CASE WHEN ok THEN string_split(split_part(line, '"', 3), ' ') END AS g
            FROM (SELECT file, n, line, regexp_matches(line, '{USUAL}')
                                        AND NOT contains(line, chr(13)) AS ok
                  FROM ({lines}) WHERE line <> '')"""
    return f"""
SELECT file, n, line, ok AND day IS NOT NULL AND path IS NOT NULL AS ok, day, ip, method,
       path, status, sent, NULL::VARCHAR AS range, agent
FROM (SELECT file, n, line, ok,
        CASE WHEN ok THEN {log_clock_day_sql("substr(f[3], 2)")} END AS day,
        CASE WHEN ok THEN f[5] END AS ip,
        CASE WHEN ok THEN upper(split_part(q[2], ' ', 1)) END AS method,
        CASE WHEN NOT ok THEN NULL WHEN f[9] <> '-' AND contains(f[9], '%')
             THEN try(url_decode(f[9])) WHEN f[9] <> '-' THEN f[9]
             WHEN NOT contains(split_part(split_part(q[2], ' ', 2), '?', 1), '%')
             THEN split_part(split_part(q[2], ' ', 2), '?', 1) END AS path,
        CASE WHEN ok THEN g[2]::INTEGER END AS status,
        CASE WHEN NOT ok THEN NULL WHEN g[4] = '-' THEN 0 ELSE g[4]::BIGINT END AS sent,
        CASE WHEN ok THEN q[6] END AS agent
      FROM ({split}))"""
