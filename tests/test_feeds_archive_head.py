"""A full archive page of a paged feed (RFC 5005) is cached for a week, so it carries only its
items and a fixed head (``render/paging.py``): editing any show-level setting rewrites the main
feeds and no full archive page, not even re-rendering one (its input hash stays); the pages
still lead podcastparser and feedparser to every item once; an edited item still rewrites its
own page; the title (and the explicit default its items take) rewrites every page."""

from __future__ import annotations

import copy
import io
import json
import shutil
import tempfile
from pathlib import Path

import feedparser
import podcastparser
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import BASE_CONFIG, DATA, NOW_DT, SHARED, Project, png_bytes, post, sidecar
from syndicate.config import load_config
from syndicate.publish import publish
from syndicate.render.paging import FH

SITE = "https://example.test/"
P = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
COUNT = 6  # items of each kind: with 2 a page, the main feed [5 4], full pages [1 0] and [3 2]
PODCAST_PAGES = ("podcast-archive-1.xml", "podcast-archive-2.xml", "podcast-archive-1.json",
                 "podcast-archive-2.json")
BLOG_PAGES = ("feed-archive-1.xml", "feed-archive-2.xml", "atom-archive-1.xml",
              "atom-archive-2.xml", "feed-archive-1.json", "feed-archive-2.json")
FULL_PAGES = PODCAST_PAGES + BLOG_PAGES

# Show-level settings a publisher edits: every Podcast Index channel tag of the test project
# that uses every tag, and Apple's and RSS's own channel values. Each shows in the main feed.
TAGS = yaml.safe_load((DATA / "tags" / "project" / "config.yaml").read_text())["podcast"]
SHOW_EDITS = {
    **{k: v for k, v in TAGS.items() if k not in (
        "title", "image", "explicit", "categories", "podping", "complete", "locked")},
    "complete": True,
    "locked": False,  # (locked is the default)
    "categories": ["Arts", "Technology"],
    "copyright": "© 2026 Someone Else",
    "new_feed_url": "https://new-host.example/show.xml",
    "type": "serial",
    "image": "cover2.png",  # another cover: a new key for the art
    "block": True,
}
SITE_EDITS = {("site", "description"): "The site described anew.",
              ("blog", "description"): "The blog described anew."}


def config(podcast: dict | None = None, others: dict | None = None) -> str:
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["podcast"]["feed_items"] = 2
    cfg["blog"] = {"feed_items": 2, "archive_pages": True}
    cfg["podcast"].update(podcast or {})
    for (section, key), value in (others or {}).items():
        cfg[section][key] = value
    return yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True)


def make_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(config(), encoding="utf-8")
    (root / "cover.png").write_bytes(png_bytes(1400, 1400))
    (root / "cover2.png").write_bytes(png_bytes(1400, 1400, rgb=(200, 60, 40)))
    (root / "posts").mkdir()
    (root / "episodes").mkdir()
    for i in range(COUNT):
        (root / "episodes" / f"ep{i}.yaml").write_text(
            sidecar(f"Episode {i}", f"2026-03-0{1 + i} 08:00",
                    audio_url=f"https://media.example.test/ep{i}.mp3", audio_length=1000 + i,
                    duration=60 + i), encoding="utf-8")
        (root / "posts" / f"p{i}.md").write_text(post(f"Post {i}", f"2026-04-0{1 + i}"),
                                                  encoding="utf-8")
    publish_cli(root)
    return root


def publish_cli(root: Path) -> set[str]:
    result = Project(root).run("publish", "--json")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    doc = json.loads(result.stdout)
    assert doc["ok"], doc["errors"]
    return set(doc["written"])


def snapshot(root: Path, keys) -> dict[str, bytes]:
    return {k: (root / "public" / k).read_bytes() for k in keys}


def chain(root: Path, key: str, nxt) -> list[tuple[str, bytes]]:
    """The feed at ``key`` and every page its older-page links lead to (``nxt(key, bytes)``)."""
    out, url = [], SITE + key
    while url:
        assert url.startswith(SITE) and len(out) < 20, url
        page = url.removeprefix(SITE)
        out.append((page, (root / "public" / page).read_bytes()))
        url = nxt(page, out[-1][1])
    return out


def podcast_next(key: str, raw: bytes) -> str | None:
    return podcastparser.parse(SITE + key, io.BytesIO(raw)).get("paged_feed_next")


def feed_next(key: str, raw: bytes) -> str | None:
    parsed = feedparser.parse(raw)
    return next((link.href for link in parsed.feed.get("links", [])
                 if link.get("rel") == "next"), None)


def every_item_once(root: Path) -> None:
    """Each feed, followed page by page as podcastparser, feedparser and a JSON Feed reader
    follow it, gives every item once."""
    pages = chain(root, "podcast.xml", podcast_next)
    titles = []
    for key, raw in pages:
        fp = feedparser.parse(raw)
        assert not fp.bozo, (key, fp.get("bozo_exception"))
        episodes = podcastparser.parse(SITE + key, io.BytesIO(raw))["episodes"]
        # (podcastparser puts a serial show's episodes oldest first)
        assert sorted(e["title"] for e in episodes) == sorted(e.title for e in fp.entries)
        assert all(e["enclosures"] for e in episodes)
        titles += [e.title for e in fp.entries]
    assert sorted(titles) == sorted(f"Episode {i}" for i in range(COUNT))
    for key in ("feed.xml", "atom.xml"):
        found = []
        for page, raw in chain(root, key, feed_next):
            fp = feedparser.parse(raw)
            assert not fp.bozo, (page, fp.get("bozo_exception"))
            found += [e.title for e in fp.entries]
        assert sorted(found) == sorted(f"Post {i}" for i in range(COUNT)), key
    for key, kind in (("podcast.json", "Episode"), ("feed.json", "Post")):
        found = []
        for _, raw in chain(root, key, lambda _k, r: json.loads(r).get("next_url")):
            found += [item["title"] for item in json.loads(raw)["items"]]
        assert sorted(found) == sorted(f"{kind} {i}" for i in range(COUNT)), key


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A published project whose feeds have two full archive pages each."""
    root = make_project(tmp_path_factory.mktemp("archive-head") / "project")
    for key in FULL_PAGES:
        assert (root / "public" / key).exists(), key
    return root


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(show=st.sets(st.sampled_from(sorted(SHOW_EDITS)), min_size=1),
       site=st.sets(st.sampled_from(sorted(SITE_EDITS))))
def test_show_settings_edited_rewrite_no_full_archive_page(base, show, site):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(base, root, symlinks=True)
        before = snapshot(root, (*FULL_PAGES, "podcast.xml", "feed.xml"))
        (root / "config.yaml").write_text(
            config({k: copy.deepcopy(SHOW_EDITS[k]) for k in show},
                   {k: SITE_EDITS[k] for k in site}), encoding="utf-8")
        written = publish_cli(root)
        after = snapshot(root, before)
        assert "podcast.xml" in written and after["podcast.xml"] != before["podcast.xml"]
        if site:  # the blog's description is its main feeds' (the site's, when it has none)
            assert after["feed.xml"] != before["feed.xml"]
        assert not written & set(FULL_PAGES)
        assert {k: after[k] for k in FULL_PAGES} == {k: before[k] for k in FULL_PAGES}
        every_item_once(root)


def test_an_archive_pages_input_hash_ignores_the_show_settings(tmp_path):
    """Through the library: with every show-level setting edited at once, each archive page's
    input hash is the one the last publish recorded, so the page is not even rendered."""
    root = make_project(tmp_path / "project")
    first = publish(load_config(root / "config.yaml"), now=NOW_DT)
    assert not first.errors
    hashes = {r["key"]: r["input_hash"] for r in first.plan.manifest if r["key"] in FULL_PAGES}
    assert hashes.keys() == set(FULL_PAGES)
    (root / "config.yaml").write_text(config(SHOW_EDITS, SITE_EDITS), encoding="utf-8")
    second = publish(load_config(root / "config.yaml"), now=NOW_DT)
    assert not second.errors
    written = {w.output.key for w in second.plan.writes}
    assert {"podcast.xml", "podcast.json", "feed.xml", "atom.xml", "feed.json"} <= written
    assert not written & set(FULL_PAGES)
    assert {r["key"]: r["input_hash"] for r in second.plan.manifest
            if r["key"] in FULL_PAGES} == hashes


def test_an_archive_pages_channel_is_its_fixed_head(base):
    """The podcast's archive page names the show by title and podcast:guid only; its
    description is the title; no Apple tag, cover, copyright or Podcast Index channel tag."""
    raw = (base / "public" / "podcast-archive-1.xml").read_bytes()
    channel = etree.fromstring(raw).find("channel")
    tags = {etree.QName(e).text for e in channel if etree.QName(e).localname != "item"}
    assert tags == {f"{{{FH}}}archive", "title", "link", "description", f"{{{ATOM}}}link",
                    "docs", "generator", "language", "lastBuildDate", f"{{{P}}}guid"}
    main = etree.fromstring((base / "public" / "podcast.xml").read_bytes()).find("channel")
    for tag in ("title", "link", "language", f"{{{P}}}guid"):
        assert channel.findtext(tag) == main.findtext(tag), tag
    assert channel.findtext("description") == main.findtext("title")
    rels = sorted(link.get("rel") for link in channel.iterfind(f"{{{ATOM}}}link"))
    assert rels == ["current", "self"]
    page = json.loads((base / "public" / "podcast-archive-2.json").read_bytes())
    assert set(page) == {"version", "title", "home_page_url", "feed_url", "language",
                         "authors", "next_url", "items"}


XSD = SHARED / "podcast-namespace" / "podcast.xsd"


@pytest.mark.skipif(not XSD.exists(), reason="../shared/podcast-namespace is absent")
def test_the_tags_projects_archive_page_keeps_its_items_tags_and_validates(tmp_path):
    """The project that uses every tag, paged one episode a page: its archive page keeps the
    older episode's own tags whole, and its podcast:guid validates against the XSD."""
    root = tmp_path / "project"
    shutil.copytree(DATA / "tags" / "project", root)
    cfg = yaml.safe_load((root / "config.yaml").read_text())
    cfg["podcast"]["feed_items"] = 1
    (root / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    result = publish(load_config(root / "config.yaml"), now=NOW_DT)
    assert result.ok, [str(e) for e in result.errors]
    unpaged = tmp_path / "unpaged"
    shutil.copytree(DATA / "tags" / "project", unpaged)
    assert publish(load_config(unpaged / "config.yaml"), now=NOW_DT).ok
    page = etree.fromstring((root / "public" / "podcast-archive-1.xml").read_bytes())
    whole = etree.fromstring((unpaged / "public" / "podcast.xml").read_bytes())
    [item] = page.find("channel").findall("item")
    same = next(i for i in whole.find("channel").iterfind("item")
                if i.findtext("guid") == item.findtext("guid"))
    def parts(elem) -> list:
        return [(e.tag, (e.text or "").strip(), sorted(e.attrib.items())) for e in elem.iter()]

    assert parts(item) == parts(same)  # the item as the whole feed has it
    assert len(parts(item)) > 10
    # every podcast: element of the page that the XSD declares validates, as in the main feed
    # (where the namespace's documents and the XSD disagree, the documents win: see there)
    from test_podcast_tags import DOCUMENTED_NOT_IN_XSD, OPTIONAL_IN_DOCS

    schema = etree.XMLSchema(etree.parse(str(XSD)))
    xs = "{http://www.w3.org/2001/XMLSchema}"
    declared = {e.get("name") for e in etree.parse(str(XSD)).iterfind(
        f"{xs}element/{xs}complexType/{xs}choice/{xs}element")}
    checked = set()
    for elem in page.iter(f"{{{P}}}*"):
        name = etree.QName(elem).localname
        if name not in declared:
            continue
        plain = copy.deepcopy(elem)
        for e in plain.iter():
            e.tag = etree.QName(e).localname
        for attr in DOCUMENTED_NOT_IN_XSD.get(name, ()):
            plain.attrib.pop(attr, None)
        for attr, placeholder in OPTIONAL_IN_DOCS.get(name, {}).items():
            if plain.get(attr) is None:
                plain.set(attr, placeholder)
        etree.cleanup_namespaces(plain)
        wrapper = etree.Element("root")
        wrapper.append(plain)
        assert schema.validate(wrapper), (etree.tostring(elem), schema.error_log.last_error)
        checked.add(name)
    assert checked  # the episode's own tags are there to check
    assert page.find(f"channel/{{{P}}}trailer") is None  # the main feed's, with the rest


def test_an_edited_episode_rewrites_only_its_archive_page(base, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(base, root, symlinks=True)
    before = snapshot(root, FULL_PAGES)
    (root / "episodes" / "ep1.yaml").write_text(
        sidecar("Episode 1", "2026-03-02 08:00", audio_url="https://media.example.test/ep1.mp3",
                audio_length=1001, duration=61, summary="Retold."), encoding="utf-8")
    written = publish_cli(root)
    assert written & set(FULL_PAGES) == {"podcast-archive-1.xml", "podcast-archive-1.json"}
    assert b"Retold." in (root / "public" / "podcast-archive-1.xml").read_bytes()
    after = snapshot(root, FULL_PAGES)
    assert {k for k in FULL_PAGES if after[k] != before[k]} == {"podcast-archive-1.xml",
                                                                 "podcast-archive-1.json"}
    every_item_once(root)


@pytest.mark.parametrize("change, shown", [
    ({"title": "A Renamed Show"}, b"A Renamed Show"),
    ({"explicit": True}, b"<itunes:explicit>true</itunes:explicit>"),  # the items' default
])
def test_the_title_or_the_explicit_default_rewrites_every_podcast_archive_page(
        base, tmp_path, change, shown):
    """What a page does show of the show: a new title (or the explicit value its episodes
    take, stating none) rewrites each of its pages, which then say it."""
    root = tmp_path / "project"
    shutil.copytree(base, root, symlinks=True)
    (root / "config.yaml").write_text(config(change), encoding="utf-8")
    written = publish_cli(root)
    assert set(PODCAST_PAGES[:2]) <= written
    for key in PODCAST_PAGES[:2]:
        assert shown in (root / "public" / key).read_bytes(), key
    assert not written & set(BLOG_PAGES)
    every_item_once(root)
