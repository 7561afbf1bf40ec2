"""N23: a `sources:` feed whose import failed in part (the old host down while its audio was
downloaded) is imported again on the next run, and said, until it is whole; an unchanged
source whose import was whole is still not parsed again."""

from __future__ import annotations

import http.server
import threading

import podcastparser

from conftest import BASE_CONFIG, free_port, post, tone

OLD = """<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Old show</title><link>https://old.example/</link><description>d</description>
<item><title>Old one</title><guid>old-1</guid><pubDate>Mon, 01 Jun 2026 10:00:00 +0000</pubDate>
<enclosure url="http://127.0.0.1:{PORT}/old1.mp3" length="{LEN}" type="audio/mpeg"/>
<itunes:duration>0:01</itunes:duration><description>one</description></item>
</channel></rss>
"""


def _host(port: int, audio: bytes):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            self.send_response(200 if self.path == "/old1.mp3" else 404)
            body = audio if self.path == "/old1.mp3" else b""
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _titles(proj) -> list[str]:
    import io

    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    return sorted(e["title"] for e in feed["episodes"])


def test_a_source_whose_audio_failed_is_imported_on_the_next_run(make_project):
    audio = tone(1.0)
    port = free_port()
    proj = make_project({"posts/a.md": post("A"), "episodes/mine.yaml": "title: Mine\n"
                         "date: 2026-10-01 08:00\n", "episodes/mine.mp3": tone(1.0, freq=660),
                         "oldpod.xml": OLD.replace("{PORT}", str(port))
                         .replace("{LEN}", str(len(audio)))},
                        config=BASE_CONFIG + "sources:\n  - oldpod.xml\n")
    for _ in range(2):  # the old host is down: said on every run, exit 1
        result = proj.run("publish")
        assert result.exit_code == 1, result.output
        assert "'Old one' (oldpod.xml, line 4): http://127.0.0.1:" in result.output, \
            result.output
        assert _titles(proj) == ["Mine"]
    server = _host(port, audio)  # the old host is back
    try:
        result = proj.run("publish")
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    assert _titles(proj) == ["Mine", "Old one"]
    again = proj.run("publish")  # whole now: not imported again, nothing said
    assert again.exit_code == 0 and "Sources:" not in again.output, again.output
    assert _titles(proj) == ["Mine", "Old one"]
    assert len(list((proj.root / "episodes").glob("*old-one*.yaml"))) == 1
