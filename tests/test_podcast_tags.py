"""Podcast Index tags (issue 15): a project that uses every tag (tests/data/tags/project) is
published, and its feed is read back by lxml, the namespace's own XSD, feedparser and
podcastparser; wrong values in config.yaml or a sidecar are one error naming file:line and what
is allowed; any value given to a sidecar's tag keys is read or refused, never a traceback."""

from __future__ import annotations

import copy
import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path

import feedparser
import podcastparser
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import BASE_CONFIG, DATA, SHARED
from syndicate.collect.episodes import read_sidecar
from syndicate.config import load_config
from syndicate.errors import CollectError, ConfigError
from syndicate.podcast_tags import MEDIUMS, SOCIAL_PROTOCOLS
from syndicate.publish import publish

PROJECT = DATA / "tags" / "project"
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
P = "https://podcastindex.org/namespace/1.0"
I = "http://www.itunes.com/dtds/podcast-1.0.dtd"  # noqa: E741
NS = {"podcast": P, "itunes": I}
XSD = SHARED / "podcast-namespace" / "podcast.xsd"


def _copy(tmp: Path) -> Path:
    root = tmp / "project"
    shutil.copytree(PROJECT, root)
    return root


@pytest.fixture(scope="module")
def feed(tmp_path_factory) -> bytes:
    root = _copy(tmp_path_factory.mktemp("tags"))
    result = publish(load_config(root / "config.yaml"), now=NOW)
    assert result.ok, [str(e) for e in result.errors]
    return (root / "public" / "podcast.xml").read_bytes()


def _channel(feed: bytes):
    return etree.fromstring(feed).find("channel")


def _sidecars() -> dict[str, dict]:
    return {p.name: yaml.safe_load(p.read_text()) for p in (PROJECT / "episodes").glob("*.yaml")}


def test_every_channel_tag_of_the_config_is_published(feed):
    cfg = yaml.safe_load((PROJECT / "config.yaml").read_text())["podcast"]
    ch = _channel(feed)
    persons = ch.findall("podcast:person", NS)
    assert [p.text for p in persons] == [p if isinstance(p, str) else p["name"]
                                         for p in cfg["persons"]]
    co = persons[1]
    assert {k: co.get(k) for k in ("role", "group", "img", "href")} == {
        k: cfg["persons"][1][k] for k in ("role", "group", "img", "href")}
    loc = ch.find("podcast:location", NS)
    assert (loc.text, loc.get("geo"), loc.get("osm")) == (
        cfg["location"]["name"], cfg["location"]["geo"], cfg["location"]["osm"])
    assert ch.find("podcast:license", NS).get("url") == cfg["license"]["url"]
    assert ch.findtext("podcast:medium", namespaces=NS) == cfg["medium"]
    txts = {t.get("purpose"): t.text for t in ch.findall("podcast:txt", NS)}
    assert txts["verify"] == cfg["txt"][0]["text"] and txts[None] == cfg["txt"][1]
    blocks = {b.get("id"): b.text for b in ch.findall("podcast:block", NS)}
    assert blocks == {"google": "yes", "spotify": "no"}
    assert ch.find("itunes:block", NS) is None and ch.find("itunes:complete", NS) is None
    uf = ch.find("podcast:updateFrequency", NS)
    assert (uf.text, uf.get("rrule"), uf.get("dtstart")) == (
        "Every Monday", "FREQ=WEEKLY;BYDAY=MO", "2026-01-05")
    pub = ch.find("podcast:publisher/podcast:remoteItem", NS)
    assert pub.get("medium") == "publisher"
    assert pub.get("feedGuid") == cfg["publisher"]["feed_guid"]
    roll = ch.findall("podcast:podroll/podcast:remoteItem", NS)
    assert [r.get("feedGuid") for r in roll] == [r["feed_guid"] for r in cfg["podroll"]]
    assert ch.find("podcast:socialInteract", NS).get("accountId") == "@tags@social.example"
    assert ch.find("podcast:chat", NS).get("space") == "#tags"
    img = ch.find("podcast:image", NS)
    assert (img.get("aspect-ratio"), img.get("purpose")) == ("1/1", "artwork social")
    recipients = ch.findall("podcast:value/podcast:valueRecipient", NS)
    assert [(r.get("split"), r.get("fee")) for r in recipients] == [("90", "false"),
                                                                     ("10", "true")]
    assert ch.find("podcast:podping", NS).get("usesPodping") == "true"


def test_a_trailer_episode_is_the_channels_podcast_trailer(feed):
    ch = _channel(feed)
    trailers = ch.findall("podcast:trailer", NS)
    assert len(trailers) == 1
    t = trailers[0]
    item = next(i for i in ch.iterfind("item")
                if i.findtext("itunes:episodeType", namespaces=NS) == "trailer")
    enc = item.find("enclosure")
    assert t.text == item.findtext("title") == _sidecars()["00-trailer.yaml"]["title"]
    assert (t.get("url"), t.get("length"), t.get("type")) == (
        enc.get("url"), enc.get("length"), enc.get("type"))
    assert t.get("pubdate") == item.findtext("pubDate")
    assert t.get("season") == "1"


def test_every_item_tag_of_the_sidecar_is_published(feed):
    side = _sidecars()["01-guest.yaml"]
    item = next(i for i in _channel(feed).iterfind("item")
                if i.findtext("title") == side["title"])
    # an episode's persons replace the show's: the host is stated again
    assert [p.text for p in item.findall("podcast:person", NS)] == ["Tag Author", "A Guest"]
    assert item.findtext("podcast:location", namespaces=NS) == side["location"]
    assert item.findtext("podcast:license", namespaces=NS) == side["license"]
    bites = item.findall("podcast:soundbite", NS)
    assert [(b.get("startTime"), b.get("duration"), b.text) for b in bites] == [
        ("2", "5", "The best bit"), ("8.5", "3", None)]
    duration = float(item.findtext("itunes:duration", namespaces=NS))
    assert all(float(b.get("startTime")) + float(b.get("duration")) <= duration for b in bites)
    assert item.find("podcast:txt", NS).get("purpose") == "ai-content"
    link = item.find("podcast:contentLink", NS)
    assert (link.get("href"), link.text) == (side["content_links"][0]["href"], "Watch it")
    splits = [(r.get("name"), r.get("split"))
              for r in item.findall("podcast:value/podcast:valueRecipient", NS)]
    assert splits == [("Host", "50"), ("A Guest", "50")]


def test_feedparser_and_podcastparser_keep_every_item(feed):
    items = _channel(feed).findall("item")
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(items) == 2
    pod = podcastparser.parse("https://tags.example/podcast.xml", io.BytesIO(feed))
    assert len(pod["episodes"]) == 2
    assert {e["title"] for e in pod["episodes"]} == {i.findtext("title") for i in items}
    assert all(e["enclosures"] for e in pod["episodes"])


# Where the XSD and the namespace's documents disagree, the documents are followed:
# - location's rel and country are in docs/tags/location.md, not in the XSD: dropped before
#   validating;
# - season's name is optional in docs/tags/season.md but required by the XSD: a name is put
#   on a copy before validating (we write none unless the author gives one);
# - valueRecipient's fee defaults to true in the XSD, to false in value-recipient.md: we
#   always write it (asserted in test_every_channel_tag_of_the_config_is_published).
DOCUMENTED_NOT_IN_XSD = {"location": ("rel", "country")}
OPTIONAL_IN_DOCS = {"season": {"name": "Season"}}


@pytest.mark.skipif(not XSD.exists(), reason="../shared/podcast-namespace is absent")
def test_every_podcast_element_the_xsd_declares_validates(feed):
    """The XSD (no target namespace) declares some of the namespace's elements inside its own
    <root>: each element of ours it declares is copied there, without the prefix, and the
    wrapper validated (see DOCUMENTED_NOT_IN_XSD for where the documents win)."""
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    declared = {e.get("name") for e in etree.parse(str(XSD)).iterfind(
        "{http://www.w3.org/2001/XMLSchema}element/{http://www.w3.org/2001/XMLSchema}"
        "complexType/{http://www.w3.org/2001/XMLSchema}choice/"
        "{http://www.w3.org/2001/XMLSchema}element")}
    assert {"person", "location", "soundbite", "value", "funding", "locked"} <= declared
    ours = [e for e in etree.fromstring(feed).iter(f"{{{P}}}*")
            if etree.QName(e).localname in declared]
    checked = set()
    for elem in ours:
        name = etree.QName(elem).localname
        plain = copy.deepcopy(elem)
        for e in plain.iter():
            e.tag = etree.QName(e).localname
        for attr in DOCUMENTED_NOT_IN_XSD.get(name, ()):
            plain.attrib.pop(attr, None)
        for attr, placeholder in OPTIONAL_IN_DOCS.get(name, {}).items():
            if plain.get(attr) is None:
                plain.set(attr, placeholder)
        etree.cleanup_namespaces(plain)
        root = etree.Element("root")
        root.append(plain)
        assert schema.validate(root), (etree.tostring(elem), schema.error_log.last_error)
        checked.add(name)
    assert {"person", "location", "soundbite", "value", "funding", "locked",
            "season", "episode"} <= checked


def _tags_config(**changes) -> str:
    cfg = yaml.safe_load((PROJECT / "config.yaml").read_text())
    cfg["podcast"].update(changes)
    return yaml.safe_dump(cfg, sort_keys=False)


def _config_error(tmp_path: Path, text: str) -> str:
    root = _copy(tmp_path)
    (root / "config.yaml").write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_config(root / "config.yaml")
    return str(exc.value)


def test_an_unknown_medium_names_its_line_and_the_allowed_values(tmp_path):
    text = _tags_config(medium="radio")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("  medium:"))
    msg = _config_error(tmp_path, text)
    assert f"config.yaml:{line}: 'podcast.medium'" in msg and "'radio'" in msg
    assert all(m in msg for m in MEDIUMS)


@pytest.mark.parametrize("key,value,words", [
    ("title", "T" * 256, "255 characters"),
    ("description", "é" * 2001, "4000 bytes"),
    ("update_frequency", {"text": "x", "rrule": "FREQ=SOMETIMES"}, "FREQ one of"),
    ("update_frequency", {"text": "x", "rrule": "FREQ=DAILY;COUNT=3"}, "dtstart"),
    ("persons", [{"name": "N" * 129}], "128 characters"),
    ("podroll", [{"feed_guid": "not-a-guid"}], "UUID"),
    ("block_services", [{"id": "Spotify!"}], "service slug"),
])
def test_a_channel_tag_out_of_bounds_is_one_error_naming_its_key(tmp_path, key, value, words):
    msg = _config_error(tmp_path, _tags_config(**{key: value}))
    assert f"'podcast.{key}" in msg and words in msg and "Traceback" not in msg


def test_a_soundbite_past_the_audios_end_names_the_sidecar_and_line(tmp_path):
    root = _copy(tmp_path)
    side = root / "episodes" / "01-guest.yaml"
    side.write_text(side.read_text().replace('duration: "0:05"', 'duration: "0:15"'))
    result = publish(load_config(root / "config.yaml"), now=NOW)
    errors = [str(e) for e in result.errors]
    line = next(i for i, t in enumerate(side.read_text().splitlines(), 1)
                if t.startswith("soundbites:"))
    assert any(e.startswith(f"episodes/01-guest.yaml:{line}:") and "soundbites[0]" in e
               and "past the audio's end" in e for e in errors), errors
    # the episode is held back; the feed never carries the bad soundbite
    feed = (root / "public" / "podcast.xml").read_bytes()
    assert b'duration="15"' not in feed


def test_apples_limits_on_an_episodes_texts_are_warned_with_the_line(tmp_path):
    folder = tmp_path / "episodes"
    folder.mkdir()
    shutil.copy(PROJECT / "episodes" / "01-guest.mp3", folder / "ep.mp3")
    (folder / "ep.yaml").write_text(f"date: 2026-01-01\ntitle: {'t' * 256}\n"
                                    f"notes: {'n' * 4001}\n")
    warnings: list[str] = []
    read_sidecar(folder / "ep.yaml", "episodes/ep.yaml", "UTC", warnings)
    assert any(w.startswith("episodes/ep.yaml:2: 'title'") and "255" in w for w in warnings)
    assert any(w.startswith("episodes/ep.yaml:3: 'notes'") and "4000" in w for w in warnings)


def test_a_bare_config_publishes_no_new_tag(make_project):
    proj = make_project(config=BASE_CONFIG)
    settings_ = load_config(proj.root / "config.yaml")
    assert publish(settings_, now=NOW).ok
    ch = _channel(proj.read("podcast.xml"))
    tags = {etree.QName(e).localname for e in ch if etree.QName(e).namespace == P}
    assert tags == {"guid", "locked"}


# -- any value given to a sidecar's tag keys ------------------------------------------------

TMP = Path(tempfile.mkdtemp(prefix="tag-sidecars-"))
shutil.copy(PROJECT / "episodes" / "01-guest.mp3", TMP / "ep.mp3")
KEYS = ["persons", "location", "license", "soundbites", "txt", "content_links",
        "social_interact", "images", "value"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True), st.text(max_size=200),
                    st.sampled_from(["geo:1,2", "R1", "https://a.example/x", "0:05", "1:00:00",
                                     "node", "keysend", "lightning", *SOCIAL_PROTOCOLS]))
FIELDS = ["name", "role", "group", "img", "href", "geo", "osm", "rel", "country", "url",
          "start", "duration", "title", "text", "purpose", "protocol", "uri", "type",
          "method", "recipients", "address", "split", "fee", "width", "alt", "x"]
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5)), max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(tags=st.dictionaries(st.sampled_from(KEYS), values, min_size=1, max_size=4))
def test_any_value_of_a_tag_key_is_read_or_one_error_naming_the_sidecar(tags):
    data = {"title": "T", "date": "2026-10-01", **tags}
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return
    (TMP / "ep.yaml").write_text(text, encoding="utf-8")
    try:
        src = read_sidecar(TMP / "ep.yaml", "episodes/ep.yaml", "UTC", [], TMP)
    except CollectError as exc:
        msg = str(exc)
        assert msg.startswith("episodes/ep.yaml:") and "\n" not in msg
        assert "Traceback" not in msg and "pydantic" not in msg.lower()
        return
    # read: what the feed will carry is plain data and keeps each entry given
    from syndicate.collect.episodes import item_tags

    out = item_tags(src.meta, 0.0)
    for key in ("persons", "soundbites", "txt", "content_links"):
        given_ = tags.get(key)
        if given_:
            assert len(out[key]) == (len(given_) if isinstance(given_, list) else 1)


# -- what we publish, we import ---------------------------------------------------------------

def _item_tags(feed: bytes) -> dict[str, list]:
    """Each item's Podcast Index tags (but season and episode), by guid, as comparable data."""
    out = {}
    for item in _channel(feed).iterfind("item"):
        tags = []
        for el in item.iter(f"{{{P}}}*"):
            if etree.QName(el).localname in ("season", "episode"):
                continue
            tags.append((etree.QName(el).localname, sorted(el.attrib.items()),
                         (el.text or "").strip()))
        out[item.findtext("guid")] = tags
    return out


def test_a_published_feed_imported_into_an_empty_project_publishes_the_same_tags(
        feed, make_project, tmp_path):
    source = tmp_path / "podcast.xml"
    source.write_bytes(feed)
    proj = make_project(config=BASE_CONFIG.replace("owner@example.test", "owner@tags.example"))
    result = proj.run("import", str(source), "--audio", "keep-url",
                      "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    cars = {yaml.safe_load(p.read_text())["title"]: yaml.safe_load(p.read_text())
            for p in (proj.root / "episodes").glob("*.yaml")}
    guest = cars["With a guest"]
    assert guest["license"] == {"name": "cc-by-4.0"}
    assert guest["txt"] == [{"text": "true", "purpose": "ai-content"}]
    assert [p["name"] for p in guest["persons"]] == ["Tag Author", "A Guest"]
    assert cars["Coming soon"]["type"] == "trailer"
    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    again = proj.read("podcast.xml")
    assert _item_tags(again) == _item_tags(feed)
    assert any(_item_tags(feed).values())  # (something was compared)
    trailer = _channel(again).find("podcast:trailer", NS)
    before = _channel(feed).find("podcast:trailer", NS)
    assert (trailer.text, trailer.get("url"), trailer.get("length"), trailer.get("pubdate")) == (
        before.text, before.get("url"), before.get("length"), before.get("pubdate"))


ATTRS = ["role", "group", "img", "href", "geo", "osm", "rel", "country", "url", "startTime",
         "duration", "purpose", "protocol", "uri", "accountId", "priority", "type", "method",
         "suggested", "name", "address", "split", "fee"]
attr_values = st.one_of(st.text(max_size=60), st.sampled_from(
    ["guest", "https://a.example/", "geo:1,2", "R12", "creator", "US", "12.5", "-3", "0",
     "activitypub", "node", "lightning", "keysend", "true", "50",
     "\u00b2", "\u0663", "\u2460", "1\u00b2"]))  # digits int() does not read (and one it does)
elements = st.tuples(
    st.sampled_from(["person", "location", "license", "soundbite", "txt", "contentLink",
                     "socialInteract", "value"]),
    st.dictionaries(st.sampled_from(ATTRS), attr_values, max_size=5),
    st.text(max_size=150),
    st.lists(st.dictionaries(st.sampled_from(ATTRS), attr_values, max_size=5), max_size=3))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(elements, max_size=6))
@example([("socialInteract", {"role": "", "priority": "\u00b2"}, "", [])])  # (was a traceback)
@example([("value", {}, "", [{"split": "\u00b2"}])])
def test_any_podcast_tag_of_an_imported_item_is_kept_valid_or_dropped_saying_why(found):
    from syndicate.importer.podtags import read_tags
    from syndicate.model import EpisodeMeta

    item = etree.Element("item")
    for local, attrs, text, children in found:
        el = etree.SubElement(item, f"{{{P}}}{local}")
        for k, v in attrs.items():
            clean = "".join(c for c in v if c.isprintable())
            el.set(k, clean)
        el.text = "".join(c for c in text if c.isprintable() or c == "\n")
        for child in children:
            sub = etree.SubElement(el, f"{{{P}}}valueRecipient")
            for k, v in child.items():
                sub.set(k, "".join(c for c in v if c.isprintable()))
    keys, kept, dropped = read_tags(item)
    # what is kept reads as a sidecar: the import never writes one that fails
    EpisodeMeta.model_validate({"title": "T", **keys})
    # every tag is accounted for: kept (its entries in the keys) or dropped saying why
    entries = sum(len(v) if isinstance(v, list) else 1 for v in keys.values())
    assert entries + len(dropped) == len(found)
    assert all(d["why"] and d["field"].startswith("podcast:") for d in dropped)
    assert set(kept) <= {f"podcast:{local}" for local, *_ in found}


REAL = SHARED / "feeds" / "podcast"
REAL_WITH_TAGS = ["pcns__example.xml", "partytime__pc20rss.xml", "partytime__homegrown-hits.xml"]
COUNTED = {"person": "persons", "soundbite": "soundbites", "txt": "txt",
           "contentLink": "content_links", "location": "location", "license": "license"}


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/feeds is absent")
@pytest.mark.parametrize("name", REAL_WITH_TAGS)
def test_a_real_feeds_item_tags_are_imported_or_reported_and_published(make_project, name):
    source = REAL / name
    if not source.exists():
        pytest.skip(f"{name} is not in ../shared/feeds")
    root = etree.parse(str(source), etree.XMLParser(resolve_entities=False)).getroot()
    lock = root.find("channel/podcast:locked", NS)
    owner = ((lock.get("owner") if lock is not None else None)
             or root.findtext("channel/itunes:owner/itunes:email", namespaces=NS)
             or "owner@example.test").strip()
    proj = make_project(config=BASE_CONFIG.replace("owner@example.test", owner))
    result = proj.run("import", str(source), "--audio", "keep-url", "--json",
                      "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output[-2000:]
    import json

    report = {e["guid"]: e for e in json.loads(result.output)["created"]}
    cars = {}
    for p in (proj.root / "episodes").glob("*.yaml"):
        car = yaml.safe_load(p.read_text())
        cars[car["guid"]] = car
    seen = 0
    for item in root.iterfind("channel/item"):
        guid = item.findtext("guid")
        if guid not in report:
            continue
        for local, key in COUNTED.items():
            given_ = sum(1 for el in item if isinstance(el.tag, str)
                         and "podcastindex" in (etree.QName(el).namespace or "").lower()
                         and etree.QName(el).localname == local)
            kept = cars[guid].get(key, [])
            kept = kept if isinstance(kept, list) else [kept]
            dropped = [d for d in report[guid]["dropped"] if d["field"] == f"podcast:{local}"]
            assert len(kept) + len(dropped) == given_, (guid, local, dropped)
            seen += given_
    assert seen  # the feed has such tags
    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    ours = _channel(proj.read("podcast.xml"))
    for item in ours.iterfind("item"):
        car = cars[item.findtext("guid")]
        assert len(item.findall("podcast:person", NS)) == len(car.get("persons", []))
        assert len(item.findall("podcast:soundbite", NS)) == len(car.get("soundbites", []))


def test_a_show_that_ended_moved_or_is_blocked_says_so_in_apples_and_the_index_tags(tmp_path):
    root = _copy(tmp_path)
    (root / "config.yaml").write_text(_tags_config(
        block=True, complete=True, new_feed_url="https://new-host.example/show.xml"))
    assert publish(load_config(root / "config.yaml"), now=NOW).ok
    feed = (root / "public" / "podcast.xml").read_bytes()
    ch = _channel(feed)
    assert ch.findtext("itunes:block", namespaces=NS) == "Yes"
    assert ch.findtext("itunes:complete", namespaces=NS) == "Yes"
    assert ch.findtext("itunes:new-feed-url", namespaces=NS) == "https://new-host.example/show.xml"
    blocks = [(b.get("id"), b.text) for b in ch.findall("podcast:block", NS)]
    assert (None, "yes") in blocks  # every directory, beside the per-service ones
    # the moved feed keeps serving its episodes until apps have moved
    assert len(feedparser.parse(feed).entries) == 2
    pod = podcastparser.parse("https://tags.example/podcast.xml", io.BytesIO(feed))
    assert pod.get("new_url") == "https://new-host.example/show.xml"


CHANNEL_ROUND_TRIP = ("person", "location", "license", "txt", "socialInteract", "value",
                      "medium", "updateFrequency", "podroll", "chat", "image", "publisher",
                      "podping", "block")


def _channel_tags(feed: bytes, names=CHANNEL_ROUND_TRIP) -> list:
    out = []
    for el in _channel(feed):
        if etree.QName(el).namespace == P and etree.QName(el).localname in names:
            out.append(_plain(el))
    return sorted(out, key=repr)


def _plain(el) -> tuple:
    return (etree.QName(el).localname, sorted(el.attrib.items()), (el.text or "").strip(),
            [_plain(c) for c in el])


def test_the_channels_tags_are_given_back_as_the_config_keys_that_publish_them(
        feed, make_project, tmp_path):
    import json

    source = tmp_path / "podcast.xml"
    source.write_bytes(feed)
    proj = make_project(config=BASE_CONFIG.replace("owner@example.test", "owner@tags.example"))
    result = proj.run("import", str(source), "--audio", "keep-url", "--json",
                      "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    channel = json.loads(result.output)["channel"]
    given_back = {k: v for c in channel for k, v in c.get("config", {}).items()}
    assert {f"podcast.{k}" for k in ("persons", "location", "license", "txt", "value", "medium",
                                     "update_frequency", "podroll", "chat", "images",
                                     "social_interact", "publisher", "podping",
                                     "block_services")} == set(given_back)
    # each also in the human report's reason, as a line to copy
    why = {c["field"]: c["why"] for c in channel}
    assert "medium: podcast" in why["podcast:medium"]
    cfg = yaml.safe_load((proj.root / "config.yaml").read_text())
    for key, value in given_back.items():
        cfg["podcast"][key.removeprefix("podcast.")] = value
    (proj.root / "config.yaml").write_text(yaml.safe_dump(cfg))
    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    assert _channel_tags(proj.read("podcast.xml")) == _channel_tags(feed)
    assert len(_channel_tags(feed)) >= len(CHANNEL_ROUND_TRIP)


def test_an_imported_trailer_episode_is_not_reported_as_a_trailer_left_behind(
        feed, make_project, tmp_path):
    import json

    source = tmp_path / "podcast.xml"
    source.write_bytes(feed)
    proj = make_project(config=BASE_CONFIG.replace("owner@example.test", "owner@tags.example"))
    result = proj.run("import", str(source), "--audio", "keep-url", "--json",
                      "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    fields = {c["field"] for c in json.loads(result.output)["channel"]}
    assert "podcast:trailer" not in fields
    # a trailer that is none of the feed's episodes is still reported, saying how to publish it
    ch = _channel(feed)
    ch.find("podcast:trailer", NS).set("url", "https://elsewhere.example/promo.mp3")
    source.write_bytes(etree.tostring(ch.getparent()))
    shutil.rmtree(proj.root)
    again = make_project(config=BASE_CONFIG.replace("owner@example.test", "owner@tags.example"))
    result = again.run("import", str(source), "--audio", "keep-url", "--json",
                       "--config", str(again.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    why = {c["field"]: c["why"] for c in json.loads(result.output)["channel"]}
    assert "type: trailer" in why["podcast:trailer"] and "promo.mp3" in why["podcast:trailer"]


@pytest.mark.parametrize("new_url,refused", [
    ("{site}podcast.xml", True),
    ("{loud}podcast.xml", True),
    ("{site}podcast.xml?x=1", True),
    ("{site}/podcast.xml", True),  # '//podcast.xml'
    ("{port}podcast.xml", True),  # ':443'
    ("{site}feed.xml", True),  # the blog's feed
    ("{site}", True),  # the home page
    ("{site}podcast.json", True),
    ("{site}podcast-archive-1.xml", True),
    ("https://new-host.example/podcast.xml", False),
    ("{other}podcast.xml", False),  # another host that only begins alike
])
def test_a_new_feed_url_naming_the_feed_itself_is_an_error_with_its_line(
        make_project, new_url, refused):
    cfg = yaml.safe_load(BASE_CONFIG)
    site = cfg["site"]["url"].rstrip("/") + "/"
    host = site.split("/")[2]
    cfg["podcast"]["new_feed_url"] = new_url.format(
        site=site, loud=site.upper().replace("HTTPS", "http"),
        port=site.replace(host, host + ":443"), other=site.replace(host, host + ".moved.example"))
    text = yaml.safe_dump(cfg, sort_keys=False)
    proj = make_project(config=text)
    result = proj.run("publish")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "new_feed_url:" in t)
    said = f"config.yaml:{line}: 'podcast.new_feed_url'" in result.output
    assert said is refused and "Traceback" not in result.output, result.output
    if refused:
        assert result.exit_code != 0 and "an address of this site" in result.output


@pytest.mark.parametrize("license,refused", [
    ({"name": "foo"}, True),
    ("totally-made-up", True),
    ("cc-by-4.0", False),
    ("CC-BY-NC-ND-4.0", False),
    ({"name": "foo", "url": "https://example.org/foo-licence"}, False),
])
def test_a_custom_licence_without_its_url_is_an_error_naming_its_line(
        make_project, license, refused):
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["podcast"]["license"] = license
    text = yaml.safe_dump(cfg, sort_keys=False)
    proj = make_project(config=text)
    result = proj.run("publish")
    assert "Traceback" not in result.output, result.output
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("  license:"))
    if refused:
        assert result.exit_code != 0, result.output
        assert f"config.yaml:{line}: 'podcast.license'" in result.output, result.output
        assert "needs its url" in result.output
    else:
        assert result.exit_code == 0, result.output
        lic = _channel(proj.read("podcast.xml")).find("podcast:license", NS)
        assert lic.text == (license if isinstance(license, str) else license["name"])
