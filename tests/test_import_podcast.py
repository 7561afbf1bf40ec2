"""Migrating a podcast feed from an old host (a loopback server stands in for it)."""

from __future__ import annotations

import http.server
import io
import json

import podcastparser
import pytest

from conftest import BASE_CONFIG, DATA, serve, tone

FEED = (DATA / "import" / "podcast-feed.xml").read_text()


class OldHost:
    """Serves the feed and the audio, with Range requests; can cut one download short."""

    def __init__(self, locked="no", owner="owner@example.test"):
        self.audio = {"/audio/ep1.mp3": tone(2.0, freq=330), "/audio/ep2.mp3": tone(30.0, 440)}
        self.cut_once: set[str] = set()
        self.ranges: list[str] = []
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path == "/feed.xml":
                    body = (FEED.replace("{BASE}", host.url).replace("{LOCKED}", locked)
                            .replace("{OWNER}", owner)
                            .replace("{LEN1}", str(len(host.audio["/audio/ep1.mp3"])))
                            .replace("{LEN2}", str(len(host.audio["/audio/ep2.mp3"])))).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                data = host.audio.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                if "Range" in self.headers:
                    host.ranges.append(self.headers["Range"])
                    start = int(self.headers["Range"].split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range",
                                     f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                if self.path in host.cut_once:
                    host.cut_once.discard(self.path)
                    self.wfile.write(data[start:start + len(data) // 3])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(data[start:])

        self.server, self.url = serve(Handler)

    def close(self):
        self.server.shutdown()


@pytest.fixture
def host():
    h = OldHost()
    yield h
    h.close()


def _import(proj, url, *extra):
    return proj.run("import", url, *extra, "--config", str(proj.root / "config.yaml"))


def test_a_podcast_feed_is_migrated_keeping_guids_dates_notes_and_numbers(make_project, host):
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, host.url + "/feed.xml", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["podcast_guid"] == "5f1c3a7e-2b8d-5c4e-9a61-0d2f7b3e8c91"
    assert sorted(e["file"] for e in report["created"]) == [
        "episodes/2022-03-05-welcome-to-plot-14.mp3",
        "episodes/2022-03-12-potatoes-early-and-late.mp3"]
    for name, audio in (("2022-03-05-welcome-to-plot-14", "/audio/ep1.mp3"),
                        ("2022-03-12-potatoes-early-and-late", "/audio/ep2.mp3")):
        assert (proj.root / f"episodes/{name}.mp3").read_bytes() == host.audio[audio]
    sidecar = (proj.root / "episodes/2022-03-12-potatoes-early-and-late.yaml").read_text()
    assert "guid: allotment-hour-ep-2" in sidecar and "season: 1" in sidecar
    assert "number: 2" in sidecar and "- first earlies" in sidecar
    again = json.loads(_import(proj, host.url + "/feed.xml", "--json").output)
    assert again["created"] == [] and len(again["merged"]) == 2  # idempotent
    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    got = {e["guid"]: e for e in feed["episodes"]}
    assert set(got) == {"allotment-hour-ep-1", "allotment-hour-ep-2"}
    assert got["allotment-hour-ep-2"]["published"] == 1647068400  # 2022-03-12 07:00 UTC
    assert got["allotment-hour-ep-2"]["number"] == 2
    assert abs(got["allotment-hour-ep-1"]["total_time"] - 2) <= 1
    assert abs(got["allotment-hour-ep-2"]["total_time"] - 30) <= 1
    assert b"<podcast:guid>5f1c3a7e-2b8d-5c4e-9a61-0d2f7b3e8c91</podcast:guid>" in \
        proj.read("podcast.xml")


def test_a_download_cut_short_leaves_nothing_and_resumes(make_project, host):
    host.cut_once.add("/audio/ep2.mp3")
    proj = make_project({}, config=BASE_CONFIG)
    first = _import(proj, host.url + "/feed.xml")
    assert first.exit_code == 1
    assert "the download was cut short" in first.output and "run the import again" in \
        first.output
    names = sorted(p.name for p in (proj.root / "episodes").iterdir())
    assert names == ["2022-03-05-welcome-to-plot-14.mp3", "2022-03-05-welcome-to-plot-14.yaml"]
    second = _import(proj, host.url + "/feed.xml")
    assert second.exit_code == 0, second.output
    assert host.ranges and host.ranges[0].startswith("bytes=") and host.ranges[0] != "bytes=0-"
    assert (proj.root / "episodes/2022-03-12-potatoes-early-and-late.mp3").read_bytes() == \
        host.audio["/audio/ep2.mp3"]


def test_a_locked_feed_is_refused_unless_the_owner_matches(make_project):
    locked = OldHost(locked="yes", owner="someone-else@example.test")
    try:
        proj = make_project({}, config=BASE_CONFIG)
        result = _import(proj, locked.url + "/feed.xml")
        assert result.exit_code == 1
        assert "the feed is locked (podcast:locked yes) to its owner someone-else@example.test"\
            in result.output
        assert not (proj.root / "episodes").exists() or \
            not list((proj.root / "episodes").glob("*.mp3"))
    finally:
        locked.close()
    mine = OldHost(locked="yes", owner="owner@example.test")
    try:
        proj2_result = _import(proj, mine.url + "/feed.xml")
        assert proj2_result.exit_code == 0, proj2_result.output
    finally:
        mine.close()
