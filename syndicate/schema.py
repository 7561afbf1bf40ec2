"""The catalog's schema: its version and the ordered migrations that bring a catalog up to it.

Each migration is a numbered list of plain SQL statements (no SQLite-only syntax: the same steps
serve PostgreSQL; ``{autoid}`` and ``{idkey}`` are the words engines.py spells for each), run in one
transaction that also records the new version, so a catalog is always at exactly one version.
The version is kept in the ``meta`` table (portable) and, on SQLite, also in ``PRAGMA
user_version`` (read without touching a table, so opening an up-to-date catalog costs one
read). A catalog written by a newer syndicate is refused, never guessed at.

Version 0 is a catalog from before versions existed (its tables are those of migration 1).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from . import engines
from .errors import SyndicateError

MIGRATIONS: list[tuple[int, str, list[str | tuple[str, str]]]] = [
    (1, "items, outputs, meta and the release queue", [
        """CREATE TABLE IF NOT EXISTS items (
            id {autoid},
            kind VARCHAR(16) NOT NULL,
            guid VARCHAR NOT NULL UNIQUE,
            slug VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            sig VARCHAR NOT NULL DEFAULT '',          -- stat signature of the sources
            content_hash VARCHAR NOT NULL DEFAULT '',
            data TEXT NOT NULL,                        -- JSON of the last good version
            date VARCHAR NOT NULL,                     -- release date, ISO 8601 UTC
            draft BOOLEAN NOT NULL DEFAULT FALSE,
            first_seen VARCHAR NOT NULL,
            changed_at VARCHAR NOT NULL,
            published_at VARCHAR,                      -- first time it reached a published feed
            missing BOOLEAN NOT NULL DEFAULT FALSE,    -- source file gone
            error TEXT                                 -- the current problem with its source
        )""",
        "CREATE INDEX IF NOT EXISTS ix_items_source ON items (source)",
        "CREATE INDEX IF NOT EXISTS ix_items_slug ON items (slug)",
        """CREATE TABLE IF NOT EXISTS outputs (
            target VARCHAR NOT NULL,
            key VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            size BIGINT NOT NULL,
            content_type VARCHAR NOT NULL,
            input_hash VARCHAR NOT NULL,               -- what it was made from
            PRIMARY KEY (target, key)
        )""",
        """CREATE TABLE IF NOT EXISTS meta (
            key VARCHAR PRIMARY KEY,
            value TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS releases (
            guid VARCHAR PRIMARY KEY,
            at VARCHAR NOT NULL,
            zone VARCHAR NOT NULL,
            held BOOLEAN NOT NULL DEFAULT FALSE,
            queued_at VARCHAR NOT NULL
        )""",
    ]),
    # The embargo belongs to the item, not to its guid: editing a queued item's guid: line left
    # its queue row behind and released it at once. Rows whose guid no item has any more were
    # already ignored; they go.
    (2, "the release queue keyed on the item's id", [
        """CREATE TABLE releases_by_item (
            item_id {idkey} REFERENCES items (id),
            at VARCHAR NOT NULL,                       -- ISO 8601 UTC
            zone VARCHAR NOT NULL,                     -- the zone the author wrote it in
            held BOOLEAN NOT NULL DEFAULT FALSE,       -- unqueued: held until queued again
            queued_at VARCHAR NOT NULL
        )""",
        """INSERT INTO releases_by_item (item_id, at, zone, held, queued_at)
           SELECT i.id, r.at, r.zone, r.held, r.queued_at
           FROM releases r JOIN items i ON i.guid = r.guid""",
        "DROP TABLE releases",
        "ALTER TABLE releases_by_item RENAME TO releases",
    ]),
    # The state of a ``sources:`` address was keyed on the address as written, credentials and
    # all, and stayed after the address changed. It is now keyed without them; the old rows go
    # (the next run fetches each source once in full and merges it: nothing is lost).
    (3, "no credential of a source address in the catalog", [
        "DELETE FROM meta WHERE key LIKE 'source:%'",
    ]),
    # A process that keeps a copy of the items and the queue (the scheduler, between releases)
    # reads back only the rows whose revision changed: every insert or update of a row gives it
    # a new random revision, by a trigger, so a row written by any client (a `syndicate queue`
    # on another host, a hand edit) is read again (mirror.py).
    (4, "a revision on each row of the items and the queue; what is due found by index", [
        "ALTER TABLE items ADD COLUMN rev BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE releases ADD COLUMN rev BIGINT NOT NULL DEFAULT 0",
        *(("sqlite", f"""CREATE TRIGGER IF NOT EXISTS {table}_rev_{when}
            AFTER {when.upper()} ON {table}
            {"WHEN NEW.rev IS OLD.rev" if when == "update" else ""} BEGIN
            UPDATE {table} SET rev = random() WHERE {key} = NEW.{key}; END""")
          for table, key in (("items", "id"), ("releases", "item_id"))
          for when in ("insert", "update")),
        ("postgresql", """CREATE OR REPLACE FUNCTION syndicate_row_rev() RETURNS trigger
            LANGUAGE plpgsql AS $body$ BEGIN
            NEW.rev := floor((random() * 2 - 1) * 9.2e18)::bigint; RETURN NEW; END $body$"""),
        *(step for table in ("items", "releases") for step in (
            ("postgresql", f"DROP TRIGGER IF EXISTS {table}_rev ON {table}"),
            ("postgresql", f"CREATE TRIGGER {table}_rev BEFORE INSERT OR UPDATE ON {table} "
                           "FOR EACH ROW EXECUTE FUNCTION syndicate_row_rev()"))),
        # on PostgreSQL every write to them is told to the scheduler (engines.CHANGED), a
        # hand edit in psql too (SQLite's scheduler sees any commit: its data_version)
        ("postgresql", """CREATE OR REPLACE FUNCTION syndicate_changed() RETURNS trigger
            LANGUAGE plpgsql AS $body$ BEGIN
            PERFORM pg_notify('syndicate_catalog', ''); RETURN NULL; END $body$"""),
        *(step for table in ("items", "releases") for step in (
            ("postgresql", f"DROP TRIGGER IF EXISTS {table}_changed ON {table}"),
            ("postgresql", f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE "
                           f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION syndicate_changed()"))),
        # (the rows there already get a revision of their own too: a catalog swapped for
        # another under a running process never shows it one catalog's row for another's)
        "UPDATE items SET rev = rev",
        "UPDATE releases SET rev = rev",
        # what is due, and when the next release is, read from an index: not every row
        "CREATE INDEX IF NOT EXISTS ix_releases_at ON releases (at)",
        "CREATE INDEX IF NOT EXISTS ix_items_unreleased ON items (date) "
        "WHERE published_at IS NULL",
    ]),
]
LATEST = MIGRATIONS[-1][0]
_ADDED = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+) ")
# the triggers of schema 4, by engine: one missing or disabled (by hand) is made again, with a
# new revision for every row, so that no process keeps a row changed meanwhile (mirror.py)
TRIGGERS = {"sqlite": ("items_rev_insert", "items_rev_update", "releases_rev_insert",
                       "releases_rev_update"),
            "postgresql": ("items_rev", "releases_rev", "items_changed", "releases_changed")}

# The columns this code reads and writes, checked on every open (a file with the right version
# but other tables is not ours).
COLUMNS = {
    "items": "id, kind, guid, slug, source, sig, content_hash, data, date, draft, first_seen, "
             "changed_at, published_at, missing, error",
    "outputs": "target, key, sha256, size, content_type, input_hash",
    "meta": "key, value",
    "releases": "item_id, at, zone, held, queued_at",
}


class SchemaError(SyndicateError):
    """The catalog is of a version this syndicate cannot use, or not a catalog at all."""


def _version(conn, path: Path | None = None) -> int:
    version = engines.header_version(conn)
    row = None
    if engines.has_table(conn, "meta"):  # else version 0, or not ours (checked below)
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is not None:
        try:
            version = max(version, int(row[0]))
        except (TypeError, ValueError):
            raise SchemaError(f"{path or 'the catalog'}: its schema version is unreadable "
                              f"({str(row[0])[:40]!r}): the catalog is damaged; restore it from "
                              "a backup") from None
    return version


def version_of(conn, path) -> int:
    """The schema version of the catalog on ``conn`` (0: none yet)."""
    return _version(conn, path)


def prepare(conn, path, *, migrate: bool = True) -> None:
    """Bring the catalog on ``conn`` to the latest version, or refuse it with a SchemaError
    (``migrate=False``: refuse an older one too). Database errors (a damaged file, a full disk,
    a lock, a lost server) are left to the caller."""
    version = _version(conn, path)
    if version > LATEST:
        raise SchemaError(f"catalog {path} was written by a newer syndicate (schema "
                          f"{version}, this one knows {LATEST}): upgrade syndicate")
    if version < LATEST and not migrate:
        raise SchemaError(f"catalog {path} is of schema {version}, older than this syndicate's "
                          f"{LATEST}: run 'syndicate db upgrade' first")
    if version < LATEST:
        if version == 0:
            foreign = engines.tables(conn) - set(COLUMNS)
            if foreign and "items" not in engines.tables(conn):
                raise SchemaError(
                    f"{path}: not a syndicate catalog (it holds the tables "
                    f"{', '.join(sorted(foreign)[:5])}); point 'catalog' in config.yaml at the "
                    "project's catalog, or move this file elsewhere")
        for number, _what, steps in MIGRATIONS:
            if number <= version:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                if _version(conn, path) < number:  # another process may have just done it
                    _run(conn, steps)
                    conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                 (str(number),))
                    engines.set_header_version(conn, number)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    for table, cols in COLUMNS.items():
        try:
            conn.execute(f"SELECT {cols} FROM {table} WHERE 1 = 0")
        except (sqlite3.OperationalError, engines.PgError) as exc:
            if "locked" in str(exc) or "busy" in str(exc) or not missing_column(exc):
                raise
            raise SchemaError(f"{path}: not a syndicate catalog of schema {LATEST} ({exc}); "
                              "point 'catalog' in config.yaml at the project's catalog, or "
                              "restore it from a backup") from None
    wanted = TRIGGERS[engines.engine_of(conn)]
    if engines.triggers_on(conn, wanted) < len(wanted):  # (dropped or disabled by hand)
        conn.execute("BEGIN IMMEDIATE")
        try:
            _run(conn, next(steps for number, _what, steps in MIGRATIONS if number == 4))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _run(conn, steps) -> None:
    for step in steps:  # (a step of one engine only: (engine, sql))
        engine, sql = step if isinstance(step, tuple) else ("", step)
        added = _ADDED.match(sql)  # (a column there already: a catalog whose version was set
        # back by hand)
        if engine in ("", engines.engine_of(conn)) and not (
                added and engines.has_column(conn, *added.groups())):
            conn.execute(engines.spelled(conn, sql))


def missing_column(exc: BaseException) -> bool:
    """Whether a query failed for want of a table or column (not ours), not for a fault."""
    if isinstance(exc, engines.PgError):
        return exc.sqlstate in ("42P01", "42703")  # undefined table, undefined column
    return True  # SQLite: any error of a query on a table, but a lock (said above)
