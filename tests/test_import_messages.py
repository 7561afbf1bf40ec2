"""Import messages say what actually happened: a host never reached is named as such (refused,
not found, timed out), not "gave none"; a UTF-32 or UTF-16 feed is decoded, and only truly
binary data is "a binary file"; a present but garbled pubDate is "pubDate 'xyz' is not a date"
with its line, not "no pubDate"."""

from __future__ import annotations

import http.server
import json
import socket

import pytest

from conftest import BASE_CONFIG, DATA, serve
from syndicate.importer import SourceError
from syndicate.importer.fetch import fetch_url
from syndicate.importer.sources import parse

PODCAST = (DATA / "import" / "podcast-feed.xml").read_text()
BLOG = """<?xml version="1.0" encoding="{enc}"?>
<rss version="2.0"><channel><title>Old</title><link>https://old.example/</link>
<description>d</description>
<item><title>Été au jardin</title><guid isPermaLink="false">g1</guid>
<pubDate>Mon, 06 Jan 2020 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Les tomates mûrissent enfin.&lt;/p&gt;</description></item>
</channel></rss>
"""


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(proj, *args):
    return proj.run("import", *args, "--config", str(proj.root / "config.yaml"))


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be", "utf-16",
                                      "utf-16-be"])
def test_utf32_and_utf16_feeds_are_decoded(encoding):
    text = BLOG.format(enc=encoding.split("-")[0] + "-" + encoding.split("-")[1])
    found = parse(text.encode(encoding), "old.xml")
    assert [(f.title, f.guid) for f in found] == [("Été au jardin", "g1")]
    assert "Les tomates mûrissent enfin." in found[0].body


def test_only_truly_binary_data_is_a_binary_file(make_project):
    with pytest.raises(SourceError, match=r"old\.bin: a binary file, not a page or a feed"):
        parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "old.bin")
    proj = make_project({"old.xml": BLOG.format(enc="UTF-32").encode("utf-32")},
                        config=BASE_CONFIG)
    result = _run(proj, str(proj.root / "old.xml"))
    assert result.exit_code == 0, result.output
    assert "created 1" in result.output and "binary" not in result.output


def test_a_host_never_reached_is_named_with_what_happened(make_project):
    port = _closed_port()
    with pytest.raises(SourceError) as caught:
        fetch_url(f"http://127.0.0.1:{port}/feed.xml")
    assert "the old host 127.0.0.1 could not be reached (connection refused)" in str(caught.value)
    # keep-url: the enclosure's size is asked of a host that refuses: said so, not "gave none"
    feed = (PODCAST.replace("{BASE}", f"http://127.0.0.1:{port}").replace("{LOCKED}", "no")
            .replace("{OWNER}", "owner@example.test").replace('length="{LEN1}"', "")
            .replace("{LEN2}", "1000"))
    proj = make_project({"show.xml": feed}, config=BASE_CONFIG)
    result = _run(proj, str(proj.root / "show.xml"), "--audio", "keep-url")
    assert result.exit_code == 1
    assert (f"'Welcome to Plot 14' ({proj.root / 'show.xml'}, line 22): the feed gives no "
            "enclosure length and the old host "
            "127.0.0.1 could not be reached (connection refused)") in result.output
    assert "gave none" not in result.output
    assert "created 1" in result.output  # the episode with its length is still imported


def test_a_host_that_never_answers_is_said_to_have_timed_out(make_project, monkeypatch):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "TIMEOUT", (0.5, 0.5))
    with socket.socket() as silent:  # listens (the kernel accepts), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"
        feed = (PODCAST.replace("{BASE}", base).replace("{LOCKED}", "no")
                .replace("{OWNER}", "owner@example.test").replace('length="{LEN1}"', "")
                .replace("{LEN2}", "1000"))
        proj = make_project({"show.xml": feed}, config=BASE_CONFIG)
        result = _run(proj, str(proj.root / "show.xml"), "--audio", "keep-url")
    assert result.exit_code == 1
    assert ("the feed gives no enclosure length and the old host 127.0.0.1 did not answer "
            "within 0.5 s (timed out)") in result.output


def test_a_host_that_answers_without_a_size_gave_none(make_project):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_HEAD(self):
            self.send_response(200)
            self.end_headers()

    server, url = serve(Handler)
    try:
        feed = (PODCAST.replace("{BASE}", url).replace("{LOCKED}", "no")
                .replace("{OWNER}", "owner@example.test").replace('length="{LEN1}"', "")
                .replace("{LEN2}", "1000"))
        proj = make_project({"show.xml": feed}, config=BASE_CONFIG)
        result = _run(proj, str(proj.root / "show.xml"), "--audio", "keep-url")
        assert result.exit_code == 1
        assert (f"the old host 127.0.0.1 gave none for {url}/audio/ep1.mp3") in result.output
    finally:
        server.shutdown()


def _pubdate_line(text: str, title: str) -> int:
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if title in line)
    return next(i for i in range(at, -1, -1) if "<item" in lines[i]) + 1


@pytest.mark.parametrize("written, reason", [
    ("<pubDate>xyz</pubDate>", "pubDate 'xyz' is not a date (line {line})"),
    ("<pubDate>Mon, 30 Feb 2022 07:00:00 GMT</pubDate>",
     "pubDate 'Mon, 30 Feb 2022 07:00:00 GMT' is not a date (line {line})"),
    ("<pubDate>Sat, 05 Mar 1776 07:00:00 GMT</pubDate>",
     "pubDate 'Sat, 05 Mar 1776 07:00:00 GMT' is outside the years 1900 to 2999 (line {line})"),
    ("<pubDate> </pubDate>", "its pubDate is empty (line {line})"),
    ("", "no pubDate in the feed (line {line})"),
])
def test_a_garbled_pubdate_is_named_as_written_with_its_line(make_project, written, reason):
    blog = BLOG.format(enc="UTF-8").replace(
        "<pubDate>Mon, 06 Jan 2020 10:00:00 GMT</pubDate>", written)
    show = (PODCAST.replace("{BASE}", "https://old.example").replace("{LOCKED}", "no")
            .replace("{OWNER}", "owner@example.test").replace("{LEN1}", "1000")
            .replace("{LEN2}", "1000")
            .replace("<pubDate>Sat, 05 Mar 2022 07:00:00 GMT</pubDate>", written))
    proj = make_project({"blog.xml": blog, "show.xml": show}, config=BASE_CONFIG)
    for name, title, text in (("blog.xml", "Été au jardin", blog),
                              ("show.xml", "Welcome to Plot 14", show)):
        result = _run(proj, str(proj.root / name), "--json", "--audio", "keep-url")
        assert result.exit_code == 0, result.output
        skipped = json.loads(result.output)["skipped"]
        assert [s["title"] for s in skipped] == [title]
        assert skipped[0]["reason"].startswith(
            reason.format(line=_pubdate_line(text, title))), skipped[0]["reason"]
