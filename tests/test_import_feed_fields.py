"""Feed items whose fields an import once lost or guessed (issue 13, the hostile findings on
the feed side): out-of-line Atom content, entry authors, zone abbreviations, locked owners."""

from __future__ import annotations

import io
import json

import feedparser
import podcastparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import BASE_CONFIG, DATA, serve, tone
from syndicate.when import _ZONES, feed_date

IMPORT = DATA / "import"


def _import(proj, source, *extra):
    return proj.run("import", str(source), *extra, "--config", str(proj.root / "config.yaml"))


def test_an_atom_entry_with_out_of_line_content_keeps_its_summary_and_link(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, IMPORT / "atom-out-of-line.atom", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["skipped"] == []
    by_title = {e["title"]: e for e in report["created"]}
    assert set(by_title) == {"Out of line", "Summary and content", "Base64 content"}
    text = (proj.root / by_title["Out of line"]["file"]).read_text()
    assert "Short summary only." in text and "https://old.example/full/o1.html" in text
    assert "guid: urn:o1" in text
    assert any("https://old.example/full/o1.html" in f["reason"] for f in report["flagged"])
    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    feed = feedparser.parse(proj.read("feed.xml"))
    entry = next(e for e in feed.entries if e.title == "Out of line")
    assert "Short summary only." in (entry.get("content") or [entry])[0].get("value", "") + \
        entry.get("summary", "")


def test_a_feed_entry_keeps_its_author_as_imports_of_wordpress_do(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, IMPORT / "atom-out-of-line.atom", "--json")
    report = json.loads(result.output)
    (entry,) = [e for e in report["created"] if e["title"] == "Summary and content"]
    assert "author" in entry["kept"]
    assert "author: Guest Writer\n" in (proj.root / entry["file"]).read_text()
    others = [e for e in report["created"] if e["title"] != "Summary and content"]
    assert all("author:" not in (proj.root / e["file"]).read_text() for e in others)


@pytest.mark.parametrize("name, title, written", [
    ("podcast-dates-bad.xml", "Episode 6", "Fri, 05 Jun 2020 10:00:00 XYZ"),
    ("podcast-dates-more.xml", "Episode 5", "Tue, 01 Jun 2020 10:00:00 GMT+1")])
def test_a_zone_we_do_not_know_is_no_date_never_utc(make_project, name, title, written):
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, IMPORT / name, "--audio", "keep-url", "--json")
    report = json.loads(result.output)
    assert title not in {e["title"] for e in report["created"]}, result.output
    (entry,) = [e for e in report["skipped"] if e["title"] == title]
    assert entry["reason"].startswith(f"pubDate {written!r} is not a date (line ")
    assert not list((proj.root / "episodes").glob("*-" + title.lower().replace(" ", "-")
                                                  + ".yaml"))


_zone = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ+-1"), min_size=1, max_size=6)


@given(zone=_zone.filter(lambda z: z[0].isalpha() and z.upper() not in _ZONES),
       hour=st.integers(0, 23))
def test_any_unknown_zone_name_reads_as_no_date(zone, hour):
    assert feed_date(f"Mon, 01 Jun 2020 {hour:02d}:00:00 {zone}") is None
    assert feed_date(f"Mon, 01 Jun 2020 {hour:02d}:00:00 GMT") is not None


def test_another_shows_feed_never_replaces_the_migrated_shows_guid(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    first = _import(proj, IMPORT / "podcast-show-a.xml", "--audio", "keep-url")
    assert first.exit_code == 0, first.output
    assert proj.run("publish").exit_code == 0
    guid = b"<podcast:guid>aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee</podcast:guid>"
    assert guid in proj.read("podcast.xml")
    other = _import(proj, IMPORT / "podcast-show-b.xml", "--audio", "keep-url")
    assert other.exit_code == 1
    assert "podcast-show-b.xml: this is another show (podcast:guid 11111111-2222-3333-4444-" \
           "555555555555)" in other.output
    assert not [p for p in (proj.root / "episodes").glob("*.yaml") if "other" in p.name]
    again = _import(proj, IMPORT / "podcast-show-a.xml", "--audio", "keep-url")
    assert again.exit_code == 0, again.output  # the show itself, imported again: merged
    assert proj.run("publish").exit_code == 0
    assert guid in proj.read("podcast.xml")


@pytest.mark.parametrize("written", [" Podcast@Example.TEST ", "\n\towner@example.test\n",
                                     "OWNER@EXAMPLE.TEST"])
def test_a_locked_feed_moves_when_its_owner_is_ours_whatever_the_blank_space(
        make_project, tmp_path, written):
    from xml.sax.saxutils import quoteattr

    feed = (IMPORT / "podcast-locked-self-ws.xml").read_text()
    start = feed.index('owner="')
    end = feed.index('"', start + 7)
    owner = "owner@example.test" if "owner" in written.lower() else "podcast@example.test"
    src = tmp_path / "locked.xml"
    src.write_text(feed[:start] + "owner=" + quoteattr(written) + feed[end + 1:])
    proj = make_project({}, config=BASE_CONFIG.replace("owner@example.test", owner))
    result = _import(proj, src, "--audio", "keep-url")
    assert result.exit_code == 0, result.output
    assert list((proj.root / "episodes").glob("*.yaml"))
    other = proj.run("import", str(src), "--audio", "keep-url", "--config",
                     str(proj.root / "config.yaml"))
    assert other.exit_code == 0  # merged, still ours


def test_a_blog_enclosure_with_a_relative_address_is_linked_like_an_absolute_one(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, IMPORT / "blog-relative-enclosure.rss", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    want = {"With a recording": "https://old.example/blog/rec.m4a",
            "Rooted recording": "https://old.example/media/two.mp3",
            "Absolute recording": "https://cdn.example/three.mp3"}
    files = {e["title"]: e["file"] for e in report["created"]}
    assert set(want) <= set(files) and len(files) == 7
    flagged = {f["title"]: f["reason"] for f in report["flagged"]}
    for title, url in want.items():
        assert f"]({url})" in (proj.root / files[title]).read_text()
        assert url in flagged[title]


def test_relative_episode_addresses_are_resolved_against_xml_base(make_project):
    """(Not the channel's link: podcast apps resolve them as XML does.)"""
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, IMPORT / "podcast-xml-base.xml", "--audio", "keep-url", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["skipped"] == []
    got = {e["title"]: e.get("audio_url") for e in report["created"]}
    assert got == {"Rel one": "https://media.example/show/ep1.mp3",
                   "Rel two": "https://media.example/show/ep1.mp3?v=2"}
    assert proj.run("publish").exit_code == 0
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    assert sorted(e["enclosures"][0]["url"] for e in feed["episodes"]) == [
        "https://media.example/show/ep1.mp3", "https://media.example/show/ep1.mp3?v=2"]


def test_an_atom_title_of_markup_keeps_its_words_not_its_tags(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, IMPORT / "atom-markup-titles.atom", "--json")
    assert result.exit_code == 0, result.output
    files = {e["title"]: e["file"] for e in json.loads(result.output)["created"]}
    assert set(files) == {"XHTML title", "Tides & boats", "Why <b> tags matter"}
    assert files["XHTML title"].endswith("-xhtml-title.md")
    assert proj.run("publish").exit_code == 0
    titles = {e.title for e in feedparser.parse(proj.read("feed.xml")).entries}
    assert {"XHTML title", "Tides & boats"} <= titles


def test_a_garbled_duration_is_named_as_written_never_called_missing(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, IMPORT / "podcast-duration-odd.xml", "--audio", "keep-url",
                     "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    reasons = [f["reason"] for f in report["flagged"]]
    assert "itunes:duration '1h 2m' is not a duration (line 18), and the audio is kept at its "\
           "URL; add 'duration:' to the sidecar" in reasons
    assert not any(r.startswith("no itunes:duration") for r in reasons)
    (file,) = [e["file"] for e in report["created"] if "1h 2m" in str(e["changed"])]
    assert "1h 2m" in (proj.root / file).read_text()  # the sidecar's review: says so too


def _page_host():
    """An old host whose 'audio' is a web page: with its type said, and with none."""
    import http.server

    page = b"<!DOCTYPE html><html><body>Moved. Nothing to hear here.</body></html>\n"
    audio = tone(1.0)
    answers = {"/typed.mp3": (page, "text/html; charset=utf-8"), "/untyped.mp3": (page, None),
               "/ok.mp3": (audio, "audio/mpeg")}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            body, kind = answers.get(self.path, (None, None))
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            if kind:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server, url = serve(Handler)
    items = "".join(
        f"<item><title>Ep {n}</title><guid>g{n}</guid><pubDate>Mon, 0{n} Jun 2020 10:00:00 +0000"
        f"</pubDate><enclosure url=\"{url}{path}\" type=\"audio/mpeg\"/></item>"
        for n, path in enumerate(("/typed.mp3", "/untyped.mp3", "/ok.mp3"), 1))
    feed = ('<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/'
            'podcast-1.0.dtd"><channel><title>S</title><link>https://old.example/</link>'
            f"<itunes:author>A</itunes:author>{items}</channel></rss>")
    return server, feed


def test_a_page_served_for_an_episodes_audio_is_an_error_and_nothing_is_written(
        make_project):
    server, feed = _page_host()
    try:
        proj = make_project({"old.xml": feed}, config=BASE_CONFIG)
        result = _import(proj, proj.root / "old.xml", "--json")
        assert result.exit_code == 1
        report = json.JSONDecoder().raw_decode(result.output)[0]
        assert [e["title"] for e in report["created"]] == ["Ep 3"]
        errors = "\n".join(report["errors"])
        assert "/typed.mp3: the old host sent text/html in place of the episode's audio" \
            in errors
        assert "/untyped.mp3: the old host sent a web page or XML in place of the episode's " \
               "audio" in errors
        names = sorted(p.name for p in (proj.root / "episodes").iterdir())
        assert all("ep-3" in n for n in names) and names, names
        assert not list(proj.root.rglob("*.part"))
        assert proj.run("publish").exit_code == 0
    finally:
        server.shutdown()


def test_a_repeated_guid_is_matched_to_its_own_episode_when_the_feed_is_reordered(
        make_project):
    proj = make_project({}, config=BASE_CONFIG)
    first = _import(proj, IMPORT / "podcast-dup-guid.xml", "--audio", "keep-url", "--json")
    assert first.exit_code == 0, first.output
    created = {e["title"]: e["file"] for e in json.loads(first.output)["created"]}
    again = _import(proj, IMPORT / "podcast-dup-guid-reordered.xml", "--audio", "keep-url",
                    "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert report["created"] == []
    assert {e["title"]: e["file"] for e in report["merged"]} == created
    files = sorted(p.name for p in (proj.root / "episodes").glob("*.yaml"))
    assert len(files) == len(created)


@pytest.mark.parametrize("source, said", [
    ("not-a-feed-opml.xml", "an XML document whose root is <opml>, not an RSS or Atom feed"),
    ("not-a-feed-other-root.xml", "an XML document whose root is <svg>, not an RSS or Atom "
                                  "feed"),
    ("ftp://old.example/feed.xml", "syndicate imports http(s) addresses and files only, not "
                                   "ftp: ones"),
    ("big-export.xml", "a WordPress export larger than 50 MB; export it in parts"),
])
def test_what_is_not_a_feed_is_named_for_what_it_is(make_project, source, said):
    proj = make_project({}, config=BASE_CONFIG)
    if source == "big-export.xml":  # a WordPress export's head, then 51 MB (sparse)
        path = proj.root / source
        with open(path, "wb") as f:
            f.write(b'<?xml version="1.0"?><rss version="2.0" xmlns:wp='
                    b'"http://wordpress.org/export/1.2/"><channel>')
            f.seek(51 * 2**20)
            f.write(b"</channel></rss>")
        source = str(path)
    elif "://" not in source:
        source = str(IMPORT / source)
    result = proj.run("import", source, "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    assert f"{source}: {said}" in result.output
    assert "Traceback" not in result.output


def test_an_episodes_error_names_its_feed_and_line(make_project):
    server, feed = _page_host()
    try:
        proj = make_project({"old.xml": feed, "older.xml": feed}, config=BASE_CONFIG)
        result = proj.run("import", str(proj.root / "old.xml"), str(proj.root / "older.xml"),
                          "--config", str(proj.root / "config.yaml"))
        assert result.exit_code == 1
        assert f"'Ep 1' ({proj.root / 'old.xml'}, line 1): " in result.output
        assert "Import: created 1, merged 1, skipped 0, flagged 0, errors 4" in result.output
    finally:
        server.shutdown()


def test_a_download_cut_short_keeps_the_bytes_received_for_the_next_run(make_project):
    import http.server

    audio = tone(1.0)
    ranges: list[str] = []
    cut = {"once": True}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            start = 0
            if "Range" in self.headers:
                ranges.append(self.headers["Range"])
                start = int(self.headers["Range"].split("=")[1].split("-")[0])
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(audio) - 1}/{len(audio)}")
            else:
                self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(audio) - start))
            self.end_headers()
            if cut.pop("once", False):
                self.wfile.write(audio[:1000])  # then the connection drops
                self.wfile.flush()
                self.connection.shutdown(2)
                return
            self.wfile.write(audio[start:])

    server, url = serve(Handler)
    try:
        feed = ('<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/'
                'dtds/podcast-1.0.dtd"><channel><title>S</title><itunes:author>A'
                '</itunes:author><item><title>Ep 1</title><guid>g1</guid><pubDate>Mon, 01 Jun '
                f'2020 10:00:00 +0000</pubDate><enclosure url="{url}/ep.mp3" length='
                f'"{len(audio)}" type="audio/mpeg"/></item></channel></rss>')
        proj = make_project({"old.xml": feed}, config=BASE_CONFIG)
        first = _import(proj, proj.root / "old.xml")
        assert first.exit_code == 1
        assert "the download was cut short at 1000 bytes" in first.output, first.output
        second = _import(proj, proj.root / "old.xml")
        assert second.exit_code == 0, second.output
        assert ranges == ["bytes=1000-"]
        assert next((proj.root / "episodes").glob("*.mp3")).read_bytes() == audio
    finally:
        server.shutdown()


@pytest.mark.parametrize("audio", ["keep-url", "download"])
def test_an_old_host_redirecting_in_a_loop_is_named_as_one(make_project, audio):
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "/loop2" if self.path == "/loop" else "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET

    server, url = serve(Handler)
    try:
        feed = ('<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/'
                'dtds/podcast-1.0.dtd"><channel><title>S</title><itunes:author>A'
                '</itunes:author><item><title>Ep 1</title><guid>g1</guid><pubDate>Mon, 01 Jun '
                f'2020 10:00:00 +0000</pubDate><enclosure url="{url}/loop" type="audio/mpeg"/>'
                '</item></channel></rss>')
        proj = make_project({"old.xml": feed}, config=BASE_CONFIG)
        result = _import(proj, proj.root / "old.xml", "--audio", audio)
        assert result.exit_code == 1
        assert "redirects in a loop" in result.output, result.output
        assert "TooManyRedirects" not in result.output
        assert not list((proj.root / "episodes").iterdir())
    finally:
        server.shutdown()


def test_a_podcast_feed_whose_relative_audio_has_no_base_fails_not_succeeds(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, IMPORT / "podcast-no-base.xml", "--audio", "keep-url")
    assert result.exit_code == 1
    assert "none of the feed's 2 items could be imported" in result.output
    assert "its enclosure URL 'ep1.mp3' is not an http(s) address, and the feed gives no " \
           "address to resolve it against" in result.output
    assert not list((proj.root / "episodes").iterdir())
