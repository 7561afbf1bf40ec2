"""An old show's item whose audio is only in podcast:alternateEnclosure (no audio <enclosure>)
is imported as an episode with that audio, never as a blog post (hostile finding h14 U9);
reports name tags as the feed writes them, never by a parser's internal keys."""

from __future__ import annotations

import io
import json
import re

import podcastparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, bare_settings
from syndicate.mediatypes import TYPES

PODCAST_NS = 'xmlns:podcast="https://podcastindex.org/namespace/1.0"'
ITUNES_NS = 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'


def _feed(items: str, itunes_owner: bool = True) -> str:
    owner = ("<itunes:owner><itunes:email>owner@example.test</itunes:email></itunes:owner>"
             if itunes_owner else "")
    return (f'<?xml version="1.0"?><rss version="2.0" {ITUNES_NS} {PODCAST_NS}><channel>'
            "<title>Old Show</title><link>https://old.example/</link><description>d</description>"
            f"{owner}{items}</channel></rss>")


def _alt_item(n: int, kind: str, length: int, bitrate: int, default: bool, ext: str) -> str:
    flag = ' default="true"' if default else ""
    return (f"<item><title>Alt {n}</title><guid isPermaLink=\"false\">ALT-{n}</guid>"
            f"<pubDate>Mon, 0{n} Jun 2025 06:00:00 +0000</pubDate>"
            f'<podcast:alternateEnclosure type="video/mp4" length="9"><podcast:source '
            f'uri="https://old.example/{n}.mp4"/></podcast:alternateEnclosure>'
            f'<podcast:alternateEnclosure type="{kind}" length="{length}" bitrate="{bitrate}"'
            f'{flag}><podcast:source uri="https://old.example/{n}.{ext}"/>'
            "</podcast:alternateEnclosure><description>ep</description></item>")


def _import(proj, source, *extra):
    return proj.run("import", str(source), *extra, "--config", str(proj.root / "config.yaml"))


@pytest.mark.parametrize("owner", [True, False])
@pytest.mark.parametrize("default", [True, False])
def test_audio_only_in_an_alternate_enclosure_is_imported_as_an_episode(
        make_project, tmp_path, owner, default):
    variants = [(1, "audio/mpeg", 5000, 128000, "mp3"), (2, "audio/mp4", 7000, 64000, "m4a")]
    src = tmp_path / "alt.xml"
    src.write_text(_feed("".join(_alt_item(*v[:4], default, v[4]) for v in variants), owner))
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, src, "--audio", "keep-url", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    created = {e["title"]: e for e in report["created"]}
    assert set(created) == {"Alt 1", "Alt 2"}
    for n, kind, length, bitrate, ext in variants:
        entry = created[f"Alt {n}"]
        assert entry["file"].startswith("episodes/"), entry
        assert entry["audio_url"] == f"https://old.example/{n}.{ext}"
        said = json.dumps(entry["changed"])
        assert "podcast:alternateEnclosure" in said and str(length) in said \
            and str(bitrate) in said and kind in said
    assert not re.search(r'"field": "(podcast|itunes)_', result.output), result.output
    assert proj.run("publish").exit_code == 0
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    got = {e["title"]: e["enclosures"][0] for e in feed["episodes"]}
    for n, _kind, length, _bitrate, ext in variants:
        assert got[f"Alt {n}"]["url"] == f"https://old.example/{n}.{ext}"
        assert got[f"Alt {n}"]["file_size"] == length
        assert got[f"Alt {n}"]["mime_type"] == TYPES[f".{ext}"]  # (the type syndicate serves)


def test_a_blog_posts_dropped_tags_are_named_as_the_feed_writes_them(make_project, tmp_path):
    src = tmp_path / "blog.xml"
    src.write_text(f'<?xml version="1.0"?><rss version="2.0" {PODCAST_NS}><channel>'
                   "<title>Blog</title><link>https://old.example/</link><description>d"
                   "</description><item><title>Post</title><guid>P-1</guid>"
                   "<pubDate>Mon, 02 Jun 2025 06:00:00 +0000</pubDate>"
                   '<podcast:funding url="https://old.example/give">Give</podcast:funding>'
                   "<description>words</description></item></channel></rss>")
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, src, "--json")
    assert result.exit_code == 0, result.output
    fields = [d["field"] for e in json.loads(result.output)["created"] for d in e["dropped"]]
    assert "podcast:funding" in fields
    assert not [f for f in fields if re.match(r"(podcast|itunes)_", f)], fields


def test_an_mp3_alternate_is_taken_before_a_default_one_syndicate_cannot_publish(
        make_project, tmp_path):
    item = ("<item><title>Two</title><guid>T-2</guid>"
            "<pubDate>Mon, 02 Jun 2025 06:00:00 +0000</pubDate>"
            '<podcast:alternateEnclosure type="audio/opus" length="300" default="true">'
            '<podcast:source uri="https://old.example/2.opus"/></podcast:alternateEnclosure>'
            '<podcast:alternateEnclosure type="audio/mpeg" length="900">'
            '<podcast:source uri="https://old.example/2.mp3"/></podcast:alternateEnclosure>'
            "<description>ep</description></item>")
    src = tmp_path / "two.xml"
    src.write_text(_feed(item))
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, src, "--audio", "keep-url", "--json")
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)["created"]
    assert entry["audio_url"] == "https://old.example/2.mp3"
    dropped = [d for d in entry["dropped"] if d["field"] == "podcast:alternateEnclosure"]
    assert len(dropped) == 1  # the Opus one, named; the MP3 one is the audio


DEFAULT = ' default="true"'
_ALT = st.tuples(st.sampled_from(["audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/opus",
                                  "video/mp4", ""]),
                 st.sampled_from(["mp3", "m4a", "opus", "mp4"]),
                 st.booleans(), st.integers(1, 10**9))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(alts=st.lists(_ALT, max_size=4))
def test_any_set_of_alternates_gives_the_audio_the_rule_picks_or_no_episode(tmp_path_factory,
                                                                           alts):
    """Generated items with no <enclosure>: the episode's audio is the first MP3 or M4A
    alternate (a default one before others), or the item is no episode, said with its reason."""
    from syndicate.importer import read_source

    tmp = tmp_path_factory.mktemp("alts")
    parts = "".join(
        f'<podcast:alternateEnclosure type="{kind}" length="{length}"'
        f'{DEFAULT if default else ""}><podcast:source '
        f'uri="https://old.example/{n}.{ext}"/></podcast:alternateEnclosure>'
        for n, (kind, ext, default, length) in enumerate(alts))
    src = tmp / "feed.xml"
    src.write_text(_feed(f"<item><title>A</title><guid>G</guid>{parts}"
                         "<description>words</description></item>"))
    got = read_source(str(src), bare_settings(tmp))

    def ext_of(kind, ext):
        return {"audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/x-m4a": "m4a"}.get(kind) or (
            ext if kind in ("", ) or kind.startswith("audio/") else None)

    usable = [(n, a) for n, a in enumerate(alts) if ext_of(a[0], a[1]) in ("mp3", "m4a")]
    if not usable:
        assert not getattr(got, "episodes", [])  # never an episode without audio
        return
    n, (_kind, ext, _d, length) = sorted(usable, key=lambda u: not u[1][2])[0]
    (ep,) = got.episodes
    assert ep.audio_url == f"https://old.example/{n}.{ext}"
    assert ep.audio_length == length
    assert all(not d["field"].startswith(("podcast_", "itunes_")) for d in ep.dropped)
    named = [d for d in ep.dropped if d["field"] == "podcast:alternateEnclosure"]
    assert len(named) == len(alts) - 1  # every other alternate named, none lost
