"""What we publish, we import (issue 15): the feed of the project that uses every tag, served by
a loopback HTTP server, is imported by ``syndicate import URL`` into an empty project; with the
channel's config keys the import gives back, that project publishes the same ``podcast:`` and
``itunes:`` elements, item by item (item podcast:image too), modulo the two sites' own addresses."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from lxml import etree

from conftest import BASE_CONFIG, DATA, Project, serve_folder

P = "https://podcastindex.org/namespace/1.0"
I = "http://www.itunes.com/dtds/podcast-1.0.dtd"  # noqa: E741
TAGS = DATA / "tags"
# the channel's tags a project's config.yaml states itself (its title, owner, art, guid...),
# not given back by an import
OWN = {*((I, n) for n in ("author", "owner", "image", "category", "explicit", "type")),
       *((P, n) for n in ("guid", "locked", "funding"))}


@pytest.fixture
def source(tmp_path):
    """The every-tag project published (moved away: tags/moved.yaml) at a loopback address
    that serves its public folder: (its feed's address, the project, the paths asked for)."""
    root = tmp_path / "source"
    shutil.copytree(TAGS / "project", root)
    (root / "public").mkdir()
    server, base, asked = serve_folder(root / "public")
    cfg = yaml.safe_load((root / "config.yaml").read_text())
    cfg["site"]["url"] = base + "/"
    cfg["podcast"].update(yaml.safe_load((TAGS / "moved.yaml").read_text()))
    cfg["podcast"].pop("new_feed_url")  # (a show moved away is not imported as moving again)
    (root / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    published = Project(root).run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    yield base + "/podcast.xml", Project(root), asked
    server.shutdown()
    server.server_close()


def _plain(el, sites: tuple[str, ...]) -> tuple:
    """An element as comparable data: name, attributes and text (an address on one of
    ``sites`` written relative to it), and its children."""
    def local(value: str) -> str:
        value = value.strip()
        for site in sites:
            if value.startswith(site):
                return "SITE/" + value[len(site):]
        return value

    return (etree.QName(el).namespace, etree.QName(el).localname,
            sorted((k, local(v)) for k, v in el.attrib.items()), local(el.text or ""),
            [_plain(c, sites) for c in el])


def _tags(parent, sites, skip=()) -> list:
    return [_plain(el, sites) for el in parent
            if isinstance(el.tag, str) and etree.QName(el).namespace in (P, I)
            and (etree.QName(el).namespace, etree.QName(el).localname) not in skip]


def _by_item(feed: bytes, sites) -> dict[str, list]:
    ch = etree.fromstring(feed).find("channel")
    return {item.findtext("guid"): _tags(item, sites) for item in ch.iterfind("item")}


def test_a_feed_imported_over_http_publishes_the_same_podcast_and_itunes_tags(source, make_project):
    feed_url, src, asked = source
    before = src.read("podcast.xml")
    dest = make_project(config=BASE_CONFIG.replace("owner@example.test", "owner@tags.example"))
    result = dest.run("import", feed_url, "--audio", "keep-url", "--json",
                      "--config", str(dest.root / "config.yaml"))
    assert result.exit_code == 0, result.output[-2000:]
    assert "/podcast.xml" in asked  # read from the loopback host, not a file
    report = json.loads(result.output)
    assert len(report["created"]) == 2
    cfg = yaml.safe_load((dest.root / "config.yaml").read_text())
    for entry in report["channel"]:
        for key, value in entry.get("config", {}).items():
            cfg["podcast"][key.removeprefix("podcast.")] = value
    (dest.root / "config.yaml").write_text(yaml.safe_dump(cfg))
    published = dest.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    again = dest.read("podcast.xml")
    sites = (feed_url.removesuffix("podcast.xml"), "https://example.test/")

    # every item, every podcast: and itunes: element of it, in order
    items_before, items_again = _by_item(before, sites), _by_item(again, sites)
    assert set(items_before) == set(items_again) and len(items_before) == 2
    for guid, tags in items_before.items():
        assert items_again[guid] == tags, guid
    names = {t[1] for tags in items_before.values() for t in tags}
    assert {"person", "location", "license", "soundbite", "txt", "contentLink", "image",
            "socialInteract", "value", "season", "episode", "duration", "episodeType",
            "explicit"} <= names
    # the channel's: each one a config key publishes (the trailer from the trailer episode)
    ch_before = _tags(etree.fromstring(before).find("channel"), sites, OWN)
    ch_again = _tags(etree.fromstring(again).find("channel"), sites, OWN)
    assert sorted(ch_again) == sorted(ch_before)
    assert {t[1] for t in ch_before} >= {
        "person", "location", "license", "txt", "image", "socialInteract", "value", "medium",
        "block", "complete", "updateFrequency", "publisher", "podroll", "chat", "podping",
        "trailer"}
