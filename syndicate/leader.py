"""Which `syndicate run` releases, when several on different hosts share a catalog on PostgreSQL.

The leader holds PostgreSQL's session lock ``LEADER_LOCK`` on a connection of its own (the
lease). The server drops it when that session ends: the process killed (even by SIGKILL), its
host gone, or the link cut, so a lease is never left stale and another process takes over as
soon as it asks again. The others stand by, asking every second.

A leader that lost its lease in the middle of a release (a partition) must not record that
release: the transaction that records one (publish's ``_record``, which also takes the
catalog's writer lock) first checks, on the server, that the lease is still held by this
leader's session (``Lease.fence``); if not, nothing is recorded and the item is still due for
the new leader. Whoever records it, an item is marked released only while it is not yet (the
claim, under the writer lock): released once.

A leader stopped (SIGSTOP, a hung host) or cut off keeps no lease: its session ends once it has
been silent for ``engines.SILENT_SECONDS``, and a thread of its own speaks on it while it runs
(``engines.expire_when_silent``; so does any publish's lock). A leader continued past its lease
must not write either: its publish asks the server (``fence``) before the target is first
written, before each write begun ``GUARD_SECONDS`` or more after the last ask, and before the
deletes (publish's ``_guarded``), so once continued it begins no later phase of that publish
(the feeds go last), no delete and no record: only writes that had passed that check when it
stopped may still go out (S3 cannot refuse a write for want of a lease).

The lease's session is kept inside a transaction (``expire_when_silent``: so the server ends it
when the leader stops speaking, on PostgreSQL 13 too), and a session inside one is told of no
notice: a second connection of the leader LISTENs for the notice every commit that wrote sends
(``engines.CHANGED``), so a queue change made on any host reaches the leader at its next look.
"""

from __future__ import annotations

import logging
import threading

from .engines import (
    CHANGED,
    LEADER_LOCK,
    PgConnection,
    PgError,
    PgLocation,
    Unreachable,
    connect_pg,
    expire_when_silent,
    holder_of,
    pg_error,
    session_name,
    still_holds,
)
from .errors import SyndicateError

log = logging.getLogger("syndicate.run")
STANDBY_SECONDS = 1.0  # how often a standby asks for the lease
GUARD_SECONDS = 1.0  # a write begun this long after the last ask asks again (well within
# SILENT_SECONDS - HEARTBEAT_SECONDS: a lease seen held that long ago cannot have lapsed since
# unless this process was stopped, and then the next write asks)
WHAT = "run"  # the sessions' name: "syndicate run pid N on HOST"


class NotLeader(SyndicateError):
    """This scheduler no longer holds the lease: another may be releasing."""


class Lease:
    """The leader's lock on the server, and the notices of catalog changes."""

    def __init__(self, where: PgLocation):
        self.where = where
        self.conn: PgConnection | None = None
        # the notices come on a connection of their own: the lease's stays inside a
        # transaction (expire_when_silent), and a session in one is told nothing
        self.listener: PgConnection | None = None
        self._hearing = threading.Event()
        self.backend: int | None = None  # the lease session's pid on the server
        self._changed = threading.Event()
        self._away = False  # the server could not be reached (said once)
        self._beating = threading.Event()  # set: the heartbeat stops

    def _connect(self) -> PgConnection:
        if self.conn is None:
            self.conn = connect_pg(self.where, name=session_name(WHAT))
            self.backend = self.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            self._beating.set()
            self._beating = expire_when_silent(self.conn, holds_lock=True)
        return self.conn

    def take(self) -> bool:
        """Take the lease if no one holds it; whether this process now holds it."""
        had = self.conn is not None  # (a session the server ended: ask again on a new one)
        try:
            conn = self._connect()
            got = conn.execute("SELECT pg_try_advisory_lock(?)", (LEADER_LOCK,)).fetchone()[0]
            self._away = False
            if got:
                self._listen()
                self._changed.set()  # read the queue afresh
            return bool(got)
        except (PgError, Unreachable) as exc:
            self.close()
            said = pg_error(self.where, exc)
            if not isinstance(said, Unreachable) and not had:
                raise said from None
            if not self._away:  # the server is away: ask again later (said once)
                log.warning("%s; asking again every %.0f s", said, STANDBY_SECONDS)
            self._away = True
            return False

    def held(self) -> bool:
        """Whether the lease is still ours (asked of the server: a lost link drops it). The
        notices that came meanwhile are read on the way."""
        if self.conn is None:
            return False
        try:
            return bool(self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND objid = ? AND pid = pg_backend_pid())", (LEADER_LOCK,)).fetchone()[0])
        except PgError as exc:
            log.debug("the lease's connection: %s", exc)
            self.close()
            return False

    def _listen(self) -> None:
        if self.listener is None:
            self.listener = connect_pg(self.where, name=session_name(WHAT))
            self.listener.raw.add_notify_handler(lambda _notice: self._changed.set())
            self.listener.execute(f"LISTEN {CHANGED}")
            self._hearing.set()
            self._hearing = expire_when_silent(self.listener)  # (its beat reads the notices)

    def changed(self) -> bool:
        """Whether a commit that wrote to the catalog was noticed since the last call (a lost
        listening connection: yes, and it listens again)."""
        try:
            if self.listener is None:
                self._listen()
                self._changed.set()  # (what came while it did not listen: read afresh)
            else:
                self.listener.execute("SELECT 1")  # the notices that came are read
        except (PgError, Unreachable) as exc:
            log.debug("the catalog's notices: %s", exc)
            self._close_listener()
            self._changed.set()
        seen = self._changed.is_set()
        self._changed.clear()
        return seen

    def fence(self, cat, doing: str = "releasing") -> None:
        """Inside the transaction that records a release (and before writes to the target):
        refuse unless this leader's session still holds the lease (another may have taken
        over: it releases the item)."""
        if not still_holds(cat.conn, LEADER_LOCK, self.backend or 0):
            raise NotLeader(f"catalog {self.where}: this scheduler lost the lead while "
                            f"{doing}; nothing more of this release was written or recorded "
                            "(the scheduler that leads now releases it)")

    def _close_listener(self) -> None:
        self._hearing.set()
        if self.listener is not None:
            self.listener.close()
            self.listener = None

    def close(self) -> None:
        self._close_listener()
        self._beating.set()
        if self.conn is not None:
            self.conn.close()  # the server drops the lease with the session
            self.conn = None
            self.backend = None


def leader(where: PgLocation) -> dict | None:
    """The scheduler releasing from the catalog at ``where``: {"pid", "host"}, or None."""
    held = holder_of(where, LEADER_LOCK)
    return {"pid": held[0], "host": held[1]} if held else None


def wait_for_lead(lease: Lease, stopping: threading.Event) -> bool:
    """Stand by until the lease is ours (True) or ``stopping`` is set (False). Says once whom
    it waits for, and again when the leader changes."""
    said = None
    while not stopping.is_set():
        if lease.take():
            return True
        try:
            now = leader(lease.where)
        except SyndicateError as exc:
            now = None
            log.debug("who leads: %s", exc)
        if now and now != said:
            log.info("standing by: the scheduler of this catalog runs as pid %d on %s; taking "
                     "over when it stops", now["pid"], now["host"])
            said = now
        stopping.wait(STANDBY_SECONDS)
    return False
