"""Our own podcast fixtures (tests/data/import/) through the ``syndicate`` CLI: namespace
spellings, a locked feed, fields kept or reported dropped, guids given twice, art before the
audio, enclosures of a blog feed, bytes before the root. Audio stays at its URL: nothing is
fetched (every enclosure length is given), but where a loopback server stands in for the old
host to test a download."""

from __future__ import annotations

import http.server
import io
import json

import feedparser
import podcastparser
import yaml

from conftest import BASE_CONFIG, DATA, png_bytes, serve, tone

IMPORT = DATA / "import"


def _import(proj, name: str, *extra: str):
    result = proj.run("import", str(IMPORT / name), "--audio", "keep-url", "--json", *extra,
                      "--config", str(proj.root / "config.yaml"))
    return result, json.loads(result.output.split("\nError:")[0])


def _sidecars(proj) -> dict[str, dict]:
    out = {}
    for path in sorted((proj.root / "episodes").glob("*.yaml")):
        car = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[car["guid"]] = car
    return out


def test_a_locked_feed_in_other_spellings_is_refused_naming_its_owner(make_project):
    proj = make_project({})
    result, report = _import(proj, "podcast-spellings.xml")
    assert result.exit_code == 1
    (error,) = report["errors"]
    assert "the feed is locked" in error and "pat@shed.example" in error
    assert "set podcast.owner.email" in error  # the documented way for the owner
    assert not list((proj.root / "episodes").iterdir())


def test_the_owner_moves_a_feed_in_other_spellings_keeping_its_fields(make_project):
    proj = make_project({}, config=BASE_CONFIG.replace("owner@example.test", "pat@shed.example"))
    result, report = _import(proj, "podcast-spellings.xml")
    assert result.exit_code == 0, result.output
    assert report["podcast_guid"] == "0b5b7a56-3d1c-5e8f-a0a4-6c2e7b8d9f10"
    cars = _sidecars(proj)
    three, two = cars["shed-talk-3"], cars["shed-talk-2"]
    # podcast:season and podcast:episode win over the iTunes ones, whatever their order
    assert (three["season"], three["number"], three["type"]) == (1, 3, "bonus")
    assert (two["season"], two["number"]) == (1, 2)
    assert (three["duration"], two["duration"]) == (3723, 754)
    assert three["explicit"] is True  # the show's flag, inherited
    assert two["explicit"] is False  # its own
    (entry,) = [e for e in report["created"] if e["guid"] == "shed-talk-3"]
    assert {"number", "season", "type", "duration", "guid", "date"} <= set(entry["kept"])
    assert [c["field"] for c in entry["changed"]] == ["explicit"]
    (named,) = entry["dropped"]  # all else it has is kept
    assert named["field"] == "podcast:season name" and "'Winter'" in named["why"]
    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    ours = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    got = {e["guid"]: e for e in ours["episodes"]}
    assert (got["shed-talk-3"]["number"], got["shed-talk-3"]["season"]) == (3, 1)
    assert got["shed-talk-3"]["total_time"] == 3723 and got["shed-talk-3"]["explicit"] is True
    assert b"<podcast:guid>0b5b7a56-3d1c-5e8f-a0a4-6c2e7b8d9f10</podcast:guid>" in \
        proj.read("podcast.xml")


def test_a_byte_order_mark_and_a_comment_before_the_root_are_still_a_podcast(make_project):
    proj = make_project({}, config=BASE_CONFIG.replace("owner@example.test", "pat@shed.example"))
    result, report = _import(proj, "podcast-bom-comment.xml", "--date-by-order", "2020-01-01")
    assert result.exit_code == 0, result.output
    assert sorted(e["guid"] for e in report["created"]) == ["shed-talk-2", "shed-talk-3"]
    assert not list((proj.root / "posts").iterdir())  # no post of the feed's markup


def test_fields_syndicate_cannot_publish_are_reported_dropped_with_the_reason(make_project):
    proj = make_project({})
    result, report = _import(proj, "podcast-fields.xml")
    assert result.exit_code == 0, result.output
    first = next(e for e in report["created"] if e["guid"] == "bench-1")
    dropped = [d["field"] for d in first["dropped"]]
    for name in ("itunes:block", "podcast:funding",
                 "podcast:alternateEnclosure", "itunes:author", "link"):
        assert name in dropped, name
    # the Podcast Index tags syndicate publishes are kept, as sidecar keys (issue 15)
    assert {"podcast:person", "podcast:soundbite", "podcast:location"} <= set(first["kept"])
    car = _sidecars(proj)["bench-1"]
    assert car["persons"] == [{"name": "Ada", "role": "guest", "href": "https://example.org/ada"}]
    assert car["soundbites"] == [{"start": 60.0, "duration": 30.0, "title": "The best bit"}]
    assert car["location"] == {"name": "London", "geo": "geo:51.5,-0.1"}
    # art, the captions and the chapters are kept at their addresses; the second transcript
    # is reported, naming the one kept
    assert {"itunes:image", "podcast:transcript", "podcast:chapters"} <= set(first["kept"])
    assert "itunes:image" not in dropped and "podcast:chapters" not in dropped
    assert dropped.count("podcast:transcript") == 1
    assert dropped.count("enclosure") == 1  # the cover sent as an enclosure
    why = {d["field"]: d["why"] for d in first["dropped"]}
    assert "one transcript" in why["podcast:transcript"]
    assert "https://old-host.example/bench/1.vtt" in why["podcast:transcript"]
    assert "image/png" in why["enclosure"]
    car = _sidecars(proj)["bench-1"]
    assert car["image_url"] == "https://old-host.example/bench/1.jpg"
    assert car["chapters_url"] == "https://old-host.example/bench/1.json"
    assert (car["transcript_url"], car["transcript_type"], car["transcript_language"]) == \
        ("https://old-host.example/bench/1.vtt", "text/vtt", "en")
    # art first, audio second: an episode of the audio
    cars = _sidecars(proj)
    assert cars["bench-1"]["audio_url"] == "https://old-host.example/bench/1.mp3"
    assert cars["bench-1"]["explicit"] is False  # the show's flag


def test_two_episodes_sharing_a_guid_stay_two_the_second_with_a_new_guid(make_project):
    proj = make_project({})
    result, report = _import(proj, "podcast-fields.xml")
    assert result.exit_code == 0, result.output
    # three items: two episodes (one guid between them) and a video, reported
    assert len(report["created"]) + len(report["skipped"]) + len(report["merged"]) == 3
    (video,) = report["skipped"]
    assert video["guid"] == "bench-video" and "video/mp4" in video["reason"]
    cars = _sidecars(proj)
    assert cars["bench-1"]["title"] == "Everything At Once"
    assert cars["bench-1#2"]["title"] == "Twice Told"
    (flag,) = [f for f in report["flagged"] if "the same guid" in f["reason"]]
    assert flag["guid"] == "bench-1#2" and "Everything At Once" in flag["reason"]
    again = _import(proj, "podcast-fields.xml")[1]
    assert again["created"] == [] and len(again["merged"]) == 2
    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    ours = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    assert sorted(e["guid"] for e in ours["episodes"]) == ["bench-1", "bench-1#2"]


def test_enclosures_of_a_blog_feed_are_linked_and_reported(make_project):
    proj = make_project({})
    result, report = _import(proj, "blog-enclosures.xml")
    assert result.exit_code == 0, result.output
    assert len(report["created"]) == 4 and report["skipped"] == []
    flagged = {f["title"]: f["reason"] for f in report["flagged"]}
    assert set(flagged) == {"Walking the Plot", "Birdsong at Six"}
    assert "video/mp4: https://old-blog.example/media/walk.mp4" in flagged["Walking the Plot"]
    assert "audio/x-m4a" in flagged["Birdsong at Six"]
    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    feed = feedparser.parse(proj.read("feed.xml"))
    walk = next(e for e in feed.entries if e.title == "Walking the Plot")
    assert "https://old-blog.example/media/walk.mp4" in walk.summary + "".join(
        c.value for c in walk.get("content", []))


def test_a_download_brings_art_transcript_and_chapters_beside_the_episode(make_project):
    """With --audio download, the art, the best transcript and the chapters come too and are
    published; one that is broken or missing stays reported as dropped, saying why."""
    files = {"/audio/1.mp3": tone(3.0, freq=330), "/audio/2.mp3": tone(3.0, freq=440),
             "/art/1.png": png_bytes(1400, 1400), "/art/broken.jpg": b"not a picture",
             "/t/1.vtt": b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nSow thinly.\n",
             "/t/1.html": b"<p>Sow thinly.</p>",
             "/c/1.json": json.dumps({"version": "1.2.0", "chapters": [
                 {"startTime": 0, "title": "Trays"},
                 {"startTime": 1.5, "title": "Compost", "url": "https://example.org/c"}]}
             ).encode(),
             "/c/late.json": json.dumps({"chapters": [{"startTime": 1, "title": "Late"}]}
                                        ).encode()}
    template = (IMPORT / "podcast-companions.xml").read_text(encoding="utf-8")

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            if self.path == "/feed.xml":
                body = (template.replace("{BASE}", url)
                        .replace("{LEN1}", str(len(files["/audio/1.mp3"])))
                        .replace("{LEN2}", str(len(files["/audio/2.mp3"])))).encode()
            elif self.path in files:
                body = files[self.path]
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            # as a real host types them: text companions are text (never taken for a page
            # served in place of audio)
            self.send_header("Content-Type", TYPES[self.path.rsplit(".", 1)[-1]])
            self.end_headers()
            self.wfile.write(body)

    TYPES = {"xml": "application/rss+xml", "mp3": "audio/mpeg", "png": "image/png",
             "jpg": "image/jpeg", "vtt": "text/vtt", "html": "text/html; charset=utf-8",
             "json": "application/json+chapters"}
    server, url = serve(Handler)
    try:
        proj = make_project({})
        result = proj.run("import", f"{url}/feed.xml", "--audio", "download", "--json",
                          "--config", str(proj.root / "config.yaml"))
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    cars = _sidecars(proj)
    one, two = cars["potting-1"], cars["potting-2"]
    assert one["transcript"].endswith(".vtt") and one["transcript_language"] == "en-GB"
    assert one["image"].endswith(".png")
    assert one["chapters"] == [{"start": 0, "title": "Trays"},
                               {"start": 1.5, "title": "Compost",
                                "url": "https://example.org/c"}]
    assert not {"image", "transcript", "chapters"} & set(two)
    entry = {e["guid"]: e for e in report["created"]}
    assert {"itunes:image", "podcast:transcript", "podcast:chapters"} <= \
        set(entry["potting-1"]["kept"])
    (html,) = entry["potting-1"]["dropped"]
    assert html["field"] == "podcast:transcript" and "one transcript" in html["why"]
    why = {d["field"]: d["why"] for d in entry["potting-2"]["dropped"]}
    assert "downloading it failed" in why["itunes:image"]
    assert "first chapter must start at 0" in why["podcast:chapters"]
    assert "HTTP 404" in why["podcast:transcript"]
    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    xml = proj.read("podcast.xml").decode()
    assert xml.count("<podcast:transcript") == 1 and xml.count("<podcast:chapters") == 1
    ours = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    art = {e["guid"]: e.get("episode_art_url") for e in ours["episodes"]}
    assert art["potting-1"] and not art["potting-2"]


def test_markup_that_is_no_feed_is_refused_and_a_text_opening_with_lt_is_text(make_project):
    proj = make_project({})
    proj.write("channel.xml", "\ufeff<catalogue><record><title>T</title>"
                              "<note>Words.</note></record></catalogue>\n")
    result = proj.run("import", str(proj.root / "channel.xml"), "--date-by-order",
                      "2020-01-01", "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    assert "channel.xml: an XML document whose root is <catalogue>" in result.output
    assert not list((proj.root / "posts").iterdir())
    text = (IMPORT / "single-post.txt").read_text(encoding="utf-8")
    proj.write("love.txt", "<3 from the archive\n\n" + text)
    result = proj.run("import", str(proj.root / "love.txt"), "--date-by-order", "2020-01-01",
                      "--config", str(proj.root / "config.yaml"))
    assert "XML document" not in result.output and result.exit_code == 0, result.output
