"""Benchmark: how soon `syndicate serve` shows a change to one post, at 2,000 posts and 500
episodes.

Generates the project of benchmarks/publish.py, starts the preview (library ``Server`` on a free
port, with its own polling watcher running as under the command), then edits one post several
times: each figure is from the write of the file to the moment the rebuilt page, fetched over
HTTP, holds the new words (the page's reload event is waited for first). Also prints the first
build, the rebuild alone and one pass of the watcher.

    python benchmarks/serve.py [--posts 2000] [--episodes 500] [--edits 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from publish import POST, generate  # (the same generated project)


def get(url: str, path: str) -> bytes:
    where = urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
    try:
        conn.request("GET", path)
        return conn.getresponse().read()
    finally:
        conn.close()


def next_build(url: str, since: int) -> threading.Event:
    """An event set once the preview's event stream announces a build after ``since``."""
    seen = threading.Event()
    where = urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=120)
    conn.request("GET", f"/__syndicate/events?since={since}")
    resp = conn.getresponse()

    def read():
        for line in resp.fp:
            if line.startswith(b"event: build"):
                seen.set()
                break
        conn.close()

    threading.Thread(target=read, daemon=True).start()
    return seen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--episodes", type=int, default=500)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = ap.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="syndicate-serve-bench-"))
    try:
        if not (root / "config.yaml").exists():
            t = time.perf_counter()
            generate(root, args.posts, args.episodes)
            print(f"generated {args.posts} posts, {args.episodes} episodes in "
                  f"{time.perf_counter() - t:.1f} s")
        from syndicate.serve import Server, watched
        from syndicate.serve.watch import snapshot

        t = time.perf_counter()
        server = Server(root / "config.yaml", port=0).start()
        print(f"first build and start: {time.perf_counter() - t:.2f} s "
              f"({server.last.written} files written)")
        paths = watched(server._preview.settings)
        t = time.perf_counter()
        snapshot(paths)
        print(f"one watcher pass: {(time.perf_counter() - t) * 1000:.1f} ms "
              f"(every {server.watcher.interval * 1000:.0f} ms)")
        runner = threading.Thread(target=server.run, daemon=True)
        runner.start()
        post = root / "posts" / "post-00007.md"
        slug = "/posts/post-00007/"
        shown, builds = [], []
        for n in range(args.edits):
            since = json.loads(get(server.url, "/__syndicate/status"))["build"]
            built = next_build(server.url, since)
            marker = f"edit-{n}-{time.time_ns()}"
            text = POST.format(i=7, date="2010-01-08 08:07", t=0, filler=marker)
            began = time.perf_counter()
            post.write_text(text)
            assert built.wait(60), "no rebuild within 60 s"
            body = get(server.url, slug)
            took = time.perf_counter() - began
            assert marker.encode() in body, "the page does not show the edit"
            shown.append(took)
            t = time.perf_counter()
            server.rebuild()
            builds.append(time.perf_counter() - t)
        server.stop()
        server.close()
        print(f"a change to one post shown: median {statistics.median(shown):.2f} s, "
              f"worst {max(shown):.2f} s over {len(shown)} edits (target: under 1 s)")
        print(f"a rebuild with nothing changed: median {statistics.median(builds):.2f} s")
        print("load average: " + " ".join(f"{n:.1f}" for n in os.getloadavg()))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
