"""A total deadline for every outgoing request: a server that trickles its headers, or its
body, a line or a byte at a time (so no single wait trips the read timeout) is not waited on.
The command ends soon after the deadline with one clear line: a podping (or a ping) is a
warning that says it was not sent, an import source an error naming it (and its page)."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

import pytest

from conftest import BASE_CONFIG, post, serve, sidecar, tone

GUARD = 40  # seconds: far beyond every deadline here; only a hang reaches it


class Hang(Exception):
    pass


@contextmanager
def guard(seconds: float = GUARD):
    def alarm(*_):
        raise Hang(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class Trickler:
    """A loopback server that answers 200 and then never finishes: ``/headers...`` sends a
    header line every 50 ms, ``/body...`` whole headers and then a byte every 50 ms; a
    ``/good...`` path gets a whole feed (``self.feed``)."""

    def __init__(self):
        import http.server

        self.done = threading.Event()
        self.asked: list[str] = []
        self.feed = b""
        me = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                me.asked.append(self.path)
                try:
                    if self.path.startswith("/good"):
                        self.send_response(200)
                        self.send_header("Content-Type", "application/rss+xml")
                        self.send_header("Content-Length", str(len(me.feed)))
                        self.end_headers()
                        self.wfile.write(me.feed)
                        return
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    if self.path.startswith("/body"):
                        self.wfile.write(b"Content-Type: application/rss+xml\r\n"
                                         b"Content-Length: 100000\r\n\r\n")
                    self.wfile.flush()
                    line = b" " if self.path.startswith("/body") else b"X-Slow: yes\r\n"
                    while not me.done.wait(0.05):
                        self.wfile.write(line)
                        self.wfile.flush()
                except OSError:
                    return

        self.server, self.url = serve(Handler)

    def close(self):
        self.done.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def trickler():
    t = Trickler()
    yield t
    t.close()


def _podcast_config(endpoint: str) -> str:
    cfg = BASE_CONFIG.replace("  explicit: false\n", "  explicit: false\n  podping: true\n")
    return cfg + f"audio:\n  process: false\nnotify:\n  podping_url: {endpoint}\n  timeout: 1\n"


@pytest.mark.parametrize("what", ["headers", "body"])
def test_a_podping_endpoint_trickling_its_answer_is_one_warning_not_a_hang(
        make_project, trickler, monkeypatch, what):
    monkeypatch.setenv("SYNDICATE_PODPING_TOKEN", "tok-123456")
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0),
                         "posts/a.md": post("A")},
                        config=_podcast_config(f"{trickler.url}/{what}/podping"))
    with guard():
        result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert len(trickler.asked) >= 1
    warned = [line for line in result.output.splitlines() if "podping" in line]
    assert len(warned) == 1, result.output
    assert "no answer within 1 s, so it was not sent" in warned[0]
    assert "Traceback" not in result.output
    assert b"<title>One</title>" in proj.read("podcast.xml")


@pytest.mark.parametrize("what", ["headers", "body"])
def test_an_import_source_trickling_its_answer_fails_naming_it(make_project, trickler,
                                                             monkeypatch, what):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "DEADLINE", 1)
    proj = make_project({})
    url = f"{trickler.url}/{what}/feed.xml"
    with guard():
        result = proj.run("import", "--audio", "keep-url", url, "--config",
                          str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {url}: still arriving after 1 s"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output + result.stderr
    assert list((proj.root / "posts").glob("*")) == []
