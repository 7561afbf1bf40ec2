"""Copy a whole catalog from one engine to another (``syndicate db copy``; a dry run's private
SQLite copy of a catalog on PostgreSQL): every row of every table, ids included, in one
transaction on the destination, then counted again there.

The schema is not copied: both ends are brought to this syndicate's schema by the same
migrations (schema.py), and only the rows move.
"""

from __future__ import annotations

from pathlib import Path

from . import engines
from .catalog import connect
from .engines import DB_ERRORS, PgLocation
from .errors import SyndicateError
from .schema import COLUMNS

# items before the rows that name them (releases.item_id)
ORDER = ("items", "releases", "outputs", "meta")
BOOLEANS = {"items": ("draft", "missing"), "releases": ("held",)}
KEYS = {"items": "id", "releases": "item_id", "outputs": "target, key", "meta": "key"}


def _rows(conn, table: str) -> list[tuple]:
    cols = [c.strip() for c in COLUMNS[table].split(",")]
    flags = [cols.index(c) for c in BOOLEANS.get(table, ())]
    rows = []
    for r in conn.execute(f"SELECT {COLUMNS[table]} FROM {table} ORDER BY {KEYS[table]}"):
        row = list(r)
        for i in flags:  # SQLite's 0/1, PostgreSQL's booleans: the same truth either way
            row[i] = bool(row[i]) if row[i] is not None else None
        rows.append(tuple(row))
    return rows


def table_rows(conn) -> dict[str, list[tuple]]:
    """Every row of every table, in a fixed order (the schema's own version row left out:
    each end has its own)."""
    out = {table: _rows(conn, table) for table in ORDER}
    out["meta"] = [r for r in out["meta"] if r[0] != "schema_version"]
    return out


def _count(conn) -> int:
    rows = table_rows(conn)
    return sum(len(v) for v in rows.values())


def copy_catalog(source: Path | PgLocation, dest: Path | PgLocation, *,
                 replace: bool = False, migrate_source: bool = True) -> dict[str, int]:
    """Copy every row of the catalog at ``source`` into the one at ``dest`` (made or migrated
    to this schema first); refuse a destination that holds rows unless ``replace``, which
    empties it first. Returns the rows copied, by table. The source is only read (but brought
    to this schema first, unless ``migrate_source`` is false: then an older one is refused)."""
    if isinstance(source, Path) and not source.is_file():
        raise SyndicateError(f"{source}: no such catalog file; give the path of the SQLite "
                             "catalog to copy (by default .syndicate/catalog.db)")
    src = connect(source, migrate=migrate_source)
    try:
        dst = connect(dest)
        try:
            return _copy(src, dst, source, dest, replace)
        finally:
            dst.close()
    finally:
        src.close()


def _copy(src, dst, source, dest, replace: bool) -> dict[str, int]:
    from .catalog import db_error

    try:
        src.execute("BEGIN")  # one snapshot of the source
        rows = table_rows(src)
        src.execute("ROLLBACK")
    except DB_ERRORS as exc:
        raise db_error(source, exc) from None
    try:
        dst.execute("BEGIN IMMEDIATE")
        try:
            held = _count(dst)
            if held and not replace:
                raise SyndicateError(
                    f"{dest}: the destination catalog is not empty ({held} rows); nothing was "
                    "copied. Copy into an empty database, or pass --replace to empty it first "
                    "(what it holds is lost)")
            for table in reversed(ORDER):
                if held:
                    dst.execute(f"DELETE FROM {table}" + (
                        " WHERE key <> 'schema_version'" if table == "meta" else ""))
            for table in ORDER:
                cols = COLUMNS[table]
                marks = ", ".join("?" * len(cols.split(",")))
                dst.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows[table])
            engines.ids_follow(dst)
            copied = table_rows(dst)
            if copied != rows:
                raise SyndicateError(f"{dest}: the copy does not read back as the source did; "
                                     "nothing was copied (please report this)")
            dst.execute("COMMIT")
            engines.analyze(dst)
        except BaseException:
            if dst.in_transaction:
                dst.execute("ROLLBACK")
            raise
    except DB_ERRORS as exc:
        raise db_error(dest, exc) from None
    return {table: len(rows[table]) for table in ORDER}
