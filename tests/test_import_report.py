"""The migration report accounts for every source item, once, and for every field of each:
kept, changed (with why) or dropped (with why); `syndicate import --json` carries the same."""

from __future__ import annotations

import json
import tempfile
from html import escape
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importgen import atom_feeds, rss_feeds

from conftest import BASE_CONFIG, bare_settings
from syndicate.importer import import_sources

E2E = settings(max_examples=15, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KINDS = ["plain", "plain", "no date", "bad date", "no text", "same guid", "author and extras",
         "link post", "no title"]


def _entries(report) -> list[dict]:
    return [*report.created, *report.merged, *report.skipped]


def _check_fields(entry: dict) -> None:
    kept = set(entry["kept"])
    changed = {c["field"] for c in entry["changed"]}
    dropped = {d["field"] for d in entry["dropped"]}
    assert not kept & changed and not kept & dropped, entry
    assert all(c["why"] for c in (*entry["changed"], *entry["dropped"]))
    assert "title" in kept | changed | dropped, entry


@st.composite
def mixed_feeds(draw):
    """An RSS feed whose items are of every kind the report must account for: (bytes, the
    title of each item, in order)."""
    kinds = [*draw(st.lists(st.sampled_from(KINDS), max_size=7)), "plain"]  # one with text
    items, titles = [], []
    for n, kind in enumerate(kinds):
        title = f"Item {n} {kind}"
        guid = "shared-guid" if kind == "same guid" else f"guid-{n}"
        date = {"no date": "", "bad date": "<pubDate>not a date at all</pubDate>"}.get(
            kind, f"<pubDate>Mon, {n + 1:02d} Jun 2020 10:00:00 GMT</pubDate>")
        body = "" if kind == "no text" else (
            f"<description>{escape(f'<p>Words of item {n}, all of them {kind}.</p>')}"
            "</description>")
        extra = ""
        if kind == "author and extras":
            extra = ("<author>old@example.org (Old)</author><comments>https://old.example/c"
                     '</comments><enclosure url="https://old.example/v.mp4" length="9" '
                     'type="video/mp4"/>')
        link = (f"<link>https://elsewhere.example/{n}</link>" if kind == "link post"
                else "" if kind == "no text"  # (with a link, it is a post of that link)
                else f"<link>https://old.example/{n}</link>")
        if kind == "link post":
            guid = f"https://old.example/linked/{n}"
        perma = "" if kind == "link post" else ' isPermaLink="false"'
        title_el = "" if kind == "no title" else f"<title>{title}</title>"
        items.append(f"<item>{title_el}<guid{perma}>{guid}</guid>{link}{date}{body}{extra}"
                     "</item>")
        titles.append(title)
    doc = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Old</title>'
           "<link>https://old.example/</link><description>d</description>"
           + "\n".join(items) + "</channel></rss>")
    return doc.encode(), kinds


@E2E
@given(st.one_of(rss_feeds(), atom_feeds()))
def test_every_generated_item_is_in_the_report_exactly_once(case):
    data, posts = case
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = bare_settings(tmp)
        src = Path(tmp) / "old.xml"
        src.write_bytes(data)
        for _ in range(2):  # the second time, each is merged: still there once
            report = import_sources(settings_, [str(src)])
            entries = _entries(report)
            assert sorted(e["title"] for e in entries) == sorted(p.title for p in posts)
            for e in entries:
                _check_fields(e)
        assert len(report.merged) == len(posts)


@E2E
@given(mixed_feeds())
def test_items_of_every_kind_are_accounted_for_with_their_fields(case):
    data, kinds = case
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = bare_settings(tmp)
        src = Path(tmp) / "old.xml"
        src.write_bytes(data)
        report = import_sources(settings_, [str(src)])
        entries = _entries(report)
        assert len(entries) == len(kinds)  # each once
        assert report.errors == []
        for e in entries:
            _check_fields(e)
        skipped = {e["title"] for e in report.skipped}
        for n, kind in enumerate(kinds):
            title = f"Item {n} {kind}"
            if kind in ("no date", "bad date", "no text"):
                assert title in skipped
                entry = next(e for e in report.skipped if e["title"] == title)
                assert entry["kept"] == [] and entry["dropped"]
                assert all(d["why"] == entry["reason"] for d in entry["dropped"])
            if kind == "bad date":
                assert entry["reason"].startswith("pubDate 'not a date at all' is not a date")
            if kind == "author and extras":
                entry = next(e for e in report.created if e["title"] == title)
                dropped = {d["field"] for d in entry["dropped"]}
                assert {"comments", "enclosure"} <= dropped
                assert "author" in entry["kept"]  # its name, as WordPress imports keep it
            if kind == "link post":
                entry = next(e for e in report.created if e["title"] == title)
                assert "link" in entry["kept"]
            if kind == "no title":
                entry = next(e for e in report.created if e["source"] and
                             f"item {n}" in e["title"].lower())
                assert entry["changed"][0]["field"] == "title"


def test_json_report_carries_the_fields(make_project):
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Old</title>'
            "<link>https://old.example/</link><description>d</description><item>"
            "<title>One</title><guid>https://old.example/1</guid><pubDate>Mon, 01 Jun 2020 "
            "10:00:00 GMT</pubDate><author>a@old.example (A)</author><category>bees</category>"
            "<description>&lt;p&gt;Words &lt;img src=\"/i.png\"&gt;&lt;/p&gt;</description>"
            "</item></channel></rss>")
    proj = make_project({"old.xml": feed}, config=BASE_CONFIG)
    result = proj.run("import", str(proj.root / "old.xml"), "--json", "--config",
                      str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)["created"]
    assert entry["kept"] == ["title", "pubDate", "tags", "guid", "author"]
    assert entry["changed"][0] == {
        "field": "description", "why": "HTML written as Markdown; 1 relative address resolved "
        "against https://old.example/1"}
    assert "author: A\n" in (proj.root / entry["file"]).read_text()  # its name, not its email
