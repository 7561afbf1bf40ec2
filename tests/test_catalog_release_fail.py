"""A due release whose item does not reach the feeds (an input of its feed failed, so the feed
keeps its last published version) is a failed release: exit 1, `failed` with its reason in
status, retried later, and released once the input is fixed."""

from __future__ import annotations

import io

import podcastparser

from conftest import png_bytes, sidecar, tone

NOW = "2026-11-01T12:00:00+00:00"
LATER = "2026-11-01T12:10:00+00:00"


def _episodes(proj) -> set[str]:
    return {e["title"] for e in podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
            ["episodes"]}


def test_a_release_blocked_by_a_broken_cover_fails_and_is_retried(make_project):
    proj = make_project({"episodes/one.yaml": sidecar("One", date="2026-10-01 08:00"),
                         "episodes/one.mp3": tone(1.0),
                         "episodes/two.yaml": sidecar("Two", date="2026-12-20 08:00"),
                         "episodes/two.mp3": tone(1.2, freq=660)})
    assert proj.run("publish").exit_code == 0
    assert _episodes(proj) == {"One"}
    proj.write("cover.png", b"junk")
    assert proj.run("queue", "episodes/two.yaml", "--at", "now").exit_code == 0

    result = proj.run("release-due", now=NOW)
    assert result.exit_code == 1, result.output
    assert "Error: release failed: episodes/two.yaml did not reach the feeds" in result.output
    assert "cover.png" in result.output and "next attempt at" in result.output
    assert _episodes(proj) == {"One"}
    line = next(s for s in proj.run("status", now=NOW).output.splitlines() if "Two" in s)
    assert "failed" in line, line

    again = proj.run("release-due", now=LATER)  # still broken: still failed, never dropped
    assert again.exit_code == 1 and "did not reach the feeds" in again.output

    proj.write("cover.png", png_bytes())
    fixed = proj.run("release-due", now=LATER)
    assert fixed.exit_code == 0, fixed.output
    assert "Released episode 'Two'" in fixed.output
    assert _episodes(proj) == {"One", "Two"}
    line = next(s for s in proj.run("status", now=LATER).output.splitlines() if "Two" in s)
    assert "released" in line, line
