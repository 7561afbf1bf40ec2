"""A process's copy of the items and the release queue, read back by row revision.

Every row of ``items`` and ``releases`` carries a revision that a trigger in the catalog sets
anew, at random, on each insert and update, whoever writes the row (schema.py, migration 4: a
``syndicate queue`` from another host, a hand edit in the sqlite3 shell). A process that reads
these tables again and again (the scheduler reads them in each release pass, a pass every
fraction of a second while releases fall due) keeps their rows here: the next read asks only
each row's key and revision, fetches the rows that are new or whose revision changed, and
drops those gone. Only committed rows are kept (a transaction that wrote nothing yet reads
them), and the rows fetched are checked for damage before they are acted on
(``Catalog.check`` asks ``unchecked``).
"""

from __future__ import annotations

from . import engines
from .schema import COLUMNS

TABLES = {"items": "id", "releases": "item_id"}  # the tables kept, by their key
KEEP = 4  # catalogs whose copy a process keeps (the last used)
CHUNK = 500  # keys asked in one statement


class TableCopy:
    """The rows of one table of one catalog, by key, with each row's revision."""

    def __init__(self) -> None:
        self.rows: dict[int, dict] = {}
        self.revs: dict[int, int] = {}
        self.ordered: list[dict] | None = None  # the rows by key, until one changes
        self.unchecked: set[int] = set()  # keys fetched and not yet checked for damage
        self._made: tuple[list | None, object] = (None, None)  # (rows, what ``made`` made)

    def made(self, rows: list[dict], make):
        """``make()``, a value worked out from ``rows`` (what ``refresh`` gave), kept until
        ``refresh`` gives another list."""
        if self._made[0] is not rows:
            self._made = (rows, make())
        return self._made[1]

    def refresh(self, conn, table: str) -> list[dict]:
        """The table's rows in key order, as ``conn`` sees them now."""
        key = TABLES[table]
        revs = dict(engines.tuples(conn, f"SELECT {key}, rev FROM {table}"))
        changed = [k for k, rev in revs.items() if self.revs.get(k) != rev]
        gone = self.revs.keys() - revs.keys()
        if not changed and not gone and self.ordered is not None:
            return self.ordered
        self.ordered = None  # (until all is read: a read cut short is done again)
        for k in gone:
            del self.rows[k], self.revs[k]
            self.unchecked.discard(k)
        names = [*(c.strip() for c in COLUMNS[table].split(",")), "rev"]
        columns = ", ".join(names)
        if len(changed) > len(revs) // 2:
            fetched = engines.tuples(conn, f"SELECT {columns} FROM {table}")
        else:
            fetched = [r for start in range(0, len(changed), CHUNK)
                       for r in engines.tuples(
                           conn, f"SELECT {columns} FROM {table} WHERE {key} IN "
                           f"({','.join('?' * len(changed[start:start + CHUNK]))})",
                           tuple(changed[start:start + CHUNK]))]
        seen = set()
        for r in fetched:
            row = dict(zip(names, r, strict=True))
            k, rev = row[key], row.pop("rev")
            seen.add(k)
            if self.revs.get(k) != rev or k not in self.rows:
                self.rows[k], self.revs[k] = row, rev
                self.unchecked.add(k)
        for k in set(changed) - seen:  # gone between the two statements (a server's
            self.rows.pop(k, None)      # transaction that reads what is committed each time)
            self.revs.pop(k, None)
            self.unchecked.discard(k)
        self.ordered = [self.rows[k] for k in sorted(self.rows)]
        return self.ordered


_copies: dict[tuple[str, str], TableCopy] = {}


def copy_of(where, table: str) -> TableCopy:
    """The copy this process keeps of ``table`` in the catalog at ``where`` (made empty)."""
    name = (str(where), table)
    copy = _copies.pop(name, None) or TableCopy()
    _copies[name] = copy  # (the last used last: the first ones go)
    while len(_copies) > KEEP * len(TABLES):
        del _copies[next(iter(_copies))]
    return copy


def forget(where) -> None:
    """Drop the copies of the catalog at ``where`` (a read that failed half way)."""
    for table in TABLES:
        _copies.pop((str(where), table), None)
