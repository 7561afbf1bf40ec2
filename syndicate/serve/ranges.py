"""Byte ranges (RFC 9110, section 14): which bytes of a representation a ``Range`` header asks
for, so podcast apps and browsers can seek."""

from __future__ import annotations

import re

_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class Unsatisfiable(Exception):
    """No byte the header asks for exists (answered 416, with ``Content-Range: bytes */size``)."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive for a single byte range of a ``size``-byte body; None when the
    whole body is to be sent (no header, one this server does not take up: several ranges, a
    unit other than bytes, a malformed one, which RFC 9110 lets a server ignore). Raises
    ``Unsatisfiable`` for a well-formed range that no byte satisfies."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    m = _SPEC.match(spec)
    if not m or not (m[1] or m[2]):
        return None
    if m[1]:  # first-last, or first-
        first = int(m[1])
        last = int(m[2]) if m[2] else size - 1
        if m[2] and last < first:
            return None  # invalid, not unsatisfiable: ignored
        if first >= size:
            raise Unsatisfiable
        return first, min(last, size - 1)
    suffix = int(m[2])  # -suffix: the last bytes
    if suffix == 0 or size == 0:
        raise Unsatisfiable
    return max(size - suffix, 0), size - 1
