"""Podcast feeds as real hosts write them (tests/podcastgen.py): every namespace spelling, every
encoding and prolog, locked feeds, items that are no episodes, guids given twice. Properties:
each item is accounted for, the fields are the answer's, markup never becomes a post."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from html import escape
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from podcastgen import ENCODINGS, prolog, shows

from conftest import bare_settings
from syndicate.importer import Found, SourceError, import_sources
from syndicate.importer.podcast import PodcastFeed
from syndicate.importer.sources import parse

FAST = settings(max_examples=60, deadline=3000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
E2E = settings(max_examples=20, deadline=6000,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
OWNER = "owner@example.test"  # podcast.owner.email in BASE_CONFIG
MARKUP = re.compile(r"<\s*/?\s*(?:\w+:)?(?:rss|channel|item|feed|entry|enclosure|guid)\b|<\?xml"
                    r"|<!--|<!doctype", re.I)


@FAST
@given(shows())
def test_every_namespace_spelling_and_prolog_reads_the_same_show(case):
    data, show = case
    feed = parse(data, "show.xml")
    assert isinstance(feed, PodcastFeed)
    assert (feed.guid, feed.locked) == (show.guid, show.locked)
    assert feed.items == len(show.items)
    read = [x for x in show.items if x.episode]
    assert [e.title for e in feed.episodes] == [x.title for x in read]
    assert len(feed.left_out) == len(show.items) - len(read)
    for got, want in zip(feed.episodes, read, strict=True):
        if want.outcome != "created":
            assert got.date is None and got.date_text  # a garbled date, kept for the message
            continue
        assert got.guid == want.guid and got.date == want.date
        assert (got.audio_url, got.audio_length) == (want.url, want.length)
        assert (got.duration, got.season, got.number) == (want.duration, want.season,
                                                          want.number)
        assert (got.type, got.explicit) == (want.type, want.explicit)
        assert {"guid", "date", "enclosure", "duration"} <= set(got.kept)


@E2E
@given(shows())
def test_every_item_of_a_feed_is_accounted_for(case):
    """created + merged + skipped == the feed's items; a locked feed not ours writes nothing
    and names its owner; guids given twice stay with the first, the next gets its own."""
    data, show = case
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = bare_settings(tmp)
        src = Path(tmp) / "show.xml"
        src.write_bytes(data)
        report = import_sources(settings_, [str(src)], audio="keep-url")
        cars = {}
        for p in (Path(tmp) / "episodes").glob("*.yaml"):
            car = yaml.safe_load(p.read_text(encoding="utf-8"))
            cars[car["guid"]] = car
        if show.locked and show.owner != OWNER:
            (error,) = report.errors
            assert "the feed is locked" in error and "podcast.owner.email" in error
            assert (show.owner or "no email given") in error
            assert cars == {} and report.created == [] == report.skipped
            return
        assert report.errors == []
        assert len(report.created) + len(report.merged) + len(report.skipped) \
            == len(show.items)
        assert report.merged == []  # distinct items are never merged into one
        created = [x for x in show.items if x.outcome == "created"]
        assert len(cars) == len(created) == len(report.created)
        for x in created:
            if x.new_guid:
                (car,) = [c for g, c in cars.items() if g.startswith(x.guid + "#")
                          and c["title"] == x.title]
                assert any(f["guid"] == car["guid"] and "the same guid" in f["reason"]
                           for f in report.flagged)
            else:
                car = cars[x.guid]
            assert dt.datetime.fromisoformat(str(car["date"])) == x.date
            assert (car["audio_url"], car["audio_length"], car["duration"]) == \
                (x.url, x.length, x.duration)
            assert (car.get("season"), car.get("number"), car.get("explicit")) == \
                (x.season, x.number, x.explicit)
            assert car["type"] == x.type
        for entry in report.created:
            assert set(entry) >= {"kept", "changed", "dropped"}
            assert all(d["field"] and d["why"] for d in entry["changed"] + entry["dropped"])
        again = import_sources(settings_, [str(src)], audio="keep-url")
        assert again.created == [] and len(again.merged) == len(report.created)
        assert len(again.merged) + len(again.skipped) == len(show.items)


@st.composite
def _damaged(draw):
    data, _ = draw(shows(lockable=False))
    how = draw(st.sampled_from(["cut", "noise", "whole"]))
    if how == "cut":
        return data[:draw(st.integers(1, len(data)))]
    if how == "noise":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


@FAST
@given(_damaged())
def test_a_feed_damaged_anywhere_never_becomes_a_post_of_its_markup(data):
    """Whatever the bytes before, in or after the root: an error naming the file, or what
    the feed holds, never a post whose text is the feed's markup."""
    try:
        got = parse(data, "show.xml")
    except SourceError as exc:
        assert str(exc).startswith("show.xml")
        return
    if isinstance(got, PodcastFeed):
        return
    for found in got:
        assert isinstance(found, Found)
        assert not MARKUP.search(found.body), found.body[:300]
        assert not MARKUP.search(found.title), found.title


@st.composite
def _blog_feeds(draw):
    """(bytes, titles): an RSS 2.0, Atom or RSS 1.0 (RDF) blog feed, in any encoding podcast
    hosts use, with anything a prolog may hold before its root."""
    codec, declared = draw(st.sampled_from(ENCODINGS))
    kind = draw(st.sampled_from(["rss", "feed", "rdf:RDF"]))
    titles = [f"{w} {i}" for i, w in enumerate(draw(st.lists(
        st.sampled_from(["Leeks", "Größe der Beete", "Żółw", "Rain"]), min_size=1,
        max_size=4)))]
    body = "<p>Words of the post, more than a few of them, about the plot.</p>"
    if kind == "rss":
        items = "".join(f"<item><title>{t}</title><guid>g{i}</guid><pubDate>Mon, 0{i + 1} "
                        f"Jan 2018 10:00:00 GMT</pubDate><description>{escape(body)}"
                        "</description></item>" for i, t in enumerate(titles))
        doc = f'<rss version="2.0"><channel><title>B</title>{items}</channel></rss>'
    elif kind == "feed":
        items = "".join(f"<entry><title>{t}</title><id>urn:g{i}</id><updated>2018-01-0{i + 1}"
                        f'T10:00:00Z</updated><content type="html">{escape(body)}</content>'
                        "</entry>" for i, t in enumerate(titles))
        doc = (f'<feed xmlns="http://www.w3.org/2005/Atom"><title>B</title><id>urn:b</id>'
               f"<updated>2018-01-01T00:00:00Z</updated>{items}</feed>")
    else:
        items = "".join(f'<item rdf:about="https://old.example/{i}"><title>{t}</title>'
                        f"<link>https://old.example/{i}</link><dc:date>2018-01-0{i + 1}T10:00"
                        f":00Z</dc:date><description>{escape(body)}</description></item>"
                        for i, t in enumerate(titles))
        doc = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
               '<channel rdf:about="https://old.example/"><title>B</title>'
               f"<link>https://old.example/</link><description>B</description></channel>"
               f"{items}</rdf:RDF>")
    return (draw(prolog(declared, kind)) + doc).encode(codec), titles


@FAST
@given(_blog_feeds())
def test_what_comes_before_a_blog_feeds_root_never_makes_it_a_text_export(case):
    data, titles = case
    got = parse(data, "blog.xml")
    assert [f.title for f in got] == titles
    assert all(not MARKUP.search(f.body) and f.date is not None for f in got)
