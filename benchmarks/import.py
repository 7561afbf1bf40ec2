"""Benchmark: import a generated 75-page text export (375 posts) and a 1,000-item podcast feed,
served by a loopback HTTP server as the old site would be, then re-collect them unchanged.

First prints how well text export pages are split into posts: the precision and recall of post
boundaries and of titles over 500 generated pages (index, single-post and monthly archive
pages, from seeds the tests do not draw; target: each at least 99 %). Then prints the import
time of each and both together, the podcast once with its audio kept at its URL and once
downloaded, the import time of a generated WordPress export (2,000 posts and 300 PowerPress
episodes, audio kept at its URL) and of all three together on the keep-url path (target: under
2 s), and the time of a re-collect of the unchanged remote sources listed under ``sources:``
(target: under 0.2 s, with nothing parsed: every source answers 304). Each import's CPU time
(this process's, time.process_time) is printed beside its wall time: on a loaded machine the
wall time mostly measures the wait for a core.

    python benchmarks/import.py [--pages 75] [--episodes 1000] [--wp-posts 2000]
                                [--wp-episodes 300] [--runs 3] [--scratch DIR]
                                [--split-pages 500] [--split-seed N] [--split-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from publish import SITE  # the publish benchmark's site and show

CONFIG = SITE

WORDS = ["the", "garden", "river", "town", "bees", "hedge", "winter", "spring", "light", "tide",
         "boat", "field", "path", "market", "bread", "kettle", "letter", "window", "orchard",
         "lane", "bridge", "harbour", "meadow", "lantern"]


def paragraph(seed: int, n: int = 40) -> str:
    words = [WORDS[(seed * 7 + i * 13) % len(WORDS)] for i in range(n)]
    words[0] = words[0].capitalize()
    return f"{' '.join(words)} number {seed}."


def export_page(page: int, pages: int, per_page: int = 5) -> str:
    parts = []
    for k in range(per_page):
        n = (page - 1) * per_page + k
        parts.append(f"Post Number {n} About the {WORDS[n % len(WORDS)].title()}")
        parts += [paragraph(n * 10 + j) for j in range(6)]
    parts.append(f"Page {page} of {pages}")
    parts.append("".join(str(i) for i in range(1, 6)) + str(pages))
    return "\n\n".join(parts) + "\n"


def podcast_feed(base: str, episodes: int, length: int) -> str:
    items = []
    for i in range(episodes):
        day = 1 + i % 28
        items.append(
            f"<item><title>Episode {i}</title><guid>bench-ep-{i}</guid>"
            f"<pubDate>Mon, {day:02d} Jan 2018 07:00:00 GMT</pubDate>"
            f"<itunes:episode>{i + 1}</itunes:episode><itunes:duration>00:01</itunes:duration>"
            f"<description>&lt;p&gt;Notes for episode {i}.&lt;/p&gt;</description>"
            f'<enclosure url="{base}/audio/{i}.mp3" length="{length}" type="audio/mpeg"/>'
            "</item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
            'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>'
            "<title>Old show</title><link>https://old.example/</link><description>x"
            "</description><podcast:guid>0e1f9a3c-5d7b-5e2a-8c4f-6b9d1a2e3f40</podcast:guid>"
            + "".join(items) + "</channel></rss>")


# -- the WordPress export ----------------------------------------------------------------------


def wordpress_export(base: str, posts: int, episodes: int, length: int) -> str:
    """A WordPress export of ``posts`` posts (classic and block editor, tags, comments, a
    <!--more-->) and ``episodes`` PowerPress episodes whose audio is at ``base``/audio/."""
    import datetime as dt

    from wxrgen import Item, export

    items = []
    for i in range(posts + episodes):
        ep = i >= posts
        items.append(Item(
            n=1000 + i, kind="post", status="publish", password="",
            title=f"{'Episode' if ep else 'Post'} {i} about the {WORDS[i % len(WORDS)]}",
            paragraphs=[paragraph(i * 10 + j) for j in range(2 if ep else 6)],
            date=dt.datetime(2015, 1, 1, 8, tzinfo=dt.UTC) + dt.timedelta(hours=7 * i),
            tags=[WORDS[i % 7], WORDS[i % 11]], blocks=i % 2 == 0, more=i % 3 == 0,
            plugin="powerpress" if ep else None, season=1, number=i - posts + 1 if ep else 1,
            length=length))
    # the episodes' audio is served where the export says: base + "audio/<n>.mp3"
    return export(items, base.rstrip("/") + "/")


def wordpress_audio_paths(posts: int, episodes: int) -> list[str]:
    return [f"/audio/{1000 + i}.mp3" for i in range(posts, posts + episodes)]


def bench_wordpress(url: str, project, runs: int, posts: int,
                    episodes: int) -> list[tuple[float, float]]:
    """Import times (wall, CPU) of the served export into new projects, audio kept at its
    URL."""
    from syndicate.importer import import_sources

    times = []
    for n in range(runs):
        settings = project(f"{n}-wordpress")
        os.sync()
        t, c = time.perf_counter(), time.process_time()
        report = import_sources(settings, [url], audio="keep-url")
        times.append((time.perf_counter() - t, time.process_time() - c))
        assert not report.errors, report.errors[:3]
        assert len(report.created) == posts + episodes, (len(report.created), report.skipped[:3])
    return times


SERVER = r"""
import hashlib, http.server, json, sys
files = {k: v.encode("latin-1") for k, v in json.load(sys.stdin).items()}
def say(what):  # one write a line: print() from several threads can run two lines together
    sys.stderr.write(what + "\n")
    sys.stderr.flush()
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body would wait 40 ms for an ACK
    def log_message(self, *a):
        pass
    def do_GET(self):
        body = files.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            say("304")
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        say("200")
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops connections: 1 s SYN retries
server = Server(("127.0.0.1", int(sys.argv[1])), Handler)
print("ready", flush=True)
server.serve_forever()
"""


class OldSite:
    """The old site in a process of its own (so it does not share our interpreter's lock)."""

    def __init__(self, files_for, port: int):
        import json
        import subprocess

        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        files = files_for(self.url)
        self.proc.stdin.write(json.dumps({k: v.decode("latin-1") for k, v in files.items()}))
        self.proc.stdin.close()
        assert self.proc.stdout.readline().strip() == "ready"
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.log.append(line.strip())

    def stop(self) -> None:
        self.proc.kill()


FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, FS_TOPDIR_FL = 0x80086601, 0x40086602, 0x00020000


def spread_out(folder: Path, on: bool = True) -> bool:
    """Mark ``folder`` the top of its own directory trees (``chattr +T``: ext4's FS_TOPDIR_FL),
    so the file system places each folder made in it where there are free inodes, as it
    places a user's project, not in the block group of its parent (``on`` False: unmark it).
    On a disk shared with test suites that create and delete thousands of files a minute, the
    group of a shared scratch folder is full of inodes freed seconds ago, which ext4 skips one
    by one on every file it creates (its ``recently_deleted`` check): there, creating a file
    took 0.65 ms of kernel time, against 0.02 ms in a fresh group, and the import's figures
    measured the neighbours. Whether the mark is set after (False where it cannot be: another
    file system)."""
    import array
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        flags = array.array("i", [0])
        fcntl.ioctl(fd, FS_IOC_GETFLAGS, flags, True)
        if bool(flags[0] & FS_TOPDIR_FL) != on:
            flags[0] ^= FS_TOPDIR_FL
            fcntl.ioctl(fd, FS_IOC_SETFLAGS, flags, True)
            fcntl.ioctl(fd, FS_IOC_GETFLAGS, flags, True)
        return bool(flags[0] & FS_TOPDIR_FL)
    except OSError:
        return False
    finally:
        os.close(fd)


def create_cost(folder: Path, files: int = 1000) -> tuple[float, float]:
    """(wall, CPU) seconds to create ``files`` small files in a new folder in ``folder`` as
    an import writes them (a temporary name, then renamed): the file system's share of an
    import's time on this machine, printed beside the figures."""
    where = Path(tempfile.mkdtemp(prefix="fs-", dir=folder))
    try:
        t, c = time.perf_counter(), time.process_time()
        for n in range(files):
            part = where / f".{n}.part"
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            os.write(fd, b"x" * 2000)
            os.close(fd)
            os.replace(part, where / f"{n}.md")
        return time.perf_counter() - t, time.process_time() - c
    finally:
        shutil.rmtree(where, ignore_errors=True)


def split_accuracy(seeds: range) -> dict[str, float]:
    """Precision and recall of post boundaries and titles over generated text export pages
    (tests/importgen.py's ``blog_page``, one page a seed), and the pages whose words or dates
    came out wrong. A boundary is the line where a post begins, the first of each page aside
    (it is there whatever the splitter does); a title is right with its line and its flag."""
    import random
    import re

    from importgen import blog_page

    from syndicate.importer.textexport import ExportError, parse_text_export

    counts = dict.fromkeys(["b_tp", "b_pred", "b_true", "t_tp", "t_pred", "t_true",
                            "words", "dates", "errors", "pages"], 0)
    misses: dict[str, int] = {}
    for seed in seeds:
        text, answer = blog_page(random.Random(seed))
        counts["pages"] += 1
        try:
            page = parse_text_export(text)
        except ExportError:
            counts["errors"] += 1
            continue
        first = min(a.line for a in answer.posts)
        pred = {p.line for p in page.posts} - {first}
        true = {a.line for a in answer.posts} - {first}
        counts["b_tp"] += len(pred & true)
        counts["b_pred"] += len(pred)
        counts["b_true"] += len(true)
        for a in answer.posts:
            if a.line in true - pred:
                misses[a.kind] = misses.get(a.kind, 0) + 1
        tpred = {(p.line, p.title, p.derived_title) for p in page.posts}
        ttrue = {(a.line, a.title, a.derived) for a in answer.posts}
        counts["t_tp"] += len(tpred & ttrue)
        counts["t_pred"] += len(tpred)
        counts["t_true"] += len(ttrue)
        got = sorted(w for p in page.posts for w in re.findall(
            r"\w+", (("" if p.derived_title else p.title + " ") + p.body).lower()))
        want = sorted(w for a in answer.posts for w in a.words)
        counts["words"] += got != want
        by_line = {p.line: p.date for p in page.posts}
        counts["dates"] += sum(by_line[a.line] != a.date for a in answer.posts
                               if a.line in by_line)
    c = counts
    return {"boundary precision": c["b_tp"] / max(1, c["b_pred"]),
            "boundary recall": c["b_tp"] / max(1, c["b_true"]),
            "title precision": c["t_tp"] / max(1, c["t_pred"]),
            "title recall": c["t_tp"] / max(1, c["t_true"]),
            "pages": c["pages"], "boundaries": c["b_true"], "posts": c["t_true"],
            "pages with words wrong": c["words"], "posts with dates wrong": c["dates"],
            "pages refused": c["errors"], "missed starts by post kind": misses}


def print_split_accuracy(pages: int, first_seed: int) -> None:
    figures = split_accuracy(range(first_seed, first_seed + pages))
    print(f"text export split, {pages} generated pages (seeds {first_seed}-"
          f"{first_seed + pages - 1}), {figures['boundaries']} boundaries, "
          f"{figures['posts']} posts (target: each figure at least 99 %):")
    for key in ("boundary precision", "boundary recall", "title precision", "title recall"):
        print(f"  {key}: {figures[key] * 100:.1f} %")
    print(f"  pages with words wrong: {figures['pages with words wrong']}, posts found with "
          f"dates wrong: {figures['posts with dates wrong']}, pages refused: "
          f"{figures['pages refused']}; missed "
          f"starts by post kind: {figures['missed starts by post kind']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=75)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--wp-posts", type=int, default=2000,
                        help="posts in the generated WordPress export")
    parser.add_argument("--wp-episodes", type=int, default=300,
                        help="podcast episodes in the generated WordPress export")
    parser.add_argument("--audio", nargs="+", default=["keep-url", "download"],
                        choices=["keep-url", "download"],
                        help="what the podcast import does with the audio (each is timed)")
    parser.add_argument("--runs", type=int, default=3, help="times each import is run")
    parser.add_argument("--split-pages", type=int, default=500,
                        help="generated text export pages whose split is scored (0: none)")
    parser.add_argument("--split-seed", type=int, default=7_000_000,
                        help="seed of the first scored page (the tests draw others)")
    parser.add_argument("--split-only", action="store_true",
                        help="score the split and time nothing")
    parser.add_argument("--spread", action=argparse.BooleanOptionalAction, default=True,
                        help="place each project where the file system has free inodes, not "
                             "beside the scratch folder (chattr +T; see spread_out)")
    parser.add_argument("--scratch", type=Path, default=None,
                        help="folder for the generated projects (default: .bench/ in the "
                             "checkout); removed afterwards")
    args = parser.parse_args()
    if args.split_pages:
        print_split_accuracy(args.split_pages, args.split_seed)
    if args.split_only:
        return

    from conftest import png_bytes, tone
    from syndicate.config import load_config
    from syndicate.importer import import_sources
    from syndicate.importer.refresh import refresh_sources

    audio = tone(1.0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    def files_for(base: str) -> dict[str, bytes]:
        files = {f"/export/page-{p}.txt": export_page(p, args.pages).encode()
                 for p in range(1, args.pages + 1)}
        files.update({f"/audio/{i}.mp3": audio for i in range(args.episodes)})
        files["/feed.xml"] = podcast_feed(base, args.episodes, len(audio)).encode()
        files["/wordpress.xml"] = wordpress_export(base, args.wp_posts, args.wp_episodes,
                                                   len(audio)).encode()
        files.update({p: audio for p in wordpress_audio_paths(args.wp_posts, args.wp_episodes)})
        return files

    site = OldSite(files_for, port)
    pages = [f"{site.url}/export/page-{p}.txt" for p in range(1, args.pages + 1)]
    feed = f"{site.url}/feed.xml"
    # the projects go where a project lives, beside this checkout, unless told otherwise: on
    # some machines /tmp is far slower to create files in (here: 375 files 0.3-0.4 s in /tmp,
    # 0.01 s on the same disk outside it)
    scratch = args.scratch or Path(__file__).resolve().parent.parent / ".bench"
    scratch.mkdir(parents=True, exist_ok=True)
    spread = spread_out(scratch, args.spread)
    top = Path(tempfile.mkdtemp(prefix="import-", dir=scratch))
    if spread:
        spread_out(top)  # each run's project in a place of its own
    fs_wall, fs_cpu = create_cost(top)
    print(f"file system: 1,000 files created in a new folder beside the projects in "
          f"{fs_wall * 1000:.0f} ms (CPU {fs_cpu * 1000:.0f} ms); projects "
          + ("each placed where there are free inodes (chattr +T on the scratch folder)"
             if spread else "placed beside the scratch folder"))

    def project(n: int):
        root = top / f"run-{n}"
        for sub in ("posts", "episodes"):
            (root / sub).mkdir(parents=True)
        (root / "cover.png").write_bytes(png_bytes())
        (root / "config.yaml").write_text(
            CONFIG + "sources:\n" + "".join(f"  - {u}\n" for u in [*pages, feed]))
        return load_config(root / "config.yaml")

    cpu: dict[tuple[int, str], float] = {}  # (run, import) -> CPU seconds of this process

    def timed(call, key):
        os.sync()  # what earlier runs wrote is on disk, not written back while this one runs
        t, c = time.perf_counter(), time.process_time()
        out = call()
        cpu[key] = time.process_time() - c
        return time.perf_counter() - t, out

    try:
        # per run: the export and the podcast in the first audio mode into one new project,
        # the podcast in each other mode into a project of its own
        rows = [{} for _ in range(args.runs)]
        for k, mode in enumerate(args.audio):
            for n, row in enumerate(rows):
                s = project(f"{n}-{mode}")
                if k == 0:
                    row["posts"], posts = timed(lambda s=s: import_sources(
                        s, pages, date_by_order=dt.date(2020, 12, 31)), (n, "posts"))
                    assert not posts.errors and len(posts.created) == args.pages * 5, \
                        posts.errors[:3]
                    settings = s
                before = len(site.log)
                row[mode], eps = timed(lambda s=s, m=mode: import_sources(s, [feed], audio=m),
                                       (n, mode))
                assert not eps.errors and len(eps.created) == args.episodes, eps.errors[:3]
                row[mode + " requests"] = len(site.log) - before
        for n, row in enumerate(rows):
            print(f"run {n + 1}: posts {row['posts']:.2f} s (CPU {cpu[n, 'posts']:.2f} s), "
                  + ", ".join(f"podcast ({m}) {row[m]:.2f} s (CPU {cpu[n, m]:.2f} s)"
                              for m in args.audio))

        def med(key: str) -> float:
            return statistics.median(r[key] for r in rows)

        def med_cpu(*keys: str) -> float:
            return statistics.median(sum(cpu[n, k] for k in keys) for n in range(args.runs))

        print(f"text export, {args.pages} pages: {args.pages * 5} posts in {med('posts'):.2f} s "
              f"(CPU {med_cpu('posts'):.2f} s) (median of {args.runs})")
        for mode in args.audio:
            print(f"podcast feed, {args.episodes} items, audio {mode}: {med(mode):.2f} s "
                  f"(CPU {med_cpu(mode):.2f} s) ({rows[-1][mode + ' requests']} requests to "
                  "the old host)")
            both = statistics.median(r["posts"] + r[mode] for r in rows)
            print(f"  both together: {both:.2f} s (CPU {med_cpu('posts', mode):.2f} s) "
                  "(target < 2 s)")

        wp = bench_wordpress(f"{site.url}/wordpress.xml", project, args.runs, args.wp_posts,
                             args.wp_episodes)
        print(f"WordPress export, {args.wp_posts} posts and {args.wp_episodes} episodes, audio "
              f"keep-url: {statistics.median(w for w, _ in wp):.2f} s (CPU "
              f"{statistics.median(c for _, c in wp):.2f} s) (median of {args.runs})")
        if "keep-url" in args.audio:
            every = statistics.median(r["posts"] + r["keep-url"] + w
                                      for r, (w, _) in zip(rows, wp, strict=True))
            every_cpu = statistics.median(cpu[n, "posts"] + cpu[n, "keep-url"] + c
                                          for n, (_, c) in enumerate(wp))
            print(f"  all imports together (text export, podcast feed, WordPress; keep-url): "
                  f"{every:.2f} s (CPU {every_cpu:.2f} s) (target < 2 s)")

        refresh_sources(settings)  # first refresh of the first mode's project: learns ETags
        time.sleep(0.2)
        site.log.clear()
        t_again, again = timed(lambda: refresh_sources(settings), (0, "refresh"))
        deadline = time.monotonic() + 5  # the server's log of answers arrives through a pipe
        while len(site.log) < len(pages) + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        print(f"re-collect of {len(pages) + 1} unchanged remote sources: {t_again * 1000:.0f} ms"
              f" ({site.log.count('304')} answered 304, {site.log.count('200')} sent in full, "
              f"{len(again.created) + len(again.merged)} posts looked at) (target < 200 ms, "
              "nothing parsed)")
    finally:
        site.stop()
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
