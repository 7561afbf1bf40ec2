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
CREATE INDEX IF NOT EXISTS ix_items_slug ON items (slug);
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
CREATE TABLE IF NOT EXISTS releases (          -- release times set from the command line
    guid VARCHAR PRIMARY KEY,
    at VARCHAR NOT NULL,                       -- ISO 8601 UTC
    zone VARCHAR NOT NULL,                     -- the zone the author wrote it in
    held BOOLEAN NOT NULL DEFAULT 0,           -- unqueued: not released until queued again
    queued_at VARCHAR NOT NULL
);
"""
ITEM_DEFAULTS = {"sig": "", "content_hash": "", "draft": False, "published_at": None,
                 "missing": False, "error": None}
_BOOLS = ("draft", "missing")
# An item's release time is the time it was queued for, else its own date; drafts, removed
# items and items held back (unqueued) are never released.
_JOINED = "items i LEFT JOIN releases r ON r.guid = i.guid"
_AT = "COALESCE(r.at, i.date)"
_RELEASABLE = "NOT i.draft AND NOT i.missing AND NOT COALESCE(r.held, 0)"


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

    def find_items(self, ref: str) -> list[dict]:
        """Items whose source path, slug or guid is ``ref``."""
        rows = self.conn.execute(
            "SELECT * FROM items WHERE (source = :r OR slug = :r OR guid = :r) AND NOT missing "
            "ORDER BY id", {"r": ref}).fetchall()
        return [dict(r) for r in rows]

    # -- releases ----------------------------------------------------------------------------
    def releases(self) -> dict[str, dict]:
        return {r["guid"]: {**dict(r), "held": bool(r["held"])}
                for r in self.conn.execute("SELECT * FROM releases")}

    def set_release(self, guid: str, at: str, zone: str, stamp: str, *, held: bool = False) -> None:
        self.conn.execute(
            "INSERT INTO releases (guid, at, zone, held, queued_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (guid) DO UPDATE SET at = excluded.at, zone = excluded.zone, "
            "held = excluded.held, queued_at = excluded.queued_at",
            (guid, at, zone, int(held), stamp))

    def next_release(self, after: str) -> str | None:
        """The earliest release time later than ``after`` of an item not yet released."""
        row = self.conn.execute(
            f"SELECT MIN({_AT}) FROM {_JOINED} WHERE i.published_at IS NULL AND {_RELEASABLE} "
            f"AND {_AT} > ?", (after,)).fetchone()
        return row[0]

    def has_due(self, now: str) -> bool:
        """Whether an item's release time has come without it reaching a published feed."""
        return bool(self.conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM {_JOINED} WHERE i.published_at IS NULL "
            f"AND {_RELEASABLE} AND {_AT} <= ?)", (now,)).fetchone()[0])

    def visible(self, now: str) -> list[dict]:
        """Items a publish at ``now`` shows: not draft, not removed, not held back, released
        (their queued time, else their own date, has come). ``date`` is the release date, and
        ``queued`` says whether it came from the queue."""
        rows = self.conn.execute(
            "SELECT i.id, i.kind, i.guid, i.slug, i.source, i.data, i.changed_at, "
            f"i.published_at, i.error, {_AT} AS date, "
            "r.at IS NOT NULL AS queued "
            f"FROM {_JOINED} WHERE {_RELEASABLE} AND {_AT} <= ?", (now,)).fetchall()
        return [dict(r) for r in rows]

    def commit(self, *, immediate: bool = False) -> None:
        """Commit what is done so far and go on in a new transaction (``immediate`` takes the
        write lock now: use it before writes that follow reads)."""
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

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

    def mark_published(self, ids: list[int], now) -> list[dict]:
        """Stamp items the first time they reach a published feed; returns those items."""
        stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat()
        fresh = []
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            marks = ",".join("?" * len(part))
            fresh += [dict(r) for r in self.conn.execute(
                f"SELECT i.id, i.kind, i.guid, i.source, i.data, {_AT} AS release_at "
                f"FROM {_JOINED} "
                f"WHERE i.id IN ({marks}) AND i.published_at IS NULL", part)]
        self.conn.executemany("UPDATE items SET published_at = ? WHERE id = ?",
                              [(stamp, r["id"]) for r in fresh])
        for r in fresh:
            r["title"] = json.loads(r.pop("data")).get("title")
        return fresh


def loads(text: str) -> dict:
    return json.loads(text)


def dumps(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _locked(path: Path) -> SyndicateError:
    return SyndicateError(f"{path}: the catalog is locked by another process (a publish or the "
                          "scheduler is writing to it); try again in a moment")


def _unreadable(path: Path, exc: Exception) -> SyndicateError:
    return SyndicateError(f"{path}: the catalog cannot be opened ({exc}); restore it from a "
                          "backup or move it aside to rebuild it from the sources")


@contextmanager
def open_catalog(path: str | Path, *, commit: bool = True,
                 immediate: bool = False) -> Iterator[Catalog]:
    """Open the catalog in one transaction; commit when the block succeeds and ``commit`` holds.
    ``immediate`` takes the write lock at once (for a short read-then-write transaction)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        try:
            conn.execute("PRAGMA journal_mode = WAL")  # readers never wait for a writer
            conn.executescript(SCHEMA)
        except sqlite3.OperationalError as exc:
            raise _locked(path) if "locked" in str(exc) else _unreadable(path, exc) from None
        except sqlite3.DatabaseError as exc:
            raise _unreadable(path, exc) from None
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield Catalog(conn)
            conn.execute("COMMIT" if commit else "ROLLBACK")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise _locked(path) from None
            raise
    finally:
        conn.close()
