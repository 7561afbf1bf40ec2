"""``syndicate run``: the long-running scheduler that releases each item at its time.

The catalog holds every release time; APScheduler only wakes the process. Its jobs live in
memory and are rebuilt from the catalog on start and whenever the catalog changes, so none of
APScheduler's persistent-store failure modes apply (a missed job dropped after its grace time, a
job deleted when its function's module moves, the row deleted as the job starts, one job run by
two processes sharing a store). One job, ``release``, is set for the next release time (or now,
when something is due); another, ``watch``, looks every few seconds for changes made from the
command line (``PRAGMA data_version``) and for new or edited files in posts/ and episodes/.

Only one scheduler runs per catalog: on SQLite, a lock beside it names the process that holds
it; on PostgreSQL, schedulers on several hosts may run, and the one holding the lease on the
server (leader.py) releases while the others stand by, ready to take over. There the ``watch``
job reads the notices of the catalog's commits in place of ``data_version``, and checks the
lease is still held.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from . import engines
from .catalog import open_catalog
from .collect import collect
from .config import Settings
from .errors import SyndicateError
from .leader import STANDBY_SECONDS, Lease, NotLeader, wait_for_lead
from .locks import LockedError, process_lock, publish_lock
from .release import MAX_RETRY, next_wake, release_due
from .urls import redact_text
from .when import stored

log = logging.getLogger("syndicate.run")
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


RELOOK_SECONDS = 30.0  # the queue read again at least this often, whatever the file says


class Runner:
    """Release items on time. ``clock`` gives the current time (injected in tests)."""

    def __init__(self, settings: Settings, *, clock: Clock = system_clock, blocking: bool = True,
                 lease: Lease | None = None):
        self.settings = settings
        self.lease = lease  # a catalog on PostgreSQL: the lead this runner holds
        self.lost = False  # it lost the lead (and stopped to stand by)
        self.clock = clock
        cls = BlockingScheduler if blocking else BackgroundScheduler
        self.scheduler = cls(timezone=dt.UTC, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        self._lock = threading.Lock()
        self._identity_lock = threading.Lock()
        self._stopping = False
        self._watch_lock = threading.Lock()  # what the watch saw of the file, for both jobs
        self._data_version: tuple | None = None
        self._looked = 0.0  # (monotonic) when the queue was last read whatever the file said
        self._releasing = False  # a release pass runs: it sets the next wake-up when done
        self._sources_sig: tuple | None = None
        self.next_at: dt.datetime | None = None
        self.releases = 0  # release passes that published something
        self._identity: tuple[int, int] | None = None  # the catalog file we read the queue from
        self.error: str | None = None  # why it stopped by itself
        self._said: str | None = None  # the error the last wake-up's read of the catalog gave
        self._failures = 0  # release passes failed in a row that the catalog could not record
        self._retry_at: dt.datetime | None = None  # and when the next is tried

    # -- the two jobs ------------------------------------------------------------------------
    def release(self) -> None:
        """Release whatever is due now in one publish, then set the next wake-up. What fell
        due during a pass that published is released by another pass at once: a job set for
        now, from inside this one, would find this one still running and be skipped."""
        while self._same_catalog():
            self._releasing = True
            try:
                published = self._release_pass()
            finally:
                self._releasing = False
            if published is None:  # the lead was lost
                return
            self._seen_changes()  # its own commits: read below, not again by the next watch
            if not self.reschedule(passed=published):
                return

    def _release_pass(self) -> bool | None:
        """One release_due, its outcome logged: whether it published (None: the lead was
        lost)."""
        now = self.clock()
        try:
            outcome = release_due(self.settings, now=now, lock_wait=60.0,
                                  fence=self.lease.fence if self.lease else None)
        except NotLeader as exc:
            self._lose(str(exc))
            return None
        except LockedError as exc:  # a publish holds the lock longer than we waited
            log.error("release failed: %s", redact_text(exc))
            return False
        except SyndicateError as exc:  # one the catalog could not record (a full disk):
            self._failures += 1        # the same doubling wait, kept here
            wait = min(dt.timedelta(seconds=self.settings.config.scheduler.retry_seconds)
                       * 2 ** (self._failures - 1), MAX_RETRY)
            self._retry_at = now + wait
            log.error("release failed: %s; next attempt at %s", redact_text(exc),
                      self._retry_at.astimezone(dt.UTC).isoformat(timespec="seconds"))
            return False
        self._failures, self._retry_at = 0, None
        for item in outcome.released:
            late = (now - stored(item["release_at"])).total_seconds()
            log.info("released %s %r (%s), due %s, %.1f s after its time", item["kind"],
                     item["title"], item["source"], item["release_at"], max(late, 0.0))
        if outcome.published:
            self.releases += 1
        if outcome.error:
            log.error("release failed: %s; next attempt at %s", redact_text(outcome.error),
                      outcome.next_attempt.astimezone(dt.UTC).isoformat(timespec="seconds"))
        for done in outcome.after:  # the CDN told (see publish/after.py)
            log.info("%s", done)
        for warning in outcome.warnings:
            log.warning("%s", redact_text(warning))
        return outcome.published

    def watch(self) -> None:
        """Pick up queue changes made from the command line and new or edited source files."""
        if not self._same_catalog():
            return
        if self.lease and not self.lease.held():
            self._lose(f"catalog {self.settings.catalog_path}: this scheduler lost the lead "
                       "(its connection to the server broke or was ended)")
            return
        sig = self._sources()
        if sig != self._sources_sig:
            try:
                with (publish_lock(self.settings),
                      open_catalog(self.settings.catalog_path) as cat):
                    report = collect(self.settings, cat, now=self.clock())
                self._sources_sig = sig
                if report.created or report.updated:
                    log.info("collected %d new and %d changed items", len(report.created),
                             len(report.updated))
                for warning in report.warnings:  # (a copy held back, say: why it waits)
                    log.warning("%s", redact_text(warning))
            except LockedError:
                pass  # a release is publishing (and collecting): look again next time
            except SyndicateError as exc:
                log.warning("collect: %s", redact_text(exc))
        # (a release pass running now reads the catalog again when it is done)
        if self._catalog_changed() and not self._releasing:
            self.reschedule()

    # -- wake-ups ------------------------------------------------------------------------------
    def reschedule(self, *, passed: bool | None = None) -> bool:
        """Set the release job for the next wake-up the catalog gives. ``passed``: called at
        the end of a release pass, which published (True) or not (False); then a wake-up
        already come is not set: True is returned for a pass that published (the caller
        passes again at once), and one that did not is tried again after ``poll_seconds``."""
        with self._lock:
            if self._stopping:  # APScheduler's shutdown holds its job store while it waits
                return False    # for running jobs: adding one now would wait forever
            now = self.clock()
            try:
                with open_catalog(self.settings.catalog_path, commit=False) as cat:
                    when = next_wake(cat, now)
            except SyndicateError as exc:
                said = redact_text(exc)
                if said != self._said:  # (once, not at every look while it lasts)
                    log.error("%s", said)
                self._said = said
                if self._retry_at is None:
                    return False
                when = self._retry_at  # a failed release is tried again all the same
            else:
                self._said = None
            if when is not None and self._retry_at is not None and when < self._retry_at:
                when = self._retry_at  # (a failure the catalog could not record: see above)
            if passed is not None and when is not None and when <= now:
                self.next_at = when
                if passed:
                    return True
                when = now + dt.timedelta(seconds=self.settings.config.scheduler.poll_seconds)
            elif when == self.next_at and self.scheduler.get_job("release"):
                return False
            self.next_at = when
            if when is None:
                if self.scheduler.get_job("release"):
                    self.scheduler.remove_job("release")
                log.info("nothing queued")
                return False
            # the scheduler runs on the real clock: translate the wait, not the instant
            run_at = system_clock() + max(when - now, dt.timedelta(0))
            self.scheduler.add_job(self.release, "date", run_date=run_at, id="release",
                                   replace_existing=True)
            if when > now and passed is not False:
                log.info("next release at %s", when.isoformat(timespec="seconds"))
            return False

    # -- the catalog file itself ----------------------------------------------------------------
    def _file_identity(self) -> tuple[int, int] | None:
        """(device, inode) of the catalog file; None when it is gone."""
        try:
            st = os.stat(self.settings.catalog_path)
        except FileNotFoundError:
            return None
        except OSError:
            return self._identity  # cannot tell: go on with the one we know
        return st.st_dev, st.st_ino

    def _same_catalog(self) -> bool:
        """Whether the catalog is still the file the scheduler started with. A deleted one stops
        the scheduler (a new one would have no queue: queued items would go out at their own
        dates); a replaced one is reopened, unless it is empty or cannot be used."""
        if self.lease:  # a database on a server: no file to be deleted or replaced
            return not self.error and not self.lost
        with self._identity_lock:  # the release and watch jobs run in threads of their own
            return self._check_catalog()

    def _check_catalog(self) -> bool:
        identity = self._file_identity()
        if identity == self._identity or self.error:
            return not self.error
        path = self.settings.catalog_path
        self._close_watch()
        if identity is None:
            return self._give_up(
                f"{path}: the catalog was deleted while the scheduler ran; nothing more is "
                "released. Restore it from a backup (a new, empty one would not know the "
                "release queue), then start syndicate run again")
        log.warning("%s: the catalog was replaced by another file (inode %d, was %d); reading "
                    "the queue from the new one", path, identity[1],
                    self._identity[1] if self._identity else 0)
        self._identity = identity
        try:
            with open_catalog(path, commit=False) as cat:
                items = len(cat.all_items())
        except SyndicateError as exc:
            return self._give_up(f"{exc} (it replaced the catalog while the scheduler ran)")
        if not items:
            return self._give_up(
                f"{path}: the catalog was replaced by an empty one while the scheduler ran; "
                "stopping rather than release from it (it knows no release queue): restore the "
                "catalog from a backup, then start syndicate run again")
        self.next_at = None
        self.reschedule()
        return True

    def _lose(self, message: str) -> None:
        """The lease is gone: stop releasing (another scheduler may lead now) and stand by."""
        if not self.lost:
            self.lost = True
            log.warning("%s; standing by", redact_text(message))
            threading.Thread(target=self.stop, daemon=True).start()

    def _give_up(self, message: str) -> bool:
        self.error = message
        log.error("%s", message)
        threading.Thread(target=self.stop, daemon=True).start()  # not from a job: it waits
        return False

    def _close_watch(self) -> None:
        with self._watch_lock:
            self._data_version = None

    def _catalog_changed(self) -> bool:
        # (the queue is read again at least every RELOOK_SECONDS all the same: a write made
        # with the triggers off tells no notice, a filesystem may keep coarse times)
        relook = self._relook_due()
        if self.lease:  # the notices
            return self.lease.changed() or relook
        with self._watch_lock:
            version = self._version()
            if version is None:
                return True
            changed, self._data_version = version != self._data_version, version
            return changed or relook

    def _relook_due(self) -> bool:
        """Whether RELOOK_SECONDS passed since the queue was last read again regardless; if
        so, they count again from now."""
        if time.monotonic() - self._looked < RELOOK_SECONDS:
            return False
        self._looked = time.monotonic()
        return True

    def _seen_changes(self) -> None:
        """Take what was committed to the catalog until now as seen by the watch (on SQLite):
        the caller reads the catalog next."""
        if self.lease:
            return
        with self._watch_lock:
            version = self._version()
            if version is not None:
                self._data_version = version

    def _version(self) -> tuple | None:
        """A signature of the catalog's file and of its write-ahead log, by stat: any commit
        changes one of them (a frame added to the log, the log written back into the file).
        The scheduler holds no connection to the catalog between its passes (SQLite's
        data_version would need one): at rest the catalog is its file alone, which a backup
        moved over it replaces whole (an open connection keeps the old file's log, which SQLite
        then lays over the new one). None: it cannot be looked at."""
        path = self.settings.catalog_path
        sig: list = []
        for file in (path, path.with_name(path.name + "-wal")):
            try:
                st = os.stat(file)
            except FileNotFoundError:
                sig.append(None)
                continue
            except OSError as exc:  # named by the next open; look again next time
                log.debug("watching the catalog: %s", exc)
                return None
            # (an empty log is a reader's, made and removed by every open: not a change)
            sig.append((st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                       if st.st_size or file == path else None)
        return tuple(sig)

    def _sources(self) -> tuple:
        """A signature of posts/ and episodes/ and the folders in them: a cheap stat of folders
        (adding, removing or renaming a file, or saving it the way editors do, changes it)."""
        sig = []
        for folder in (self.settings.posts_dir, self.settings.episodes_dir):
            try:
                sig.append((str(folder), os.stat(folder).st_mtime_ns))
                sig += sorted((e.path, e.stat().st_mtime_ns) for e in os.scandir(folder)
                              if e.is_dir() and not e.name.startswith("."))
            except OSError:
                sig.append((str(folder), None))
        return tuple(sig)

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> None:
        """Rebuild the jobs from the catalog and start (blocks for a BlockingScheduler)."""
        poll = self.settings.config.scheduler.poll_seconds
        self._sources_sig = self._sources()
        self._identity = self._file_identity()  # before reading the queue from it
        self.reschedule()  # creates the catalog if need be
        if self.settings.catalog_on_server:  # the server's counts, for its plans (engines.py)
            with (contextlib.suppress(SyndicateError),
                  open_catalog(self.settings.catalog_path) as cat):
                engines.analyze(cat.conn)
        if self._identity is None:
            self._identity = self._file_identity()
        self._catalog_changed()
        self.scheduler.add_job(self.watch, "interval", seconds=poll, id="watch")
        with self._lock:
            if self._stopping:  # stopped (a signal) while it started
                return
        self.scheduler.start()

    def stop(self, wait: bool = True) -> None:
        with self._lock:
            self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        self._close_watch()


def run(settings: Settings) -> None:
    """Run the scheduler until SIGTERM or SIGINT. On SQLite, refuse if one already runs on this
    catalog; on PostgreSQL, stand by while another leads, and take over when it stops."""
    if settings.catalog_on_server:
        _run_on_server(settings)
        return
    with process_lock(settings.state_dir / "scheduler.lock", "the scheduler (syndicate run)"):
        with open_catalog(settings.catalog_path, commit=False) as cat:
            cat.check()  # a catalog that cannot be opened or read stops the start, with its reason
        runner = Runner(settings)
        _on_signals(lambda: runner.stop())
        log.info("scheduler started for %s (pid %d)", settings.catalog_path, os.getpid())
        runner.start()
        log.info("stopped")
        if runner.error:
            raise SyndicateError(runner.error)


def _run_on_server(settings: Settings) -> None:
    """Lead or stand by, in turn, until stopped."""
    with open_catalog(settings.catalog_path, commit=False) as cat:
        cat.check()
    stopping = threading.Event()
    current: list[Runner] = []

    def stop() -> None:
        stopping.set()
        if current:
            current[-1].stop()

    _on_signals(stop)
    where, me = settings.catalog_path, f"pid {os.getpid()} on {socket.gethostname()}"
    log.info("scheduler started for %s (%s)", where, me)
    lease = Lease(where)
    try:
        while wait_for_lead(lease, stopping):
            log.info("leading: this scheduler (%s) releases from %s", me, where)
            runner = Runner(settings, lease=lease)
            current.append(runner)
            if stopping.is_set():
                break
            runner.start()
            if runner.error:
                raise SyndicateError(runner.error)
            if not runner.lost:
                break
            lease.close()  # whatever is left of the session: ask anew, once the others
            stopping.wait(3 * STANDBY_SECONDS)  # have asked (its link may be the bad one)
    finally:
        lease.close()
    log.info("stopped")


def _on_signals(stop: Callable[[], None]) -> None:
    def handler(signum, _frame):
        log.info("stopping (%s)", signal.Signals(signum).name)
        threading.Thread(target=stop, daemon=True).start()  # not here: it waits for the jobs

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
