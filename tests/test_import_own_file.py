"""Issue 13, R3/R4/R6: each source item is matched to its own file. A guid the old site gave
two items is told apart by what the import recorded for each (the guid with its place, the
old link, the audio address), wherever the export lives now; an item the author deleted is
skipped as deleted, never merged into a namesake of the same day; the catalog keeps no
credential of an audio address; a host that never answers is said as the time waited."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import sqlite3
import tempfile
import threading
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Project, bare_project, serve, tone

# -- a WordPress export of our own, with known answers --------------------------------------


def _wxr(items: list[dict]) -> str:
    """A WXR export: each item a dict of n (post id), title, date (UTC), guid, words."""
    out = []
    for it in items:
        when: dt.datetime = it["date"]
        body = "".join(f"<p>{escape(p)}</p>" for p in it["paragraphs"])
        out.append(
            f"<item><title>{escape(it['title'])}</title>"
            f"<link>https://old.example.com/{it['n']}/</link>"
            f"<pubDate>{when:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
            f'<guid isPermaLink="false">{escape(it["guid"])}</guid>'
            f"<content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<wp:post_id>{it['n']}</wp:post_id>"
            f"<wp:post_date>{when:%Y-%m-%d %H:%M:%S}</wp:post_date>"
            f"<wp:post_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
            "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wp="http://wordpress.org/export/1.2/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel><title>Old</title>'
            "<link>https://old.example.com</link><wp:wxr_version>1.2</wp:wxr_version>\n"
            + "".join(out) + "</channel></rss>\n")


def _front(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[0]


def _reviews(root: Path) -> dict[str, str]:
    return {p.name: line for p in (root / "posts").glob("*.md")
            for line in _front(p).splitlines() if line.startswith("review:")}


DUP = [
    {"n": 3, "title": "Dup Guid One", "date": dt.datetime(2015, 1, 6, 10), "guid": "DUP",
     "paragraphs": ["Gamma text on the mudflats at the turn of the tide."]},
    {"n": 4, "title": "Dup Guid Two", "date": dt.datetime(2015, 1, 7, 10), "guid": "DUP",
     "paragraphs": ["Delta text on lighthouses and their keepers along the coast."]},
]


def test_a_shared_guid_imported_again_from_another_path_lands_on_its_own_post(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    first = proj.write("old/v1.xml", _wxr(DUP))
    out = proj.run("import", str(first), *cfg)
    assert out.exit_code == 0 and "created 2," in out.output, out.output
    one, two = "posts/2015-01-06-dup-guid-one.md", "posts/2015-01-07-dup-guid-two.md"
    changed = [dict(DUP[0]), {**DUP[1], "paragraphs": [*DUP[1]["paragraphs"],
                                                     "A new paragraph about the lamp oil."]}]
    later = proj.write("elsewhere/v4.xml", _wxr(changed))  # the export taken again, elsewhere
    again = proj.run("import", str(later), "--json", *cfg)
    assert again.exit_code == 0, again.output
    doc = json.loads(again.output)
    assert [(m["title"], m["file"]) for m in doc["merged"]] == [
        ("Dup Guid One", one), ("Dup Guid Two", two)], doc["merged"]
    assert doc["created"] == []
    assert [(f["file"], "lacks" in f["reason"]) for f in doc["flagged"]] == [(two, True)], \
        doc["flagged"]
    reviews = _reviews(proj.root)
    assert "2015-01-06-dup-guid-one.md" not in reviews, reviews
    assert "text this post lacks" in reviews["2015-01-07-dup-guid-two.md"]


GUIDS = st.sampled_from(["DUP", "DUP", "X", None])  # None: the item's own ?p=n
TITLES = st.sampled_from(["Same Title", "Same Title", "Notes", None])  # None: its own
DAYS = st.sampled_from([dt.datetime(2015, 1, 5, 10), dt.datetime(2015, 1, 5, 18),
                        dt.datetime(2015, 1, 6, 9)])
VOCAB = ["heron", "tide", "boat", "lamp", "keeper", "mud", "salt", "reed", "gull", "fog",
         "ferry", "shingle", "harbour", "oyster", "kelp", "buoy", "wind", "dune", "spit", "rope"]


@st.composite
def shared_exports(draw):
    n = draw(st.integers(2, 5))
    items = []
    for i in range(n):
        # (words of its own: alike in title, guid and day, never in text)
        words = [f"{w}{'abcde'[i]}" for w in draw(st.permutations(VOCAB))[:12]]
        title = draw(TITLES) or f"Own title {i}"
        items.append({"n": 10 + i, "title": title, "date": draw(DAYS),
                      "guid": draw(GUIDS) or f"https://old.example.com/?p={10 + i}",
                      "paragraphs": [f"Item {i} says " + " ".join(words) + "."]})
    # the export taken again later: one item with a paragraph more, the items perhaps in
    # another order (an export sorted otherwise)
    return items, draw(st.integers(0, n - 1)), draw(st.permutations(range(n)))


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(shared_exports())
def test_items_sharing_guids_titles_and_dates_each_land_on_their_own_file(case):
    from syndicate.config import load_config
    from syndicate.importer import import_sources

    items, k, order = case
    with tempfile.TemporaryDirectory() as tmp:
        root = bare_project(tmp)
        settings_ = load_config(root / "config.yaml")
        (root / "old").mkdir()
        (root / "old" / "a.xml").write_text(_wxr(items), encoding="utf-8")
        first = import_sources(settings_, [str(root / "old" / "a.xml")])
        assert not first.errors and len(first.created) == len(items), first.to_dict()
        own = [c["file"] for c in first.created]  # in the export's order
        before = {f: (root / f).read_text(encoding="utf-8") for f in own}
        changed = [dict(it) for it in items]
        changed[k]["paragraphs"] = [*items[k]["paragraphs"],
                                    "Then a whole new paragraph about the estuary at night."]
        (root / "moved").mkdir()
        (root / "moved" / "b.xml").write_text(_wxr([changed[i] for i in order]),
                                              encoding="utf-8")
        again = import_sources(settings_, [str(root / "moved" / "b.xml")])
        assert not again.errors and not again.created and not again.skipped, again.to_dict()
        assert [m["file"] for m in again.merged] == [own[i] for i in order], \
            (again.merged, own, order)
        assert [f["file"] for f in again.flagged] == [own[k]], again.flagged
        for i, f in enumerate(own):
            text = (root / f).read_text(encoding="utf-8")
            if i == k:
                assert "the old source has text this post lacks" in _front(root / f)
            else:
                assert text == before[f], f


# -- R4: an item the author deleted stays deleted, its namesake untouched ---------------------

ARCHIVE = """\
Monthly Archives: March 2014

March 12

Same Heading

The first post about the estuary at low water, with herons standing in the shallows.

It had a second paragraph too, about the boats lying on their sides in the mud.

Read more

March 12

Same Heading

A completely different second post that day, about the lighthouse keeper and his lamp oil.

Its own second paragraph about the fog horn and the ferry timetable of the winter.

Read more

March 14

Third Post Here

A third post about oystercatchers on the shingle bank near the harbour wall.

Read more
"""


def _deleted_then_again(proj: Project, source: str, gone: list[str], *extra: str):
    cfg = ["--config", str(proj.root / "config.yaml")]
    first = proj.run("import", source, *extra, *cfg)
    assert first.exit_code == 0, first.output
    kept = {p: p.read_text(encoding="utf-8") for folder in ("posts", "episodes")
            for p in (proj.root / folder).iterdir()
            if not any(p.name.startswith(g) for g in gone)}
    removed = [p for folder in ("posts", "episodes") for p in (proj.root / folder).iterdir()
               if any(p.name.startswith(g) for g in gone)]
    assert removed, sorted(p.name for p in (proj.root / "posts").iterdir())
    for p in removed:
        p.unlink()
    again = proj.run("import", source, *extra, "--json", *cfg)
    assert again.exit_code == 0, again.output
    doc = json.loads(again.output)
    for p, text in kept.items():  # the survivors: untouched, no review written in
        assert p.read_text(encoding="utf-8") == text, p.name
    assert doc["flagged"] == [], doc["flagged"]
    assert doc["created"] == []
    return doc


@pytest.mark.parametrize("which", [0, 1])
def test_a_deleted_post_of_a_text_export_sharing_title_and_day_stays_deleted(make_project,
                                                                           which):
    proj = make_project({}, config=BASE_CONFIG)
    src = proj.write("old/arch.txt", ARCHIVE)
    gone = ["2014-03-12-same-heading.md", "2014-03-12-same-heading-2.md"][which]
    doc = _deleted_then_again(proj, str(src), [gone])
    assert [s["deleted"] for s in doc["skipped"]] == [f"posts/{gone}"], doc["skipped"]
    assert "deleted here; not imported again" in doc["skipped"][0]["reason"]
    assert len(doc["merged"]) == 2
    assert all(m["file"] != f"posts/{gone}" for m in doc["merged"])


def test_a_deleted_wordpress_post_sharing_title_and_day_stays_deleted(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    body = ["Alpha body about herons in the reeds by the old sluice gate."]
    items = [{"n": 1, "title": "Same Title", "date": dt.datetime(2015, 1, 5, 10),
              "guid": "https://old.example.com/?p=1", "paragraphs": body},
             {"n": 2, "title": "Same Title", "date": dt.datetime(2015, 1, 5, 15),
              "guid": "https://old.example.com/?p=2",
              "paragraphs": ["Beta body about boats and tides, entirely different."]},
             {"n": 5, "title": "Same Title", "date": dt.datetime(2015, 1, 5, 18),
              "guid": "https://old.example.com/?p=5", "paragraphs": body}]
    src = proj.write("old/wp.xml", _wxr(items))
    doc = _deleted_then_again(proj, str(src), ["2015-01-05-same-title-3.md"])
    assert [(s["guid"], s["deleted"]) for s in doc["skipped"]] == [
        ("https://old.example.com/?p=5", "posts/2015-01-05-same-title-3.md")], doc["skipped"]
    assert [m["file"] for m in doc["merged"]] == ["posts/2015-01-05-same-title.md",
                                                  "posts/2015-01-05-same-title-2.md"]


def _show(items: list[tuple[str | None, str, str]], length: int = 1000) -> str:
    """A podcast feed: each item (guid or None, pubDate hour, audio address), titled alike."""
    out = "".join(
        "<item><title>Ep Same</title>"
        + (f'<guid isPermaLink="false">{guid}</guid>' if guid else "")
        + f"<pubDate>Mon, 05 Jan 2015 {hour}:00:00 +0000</pubDate>"
        f'<enclosure url="{url}" length="{length}" type="audio/mpeg"/>'
        f"<itunes:duration>00:00:01</itunes:duration><description>Notes {i}.</description>"
        "</item>\n" for i, (guid, hour, url) in enumerate(items))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
            "<title>Old show</title><link>https://old.example/</link><description>d"
            f"</description>\n{out}</channel></rss>\n")


def test_a_deleted_episode_of_a_repeated_guid_stays_deleted(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    src = proj.write("old/pod.xml", _show([("G1", "10", "https://old.example/a.mp3"),
                                           ("G1", "18", "https://old.example/b.mp3"),
                                           ("G3", "18", "https://old.example/c.mp3")]))
    doc = _deleted_then_again(proj, str(src), ["2015-01-05-ep-same-2."], "--audio", "keep-url")
    assert [s["deleted"] for s in doc["skipped"]] == ["episodes/2015-01-05-ep-same-2.yaml"], \
        doc["skipped"]
    assert sorted(m["file"] for m in doc["merged"]) == [
        "episodes/2015-01-05-ep-same-3.yaml", "episodes/2015-01-05-ep-same.yaml"]


def test_a_deleted_episode_without_guid_is_known_by_its_audio(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    src = proj.write("old/pod.xml", _show([(None, "10", "https://old.example/a.mp3"),
                                           (None, "10", "https://old.example/b.mp3")]))
    doc = _deleted_then_again(proj, str(src), ["2015-01-05-ep-same-2."], "--audio", "keep-url")
    assert [s["deleted"] for s in doc["skipped"]] == ["episodes/2015-01-05-ep-same-2.yaml"], \
        doc["skipped"]
    assert [m["file"] for m in doc["merged"]] == ["episodes/2015-01-05-ep-same.yaml"]


# -- R4, side note: no credential of an audio address in the catalog ---------------------------

SECRET = "Zq7SECRETPWx9"


@pytest.fixture
def audio_host():
    mp3 = tone(1.0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(mp3)))
            self.end_headers()
            self.wfile.write(mp3)

    server, url = serve(Handler)
    yield url
    server.shutdown()
    server.server_close()


def _catalog_text(root: Path) -> str:
    with sqlite3.connect(root / ".syndicate" / "catalog.db") as con:
        return "\n".join(f"{k} {v}" for k, v in con.execute("SELECT key, value FROM meta"))


def test_the_catalog_keeps_no_credential_of_an_audio_address_and_still_matches(
        make_project, audio_host):
    proj = make_project({}, config=BASE_CONFIG)
    host = audio_host.replace("http://", f"http://user:{SECRET}@")
    src = proj.write("old/pod.xml", _show([("G1", "10", f"{host}/a.mp3?token={SECRET}"),
                                           (None, "11", f"{host}/b.mp3")],
                                          length=len(tone(1.0))))
    cfg = ["--config", str(proj.root / "config.yaml")]
    first = proj.run("import", str(src), *cfg)
    assert first.exit_code == 0 and "created 2," in first.output, first.output
    assert SECRET not in _catalog_text(proj.root)
    assert "enclosure:" in _catalog_text(proj.root)
    for p in (proj.root / "episodes").glob("*.yaml"):
        assert SECRET not in p.read_text(encoding="utf-8"), p.read_text(encoding="utf-8")
    again = proj.run("import", str(src), *cfg)
    assert "created 0, merged 2" in again.output, again.output
    # a catalog written before: its keys in clear are rewritten, and still match
    from syndicate.catalog import open_catalog

    with open_catalog(proj.root / ".syndicate" / "catalog.db") as cat:
        rows = cat.meta_under("imported:")
        for key, value in rows.items():
            if "enclosure:" in key and "b.mp3" in key:
                old = key.replace("http://", f"http://user:{SECRET}@")
                cat.set_meta("imported:" + old, value)
                cat.conn.execute("DELETE FROM meta WHERE key = ?", ("imported:" + key,))
    assert SECRET in _catalog_text(proj.root)
    for p in (proj.root / "episodes").glob("*-2.*"):
        p.unlink()
    third = proj.run("import", str(src), *cfg)
    assert "deleted here; not imported again" in third.output, third.output
    assert "created 0," in third.output, third.output
    assert SECRET not in _catalog_text(proj.root)


# -- R6: a host that accepts and never answers -------------------------------------------------


def test_a_host_that_never_answers_is_said_with_the_time_waited(make_project, monkeypatch):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "TIMEOUT", (5, 0.4))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    proj = make_project({}, config=BASE_CONFIG)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    try:
        out = proj.run("import", url, "--config", str(proj.root / "config.yaml"))
    finally:
        stop.set()
        for s in held:
            s.close()
        listener.close()
    assert out.exit_code == 1, out.output
    assert "Traceback" not in out.output
    tries = len(held)
    assert tries == fetch.TRIES, (tries, out.output)
    assert f"no answer in {tries} tries of 0.4 s each" in out.output, out.output
    import re

    waited = re.search(r"\(([\d.]+) s in all", out.output)
    assert waited and float(waited.group(1)) >= 0.4 * tries - 0.05, out.output
