"""An imported show's podcast:guid (h14 U2): a UUID, in any spelling podcast.guid accepts, is
the show's after the import (kept as the old feed spelt it: apps compare the string); anything
else is left out, said in the import report with what to do, and never published."""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import BASE_CONFIG, DATA

FEED = (DATA / "import" / "podcast-spellings.xml").read_text(encoding="utf-8")
OLD = "0b5b7a56-3d1c-5e8f-a0a4-6c2e7b8d9f10"
OWNER = BASE_CONFIG.replace("owner@example.test", "pat@shed.example")
P = "https://podcastindex.org/namespace/1.0"


def _import(proj, guid: str):
    feed = proj.root.parent / "old.xml"
    feed.write_text(FEED.replace(OLD, escape(guid)), encoding="utf-8")
    result = proj.run("import", str(feed), "--audio", "keep-url", "--json",
                      "--config", str(proj.root / "config.yaml"))
    return result, json.loads(result.output.split("\nError:")[0])


def _published_guid(proj) -> str:
    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    channel = etree.fromstring(proj.read("podcast.xml")).find("channel")
    return channel.find(f"{{{P}}}guid").text


def _spellings(u: uuid.UUID) -> list[str]:
    return [str(u), str(u).upper(), "{" + str(u) + "}", "{" + str(u).upper() + "}", u.hex,
            u.urn]


def _uuid_like(text: str) -> bool:
    from syndicate.podcast_tags import canonical_uuid

    try:
        canonical_uuid(text.strip())
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("guid", ["hello world", "a" * 3000, OLD[:-1], OLD + "0", "{" + OLD,
                                  "urn:uuid:" + OLD + "x", "not-a-guid", "917393e3"])
def test_an_old_feeds_podcast_guid_that_is_no_uuid_is_left_out_and_said(make_project, guid):
    proj = make_project({}, config=OWNER)
    result, report = _import(proj, guid)
    assert result.exit_code == 0, result.output
    assert report["podcast_guid"] is None
    (said,) = [c for c in report["channel"] if c["field"] == "podcast:guid"]
    assert "not a UUID" in said["why"] and "podcast.guid in config.yaml" in said["why"]
    assert "config.yaml" in said["why"] and len(said["why"]) < 600
    assert "guid:" not in (proj.root / "config.yaml").read_text()  # nothing written there
    published = _published_guid(proj)
    assert published != guid and _uuid_like(published)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(guid=st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn")),
                    min_size=1, max_size=60))
def test_any_podcast_guid_an_old_feed_gives_is_kept_only_if_it_is_a_uuid(tmp_path_factory, guid):
    from conftest import Project

    assume(guid.strip() and guid == guid.strip())
    root = tmp_path_factory.mktemp("guid") / "proj"
    root.mkdir()
    (root / "config.yaml").write_text(OWNER)
    (root / "episodes").mkdir()
    (root / "posts").mkdir()
    proj = Project(root)
    result, report = _import(proj, guid)
    assert result.exit_code == 0, result.output
    said = [c for c in report["channel"] if c["field"] == "podcast:guid"]
    if _uuid_like(guid):
        assert report["podcast_guid"] == guid and not said
    else:
        assert report["podcast_guid"] is None and len(said) == 1, report["channel"]


@pytest.mark.parametrize("spelled", _spellings(uuid.UUID(OLD)))
def test_an_old_feeds_uuid_in_any_spelling_becomes_the_shows(make_project, spelled):
    proj = make_project({}, config=OWNER)
    result, report = _import(proj, spelled)
    assert result.exit_code == 0, result.output
    assert report["podcast_guid"] == spelled
    assert not [c for c in report["channel"] if c["field"] == "podcast:guid"]
    assert _published_guid(proj) == spelled  # the old feed's string: apps compare it


def test_the_text_report_says_where_the_shows_guid_came_from(make_project):
    proj = make_project({}, config=OWNER)
    feed = proj.root.parent / "old.xml"
    feed.write_text(FEED, encoding="utf-8")
    result = proj.run("import", str(feed), "--audio", "keep-url",
                      "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    assert f"podcast:guid {OLD} taken from the old feed" in result.output
    feed.write_text(FEED.replace(OLD, "hello world"), encoding="utf-8")
    proj2_root = proj.root.parent / "second"
    proj2_root.mkdir()
    (proj2_root / "config.yaml").write_text(OWNER)
    result = proj.run("import", str(feed), "--audio", "keep-url",
                      "--config", str(proj2_root / "config.yaml"))
    assert result.exit_code == 0, result.output
    assert "podcast:guid from" in result.output and "'hello world' is not a UUID" in result.output
    assert "taken from the old feed" not in result.output
