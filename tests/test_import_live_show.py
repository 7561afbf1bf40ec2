"""G2: importing an old podcast feed never changes the identity of a show that is already live.
A show published with episodes keeps its podcast:guid: an import carrying another one is
refused, naming both and the setting that chooses (podcast.guid); once podcast.guid is set,
the import goes on and the feed's guid, if not the chosen one, is reported as not published.
A show never published (or published without an episode) takes the old feed's guid: that is
the migration itself."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import BASE_CONFIG, DATA, post, sidecar, tone

IMPORT = DATA / "import"
OLD = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"  # podcast-show-a.xml's podcast:guid
GUID = re.compile(rb"<podcast:guid>([^<]*)</podcast:guid>")


def _guid(proj) -> str:
    (found,) = GUID.findall(proj.read("podcast.xml"))
    return found.decode()


def _import(proj, *extra):
    return proj.run("import", str(IMPORT / "podcast-show-a.xml"), "--audio", "keep-url",
                    *extra, "--config", str(proj.root / "config.yaml"))


def _live_show(make_project):
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)})
    assert proj.run("publish").exit_code == 0
    return proj, _guid(proj)


@pytest.mark.parametrize("catalog", ["kept", "lost"])
def test_an_import_never_replaces_the_live_shows_guid(make_project, catalog):
    proj, live = _live_show(make_project)
    assert live != OLD
    if catalog == "lost":  # the live feed itself says the show is live, and under which guid
        shutil.rmtree(proj.root / ".syndicate")
    result = _import(proj)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert live in errors[0] and OLD in errors[0] and "podcast.guid" in errors[0]
    assert "podcast-show-a.xml" in errors[0]
    assert sorted(p.name for p in (proj.root / "episodes").iterdir()) == ["one.mp3", "one.yaml"]
    assert proj.run("publish").exit_code == 0
    assert _guid(proj) == live  # the live show is the same show for every app


def test_the_author_chooses_the_live_guid_and_the_feeds_is_reported_dropped(make_project):
    proj, live = _live_show(make_project)
    proj.write("config.yaml", BASE_CONFIG.replace("  explicit: false\n",
                                                  f"  explicit: false\n  guid: {live}\n"))
    result = _import(proj, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["created"]) == 4 and report["podcast_guid"] is None
    (dropped,) = [c for c in report["channel"] if c["field"] == "podcast:guid"]
    assert OLD in dropped["why"] and live in dropped["why"] and "podcast.guid" in dropped["why"]
    text = _import(proj)  # again: merged, and the same line in the text report
    assert text.exit_code == 0 and "podcast:guid from" in text.output and OLD in text.output
    assert proj.run("publish").exit_code == 0
    assert _guid(proj) == live


def test_the_author_chooses_the_old_shows_guid(make_project):
    proj, _ = _live_show(make_project)
    proj.write("config.yaml", BASE_CONFIG.replace("  explicit: false\n",
                                                  f"  explicit: false\n  guid: {OLD}\n"))
    result = _import(proj, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["podcast_guid"] == OLD and len(report["created"]) == 4
    assert not [c for c in report["channel"] if c["field"] == "podcast:guid"]
    assert proj.run("publish").exit_code == 0
    assert _guid(proj) == OLD


def test_a_site_whose_podcast_feed_has_no_episode_yet_takes_the_old_shows_guid(make_project):
    # the blog went live first: podcast.xml exists, empty; no app follows a show of nothing
    proj = make_project({"posts/a.md": post("A")})
    assert proj.run("publish").exit_code == 0
    result = _import(proj)
    assert result.exit_code == 0, result.output
    assert proj.run("publish").exit_code == 0
    assert _guid(proj) == OLD


@pytest.mark.parametrize("catalog", ["kept", "lost"])
def test_the_live_guid_in_other_letters_keeps_the_live_spelling(make_project, catalog):
    """H3: an old feed whose podcast:guid is the live one in capitals (and spaces around) is
    the same show, and the published string stays the live one, letter for letter."""
    proj, live = _live_show(make_project)
    if catalog == "lost":
        shutil.rmtree(proj.root / ".syndicate")
    upper = (IMPORT / "podcast-show-a.xml").read_text(encoding="utf-8").replace(
        OLD, f"  {live.upper()} ")
    feed = proj.write("old/upper.xml", upper)
    result = proj.run("import", str(feed), "--audio", "keep-url", "--json",
                      "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["podcast_guid"] == live
    assert proj.run("publish").exit_code == 0
    assert _guid(proj) == live
