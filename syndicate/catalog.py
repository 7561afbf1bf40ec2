"""The catalog: the truth about every item, its GUID, its last good version and what was published.

A SQLite file through the standard library's sqlite3 (the default: it starts in milliseconds),
or a PostgreSQL database through psycopg 3 (``catalog: postgresql://...``). Both run the same
code and the same SQL, written in the portable subset both engines share; what truly differs
(connecting, the id column, errors) is in engines.py. One publish runs in one transaction: a
failure, or a dry run, leaves the catalog as it was.

Why not SQLAlchemy Core with Alembic: start-up time. Measured here (median of 7 runs of
``python -c 'import ...'``, 2 shared cores): the interpreter alone 27 ms, sqlite3 30 ms,
psycopg 193 ms, sqlalchemy 280 ms, sqlalchemy with its PostgreSQL and SQLite dialects 434 ms,
alembic's runtime 448 ms; the modules a publish imports today 377 ms, and 629 ms with
sqlalchemy and alembic added. A no-change S3 publish takes about 0.5 s in all and must stay
within 0.7x of ``aws s3 sync`` (benchmarks/s3.py: 0.59 now); a quarter of a second more on
every run, SQLite projects included, would put it near 0.9x. So the layer is our own: DB-API
connections (sqlite3, psycopg) with sqlite3's interface, one ordered list of migrations
(schema.py) for both engines, and psycopg imported only for a catalog on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import resource
import sqlite3
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import engines, mirror
from .engines import DB_ERRORS, PgLocation
from .errors import SyndicateError
from .model import item_from_dict
from .schema import COLUMNS, prepare
from .space import FULL, nearly_full, no_space
from .when import stored, stored_utc

ITEM_DEFAULTS = {"sig": "", "content_hash": "", "draft": False, "published_at": None,
                 "missing": False, "error": None}
_BOOLS = ("draft", "missing")
_NONEMPTY = ("guid", "slug", "source", "data", "date")
# An item's release time is the time it was queued for, else its own date; drafts, removed
# items and items held back (unqueued) are never released.
_JOINED = "items i LEFT JOIN releases r ON r.item_id = i.id"
_AT = "COALESCE(r.at, i.date)"
_RELEASABLE = "NOT i.draft AND NOT i.missing AND NOT COALESCE(r.held, FALSE)"
# The same for items not yet released, split by where their release time comes from, so that
# each part reads an index (releases.at; items.date of the unpublished) and not every row.
_UNRELEASED = "i.published_at IS NULL AND NOT i.draft AND NOT i.missing"
_BY_QUEUE = f"releases r JOIN items i ON i.id = r.item_id WHERE NOT r.held AND {_UNRELEASED}"
_BY_DATE = (f"items i WHERE {_UNRELEASED} AND NOT EXISTS "
            "(SELECT 1 FROM releases r WHERE r.item_id = i.id)")


RETIRED = "retired_guid:"  # meta: + a guid an item gave up -> the file it was in


class Catalog:
    """A connection to the catalog inside one transaction."""

    def __init__(self, conn, path: Path | PgLocation | None = None):
        self.conn = conn
        self.path = path
        # the whole tables read in this transaction, while it wrote nothing (its snapshot is
        # stable until then): a release reads the queue and the items once, not at every step
        self._read: dict[str, tuple[int, list]] = {}
        self._meta_writes = 0  # of the changes counted (engines.changes): those to meta only
        self._base = engines.changes(conn)  # (those of opening it: the schema's, a session's)
        self._meta: dict[str, str | None] = {}  # meta values read or written in this transaction

    def _rows(self, table: str) -> list[dict]:
        """Every row of ``table`` (by key), read again only when this transaction wrote
        something since, other than meta (or began anew); before this connection wrote
        anything, through the process's copy (mirror.py). Not to be changed: see ``_whole``."""
        now = engines.changes(self.conn) - self._meta_writes - self._base
        held = self._read.get(table)
        if held is None or held[0] != now:
            copy = mirror.copy_of(self.path, table) if now == 0 else None
            if copy is not None:
                try:
                    rows = copy.refresh(self.conn, table)
                except BaseException:
                    mirror.forget(self.path)
                    raise
            else:
                names = [c.strip() for c in COLUMNS[table].split(",")]
                rows = [dict(zip(names, r, strict=True)) for r in engines.tuples(
                    self.conn, f"SELECT {COLUMNS[table]} FROM {table} "
                    f"ORDER BY {mirror.TABLES[table]}")]
            held = self._read[table] = (now, rows, copy)
        return held[1]

    def _whole(self, table: str) -> list[dict]:
        """``_rows``, as dicts of the caller's own."""
        return [dict(r) for r in self._rows(table)]

    def _to_meta(self, run, *args) -> None:
        """``run(*args)``, a write to the meta table alone: what was read of the others stands."""
        before = engines.changes(self.conn)
        try:
            run(*args)
        finally:
            self._meta_writes += engines.changes(self.conn) - before

    def check(self) -> None:
        """Refuse a catalog holding a value syndicate cannot have written (a date scribbled
        over, a release time that is not a time): acting on it would drop or release items."""
        rows = self._rows("items")
        copy = self._read["items"][2]  # rows from the process's copy: those not yet checked
        queue = self._rows("releases")
        queued = self._read["releases"][2]
        problem = damaged(self.conn, rows if copy is None else
                          [copy.rows[k] for k in copy.unchecked],
                          queue if queued is None else [queued.rows[k] for k in queued.unchecked])
        if not problem:
            for held in (copy, queued):
                if held is not None:
                    held.unchecked.clear()
        if problem:
            raise SyndicateError(damage_message(self.path, problem, "; nothing was published "
                                                "or released, the site is as it was"))

    # -- meta --------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A meta value (read once a transaction: meta is written only through the methods
        below, which keep what was read up to date)."""
        if key not in self._meta:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            self._meta[key] = row[0] if row else None
        return self._meta[key]

    def set_meta(self, key: str, value: str) -> None:
        self.set_metas([(key, value)])

    def set_metas(self, pairs) -> None:
        """``set_meta`` for each (key, value) of ``pairs``, in one statement."""
        pairs = list(pairs)
        for k, _ in pairs:  # (unknown until written)
            self._meta.pop(k, None)
        self._to_meta(self.conn.executemany, "INSERT INTO meta (key, value) VALUES (?, ?) ON "
                      "CONFLICT (key) DO UPDATE SET value = excluded.value", pairs)
        self._meta.update(pairs)

    def delete_meta(self, *keys: str) -> None:
        """Remove the meta rows of ``keys`` (those there)."""
        for k in keys:
            self._meta.pop(k, None)
        self._to_meta(self.conn.executemany, "DELETE FROM meta WHERE key = ?",
                      [(k,) for k in keys])
        self._meta.update((k, None) for k in keys)

    def meta_under(self, prefix: str) -> dict[str, str]:
        """Every meta row whose key begins with ``prefix`` (the prefix taken off the key)."""
        rows = self.conn.execute("SELECT key, value FROM meta WHERE substr(key, 1, ?) = ?",
                                 (len(prefix), prefix))
        return {r[0][len(prefix):]: r[1] for r in rows}

    # -- items -------------------------------------------------------------------------------
    def retire_guid(self, guid: str, source: str) -> None:
        """Remember a guid an item gave up (its file named another): an entry of it still in a
        live feed is this catalog's own, not one published from elsewhere."""
        self.set_meta(RETIRED + guid, source)

    def known_guids(self) -> set[str]:
        """Every guid this catalog has given an item, now or before."""
        rows = self.conn.execute("SELECT guid FROM items")
        return {r[0] for r in rows} | set(self.meta_under(RETIRED))

    def all_items(self, kind: str | None = None) -> list[dict]:
        if kind:
            rows = [dict(r) for r in self.conn.execute(
                "SELECT * FROM items WHERE kind = ? ORDER BY id", (kind,))]
        else:
            rows = self._whole("items")
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
    def releases(self) -> dict[int, dict]:
        """The queue, by item id: the embargo belongs to the item, whatever its guid or file.
        The dict is the caller's own; the rows in it are shared, not to be changed."""
        rows = self._rows("releases")
        copy = self._read["releases"][2]

        def by_item() -> dict[int, dict]:
            return {r["item_id"]: {**r, "held": bool(r["held"])} for r in rows}

        return dict(copy.made(rows, by_item) if copy is not None else by_item())

    def set_release(self, item_id: int, at: str, zone: str, stamp: str, *,
                    held: bool = False) -> None:
        self.conn.execute(
            "INSERT INTO releases (item_id, at, zone, held, queued_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (item_id) DO UPDATE SET at = excluded.at, zone = excluded.zone, "
            "held = excluded.held, queued_at = excluded.queued_at",
            (item_id, at, zone, bool(held), stamp))

    def take_as_released(self, item_id: int, when: str) -> None:
        """An item the live site shows as released at ``when`` (a catalog restored from before
        its release): released then, out of the queue."""
        self.conn.execute("DELETE FROM releases WHERE item_id = ?", (item_id,))
        self.conn.execute("UPDATE items SET published_at = ? WHERE id = ?", (when, item_id))

    def next_release(self, after: str) -> str | None:
        """The earliest release time later than ``after`` of an item not yet released."""
        row = self.conn.execute(
            f"SELECT MIN(t) FROM (SELECT MIN(r.at) AS t FROM {_BY_QUEUE} AND r.at > ? "
            f"UNION ALL SELECT MIN(i.date) AS t FROM {_BY_DATE} AND i.date > ?) m",
            (after, after)).fetchone()
        return row[0]

    def has_due(self, now: str) -> bool:
        """Whether an item's release time has come without it reaching a published feed."""
        return bool(self.conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM {_BY_QUEUE} AND r.at <= ?) "
            f"OR EXISTS (SELECT 1 FROM {_BY_DATE} AND i.date <= ?)", (now, now)).fetchone()[0])

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
        self._read.clear()  # a new transaction: what others committed meanwhile is read
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        self._begun()

    @property
    def on_postgres(self) -> bool:
        return isinstance(self.path, PgLocation)

    def restart(self) -> None:
        """Drop what this transaction did and begin anew: it reads the catalog as it is now."""
        self._read.clear()
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.conn.execute("BEGIN")
        self._begun()

    def _begun(self) -> None:
        """A transaction begins: it has written nothing yet, and read nothing."""
        self._base, self._meta_writes = engines.changes(self.conn), 0
        self._meta.clear()

    # -- outputs (the manifest of what a target holds) ----------------------------------------
    def outputs(self, target: str) -> dict[str, dict]:
        cur = self.conn.execute("SELECT * FROM outputs WHERE target = ?", (target,))
        return {r["key"]: dict(r) for r in cur}

    def rename_target(self, old: str, new: str) -> None:
        """What was recorded for target ``old`` is now recorded for ``new`` (a moved folder)."""
        self.conn.execute("UPDATE outputs SET target = ? WHERE target = ?", (new, old))

    def has_published(self) -> bool:
        """Whether any publish recorded outputs (to any target): the catalog is not a new one."""
        return self.conn.execute("SELECT 1 FROM outputs LIMIT 1").fetchone() is not None

    def replace_outputs(self, target: str, rows: list[dict]) -> None:
        """Record what ``target`` holds now (only rows that changed are written)."""
        current = self.outputs(target)
        wanted = {r["key"]: r for r in rows}
        gone = [(target, key) for key in current.keys() - wanted.keys()]
        self.conn.executemany("DELETE FROM outputs WHERE target = ? AND key = ?", gone)
        columns = ("sha256", "size", "content_type", "input_hash")  # a target's own, left out
        fresh = [{**row, "target": target} for key, row in wanted.items()
                 if not (key in current and all(current[key][c] == row[c] for c in columns))]
        self.conn.executemany(
            "INSERT INTO outputs (target, key, sha256, size, content_type, input_hash) "
            "VALUES (:target, :key, :sha256, :size, :content_type, :input_hash) "
            "ON CONFLICT (target, key) DO UPDATE SET sha256 = excluded.sha256, "
            "size = excluded.size, content_type = excluded.content_type, "
            "input_hash = excluded.input_hash", fresh)

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


def file_target_names(cat: Catalog) -> list[str]:
    """The local folders (``file://`` targets) the catalog records outputs for."""
    return [r[0] for r in cat.conn.execute(
        "SELECT DISTINCT target FROM outputs WHERE target LIKE 'file://%'")]


def item_names(r: dict) -> set[str]:
    """Every name ``publish --remove`` knows an item (a row) by: guid, slug, its file with
    and without its folder, its title."""
    return {r["guid"], r["slug"], r["source"], Path(r["source"]).name,
            loads(r["data"]).get("title")}


def loads(text: str) -> dict:
    return json.loads(text)


def dumps(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


SQLITE_BUSY_SNAPSHOT = 517


def stale(exc: BaseException) -> bool:
    """Whether a write failed because another command (a queue, an unqueue) wrote to the catalog
    after this transaction read it: waiting cannot help, reading again does."""
    if isinstance(exc, engines.PgError):
        return exc.sqlstate in engines.SERIALIZATION
    return getattr(exc, "sqlite_errorcode", None) == SQLITE_BUSY_SNAPSHOT


def _locked(path: Path) -> SyndicateError:
    return SyndicateError(f"{path}: the catalog is locked by another process (a publish or the "
                          "scheduler is writing to it); try again in a moment")


# Never advise rebuilding the catalog from the sources: it holds what the sources do not (the
# guids of items renamed since their first publish, the release queue, what the target holds),
# so a rebuilt one would give those items new guids and release queued items at their own dates.
KEEP = ("do not delete it: it holds the guids of renamed items and the release queue, which "
        "the sources do not")


def _no_space(path: Path) -> SyndicateError:
    return no_space(path, "the catalog", "the catalog is unchanged: the interrupted write was "
                    "rolled back")


def db_error(path: Path, exc: BaseException) -> SyndicateError:
    """One clear line for what went wrong with the catalog file (or database)."""
    if isinstance(exc, SyndicateError):
        return exc
    if isinstance(path, PgLocation):
        return engines.pg_error(path, exc)
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if primary in (5, 6) or "locked" in text:  # SQLITE_BUSY, SQLITE_LOCKED
        return _locked(path)
    oserr = exc.errno if isinstance(exc, OSError) else None
    if primary == 13 or oserr in FULL or (primary == 10 and nearly_full(path)):
        return _no_space(path)  # SQLITE_FULL, or an I/O error on a full disk
    if oserr == errno.EFBIG or (primary == 10 and _size_limited()):
        return SyndicateError(f"{path}: the catalog cannot grow: this process may not write "
                              "files that large (ulimit -f); raise the limit, then run again "
                              "(the catalog is unchanged: the interrupted write was rolled back)")
    if primary == 8 or oserr in (errno.EROFS, errno.EACCES, errno.EPERM):  # SQLITE_READONLY
        blocked = _blocked_file(path)
        if blocked is not None:
            return blocked
        return SyndicateError(f"{path}: the catalog is read-only ({text}); syndicate writes to "
                              "it on every run: give this user write access to it and its "
                              "folder (or mount that filesystem read-write)")
    if primary == 14 or "unable to open" in text:  # SQLITE_CANTOPEN
        if os.path.isdir(path):
            return SyndicateError(f"{path}: the catalog path is a folder; point 'catalog' in "
                                  "config.yaml at a file")
        blocked = _blocked_file(path)
        if blocked is not None:
            return blocked
        return SyndicateError(f"{path}: the catalog cannot be opened ({text}); check that its "
                              "folder exists and is writable")
    if primary == 10:  # SQLITE_IOERR: the disk, not the file's content
        return SyndicateError(f"{path}: the catalog could not be read or written ({text}); "
                              "check the disk it is on, then run again (the interrupted write "
                              "was rolled back)")
    if primary in (11, 26) or isinstance(exc, (sqlite3.DatabaseError, UnicodeDecodeError)):
        return SyndicateError(f"{path}: the catalog cannot be opened ({text}): it is damaged "
                              f"or not a catalog; restore it from a backup ({KEEP})")
    return SyndicateError(f"{path}: the catalog cannot be used ({type(exc).__name__}: {text})")


def _blocked_file(path: Path) -> SyndicateError | None:
    """The error naming the first of the catalog's files (itself, its -wal and -shm beside it,
    left read-only by a run that opened it so) or its folder that this user may not use."""
    folder = path.parent
    if not os.access(folder, os.R_OK | os.X_OK):
        return SyndicateError(f"{folder}: the catalog's folder cannot be read; give this user "
                              "read and write access to it")
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if not os.path.lexists(file):
            continue
        if file != path and not os.path.isfile(file):  # (SQLite's own files beside it)
            return SyndicateError(f"{file}: not a file, where SQLite keeps the catalog's "
                                  "journal; remove it (the catalog is safe without it), then "
                                  "run again")
        if not os.access(file, os.R_OK):
            return SyndicateError(f"{file}: cannot be read (a file of the catalog); give this "
                                  "user read and write access to it")
        if not os.access(file, os.W_OK):
            return SyndicateError(f"{file}: read-only (a file of the catalog: syndicate writes "
                                  "to it on every run); give this user write access to it")
    if not os.access(folder, os.W_OK):
        return SyndicateError(f"{folder}: the catalog's folder is read-only (syndicate writes "
                              "the catalog's journal beside it); give this user write access "
                              "to it")
    return None


# Item rows found sound by ``damaged`` in this process, by their whole content (every column,
# the id included): the same row read again is not decoded and validated again, while a row
# that differs in any byte (scribbled on since) is. Kept to about the size of the catalogs read.
_sound_rows: set[tuple] = set()


def damaged(conn, items: list[dict] | None = None,
            releases: list[dict] | None = None) -> str | None:
    """The first value in the catalog that syndicate cannot have written (a file scribbled on
    where SQLite's own checks do not look), or None. Run before acting on the queue, and after
    a failure to tell a damaged catalog from a fault of the code. ``items`` and ``releases``:
    the rows of those tables to check (by default all), when the caller has just read them in
    this transaction (or knows the others checked: ``Catalog.check``)."""
    global _sound_rows
    known, seen = _sound_rows, []
    rows = conn.execute("SELECT * FROM items") if items is None else items
    for r in rows:
        row = tuple(r) if items is None else tuple(r.values())
        if row not in known:
            problem = _item_damage(r)
            if problem:
                return problem
        seen.append(row)
    # (rows changed long ago, or other catalogs': forgotten once they outnumber this one's)
    _sound_rows = known.union(seen) if len(known) <= 2 * len(seen) + 1000 else set(seen)
    for r in conn.execute("SELECT item_id, at FROM releases") if releases is None else releases:
        try:
            stored_utc(r["at"])
        except (TypeError, ValueError):
            source = conn.execute("SELECT source FROM items WHERE id = ?",
                                  (r["item_id"],)).fetchone()
            return (f"the release time of item {r['item_id']} "
                    f"({str(source and source[0])[:80]!r})")
    for r in conn.execute("SELECT key, size FROM outputs"):
        if not isinstance(r["key"], str) or not isinstance(r["size"], int):
            return "the record of a published file"
    return None


def _item_damage(r) -> str | None:
    """What is wrong with one row of ``items`` (see ``damaged``), or None."""
    column = "kind"
    try:
        if r["kind"] not in ("post", "episode"):
            raise ValueError(column)
        for column in ("guid", "slug", "source", "sig", "content_hash", "data", "date",
                       "first_seen", "changed_at"):
            if not isinstance(r[column], str) or (column in _NONEMPTY and not r[column]):
                raise TypeError(column)
        for column in _BOOLS:
            if r[column] not in (0, 1):
                raise ValueError(column)
        column = "error"
        if r["error"] is not None and not isinstance(r["error"], str):
            raise TypeError(column)
        column = "data"
        data = json.loads(r["data"])
        if not isinstance(data, dict) or not isinstance(data.get("title"), str):
            raise ValueError(column)
        item = item_from_dict(r["kind"], data)
        column = "slug"
        if getattr(item, "slug", r["slug"]) != r["slug"]:
            raise ValueError(column)
        column = "date"
        stored_utc(r[column])  # (compared as text: what is due)
        for column in ("changed_at", "published_at"):
            if r[column] is not None:
                stored(r[column])
    except Exception as exc:  # any failure to read it back is damage
        return (f"item {r['id']} ({str(r['source'])[:80]!r}): its {column} "
                f"({type(exc).__name__})")
    return None


def damage_message(path, problem: str, note: str = "") -> str:
    return (f"{path}: the catalog holds a damaged value ({problem}){note}; restore it from a "
            f"backup ({KEEP})")


def _size_limited() -> bool:
    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return soft != resource.RLIM_INFINITY


def connect(where: Path | PgLocation, *, migrate: bool = True):
    """A connection to the catalog at ``where``, its schema brought up to date (or refused:
    ``migrate=False`` refuses an older one too), outside any transaction."""
    if isinstance(where, PgLocation):
        conn = engines.connect_pg(where)
        try:
            prepare(conn, where, migrate=migrate)
            # a process stopped or cut off in the middle of a transaction (a publish is one
            # through its uploads) holds no row or lock of it past engines.SILENT_SECONDS
            engines.expire_when_silent(conn)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, Exception):
                raise db_error(where, exc) from None
            raise
        return conn
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(where, timeout=10, isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise db_error(where, exc) from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode = WAL")  # readers never wait for a writer
        conn.execute("PRAGMA secure_delete = ON")  # a deleted row leaves no bytes behind
        prepare(conn, where, migrate=migrate)
    except BaseException as exc:
        conn.close()
        if isinstance(exc, (OSError, sqlite3.Error, UnicodeDecodeError)):
            raise db_error(where, exc) from None
        raise
    return conn


def upgrade_catalog(where: Path | PgLocation) -> tuple[int, int]:
    """``syndicate db upgrade``: bring the catalog to this syndicate's schema (making it if
    there is none); returns its version before and after. A newer one is refused."""
    from .schema import LATEST, version_of

    where = engines.location(where)
    if isinstance(where, PgLocation):
        conn = engines.connect_pg(where)
        try:
            before = version_of(conn, where)
        except DB_ERRORS as exc:
            raise db_error(where, exc) from None
        finally:
            conn.close()
    else:
        before = _sqlite_version(where)
    connect(where).close()
    return before, LATEST


def _sqlite_version(path: Path) -> int:
    from .schema import version_of

    if not path.is_file():
        return 0
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return version_of(conn, path)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise db_error(path, exc) from None


@contextmanager
def open_catalog(path: str | Path | PgLocation, *, commit: bool = True,
                 immediate: bool = False) -> Iterator[Catalog]:
    """Open the catalog in one transaction; commit when the block succeeds and ``commit`` holds.
    ``immediate`` takes the write lock at once (for a short read-then-write transaction).
    ``path`` is a SQLite file or a ``postgresql://`` address (engines.location).

    A catalog of an older schema is migrated first; a newer one, a damaged one or a file that is
    not a catalog is refused, and a full disk or a read-only file is reported as such (on
    PostgreSQL: a server that cannot be reached or refuses): always one SyndicateError naming
    the catalog, and the catalog as it was."""
    path = engines.location(path)
    conn = connect(path)
    try:
        try:
            conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except (OSError, *DB_ERRORS, UnicodeDecodeError) as exc:
            raise db_error(path, exc) from None
        try:
            yield Catalog(conn, path)
            conn.execute("COMMIT" if commit else "ROLLBACK")
        except BaseException as exc:
            # a cursor stopped mid-read (a value that does not decode) keeps its statement, and
            # so the file and its lock, open past close() for as long as the traceback holds
            # it: the finished frames' locals are let go (a long-running serve or scheduler
            # would otherwise leave the catalog locked)
            traceback.clear_frames(exc.__traceback__)
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            except DB_ERRORS:
                pass  # the transaction is gone with the failure: nothing was committed
            if isinstance(exc, DB_ERRORS):
                raise db_error(path, exc) from None
            if isinstance(exc, (ValueError, TypeError, KeyError, AttributeError, IndexError)):
                try:
                    problem = damaged(conn)
                except (*DB_ERRORS, ValueError):
                    problem = "a value that cannot be read"
                if problem:
                    raise SyndicateError(damage_message(path, problem)) from None
            if isinstance(exc, UnicodeDecodeError) and isinstance(path, Path):
                # (SQLite's own message, on a file scribbled on where the schema is: a
                # trigger's text that does not decode)
                raise db_error(path, exc) from None
            if (isinstance(exc, OSError) and exc.errno in FULL and isinstance(path, Path)
                    and _inside(exc, path.parent)):
                raise _no_space(path) from None
            raise
    finally:
        conn.close()


def _inside(exc: OSError, folder: Path) -> bool:
    name = exc.filename
    try:
        return name is not None and Path(name).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
