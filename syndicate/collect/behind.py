"""A checkout behind another that shares its catalog (two hosts, one catalog on PostgreSQL)
rolls nothing back.

Each item remembers the contents it had before its current one (``superseded:<id>`` in the
catalog's meta, the last ``KEEP``). A file holding one of those, unchanged in this checkout
since it last read it (or never read here: a fresh checkout of an older commit), is an earlier
version of what another checkout published since: the item keeps its current version and the
file is named, with what to do. A file edited back to an earlier text here (an edit undone) is
this checkout's change and goes out. An item of the catalog whose file this checkout never
held is another checkout's: kept, not taken for deleted here. ``publish --force`` publishes
this checkout's files as they are.
"""

from __future__ import annotations

import functools
import json

from ..errors import CollectError, printable

KEEP = 20
_KEY = "superseded:"


def content(sig: str) -> str:
    """The content part of a catalog ``sig`` (after what the parse depends on)."""
    return sig.rpartition("|")[2]


def earlier(cat, row: dict) -> list[str]:
    raw = cat.get_meta(f"{_KEY}{row['id']}")
    try:
        seen = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [s for s in seen if isinstance(s, str)] if isinstance(seen, list) else []


def is_earlier(cat, row: dict | None, sig: str, unchanged_here: bool) -> bool:
    """Whether files signing ``sig`` are an earlier version of ``row``'s item that this
    checkout did not change back to (see the module's docstring)."""
    if row is None or row["missing"] or not unchanged_here:
        return False
    mine = content(sig)
    return mine != content(row["sig"]) and mine in earlier(cat, row)


def record(cat, row: dict, sig: str) -> None:
    """``row``'s item now has the content ``sig`` gives: its content until now is an earlier
    version."""
    old, new = content(row["sig"]), content(sig)
    if not old or old == new:
        return
    seen = [s for s in earlier(cat, row) if s not in (old, new)]
    cat.set_meta(f"{_KEY}{row['id']}", json.dumps([*seen, old][-KEEP:]))


def error(name: str, row: dict) -> CollectError:
    return CollectError(
        name, f"this checkout's copy is an earlier version of this {row['kind']}: another "
        f"checkout published a later one (changed {row['changed_at']}); the live version is "
        "kept, not rolled back",
        hint="bring this checkout up to date (git pull, or copy the file over), then publish; "
        "`syndicate publish --force` publishes this copy over the later one")


def gone_elsewhere(cat, row: dict | None, name: str, kind: str, digest: str,
                   live_by_content) -> CollectError | None:
    """The error for a file this checkout holds unchanged since it last read it (its content
    ``digest``) whose item another checkout took down or renamed since: put back, or
    published a second time under its old name, otherwise. None: it is not such a file.
    ``live_by_content()`` gives the live items by the content of their files, of those whose
    file this checkout never held nor holds."""
    if row is not None:
        if row["missing"] and (digest == content(row["sig"]) or digest in earlier(cat, row)):
            return CollectError(
                name, f"another checkout took this {kind} down (its file deleted there) and "
                "this checkout's copy is the one it took down, unchanged since this checkout "
                "last read it: it is not put back",
                hint="bring this checkout up to date (git pull: the file goes); to put it back, "
                "edit it, or `syndicate publish --force`")
        return None
    other = live_by_content().get(digest)
    if other is None or other["kind"] != kind or other["source"] == name:
        return None
    return CollectError(
        name, f"another checkout renamed this {kind} to {printable(other['source'])}; this "
        "checkout's copy under its old name, unchanged since this checkout last read it, is "
        f"not published as a second {kind}",
        hint="bring this checkout up to date (git pull); `syndicate publish --force` publishes "
        "it as a new item")


def renamed_after_taken_down(name: str, row: dict) -> CollectError:
    """The error for a file that is this checkout's copy of ``row``'s item, renamed here,
    which another checkout took down meanwhile."""
    return CollectError(
        name, f"another checkout took this {row['kind']} down (its file "
        f"{printable(row['source'])} deleted there); this checkout's copy of it, renamed here, "
        "is not put back",
        hint="bring this checkout up to date (git pull); to put it back, edit it, or "
        "`syndicate publish --force`")


def renamed_twice(name: str, row: dict) -> CollectError:
    """The error for this checkout's copy of ``row``'s item renamed here to ``name`` while
    another checkout renamed it to another name: one item, two names."""
    return CollectError(
        name, f"another checkout renamed this {row['kind']} to {printable(row['source'])} "
        "while this checkout renamed its copy here: it stays published once, under that name",
        hint="bring this checkout up to date (git pull) and keep one of the two names; "
        "`syndicate publish --force` publishes this copy as a second item")


def not_here(row: dict) -> CollectError:
    return CollectError(
        row["source"], f"this {row['kind']} was published from another checkout sharing the "
        "catalog, and its file is not in this one (never added here, or deleted here and put "
        "back there since); it is kept as it is",
        hint="bring this checkout up to date (git pull) to work on it here; to take it down, "
        f"`syndicate publish --remove {printable(row['source'])}`")


class Elsewhere:
    """Posts another checkout sharing the catalog took down or renamed, told by the content of
    their files, as this checkout's folders show them (``scans``: those scanned when first
    asked, the posts' by then); each worked out once, when first asked."""

    def __init__(self, rows: list[dict], hashes, scans: dict) -> None:
        self.rows, self.hashes, self.scans = rows, hashes, scans
        self._live: tuple[tuple, dict[str, dict]] | None = None

    def _names(self) -> set[str]:
        return {f.name for s in self.scans.values() for f in s.files}

    @functools.cached_property
    def _here(self) -> set[str]:
        return self._names()

    def live(self) -> dict[str, dict]:
        """The live items whose file this checkout never held nor holds (another checkout's
        names), by the content of their files (worked out again once another folder is
        scanned)."""
        kinds = tuple(self.scans)
        if self._live is None or self._live[0] != kinds:
            here = self._names()
            self._live = (kinds, {content(r["sig"]): r for r in self.rows if not r["missing"]
                                  and r["source"] not in here
                                  and not self.hashes.ever_held(r["source"])})
        return self._live[1]

    @functools.cached_property
    def taken_down(self) -> dict[str, dict]:
        """Posts taken down whose file this checkout held, with that content, under a name
        not here now (another checkout took them down while this one renamed its copy)."""
        return {content(r["sig"]): r for r in self.rows
                if r["missing"] and r["kind"] == "post" and r["source"] not in self._here
                and self.hashes.held_as(r["source"]) == content(r["sig"])}

    @functools.cached_property
    def renamed_both(self) -> dict[str, dict]:
        """Live posts another checkout renamed (their file never held here nor here) whose
        content this checkout held under a name gone here now: renamed here too, otherwise."""
        gone_here = {h for n, h in self.hashes.before.items() if n not in self._here}
        return {c: r for c, r in self.live().items() if r["kind"] == "post" and c in gone_here}
