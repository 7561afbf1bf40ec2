"""N22: things put in a local site folder by hand where the site writes. A link in place of a
published file, a folder where a file goes, a file where a folder goes, and a linked folder
leading out are named, before anything is written, with what to do, never "run publish again to
finish" (which would never finish); no link is followed and nothing outside is touched."""

from __future__ import annotations

import shutil

import feedparser
import pytest

from conftest import post


def _errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def test_a_link_put_in_place_of_a_feed_is_named_never_followed(make_project, tmp_path):
    outside = tmp_path / "hostname"
    outside.write_text("not yours\n")
    proj = make_project({"posts/a.md": post("A")})
    assert proj.run("publish").exit_code == 0
    feed = proj.public("feed.xml")
    feed.unlink()
    feed.symlink_to(outside)
    proj.write("posts/b.md", post("B"))
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    errors = _errors(result)
    assert len(errors) == 1 and "feed.xml is a link" in errors[0], result.output
    assert "publish again" in errors[0]
    assert outside.read_text() == "not yours\n"  # never written through
    feed.unlink()  # as the message says: removed, then publish again
    assert proj.run("publish").exit_code == 0
    assert sorted(e.title for e in feedparser.parse(feed.read_bytes()).entries) == ["A", "B"]


@pytest.mark.parametrize("kind", ["folder-for-file", "file-for-folder", "link-out"])
def test_what_blocks_a_write_is_named_with_what_to_move(make_project, tmp_path, kind):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    proj = make_project({"posts/a.md": post("A")})
    assert proj.run("publish").exit_code == 0
    page = proj.public("posts/a/index.html")
    if kind == "folder-for-file":
        page.unlink()
        page.mkdir()
        (page / "mine.txt").write_text("mine")
        blocked = page
    elif kind == "file-for-folder":
        shutil.rmtree(page.parent)
        page.parent.write_text("mine")
        blocked = page.parent
    else:
        shutil.rmtree(page.parent)
        page.parent.symlink_to(outside)
        blocked = page.parent
    proj.write("posts/a.md", post("A", body="Changed, so the page is written again."))
    for _ in range(2):  # the same clear error each time, not "run publish again to finish"
        result = proj.run("publish")
        assert result.exit_code == 1, result.output
        errors = _errors(result)
        assert len(errors) == 1, result.output
        site = proj.public("feed.xml").parent
        assert str(blocked.relative_to(site)) in errors[0], errors  # named before any write
        assert "then publish again" in errors[0] and "to finish" not in errors[0]
    assert list(outside.iterdir()) == []  # nothing written outside
    if kind == "folder-for-file":
        assert (page / "mine.txt").read_text() == "mine"  # never deleted
    elif kind == "file-for-folder":
        assert page.parent.read_text() == "mine"
