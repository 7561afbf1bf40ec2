"""``syndicate check`` reads no answer without bound: a feed or page past ``BODY_BYTES`` is one
error naming the address and the cap, and the check goes on; an episode's audio answered with
200 to a byte-range request is judged by its status line, its body not read; a host that
accepts and never answers costs one timeout, is named once, and the summary counts the
addresses asked."""

from __future__ import annotations

import functools
import http.server
import socket
import threading

import pytest
import yaml
from test_check_pages import SiteHandler

from conftest import BASE_CONFIG, free_port, serve, sidecar, tone
from syndicate import check, crawl

ENDLESS = 64 << 20  # what the endless server sends at most before it gives up (4 x the cap)


class _Endless(http.server.BaseHTTPRequestHandler):
    """Every address: 200, an RSS type, then ``<rss><channel><title>`` and ``a`` after ``a``."""

    sent: list[int]

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        chunk, total = b"a" * 65536, 0
        try:
            self.wfile.write(b"<rss><channel><title>")
            while total < ENDLESS:
                self.wfile.write(chunk)
                total += len(chunk)
        except OSError:  # the reader hung up
            pass
        self.sent.append((self.path, total))


def _config(tmp_path, site: str):
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["site"]["url"] = site
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_an_endless_feed_is_read_up_to_the_cap_then_named_and_the_check_goes_on(
        tmp_path, make_project):
    sent: list[int] = []
    server, url = serve(type("H", (_Endless,), {"sent": sent}))
    proj = make_project({})
    try:
        result = proj.run("check", "--config", str(_config(tmp_path, url + "/")))
    finally:
        server.shutdown()
        server.server_close()
    out = result.output
    assert result.exit_code == 1 and "Traceback" not in out
    cap = check.BODY_BYTES >> 20
    for path in ("feed.xml", "atom.xml", "podcast.xml"):  # each named, so each was asked
        assert f"Error: {url}/{path}: the answer is over {cap} MB" in out
    assert f"Error: {url}/sitemap.xml: the answer is over {check.SITEMAP_BYTES >> 20} MB" in out
    # no answer was read to its end: each was hung up on near its cap (a sitemap's is the
    # protocol's 50 MB; the socket buffers hold a few MB more)
    assert len(sent) >= 7
    for path, n in sent:
        cap = check.SITEMAP_BYTES if path == "/sitemap.xml" else check.BODY_BYTES
        assert n < cap + (16 << 20), (path, n)


@pytest.fixture
def no_range_site(make_project):
    """A published show whose host answers a byte-range GET of the audio with 200 and the
    'whole file' (an endless one: 800 MB said, zeros sent until the reader hangs up)."""
    port = free_port()
    site = f"http://127.0.0.1:{port}/"
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["site"]["url"] = site
    cfg["audio"] = {"process": False}
    proj = make_project({"episodes/one.mp3": tone(1.0),
                         "episodes/one.yaml": sidecar("One", "2026-10-01 08:00")},
                        config=yaml.safe_dump(cfg))
    assert proj.run("publish").exit_code == 0
    sent: list[int] = []

    class NoRange(SiteHandler):
        def do_GET(self):
            if not (self.path.endswith(".mp3") and "Range" in self.headers):
                return super().do_GET()
            self.log.append(("GET", self.path))
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(800 << 20))
            self.end_headers()
            total = 0
            try:
                while total < ENDLESS:
                    self.wfile.write(bytes(65536))
                    total += 65536
            except OSError:
                pass
            sent.append(total)

    handler = functools.partial(type("H", (NoRange,), {"log": []}),
                                directory=str(proj.root / "public"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield proj, site, sent
    server.shutdown()
    server.server_close()


def test_a_200_answer_to_a_range_request_is_judged_by_its_status_not_read(no_range_site):
    proj, site, sent = no_range_site
    result = proj.run("check", "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = [ln for ln in result.output.splitlines() if "byte-range" in ln]
    assert line.startswith(f"Error: {site}media/") and "got 200, not 206" in line
    assert sent, "the audio was never asked for with a range"
    assert max(sent) < 16 << 20  # hung up on at once: what was sent sits in socket buffers


def test_a_host_that_never_answers_is_named_once_and_the_summary_counts_what_was_asked(
        tmp_path, make_project, monkeypatch):
    monkeypatch.setattr(check, "TIMEOUT", (2, 1))
    monkeypatch.setattr(crawl, "TIMEOUT", (2, 1))
    mute = socket.socket()
    mute.bind(("127.0.0.1", 0))
    mute.listen(16)  # connections are taken by the kernel and never answered
    url = f"http://127.0.0.1:{mute.getsockname()[1]}/"
    proj = make_project({})
    try:
        result = proj.run("check", "--config", str(_config(tmp_path, url)))
    finally:
        mute.close()
    out = result.output
    assert result.exit_code == 1 and "Traceback" not in out
    assert f"GET {url}feed.xml" in out  # the user sees what it waits on, as it waits
    no_answer = [line for line in out.splitlines() if ": no answer to GET" in line]
    assert no_answer == [f"Error: {url}feed.xml: no answer to GET (nothing arrived for 1 s; "
                         "is the host overloaded?)"]
    assert f"Error: {url}podcast.json: not asked (127.0.0.1:" in out
    assert "Checked 1 URLs:" in out  # the one address asked
