"""Property tests of the WordPress import on generated exports with known answers: every item
accounted for exactly once, guids kept, drafts kept as drafts, nothing private written, and
garbled exports ending in one clear error, never a traceback."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wxrgen import SECRET, wxr_exports

from conftest import bare_settings
from syndicate.importer import SourceError, import_sources
from syndicate.importer.sources import parse

E2E = settings(max_examples=25, deadline=5000,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FAST = settings(max_examples=150, deadline=3000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _meta(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".yaml":
        return yaml.safe_load(text), ""
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@E2E
@given(wxr_exports())
def test_every_item_of_an_export_is_accounted_for_once_and_nothing_private_is_written(case):
    data, answers = case
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = bare_settings(tmp)
        src = Path(tmp) / "export.xml"
        src.write_bytes(data)
        report = import_sources(settings_, [str(src)], audio="keep-url")
        assert report.errors == [] and report.merged == []
        seen = [e["guid"] for e in report.created + report.skipped]
        assert sorted(seen) == sorted(a.guid for a in answers if a.outcome != "media")
        # every media-library item once: with the items that hold it, or with none
        assert sorted(e["guid"] for e in report.media) == sorted(
            a.guid for a in answers if a.outcome == "media")
        answers = [a for a in answers if a.outcome != "media"]
        created = {e["guid"]: Path(tmp) / e["file"] for e in report.created}
        zone_known = any(a.gmt for a in answers)  # a draft's local time is read in it
        for a in answers:
            if a.outcome == "skipped":
                assert a.guid not in created
                continue
            meta, body = _meta(created[a.guid])
            assert meta["guid"] == a.guid and meta["title"] == a.title
            assert meta.get("draft", False) is (a.outcome == "draft") or a.outcome == "episode"
            if zone_known:
                assert dt.datetime.fromisoformat(str(meta["date"])) == a.date
            if a.outcome == "episode":
                assert (meta["audio_url"], meta["audio_length"]) == (a.audio_url,
                                                                     a.audio_length)
                assert (meta.get("season"), meta.get("number")) == (a.season, a.number)
                assert meta["duration"] == 65
                body = meta.get("notes", "")
            else:
                assert sorted(meta.get("tags", [])) == sorted(a.tags)
            assert _words(body) == _words(" ".join(a.paragraphs))
        written = "".join(p.read_text(encoding="utf-8") for p in Path(tmp).rglob("*")
                          if p.suffix in (".md", ".yaml") and p.name != "config.yaml")
        assert SECRET not in written
        again = import_sources(settings_, [str(src)], audio="keep-url")
        assert again.created == [] and len(again.merged) == len(report.created)


@st.composite
def garbled(draw):
    data, _ = draw(wxr_exports(max_items=4))
    how = draw(st.sampled_from(["cut", "flip", "delete", "insert"]))
    at = draw(st.integers(0, len(data) - 1))
    if how == "cut":
        return data[:at]
    if how == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    if how == "delete":
        return data[:at] + data[at + draw(st.integers(1, 200)):]
    return data[:at] + draw(st.binary(min_size=1, max_size=40)) + data[at:]


@FAST
@given(garbled())
def test_a_garbled_export_ends_in_posts_or_one_error_naming_it(data):
    try:
        got = parse(data, "old.xml")
    except SourceError as exc:
        assert str(exc).startswith("old.xml") and "internal error" not in str(exc)
        return
    assert got is not None


_LINE = st.lists(st.sampled_from(["garden", "river", "bees", "R&D", "5<6", "café", "naïve",
                                  "*not*", "_under_", "1.", "-", "#tag"]),
                 min_size=1, max_size=8).map(" ".join)


@st.composite
def classic_bodies(draw):
    """A classic-editor body (no <p>): paragraphs of one or more lines, parted by blank lines
    of any spelling, perhaps a <!--more--> after one of them; (body, paragraphs, lead)."""
    paragraphs = draw(st.lists(st.lists(_LINE, min_size=1, max_size=3), min_size=1,
                               max_size=6))
    gaps = [draw(st.sampled_from(["\n\n", "\n\n\n", "\n \n", "\r\n\r\n", "\n\t\n"]))
            for _ in paragraphs]
    more = draw(st.none() | st.integers(0, len(paragraphs) - 1))
    body = ""
    for k, (lines, gap) in enumerate(zip(paragraphs, gaps, strict=True)):
        body += "\n".join(lines) + ("<!--more-->" if k == more else "") + gap
    lead = paragraphs[:more + 1] if more is not None else []
    return body, paragraphs, lead


def _wxr(content: str) -> bytes:
    from html import escape

    return ('<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>'
            "<item><title>A post</title><guid>https://old.example/?p=1</guid>"
            f"<content:encoded>{escape(content, quote=False)}</content:encoded>"
            "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            "<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt></item></channel></rss>"
            ).encode()


@FAST
@given(classic_bodies())
def test_a_classic_editor_body_keeps_its_paragraphs_lines_and_words(case):
    from syndicate.markup import markdown_to_html

    body, paragraphs, lead = case
    [post] = parse(_wxr(body), "old.xml").posts
    # the Markdown, read back as a reader sees it: one <p> a paragraph, a <br> a line
    html = markdown_to_html(post.body)
    got = re.findall(r"<p>(.*?)</p>", html, re.S)
    assert len(got) == len(paragraphs), (body, post.body)
    for p_html, lines in zip(got, paragraphs, strict=True):
        assert len(re.split(r"<br\s*/?>", p_html)) == len(lines), (p_html, lines)
        shown = html_module.unescape(re.sub(r"<[^>]+>", " ", p_html))
        assert _words(shown) == _words(" ".join(lines))
        assert shown.split() == " ".join(lines).split()  # every mark kept, none added
    if lead:
        assert _words(post.extra["summary"]) == _words(" ".join(" ".join(p) for p in lead))
    else:
        assert "summary" not in post.extra


HOSTILE = {  # each would take minutes if a pattern scanned on from every opener
    "captions": "[caption id=1 " * 20000,
    "unclosed": "[caption]<a href=x>" * 5000 + "[audio src=x]" * 5000 + "[embed]" * 5000,
    "pre": "<pre>" * 20000,
    "blocks": "<!-- wp:paragraph " * 20000,
    "links": "<a href='/x" * 20000 + "<img src=\"" * 20000,
    "more": "<!--more " * 20000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_body_is_read_in_linear_time(name):
    from conftest import guard

    body = HOSTILE[name] + "\n\nThe last words."
    with guard(20):  # not a timing test: a hang guard
        [post] = parse(_wxr(body), "old.xml").posts
    assert "The last words." in post.body
