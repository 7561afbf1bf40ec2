"""What each import wrote, kept in the catalog: a source item's identity -> the file written
for it (and the guid it was written with).

An item's identity is its source (the address as messages show it) and, within the source,
several keys, each recorded: its guid, its old-site link, an episode's enclosure address, and
its title and date as the source gives them. A later item that has any of them is that item
(the guid first, the title and date last), so an old feed that changes one of them (drops its
guids, moves its audio, retitles an item) still names the item it named; a key the source gave
two items (a repeated guid: the second is recorded with ``#2``) counts only when no key of the
item's own does, and a source saved again elsewhere is known by the guids, links and audio
addresses recorded from where it was. With the record,
a later import of the same source knows its items whatever the author did since: an item whose
file is still there is that file (merged, never a second one); an item whose file the author
deleted is not written back ("deleted here; not imported again").
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cached_property
from json.encoder import encode_basestring as _quoted

from ..catalog import open_catalog
from ..config import Settings

_PREFIX = "imported:"
_WORD = re.compile(r"\w+")


_PAGE = re.compile(r" \(page \d+\)$")


def source_key(source: str, settings: Settings) -> str:
    """A source as one name, however it was spelled: a file by its absolute path (``sources:``
    names it relative to the project, a manual import as typed), an address without the
    credentials it may carry."""
    from pathlib import Path

    from ..urls import redact
    from .sources import is_url

    page = _PAGE.search(source)
    bare = source[:page.start()] if page else source
    if is_url(bare) or "://" in bare:
        name = redact(bare)
    else:
        path = Path(bare)
        if not path.is_absolute():
            path = (Path.cwd() / path) if path.exists() else settings.resolve(bare)
        try:
            name = str(path.resolve())
        except (OSError, RuntimeError, ValueError):
            name = str(path)
    return name + (page.group() if page else "")


def _pair(source: str, item: str) -> str:
    """``[source, item]`` as JSON, exactly as ``json.dumps(..., ensure_ascii=False)`` writes
    it (the keys recorded by earlier imports are spelled so), without the encoder set up per
    key: an import makes four keys an item."""
    return f"[{_quoted(source)}, {_quoted(item)}]"


def identity(source: str, *, guid: str | None = None, link: str | None = None,
             title: str = "", date: dt.datetime | None = None) -> str:
    """One item of ``source``: by the most stable thing the source gives it."""
    if guid:
        item = f"guid:{guid.strip()}"
    elif link:
        item = f"link:{link.strip()}"
    else:
        when = date.isoformat() if date is not None else ""
        item = f"title:{' '.join(_WORD.findall(title.lower()))}@{when}"
    return _pair(source, item)


def identities(source: str, *, guid: str | None = None, link: str | None = None,
               enclosure: str | None = None, title: str = "",
               date: dt.datetime | None = None) -> list[str]:
    """Every key of one item of ``source``, the most stable first. An address is kept
    without the credentials it may carry (the catalog is no place for a password)."""
    keys = [_pair(source, f"{kind}:{_bare(value.strip())}")
            for kind, value in (("guid", guid), ("link", link), ("enclosure", enclosure))
            if value and value.strip()]
    keys.append(identity(source, title=title, date=date))
    return keys


def _bare(value: str) -> str:
    """An address of a key without its credentials; anything else as it is."""
    from ..urls import without_credentials

    return without_credentials(value) if "://" in value else value


def _parts(key: str) -> tuple[str | None, str, str]:
    """A recorded key as (its source, the item's part: ``guid:x``, the ``#2`` after it or '')."""
    head, n = (key, "") if key.endswith("]") else key.rpartition("#")[::2]
    try:
        pair = json.loads(head)
    except ValueError:
        return None, key, ""
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)):
        return None, key, ""
    return pair[0], pair[1], n


def _cleaned(key: str) -> str:
    """``key`` as this version records it: an address in it without credentials (earlier
    versions kept an enclosure's ``user:password@`` in clear)."""
    source, item, n = _parts(key)
    kind, _, value = item.partition(":")
    if source is None or kind not in ("guid", "link", "enclosure") or _bare(value) == value:
        return key
    return _pair(source, f"{kind}:{_bare(value)}") + (f"#{n}" if n else "")


def source_of(key: str) -> str | None:
    """The source a recorded key belongs to."""
    try:
        pair = json.loads(key if key.endswith("]") else key.rpartition("#")[0])
    except ValueError:
        return None
    return pair[0] if isinstance(pair, list) and pair and isinstance(pair[0], str) else None


class Records:
    """The records of one import run: read once, written once (never on a dry run)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.new: dict[str, dict] = {}
        self.seen: set[str] = set()
        self.stale: set[str] = set()  # keys stored with a credential in clear: rewritten

    @cached_property
    def rows(self) -> dict[str, dict]:
        """The records earlier imports wrote, read when first asked for (an import with no
        item to look up reads none). A key an earlier version wrote with a credential in
        clear is read without it, and rewritten so by the next save."""
        rows: dict[str, dict] = {}
        if self.settings.catalog_path.is_file():
            with open_catalog(self.settings.catalog_path, commit=False) as cat:
                for key, value in cat.meta_under(_PREFIX).items():
                    try:
                        row = json.loads(value)
                    except ValueError:
                        continue
                    if isinstance(row, dict) and isinstance(row.get("file"), str):
                        clean = _cleaned(key) if "@" in key or "?" in key else key
                        if isinstance(row.get("guid"), str) and "@" in row["guid"]:
                            row = {**row, "guid": _bare(row["guid"])}
                        if clean != key or value != _row(row):
                            self.stale.add(key)
                        rows.setdefault(clean, row)
        return rows

    @cached_property
    def elsewhere(self) -> dict[tuple[str, str], dict[str, dict]]:
        """(an item's part of a key: ``guid:x``, ``link:y``, ``enclosure:z``; its ``#2`` or '')
        -> the records of it from any source, by file: a source moved (an export saved again
        under another name) still names its items."""
        out: dict[tuple[str, str], dict[str, dict]] = {}
        for key, row in [*self.rows.items(), *self.new.items()]:
            _, item, n = _parts(key)
            if not item.startswith("title:"):
                out.setdefault((item, n), {})[row["file"]] = row
        return out

    @cached_property
    def by_source(self) -> dict[str | None, dict[str, str]]:
        """source -> {key: file} of its recorded items, old and new (each key's source read
        once, not once a source an import meets)."""
        out: dict[str | None, dict[str, str]] = {}
        for key, row in [*self.rows.items(), *self.new.items()]:
            out.setdefault(source_of(key), {})[key] = row["file"]
        return out

    def once(self, ident: str) -> str:
        """``ident``, made distinct when one run meets the same identity twice (two entries
        of one page with one title and date are two posts)."""
        n, key = 2, ident
        while key in self.seen:
            key, n = f"{ident}#{n}", n + 1
        self.seen.add(key)
        return key

    def get(self, ident: str) -> dict | None:
        return self.new.get(ident) or self.rows.get(ident)

    def once_all(self, idents: list[str]) -> list[str]:
        return [self.once(i) for i in idents]

    def _shared(self, ident: str) -> bool:
        """Whether ``ident`` named more than one item of its source: a ``#2`` key, or one
        recorded beside its ``#2`` (a guid the old site gave two items, two items of one
        title and day). Such a key depends on the item's place, so it names an item only
        when no key of its own does."""
        return not ident.endswith("]") or self.get(ident + "#2") is not None

    def find(self, idents: list[str]) -> dict | None:
        """The record of this item: the first of ``idents`` (most stable first) that has one
        among the keys only this item had, else among those it shared with others; with no
        record from this source, what another source recorded for its guid, link or audio
        address (the same export saved again under another name)."""
        shared = []
        for ident in idents:
            row = self.get(ident)
            if row is None:
                continue
            if not self._shared(ident):
                return row
            shared.append(row)
        if shared:
            return shared[0]
        return self._moved(idents)

    def _moved(self, idents: list[str]) -> dict | None:
        """The record another source holds for this item, by the first of its guid, link or
        audio address that names one file there, a key of this item alone before one it
        shared (a guid given to two items); never by title and date alone (two sources may
        each have a 'Notes' that day)."""
        if not self.rows and not self.new:
            return None
        parts = [p for p in map(_parts, idents) if not p[1].startswith("title:")]
        alone = [(item, n) for _, item, n in parts
                 if not n and (item, "2") not in self.elsewhere]
        for part in [*alone, *((item, n) for _, item, n in parts)]:
            rows = self.elsewhere.get(part, {})
            if len(rows) == 1:
                return next(iter(rows.values()))
        return None

    @cached_property
    def all_files(self) -> set[str]:
        """Every file recorded for an item of any source."""
        return {row["file"] for row in [*self.rows.values(), *self.new.values()]}

    def put_all(self, idents: list[str], file: str, guid: str | None) -> None:
        """``file`` (and ``guid``) recorded for every key of one item."""
        source = source_of(idents[0]) if idents else None
        for ident in idents:
            self.put(ident, file, guid, source)

    def files_of(self, source: str) -> set[str]:
        """The files recorded for the items of ``source``."""
        return set(self.by_source.get(source, {}).values())

    def put(self, ident: str, file: str, guid: str | None, source: str | None = None) -> None:
        row = {"file": file, **({"guid": _bare(guid)} if guid else {})}
        if self.rows.get(ident) != row:
            self.new[ident] = row
            if "by_source" in self.__dict__:  # (else made with the new rows when asked for)
                self.by_source.setdefault(source or source_of(ident), {})[ident] = file
            if "all_files" in self.__dict__:
                self.all_files.add(file)
            if "elsewhere" in self.__dict__:
                _, item, n = _parts(ident)
                if not item.startswith("title:"):
                    self.elsewhere.setdefault((item, n), {})[file] = row

    def save(self) -> None:
        """The new records into the catalog, in one statement run for them all (and the
        keys an earlier version stored with a credential, stored again without it)."""
        if not self.new and not self.stale:
            return
        with open_catalog(self.settings.catalog_path, immediate=True) as cat:
            if self.stale:
                cat.delete_meta(*(_PREFIX + key for key in self.stale))
                cat.set_metas((_PREFIX + _cleaned(key), _row(self.rows[_cleaned(key)]))
                              for key in self.stale if _cleaned(key) in self.rows)
            cat.set_metas((_PREFIX + key, _row(row)) for key, row in self.new.items())
        self.rows.update(self.new)
        self.new = {}
        self.stale = set()


def _row(row: dict) -> str:
    """A record as ``json.dumps(row, ensure_ascii=False)`` writes it: its file, its guid."""
    if set(row) <= {"file", "guid"} and all(type(v) is str for v in row.values()):
        return "{" + ", ".join(f'"{k}": {_quoted(v)}' for k, v in row.items()) + "}"
    return json.dumps(row, ensure_ascii=False)


def deleted_reason(file: str) -> str:
    return (f"deleted here; not imported again: an earlier import wrote it as {file}, which is "
            "gone (if you moved or renamed it, nothing is lost; to have it back, restore that "
            "file, or copy the text from the source by hand)")
