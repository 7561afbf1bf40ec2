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

    def __init__(self, locked="no", owner="owner@example.test", lengths=True):
        self.audio = {"/audio/ep1.mp3": tone(2.0, freq=330), "/audio/ep2.mp3": tone(30.0, 440)}
        self.cut_once: set[str] = set()
        self.ranges: list[str] = []
        self.gets: list[str] = []
        self.heads: list[str] = []
        host = self

        def length(path: str) -> str:
            return str(len(host.audio[path])) if lengths else "0"

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path == "/feed.xml":
                    body = (FEED.replace("{BASE}", host.url).replace("{LOCKED}", locked)
                            .replace("{OWNER}", owner)
                            .replace("{LEN1}", length("/audio/ep1.mp3"))
                            .replace("{LEN2}", length("/audio/ep2.mp3"))).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                data = host.audio.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                host.gets.append(self.path)
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

            def do_HEAD(self):
                host.heads.append(self.path)
                data = host.audio.get(self.path)
                self.send_response(200 if data is not None else 404)
                self.send_header("Content-Length", str(len(data or b"")))
                self.send_header("Content-Type", "audio/mpeg")
                self.end_headers()

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
    # the old feed says episode 2 lasts 0:02; the audio it serves lasts 30 s: a person should
    # know, and the feed we publish gives the audio's own duration
    assert [(f["guid"], f["reason"]) for f in report["flagged"]] == [
        ("allotment-hour-ep-2", "the old feed said 0:02, the audio lasts 0:30; the published "
                                "feed gives the audio's own duration")]
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


def test_audio_kept_at_its_url_is_not_downloaded_and_the_feed_points_there(make_project, host):
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, host.url + "/feed.xml", "--audio", "keep-url", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert host.gets == [] and host.heads == []  # the feed gave every length: no request
    assert sorted(e["file"] for e in report["created"]) == [
        "episodes/2022-03-05-welcome-to-plot-14.yaml",
        "episodes/2022-03-12-potatoes-early-and-late.yaml"]
    assert sorted(p.suffix for p in (proj.root / "episodes").iterdir()) == [".yaml", ".yaml"]
    # episode 1 has no itunes:duration in the old feed: flagged, and the sidecar says so
    assert [f["guid"] for f in report["flagged"]] == ["allotment-hour-ep-1"]
    assert "review: no itunes:duration" in \
        (proj.root / "episodes/2022-03-05-welcome-to-plot-14.yaml").read_text()

    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    assert "no 'duration' for the audio at its URL" in published.output
    assert not proj.public("media").exists()  # nothing of the old host's is re-hosted
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    got = {e["guid"]: e for e in feed["episodes"]}
    for guid, path in (("allotment-hour-ep-1", "/audio/ep1.mp3"),
                       ("allotment-hour-ep-2", "/audio/ep2.mp3")):
        (enclosure,) = got[guid]["enclosures"]
        assert enclosure["url"] == host.url + path
        assert enclosure["file_size"] == len(host.audio[path])
        assert enclosure["mime_type"] == "audio/mpeg"
    assert got["allotment-hour-ep-2"]["total_time"] == 2  # as the old feed stated it
    assert got["allotment-hour-ep-1"]["total_time"] == 0  # none stated: none invented
    assert b"<itunes:duration>" not in proj.read("podcast.xml").split(b"Plot 14")[1]
    page = proj.read("episodes/welcome-to-plot-14/index.html").decode()
    assert f'src="{host.url}/audio/ep1.mp3"' in page

    report_out = proj.run("audio", "report")
    assert report_out.exit_code == 0, report_out.output
    assert f"kept at {host.url}/audio/ep1.mp3 (not processed)" in report_out.output
    assert proj.run("publish").output.count("wrote 0 files") == 1  # stable: nothing re-sent


def test_keep_url_asks_the_old_host_for_sizes_the_feed_left_out(make_project):
    host = OldHost(lengths=False)
    try:
        proj = make_project({}, config=BASE_CONFIG + "import_audio: keep-url\n")
        result = _import(proj, host.url + "/feed.xml", "--json")
        assert result.exit_code == 0, result.output
        assert sorted(host.heads) == ["/audio/ep1.mp3", "/audio/ep2.mp3"] and host.gets == []
        sidecar = (proj.root / "episodes/2022-03-12-potatoes-early-and-late.yaml").read_text()
        assert f"audio_length: {len(host.audio['/audio/ep2.mp3'])}" in sidecar
        # an address the old host no longer has: that episode fails, nothing half-written
        del host.audio["/audio/ep1.mp3"]
        (proj.root / "episodes/2022-03-05-welcome-to-plot-14.yaml").unlink()
        # (and the catalog: an episode the author deleted is otherwise not imported again)
        (proj.root / ".syndicate/catalog.db").unlink()
        again = _import(proj, host.url + "/feed.xml")
        assert again.exit_code == 1
        assert "'Welcome to Plot 14' (" in again.output and \
            ", line 22): the feed gives no enclosure length and the old host " \
            "127.0.0.1 answered HTTP 404 Not Found" in again.output
        assert "--audio download" in again.output
        assert not (proj.root / "episodes/2022-03-05-welcome-to-plot-14.yaml").exists()
    finally:
        host.close()


@pytest.mark.parametrize("sidecar, beside, message", [
    ("audio_url: https://old.example/a.mp3\n", False,
     "episodes/ep.yaml:3: 'audio_url' needs 'audio_length'"),
    ("audio_url: https://old.example/a.mp3\naudio_length: 10\n", True,
     "episodes/ep.yaml:3: 'audio_url' is given but ep.mp3 is beside it"),
    ("audio_url: ftp://old.example/a.mp3\naudio_length: 10\n", False,
     "episodes/ep.yaml:3: 'audio_url': expected an http:// or https:// address"),
    ("audio_url: https://old.example/a.mp3\naudio_length: 10\nduration: soon\n", False,
     "episodes/ep.yaml:5: 'duration': expected a time such as 12:30"),
])
def test_bad_audio_url_sidecars_are_named_with_their_line(make_project, sidecar, beside,
                                                          message):
    files = {"episodes/ep.yaml": "title: Ep\ndate: 2024-01-01\n" + sidecar}
    if beside:
        files["episodes/ep.mp3"] = tone(1.0)
    proj = make_project(files)
    result = proj.run("publish")
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert b"<item>" not in proj.read("podcast.xml")
