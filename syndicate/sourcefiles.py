"""Reading source files: only regular files, only from inside their folder, at most
MAX_SOURCE_BYTES; text decoding with line-accurate errors, dates in file names."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from pathlib import Path

from . import utf8
from .errors import CollectError, printable
from .markup import slugify
from .when import parse_day

DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_ ]+(.*)$")


MAX_SOURCE_BYTES = 10 * 2**20  # a post or sidecar; far beyond any real one


def why_unreadable(exc: OSError, path: str | Path) -> tuple[str, str]:
    """(reason, hint) for an OSError met reading a source."""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied", \
            "make it readable by the user running syndicate"
    if code == errno.ELOOP:
        return "is a symbolic link loop", "point the link at a real file or remove it"
    if code in (errno.ENOENT, errno.ENOTDIR):
        if os.path.islink(path):
            return "is a symbolic link to nothing (dangling)", \
                "point the link at a real file or remove it"
        return "disappeared while it was being read", "run again once it is in place"
    if code == errno.ENAMETOOLONG:
        return "cannot be read: its path is too long", "shorten its name or its folders' names"
    return f"cannot be read: {exc.strerror or exc}", "check the file"


def file_kind(mode: int) -> str:
    for test, what in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device")):
        if test(mode):
            return what
    return "not a regular file"


def regular_file(path: Path, name: str, line: int | None = None, what: str = "") -> os.stat_result:
    """The stat of ``path``, which must be a regular file (after links); else a CollectError.
    Pipes, sockets and devices are never opened: reading one could block forever."""
    label = f"{what} " if what else ""
    try:
        st = os.stat(path)
    except OSError as exc:
        reason, hint = why_unreadable(exc, path)
        raise CollectError(name, label + reason, line, hint=hint) from None
    if not stat.S_ISREG(st.st_mode):
        raise CollectError(name, f"{label}is {file_kind(st.st_mode)}, not a file", line,
                           hint="only plain files are read; remove it or replace it by a file")
    return st


def read_source(path: Path, name: str, limit: int = MAX_SOURCE_BYTES,
                identity: tuple[int, int] | None = None, too_large: str = "") -> bytes:
    """The bytes of a source file: a regular file of at most ``limit`` bytes; any other case
    is a CollectError naming ``name``. Never blocks on a pipe or a device. ``identity``: the
    (device, inode) the folder scan saw; a file swapped since (for a link elsewhere, say) is
    refused rather than read. ``too_large``: what to say of a file over the limit, where it is
    not a post or a sidecar."""
    st = regular_file(path, name)
    too_big = CollectError(name, f"is larger than {limit // 2**20} MB",
                           hint=too_large or "a source this large is not a post or sidecar; "
                           "split it or move it out of the folder")
    if st.st_size > limit:
        raise too_big
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        reason, hint = why_unreadable(exc, path)
        raise CollectError(name, reason, hint=hint) from None
    with os.fdopen(fd, "rb") as f:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):  # swapped for something else meanwhile
                raise CollectError(name, "is not a regular file",
                                   hint="only plain files are read")
            if identity is not None and identity != (st.st_dev, st.st_ino):
                raise CollectError(name, "was replaced while it was being read",
                                   hint="run again once it is in place")
            data = f.read(limit + 1)
        except OSError as exc:
            reason, hint = why_unreadable(exc, path)
            raise CollectError(name, reason, hint=hint) from None
    if len(data) > limit:
        raise too_big
    return data


def is_inside(path: str | Path, folder_real: str) -> bool:
    """Whether ``path``, with every link resolved, lies in the (resolved) folder."""
    real = os.path.realpath(path)
    return real == folder_real or real.startswith(folder_real.rstrip(os.sep) + os.sep)


def confine(path: Path, folder: Path, name: str, line: int | None = None,
            what: str = "") -> Path:
    """``path`` if it resolves inside ``folder``; else a CollectError: sources are read only
    from inside their folder, so a link or a '..' cannot publish a file from elsewhere."""
    if "\0" in str(path):
        raise CollectError(name, f"{what} has a NUL character in its name".strip(), line)
    try:
        inside = is_inside(path, os.path.realpath(folder))
    except OSError as exc:  # a link through a folder that may not be searched
        reason = why_unreadable(exc, path)[0].removeprefix("cannot be read: ")
        raise CollectError(name, f"{what} is a link that cannot be followed ({reason}); not read"
                           .strip(), line, hint="point the link at something this user may "
                           "read, or remove it") from None
    if not inside:
        label = f"{what} " if what else ""
        raise CollectError(name, f"{label}leads outside {printable(folder.name)}/; refused",
                           line, hint=f"sources are read only from inside "
                           f"{printable(folder.name)}/; copy the file in")
    return path


def read_text(path: Path, name: str, data: bytes | None = None) -> str:
    """UTF-8 text (a BOM is allowed); anything else is an error naming the line of the bad byte.
    ``data``: the file's bytes, if read already (with read_source)."""
    data = read_source(path, name) if data is None else data
    try:
        text = utf8.decode(data)
    except utf8.NotUtf8 as exc:
        raise CollectError(name, str(exc), exc.line, hint="save the file as UTF-8") from None
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
    """ItemError adds 'file:line: ' itself (the first problem's); keep the rest of each YAML
    problem, the line of each after the first said before it ('line 8: ...')."""
    out = []
    for n, p in enumerate(problems):
        rest = p.removeprefix(name + ":")
        line, sep, text = rest.partition(": ")
        if not sep:
            out.append(rest)
        elif n and line.isdecimal():
            out.append(f"line {line}: {text}")
        else:
            out.append(text)
    return "; ".join(out)


def default_slug(path: Path) -> str:
    return slugify(split_name(path.stem)[1])


def relative(path: Path, root: Path) -> str:
    """``path`` relative to the project root, as the catalog and messages name it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, RuntimeError, OSError):  # elsewhere, or a link loop
        return path.as_posix()
