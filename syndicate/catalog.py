"""The catalog: the truth about every item, its GUID, its last good version and what was published.

A SQLite file, through the standard library's sqlite3 (it starts in milliseconds, and its
transactions are explicit). One publish runs in one transaction: a failure, or a dry run, leaves
the catalog as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import SyndicateError

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    kind VARCHAR(16) NOT NULL,
    guid VARCHAR NOT NULL UNIQUE,
    slug VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    sig VARCHAR NOT NULL DEFAULT '',          -- stat signature of the sources
    content_hash VARCHAR NOT NULL DEFAULT '',
    data TEXT NOT NULL,                        -- JSON of the last good version
    date VARCHAR NOT NULL,                     -- release date, ISO 8601 UTC
    draft BOOLEAN NOT NULL DEFAULT 0,
    first_seen VARCHAR NOT NULL,
    changed_at VARCHAR NOT NULL,
    published_at VARCHAR,                      -- first time it reached a published feed
    missing BOOLEAN NOT NULL DEFAULT 0,        -- source file gone
    error TEXT                                 -- the current problem with its source, if any
);
CREATE INDEX IF NOT EXISTS ix_items_source ON items (source);
CREATE TABLE IF NOT EXISTS outputs (
    target VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    size INTEGER NOT NULL,
    content_type VARCHAR NOT NULL,
    input_hash VARCHAR NOT NULL,               -- what it was made from
    PRIMARY KEY (target, key)
);
CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value TEXT NOT NULL
);
"""
ITEM_DEFAULTS = {"sig": "", "content_hash": "", "draft": False, "published_at": None,
                 "missing": False, "error": None}
_BOOLS = ("draft", "missing")


class Catalog:
    """A connection to the catalog inside one transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    # -- meta --------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    # -- items -------------------------------------------------------------------------------
    def all_items(self, kind: str | None = None) -> list[dict]:
        if kind:
            cur = self.conn.execute("SELECT * FROM items WHERE kind = ? ORDER BY id", (kind,))
        else:
            cur = self.conn.execute("SELECT * FROM items ORDER BY id")
        rows = [dict(r) for r in cur]
        for r in rows:
            for col in _BOOLS:
                r[col] = bool(r[col])
        return rows

    def insert_items(self, rows: list[dict]) -> None:
        for row in rows:
            row = {**ITEM_DEFAULTS, **row}
            cols = ", ".join(row)
            marks = ", ".join(f":{c}" for c in row)
            self.conn.execute(f"INSERT INTO items ({cols}) VALUES ({marks})", row)

    def update_item(self, item_id: int, **values) -> None:
        if values:
            sets = ", ".join(f"{c} = :{c}" for c in values)
            self.conn.execute(f"UPDATE items SET {sets} WHERE id = :_id",
                              {**values, "_id": item_id})

    # -- outputs (the manifest of what a target holds) ----------------------------------------
    def outputs(self, target: str) -> dict[str, dict]:
        cur = self.conn.execute("SELECT * FROM outputs WHERE target = ?", (target,))
        return {r["key"]: dict(r) for r in cur}

    def replace_outputs(self, target: str, rows: list[dict]) -> None:
        """Record what ``target`` holds now (only rows that changed are written)."""
        current = self.outputs(target)
        wanted = {r["key"]: r for r in rows}
        gone = [(target, key) for key in current.keys() - wanted.keys()]
        self.conn.executemany("DELETE FROM outputs WHERE target = ? AND key = ?", gone)
        fresh = [{**row, "target": target} for key, row in wanted.items()
                 if not (key in current and all(current[key][c] == row[c] for c in row))]
        self.conn.executemany(
            "INSERT OR REPLACE INTO outputs (target, key, sha256, size, content_type, input_hash) "
            "VALUES (:target, :key, :sha256, :size, :content_type, :input_hash)", fresh)

    def mark_published(self, ids: list[int], now) -> None:
        """Stamp items the first time they reach a published feed."""
        stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat()
        self.conn.executemany("UPDATE items SET published_at = ? "
                              "WHERE id = ? AND published_at IS NULL", [(stamp, i) for i in ids])


def loads(text: str) -> dict:
    return json.loads(text)


def dumps(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@contextmanager
def open_catalog(path: str | Path, *, commit: bool = True) -> Iterator[Catalog]:
    """Open the catalog in one transaction; commit when the block succeeds and ``commit`` holds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        try:
            conn.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise SyndicateError(
                f"{path}: the catalog cannot be opened ({exc}); restore it from a backup "
                "or move it aside to rebuild it from the sources"
            ) from None
        conn.execute("BEGIN")
        try:
            yield Catalog(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT" if commit else "ROLLBACK")
    finally:
        conn.close()
