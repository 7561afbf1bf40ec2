"""Where SQLite and PostgreSQL differ, and nowhere else: connecting, the few statements whose
spelling differs, and the errors each raises.

The catalog's SQL is written once, in the portable subset both engines share (``?`` and
``:name`` parameters, ``ON CONFLICT ... DO UPDATE``, ``TRUE``/``FALSE``), and runs through a
connection with sqlite3's interface: sqlite3's own for SQLite, ``PgConnection`` over psycopg 3
for PostgreSQL (it rewrites the parameter marks once per statement and hands back rows that
read like ``sqlite3.Row``). psycopg is imported only when a catalog on PostgreSQL is opened: a
project on SQLite never pays for it.

A catalog's location is a ``Path`` (SQLite) or a ``PgLocation`` (``postgresql://...``); the
password is never part of it (libpq reads PGPASSWORD or ~/.pgpass).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from .errors import SyndicateError

SCHEMES = ("postgresql://", "postgres://")
EXTRA = ("the PostgreSQL driver is not installed: install syndicate with its 'postgres' extra "
         "(pip install 'syndicate[postgres]'), or point 'catalog' at a SQLite file")


def is_postgres(text: str | None) -> bool:
    return isinstance(text, str) and text.lower().startswith(SCHEMES)


def password_in(url: str) -> bool:
    """Whether the address carries a password (user:password@ or ?password=)."""
    try:
        parts = urlsplit(url)
        given = parts.password is not None
    except ValueError:  # unreadable: taken as holding one, so that it is never shown
        return True
    return given or any(k.lower() == "password" for k, _v in parse_qsl(parts.query))


class PgLocation(str):
    """A ``postgresql://`` address with no password in it; shown as it is."""

    @property
    def name(self) -> str:
        return self

    def exists(self) -> bool:  # the server knows; opening it says
        return True


def location(text: str | Path) -> Path | PgLocation:
    if isinstance(text, PgLocation):
        return text
    return PgLocation(text) if is_postgres(str(text)) else Path(text)


# -- PostgreSQL through psycopg, with sqlite3's interface --------------------------------------
class PgError(Exception):
    """A PostgreSQL error, with its SQLSTATE (``sqlstate``), raised in place of psycopg's so
    that callers need not import psycopg to catch it."""

    def __init__(self, text: str, sqlstate: str | None, *, connection: bool = False):
        super().__init__(text)
        self.sqlstate = sqlstate
        self.connection = connection  # the server could not be reached, or the link broke


def _wrap(psycopg, exc) -> PgError:
    state = getattr(exc, "sqlstate", None)
    if state is None and isinstance(exc, psycopg.DataError):  # refused before it was sent
        state = "22021"  # a value the server cannot hold (a NUL character in a text)
    return PgError(str(exc).strip(), state, connection=(
        isinstance(exc, psycopg.OperationalError) and (not state or state.startswith("08"))))


DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, PgError)
SERIALIZATION = ("40001", "40P01")  # another transaction wrote first; a deadlock broken
LOCK_TIMEOUT_MS = 10_000  # as long as SQLite's busy timeout
WRITER_LOCK = 0x53594E44  # one writer at a time (``BEGIN IMMEDIATE``): a transaction lock
CHANGED = "syndicate_catalog"  # notified by every commit that wrote (LISTENed to by leader.py)


@lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """``?`` and ``:name`` marks as psycopg's ``%s`` and ``%(name)s`` (``%`` doubled)."""
    sql = sql.replace("%", "%%")
    sql = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)
    return sql.replace("?", "%s")


class PgRow(tuple):
    """A row read by name or by position, like ``sqlite3.Row``."""

    names: tuple[str, ...] = ()

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _row_factory(cursor):
    names = tuple(c.name for c in cursor.description or ())
    kind = type("Row", (PgRow,), {"names": names})
    return lambda values: kind(values)


class PgConnection:
    """A psycopg connection in autocommit mode, driven by explicit BEGIN/COMMIT like the
    catalog's sqlite3 connection."""

    def __init__(self, conn):
        import psycopg

        self._psycopg = psycopg
        self.raw = conn
        self.statements = 0  # statements run that may have written (see ``changes``)

    def _run(self, call, *args):
        try:
            return call(*args)
        except self._psycopg.Error as exc:
            raise _wrap(self._psycopg, exc) from None

    def execute(self, sql: str, params=()):
        head = sql.strip().upper()
        if head in ("BEGIN", "BEGIN IMMEDIATE"):
            return self._begin(immediate=head.endswith("IMMEDIATE"))
        if not head.startswith("SELECT"):
            self.statements += 1
        if head == "COMMIT":  # a transaction that wrote tells the scheduler (SQLite's
            # data_version, on a server): the notice goes out with the commit, never before
            self._run(self.raw.execute, "SELECT pg_notify(%s, '') "
                      "WHERE pg_current_xact_id_if_assigned() IS NOT NULL", (CHANGED,))
        if not params:  # psycopg reads no marks (and no %) in a statement without parameters
            return self._run(self.raw.execute, sql)
        return self._run(self.raw.execute, _pg_sql(sql), params)

    def executemany(self, sql: str, rows):
        rows = list(rows)
        self.statements += 1
        cur = self.raw.cursor()
        if rows:
            self._run(cur.executemany, _pg_sql(sql), rows)
        return cur

    def _begin(self, immediate: bool):
        # a reader sees one snapshot (as in SQLite's WAL); a writer that must not act on what
        # another changed meanwhile waits for the writer lock and reads what is committed
        if immediate:
            self._run(self.raw.execute, "BEGIN ISOLATION LEVEL READ COMMITTED")
            return self._run(self.raw.execute, "SELECT pg_advisory_xact_lock(%s)",
                             (WRITER_LOCK,))
        return self._run(self.raw.execute, "BEGIN ISOLATION LEVEL REPEATABLE READ")

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


def tuples(conn, sql: str, params=()) -> list[tuple]:
    """The rows of a SELECT as plain tuples (many rows read fast: no row objects made)."""
    if isinstance(conn, PgConnection):
        from psycopg.rows import tuple_row

        cur = conn.raw.cursor(row_factory=tuple_row)
        conn._run(cur.execute, _pg_sql(sql) if params else sql, params or None)
        return conn._run(cur.fetchall)
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(sql, params).fetchall()


def changes(conn) -> int:
    """A number that grows whenever this connection may have written to the database (what
    it read since is then read again): SQLite's count of rows changed, or on PostgreSQL the
    count of statements other than SELECTs."""
    if isinstance(conn, PgConnection):
        return conn.statements
    return conn.total_changes


# every connection's link is probed by both ends: one that stops answering (a partition) is
# given up within ~15 s instead of TCP's minutes or hours, so the server drops what its session
# held (the scheduler's lease, a publish's lock, a transaction's writer lock) and another host
# can go on, and the client's next statement fails instead of hanging
ALIVE_SECONDS = (5, 2, 3)  # idle before the first probe, between probes, probes lost
_ALIVE = {"keepalives": 1, "keepalives_idle": ALIVE_SECONDS[0],
          "keepalives_interval": ALIVE_SECONDS[1], "keepalives_count": ALIVE_SECONDS[2],
          "tcp_user_timeout": 10_000}


def connect_pg(where: PgLocation, name: str = "syndicate") -> PgConnection:
    """A connection to the catalog's database, its link probed (see ALIVE_SECONDS; over a
    Unix socket the settings do nothing: the server sees its client go)."""
    try:
        import psycopg
    except ImportError:
        raise SyndicateError(f"catalog {where}: {EXTRA}") from None
    options = f"-c lock_timeout={LOCK_TIMEOUT_MS}" + "".join(
        f" -c tcp_{k.removeprefix('tcp_')}={v}"  # the same, as the server's settings
        for k, v in _ALIVE.items() if k != "keepalives")
    try:
        conn = psycopg.connect(where, autocommit=True, connect_timeout=10,
                               application_name=name[:63], options=options, **_ALIVE)
    except psycopg.Error as exc:
        raise pg_error(where, _wrap(psycopg, exc)) from None
    except ValueError as exc:  # libpq could not read the address
        raise SyndicateError(f"catalog {where}: not a usable PostgreSQL address ({exc}); "
                             "write it as postgresql://USER@HOST:PORT/DATABASE") from None
    conn.row_factory = _row_factory
    return PgConnection(conn)


class Unreachable(SyndicateError):
    """The server could not be reached, or the link to it broke (asking again may work)."""


def pg_error(where: PgLocation, exc: BaseException) -> SyndicateError:
    """One clear line for what went wrong with a catalog on PostgreSQL."""
    if isinstance(exc, SyndicateError):
        return exc
    state = getattr(exc, "sqlstate", None) or ""
    text = " ".join(str(exc).split())[:300]
    if not state:  # a refusal while connecting comes with its words only
        if re.search(r"database \S+ does not exist", text):
            state = "3D000"
        elif re.search(r"password authentication failed|no password supplied|"
                       r"role \S+ does not exist", text):
            state = "28P01"
    if state in ("28P01", "28000"):
        return SyndicateError(f"catalog {where}: the server refused the login ({text}); give "
                              "the password in PGPASSWORD or ~/.pgpass (never in config.yaml), "
                              "or check the user name")
    if state == "3D000":
        return SyndicateError(f"catalog {where}: no such database on that server ({text}); "
                              "create it (createdb), then run again")
    if state in ("55P03", *SERIALIZATION):
        return SyndicateError(f"catalog {where}: the catalog is locked by another process (a "
                              "publish or the scheduler is writing to it); try again in a moment")
    if state == "42501":
        return SyndicateError(f"catalog {where}: this user may not use the catalog ({text}); "
                              "grant it the rights to create and write tables in that database")
    if state in ("22021", "22P05"):
        return SyndicateError(f"catalog {where}: a value holds a character PostgreSQL cannot "
                              f"store ({text}); nothing of this run was committed: find the "
                              "text with a NUL character (in a post, an episode or the catalog "
                              "being copied) and remove it")
    if getattr(exc, "connection", False) or state.startswith("08"):
        return Unreachable(f"catalog {where}: the PostgreSQL server cannot be reached "
                           f"({text}); check that it is running and that the host and port "
                           "are right, then run again (nothing was changed)")
    return SyndicateError(f"catalog {where}: PostgreSQL refused a statement ({text}); nothing "
                          "of this run was committed")


# -- the statements whose spelling differs --------------------------------------------------
def spelled(conn, sql: str) -> str:
    """A migration's statement in this engine's words: ``{autoid}``, a table's own id given by
    the database; ``{idkey}``, a key that is such an id. SQLite's ids are 64-bit rowids."""
    if isinstance(conn, PgConnection):
        return (sql.replace("{autoid}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
                .replace("{idkey}", "BIGINT PRIMARY KEY"))
    return sql.replace("{autoid}", "INTEGER PRIMARY KEY").replace("{idkey}", "INTEGER PRIMARY KEY")


def engine_of(conn) -> str:
    """The engine behind ``conn``: "postgresql" or "sqlite"."""
    return "postgresql" if isinstance(conn, PgConnection) else "sqlite"


def tables(conn) -> set[str]:
    if isinstance(conn, PgConnection):
        sql = ("SELECT table_name FROM information_schema.tables "
               "WHERE table_schema = current_schema()")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return {r[0] for r in conn.execute(sql)}


def has_table(conn, table: str) -> bool:
    """Whether the catalog's schema has ``table`` (one quick look, not the list)."""
    if isinstance(conn, PgConnection):
        sql = ("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables "
               "WHERE schemaname = current_schema() AND tablename = ?)")
    else:
        sql = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)"
    return bool(conn.execute(sql, (table,)).fetchone()[0])


def triggers_on(conn, names: tuple[str, ...]) -> int:
    """How many of the triggers ``names`` the catalog's schema has, enabled."""
    if isinstance(conn, PgConnection):
        return conn.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
            "AND t.tgname = ANY(?) AND t.tgenabled <> 'D'", (list(names),)).fetchone()[0]
    marks = ", ".join("?" * len(names))
    return conn.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                        f"({marks})", names).fetchone()[0]


def has_column(conn, table: str, column: str) -> bool:
    if isinstance(conn, PgConnection):
        return conn.execute("SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE "
                            "table_schema = current_schema() AND table_name = ? AND "
                            "column_name = ?)", (table, column)).fetchone()[0]
    return any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))


def header_version(conn) -> int:
    """SQLite's copy of the schema version, read without a table (0 on PostgreSQL)."""
    if isinstance(conn, PgConnection):
        return 0
    return conn.execute("PRAGMA user_version").fetchone()[0]


def set_header_version(conn, number: int) -> None:
    if not isinstance(conn, PgConnection):
        conn.execute(f"PRAGMA user_version = {number:d}")


def analyze(conn) -> None:
    """Have the server count the tables' rows again (after many were written at once), so
    that it reads what is due from an index: without its counts PostgreSQL may scan every
    row (milliseconds at 10,000 items, on each pass of the scheduler). SQLite plans well
    without them."""
    if isinstance(conn, PgConnection):
        for table in ("items", "releases", "outputs"):
            conn.execute(f"ANALYZE {table}")


def ids_follow(conn) -> None:
    """After rows were written with their own ids (a copied catalog): new rows get later ones."""
    if isinstance(conn, PgConnection):
        conn.execute("SELECT setval(pg_get_serial_sequence('items', 'id'), "
                     "COALESCE((SELECT MAX(id) FROM items), 0) + 1, FALSE)")


# -- a lock held on the server for as long as a connection lives ------------------------------
PUBLISH_LOCK = 0x53594E50  # one publish at a time, from any host
LEADER_LOCK = 0x53594E4C  # one releasing scheduler (`syndicate run`) per catalog (leader.py)


def session_name(what: str) -> str:
    """A connection's name on the server: who holds what, for a message on another host (the
    host last, so that only it is cut when the name is longer than the server keeps)."""
    return f"syndicate {what} pid {os.getpid()} on {socket.gethostname()}"[:63]


SILENT_SECONDS = 10  # a session holding a lock that says nothing this long is ended
HEARTBEAT_SECONDS = 2.0  # how often a process holding a lock speaks on its session


_ANEW = "COMMIT; BEGIN ISOLATION LEVEL READ COMMITTED"  # (one message: never idle outside)


def expire_when_silent(conn: PgConnection, *, holds_lock: bool = False) -> threading.Event:
    """Have the server end ``conn``'s session once it has been silent for ``SILENT_SECONDS``
    (in a transaction, and outside one from PostgreSQL 14 on), and speak on it every
    ``HEARTBEAT_SECONDS`` from a thread of its own while this process runs: a process stopped
    (SIGSTOP, a hung host) or cut off loses the locks of that session, as a dead one does.
    ``holds_lock``: the session of a lock (the lease, a publish's), kept inside a transaction
    that each beat ends and begins anew in one message (``_renew``), so that the server ends it
    on any version: PostgreSQL 13 has no limit on a session idle outside a transaction. (Such a
    transaction reads nothing and writes nothing: it keeps no row from vacuum.) Setting the
    returned event stops the heartbeat."""
    stop = threading.Event()
    conn.execute(f"SET idle_in_transaction_session_timeout = '{SILENT_SECONDS}s'")
    if holds_lock:
        conn._run(conn.raw.execute, "BEGIN ISOLATION LEVEL READ COMMITTED")
    else:  # (before PostgreSQL 14, a session outside a transaction lives as its connection)
        with contextlib.suppress(PgError):
            conn.execute(f"SET idle_session_timeout = '{SILENT_SECONDS}s'")

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                if holds_lock:
                    _renew(conn)
                else:
                    conn.execute("SELECT 1")
            except (PgError, Unreachable, OSError):
                return  # the session is gone: its locks with it

    threading.Thread(target=beat, daemon=True).start()
    return stop


def _renew(conn: PgConnection) -> None:
    """End a lock session's transaction and begin the next, in one message: the session is
    never idle outside one (see ``expire_when_silent``)."""
    conn._run(conn.raw.execute, _ANEW)


def still_holds(conn: PgConnection, key: int, backend: int | None = None) -> bool:
    """Whether the session ``backend`` (by default ``conn``'s own) still holds lock ``key``;
    a session the server ended holds nothing."""
    try:
        return bool(conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND objid = ? AND pid = " + ("?" if backend is not None else "pg_backend_pid()")
            + ")", (key, backend) if backend is not None else (key,)).fetchone()[0])
    except (PgError, Unreachable, OSError):
        return False


@contextmanager
def server_lock(where: PgLocation, key: int, what: str, *,
                wait: float = 0.0) -> Iterator[Callable[[], bool]]:
    """Hold PostgreSQL's session lock ``key`` for the block, waiting up to ``wait`` seconds:
    the server drops it when this process dies, loses its connection or is stopped past
    ``SILENT_SECONDS`` (``expire_when_silent``), so a lock is never left stale. The holder's
    host and pid are in its connection's name, for the message. Yields a call saying whether
    the lock is still held."""
    from .locks import LockedError

    conn = connect_pg(where, name=session_name(what))
    beating = threading.Event()
    try:
        try:
            conn.execute(f"SET lock_timeout = {max(int(wait * 1000), 1):d}")
            conn.execute("SELECT pg_advisory_lock(?)", (key,))
        except PgError as exc:
            if exc.sqlstate != "55P03":
                raise pg_error(where, exc) from None
            raise LockedError(f"catalog {where}: {what} is already in progress, held by "
                              f"{_holder(where, key)}; wait for it to finish or stop it") \
                from None
        beating = expire_when_silent(conn, holds_lock=True)
        yield lambda: still_holds(conn, key)
    finally:
        beating.set()
        conn.close()  # the server releases the lock with the session


def holder_of(where: PgLocation, key: int) -> tuple[int, str] | None:
    """(pid, host) of the process whose session holds lock ``key`` (as its connection's name
    says), or None when no session holds it."""
    conn = connect_pg(where)
    try:
        row = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
            "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.objid = ? AND l.database = (SELECT oid FROM pg_database "
            "WHERE datname = current_database())", (key,)).fetchone()
    except PgError as exc:
        raise pg_error(where, exc) from None
    finally:
        conn.close()
    if row is None:
        return None
    found = re.search(r" pid (\d+) on (.*)$", row[0] or "")
    return (int(found[1]), found[2]) if found else (0, "a host it does not name")


def _holder(where: PgLocation, key: int) -> str:
    try:
        held = holder_of(where, key)
    except SyndicateError:
        held = None
    return f"pid {held[0]} on {held[1]}" if held and held[0] else "another process"
