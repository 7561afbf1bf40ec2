"""Golden feeds and pages: a fixed project built at a fixed time must give the checked-in feeds
and pages (the default theme's HTML, sitemap.xml and robots.txt, compared byte for byte).

The comparison is of canonical XML (C14N 2.0), so attribute order and namespace prefixes
written differently would not matter, but every element, attribute and text does.
Regenerate after an intended change with:

    SYNDICATE_REGEN_GOLDEN=1 pytest tests/test_golden.py

and review the diff of tests/data/golden/expected/ before committing it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil

import pytest
from lxml import etree

from conftest import DATA
from syndicate.config import load_config
from syndicate.publish import publish

GOLDEN = DATA / "golden"
TAGS = DATA / "tags"  # the project that uses every Podcast Index tag (test_podcast_tags.py)
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
FILES = ["feed.xml", "atom.xml", "podcast.xml", "episodes/01-opening/chapters.json"]
PAGES = ["index.html", "episodes/01-opening/index.html", "episodes/index.html",
         "posts/alpha/index.html", "posts/index.html", "tags/one/index.html", "404.html",
         "sitemap.xml", "robots.txt"]


def _canonical(raw: bytes) -> str:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(raw, parser), method="c14n2").decode()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("golden") / "project"
    shutil.copytree(GOLDEN / "project", root)
    result = publish(load_config(root / "config.yaml"), now=NOW)
    assert result.ok, [str(e) for e in result.errors]
    return root / "public"


@pytest.mark.parametrize("name", FILES)
def test_output_matches_golden(built, name):
    got = (built / name).read_bytes()
    expected_path = GOLDEN / "expected" / name.replace("/", "__")
    if os.environ.get("SYNDICATE_REGEN_GOLDEN"):
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_bytes(got)
        pytest.skip(f"regenerated {expected_path.name}")
    expected = expected_path.read_bytes()
    if name.endswith(".json"):
        assert json.loads(got) == json.loads(expected)
    else:
        assert _canonical(got) == _canonical(expected)


@pytest.mark.parametrize("name", PAGES)
def test_page_matches_golden(built, name):
    got = (built / name).read_bytes()
    expected_path = GOLDEN / "expected" / "pages" / name.replace("/", "__")
    if os.environ.get("SYNDICATE_REGEN_GOLDEN"):
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_bytes(got)
        pytest.skip(f"regenerated {expected_path.name}")
    assert got.decode() == expected_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["", "moved"])
def built_tags(request, tmp_path_factory):
    """The project using every tag, as it is ("") and moved away (tags/moved.yaml merged into
    its podcast section: itunes:new-feed-url, itunes:complete, itunes:block)."""
    import yaml

    root = tmp_path_factory.mktemp("tags") / "project"
    shutil.copytree(TAGS / "project", root)
    if request.param:
        cfg = yaml.safe_load((root / "config.yaml").read_text())
        cfg["podcast"].update(yaml.safe_load((TAGS / f"{request.param}.yaml").read_text()))
        (root / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    result = publish(load_config(root / "config.yaml"), now=NOW)
    assert result.ok, [str(e) for e in result.errors]
    return root / "public", request.param


@pytest.mark.parametrize("name", ["podcast.xml", "podcast.json"])
def test_every_tag_feed_matches_golden(built_tags, name):
    """The feeds of the project using every tag (channel and item, trailer, soundbites, value
    splits, images, a move away...) are the checked-in ones."""
    public, variant = built_tags
    got = (public / name).read_bytes()
    stem, ext = name.split(".")
    expected_path = TAGS / "expected" / (f"{stem}-{variant}.{ext}" if variant else name)
    if os.environ.get("SYNDICATE_REGEN_GOLDEN"):
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_bytes(got)
        pytest.skip(f"regenerated {expected_path.name}")
    expected = expected_path.read_bytes()
    if name.endswith(".json"):
        assert json.loads(got) == json.loads(expected)
    else:
        assert _canonical(got) == _canonical(expected)


def test_golden_rules_hold(built):
    """What the golden files are meant to show, asserted directly."""
    atom = (built / "atom.xml").read_text()
    assert "\x07" not in atom and "control character: here" in atom
    assert "onclick" not in atom and "iframe" not in atom
    assert "Delta" not in atom  # feed_items is 3
    assert (built / "posts/delta/index.html").exists()
    pod = (built / "podcast.xml").read_text()
    assert "https://cdn.golden.example/media/01-opening-" in pod
    assert "<itunes:explicit>true</itunes:explicit>" in pod  # the show
    assert pod.count("<itunes:explicit>false</itunes:explicit>") == 1  # the episode override
    assert '<podcast:locked owner="owner@golden.example">no</podcast:locked>' in pod
