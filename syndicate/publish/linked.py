"""Files a post's body or an episode's notes link beside their source, published with the item.

A file keeps its place relative to the item's page (``marsh.jpg`` beside the post is published
beside its page, ``img/a.png`` under it), so the body's links read as written; one whose path
cannot be a key there (it climbs out with ``..``, its name has spaces or other characters, it
would take the name of the page or of the item's own files) is published under ``files/``,
named by its content, and the links to it are rewritten (see ``links.moved_urls``).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import filestat
from ..config import Settings
from ..errors import CollectError, printable
from ..sourcefiles import confine, read_source

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# names an item's own outputs take in its folder (its page, art, transcript, chapters)
_OWN = re.compile(r"^(index\.html|chapters\.json|transcript\..*|cover-.*|files)$")
FILE_LIMIT = 64 << 20  # bytes: a file beside a post is an image or a document, not a film
# catalog meta: {guid: {the file's path in the project: the key it was last published at}}
LINKED_KEYS = "linked_keys"
TOO_LARGE = (f"files beside posts and episodes are limited to {FILE_LIMIT >> 20} MB; make it "
             "smaller, or host it elsewhere and link to that address")


@dataclass
class LinkedFile:
    key: str
    path: Path
    sha256: str
    size: int


def linked_key(folder: str, link: str, sha: str) -> str:
    """The key a file linked as ``link`` from the item whose page is in ``folder`` takes."""
    norm = posixpath.normpath(link)
    parts = norm.split("/")
    if all(_PLAIN.match(p) for p in parts) and not _OWN.match(parts[0]):
        return folder + norm
    suffix = posixpath.splitext(parts[-1])[1].lower()
    suffix = suffix if _PLAIN.match(suffix[1:] or "-") else ""
    return f"{folder}files/{sha[:16]}{suffix}"


class LastPublished:
    """What the target holds from the last publish, for files beside items that cannot be read
    now (their folder unmounted, moved away for a moment, half-way through a checkout): the
    published copy stays, and the item keeps linking it, rather than a live file going and
    the page and feeds pointing at nothing. ``previous``: the target's rows by key, ``has``:
    whether the target still holds one (key, size); ``keys``: ``LINKED_KEYS`` as recorded."""

    def __init__(self, previous: Mapping[str, dict], has: Callable[[str, int], bool],
                 keys: dict[str, dict[str, str]]):
        self.previous, self.has, self.keys = previous, has, keys

    @classmethod
    def of(cls, cat, previous: Mapping[str, dict], has: Callable[[str, int], bool]
           ) -> LastPublished:
        try:
            keys = json.loads(cat.get_meta(LINKED_KEYS) or "{}")
        except ValueError:
            keys = {}
        return cls(previous, has, keys if isinstance(keys, dict) else {})

    def went_out(self) -> Callable[[str], bool]:
        """Whether bytes of this sha256 are among what the target was last given."""
        shas: set[str] | None = None

        def test(sha: str) -> bool:
            nonlocal shas
            if shas is None:
                shas = {r.get("sha256") for r in self.previous.values()}
            return sha in shas

        return test

    def row(self, key: str) -> dict | None:
        """The target's row for ``key``, if the target holds that file still."""
        prev = self.previous.get(key)
        return prev if prev is not None and self.has(key, prev["size"]) else None

    def copy(self, guid: str, rel: str, path: Path, plain: str | None) -> LinkedFile | None:
        """The published copy of the file ``rel`` (at ``path``) an item (``guid``) links, if
        there is one: at the key recorded for it, or (a plain name, which keeps its path as
        its key) at ``plain``."""
        recorded = self.keys.get(guid)
        for key in ((recorded or {}).get(rel) if isinstance(recorded, dict) else None, plain):
            prev = self.row(key) if isinstance(key, str) else None
            if prev is not None:
                return LinkedFile(key, path, prev["input_hash"] or prev["sha256"],
                                  prev["size"])
        return None

    def under(self, prefix: str) -> list[tuple[str, dict]]:
        """(key, row) of each file the target holds under ``prefix``."""
        return [(k, prev) for k, prev in self.previous.items()
                if k.startswith(prefix) and self.has(k, prev["size"])]


    def files_under(self, prefix: str, folder: Path) -> list[LinkedFile]:
        """The published copies of the files under ``prefix`` (from the ``folder`` they were
        read in, now away)."""
        return [LinkedFile(k, folder / k[len(prefix):], prev["input_hash"] or prev["sha256"],
                           prev["size"]) for k, prev in self.under(prefix)]


NO_RECORD = LastPublished({}, lambda key, size: False, {})


def remember(cat, linked: dict[str, dict[str, str]]) -> None:
    """After a publish: where each item's linked files are now (``LastPublished``)."""
    value = json.dumps(linked, sort_keys=True, ensure_ascii=False)
    if cat.get_meta(LINKED_KEYS) != value:
        cat.set_meta(LINKED_KEYS, value)


def _kept_copy(last: LastPublished, guid: str, folder: str, link: str, rel: str, path: Path,
               claimed: set[str]) -> LinkedFile | None:
    """The published copy of a linked file that cannot be read now (``LastPublished``). A
    plain name keeps its path as its key; one published by its content is found by the
    record, or, for an item published before keys were recorded, as the one file of its
    suffix under the item's ``files/`` that no other link of it claims."""
    plain = linked_key(folder, link, "")
    by_content = plain.startswith(f"{folder}files/")
    kept = last.copy(guid, rel, path, None if by_content else plain)
    if kept is not None or not by_content or guid in last.keys:
        return kept
    prefix = f"{folder}files/"
    suffix = linked_key(folder, link, "0" * 16)[len(prefix) + 16:]
    found = [f for f in last.files_under(prefix, path.parent) if f.key not in claimed
             and f.key.endswith(suffix) and len(f.key) == len(prefix) + 16 + len(suffix)]
    return LinkedFile(found[0].key, path, found[0].sha256, found[0].size) \
        if len(found) == 1 else None


class Unreleased:
    """The files of items not released (drafts, queued, held, dated ahead, taken down): each
    one's source, a post's folder of images beside it, an episode's audio, transcript and art.
    Another item linking one of them, or a copy of one's bytes put beside itself, does not
    publish it before its own item is out."""

    def __init__(self, rows: list[dict], root: Path | None = None,
                 published: Callable[[str], bool] = lambda sha: False, gone: list[dict] = ()):
        """``gone``: queued items whose file is gone before their time (moved, say, into
        another item's folder): their bytes stay kept back, by the hash the catalog holds."""
        from ..catalog import loads

        self.root, self.published = root, published
        self.files: dict[str, str] = {}  # path from the project -> the item's source
        self.folders: list[tuple[str, str]] = []  # (folder path + "/", the post's source)
        self.known: dict[str, str] = {}  # sha256 the catalog holds -> the file (source, audio)
        self._shas: dict[str, str] | None = None
        for r in rows:
            source = r["source"]
            self.files[source] = source
            if r["kind"] == "post":
                self.folders.append((posixpath.splitext(source)[0] + "/", source))
                if r.get("content_hash"):
                    self.known[r["content_hash"]] = source
                continue
            data = loads(r["data"])
            for key in ("audio", "transcript", "image"):
                if isinstance(data.get(key), str):
                    self.files[data[key]] = source
            if r.get("content_hash") and isinstance(data.get("audio"), str):
                self.known[r["content_hash"]] = data["audio"]
            media = data.get("media") if isinstance(data.get("media"), dict) else {}
            made = [media, *(a for a in media.get("alternates") or () if isinstance(a, dict))]
            for sha in (m.get("sha256") for m in made):  # its encodes, as published (h26 C2)
                if isinstance(sha, str) and sha:
                    self.known.setdefault(sha, source)
        for r in gone:
            if r.get("content_hash"):
                self.known.setdefault(r["content_hash"], r["source"])
                self.files.setdefault(r["source"], r["source"])

    def owner(self, rel: str) -> str | None:
        """The source of the unreleased item ``rel`` (a path from the project) is part of."""
        found = self.files.get(rel)
        if found is None:
            found = next((src for folder, src in self.folders if rel.startswith(folder)), None)
        return found

    def held_copy(self, sha: str, source: str, rel: str, how: str, then: str) -> str | None:
        """The warning for a file ``rel`` beside ``source`` (``how``: as it stands there) that
        holds the bytes of another item's unreleased file, or None: the file waits."""
        copied = self.copy_of(sha)
        if copied is None or self.owner(copied) == source:
            return None
        return (f"{rel}: {how} {source}, not published yet: it holds the bytes of {copied}, "
                f"part of {self.owner(copied)}, which is not released; {then}")

    def copy_of(self, sha: str) -> str | None:
        """The unreleased file (a path from the project) whose bytes hash to ``sha``, unless
        those bytes went out before (nothing of them is secret then). The files beside the
        items are hashed once, the first time a linked file is asked about."""
        if self._shas is None:
            self._shas = self._hash_files()
        found = self._shas.get(sha)
        return found if found is not None and not self.published(sha) else None

    def _hash_files(self) -> dict[str, str]:
        shas = dict(self.known)
        if self.root is None:
            return shas
        paths = [rel for rel in self.files if rel not in shas.values()]
        for folder, _src in self.folders:
            base = self.root / folder
            try:
                paths += [p.relative_to(self.root).as_posix() for p in base.rglob("*")
                          if not p.is_symlink() and p.is_file()]
            except (OSError, ValueError):
                continue
        for rel in paths:
            try:
                path = self.root / rel
                if path.is_symlink() or not path.is_file() or path.stat().st_size > FILE_LIMIT:
                    continue
                shas.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), rel)
            except (OSError, ValueError):
                continue
        return shas


def linked_files(settings: Settings, files: dict[str, str], source: str, folder: str,
                 content_dir: Path, warnings: list[str], unreleased: Unreleased | None = None,
                 last: LastPublished = NO_RECORD, guid: str = ""
                 ) -> tuple[list[LinkedFile], dict[str, str]]:
    """(the files to publish, {link as written: its key}) for an item's linked ``files`` (as
    collect found them). Each is read again as sources are: from inside ``content_dir`` once
    links are resolved, a regular file, bounded. One that fails now and was published before
    (``last``, for the item ``guid``) keeps its published copy, linked as before, with a
    warning naming it; one never published is a warning, and its links are left as they are.
    So is one of an item not released yet (``unreleased``): it goes out with that item."""
    out: list[LinkedFile] = []
    keys: dict[str, str] = {}
    by_path: dict[str, LinkedFile] = {}
    failed: list[tuple[str, str, Path, CollectError]] = []
    for link, rel in sorted(files.items()):
        if rel in by_path:
            keys[link] = by_path[rel].key
            continue
        owner = unreleased.owner(rel) if unreleased is not None else None
        if owner is not None and owner != source:
            warnings.append(f"{rel}: linked from {source}, not published yet: it is part of "
                            f"{owner}, which is not released; the link works once it is")
            continue
        path = settings.root / rel
        try:
            confine(path, content_dir, rel)
            data = read_source(path, rel, limit=FILE_LIMIT, too_large=TOO_LARGE)
        except CollectError as exc:
            failed.append((link, rel, path, exc))
            continue
        sha = hashlib.sha256(data).hexdigest()
        held = unreleased.held_copy(sha, source, rel, "linked from",
                                    "the link works once it is") if unreleased else None
        if held is not None:
            warnings.append(held)
            continue
        found = LinkedFile(linked_key(folder, link, sha), path, sha, len(data))
        by_path[rel] = found
        out.append(found)
        keys[link] = found.key
    for link, rel, path, exc in failed:  # (after the rest: their keys are claimed)
        if rel in by_path:
            keys[link] = by_path[rel].key
            continue
        kept = _kept_copy(last, guid, folder, link, rel, path, {f.key for f in out})
        if kept is None:
            warnings.append(f"{exc}; linked from {source}, not published: the link to it "
                            "will not work")
            continue
        why = exc.reason if filestat.may_be_there(path, follow=False) else "not found"
        warnings.append(
            f"{printable(rel)}: {why}; linked from {printable(source)}: its published copy "
            "stays, and the link keeps leading to it, until the file is back in its place "
            f"(to take it down, remove the link from {printable(source)})")
        by_path[rel] = kept
        out.append(kept)
        keys[link] = kept.key
    return out, keys
