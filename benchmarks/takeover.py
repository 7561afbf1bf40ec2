"""Benchmark: two `syndicate run` sharing a catalog on PostgreSQL, the leader killed before each
release (issue 16).

Starts a PostgreSQL 16 (pgserver, from the test extras) in a temporary folder, generates a
project of 2,000 posts published to a folder both checkouts share, copies it as a second
checkout, starts `syndicate run` in each (A leads, B stands by) and prints:

- the CPU each uses while idle (the leader looks at the catalog's notices and its lease every
  `poll_seconds`, the standby asks for the lease every second);
- for each round: the time from a `queue` made in the standby's checkout to the leader's log of
  the new release time (the notice; target: within 5 s), then, the leader SIGKILLed one second
  before the release is due, the time from the kill to the standby's `leading:` line (the
  takeover) and from the due time to the entry in feed.xml (target: within 15 s); the killed
  one is started again as the new standby, so the roles swap each round;
- whether each item was released exactly once (one `released` line among all the logs, one
  entry in the feed).

    python benchmarks/takeover.py [--items 2000] [--rounds 5] [--idle 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import socket
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
from schedule import FeedWatcher, cpu_seconds, now

HOST = socket.gethostname()


class Run:
    """`syndicate run` in one checkout, its log read as it comes."""

    def __init__(self, root: Path, exe: str):
        self.proc = subprocess.Popen([exe, "run", "--config", str(root / "config.yaml")],
                                     cwd=root, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: list[tuple[float, str]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line.rstrip()))

    def when(self, text: str, timeout: float = 60, after: float = 0.0) -> float:
        """The moment a line holding ``text`` was read (after ``after``); exits on timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for at, line in list(self.lines):
                if at >= after and text in line:
                    return at
            time.sleep(0.01)
        sys.exit(f"no {text!r} within {timeout} s:\n" + "\n".join(s for _, s in self.lines))

    def count(self, text: str) -> int:
        return sum(text in line for _, line in self.lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--idle", type=float, default=20.0)
    args = parser.parse_args()

    from conftest import PgServer, png_bytes  # the tests' own server and PNG writer
    from syndicate.config import load_config
    from syndicate.release import queue_many

    exe = str(Path(sys.executable).with_name("syndicate"))
    scratch = Path(tempfile.mkdtemp(prefix="syndicate-takeover-bench-"))
    (scratch / "pg").mkdir()
    server = PgServer(scratch / "pg")
    runs: list[Run] = []
    try:
        url = server.database()
        a, b, site = scratch / "a", scratch / "b", scratch / "www"
        (a / "posts").mkdir(parents=True)
        (a / "episodes").mkdir()
        (a / "config.yaml").write_text(f"{SITE}target: {site}\ncatalog: {url}\n")
        (a / "cover.png").write_bytes(png_bytes())
        for i in range(args.items + args.rounds):
            date = "2025-01-01" if i < args.items else "2099-01-01"
            (a / "posts" / f"p{i:05d}.md").write_text(
                f"---\ntitle: Post {i:05d}\ndate: {date}\n---\n\nBody of post {i}.\n")
        t = time.perf_counter()
        done = subprocess.run([exe, "publish", "--config", str(a / "config.yaml")], cwd=a,
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(done.stderr)
        print(f"generated and published {args.items} posts in {time.perf_counter() - t:.1f} s "
              "(not part of the figures)", flush=True)
        shutil.copytree(a, b, ignore=shutil.ignore_patterns(".syndicate"))

        leader, standby = Run(a, exe), None
        runs.append(leader)
        leader.when("leading:")
        standby = Run(b, exe)
        runs.append(standby)
        standby.when(f"standing by: the scheduler of this catalog runs as pid {leader.proc.pid}")
        time.sleep(2.0)  # settled
        cpu = [cpu_seconds(r.proc.pid) for r in (leader, standby)]
        t = time.perf_counter()
        time.sleep(args.idle)
        wall = time.perf_counter() - t
        idle = [(cpu_seconds(r.proc.pid) - c) / wall * 100 for r, c in zip((leader, standby),
                                                                            cpu, strict=True)]
        print(f"idle CPU over {wall:.0f} s: leader {idle[0]:.2f} %, standby {idle[1]:.2f} %",
              flush=True)

        watcher = FeedWatcher(site / "feed.xml")
        watcher.start()
        roots = {leader: a, standby: b}
        notices, takeovers, latencies = [], [], []
        for r in range(args.rounds):
            title, ref = f"Post {args.items + r:05d}", f"p{args.items + r:05d}"
            due = now().replace(microsecond=0) + dt.timedelta(seconds=6)
            settings = load_config(roots[standby] / "config.yaml")  # from the other checkout
            asked = time.monotonic()
            queue_many(settings, [(ref, due.isoformat())], now=now())
            notices.append(leader.when(f"next release at {due.isoformat()}", after=asked)
                           - asked)
            time.sleep(max(0.0, (due - now()).total_seconds() - 1.0))
            killed = time.monotonic()
            os.kill(leader.proc.pid, signal.SIGKILL)
            leader.proc.wait()
            takeovers.append(standby.when("leading:", after=killed) - killed)
            standby.when(f"released post {title!r}", after=killed)
            while title not in watcher.seen:
                time.sleep(0.01)
            latencies.append((watcher.seen[title] - due).total_seconds())
            again = Run(roots[leader], exe)  # the killed checkout, started again
            runs.append(again)
            roots[again] = roots.pop(leader)
            again.when(f"standing by: the scheduler of this catalog runs as pid "
                       f"{standby.proc.pid}")
            leader, standby = standby, again
            print(f"round {r + 1}: notice {notices[-1]:.2f} s, takeover {takeovers[-1]:.2f} s, "
                  f"due to feed {latencies[-1]:.2f} s", flush=True)
        watcher.running = False
        feed = (site / "feed.xml").read_text()
        once = all(sum(run.count(f"released post 'Post {args.items + r:05d}'") for run in runs)
                   == 1 and feed.count(f"<title>Post {args.items + r:05d}</title>") == 1
                   for r in range(args.rounds))
        print(f"over {args.rounds} rounds: notice median {statistics.median(notices):.2f} s, "
              f"max {max(notices):.2f} s (target < 5 s); takeover median "
              f"{statistics.median(takeovers):.2f} s, max {max(takeovers):.2f} s; due to feed "
              f"median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s "
              f"(target < 15 s); each released exactly once: {'yes' if once else 'NO'}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        for run in runs:
            if run.proc.poll() is None:
                run.proc.terminate()
                run.proc.wait(60)
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
