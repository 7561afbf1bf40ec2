"""A draft never takes an address from what is published or queued: a draft given a live
post's slug (before or after it) is a warning naming both, never an error that stops every
publish; once it stops being a draft, the clash is the usual error and the live post stays."""

from __future__ import annotations

import feedparser
import pytest

from conftest import post


def _titles(proj) -> list[str]:
    return sorted(e.title for e in feedparser.parse(proj.read("feed.xml")).entries)


@pytest.mark.parametrize("draft_first", [False, True])
def test_a_draft_sharing_a_live_slug_is_a_warning_and_the_live_post_is_published(
        make_project, draft_first):
    live = post("Live one", "2026-10-01", "Live words.", slug="shared")
    sketch = post("Sketch", "2026-10-02", "Draft words.", slug="shared", draft="true")
    first, second = (("posts/sketch.md", sketch), ("posts/live.md", live)) if draft_first \
        else (("posts/live.md", live), ("posts/sketch.md", sketch))
    proj = make_project({first[0]: first[1]})
    assert proj.run("publish").exit_code == 0
    proj.write(*second)
    for _ in range(2):  # the run that meets the clash, and one where nothing changed
        out = proj.run("publish")
        assert out.exit_code == 0, out.output
        assert ("posts/sketch.md: a draft whose slug 'shared' is already used by "
                "posts/live.md") in out.output
        assert "Error" not in out.output
    assert _titles(proj) == ["Live one"]
    assert b"Live words." in proj.read("posts/shared/index.html")

    proj.write("posts/sketch.md", sketch.replace("draft: true\n", ""))
    out = proj.run("publish")
    assert out.exit_code == 1
    assert "Error: posts/sketch.md: slug 'shared' is already used by posts/live.md" in out.output
    assert _titles(proj) == ["Live one"]
    assert b"Live words." in proj.read("posts/shared/index.html")
