"""The embargo belongs to the item: no edit of a queued item's guid, slug, title or file name,
and no rename or move, releases it before its time; it is released at its time."""

from __future__ import annotations

import io
import json

import feedparser
import podcastparser
import pytest

from conftest import post, sidecar, tone

AT = "2026-11-20T09:00:00+00:00"
SECRET = "Embargoed-words-42"


def _live_mentions(proj, needle: str) -> list[str]:
    """Published files that mention ``needle`` (feeds, pages, anything)."""
    public = proj.root / "public"
    return [p.relative_to(public).as_posix() for p in public.rglob("*")
            if p.is_file() and needle.encode() in p.read_bytes()]


def _state(proj, title: str) -> dict:
    rows = [o for o in json.loads(proj.run("status", "--json").output)
            if o["state"] != "removed" and o["title"] == title]
    assert len(rows) == 1, rows
    return rows[0]


def _move(proj, old: str, new: str, text: str | None = None) -> None:
    src, dst = proj.root / old, proj.root / new
    dst.parent.mkdir(parents=True, exist_ok=True)
    content = src.read_bytes() if text is None else text.encode()
    src.unlink()
    dst.write_bytes(content)


EDITS = {
    "guid": lambda p: p.write("posts/winter.md", post("Winter plans", date="2026-10-15",
                                                      body=SECRET, guid="urn:new-guid")),
    "slug": lambda p: p.write("posts/winter.md", post("Winter plans", date="2026-10-15",
                                                      body=SECRET, slug="cold-months")),
    "title": lambda p: p.write("posts/winter.md", post("Plans for the winter",
                                                       date="2026-10-15", body=SECRET)),
    "rename": lambda p: _move(p, "posts/winter.md", "posts/winter-2026.md"),
    "subfolder": lambda p: _move(p, "posts/winter.md", "posts/2026/winter.md"),
    "rename+body": lambda p: _move(p, "posts/winter.md", "posts/w.md",
                                   post("Winter plans", date="2026-10-15",
                                        body=SECRET + " and more")),
    "rename+title": lambda p: _move(p, "posts/winter.md", "posts/cold.md",
                                    post("Cold months", date="2026-10-15", body=SECRET)),
    "rename+guid+slug": lambda p: _move(p, "posts/winter.md", "posts/x/y.md",
                                        post("Winter plans", date="2026-10-15", body=SECRET,
                                             guid="urn:other", slug="yy")),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_no_edit_of_a_queued_post_releases_it_early(make_project, edit):
    # dated in the past: without the queue it would go out at once
    proj = make_project({"posts/old.md": post("Old post", date="2026-10-01"),
                         "posts/winter.md": post("Winter plans", date="2026-10-15",
                                                 body=SECRET)})
    queued = proj.run("queue", "posts/winter.md", "--at", AT)
    assert queued.exit_code == 0, queued.output
    assert proj.run("publish").exit_code == 0
    assert _live_mentions(proj, SECRET) == []

    EDITS[edit](proj)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _live_mentions(proj, SECRET) == []  # no feed entry, page or anything
    assert [e.title for e in feedparser.parse(proj.read("feed.xml")).entries] == ["Old post"]
    title = "Cold months" if edit == "rename+title" else \
        "Plans for the winter" if edit == "title" else "Winter plans"
    state = _state(proj, title)
    assert state["state"] == "queued" and state["release_utc"] == AT
    assert proj.run("release-due", now="2026-11-20T08:59:59+00:00").output.strip() == \
        "Nothing is due"
    assert _live_mentions(proj, SECRET) == []

    done = proj.run("release-due", now=AT)
    assert done.exit_code == 0 and f"Released post '{title}'" in done.output, done.output
    entries = feedparser.parse(proj.read("feed.xml")).entries
    assert [e.title for e in entries] == [title, "Old post"]
    assert SECRET in entries[0].content[0].value


def test_a_queued_episode_renamed_and_edited_is_not_released_early(make_project):
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0),
                         "episodes/two.yaml": sidecar("Two", date="2026-10-20 08:00",
                                                      summary=SECRET),
                         "episodes/two.mp3": tone(1.0, freq=550)})
    assert proj.run("queue", "episodes/two.yaml", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    _move(proj, "episodes/two.mp3", "episodes/s2/second.mp3")
    _move(proj, "episodes/two.yaml", "episodes/s2/second.yaml",
          sidecar("Second", date="2026-10-20 08:00", summary=SECRET, guid="urn:ep-two"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _live_mentions(proj, SECRET) == []
    assert not list((proj.root / "public/media").glob("second-*"))
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    assert [e["title"] for e in feed["episodes"]] == ["One"]
    done = proj.run("release-due", now=AT)
    assert "Released episode 'Second'" in done.output, done.output
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    assert sorted(e["title"] for e in feed["episodes"]) == ["One", "Second"]


def test_a_queued_post_moved_out_then_back_renamed_and_edited_stays_queued(make_project):
    """Moved out of posts/ (a collect sees it gone), then back under a new name and title."""
    proj = make_project({"posts/old.md": post("Old post", date="2026-10-01"),
                         "posts/winter.md": post("Winter plans", date="2026-10-15",
                                                 body=SECRET)})
    assert proj.run("queue", "posts/winter.md", "--at", AT).exit_code == 0
    aside = (proj.root / "posts/winter.md").read_text()
    (proj.root / "posts/winter.md").unlink()
    assert "1 removed" in proj.run("publish").output
    proj.write("posts/cold.md", aside.replace("Winter plans", "Cold months"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "posts/cold.md: taken as posts/winter.md" in result.output
    assert _live_mentions(proj, SECRET) == []
    assert _state(proj, "Cold months")["release_utc"] == AT
    assert "Released post 'Cold months'" in proj.run("release-due", now=AT).output


def test_a_queued_post_renamed_while_another_post_appears_is_held(make_project):
    """Renamed and edited in the same run as an unrelated new post: which new file is the queued
    one cannot be told, so both wait until queued again (N21)."""
    proj = make_project({"posts/old.md": post("Old post", date="2026-10-01"),
                         "posts/emb.md": post("Embargo", date="2026-10-15", body=SECRET)})
    assert proj.run("queue", "posts/emb.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    _move(proj, "posts/emb.md", "posts/launch-final.md",
          post("Launch", date="2026-10-15", body=SECRET + " final version"))
    proj.write("posts/unrelated.md", post("Unrelated", date="2026-10-15", body="else"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _live_mentions(proj, SECRET) == []
    assert "posts/launch-final.md: held back" in result.output
    assert "syndicate queue posts/unrelated.md --at" in result.output
    assert [e.title for e in feedparser.parse(proj.read("feed.xml")).entries] == ["Old post"]
    assert proj.run("queue", "posts/unrelated.md", "--at", "now").exit_code == 0
    assert proj.run("publish").exit_code == 0
    assert _live_mentions(proj, SECRET) == []
    assert "Unrelated" in [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]


def test_a_queued_post_renamed_retitled_and_edited_while_a_new_post_takes_its_name_is_held(
        make_project):
    """Found by the generated sequences (test_catalog_embargo_machine): a queued post saved
    under a new name with a new title and a word changed, while a new post with its old title
    and date is begun under its old name. The new file at the old name continues the queued item
    by name, title and date; the renamed file, holding the words that left the queued one, is
    held too, never released early."""
    proj = make_project({"posts/old.md": post("Old post", date="2026-10-01")})
    proj.write("posts/b.md", post("Launch", date="2026-10-05", body=SECRET + " edited"))
    assert proj.run("queue", "posts/b.md", "--at", AT).exit_code == 0
    _move(proj, "posts/b.md", "posts/a.md",
          post("Embargo", date="2026-10-05", body=SECRET + " renamed"))
    proj.write("posts/b.md", post("Launch", date="2026-10-05", body="Another text altogether"))
    result = proj.run("publish")
    assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output
    assert _live_mentions(proj, SECRET) == []
    assert "posts/a.md: held back" in result.output, result.output
    assert proj.run("publish").exit_code in (0, 1)  # and again: still held
    assert _live_mentions(proj, SECRET) == []


@pytest.mark.parametrize("change", ["as it is", "retitled", "a word changed"])
def test_a_copy_of_a_queued_post_is_held_while_the_queued_one_stays(make_project, change):
    """h18 Y4: an author copies a queued post to work on; the copy's words must not go out
    before the queued post's time."""
    proj = make_project({"posts/old.md": post("Old post", date="2026-10-01"),
                         "posts/golf.md": post("Post Golf", date="2026-10-15",
                                               body=SECRET + " the long round at dawn")})
    assert proj.run("queue", "posts/golf.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    text = (proj.root / "posts/golf.md").read_text()
    if change == "retitled":
        text = text.replace("title: Post Golf", "title: Post Golf Copy")
    elif change == "a word changed":
        text = text.replace("at dawn", "at dusk")
    proj.write("posts/golf-copy.md", text)
    result = proj.run("publish")
    assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output
    assert _live_mentions(proj, SECRET) == []
    assert "posts/golf-copy.md: held back" in result.output, result.output
    assert "copied here" in result.output
    assert proj.run("publish").exit_code in (0, 1)
    assert _live_mentions(proj, SECRET) == []
    # released on purpose: out it goes
    assert proj.run("queue", "posts/golf-copy.md", "--at", "now").exit_code == 0
    assert proj.run("publish").exit_code == 0
    assert _live_mentions(proj, SECRET)


def test_a_new_post_sharing_a_few_words_with_a_queued_one_is_not_held(make_project):
    proj = make_project({"posts/golf.md": post("Post Golf", date="2026-10-15",
                                               body=SECRET + " the long round at dawn")})
    assert proj.run("queue", "posts/golf.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    proj.write("posts/walk.md", post("A walk", date="2026-10-16",
                                     body="the long walk by the river at noon"))
    result = proj.run("publish")
    assert result.exit_code == 0 and "held back" not in result.output, result.output
    assert "A walk" in [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]
