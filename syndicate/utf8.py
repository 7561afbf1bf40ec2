"""Reading UTF-8 text, where a byte that is not UTF-8 is named with its line and column as an
editor shows them (a BOM at the start is allowed and not counted)."""

from __future__ import annotations

BOM = b"\xef\xbb\xbf"


class NotUtf8(ValueError):
    """``data`` is not UTF-8: the first bad byte, on ``line`` at ``column`` (both from 1)."""

    def __init__(self, byte: int, line: int, column: int):
        super().__init__(f"not UTF-8 text (byte 0x{byte:02x} in column {column})")
        self.byte, self.line, self.column = byte, line, column


def decode(data: bytes, *, lenient: bool = False) -> str:
    """``data`` as text (a leading BOM dropped); NotUtf8 at its first bad byte, unless
    ``lenient`` (bad bytes read as U+FFFD)."""
    body = data[len(BOM):] if data.startswith(BOM) else data
    try:
        return body.decode("utf-8", "replace" if lenient else "strict")
    except UnicodeDecodeError as exc:
        start = body.rfind(b"\n", 0, exc.start) + 1
        column = len(body[start:exc.start].decode("utf-8")) + 1
        raise NotUtf8(body[exc.start], body.count(b"\n", 0, exc.start) + 1, column) from None
