"""Text-export pages laid out in ways the hostile tester found (issue 13: F12, F13, F23,
F26, F30): each post found, its words kept, and a split that is a guess flagged."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.cli import main
from syndicate.importer.textexport import parse_text_export

DATA = Path(__file__).parent / "data" / "import"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "004_5f808259bcbb4523.txt"


def _words(text: str) -> list[str]:
    return sorted(re.findall(r"[^\W_]+", text.lower()))


def _cli_import(make_project, name: str, *extra: str):
    proj = make_project()
    shutil.copy(DATA / name, proj.root / name)
    result = CliRunner().invoke(main, ["import", str(proj.root / name), "--json", "--config",
                                       str(proj.root / "config.yaml"), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    return proj, json.loads(result.stdout)


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/seeds is not here")
def test_paragraphs_one_long_line_each_with_no_blank_lines_split_into_posts(make_project):
    """F23: a real page with its blank lines taken out (as a copy from a browser gives it,
    one long line a paragraph): its five posts, every word kept."""
    text = SEED.read_text(encoding="utf-8")
    proj = make_project({"noblank.txt": "\n".join(ln for ln in text.splitlines()
                                                  if ln.strip()) + "\n"})
    result = CliRunner().invoke(main, ["import", str(proj.root / "noblank.txt"), "--json",
                                       "--config", str(proj.root / "config.yaml"),
                                       "--date-by-order", "2021-06-01"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    titles = [c["title"] for c in report["created"]]
    assert len(titles) == 5, titles
    assert titles[0] == "What is your story?"
    assert not report["flagged"]


@given(st.lists(st.text("abcdefghij ", min_size=160, max_size=400).map(
    lambda s: "Word " + " ".join(s.split()) + "."), min_size=2, max_size=6))
@settings(max_examples=40, deadline=None)
def test_long_lines_with_no_blank_line_between_are_each_a_paragraph(paras):
    paras = [p for p in paras if len(p) > 150]
    if len(paras) < 2:
        return
    page = parse_text_export("A Title Here\n\n" + "\n".join(paras) + "\n\n1 Comment\n")
    assert len(page.posts) == 1
    assert page.posts[0].body.strip().count("\n\n") == len(paras) - 1
    assert _words(page.posts[0].body) == _words("\n".join(paras))


def test_a_title_right_over_its_subtitle_is_title_and_subtitle(make_project):
    """F13: no blank line between title and subtitle: the first line is the title, the
    subtitle opens the body, nothing flagged for it."""
    page = parse_text_export((DATA / "index-hard.txt").read_text())
    first = page.posts[0]
    assert first.title == "Is General Practice Ready?" and not first.derived_title
    assert first.body.startswith("Ten years on, a look back\n\n")


def test_comments_and_related_post_teasers_on_a_page_are_no_posts(make_project):
    """F28: a page with the post, a related-posts block of teaser articles and a reader's
    comment in an article of its own: one post, the author's; neither the comment's nor the
    teaser's words are published."""
    proj, report = _cli_import(make_project, "nested-page.html")
    assert [c["title"] for c in report["created"]] == ["Main single post"], report
    text = "".join(p.read_text() for p in (proj.root / "posts").glob("*.md"))
    assert "Main body paragraph" in text and "More main body" in text
    assert "Commenter text" not in text and "Teaser of an older post" not in text


def test_a_statement_title_after_a_qa_post_begins_a_post_and_so_does_the_next(make_project):
    """F12: a Q&A post, then a short post ending in a colon, then a question-titled post with
    its own list and footnote: five posts on the page, none swallowed by the Q&A post."""
    proj, report = _cli_import(make_project, "index-hard.txt", "--date-by-order", "2021-05-01")
    assert [c["title"] for c in report["created"]] == [
        "Is General Practice Ready?", "An Interview With a Practice Manager",
        "Three Things I Learned", "Why Do Federations Fail?", "A Short One"]
    interview = next((proj.root / "posts").glob("*interview*.md")).read_text()
    assert "Three Things" not in interview and "Federations" not in interview
    assert not report["flagged"]


def test_a_post_titled_like_a_month_after_a_short_post_is_flagged_for_a_look(make_project):
    """F26: "March 2020" after a two-paragraph post cannot be told from a subheading by the
    page alone; the post holding it is flagged, naming the line, and no word is lost."""
    proj, report = _cli_import(make_project, "title-looks-date.txt",
                               "--date-by-order", "2021-06-01")
    flagged = [f for f in report["flagged"] if "'March 2020'" in f["reason"]]
    assert [f["title"] for f in flagged] == ["Budget Day Thoughts"], report["flagged"]
    assert "line 7" in flagged[0]["reason"] and "split" in flagged[0]["reason"]
    text = "".join(p.read_text() for p in (proj.root / "posts").glob("*.md"))
    assert "second paragraph about the month" in text and "local elections" in text


def test_an_archive_posts_line_of_tags_becomes_its_tags(make_project):
    """F30: on a monthly archive page each post's line of commas is its tags, not its text."""
    import yaml

    proj, report = _cli_import(make_project, "archive-tags.txt")
    posts = {}
    for path in (proj.root / "posts").glob("*.md"):
        _, fm, body = path.read_text().split("---\n", 2)
        meta = yaml.safe_load(fm)
        posts[meta["title"]] = (meta.get("tags"), body)
    assert posts["Summer Rota Blues"][0] == ["rota", "staffing", "summer"]
    assert posts["Why PCNs Need Managers"][0] == ["PCNs", "management", "leadership"]
    assert "rota, staffing" not in posts["Summer Rota Blues"][1]
    assert all("tags" in c["kept"] for c in report["created"] if c["title"] in (
        "Summer Rota Blues", "Why PCNs Need Managers"))


def test_an_impossible_archive_date_is_named_once_with_why(make_project):
    """F14: the line named once, and why the badge is no date (the month's length)."""
    proj = make_project()
    shutil.copy(DATA / "archive-mixed.txt", proj.root / "archive-mixed.txt")
    result = CliRunner().invoke(main, ["import", str(proj.root / "archive-mixed.txt"),
                                       "--config", str(proj.root / "config.yaml")])
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.startswith("Error: "), message
    assert "archive-mixed.txt:17: 'Feb 30' is not a date" in message, message
    assert "line 17" not in message and "February 2019 has 28 days" in message
    assert "Traceback" not in result.output


def test_a_page_date_alone_is_the_start_of_that_day_where_the_site_is(make_project):
    """F20: ``<time datetime="2020-05-02">`` is written as a time with no zone (read in
    site.timezone, as README says of a date alone), not as midnight UTC."""
    proj = make_project({"page.html": (
        '<html><body><article class="post hentry"><h2 class="entry-title">A day</h2>'
        '<time datetime="2020-05-02">May 2</time><div class="entry-content"><p>Words of '
        'the post.</p></div></article></body></html>')})
    result = CliRunner().invoke(main, ["import", str(proj.root / "page.html"), "--config",
                                       str(proj.root / "config.yaml")])
    assert result.exit_code == 0, result.output
    text = next((proj.root / "posts").glob("*.md")).read_text()
    assert "date: 2020-05-02 00:00\n" in text or "date: '2020-05-02 00:00'\n" in text, text


def test_relative_links_of_a_saved_page_with_no_address_are_flagged(make_project):
    """F33: a saved page (no URL, no <base>) with a root-relative link: the post is flagged
    naming the address and what to do; a page with a <base> is not."""
    proj, report = _cli_import(make_project, "xhtml-page.html")
    reasons = [f["reason"] for f in report["flagged"]]
    assert any("'/tags/old'" in r and "<base href" in r for r in reasons), reasons
    page = (DATA / "xhtml-page.html").read_text()
    (proj.root / "based.html").write_text(page.replace(
        "<head>", '<head><base href="https://old.example/blog/"/>', 1))
    for post in (proj.root / "posts").glob("*.md"):
        post.unlink()  # so the page is imported again, not recognised
    result = CliRunner().invoke(main, ["import", str(proj.root / "based.html"), "--json",
                                       "--config", str(proj.root / "config.yaml")])
    assert "<head>" in page and result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert len(again["created"]) == 1, again
    assert not any("relative" in f["reason"] for f in again["flagged"])


def test_markdown_like_text_stays_text_and_script_code_is_no_text(make_project):
    """F6: ``[brackets](x)`` written as text in a post's HTML stays text after publishing
    (no link to a relative ``x``), and a script's code is not published as a paragraph."""
    import feedparser

    proj, _ = _cli_import(make_project, "rel-feed.rss")
    post = next(p for p in (proj.root / "posts").glob("*.md") if "Markdownish" in p.read_text())
    text = post.read_text()
    assert r"\[brackets\](x)" in text, text
    assert "alert(1)" not in text
    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    entries = [e for e in feedparser.parse(proj.read("feed.xml")).entries
               if "Markdownish" in e.get("title", "")]
    assert entries
    for e in entries:
        html = " ".join(c.value for c in e.get("content", [])) + e.get("summary", "")
        assert 'href="x"' not in html and "alert(1)" not in html
        assert "[brackets](x)" in html
