"""Benchmark: `syndicate stats` over generated S3 server access logs, against a plain loop.

Generates LINES log lines (default 1,000,000; the issue's target is 10,000,000: pass
``--lines 10000000``) in S3 server access log format, in files of 10,000 lines, for 500
episodes over 30 days: ranges that add up to a download or not, whole GETs, two-byte probes,
HEADs, 304s, errors, bots, a fifth of the listeners on IPv6 (several addresses per /64). Then,
each in a process of its own, prints:

- the full count (time, peak memory of the process);
- an incremental run after one new log file (the others are known and not read);
- the floor: the same count by a straightforward single-pass Python loop written here (a
  regex per line, the same rules, a dict of sums), with its time and peak memory;

and checks that both give the same downloads per episode. Both start from bytecode, as a user's
runs do: syndicate's own modules (an editable install, which pip does not compile) and those of
the libraries it loads (an install that skipped byte-compiling leaves none) are compiled once
here, as `pip install` or a first run would (and as no run does where PYTHONDONTWRITEBYTECODE
is set); the floor's are the standard library's.

    python benchmarks/stats.py [--lines 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import hashlib
import ipaddress
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

EPISODES = 500
PER_FILE = 10_000
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
START = NOW - dt.timedelta(days=30)
CONFIG = """\
site:
  title: Bench
  url: https://example.test/
  description: Bench.
  language: en
  author: Bench
podcast:
  title: Bench
  description: Bench.
  owner: {name: Bench, email: bench@example.test}
  image: cover.png
  categories: [Technology]
  explicit: false
stats:
  logs: logs
  format: s3
"""
AGENTS = [("AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; en_us)", 30),
          ("Spotify/8.9.0 iOS/17.4 (iPhone15,2)", 20), ("Overcast/3.0 (+http://overcast.fm/)", 8),
          ("PocketCasts/1.0 (Pocket Casts Feed Parser; +http://pocketcasts.com/)", 6),
          ("AntennaPod/3.4.0", 6), ("Castro 2024.1", 3), ("PodcastAddict/v5 (Linux; Android)", 5),
          ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0 Safari/537.36", 8),
          ("SomeNewApp/0.1", 3), ("Googlebot/2.1 (+http://www.google.com/bot.html)", 4),
          ("curl/8.5.0", 2), ("python-requests/2.31", 2), ("iTMS", 3)]


def episodes() -> dict:
    from syndicate.stats.rules import needed_bytes
    from syndicate.stats.store import Episode

    rnd = random.Random(7)
    out = {}
    for i in range(EPISODES):
        seconds = rnd.randint(600, 5400)
        size = seconds * 16_000 + 200_000  # 128 kbps and a 200 kB header (the art)
        out[f"ep-{i:03d}"] = (Episode(f"ep-{i:03d}", f"Episode {i}",
                                      needed_bytes(size, seconds, 128)), size)
    return out


def generate(folder: Path, lines: int, seed: int = 1, name: str = "log") -> None:
    from statsgen import s3_line

    rnd = random.Random(seed)
    eps = episodes()
    slugs = list(eps)
    agents = [a for a, w in AGENTS for _ in range(w)]
    listeners = []
    for i in range(max(lines // 20, 100)):
        if rnd.random() < 0.2:
            ip = str(ipaddress.IPv6Address((0x20010DB8 << 96) | (rnd.randrange(1 << 24) << 64)
                                           | rnd.randrange(1 << 64)))
        else:
            ip = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"
        listeners.append((ip, rnd.choice(agents)))
    folder.mkdir(parents=True, exist_ok=True)
    written, n_file = 0, 0
    while written < lines:
        out = []
        for _ in range(min(PER_FILE, lines - written)):
            ip, agent = rnd.choice(listeners)
            slug = rnd.choice(slugs)
            ep, size = eps[slug]
            when = START + dt.timedelta(seconds=rnd.randrange(30 * 86400))
            key = f"site/media/{slug}-0123456789ab.mp3"
            kind = rnd.random()
            if kind < 0.55:
                method, status, sent = "GET", 206, rnd.randint(ep.needed // 4, ep.needed // 2)
            elif kind < 0.70:
                method, status, sent = "GET", 200, size
            elif kind < 0.80:
                method, status, sent = "GET", 206, 2
            elif kind < 0.88:
                method, status, sent = "HEAD", 200, 0
            elif kind < 0.94:
                method, status, sent = "GET", 304, 0
            else:
                method, status, sent = "GET", 404, 0
            out.append(s3_line(when, ip, method, key, status, sent, agent, size))
        written += len(out)
        (folder / f"{name}-{n_file:05d}").write_text("\n".join(out) + "\n")
        n_file += 1


# -- the floor: a straightforward loop ---------------------------------------------------------
PLAIN = re.compile(r'^\S+ \S+ \[([^\]]+)\] (\S+) \S+ \S+ \S+ (\S+) "(\S+) [^"]*" (\d{3}) \S+ '
                   r'(\S+) \S+ \S+ \S+ "[^"]*" "([^"]*)"')
BOT = re.compile(r"bot|crawl|spider|curl/|wget/|python-|^itms|^-?$", re.I)


def floor(root: Path) -> dict[str, int]:
    eps = {slug: ep.needed for slug, (ep, _) in episodes().items()}
    sums: dict[tuple, int] = {}
    for path in sorted((root / "logs").iterdir()):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                m = PLAIN.match(line)
                if not m:
                    continue
                clock, ip, key, method, status, sent, agent = m.groups()
                if method != "GET" or status not in ("200", "206") or sent in ("-", "0"):
                    continue
                if (status == "206" and int(sent) <= 2) or BOT.search(agent):
                    continue
                slug = key.rsplit("/", 1)[-1][:-17]
                if slug not in eps:
                    continue
                if ":" in ip:
                    ip = str(ipaddress.IPv6Network(ip + "/64", strict=False).network_address)
                day = dt.datetime.strptime(clock, "%d/%b/%Y:%H:%M:%S %z").date()
                who = hashlib.blake2b(f"{ip}\n{agent}".encode(), digest_size=12).hexdigest()
                k = (day, who, slug)
                sums[k] = sums.get(k, 0) + int(sent)
    out: dict[str, int] = {}
    for (_, _, slug), total in sums.items():
        if total >= eps[slug]:
            out[slug] = out.get(slug, 0) + 1
    return out


def ours(root: Path) -> dict[str, int]:
    from syndicate.config import load_config
    from syndicate.stats.store import open_stats

    eps = {slug: ep for slug, (ep, _) in episodes().items()}
    stats = open_stats(load_config(root / "config.yaml"), now=NOW, episodes=eps)
    try:
        report = stats.read_logs()
        rows = stats.counts()
    finally:
        stats.close()
    out: dict[str, int] = {}
    for _, slug, _, n in rows:
        out[slug] = out.get(slug, 0) + n
    print(json.dumps({"files_read": report.files_read, "lines": report.lines}),
          file=sys.stderr)
    return out


def compiled() -> None:
    """syndicate's modules, and those of every library a count loads, compiled to bytecode
    (see the docstring)."""
    compileall.compile_dir(REPO / "syndicate", quiet=1)
    import syndicate.config  # (what a count loads)
    import syndicate.stats.store  # noqa: F401

    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None) or ""
        if path.endswith(".py"):
            compileall.compile_file(path, quiet=1)


def child(mode: str, root: Path) -> None:
    t, cpu = time.perf_counter(), time.process_time()
    counts = floor(root) if mode == "floor" else ours(root)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mb": peak, "counts": counts}))


def run(mode: str, root: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(root)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _figures(r: dict) -> str:
    """Wall time, CPU time (on a shared machine, the steadier figure), peak memory, and the
    machine's load average (one minute) as the run ended."""
    return (f"{r['seconds']:7.2f} s wall  {r['cpu']:7.2f} s CPU  peak {r['peak_mb']:7.1f} MB"
            f"  (load {os.getloadavg()[0]:.1f})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    compiled()
    from syndicate.stats import engine

    print("S3 reader:", "the compiled one (_s3scan)" if engine.Scanner is not None else
          "DuckDB's (no C compiler at install: see README)", flush=True)
    root = args.keep or Path(tempfile.mkdtemp(prefix="syndicate-bench-stats-"))
    root.mkdir(parents=True, exist_ok=True)
    for old in ("logs", ".syndicate"):  # (a kept folder: its logs and counts made anew)
        shutil.rmtree(root / old, ignore_errors=True)
    try:
        from conftest import png_bytes

        (root / "config.yaml").write_text(CONFIG)
        (root / "cover.png").write_bytes(png_bytes())
        for sub in ("posts", "episodes"):
            (root / sub).mkdir(exist_ok=True)
        t = time.perf_counter()
        generate(root / "logs", args.lines)
        print(f"generated {args.lines:,} lines for {EPISODES} episodes in "
              f"{time.perf_counter() - t:.1f} s", flush=True)
        full = run("full", root)
        total = sum(full["counts"].values())
        print(f"full count:         {_figures(full)}  ({total:,} downloads)", flush=True)
        generate(root / "logs", PER_FILE, seed=2, name="new")
        inc = run("incremental", root)
        print(f"incremental (+1):   {_figures(inc)}", flush=True)
        plain = run("floor", root)
        print(f"floor (plain loop): {_figures(plain)}", flush=True)
        same = plain["counts"] == inc["counts"]
        print(f"same downloads per episode as the floor: {'yes' if same else 'NO'}; "
              f"full count: {plain['seconds'] / full['seconds']:.1f}x the floor's speed by the "
              f"clock, {plain['cpu'] / full['cpu']:.1f}x by CPU time")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
