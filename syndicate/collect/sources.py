"""Reading source files: text decoding with line-accurate errors, dates in file names, stat sigs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import CollectError
from ..markup import slugify
from ..when import parse_day

DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_ ]+(.*)$")


def read_text(path: Path, name: str) -> str:
    """UTF-8 text (a BOM is allowed); anything else is an error naming the line of the bad byte."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CollectError(
            name, f"not UTF-8 text (byte 0x{data[exc.start]:02x})", line,
            hint="save the file as UTF-8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_name(stem: str) -> tuple[dt.date | None, str]:
    """``2024-05-01-hello-world`` gives (2024-05-01, 'hello-world')."""
    m = DATE_PREFIX.match(stem)
    if m:
        day = parse_day(m.group(1))
        if day is not None:
            return day, m.group(2)
    return None, stem


def key_line(text: str | None, key: str, first_line: int = 1, default: int = 1) -> int:
    """The line of a top-level ``key:`` in YAML text that starts at ``first_line``."""
    if text is None:
        return default
    for i, line in enumerate(text.split("\n")):
        if line.startswith(f"{key}:"):
            return i + first_line
    return default


def strip_where(problems: list[str], name: str) -> str:
    """ItemError adds 'file:line: ' itself; keep the rest of each YAML problem."""
    out = []
    for p in problems:
        rest = p.removeprefix(name + ":")
        out.append(rest.split(": ", 1)[1] if ": " in rest else rest)
    return "; ".join(out)


def default_slug(path: Path) -> str:
    return slugify(split_name(path.stem)[1])


def stat_sig(*paths: Path | None) -> str:
    """A cheap signature of files' state (mtime and size); a missing file signs as '-'."""
    parts = []
    for p in paths:
        if p is None:
            continue
        try:
            st = p.stat()
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def relative(path: Path, root: Path) -> str:
    """``path`` relative to the project root, as the catalog and messages name it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
