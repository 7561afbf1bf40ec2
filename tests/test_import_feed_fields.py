"""Feed items whose fields an import once lost or guessed (issue 13, the hostile findings on
the feed side): out-of-line Atom content, entry authors, zone abbreviations, locked owners."""

from __future__ import annotations

import json

import feedparser

from conftest import BASE_CONFIG, DATA

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
