"""`syndicate new post "Title"`: a post file with the title exactly as given, today's date in
site.timezone, a draft unless --no-draft, never over another file; any title either round-trips
through the front matter exactly or is refused with one clear error."""

from __future__ import annotations

import json
import os
import unicodedata

import feedparser
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, NOW, png_bytes
from syndicate.cli import main
from syndicate.collect.posts import parse_post
from syndicate.config import load_config
from syndicate.newitems import MAX_TITLE, NewItemError, new_post
from syndicate.when import parse_date

HOSTILE = [
    'She said "hello"', "It's mine", "Part 1: the start", "key: value: more", "Über café naïve",
    "日本語のタイトル", "🎙️ Episode notes 🎉", "مرحبا بالعالم", "שלום עולם", "x" * 300,
    "--- not a fence", "...", "# not a heading", "null", "yes", "123", "1.5", "2026-01-01",
    "[a, b]", "{a: b}", "- item", "? question", "!tag", "&anchor", "*alias", "|literal",
    ">folded", "%directive", "@at", "`tick`", "a # not a comment", "~",
    "a\u00a0non-breaking space", "\u200f\u05e9RTL mark", "back\\slash",
]


def _settings(root, zone="Europe/London"):
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(BASE_CONFIG.replace("Europe/London", zone))
    (root / "cover.png").write_bytes(png_bytes())
    return load_config(root / "config.yaml")


FILLERS = "\u115f\u1160\u3164\uffa0\u2800\u180e"  # letters and symbols fonts draw blank


def _shows(text: str) -> bool:
    """Something in it is seen: a letter, digit, punctuation or symbol (not a drawn-blank
    filler), or a private-use character (an icon font's)."""
    return any((unicodedata.category(c)[0] in "LNPS" or unicodedata.category(c) == "Co")
               and c not in FILLERS for c in text)


def _acceptable(title: str) -> bool:
    text = title.strip()
    return _shows(text) and len(text) <= MAX_TITLE and not any(
        unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") or c in "\ufffe\uffff"
        for c in text)


def _read_back(path, zone="Europe/London"):
    warnings: list[str] = []
    post = parse_post(path, path.name, zone, warnings)
    assert warnings == []
    return post


def _run(root, *args, now=NOW):
    return CliRunner().invoke(main, ["--config", str(root / "config.yaml"), *args[:2],
                                     "--now", now, *args[2:]], catch_exceptions=False)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(title=st.text(min_size=0, max_size=60) | st.sampled_from(HOSTILE))
def test_any_title_round_trips_exactly_or_is_refused_clearly(tmp_path_factory, title):
    cfg = _settings(tmp_path_factory.mktemp("p"))
    now = parse_date(NOW, "UTC")
    try:
        item = new_post(cfg, title, now=now)
    except NewItemError as exc:
        assert not _acceptable(title), (title, str(exc))
        assert "title" in str(exc)
        assert not cfg.posts_dir.exists() or list(cfg.posts_dir.iterdir()) == []
        return
    assert _acceptable(title)
    post = _read_back(item.file)
    assert post.title == title.strip()
    assert item.file.name.startswith("2026-11-01-") and item.file.suffix == ".md"


def test_hostile_titles_are_written_and_published_as_given(tmp_path):
    root = tmp_path / "p"
    _settings(root)
    files = []
    for title in HOSTILE:
        result = _run(root, "new", "post", "--no-draft", "--json", "--", title)
        assert result.exit_code == 0, (title, result.output)
        doc = json.loads(result.stdout)
        assert doc["title"] == title and doc["draft"] is False
        files.append(doc["file"])
        assert _read_back(root / doc["file"]).title == title
    assert len(set(files)) == len(HOSTILE)  # each its own file, none overwritten
    published = _run(root, "publish")
    assert published.exit_code == 0, published.output
    status = json.loads(_run(root, "status", "--json").stdout)
    assert sorted(o["title"] for o in status) == sorted(HOSTILE)
    assert {o["state"] for o in status} == {"released"}
    feed = feedparser.parse((root / "public/atom.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == min(20, len(HOSTILE))


@pytest.mark.parametrize("title,why", [
    ("", "empty"), ("   \t ", "empty"), ("two\nlines", "line break"),
    ("bell\x07", "U+0007"), ("tab\tinside", "U+0009"), ("para\u2029graph", "line break"),
    ("y" * (MAX_TITLE + 1), "long"), ("\u200b", "shows nothing"),
    ("\u200b \u2060\ufeff", "shows nothing"), ("\u202e\u2066", "shows nothing"),
    ("\u3164", "shows nothing"), ("\u0301\u20dd", "shows nothing")])
def test_a_title_that_cannot_be_one_is_one_clear_error(tmp_path, title, why):
    root = tmp_path / "p"
    _settings(root)
    result = _run(root, "new", "post", title)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: the title ") and why in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not (root / "posts").exists() or list((root / "posts").iterdir()) == []


def test_the_date_is_today_in_the_site_time_zone_and_the_post_a_draft(tmp_path):
    root = tmp_path / "p"
    _settings(root)
    # 23:30 UTC on 31 July is already 1 August in London (BST)
    result = _run(root, "new", "post", "Late night", now="2026-07-31T23:30:00Z")
    assert result.exit_code == 0, result.output
    path = root / "posts/2026-08-01-late-night.md"
    assert result.stdout.startswith("Created posts/2026-08-01-late-night.md as a draft")
    post = _read_back(path)
    assert post.date == "2026-07-31T23:00:00+00:00"  # the start of 1 August in London
    assert "draft: true" in path.read_text()
    published = _run(root, "publish", now="2026-08-02T00:00:00Z")
    assert published.exit_code == 0, published.output
    assert not (root / "public/posts/late-night").exists()  # a draft is not published
    status = json.loads(_run(root, "status", "--json").stdout)
    assert [o["state"] for o in status] == ["draft"]


def test_a_given_date_is_checked_by_the_one_date_parser(tmp_path):
    root = tmp_path / "p"
    _settings(root)
    ok = _run(root, "new", "post", "Planned", "--date", "2026-12-01 09:00", "--json")
    assert ok.exit_code == 0, ok.output
    doc = json.loads(ok.stdout)
    assert doc["file"] == "posts/2026-12-01-planned.md" and doc["date"] == "2026-12-01 09:00"
    for bad, why in (("2026-02-30", "not a valid date"), ("soon", "expected"),
                     ("2026-10-25 01:30", "happens twice")):
        result = _run(root, "new", "post", "Planned", "--date", bad)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("Error: --date: ") and why in result.stderr
    assert sorted(os.listdir(root / "posts")) == ["2026-12-01-planned.md"]


def test_a_taken_name_or_slug_is_never_overwritten(tmp_path):
    root = tmp_path / "p"
    _settings(root)
    (root / "posts").mkdir()
    mine = root / "posts/2026-11-01-hello.md"
    mine.write_text("---\ntitle: Mine\n---\n\nMy words.\n")
    older = root / "posts/2025-03-03-hello-2.md"
    older.write_text("---\ntitle: Older\n---\n\nOlder words.\n")
    names = [json.loads(_run(root, "new", "post", "Hello", "--json").stdout)["file"]
             for _ in range(2)]
    assert names == ["posts/2026-11-01-hello-3.md", "posts/2026-11-01-hello-4.md"]
    assert mine.read_text() == "---\ntitle: Mine\n---\n\nMy words.\n"
    assert older.read_text() == "---\ntitle: Older\n---\n\nOlder words.\n"


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(titles=st.lists(st.text(min_size=1, max_size=40).filter(_acceptable), min_size=1,
                       max_size=5))
def test_generated_titles_publish_as_written(tmp_path_factory, titles):
    root = tmp_path_factory.mktemp("p")
    _settings(root)
    for title in titles:
        result = _run(root, "new", "post", "--no-draft", "--", title)
        assert result.exit_code == 0, (title, result.output)
    published = _run(root, "publish")
    assert published.exit_code == 0, published.output
    status = json.loads(_run(root, "status", "--json").stdout)
    assert sorted(o["title"] for o in status) == sorted(t.strip() for t in titles)
    assert {o["state"] for o in status} == {"released"}
    feed = feedparser.parse((root / "public/atom.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == len(titles)


def test_a_posts_folder_that_is_a_file_is_one_clear_error(tmp_path):
    root = tmp_path / "p"
    _settings(root)
    (root / "posts").write_text("not a folder")
    result = _run(root, "new", "post", "Hello")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"Error: {root / 'posts'} is not a folder; move it away, or point "
                             "paths.posts at the folder to write in\n")
    assert (root / "posts").read_text() == "not a folder"


INVISIBLE = st.text(st.characters(categories=["Cf", "Zs", "Mn", "Me"]) | st.sampled_from(FILLERS),
                    min_size=1, max_size=12)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(title=INVISIBLE)
def test_a_generated_title_that_shows_nothing_is_refused(tmp_path_factory, title):
    root = tmp_path_factory.mktemp("p")
    _settings(root)
    result = _run(root, "new", "post", "--", title)
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.output
    assert result.stderr.startswith("Error: the title ")
    assert result.stderr.count("\n") == 1
    assert not (root / "posts").exists() or list((root / "posts").iterdir()) == []
