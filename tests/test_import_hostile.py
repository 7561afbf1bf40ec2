"""Hostile sources for the importer's readers: generated pages and feeds broken in the ways
outside input breaks (control characters, NULs, truncation, wrong encodings, impossible and
extreme dates, deep nesting, huge values, entity expansion, external entities, a feed that is
really HTML). Each ends in success or one clear error naming the source: never a traceback,
never a hang, never a file from outside pulled in, never a post of the source's raw markup."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from importgen import atom_feeds, html_pages, podcast_feeds, rss_feeds, text_pages

from conftest import bare_project, guard
from syndicate.cli import main
from syndicate.config import load_config
from syndicate.importer import SourceError, import_sources
from syndicate.importer.podcast import PodcastFeed
from syndicate.importer.sources import parse

# no shrinking: a failing source of a megabyte shrinks for minutes; it is reported as found
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
HOSTILE = settings(max_examples=60, deadline=None, phases=PHASES,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
E2E = settings(max_examples=15, deadline=None, phases=PHASES,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GUARD = 30  # seconds: longer than this is a hang (a 1 MB source takes 1 to 5)

SECRET = "root-secret-7f3a9c"  # the content of a file outside the project
RAW = re.compile(r"<\?xml|<rss\b|<channel\b|<item\b|<feed\b|<entry\b|<!entity|<!doctype|<html\b"
                 r"|<enclosure\b|<article\b", re.I)


def read(data: bytes, name: str = "old-source.xml"):
    """What the reader makes of ``data``: its posts or feed, or its SourceError, which must
    be one line naming the source."""
    try:
        with guard():
            got = parse(data, name)
    except SourceError as exc:
        message = str(exc)
        assert message.startswith(name), message
        assert "internal error" not in message, message  # the safety net caught a bug
        assert "\n" not in message.strip() and "Traceback" not in message, message
        return exc
    if isinstance(got, PodcastFeed):
        for ep in got.episodes:
            assert SECRET not in ep.notes_html and SECRET not in ep.title
            assert ep.audio_length is None or ep.audio_length > 0
        return got
    assert isinstance(got, list) and got
    for f in got:
        assert SECRET not in f.body and SECRET not in f.title
        assert not RAW.search(f.body), f.body[:500]
        assert not RAW.search(f.title), f.title
    return got


# --- how outside input breaks ---------------------------------------------------------------

CONTROL = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127]] + [
    "\ufffe", "\uffff", "\u2028", "\u202e", "\ufeff", "\x85"]
BAD_DATES = [
    "Sun, 31 Feb 2026 10:00:00 GMT", "2026-02-30T10:00:00Z", "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-14:00", "Fri, 31 Dec 9999 23:59:59 -1400",
    "Mon, 01 Jan 0001 00:00:00 +1400", "99999-01-01T00:00:00Z", "-0001-01-01", "1e309", "",
    "  ", "NaN", "2026-13-45", "0000-00-00 00:00:00", "Thu, 01 Jan 1970 00:00:00 +2400",
    "Sat, 01 Jan 2000 25:61:61 GMT", "2026-06-01T12:00:00+25:00", "18446744073709551616",
    "Tue, 10 Jun 2003 04:00:00 XYZ", "\x00", "yesterday", "Fri, 31 Dec 1899 23:59:59 GMT",
]
DATE_SLOT = re.compile(rb"(<pubDate>|<(?:\w+:)?published>|<(?:\w+:)?updated>|datetime=\")"
                       rb"[^<\"]*")
ENTITIES = [
    # billion laughs
    '<!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">'
    '<!ENTITY x "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>',
    '<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>',
    '<!DOCTYPE r [<!ENTITY % p SYSTEM "file://{secret}"> %p;<!ENTITY x "y">]>',
    '<!DOCTYPE r SYSTEM "file://{secret}"><!-- x -->',
    '<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/secret">]>',
]


@st.composite
def sources(draw):
    kind = draw(st.sampled_from([rss_feeds, atom_feeds, podcast_feeds, html_pages, text_pages]))
    return draw(kind())[0]


@st.composite
def broken(draw, secret_path: str = "/nonexistent"):
    """A generated source, then one to three of the ways outside input breaks."""
    data = draw(sources())
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["truncate", "control", "date", "nest", "huge", "entity",
                                    "declare", "bytes", "repeat"]))
        at = draw(st.integers(0, len(data)))
        if how == "truncate":
            data = data[:at]
        elif how == "control":
            ch = draw(st.sampled_from(CONTROL))
            data = data[:at] + ch.encode("utf-8", "surrogatepass") + data[at:]
        elif how == "date":
            bad = draw(st.sampled_from(BAD_DATES)).encode()
            data = DATE_SLOT.sub(lambda m, bad=bad: m.group(1) + bad, data, count=draw(
                st.integers(0, 3)))
        elif how == "nest":
            depth = draw(st.sampled_from([300, 3000, 20000]))
            tag = draw(st.sampled_from(["div", "blockquote", "ul><li", "b"]))
            nest = (f"<{tag}>" * depth + "deep" + f"</{tag.split('><')[-1]}>" * depth)
            escaped = nest.replace("<", "&lt;").replace(">", "&gt;")
            data = (data.replace(b"<p>", nest.encode(), 1) if b"<p>" in data
                    else data.replace(b"&lt;p&gt;", escaped.encode(), 1))
        elif how == "huge":
            size = draw(st.sampled_from([1_000, 100_000]))
            value = draw(st.sampled_from(["9", "a", "&amp;", " "])) * size
            data = re.sub(rb'length="\d+"|datetime="[^"]*"|<title>',
                          lambda m, v=value: (m.group(0) + v.encode()) if m.group(0) == b"<title>"
                          else m.group(0)[:-1] + v.encode() + b'"', data, count=1)
        elif how == "entity":
            dtd = draw(st.sampled_from(ENTITIES)).replace("{secret}", secret_path)
            body = data.split(b"?>", 1)
            data = (body[0] + b"?>" + dtd.encode() + body[1]) if len(body) == 2 \
                else dtd.encode() + data
            data = re.sub(rb"<p>|&lt;p&gt;|<title>", lambda m: m.group(0) + b"&x;", data, count=2)
        elif how == "declare":
            enc = draw(st.sampled_from(["UTF-16", "UTF-32", "ISO-8859-1", "x-unknown", "EBCDIC",
                                        "", "utf-8\x00"]))
            data = re.sub(rb'encoding="[^"]*"|charset="?[\w-]*', lambda m, e=enc: (
                m.group(0).split(b"=")[0] + b'="' + e.encode() + b'"'), data, count=1)
            if b"encoding=" not in data[:100]:
                data = f'<?xml version="1.0" encoding="{enc}"?>'.encode() + data
        elif how == "bytes":
            data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
        elif how == "repeat":
            data = data + data[:at]
    return data


@HOSTILE
@given(broken())
def test_a_broken_source_is_read_or_refused_by_name(data):
    read(data)


@HOSTILE
@given(st.binary(max_size=4000) | st.text(max_size=2000).map(lambda t: t.encode(
    "utf-8", "surrogatepass")))
def test_any_bytes_are_read_or_refused_by_name(data):
    read(data, "junk.bin")


@HOSTILE
@given(st.sampled_from(["<?xml version='1.0'?>", "", "\ufeff", "<!-- c -->"]),
       st.sampled_from(["rss", "feed", "rdf:RDF", "html", "channel", "item"]),
       st.recursive(st.text(max_size=20).map(lambda t: t.replace("<", "").replace("&", "")),
                    lambda inner: st.builds(lambda tag, kids: f"<{tag}>{''.join(kids)}</{tag}>",
                                            st.sampled_from(["channel", "item", "title", "entry",
                                                             "enclosure", "guid", "pubDate",
                                                             "content", "p", "article",
                                                             "description", "div", "body"]),
                                            st.lists(inner, max_size=4)),
                    max_leaves=30))
def test_any_shape_of_feed_is_read_or_refused_by_name(prolog, root, inner):
    read(f"{prolog}<{root}>{inner}</{root}>".encode(), "shapes.xml")


@pytest.mark.parametrize("dtd", ENTITIES)
@pytest.mark.parametrize("kind", ["rss", "atom", "podcast", "html"])
def test_entities_never_expand_or_pull_in_a_file(tmp_path, dtd, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    dtd = dtd.replace("{secret}", str(secret))
    ref = "&x;"
    words = "Plain words of a post that must survive whatever the prolog holds."
    doc = {
        "rss": f'<?xml version="1.0"?>{dtd}<rss version="2.0"><channel><title>T</title>'
               f"<item><title>One {ref}</title><guid>g1</guid>"
               f"<pubDate>Sat, 01 Jan 2000 00:00:00 GMT</pubDate>"
               f"<description>{words} {ref}</description></item></channel></rss>",
        "atom": f'<?xml version="1.0"?>{dtd}<feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>T</title><entry><title>One {ref}</title><id>g1</id>"
                f"<updated>2000-01-01T00:00:00Z</updated><content>{words} {ref}</content>"
                "</entry></feed>",
        "podcast": f'<?xml version="1.0"?>{dtd}<rss version="2.0" '
                   'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
                   f"<title>T</title><itunes:author>A</itunes:author><item><title>One {ref}"
                   "</title><guid>g1</guid><pubDate>Sat, 01 Jan 2000 00:00:00 GMT</pubDate>"
                   f"<description>{words} {ref}</description>"
                   '<enclosure url="https://h.example/a.mp3" length="10" type="audio/mpeg"/>'
                   "</item></channel></rss>",
        "html": f"{dtd}<html><body><article><h2 class='entry-title'>One {ref}</h2>"
                f"<div class='entry-content'><p>{words} {ref}</p></div></article></body></html>",
    }[kind]
    got = read(doc.encode(), "hostile.xml")
    text = repr(got.episodes if isinstance(got, PodcastFeed) else got)
    assert SECRET not in text
    assert "lollollol" not in text
    if not isinstance(got, SourceError):
        assert "survive whatever" in text  # read, its entity left out


SHAPES = {
    # an XHTML page with an XML declaration: a page, not a feed
    "xhtml.xml": '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD '
                 'XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
                 '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title></head><body>'
                 "<article><h2 class='entry-title'>A page post</h2><div class='entry-content'>"
                 "<p>Words of a page that looked like a feed.</p></div></article></body></html>",
    # a feed saved with an .html name and a comment first
    "feed.html": "<!-- saved from the old site -->\n<rss version='2.0'><channel><title>T"
                 "</title><item><title>A feed post</title><guid>f1</guid><pubDate>Sat, 01 "
                 "Jan 2000 00:00:00 GMT</pubDate><description>Words of a feed saved as a page."
                 "</description></item></channel></rss>",
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_source_is_read_as_what_it_is_not_what_it_is_called(name):
    got = read(SHAPES[name].encode(), name)
    assert not isinstance(got, SourceError), got
    assert len(got) == 1 and got[0].title in ("A page post", "A feed post")
    assert "Words of a" in got[0].body


@E2E
@given(st.data())
def test_a_broken_source_never_breaks_the_import_or_the_publish(data):
    """Through the CLI: the import ends with exit 0 or 1 and one ``Error:`` line naming the
    source; whatever it wrote publishes, and the feeds parse with nothing from outside."""
    import feedparser

    with tempfile.TemporaryDirectory() as tmp:
        root = bare_project(tmp)
        secret = root.parent / f"{root.name}-secret.txt"
        secret.write_text(SECRET)
        try:
            src = root / "old-source.bin"
            # the old host is a closed port on this machine: nothing leaves it
            src.write_bytes(data.draw(broken(str(secret))).replace(
                b"https://old-host.example", b"http://127.0.0.1:9"))
            cfg = ["--config", str(root / "config.yaml")]
            runner = CliRunner()
            with guard(30):
                result = runner.invoke(main, ["import", str(src), "--audio", "keep-url",
                                              "--json", *cfg])
            assert result.exit_code in (0, 1), result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                result.exception)
            errors = [ln for ln in result.stderr.splitlines() if ln.strip()]
            assert all(ln.startswith(f"Error: {src}") or ln.startswith("Error: '")
                       for ln in errors), errors
            if result.exit_code == 0:
                json.loads(result.stdout)
            written = [p.read_text(encoding="utf-8") for p in
                       [*(root / "posts").glob("*"), *(root / "episodes").glob("*")]]
            assert not any(SECRET in w or RAW.search(w) for w in written)
            if not written:
                return
            with guard(60):
                published = runner.invoke(main, ["publish", *cfg, "--now",
                                                 "2099-12-31T00:00:00+00:00"])
            assert published.exception is None or isinstance(published.exception, SystemExit)
            if (root / "public/feed.xml").exists():
                feed = feedparser.parse((root / "public/feed.xml").read_bytes())
                assert not feed.bozo, feed.bozo_exception
                assert SECRET not in (root / "public/feed.xml").read_text()
        finally:
            secret.unlink(missing_ok=True)


def test_import_sources_reports_a_broken_source_and_keeps_the_good_one(tmp_path):
    """A hostile source beside a good one: the good one's posts are written, the bad one is
    one error naming it."""
    root = bare_project(str(tmp_path))
    good = root / "good.xml"
    good.write_text('<rss version="2.0"><channel><title>T</title><item><title>Kept post</title>'
                    "<guid>k1</guid><pubDate>Sat, 01 Jan 2000 00:00:00 GMT</pubDate>"
                    "<description>Words that are kept.</description></item></channel></rss>")
    bad = root / "bad.xml"
    bad.write_bytes(b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>\x00')
    report = import_sources(load_config(root / "config.yaml"), [str(bad), str(good)])
    assert [e["title"] for e in report.created] == ["Kept post"]
    assert len(report.errors) == 1 and report.errors[0].startswith(str(bad))


@pytest.mark.parametrize("bad", ["Sun, 31 Feb 2026 10:00:00 GMT", "0001-01-01T00:30:00+01:00",
                                 "9999-12-31T23:59:59-14:00", "Mon, 01 Jan 0001 00:00:00 +1400",
                                 "0000-00-00T00:00:00Z", "2026-13-45", "yesterday"])
@pytest.mark.parametrize("kind", ["rss", "atom", "podcast"])
def test_an_impossible_date_skips_that_entry_by_name_and_keeps_the_rest(tmp_path, bad, kind):
    root = bare_project(str(tmp_path))
    if kind == "atom":
        entry = ("<entry><title>{t}</title><id>{g}</id><published>{d}</published>"
                 "<content>Words of {t} to keep.</content></entry>")
        head, tail = '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>', "</feed>"
    else:
        entry = ("<item><title>{t}</title><guid>{g}</guid><pubDate>{d}</pubDate>"
                 "<description>Words of {t} to keep.</description>"
                 + ('<enclosure url="https://h.example/{g}.mp3" length="10" type="audio/mpeg"/>'
                    if kind == "podcast" else "") + "</item>")
        head = ('<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
                "<channel><title>T</title>"
                + ("<itunes:author>A</itunes:author>" if kind == "podcast" else ""))
        tail = "</channel></rss>"
    good = "2020-05-01T10:00:00Z" if kind == "atom" else "Fri, 01 May 2020 10:00:00 GMT"
    src = root / "old.xml"
    src.write_text(head + entry.format(t="Good one", g="g1", d=good)
                   + entry.format(t="Bad one", g="g2", d=bad) + tail)
    with guard():
        report = import_sources(load_config(root / "config.yaml"), [str(src)],
                                audio="keep-url")
    assert [e["title"] for e in report.created] == ["Good one"]
    (skipped,) = report.skipped
    assert skipped["title"] == "Bad one" and bad[:20] in skipped["reason"]
    assert report.errors == []
    written = [*(root / "posts").glob("*"), *(root / "episodes").glob("*")]
    assert len(written) == 1 and "2020-05-01" in written[0].name


def test_deep_nesting_keeps_every_word(tmp_path):
    deep = "<div>" * 20000 + "deep words" + "</div>" * 20000
    src = bare_project(str(tmp_path)) / "old.xml"
    src.write_text('<rss version="2.0"><channel><title>T</title><item><title>Deep</title>'
                   "<guid>d1</guid><pubDate>Fri, 01 May 2020 10:00:00 GMT</pubDate><description>"
                   f"<![CDATA[<p>before</p>{deep}<p>after &amp; more</p>]]></description></item>"
                   "</channel></rss>")
    with guard():
        (post,) = read(src.read_bytes())
    assert post.body.split() == ["before", "deep", "words", "after", "&", "more"]


def test_entity_expansion_is_refused_at_once():
    import time

    start = time.monotonic()
    got = read(('<?xml version="1.0"?>' + ENTITIES[0] + '<rss version="2.0"><channel><title>T'
                "</title><item><title>&x;</title><guid>g</guid><description>&x;</description>"
                "</item></channel></rss>").encode(), "bomb.xml")
    assert isinstance(got, SourceError) and "entities" in str(got)
    assert time.monotonic() - start < 1.0


LARGE = {
    # each took minutes (quadratic) before; linear now, a second or two
    "heading-lines.txt": "\n\n".join(f"Title number {i}" for i in range(50000)),
    "footnotes.txt": "A title\n\n" + " ".join(f"w[{i}]" for i in range(20000)) + ".\n\n"
                     + "\n\n".join(f"[{i}] note {i}" for i in range(20000)),
    "brackets.xml": '<rss version="2.0"><channel><title>T</title><item><title>B</title><guid>b'
                    "</guid><pubDate>Fri, 01 May 2020 10:00:00 GMT</pubDate><description>"
                    + "[" * 50000 + " words</description></item></channel></rss>",
    "spaces.xml": '\ufeff<rss version="2.0"><channel><title>' + " " * 300000 + "T</title><item>"
                  "<title>S</title><guid>s</guid><pubDate>Fri, 01 May 2020 10:00:00 GMT"
                  "</pubDate><description>Words.</description></item></channel></rss>",
    "comments.xml": "<!--" * 20000 + "<rss>",
    "doctypes.xml": "<!doctype [" * 20000,
}


@pytest.mark.parametrize("name", sorted(LARGE))
def test_a_large_hostile_page_is_imported_in_linear_time(tmp_path, name):
    import datetime as dt

    root = bare_project(str(tmp_path))
    src = root / name
    src.write_text(LARGE[name], encoding="utf-8")
    with guard(20):
        read(src.read_bytes(), str(src))
        report = import_sources(load_config(root / "config.yaml"), [str(src)],
                                date_by_order=dt.date(2020, 6, 30))
    if name in ("heading-lines.txt", "footnotes.txt", "brackets.xml", "spaces.xml"):
        assert len(report.created) == 1 and report.errors == []
    else:
        assert report.created == [] and report.errors[0].startswith(str(src))


@pytest.mark.parametrize("what", ["fifo", "folder", "device", "unreadable"])
def test_a_source_that_is_no_file_is_named_not_waited_on(make_project, tmp_path, what):
    import os

    proj = make_project({"good.xml": '<rss version="2.0"><channel><title>T</title><item>'
                         "<title>Kept post</title><guid>k1</guid><pubDate>Sat, 01 Jan 2000 "
                         "00:00:00 GMT</pubDate><description>Words that are kept.</description>"
                         "</item></channel></rss>"})
    bad = tmp_path / "bad-source"
    if what == "fifo":
        os.mkfifo(bad)
    elif what == "folder":
        bad.mkdir()
    elif what == "device":
        bad = Path("/dev/zero")
    else:
        bad.write_text("Title\n\nWords.\n")
        bad.chmod(0)
        if os.access(bad, os.R_OK):
            pytest.skip("running as a user who reads any file")
    with guard():
        result = CliRunner().invoke(main, ["import", str(bad), str(proj.root / "good.xml"),
                                           "--config", str(proj.root / "config.yaml")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"Error: {bad}: ")
    assert "created 1" in result.stdout


def test_a_host_trickling_a_page_is_not_waited_on(make_project, slow_host, monkeypatch):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "DEADLINE", 1)
    proj = make_project({})
    with guard(20):
        result = proj.run("import", slow_host.url + "/trickle.xml", "--config",
                          str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {slow_host.url}/trickle.xml: still arriving after 1 s")
    assert list((proj.root / "posts").glob("*")) == []


def test_audio_longer_than_the_feed_says_is_cut_off_and_not_kept(make_project, slow_host):
    feed = ('<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
            "<channel><title>S</title><itunes:author>A</itunes:author><item><title>Endless"
            "</title><guid>e1</guid><pubDate>Sat, 01 Jan 2000 00:00:00 GMT</pubDate>"
            f'<enclosure url="{slow_host.url}/endless.mp3" length="200000" type="audio/mpeg"/>'
            "</item></channel></rss>")
    proj = make_project({"show.xml": feed})
    with guard(30):
        result = proj.run("import", str(proj.root / "show.xml"), "--config",
                          str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    assert "sends more than the 200000 bytes the feed says" in result.stderr
    assert list((proj.root / "episodes").glob("*")) == []
    assert not any(p.stat().st_size > 200000
                   for p in (proj.root / ".syndicate").rglob("*") if p.is_file())


def test_a_posts_folder_that_cannot_be_written_is_named(make_project):
    """posts/ is a file: each post is one error naming where it would go; no traceback."""
    proj = make_project({"good.xml": '<rss version="2.0"><channel><title>T</title><item>'
                         "<title>A post</title><guid>k1</guid><pubDate>Sat, 01 Jan 2000 "
                         "00:00:00 GMT</pubDate><description>Words.</description>"
                         "</item></channel></rss>"})
    (proj.root / "posts").rmdir()
    (proj.root / "posts").write_text("not a folder")
    result = CliRunner().invoke(main, ["import", str(proj.root / "good.xml"), "--config",
                                       str(proj.root / "config.yaml")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: posts/2000-01-01-a-post.md: cannot write it")
    assert "'A post' was not imported" in result.stderr
    assert (proj.root / "posts").read_text() == "not a folder"


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31", "2020-06-30"])
@pytest.mark.parametrize("page", ["1", "99999999999999999999"])
def test_date_by_order_past_the_calendar_leaves_posts_undated(make_project, start, page):
    text = "A title here\n\n" + "\n\n".join(f"Paragraph {i} of words." for i in range(6))
    proj = make_project({"page.txt": f"{text}\n\nPage {page} of {page}\n123\n"})
    result = CliRunner().invoke(main, ["import", str(proj.root / "page.txt"), "--json",
                                       "--date-by-order", start, "--config",
                                       str(proj.root / "config.yaml")])
    if start != "2020-06-30":  # a start outside the calendar's range is a usage error
        assert result.exit_code == 2
        assert result.stderr.startswith(f"Error: --date-by-order '{start}': expected a date")
        assert not (proj.root / "posts").exists() or not any((proj.root / "posts").iterdir())
        return
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    if page == "1":
        assert [e["file"] for e in report["created"]] == ["posts/2020-06-30-a-title-here.md"]
    else:
        assert report["created"] == [] and len(report["skipped"]) == 1
        assert "no date" in report["skipped"][0]["reason"]


@pytest.mark.parametrize("url", ["file:///etc/passwd.mp3", "javascript:alert(1)//a.mp3",
                                 "ftp://old-host.example/a.mp3", "/relative/a.mp3",
                                 "data:audio/mpeg;base64,AAAA.mp3", "http:///a.mp3"])
def test_an_enclosure_that_is_no_http_address_is_skipped_by_name(make_project, url):
    feed = ('<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
            "<channel><title>S</title><itunes:author>A</itunes:author><item><title>Odd"
            "</title><guid>o1</guid><pubDate>Sat, 01 Jan 2000 00:00:00 GMT</pubDate>"
            f'<enclosure url="{url}" length="1000" type="audio/mpeg"/></item><item>'
            "<title>Fine</title><guid>f1</guid><pubDate>Sun, 02 Jan 2000 00:00:00 GMT</pubDate>"
            '<enclosure url="https://old-host.example/f.mp3" length="1000" type="audio/mpeg"/>'
            "</item></channel></rss>")
    proj = make_project({"show.xml": feed})
    result = CliRunner().invoke(main, ["import", str(proj.root / "show.xml"), "--json",
                                       "--audio", "keep-url", "--config",
                                       str(proj.root / "config.yaml")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [e["title"] for e in report["created"]] == ["Fine"]
    (skipped,) = report["skipped"]
    assert skipped["title"] == "Odd" and "is not an http(s) address" in skipped["reason"]
    cars = [p.read_text() for p in (proj.root / "episodes").glob("*.yaml")]
    assert len(cars) == 1 and url not in cars[0]


@pytest.mark.parametrize("kind", ["txt", "html", "rss"])
def test_control_characters_never_reach_a_written_post(make_project, kind):
    bad = "\x01\x07\x1b\x7f\ufffe"
    title, words = f"Bells{bad} ring", f"Words{bad} of a post."
    source = {
        "txt": f"{title}\n\n{words}\n\nMore words here.\n",
        "html": f"<html><body><article><h2 class='entry-title'>{title}</h2><time datetime="
                f"'2020-05-01T10:00:00Z'></time><div class='entry-content'><p>{words}</p>"
                "</div></article></body></html>",
        "rss": f'<rss version="2.0"><channel><title>T</title><item><title>{title}</title>'
               "<guid>c1</guid><pubDate>Fri, 01 May 2020 10:00:00 GMT</pubDate><description>"
               f"<![CDATA[<p>{words}</p>\ufffe]]></description></item></channel></rss>",
    }[kind]
    proj = make_project({f"old.{kind}": source})
    result = CliRunner().invoke(main, ["import", str(proj.root / f"old.{kind}"), "--json",
                                       "--date-by-order", "2020-05-01", "--config",
                                       str(proj.root / "config.yaml")])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if kind == "rss" and result.exit_code == 1:  # XML forbids them: the feed is refused, named
        assert result.stderr.startswith(f"Error: {proj.root / 'old.rss'}")
        return
    assert result.exit_code == 0, result.output
    (post,) = (proj.root / "posts").glob("*.md")
    text = post.read_text(encoding="utf-8")
    assert not any(c in text for c in bad)
    assert "title: Bells ring" in text and "Words of a post." in text
    assert proj.run("publish").exit_code == 0
