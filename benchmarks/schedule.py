"""Benchmark: the release queue and the scheduler (`syndicate run`) at 10,000 releases.

Generates a project of 10,000 posts (plus 100 for the latency run), collects it, and prints:

- the time to queue 10,000 releases (one call of the library's ``queue_many``, as
  ``syndicate queue ITEM... --at WHEN`` does);
- the scheduler's start-up time (process start until it has rebuilt its jobs from the catalog
  and logged its next release);
- the CPU it uses while idle for 60 s (user + system time of the process over wall time);
- release latency, from each item's scheduled time to the moment its entry is in feed.xml on
  the local target, median and p99 over 100 releases spread over a minute;
- the time to catch up 10,000 releases that fell due while the scheduler was down, and in how
  many publishes.

Targets (issue 6): start-up under 2 s, idle CPU under 1 %, p99 latency under 1 s, catch-up under
30 s in a handful of publishes.

With ``--catalog postgresql://...`` (or ``--catalog postgresql`` alone: a PostgreSQL 16 from
pgserver, the test extras, started in a temporary folder) the catalog is on that server, and
one more figure follows (issue 16): the failover time. A second checkout of the same project
starts `syndicate run` beside the first (which leads; it stands by), a release is queued from
it, the leader is SIGKILLed one second before it falls due, and the time from the kill to the
first release by the new leader is printed (target under 15 s), with the machinery of
``takeover.py``.

    python benchmarks/schedule.py [--items 10000] [--idle 60] [--latency 100]
                                  [--catalog postgresql[://...]]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from publish import SITE  # the publish benchmark's site and show

CONFIG = SITE + "scheduler:\n  poll_seconds: 2\n"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class FeedWatcher(threading.Thread):
    """Notes the moment each post title first appears in feed.xml (polled every 5 ms)."""

    def __init__(self, feed: Path):
        super().__init__(daemon=True)
        self.feed, self.seen, self.running = feed, {}, True

    def run(self) -> None:
        last = None
        while self.running:
            try:
                stat = self.feed.stat()
                key = (stat.st_mtime_ns, stat.st_size)
                if key != last:
                    last = key
                    stamp = now()
                    for title in re.findall(rb"<title>(Post [^<]+)</title>",
                                            self.feed.read_bytes()):
                        self.seen.setdefault(title.decode(), stamp)
            except OSError:
                pass
            time.sleep(0.005)


def start_scheduler(root: Path, exe: str) -> tuple[subprocess.Popen, float, list[str]]:
    """Start `syndicate run`; returns the process, its start-up time and its log lines."""
    lines: list[str] = []
    t = time.perf_counter()
    proc = subprocess.Popen([exe, "run", "--config", str(root / "config.yaml")], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line.rstrip())
            if "next release at" in line or "nothing queued" in line or "released" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(60):
        sys.exit("the scheduler did not start:\n" + "\n".join(lines))
    return proc, time.perf_counter() - t, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--idle", type=float, default=60.0)
    parser.add_argument("--latency", type=int, default=100)
    parser.add_argument("--catalog", default="",
                        help="a postgresql:// address, or 'postgresql' for a server of its own")
    args = parser.parse_args()

    from conftest import png_bytes  # the tests' own PNG writer
    from syndicate.catalog import open_catalog
    from syndicate.collect import collect
    from syndicate.config import load_config
    from syndicate.release import queue_many

    exe = str(Path(sys.executable).with_name("syndicate"))
    root = Path(tempfile.mkdtemp(prefix="syndicate-schedule-bench-"))
    server, url = None, args.catalog
    if url == "postgresql":
        from conftest import PgServer

        (root / "pg").mkdir()
        server = PgServer(root / "pg")
        url = server.database()
        root = root / "a"
    try:
        (root / "posts").mkdir(parents=True)
        (root / "episodes").mkdir()
        (root / "config.yaml").write_text(CONFIG + (f"catalog: {url}\n" if url else ""))
        (root / "cover.png").write_bytes(png_bytes())
        total = args.items + args.latency
        for i in range(total + bool(url)):  # (one more to release in the failover)
            (root / "posts" / f"p{i:05d}.md").write_text(
                f"---\ntitle: Post {i:05d}\ndate: 2099-01-01\n---\n\nBody of post {i}, with a "
                f"[link](https://example.org/{i}).\n")
        settings = load_config(root / "config.yaml")
        t = time.perf_counter()
        with open_catalog(settings.catalog_path) as cat:
            collect(settings, cat, now=now())
        print(f"generated and collected {total} posts in {time.perf_counter() - t:.1f} s "
              "(not part of the figures)", flush=True)

        # 1. queue 10,000 releases, a minute apart from tomorrow on
        start = now().replace(microsecond=0) + dt.timedelta(days=1)
        requests = [(f"p{i:05d}", (start + dt.timedelta(minutes=i)).isoformat())
                    for i in range(args.items)]
        t = time.perf_counter()
        queue_many(settings, requests, now=now())
        queue_s = time.perf_counter() - t
        print(f"queue {args.items} releases: {queue_s:.2f} s "
              f"({queue_s / args.items * 1e6:.0f} us each)", flush=True)

        # 2. start-up, 3. idle CPU
        proc, startup, log = start_scheduler(root, exe)
        print(f"scheduler start-up: {startup:.2f} s (target < 2 s)", flush=True)
        time.sleep(1.0)
        cpu0, wall0 = cpu_seconds(proc.pid), time.perf_counter()
        time.sleep(args.idle)
        idle = (cpu_seconds(proc.pid) - cpu0) / (time.perf_counter() - wall0)
        print(f"idle CPU over {args.idle:.0f} s: {idle * 100:.2f} % (target < 1 %)", flush=True)

        # 4. latency: 100 releases spread over a minute, queued while the scheduler runs
        watcher = FeedWatcher(root / "public" / "feed.xml")
        watcher.start()
        first = now().replace(microsecond=0) + dt.timedelta(seconds=10)
        spread = 60.0 / args.latency
        times = {f"Post {args.items + i:05d}": first + dt.timedelta(seconds=i * spread)
                 for i in range(args.latency)}
        queue_many(settings, [(f"p{args.items + i:05d}", times[f"Post {args.items + i:05d}"]
                               .isoformat(timespec="milliseconds")) for i in
                              range(args.latency)], now=now())
        deadline = max(times.values()) + dt.timedelta(seconds=20)
        while now() < deadline and len(watcher.seen) < len(times):
            time.sleep(0.2)
        watcher.running = False
        late = sorted((watcher.seen[t] - at).total_seconds() for t, at in times.items()
                      if t in watcher.seen)
        missing = len(times) - len(late)
        p99 = late[min(len(late) - 1, int(len(late) * 0.99))] if late else float("nan")
        print(f"release latency over {len(late)} releases: median {statistics.median(late):.3f}"
              f" s, p99 {p99:.3f} s, max {late[-1]:.3f} s (target p99 < 1 s)"
              + (f"; {missing} NOT RELEASED" if missing else ""), flush=True)

        # 5. catch-up: the 10,000 fall due while the scheduler is down
        proc.terminate()
        proc.wait(60)
        soon = now().replace(microsecond=0) + dt.timedelta(seconds=3)
        queue_many(settings, [(f"p{i:05d}", soon.isoformat()) for i in range(args.items)],
                   now=now())
        time.sleep(max(0.0, (soon - now()).total_seconds()) + 1)
        t = time.perf_counter()
        proc, _, log = start_scheduler(root, exe)

        def unreleased() -> int:
            with open_catalog(settings.catalog_path, commit=False) as cat:
                return cat.conn.execute(
                    "SELECT COUNT(*) FROM items WHERE published_at IS NULL AND slug < ?",
                    (f"p{total:05d}",)).fetchone()[0]

        while unreleased():
            time.sleep(0.1)
        catch_up = time.perf_counter() - t
        time.sleep(0.5)
        proc.terminate()
        proc.wait(60)
        released = sum("released post" in line for line in log)
        with open_catalog(settings.catalog_path, commit=False) as cat:
            publishes = cat.conn.execute(  # each publish stamps its items with one time
                "SELECT COUNT(DISTINCT published_at) FROM items WHERE slug < ?",
                (f"p{args.items:05d}",)).fetchone()[0]
        print(f"catch-up of {args.items} overdue releases: {catch_up:.2f} s from process start "
              f"to the last one published, {released} released in {publishes} publish(es) "
              "(target < 30 s, a handful of publishes)", flush=True)
        if url:
            failover(root, exe, f"p{total:05d}")
        print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(root.parent if server is not None else root, ignore_errors=True)


def failover(a: Path, exe: str, ref: str) -> None:
    """6. The leader SIGKILLed one second before a release: from the kill to the first release
    by the scheduler of a second checkout, standing by until then."""
    import signal

    from takeover import Run

    from syndicate.config import load_config
    from syndicate.release import queue_many

    b = a.with_name("b")
    shutil.copytree(a, b, ignore=shutil.ignore_patterns(".syndicate", "public"))
    with open(b / "config.yaml", "a") as config:  # one site, as two hosts publish to one bucket
        config.write(f"target: {a / 'public'}\n")
    leader = Run(a, exe)
    leader.when("leading:")
    standby = Run(b, exe)
    try:
        standby.when(f"standing by: the scheduler of this catalog runs as pid {leader.proc.pid}")
        due = now().replace(microsecond=0) + dt.timedelta(seconds=6)
        asked = time.monotonic()
        queue_many(load_config(b / "config.yaml"), [(ref, due.isoformat())], now=now())
        leader.when(f"next release at {due.isoformat()}", after=asked)
        time.sleep(max(0.0, (due - now()).total_seconds() - 1.0))
        killed = time.monotonic()
        os.kill(leader.proc.pid, signal.SIGKILL)
        leader.proc.wait()
        took = standby.when("leading:", after=killed) - killed
        first = standby.when("released post", after=killed) - killed
        print(f"failover: leader killed 1 s before a release; the standby leads after "
              f"{took:.2f} s, first release by it {first:.2f} s after the kill "
              "(target < 15 s)", flush=True)
    finally:
        for run in (leader, standby):
            if run.proc.poll() is None:
                run.proc.terminate()
                run.proc.wait(60)


if __name__ == "__main__":
    main()
