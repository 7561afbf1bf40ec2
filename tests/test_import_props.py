"""Property tests of the importer's readers: generated text export pages, HTML pages, RSS and
Atom feeds and podcast feeds with known answers, in many spellings. The import recovers
exactly the known answer: every title, date, guid, tag, enclosure and duration, every post once,
none merged into another, none lost."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importgen import atom_feeds, html_pages, podcast_feeds, rss_feeds, text_pages

from conftest import bare_settings
from syndicate.importer import import_sources
from syndicate.importer.podcast import PodcastFeed
from syndicate.importer.sources import parse

FAST = settings(max_examples=40, deadline=2000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
E2E = settings(max_examples=12, deadline=4000,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _front(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def _check_found(found, posts, *, dated=True, guids=True, tags=True):
    assert [f.title for f in found] == [p.title for p in posts]
    for f, p in zip(found, posts, strict=True):
        assert _words(f.body) == _words(" ".join(p.body)), f.body
        assert "<" not in f.body  # Markdown of the words, never the source's markup
        if dated:
            assert f.date is not None and f.date == p.date, (f.date, p.date)
        if guids:
            assert f.guid == p.guid
        if tags:
            assert sorted(f.tags) == sorted(p.tags)
        assert not f.derived_title


@FAST
@given(rss_feeds())
def test_rss_feed_gives_back_every_post(case):
    data, posts = case
    _check_found(parse(data, "old.xml"), posts)


@FAST
@given(atom_feeds())
def test_atom_feed_gives_back_every_post(case):
    data, posts = case
    _check_found(parse(data, "old.atom"), posts)


@FAST
@given(html_pages())
def test_html_page_gives_back_every_post(case):
    data, posts = case
    found = parse(data, "page.html")
    _check_found(found, posts, guids=False)
    assert all("comment left behind" not in f.body for f in found)


@FAST
@given(text_pages())
def test_text_export_gives_back_every_post(case):
    data, posts = case
    found = parse(data, "page.txt")
    _check_found(found, posts, dated=posts[0].date is not None, guids=False, tags=False)


@FAST
@given(podcast_feeds())
def test_podcast_feed_gives_back_every_episode(case):
    data, (show, episodes) = case
    feed = parse(data, "show.xml")
    assert isinstance(feed, PodcastFeed)
    assert feed.guid == show and feed.left_out == []
    assert [e.guid for e in feed.episodes] == [e.guid for e in episodes]
    for got, ep in zip(feed.episodes, episodes, strict=True):
        assert got.title == ep.title
        assert got.date == ep.date
        assert (got.audio_url, got.audio_length, got.audio_ext) == (ep.url, ep.length, ep.ext)
        assert got.duration == ep.duration
        assert (got.season, got.number) == (ep.season, ep.number)
        assert _words(re.sub(r"<[^>]*>", " ", got.notes_html)) == _words(ep.notes)


@E2E
@given(st.sampled_from([rss_feeds, atom_feeds, html_pages]).flatmap(lambda s: s()))
def test_imported_posts_are_written_once_each_with_their_answer(case):
    data, posts = case
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = bare_settings(tmp)
        src = Path(tmp) / "source.bin"
        src.write_bytes(data)
        report = import_sources(settings_, [str(src)])
        assert report.errors == [] and report.merged == [] and report.skipped == []
        files = sorted((Path(tmp) / "posts").glob("*.md"))
        assert len(files) == len(posts) == len(report.created)
        # none merged, none lost: each post is one file (two alike posts are two files)
        with_guids = any("guid" in _front(path)[0] for path in files)

        def answer(title, date, body, tags, guid):
            return (title, date, _words(body), sorted(tags or []), guid if with_guids else None)

        written = [answer(m["title"], dt.datetime.fromisoformat(str(m["date"])), b,
                          m.get("tags"), m.get("guid")) for m, b in map(_front, files)]
        expected = [answer(p.title, p.date, " ".join(p.body), p.tags, p.guid) for p in posts]
        assert sorted(written, key=repr) == sorted(expected, key=repr)
        again = import_sources(settings_, [str(src)])
        assert again.created == [] and len(again.merged) == len(posts)  # idempotent


@E2E
@given(text_pages())
def test_imported_text_pages_are_written_once_each(case):
    data, posts = case
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = bare_settings(tmp)
        src = Path(tmp) / "page.txt"
        src.write_bytes(data)
        report = import_sources(settings_, [str(src)], date_by_order=dt.date(2020, 6, 30))
        assert report.errors == [] and report.merged == [] and report.skipped == []
        files = sorted((Path(tmp) / "posts").glob("*.md"))
        assert len(files) == len(posts)
        got = {(_front(f)[0]["title"]): _front(f) for f in files}
        assert sorted(got) == sorted(p.title for p in posts)
        for p in posts:
            meta, body = got[p.title]
            assert _words(body) == _words(" ".join(p.body))
            if p.date is not None:
                assert str(meta["date"]) == p.date.strftime("%Y-%m-%d %H:%M")


@E2E
@given(podcast_feeds())
def test_imported_podcast_keeps_every_episode_at_its_url(case):
    data, (show, episodes) = case
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = bare_settings(tmp)
        src = Path(tmp) / "show.xml"
        src.write_bytes(data)
        report = import_sources(settings_, [str(src)], audio="keep-url")
        assert report.errors == [] and report.skipped == [] and report.merged == []
        assert report.podcast_guid == show
        cars = [yaml.safe_load(p.read_text(encoding="utf-8"))
                for p in sorted((Path(tmp) / "episodes").glob("*.yaml"))]
        assert sorted(c["guid"] for c in cars) == sorted(e.guid for e in episodes)
        by_guid = {c["guid"]: c for c in cars}
        for ep in episodes:
            car = by_guid[ep.guid]
            assert car["title"] == ep.title
            assert dt.datetime.fromisoformat(str(car["date"])) == ep.date
            assert (car["audio_url"], car["audio_length"]) == (ep.url, ep.length)
            assert car["duration"] == ep.duration
            assert (car.get("season"), car.get("number")) == (ep.season, ep.number)
        again = import_sources(settings_, [str(src)], audio="keep-url")
        assert again.created == [] and len(again.merged) == len(episodes)
