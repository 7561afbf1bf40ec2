"""One post met in two sources is recognised once; two posts that only share a stock
paragraph (a newsletter's standing intro) stay two posts (issue 13, F15, F24)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from syndicate.cli import main

DATA = Path(__file__).parent / "data" / "import"


def _import(proj, *names, extra=()):
    for name in names:
        shutil.copy(DATA / name, proj.root / name)
    args = ["import", *(str(proj.root / n) for n in names), "--json", "--config",
            str(proj.root / "config.yaml"), *extra]
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result, json.loads(result.stdout)


def _bodies(proj) -> str:
    return "\n".join(p.read_text() for p in sorted((proj.root / "posts").glob("*.md")))


def test_two_posts_sharing_a_standing_intro_stay_two(make_project):
    """Different titles, a shared boilerplate paragraph, different news: two posts."""
    proj = make_project()
    result, report = _import(proj, "roundup.rss", "roundup.txt",
                             extra=["--date-by-order", "2021-10-15"])
    assert result.exit_code == 0, result.output
    assert len(report["created"]) == 2, report
    text = _bodies(proj)
    assert "winter access fund" in text and "vaccine booster programme" in text
    assert "Weekly Roundup 42" in text


def test_a_standing_intro_is_not_recognised_on_a_later_run(make_project):
    proj = make_project()
    _import(proj, "roundup.rss")
    _, report = _import(proj, "roundup.txt", extra=["--date-by-order", "2021-10-15"])
    assert [c["title"] for c in report["created"]] == ["Weekly Roundup 42"], report
    assert "vaccine booster programme" in _bodies(proj)


SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "004_5f808259bcbb4523.txt"


def _words(text: str) -> list[str]:
    import re
    return re.findall(r"[^\W_]+", text.lower())


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/seeds is not here")
@pytest.mark.parametrize("order", ["feed first", "page first"])
def test_a_feed_of_excerpts_and_the_full_page_make_one_full_post_each(make_project, order):
    """WordPress's "Summary" feed (first paragraph + […], real guids and dates) and the full
    text page: five posts, each with the full text, the feed's guid and the feed's date."""
    proj = make_project()
    shutil.copy(SEED, proj.root / "seed004.txt")
    names = ["seed004-excerpts.rss", "seed004.txt"]
    if order == "page first":
        names.reverse()
    shutil.copy(DATA / "seed004-excerpts.rss", proj.root / "seed004-excerpts.rss")
    args = ["import", *(str(proj.root / n) for n in names), "--json", "--config",
            str(proj.root / "config.yaml"), "--date-by-order", "2021-06-01"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    posts = sorted((proj.root / "posts").glob("*.md"))
    assert len(posts) == 5, [p.name for p in posts]
    assert len(report["merged"]) == 5
    text = _bodies(proj)
    assert text.count("guid: https://old.example/?p=") == 5
    assert "2020-10-05T09:00:00+00:00" in text  # the feed's date, not the made-up one
    page_words = set(_words(SEED.read_text()))
    missing = page_words - set(_words(text))
    # every word of the page is in a post (bar the page's furniture, a few words at most)
    assert len(missing) <= 5, sorted(missing)[:20]


def test_a_merge_under_another_title_is_flagged(make_project):
    """The same words under two titles are one post, but the merge is flagged naming both."""
    body = ("The practice moved to a new building this spring, and the phones moved with it, "
            "which nobody had planned for. Patients waited for an hour on the first morning.")
    proj = make_project({
        "old.rss": ('<rss version="2.0"><channel><title>B</title><link>https://o.example/</link>'
                    "<description>d</description><item><title>Moving Day</title>"
                    "<guid>https://o.example/?p=7</guid><pubDate>Fri, 08 Oct 2021 09:00:00 +0000"
                    f"</pubDate><description>{body}</description></item></channel></rss>"),
        "page.txt": f"The Big Move\n\n{body}\n\nNo Comments\n"})
    result = CliRunner().invoke(main, ["import", str(proj.root / "old.rss"),
                                       str(proj.root / "page.txt"), "--json", "--config",
                                       str(proj.root / "config.yaml"),
                                       "--date-by-order", "2021-10-15"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["created"]) == 1 and len(report["merged"]) == 1, report
    flags = [f for f in report["flagged"] if f["title"] == "The Big Move"]
    assert flags and "'Moving Day'" in flags[0]["reason"], report["flagged"]
