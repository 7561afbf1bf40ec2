"""`syndicate run` on a catalog on PostgreSQL (issue 16): two schedulers, each in a checkout of
its own (as on two hosts), share one catalog and one site. One leads and releases, the other
stands by and says whom it waits for; `status` names the leader; a queue change made from the
other checkout reaches the leader within 5 s; SIGKILL of the leader a second before a release,
or in the middle of its publish: the standby takes over and releases the item exactly once."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import feedparser
import pytest
from test_catalog_run import Run as CatalogRun

from conftest import BASE_CONFIG, BUCKET, Project, png_bytes, post, s3_config, wait_until
from faultproxy import FaultProxy

EXE = Path(sys.executable).with_name("syndicate")
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "syndicate"]
FAST = "scheduler:\n  poll_seconds: 0.3\n  retry_seconds: 1\n"
HOST = socket.gethostname()


class Run(CatalogRun):
    """A `syndicate run` process whose output is read as it comes (test_catalog_run's), which
    a test may kill."""

    def saw(self, text: str, timeout: float = 20) -> bool:
        return super().saw(text, timeout)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.reader.join(timeout=10)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"did not stop on SIGTERM:\n{self.output}") from None
        self.reader.join(timeout=10)
        return self.output


def _cli(proj: Project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args, "--config", str(proj.root / "config.yaml")],
                          cwd=proj.root, capture_output=True, text=True, timeout=120)


def _iso_in(seconds: float) -> str:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return when.replace(microsecond=0).isoformat()


def _checkouts(tmp_path: Path, config: str) -> tuple[Project, Project]:
    """Checkout A, published once; B, a copy of its files (its own state folder), on the same
    catalog and site."""
    a = Project(tmp_path / "a")
    a.root.mkdir()
    a.write("config.yaml", config)
    a.write("cover.png", png_bytes())
    (a.root / "episodes").mkdir()
    a.write("posts/old.md", post("Old post", date="2026-01-01"))
    a.write("posts/winter.md", post("Winter plans", date="2099-12-24"))
    done = _cli(a, "publish")
    assert done.returncode == 0, done.stderr
    b = Project(tmp_path / "b")
    shutil.copytree(a.root, b.root, ignore=shutil.ignore_patterns(".syndicate"))
    return a, b


@pytest.fixture
def pair(tmp_path, pg_url):
    site = tmp_path / "www"
    config = BASE_CONFIG.replace("target: public", f"target: {site}") + FAST \
        + f"catalog: {pg_url}\n"
    a, b = _checkouts(tmp_path, config)
    return a, b, site


def _titles(site: Path) -> list[str]:
    return [e.title for e in feedparser.parse((site / "feed.xml").read_bytes()).entries]


def _state(proj: Project, title: str) -> dict:
    rows = json.loads(_cli(proj, "status", "--json").stdout)
    return next(r for r in rows if r["title"] == title)


def _releases_winter(proj: Project, run: Run) -> None:
    """'Winter plans', queued from ``proj`` for a second from now, is released by ``run``."""
    assert _cli(proj, "queue", "winter", "--at", _iso_in(1)).returncode == 0
    assert run.saw("released post 'Winter plans'", timeout=15), run.output


def _leads(run: Run) -> str:
    return f"leading: this scheduler (pid {run.proc.pid} on {HOST})"


def _waits_for(run: Run) -> str:
    return f"standing by: the scheduler of this catalog runs as pid {run.proc.pid} on {HOST}"


def _up(a: Project, b: Project) -> tuple[Run, Run]:
    """A leads, then B stands by (each said in its log)."""
    first = Run(a)
    assert first.saw(_leads(first)), first.output
    second = Run(b)
    assert second.saw(_waits_for(first)), second.output
    return first, second


@pytest.mark.slow  # six commands as processes beside two schedulers: ~15 s
def test_one_leads_the_other_stands_by_status_names_it_and_a_queue_change_reaches_it(pair):
    a, b, site = pair
    first, second = _up(a, b)
    try:
        shown = _cli(b, "status")
        assert shown.returncode == 0, shown.stderr
        assert f"scheduler: pid {first.proc.pid} on {HOST} releases" in shown.stdout
        assert _state(b, "Old post")["scheduler"] == {"pid": first.proc.pid, "host": HOST}
        # a queue change made from the other checkout reaches the leader within 5 s
        at = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
        queued = _cli(b, "queue", "winter", "--at", at.isoformat())
        assert queued.returncode == 0, queued.stderr
        told = time.monotonic()
        assert first.saw(f"next release at {at.isoformat()}", timeout=5), first.output
        assert time.monotonic() - told < 5
        assert _cli(b, "unqueue", "winter").returncode == 0
        assert wait_until(lambda: first.output.rstrip().endswith("nothing queued"), timeout=5), \
            first.output
        assert _titles(site) == ["Old post"]
    finally:
        out_b, out_a = second.stop(), first.stop()
    assert out_b.count("standing by:") == 1, out_b  # said once
    assert "leading:" not in out_b and "released" not in out_b
    assert out_a.rstrip().endswith("stopped") and out_b.rstrip().endswith("stopped")
    assert "scheduler: none runs" in _cli(b, "status").stdout
    assert _state(b, "Old post")["scheduler"] is None


@pytest.mark.slow
def test_the_leader_killed_a_second_before_a_release_the_standby_releases_it_once(pair):
    a, b, site = pair
    first, second = _up(a, b)
    try:
        at = _iso_in(10)  # room for a slow `queue` and notice: the kill must come before it
        assert _cli(b, "queue", "winter", "--at", at).returncode == 0
        assert first.saw(f"next release at {at}", timeout=5), first.output
        due = dt.datetime.fromisoformat(at)
        time.sleep(max(0.0, (due - dt.datetime.now(dt.UTC)).total_seconds() - 1.0))
        first.kill()
        assert "released" not in first.output
        assert second.saw("released post 'Winter plans'", timeout=15), second.output
        assert dt.datetime.now(dt.UTC) - due < dt.timedelta(seconds=15)
        assert _leads(second) in second.output
        assert _titles(site).count("Winter plans") == 1
        assert _state(a, "Winter plans")["state"] == "released"
    finally:
        out = second.stop()
    assert out.count("released post 'Winter plans'") == 1, out
    assert out.count("standing by:") == 1, out
    assert _titles(site).count("Winter plans") == 1


@pytest.mark.slow
def test_the_leader_killed_during_a_releases_publish_the_standby_releases_it_once(
        tmp_path, pg_url, s3_endpoint, bucket):
    """A's publish of the release goes to S3 through a proxy that SIGKILLs A when the post's
    page arrives; B takes over and publishes the release."""
    runs: list[Run] = []
    killed: list[str] = []

    def schedule(n, method, path):
        if method == "PUT" and "/posts/winter/" in path and not killed:
            killed.append(path)
            return lambda: os.kill(runs[0].proc.pid, signal.SIGKILL)
        return None

    def feed() -> list[str]:
        body = bucket.get_object(Bucket=BUCKET, Key="site/feed.xml")["Body"].read()
        return [e.title for e in feedparser.parse(body).entries]

    with FaultProxy(s3_endpoint, schedule) as proxy:
        a, b = _checkouts(tmp_path, s3_config(proxy.url) + FAST + f"catalog: {pg_url}\n")
        first, second = _up(a, b)
        runs.append(first)
        try:
            assert _cli(b, "queue", "winter", "--at", _iso_in(1)).returncode == 0
            assert wait_until(lambda: first.proc.poll() is not None, timeout=30), first.output
            assert killed and first.proc.returncode == -signal.SIGKILL
            assert second.saw("released post 'Winter plans'", timeout=15), second.output
            assert feed().count("Winter plans") == 1
            assert _state(b, "Winter plans")["state"] == "released"
        finally:
            out = second.stop()
    assert "released" not in first.output, first.output
    assert out.count("released post 'Winter plans'") == 1, out
    assert sorted(feed()) == ["Old post", "Winter plans"]


# -- a partition: the leader's session ended by the server while it runs ----------------------
def _end_lease(pg_url: str) -> int:
    """End the session holding the lease, as the server does when it loses its client; returns
    that session's pid on the server."""
    import psycopg

    from syndicate.engines import LEADER_LOCK

    with psycopg.connect(pg_url, autocommit=True) as conn:
        backend = conn.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = %s "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (LEADER_LOCK,)).fetchone()[0]
        conn.execute("SELECT pg_terminate_backend(%s)", (backend,))
    return backend


def test_a_leader_whose_session_ends_stands_by_and_the_other_takes_over(pair, pg_url):
    a, b, site = pair
    first, second = _up(a, b)
    try:
        _end_lease(pg_url)
        assert first.saw("this scheduler lost the lead", timeout=10), first.output
        assert second.saw(_leads(second), timeout=15), second.output
        assert first.saw(_waits_for(second), timeout=10), first.output
        at = _iso_in(2)
        assert _cli(a, "queue", "winter", "--at", at).returncode == 0
        assert second.saw("released post 'Winter plans'", timeout=15), second.output
    finally:
        out_b, out_a = second.stop(), first.stop()
    assert "released" not in out_a
    assert out_b.count("released post 'Winter plans'") == 1
    assert _titles(site).count("Winter plans") == 1


# -- the fence, through the library: a release recorded only while the lease is held ----------
@pytest.fixture
def queued(pair):
    """Settings of checkout A with 'winter' due now (queued a minute ago)."""
    from syndicate.config import load_config
    from syndicate.release import queue

    a, _b, _site = pair
    settings = load_config(a.root / "config.yaml")
    now = dt.datetime.now(dt.UTC)
    queue(settings, "winter", "now", now=now)
    return settings


def _released(settings) -> list[str]:
    from syndicate.release import states

    return [s["title"] for s in states(settings, now=dt.datetime.now(dt.UTC))
            if s["state"] == "released"]


def test_a_release_by_a_leader_that_lost_its_lease_mid_publish_is_not_recorded(queued, pg_url):
    from syndicate.leader import Lease, NotLeader
    from syndicate.publish import publish
    from syndicate.release import FAILURE_KEY, release_due

    old, new = Lease(queued.catalog_path), Lease(queued.catalog_path)
    try:
        assert old.take() and not new.take()

        def partitioned(settings, **kw):  # the lease lost once the release has begun
            assert _end_lease(pg_url) == old.backend
            assert wait_until(new.take, timeout=10)
            return publish(settings, **kw)

        with pytest.raises(NotLeader, match="lost the lead while releasing"):
            release_due(queued, now=dt.datetime.now(dt.UTC), fence=old.fence,
                        publish_fn=partitioned)
        assert "Winter plans" not in _released(queued)
        from syndicate.catalog import open_catalog

        with open_catalog(queued.catalog_path, commit=False) as cat:
            assert cat.get_meta(FAILURE_KEY) is None  # no failure (and no back-off) recorded
        with pytest.raises(NotLeader):  # nor anything more, once it knows
            release_due(queued, now=dt.datetime.now(dt.UTC), fence=old.fence)
        done = release_due(queued, now=dt.datetime.now(dt.UTC), fence=new.fence)
        assert [r["title"] for r in done.released] == ["Winter plans"]
        again = release_due(queued, now=dt.datetime.now(dt.UTC), fence=new.fence)
        assert again.released == [] and not again.published
        assert _released(queued).count("Winter plans") == 1
    finally:
        old.close()
        new.close()


# -- a standby cut off from the server ----------------------------------------------------------
class Forwarder:
    """127.0.0.1:PORT forwarded to the test server's Unix socket (libpq then talks TCP, with its
    keepalives); ``cut()`` drops every connection and turns new ones away (counted) until
    ``mend()``."""

    def __init__(self, socket_path: str):
        self.path = socket_path
        self.cut_off = threading.Event()
        self.turned_away = 0
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off.is_set():
                self.turned_away += 1
                client.close()
                continue
            server = socket.socket(socket.AF_UNIX)
            server.connect(self.path)
            self.pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.cut_off.set()
        for pair in self.pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
        self.pairs.clear()

    def mend(self) -> None:
        self.cut_off.clear()

    def close(self) -> None:
        self.cut()
        self.listener.close()


def test_a_standby_cut_off_from_the_server_says_so_once_then_takes_over(pair, pg_url):
    import glob
    from urllib.parse import urlsplit

    a, b, site = pair
    folder = dict(p.split("=", 1) for p in urlsplit(pg_url).query.split("&"))["host"]
    forwarder = Forwarder(glob.glob(f"{folder}/.s.PGSQL.*")[0])
    try:
        path = b.root / "config.yaml"
        tcp = f"postgresql://postgres@127.0.0.1:{forwarder.port}/{urlsplit(pg_url).path[1:]}"
        path.write_text(path.read_text().replace(f"catalog: {pg_url}", f"catalog: {tcp}"))
        first, second = _up(a, b)
        try:
            forwarder.cut()
            assert second.saw("the PostgreSQL server cannot be reached", timeout=15), \
                second.output
            assert wait_until(lambda: forwarder.turned_away >= 6, timeout=15)  # asked again
            forwarder.mend()
            first.stop()
            assert second.saw(_leads(second), timeout=15), second.output
            _releases_winter(a, second)
        finally:
            out = second.stop()
            first.stop()
    finally:
        forwarder.close()
    assert out.count("cannot be reached") == 1, out  # said once, not at every try
    assert "Traceback" not in out
    assert _titles(site).count("Winter plans") == 1


# -- a leader stopped past its lease (SIGSTOP), then continued ---------------------------------
@pytest.mark.slow  # the lease runs out: ~25 s
def test_a_leader_stopped_past_its_lease_mid_publish_writes_nothing_more_once_continued(
        tmp_path, pg_url, s3_endpoint, bucket):
    """A's publish of the release goes to S3 through a proxy that SIGSTOPs A when the post's
    page arrives. Its lease runs out while it is stopped (the server ends its silent session),
    B takes over and releases the post; A, continued, writes no feed, manifest or delete (only
    writes that had passed their check when it stopped may still go out), records nothing and
    stands by."""
    from syndicate.engines import SILENT_SECONDS as LEASE_SECONDS

    runs: list[Run] = []
    stopped: list[float] = []

    def schedule(n, method, path):
        if method == "PUT" and "/posts/winter/" in path and not stopped:
            os.kill(runs[0].proc.pid, signal.SIGSTOP)  # (then the page is stored, its answer
            stopped.append(time.monotonic())            # read once A is continued)
        return None

    def objects() -> dict[str, str]:
        pages = bucket.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="site/")
        return {o["Key"]: o["ETag"] for page in pages for o in page.get("Contents", [])}

    def feed() -> list[str]:
        body = bucket.get_object(Bucket=BUCKET, Key="site/feed.xml")["Body"].read()
        return [e.title for e in feedparser.parse(body).entries]

    with FaultProxy(s3_endpoint, schedule) as proxy:
        a, b = _checkouts(tmp_path, s3_config(proxy.url) + FAST + f"catalog: {pg_url}\n")
        first, second = _up(a, b)
        runs.append(first)
        try:
            assert _cli(b, "queue", "winter", "--at", _iso_in(1)).returncode == 0
            assert wait_until(lambda: bool(stopped), timeout=30), first.output
            assert second.saw(_leads(second), timeout=LEASE_SECONDS + 15), second.output
            assert time.monotonic() - stopped[0] >= LEASE_SECONDS - 1  # not before it ran out
            assert second.saw("released post 'Winter plans'", timeout=15), second.output
            assert feed().count("Winter plans") == 1
            live = objects()
            resumed = time.monotonic()
            first.proc.send_signal(signal.SIGCONT)
            assert first.saw("lost the lead", timeout=20), first.output
            assert first.saw(_waits_for(second), timeout=20), first.output
            # once continued it begins no phase: only writes that had passed their check when
            # it stopped (at most one per upload thread, of the pages under way) may go out;
            # no feed, no manifest, no delete: those are the new leader's
            late = [(s.method, s.path) for s in proxy.seen if s.begun >= resumed
                    and s.method in ("PUT", "DELETE", "POST")]
            assert len(late) <= 8 and all(m == "PUT" and p.endswith((".html", ".xml"))
                                          and "/feed" not in p and "/podcast." not in p
                                          and "/atom." not in p for m, p in late), late
            now = objects()
            for key in ("feed.xml", "atom.xml", "feed.json", "podcast.xml",
                        ".syndicate/manifest.json"):
                assert now.get(f"site/{key}") == live.get(f"site/{key}"), key
            assert feed().count("Winter plans") == 1
            assert _state(b, "Winter plans")["state"] == "released"
        finally:
            if first.proc.poll() is None:
                first.proc.send_signal(signal.SIGCONT)
            out_b, out_a = second.stop(), first.stop()
    assert "released" not in out_a and "release failed" not in out_a, out_a  # nor noted
    assert out_b.count("released post 'Winter plans'") == 1, out_b


def _lock_sessions(pg_url: str, pid: int) -> list[str]:
    """The states of the server sessions of process ``pid`` that hold an advisory lock."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT a.state FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE %s",
            (f"syndicate % pid {pid} on %",))]


@pytest.mark.slow  # the lease runs out: ~15 s
def test_a_stopped_leader_loses_its_lease_without_the_idle_session_limit(pair, pg_url):
    """PostgreSQL 13 has no limit on a session idle outside a transaction: the lease's session
    is never idle outside one (its heartbeat ends its transaction and begins the next in one
    message), so the server's limit on a silent transaction (9.6 on) ends it when the leader
    stops speaking, and the standby takes over."""
    from syndicate.engines import HEARTBEAT_SECONDS, SILENT_SECONDS

    a, b, site = pair
    first, second = _up(a, b)
    try:
        seen: list[str] = []
        until = time.monotonic() + 2.5 * HEARTBEAT_SECONDS  # (samples across beats)
        while time.monotonic() < until:
            seen += _lock_sessions(pg_url, first.proc.pid)
        assert seen and set(seen) <= {"idle in transaction", "active"}, seen
        os.kill(first.proc.pid, signal.SIGSTOP)
        assert second.saw(_leads(second), timeout=SILENT_SECONDS + 15), second.output
        assert _lock_sessions(pg_url, first.proc.pid) == []
        _releases_winter(a, second)
        first.proc.send_signal(signal.SIGCONT)
        assert first.saw("lost the lead", timeout=20), first.output
    finally:
        if first.proc.poll() is None:
            first.proc.send_signal(signal.SIGCONT)
        out_b, out_a = second.stop(), first.stop()
    assert "released" not in out_a
    assert out_b.count("released post 'Winter plans'") == 1
    assert _titles(site).count("Winter plans") == 1


def _moved_in_psql_is_released(pair, pg_url: str, replica: bool, within: float) -> None:
    """Winter queued an hour ahead (the leader says so), then moved to three seconds from now
    by hand in psql (in replica mode: no trigger fires): released by the leader within
    ``within`` seconds, once."""
    import psycopg

    a, b, site = pair
    first, second = _up(a, b)
    try:
        later = _iso_in(3600)
        assert _cli(b, "queue", "winter", "--at", later).returncode == 0
        assert first.saw(f"next release at {later}", timeout=10), first.output
        soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)).replace(microsecond=0)
        with psycopg.connect(pg_url, autocommit=True) as conn:
            if replica:
                conn.execute("SET session_replication_role = replica")
            conn.execute("UPDATE releases SET at = %s", (soon.isoformat(),))
        assert first.saw("released post 'Winter plans'", timeout=within), first.output
    finally:
        out_b, _out_a = second.stop(), first.stop()
    assert "released" not in out_b
    assert _titles(site).count("Winter plans") == 1


def test_a_release_time_moved_by_hand_in_psql_reaches_the_leader(pair, pg_url):
    """Every write to the items or the queue is told to the leader by a trigger, not only the
    commits syndicate makes: a time moved earlier in psql is released then, not at the old
    time."""
    _moved_in_psql_is_released(pair, pg_url, replica=False, within=15)


@pytest.mark.slow  # the queue read again within RELOOK_SECONDS: ~35 s
def test_a_release_time_moved_with_the_triggers_off_is_read_within_the_relook(pair, pg_url):
    """A write that tells no one (a session in replica mode, as data-loading tools use, fires
    no trigger) still reaches the leader: it reads the queue again at least every
    RELOOK_SECONDS."""
    from syndicate.runner import RELOOK_SECONDS

    _moved_in_psql_is_released(pair, pg_url, replica=True, within=RELOOK_SECONDS + 15)


def test_a_standby_whose_session_the_server_ends_stays_and_takes_over_later(pair, pg_url):
    """A server restart ends every session: the standby asks again on a new one (it does not
    quit), and takes over when the leader stops."""
    import psycopg

    a, b, site = pair
    first, second = _up(a, b)
    try:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            ended = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                "application_name LIKE %s", (f"syndicate run pid {second.proc.pid} on %",)
            ).fetchall()
        assert ended, "no session of the standby"
        assert second.saw(_waits_for(first), timeout=10), second.output
        assert wait_until(lambda: second.output.count(_waits_for(first)) >= 1
                          and second.proc.poll() is None, timeout=5), second.output
        first.stop()
        assert second.saw(_leads(second), timeout=20), second.output
        _releases_winter(a, second)
    finally:
        out_b = second.stop()
        if first.proc.poll() is None:
            first.stop()
    assert out_b.count("released post 'Winter plans'") == 1
    assert _titles(site).count("Winter plans") == 1
