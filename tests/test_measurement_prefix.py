"""The measurement prefix (``podcast.measurement_prefix``, issue 17): a counting redirect such as
OP3's put before every enclosure of the podcast feeds, never before a guid, a link or a page's
download link; taken away, the direct addresses come back. Everything is read from outside:
the feeds by feedparser and podcastparser (and lxml for the renditions and the trailer), the
JSON Feed as JSON, the episode pages as text."""

from __future__ import annotations

import json

import feedparser
import podcastparser
import pytest
from lxml import etree

from conftest import BASE_CONFIG, make_audio, sidecar, tone

P = "https://podcastindex.org/namespace/1.0"
OP3 = "https://op3.dev/e/"
PODTRAC = "https://dts.podtrac.com/redirect.mp3/"
LINE = "  explicit: false\n"  # the podcast section's last line in BASE_CONFIG


def _with(prefix: str | None, extra: str = "") -> str:
    config = BASE_CONFIG if prefix is None else \
        BASE_CONFIG.replace(LINE, LINE + f"  measurement_prefix: {prefix}\n")
    return config + extra


ALTERNATES = "audio:\n  alternates:\n    - codec: opus\n      bitrate: 48k\n"


def _feeds(proj) -> dict:
    """Each episode's guid and the addresses of its audio as the feeds and pages give them."""
    rss = proj.read("podcast.xml")
    parsed = feedparser.parse(rss)
    assert not parsed.bozo, parsed.bozo_exception
    pp = podcastparser.parse("https://example.test/podcast.xml", __import__("io").BytesIO(rss))
    root = etree.fromstring(rss)
    doc = json.loads(proj.read("podcast.json"))
    out = {}
    for entry, pp_ep, item in zip(parsed.entries, pp["episodes"], root.iter("item"),
                                  strict=True):
        guid = entry.id
        assert pp_ep["guid"] == guid
        (enc,) = entry.enclosures
        assert [e["url"] for e in pp_ep["enclosures"]] == [enc.href]
        alts = [s.get("uri") for s in item.iter(f"{{{P}}}source")]
        (attachments,) = [d["attachments"] for d in doc["items"] if d["id"] == guid]
        out[guid] = {"enclosure": enc.href, "alternates": alts, "link": entry.link,
                     "json": [a["url"] for a in attachments]}
    out["trailers"] = [t.get("url") for t in root.iter(f"{{{P}}}trailer")]
    return out


def _page_audio(proj, link: str) -> str:
    return proj.public(link.removeprefix("https://example.test/") + "index.html").read_text()


def _direct_only(url: str) -> str:
    assert url.startswith("https://example.test/media/"), url
    return url.removeprefix("https://")


@pytest.mark.parametrize("prefix", [OP3, PODTRAC])
def test_every_enclosure_carries_the_prefix_and_no_guid_changes(make_project, prefix):
    proj = make_project(config=_with(None, ALTERNATES))
    make_audio(proj.root / "episodes" / "one.wav", 3.0, rate=44100, channels=1)
    make_audio(proj.root / "episodes" / "two.wav", 2.0, rate=44100, channels=1)
    proj.write("episodes/one.yaml", sidecar("One", date="2026-10-01 08:00"))
    proj.write("episodes/two.yaml", sidecar("Two", date="2026-10-02 08:00", type="trailer"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    direct = _feeds(proj)
    assert len(direct) == 3 and direct["trailers"]

    proj.write("config.yaml", _with(prefix, ALTERNATES))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    measured = _feeds(proj)
    assert measured.keys() == direct.keys()  # the same guids
    for guid, d in direct.items():
        m = measured[guid]
        if guid == "trailers":
            assert m == [prefix + _direct_only(u) for u in d]
            continue
        assert len(d["alternates"]) == 2  # the MP3 and the Opus rendition
        assert m["enclosure"] == prefix + _direct_only(d["enclosure"])
        assert m["alternates"] == [prefix + _direct_only(u) for u in d["alternates"]]
        assert m["json"] == [prefix + _direct_only(u) for u in d["json"]]
        assert m["link"] == d["link"]  # the episode's page: no prefix
        page = _page_audio(proj, m["link"])
        assert d["enclosure"] in page and prefix not in page  # its player: the file itself

    proj.write("config.yaml", _with(None, ALTERNATES))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _feeds(proj) == direct  # direct addresses back, the same guids


@pytest.mark.parametrize("value", [
    "http://op3.dev/e/", "op3.dev/e/", "ftp://op3.dev/e/", "https://", "https:///e/",
    "https://user:KSEC7@op3.dev/e/", "https://op3.dev/e/?token=KSEC7", "https://op3.dev/e/#x",
    "https://op3.dev/e/?v=1", "https://op3.dev/ e/", "''"])
def test_a_wrong_measurement_prefix_is_refused_with_its_line(make_project, value):
    """https only, with a host, no credential, no query or fragment: anything else is the
    config's error naming the line (exit 2), never the credential, nothing published."""
    proj = make_project(config=_with(value))
    result = proj.run("publish")
    assert result.exit_code == 2, result.output
    line = _with(value).splitlines().index(f"  measurement_prefix: {value}") + 1
    assert f"config.yaml:{line}: 'podcast.measurement_prefix':" in result.output, result.output
    assert "KSEC7" not in result.output and "Traceback" not in result.output
    assert not (proj.root / "public").exists()


def test_a_prefix_without_its_last_slash_is_given_one(make_project):
    from syndicate.config import load_config

    proj = make_project(config=_with("https://op3.dev/e"))
    assert load_config(proj.root / "config.yaml").config.podcast.measurement_prefix == OP3


def test_check_asks_each_file_at_its_own_address_not_through_the_prefix(make_project,
                                                                        tmp_path):
    """`check` on a feed with a measurement prefix asks the files themselves (a check is no
    download; the service is not asked). The prefix here leads nowhere on this machine."""
    from test_check_served_as import _check

    proj = make_project({"episodes/one.mp3": tone(1.0), "episodes/one.yaml": sidecar("One")},
                        config=_with("https://127.0.0.1:9/e/") + "audio:\n  process: false\n")
    assert proj.run("publish").exit_code == 0
    assert b"https://127.0.0.1:9/e/example.test/media/" in proj.read("podcast.xml")
    result, _base, errors, log = _check(proj, tmp_path)
    assert result.exit_code == 0 and errors == [], result.output
    assert "127.0.0.1:9" not in result.output
    assert any(method == "HEAD" and path.startswith("/media/one-") for method, path in log), log
