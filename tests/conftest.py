"""Shared fixtures: per-test project trees, generated audio and images, a CLI runner."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import textwrap
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from syndicate.audio import ffmpeg_exe
from syndicate.cli import main

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = REPO.parent / "shared"
# no per-example time limit: speed is measured in benchmarks/, and a loaded CI machine would
# fail a property that holds
settings.register_profile("syndicate", deadline=None)
settings.load_profile("syndicate")


def pytest_configure(config):
    """Ctrl-C and SIGQUIT as a terminal gives them, however the tests were started: a shell
    running them in the background without job control (`cmd &` in a script) starts them
    ignoring both, and every command a test starts would inherit that (a `serve` the test stops
    with Ctrl-C would never stop)."""
    for sig, handler in ((signal.SIGINT, signal.default_int_handler),
                         (signal.SIGQUIT, signal.SIG_DFL)):
        if signal.getsignal(sig) == signal.SIG_IGN:
            signal.signal(sig, handler)


NOW = "2026-11-01T12:00:00+00:00"
NOW_DT = dt.datetime.fromisoformat(NOW)

BASE_CONFIG = """\
site:
  title: Test Site
  url: https://example.test/
  description: A site for tests.
  language: en
  author: Test Author
  timezone: Europe/London
podcast:
  title: Test Show
  description: A show for tests.
  owner:
    name: Test Owner
    email: owner@example.test
  image: cover.png
  categories: [Technology]
  explicit: false
target: public
"""


def png_bytes(width: int = 1400, height: int = 1400, rgb=(40, 90, 160)) -> bytes:
    """A solid-colour PNG of the given size."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


_AUDIO_CACHE: dict[tuple, bytes] = {}


def tone(seconds: float = 1.0, freq: int = 440, fmt: str = "mp3", rate: int = 44100) -> bytes:
    """A short generated tone, encoded by the bundled ffmpeg (cached per session)."""
    key = (seconds, freq, fmt, rate)
    if key not in _AUDIO_CACHE:
        codec = {"mp3": ["-c:a", "libmp3lame", "-b:a", "64k"], "wav": [],
                 "m4a": ["-c:a", "aac", "-b:a", "64k"], "flac": []}[fmt]
        with tempfile.TemporaryDirectory() as tmp:
            # a real file, not a pipe: MP3 and M4A headers are written after the audio
            out = Path(tmp) / f"tone.{fmt}"
            subprocess.run(
                [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"sine=f={freq}:d={seconds}",
                 "-ac", "1", "-ar", str(rate), *codec, str(out)],
                capture_output=True, check=True,
            )
            _AUDIO_CACHE[key] = out.read_bytes()
    return _AUDIO_CACHE[key]


class Project:
    def __init__(self, root: Path):
        self.root = root

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel == "config.yaml" and isinstance(content, str):
            content = on_test_catalog(textwrap.dedent(content))
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        return path

    def run(self, *args: str, now: str | None = NOW):
        """Run the CLI in this project; returns click's Result (output and exit code).
        ``now=None`` leaves the clock alone."""
        runner = CliRunner()
        cmd = list(args)
        if cmd and cmd[0] in ("publish", "collect", "status", "audio", "queue", "unqueue",
                              "release-due", "run"):
            cmd += ["--config", str(self.root / "config.yaml")]
            if now is not None and cmd[0] != "run":
                cmd += ["--now", now]
        return runner.invoke(main, cmd, catch_exceptions=False)

    def public(self, rel: str) -> Path:
        return self.root / "public" / rel

    def read(self, rel: str) -> bytes:
        return self.public(rel).read_bytes()


def post(title: str = "Hello", date: str = "2026-10-01", body: str = "Some *text*.",
         **extra) -> str:
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join([*lines, "---", "", body, ""])


def sidecar(title: str = "Episode", date: str = "2026-10-01 08:00", **extra) -> str:
    lines = [f"title: {title}", f"date: {date}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def bare_project(tmp: str | Path) -> Path:
    """A project with the base config, a cover and empty posts/ and episodes/ in ``tmp`` (for
    Hypothesis tests, which make a folder per example)."""
    root = Path(tmp)
    (root / "config.yaml").write_text(BASE_CONFIG, encoding="utf-8")
    (root / "cover.png").write_bytes(png_bytes(1400, 1400))
    (root / "posts").mkdir()
    (root / "episodes").mkdir()
    return root


def bare_settings(tmp: str | Path):
    """``bare_project``, read as settings."""
    from syndicate.config import load_config

    return load_config(bare_project(tmp) / "config.yaml")


@pytest.fixture
def make_project(tmp_path):
    """``make_project(files={...})``: a project tree with a base config and cover art."""

    def make(files: dict[str, str | bytes] | None = None, config: str | None = None) -> Project:
        proj = Project(tmp_path / "proj")
        proj.root.mkdir()
        proj.write("config.yaml", config if config is not None else BASE_CONFIG)
        proj.write("cover.png", png_bytes())
        (proj.root / "posts").mkdir()
        (proj.root / "episodes").mkdir()
        for rel, content in (files or {}).items():
            proj.write(rel, content)
        return proj

    return make


@pytest.fixture
def sample_project(tmp_path):
    """A copy of the repository's own sample content and config."""
    root = tmp_path / "sample"
    root.mkdir()
    for name in ("posts", "episodes"):
        shutil.copytree(REPO / name, root / name)
    proj = Project(root)
    proj.write("config.yaml", (REPO / "config.yaml").read_text(encoding="utf-8"))
    return proj


def make_audio(path: Path, seconds: float, *, rate: int = 48000, channels: int = 2,
               level_db: float = -20.0, kind: str = "speech", codec: list[str] | None = None,
               lead_silence: float = 0.0, trail_silence: float = 0.0) -> Path:
    """Generate a test source with ffmpeg: speech-like (a voiced buzz whose level moves like
    talk), a steady tone, or digital silence; optionally padded with silence."""
    if kind == "silence":
        src = f"anullsrc=r={rate}:cl={'mono' if channels == 1 else 'stereo'}:d={seconds}"
        chain = "anull"
    elif kind == "tone":
        src = f"sine=f=440:r={rate}:d={seconds}"
        chain = f"volume={level_db}dB"
    else:
        src = f"sine=f=140:r={rate}:d={seconds}:samples_per_frame=1024"
        chain = (f"aeval='0.6*sin(2*PI*140*t)+0.3*sin(2*PI*280*t)+0.2*sin(2*PI*560*t)"
                 f"+0.1*sin(2*PI*1120*t)',"
                 f"volume='0.2+0.8*abs(sin(t*3.1))*gt(mod(t,2.3),0.4)':eval=frame,"
                 f"volume={level_db}dB")
    if lead_silence or trail_silence:
        chain += f",adelay={int(lead_silence * 1000)}:all=1,apad=pad_dur={trail_silence}"
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", src, "-af", chain,
           "-ac", str(channels), "-ar", str(rate), *(codec or []), str(path)]
    subprocess.run(cmd, check=True, capture_output=True)
    return path


def loudness_of(path: Path) -> dict:
    """Measure a file independently of syndicate: EBU R128 with true peak, and sample stats."""
    import re

    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0", "-af",
         "ebur128=peak=true:framelog=quiet,astats=measure_perchannel=none:"
         "measure_overall=Peak_level+Number_of_samples", "-f", "null", "-"],
        capture_output=True, text=True, check=True).stderr
    summary = out[out.rfind("Summary:"):]

    def num(pattern, text):
        m = re.search(pattern, text)
        return float(m.group(1)) if m and m.group(1) != "-inf" else float("-inf")

    rate = int(re.search(r"Audio: \w+.*?, (\d+) Hz", out).group(1))
    return {
        "integrated": num(r"I:\s+(-?[\d.]+|-inf) LUFS", summary),
        "true_peak": num(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary),
        "sample_peak": num(r"Peak level dB: (-?[\d.]+|-inf)", out),
        "samples": int(num(r"Number of samples: (\d+)", out)),
        "rate": rate,
    }


def run_with_peak_rss(cmd: list[str], interval: float = 0.1,
                      **kwargs) -> tuple[subprocess.CompletedProcess, float]:
    """Run a command and sample the memory (PSS) of its whole process tree (it and every
    descendant, summed) every ``interval`` seconds; returns the result and the peak in MB.
    The sampling walks only the tree (via /proc/PID/task/TID/children where the kernel has it),
    so it takes next to no CPU from what it measures."""
    import glob
    import os
    import time

    page = os.sysconf("SC_PAGE_SIZE")

    def rss_pages(pid: int) -> int:
        """Proportional set size in pages: pages a process shares with another (a child between
        fork and exec shares all of its parent's) are split between them, not counted twice."""
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024 // page
        except (OSError, IndexError, ValueError):
            pass
        try:
            with open(f"/proc/{pid}/statm") as f:
                return int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            return 0

    def tree_rss_fast(root: int) -> int:
        total, todo = 0, [root]
        while todo:
            pid = todo.pop()
            total += rss_pages(pid)
            for path in glob.glob(f"/proc/{pid}/task/*/children"):
                try:
                    with open(path) as f:
                        todo += [int(c) for c in f.read().split()]
                except OSError:
                    pass
        return total * page

    def tree_rss(root: int) -> int:
        if os.path.exists(f"/proc/{root}/task/{root}/children"):
            return tree_rss_fast(root)
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                ppid, pages = int(fields[1]), int(fields[21])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
            rss[int(entry)] = pages
        total, todo = 0, [root]
        while todo:
            pid = todo.pop()
            total += rss.get(pid, 0)
            todo += children.get(pid, [])
        return total * os.sysconf("SC_PAGE_SIZE")

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            **kwargs)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(interval)
    out = proc.stdout.read()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, ""), peak / 2**20


# -- S3: moto's server on 127.0.0.1, driven by the real boto3 ---------------------------------
BUCKET = "podcast-site"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="us-east-1")
    yield f"http://127.0.0.1:{port}"
    server.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def bucket(s3_endpoint):
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    # readable by anyone, as a podcast host's bucket is: by policy, not by object ACLs
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({
        "Version": "2012-10-17",
        # moto checks anonymous HEAD requests as an action of their own; AWS treats HEAD as
        # s3:GetObject, so a real bucket needs only that
        "Statement": [{"Effect": "Allow", "Principal": "*",
                       "Action": ["s3:GetObject", "s3:HeadObject"],
                       "Resource": f"arn:aws:s3:::{BUCKET}/*"}],
    }))
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        keys = [obj["Key"] for obj in page.get("Contents", [])]
        plain = [k for k in keys if k.isprintable()]  # what an XML request body can carry
        if plain:  # a page is at most 1000 keys, what one DeleteObjects takes
            client.delete_objects(Bucket=BUCKET, Delete={
                "Objects": [{"Key": k} for k in plain], "Quiet": True})
        for key in keys:
            if not key.isprintable():
                client.delete_object(Bucket=BUCKET, Key=key)
    client.delete_bucket(Bucket=BUCKET)


def s3_config(endpoint: str, target: str = f"s3://{BUCKET}/site", attempts: int = 2) -> str:
    return BASE_CONFIG.replace("target: public", f"target: {target}") + (
        f"s3:\n  endpoint_url: {endpoint}\n  region: us-east-1\n  max_attempts: {attempts}\n")


def s3_files() -> dict:
    return {"posts/a.md": post("First post"), "episodes/one.yaml": sidecar("One"),
            "episodes/one.mp3": tone(2.0)}


def s3_keys(client, prefix="site/") -> dict[str, str]:
    """Key -> ETag of what the bucket holds under the prefix."""
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for obj in page.get("Contents", []):
            out[obj["Key"]] = obj["ETag"]
    return out


def serve(handler) -> tuple:
    """Start an HTTP server on a free loopback port in a thread: (server, base URL)."""
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def serve_folder(folder: Path) -> tuple:
    """A static host of ``folder`` on a free loopback port: (server, base URL without the
    trailing slash, the paths asked for)."""
    import functools
    import http.server

    asked: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            asked.append(self.path)
            super().do_GET()

    server, base = serve(functools.partial(Handler, directory=str(folder)))
    return server, base, asked


def wait_until(cond, timeout: float = 10.0) -> bool:
    """Poll ``cond`` every 20 ms until it holds (True) or ``timeout`` seconds pass (False)."""
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


# -- a local HTTP server that records what it is sent (hubs, pubnotify, old sites) -------------
class Recorder:
    def __init__(self, status: int = 204, location: str | None = None):
        import http.server

        self.requests: list[tuple[str, str, bytes]] = []
        self.headers: list[dict[str, str]] = []  # each request's headers, in the same order
        self.status = status
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                rec.headers.append(dict(self.headers.items()))
                rec.requests.append((self.command, self.path, body))
                self.send_response(rec.status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _answer

        self.server, self.url = serve(Handler)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    rec = Recorder()
    yield rec
    rec.close()


HANG_GUARD = 40  # seconds: far beyond every deadline the tests set; only a hang reaches it


class Hang(Exception):
    pass


@contextlib.contextmanager
def guard(seconds: float = HANG_GUARD):
    """Raise ``Hang`` if the block is still running after ``seconds``: not a timing test, a
    hang guard (SIGALRM, so the main thread only)."""
    import signal

    def alarm(*_):
        raise Hang(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


SLOW_FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>'
             b"<link>http://x.test/</link><description>d</description>" + b" " * 400
             + b"</channel></rss>")


class SlowHost:
    """A loopback host slow in each way a remote one can be, chosen by the path's start:
    ``/headers``: a status line, then a header line every ``gap`` seconds, never done;
    ``/body`` (``/drip``, ``/trickle``): whole headers promising 100000 bytes, then a byte
    every ``gap`` seconds; ``/slow``: ``SLOW_FEED`` whole, in 30 pieces over about ``spread``
    seconds; ``/endless``: audio with no length that never ends; ``/good``: ``self.feed`` at
    once. Each slow answer goes on until ``close``; ``asked`` lists the paths asked for."""

    def __init__(self, gap: float = 0.05, spread: float = 1.5):
        import http.server
        import threading

        self.done = threading.Event()
        self.asked: list[str] = []
        self.feed = b""
        me = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                me.asked.append(self.path)
                try:
                    me._answer(self, self.path.split("/")[1], gap, spread)
                except OSError:
                    return

        self.server, self.url = serve(Handler)

    def _answer(self, req, kind: str, gap: float, spread: float) -> None:
        if kind.startswith("headers"):
            req.wfile.write(b"HTTP/1.1 200 OK\r\n")
            while not self.done.wait(gap):
                req.wfile.write(b"X-Slow: yes\r\n")
                req.wfile.flush()
            return
        req.send_response(200)
        if kind.startswith("endless"):
            req.send_header("Content-Type", "audio/mpeg")
            req.end_headers()
            while not self.done.is_set():
                req.wfile.write(b"\xff" * 65536)
            return
        body = self.feed if kind.startswith("good") else SLOW_FEED
        req.send_header("Content-Type", "application/rss+xml")
        slow = kind.startswith(("good", "slow"))
        req.send_header("Content-Length", str(len(body)) if slow else "100000")
        req.end_headers()
        if kind.startswith("good"):
            req.wfile.write(body)
        elif kind.startswith("slow"):
            step = max(1, len(body) // 30)
            for at in range(0, len(body), step):
                req.wfile.write(body[at:at + step])
                req.wfile.flush()
                if self.done.wait(spread / 30):
                    return
        else:
            while not self.done.wait(gap):
                req.wfile.write(b" ")
                req.wfile.flush()

    def close(self):
        self.done.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_host():
    host = SlowHost()
    yield host
    host.close()


# -- a real PostgreSQL (pgserver's PostgreSQL 16), one per test session and worker --------------
class PgServer:
    """One PostgreSQL server in a temporary folder; ``database()`` makes an empty database for
    one test (CREATE DATABASE copies template0's few pages: milliseconds)."""

    def __init__(self, folder: Path):
        import pgserver

        self.server = pgserver.get_server(folder, cleanup_mode="stop")
        self.socket = str(folder)  # pgserver listens on a unix socket in its data folder only
        self._count = 0
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                conn.execute(f"ALTER SYSTEM SET {setting} = off")  # a test server: speed first
            conn.execute("SELECT pg_reload_conf()")

    def url(self, db: str) -> str:
        return f"postgresql://postgres@/{db}?host={self.socket}"

    def database(self) -> str:
        """A fresh, empty database; returns its URL (no password: the server trusts local
        connections)."""
        import psycopg

        self._count += 1
        name = f"t{os.getpid()}_{self._count}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.url(name)

    def stop(self) -> None:
        """Stop at once (SIGQUIT: no shutdown checkpoint; the data is thrown away)."""
        import signal

        import psutil

        pid = self.server.get_pid()
        if pid:
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                proc.send_signal(signal.SIGQUIT)
                proc.wait(30)
        self.server.cleanup()


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server (skips the test where pgserver is not installed)."""
    pytest.importorskip("pgserver", reason="pgserver is not installed (pip install -e '.[test]')")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[test]')")
    folder = Path(tempfile.mkdtemp(prefix="syndicate-pg-"))
    server = PgServer(folder)
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of an empty PostgreSQL database of its own for this test."""
    return pg_server.database()


# -- the engine the catalog tests run on ------------------------------------------------------
# SYNDICATE_TEST_CATALOG=postgresql: every project a test makes (Project.write of config.yaml
# without a 'catalog:' line) gets a database of its own on the session's PostgreSQL; tests that
# look into the SQLite file itself are marked sqlite_file and skipped there. CI runs the catalog
# tests both ways (.ci/run).
ON_POSTGRES = os.environ.get("SYNDICATE_TEST_CATALOG", "sqlite").lower() in ("postgresql",
                                                                            "postgres")
_TEST_DB: dict[str, object] = {}


def on_test_catalog(config_text: str) -> str:
    """``config_text`` with this test's PostgreSQL catalog, when the suite runs on it."""
    server = _TEST_DB.get("server")
    if not ON_POSTGRES or server is None or any(
            line.startswith("catalog:") for line in config_text.splitlines()):
        return config_text
    if _TEST_DB.get("url") is None:
        _TEST_DB["url"] = server.database()
    return config_text.rstrip("\n") + f"\ncatalog: {_TEST_DB['url']}\n"


@pytest.fixture(autouse=True)
def _test_catalog_engine(request):
    _TEST_DB.clear()
    if ON_POSTGRES:
        if request.node.get_closest_marker("sqlite_file"):
            pytest.skip("looks into the SQLite catalog file itself")
        _TEST_DB["server"] = request.getfixturevalue("pg_server")
    yield
    _TEST_DB.clear()
