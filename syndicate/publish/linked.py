"""Files a post's body or an episode's notes link beside their source, published with the item.

A file keeps its place relative to the item's page (``marsh.jpg`` beside the post is published
beside its page, ``img/a.png`` under it), so the body's links read as written; one whose path
cannot be a key there (it climbs out with ``..``, its name has spaces or other characters, it
would take the name of the page or of the item's own files) is published under ``files/``,
named by its content, and the links to it are rewritten (see ``links.moved_urls``).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..errors import CollectError
from ..sourcefiles import confine, read_source

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# names an item's own outputs take in its folder (its page, art, transcript, chapters)
_OWN = re.compile(r"^(index\.html|chapters\.json|transcript\..*|cover-.*|files)$")
FILE_LIMIT = 64 << 20  # bytes: a file beside a post is an image or a document, not a film
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


class Unreleased:
    """The files of items not released (drafts, queued, held, dated ahead, taken down): each
    one's source, a post's folder of images beside it, an episode's audio and transcript. Another
    item linking one of them does not publish it before its own item is out."""

    def __init__(self, rows: list[dict]):
        from ..catalog import loads

        self.files: dict[str, str] = {}  # path from the project -> the item's source
        self.folders: list[tuple[str, str]] = []  # (folder path + "/", the post's source)
        for r in rows:
            source = r["source"]
            self.files[source] = source
            if r["kind"] == "post":
                self.folders.append((posixpath.splitext(source)[0] + "/", source))
                continue
            data = loads(r["data"])
            for key in ("audio", "transcript"):
                if isinstance(data.get(key), str):
                    self.files[data[key]] = source

    def owner(self, rel: str) -> str | None:
        """The source of the unreleased item ``rel`` (a path from the project) is part of."""
        found = self.files.get(rel)
        if found is None:
            found = next((src for folder, src in self.folders if rel.startswith(folder)), None)
        return found


def linked_files(settings: Settings, files: dict[str, str], source: str, folder: str,
                 content_dir: Path, warnings: list[str], unreleased: Unreleased | None = None
                 ) -> tuple[list[LinkedFile], dict[str, str]]:
    """(the files to publish, {link as written: its key}) for an item's linked ``files`` (as
    collect found them). Each is read again as sources are: from inside ``content_dir`` once
    links are resolved, a regular file, bounded; one that fails now is a warning naming it,
    and its links are left as they are. So is one of an item not released yet
    (``unreleased``): it goes out with that item."""
    out: list[LinkedFile] = []
    keys: dict[str, str] = {}
    by_path: dict[str, LinkedFile] = {}
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
            warnings.append(f"{exc}; linked from {source}, not published: the link to it "
                            "will not work")
            continue
        sha = hashlib.sha256(data).hexdigest()
        found = LinkedFile(linked_key(folder, link, sha), path, sha, len(data))
        by_path[rel] = found
        out.append(found)
        keys[link] = found.key
    return out, keys
