"""Finding source files in a folder: what is there, what could not be looked at.

The walk never leaves the folder (a link to a folder elsewhere is refused, named), never walks a
folder twice (a link back up, or a second name for a folder already walked, is skipped), and
records each folder it could not read, so that no item in it is taken for deleted. Hidden and
``_`` names are skipped. Plain strings and ``os.scandir``: a no-change collect of ten thousand
files is mostly this loop.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from .. import filestat
from ..errors import CollectError, printable
from ..sourcefiles import relative, why_unreadable


@dataclass(slots=True)
class Found:
    """A file with a source suffix: its name (relative to the project, as the catalog has it),
    its path, a stat signature, its resolved path, and why it is refused, if it is."""

    name: str
    path: str
    sig: str
    real: str
    identity: tuple[int, int] | None = None  # (device, inode), to read the file scanned
    error: CollectError | None = None


@dataclass
class FolderScan:
    folder: str  # the folder's name, relative to the project
    files: list[Found] = field(default_factory=list)
    errors: list[CollectError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # folders (and links) whose content is unknown: name -> the error to give when items the
    # catalog has in them are kept (None: an error naming the folder was given already)
    unlooked: dict[str, CollectError | None] = field(default_factory=dict)

    def holds(self, name: str) -> bool:
        """Whether ``name`` is a path inside this folder."""
        return name.startswith(self.folder + "/")

    def unlooked_above(self, name: str) -> str | None:
        """The unlooked folder ``name`` lies in, if any."""
        for folder in self.unlooked:
            if name == folder or name.startswith(folder + "/"):
                return folder
        return None


def _utf8(name: str) -> bool:
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bad_name(name: str) -> CollectError:
    return CollectError(name, "the name is not valid UTF-8; not read",
                        hint="rename it (letters, digits, '-' and '_' are safe)")


def _unfollowable(scan: FolderScan, name: str, exc: OSError, path: str) -> None:
    """A link whose target cannot be resolved: named, not read; what the catalog has under that
    name keeps its last version."""
    reason = why_unreadable(exc, path)[0].removeprefix("cannot be read: ")
    scan.errors.append(CollectError(
        name, f"a link that cannot be followed ({reason}); not read, and the items the catalog "
        "has there keep their last version",
        hint="point the link at something this user may read, or remove it"))
    scan.unlooked[name] = None


def files_folder(source: str) -> str:
    """The name of the folder that holds an item's own files (the attachments its body links),
    beside its source ``source`` and named like it without its suffix:
    ``2026-09-14-why-i-blog/`` for ``2026-09-14-why-i-blog.md``."""
    dot = source.rfind(".")
    return source[:dot] if dot > 0 else source


def _looked_into(scan: FolderScan, path: str, name: str) -> None:
    """An error naming the folder ``path`` when it cannot be read (its files would be lost)."""
    try:
        with os.scandir(path):
            pass
    except NotADirectoryError:
        return
    except OSError as exc:
        reason, hint = why_unreadable(exc, path)
        scan.errors.append(CollectError(
            name, f"folder {reason}; the items in it keep their last version", hint=hint))
        scan.unlooked[name] = None


def scan_folder(folder: Path, root: Path, suffixes: set[str],
                skip_files_folders: bool = False,
                known: frozenset[str] | set[str] = frozenset()) -> FolderScan:
    """Every file under ``folder`` whose suffix is in ``suffixes``, in path order. With
    ``skip_files_folders``, a folder beside a source named like it (``files_folder``) holds
    that item's files, not sources: it is not walked, unless it is one of ``known`` (folders,
    by name, where the catalog has items: a series in ``travel/`` beside ``travel.md`` that
    was published so stays items, never taken down for being read as files)."""
    base = str(root)
    lead = len(base) + 1
    label = printable(folder.name)
    top = relative(folder, root)
    scan = FolderScan(top)
    folder_real = os.path.realpath(folder)
    inside_prefix = folder_real.rstrip(os.sep) + os.sep

    def name_of(path: str) -> str:
        if path.startswith(base + os.sep):
            return path[lead:].replace(os.sep, "/")
        return relative(Path(path), root)

    def inside(real: str) -> bool:
        return real == folder_real or real.startswith(inside_prefix)

    visited = {folder_real}
    todo: deque[tuple[str, str]] = deque([(str(folder), folder_real)])
    linked: deque[tuple[str, str]] = deque()  # folders reached by a link: walked last
    found: list[tuple[tuple[str, ...], Found]] = []
    while todo or linked:
        if todo:
            directory, real_dir = todo.popleft()
        else:
            directory, real_dir = linked.popleft()
            if real_dir in visited:  # a second name for a folder already walked
                continue
            visited.add(real_dir)
        try:
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError as exc:
            reason, hint = why_unreadable(exc, directory)
            name = name_of(directory)
            scan.errors.append(CollectError(
                name, f"folder {reason}; the items in it keep their last version", hint=hint))
            scan.unlooked[name] = None
            continue
        prefix = real_dir if real_dir.endswith(os.sep) else real_dir + os.sep
        own = {files_folder(e.name) for e in entries
               if e.name[e.name.rfind("."):].lower() in suffixes} if skip_files_folders else ()
        for entry in entries:
            entry_name = entry.name
            if entry_name.startswith((".", "_")):
                continue
            if entry_name in own and name_of(entry.path) not in known:  # an item's files:
                _looked_into(scan, entry.path, name_of(entry.path))  # not walked, but one it
                # cannot read is said, as the walk would
                continue
            path = entry.path
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()
            except OSError:  # a link that cannot be followed (a loop)
                is_link, is_dir = True, False
            if is_dir and not is_link:
                if not _utf8(entry_name):
                    scan.errors.append(_bad_name(name_of(path)))
                    continue
                real = prefix + entry_name
                if real not in visited:
                    visited.add(real)
                    todo.append((path, real))
                continue
            dot = entry_name.rfind(".")
            ext = entry_name[dot:].lower() if dot > 0 else ""
            if not _utf8(entry_name):
                if is_dir or ext in suffixes:
                    scan.errors.append(_bad_name(name_of(path)))
                continue
            if is_link:
                try:
                    real = os.path.realpath(path)
                except OSError as exc:  # a link through a folder that may not be searched
                    if ext in suffixes or not ext:  # a source, or maybe a folder
                        _unfollowable(scan, name_of(path), exc, path)
                    continue
                if is_dir:
                    if not inside(real):
                        scan.errors.append(CollectError(
                            name_of(path), f"a link to a folder outside {label}/; not read",
                            hint=f"sources are read only from inside {label}/; remove the link "
                            "or move the folder in"))
                        scan.unlooked[name_of(path)] = None
                    elif real_dir == real or real_dir.startswith(real.rstrip(os.sep) + os.sep):
                        scan.warnings.append(f"{printable(name_of(path))}: a link to a folder "
                                             "that holds it; skipped (its files are read once)")
                    else:
                        linked.append((path, real))
                    continue
                if ext not in suffixes:
                    if not os.path.exists(path):
                        # a dangling link: perhaps a folder of items on a disk not there now
                        name = name_of(path)
                        scan.warnings.append(f"{printable(name)}: a link that leads nowhere; "
                                             "skipped")
                        scan.unlooked[name] = CollectError(
                            name, "a link that leads nowhere; the items the catalog has in it "
                            "keep their last version", hint="point the link at its folder again "
                            "or remove it")
                    continue
            elif ext not in suffixes:
                continue
            else:
                real = prefix + entry_name
            try:
                st = entry.stat()
                sig, identity = filestat.signature(st), (st.st_dev, st.st_ino)
            except OSError:
                sig, identity = "-", None
            item = Found(name_of(path), path, sig, real, identity)
            if is_link and not inside(real):
                item.error = CollectError(
                    item.name, f"a link to a file outside {label}/; refused",
                    hint=f"sources are read only from inside {label}/; copy the file in")
            found.append((tuple(path.split(os.sep)), item))
    found.sort(key=lambda f: f[0])
    scan.files = [f for _, f in found]
    return scan
