"""Art, transcripts and chapters kept at their addresses, as audio is: a keep-url import writes
``image_url``, ``transcript_url`` (with its type and language) and ``chapters_url`` into the
sidecar, reports them kept, and the published podcast feed and episode page carry the source's
addresses. A sidecar may name them by hand too; each address is checked like ``audio_url``
(http(s) only, no credential in it). The channel's tags syndicate does not publish are
reported once, with the reason. Nothing is fetched: every address is under .example."""

from __future__ import annotations

import io
import json
import string

import feedparser
import podcastparser
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pydantic import ValidationError

from conftest import DATA, sidecar
from syndicate.mediatypes import TRANSCRIPT_TYPES
from syndicate.model import EpisodeMeta

FEED = DATA / "import" / "podcast-kept-urls.xml"
OLD = "https://old-host.example/allot/"
PODCAST = "https://podcastindex.org/namespace/1.0"


def _import(proj, *extra: str):
    return proj.run("import", str(FEED), "--audio", "keep-url", *extra,
                    "--config", str(proj.root / "config.yaml"))


def _sidecars(proj) -> dict[str, dict]:
    cars = (yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((proj.root / "episodes").glob("*.yaml")))
    return {car["guid"]: car for car in cars}


def test_a_keep_url_import_publishes_art_transcript_and_chapters_at_the_sources_addresses(
        make_project):
    proj = make_project({})
    result = _import(proj, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    cars = _sidecars(proj)
    one = cars["allot-1"]
    assert one["image_url"] == OLD + "art/1.jpg"  # relative in the feed: against its link
    # captions before SubRip, as a download chooses
    assert (one["transcript_url"], one["transcript_type"], one["transcript_language"]) == \
        (OLD + "1.vtt", "text/vtt", "en-GB")
    assert one["chapters_url"] == OLD + "1.json"
    assert "image" not in one and "transcript" not in one and "chapters" not in one
    entry = {e["guid"]: e for e in report["created"]}
    assert {"itunes:image", "podcast:transcript", "podcast:chapters"} <= \
        set(entry["allot-1"]["kept"])
    (other,) = entry["allot-1"]["dropped"]  # the SubRip one, naming the one kept
    assert other["field"] == "podcast:transcript" and OLD + "1.vtt" in other["why"]

    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    raw = proj.read("podcast.xml")
    ours = {e["guid"]: e for e in podcastparser.parse("x", io.BytesIO(raw))["episodes"]}
    assert ours["allot-1"]["episode_art_url"] == OLD + "art/1.jpg"
    assert sorted(ours) == ["allot-1", "allot-2", "allot-3"]
    # (podcastparser 0.6 reads the podcast: namespace under its old GitHub address only, so
    # the Podcast Index tags are read here with lxml)
    read = {e.id: e for e in feedparser.parse(raw).entries}
    assert read["allot-1"].image.href == OLD + "art/1.jpg"
    items = {i.findtext("guid"): i for i in etree.fromstring(raw).iter("item")}
    (tr,) = items["allot-1"].findall(f"{{{PODCAST}}}transcript")
    assert (tr.get("url"), tr.get("type"), tr.get("language"), tr.get("rel")) == \
        (OLD + "1.vtt", "text/vtt", "en-GB", "captions")
    (ch,) = items["allot-1"].findall(f"{{{PODCAST}}}chapters")
    assert (ch.get("url"), ch.get("type")) == (OLD + "1.json", "application/json+chapters")
    (tr3,) = items["allot-3"].findall(f"{{{PODCAST}}}transcript")
    assert (tr3.get("type"), tr3.get("language"), tr3.get("rel")) == ("text/plain", "cy", None)
    # (its neighbours' pages name it too: the page is the one whose heading it is)
    (page,) = [t for p in proj.public("episodes").glob("*/index.html")
               if "<h1 dir=\"auto\">Digging In" in (t := p.read_text(encoding="utf-8"))]
    for url in (OLD + "art/1.jpg", OLD + "1.vtt", OLD + "1.json", OLD + "1.mp3"):
        assert f'"{url}"' in page, url


def test_an_address_with_a_credential_or_art_of_another_format_stays_dropped_saying_why(
        make_project):
    proj = make_project({})
    result = _import(proj, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    entry = {e["guid"]: e for e in report["created"]}
    why = {d["field"]: d["why"] for d in entry["allot-2"]["dropped"]}
    assert "credential" in why["itunes:image"] and "'token'" in why["itunes:image"]
    assert "credential" in why["podcast:chapters"] and "user name or password" in \
        why["podcast:chapters"]
    assert "podcast:transcript" in entry["allot-2"]["kept"]  # SubRip, as its served type
    two = _sidecars(proj)["allot-2"]
    assert two["transcript_type"] == "application/x-subrip"
    assert "image_url" not in two and "chapters_url" not in two
    three = {d["field"]: d["why"] for d in entry["allot-3"]["dropped"]}
    assert "JPEG or PNG" in three["itunes:image"] and OLD + "3.gif" in three["itunes:image"]
    published = proj.run("publish")
    assert published.exit_code == 0, published.output[-2000:]
    raw = proj.read("podcast.xml").decode()
    assert "s3cr3t" not in raw and "hunter2" not in raw
    for page in proj.public("episodes").glob("*/index.html"):
        assert "s3cr3t" not in page.read_text() and "hunter2" not in page.read_text()


def test_the_channels_tags_syndicate_cannot_publish_are_reported_once_with_the_reason(
        make_project):
    proj = make_project({})
    result = _import(proj, "--json")
    assert result.exit_code == 0, result.output
    channel = json.loads(result.output)["channel"]
    fields = [c["field"] for c in channel]
    assert len(fields) == len(set(fields))  # each once, however often the feed has it
    assert set(fields) == {"itunes:block", "itunes:complete", "itunes:new-feed-url",
                           "podcast:funding", "podcast:person", "podcast:value",
                           "podcast:medium"}
    why = {c["field"]: c["why"] for c in channel}
    # both links, to be copied into config.yaml
    assert "podcast.funding" in why["podcast:funding"]
    assert "https://tips.example/allot" in why["podcast:funding"]
    assert "https://patrons.example/allot" in why["podcast:funding"]
    # what syndicate publishes from config.yaml is given as the key to write there
    assert "podcast.value" in why["podcast:value"] and "recipients" in why["podcast:value"]
    assert all(c["source"] == str(FEED) for c in channel)
    # nor is it said per episode
    created = json.loads(result.output)["created"]
    assert not any(d["field"] == "podcast:funding" for e in created for d in e["dropped"])
    text = _import(proj, "--dry-run")
    assert text.exit_code == 0, text.output
    lines = [ln for ln in text.output.splitlines() if ln.strip().startswith("channel")]
    assert len(lines) == len(fields)
    assert any("podcast:funding" in ln and "tips.example" in ln for ln in lines)


# -- a sidecar written by hand ---------------------------------------------------------------


def _publish_one(make_project, **keys):
    proj = make_project({"episodes/2026-10-01-one.yaml": sidecar(
        "One", audio_url="https://old.example/1.mp3", audio_length=1000, duration=60,
        **keys)})
    return proj, proj.run("publish")


def test_a_sidecar_names_art_transcript_and_chapters_at_their_addresses(make_project):
    proj, result = _publish_one(make_project, image_url="https://old.example/a.png",
                                transcript_url="https://old.example/t.json",
                                transcript_type="application/json",
                                chapters_url="https://old.example/c.json")
    assert result.exit_code == 0, result.output
    (ep,) = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))["episodes"]
    assert ep["episode_art_url"] == "https://old.example/a.png"
    item = etree.fromstring(proj.read("podcast.xml")).find(".//item")
    tr, ch = item.find(f"{{{PODCAST}}}transcript"), item.find(f"{{{PODCAST}}}chapters")
    assert (tr.get("url"), tr.get("type"), tr.get("rel")) == \
        ("https://old.example/t.json", "application/json", None)
    assert tr.get("language") == "en"  # the show's, when the sidecar names none
    assert ch.get("url") == "https://old.example/c.json"


def test_art_kept_at_an_address_of_another_format_is_published_with_a_warning(make_project):
    proj, result = _publish_one(make_project, image_url="https://old.example/a.webp")
    assert result.exit_code == 0, result.output
    assert "episodes/2026-10-01-one.yaml:6: 'image_url' does not end in .jpg or .png" in \
        result.output
    assert b'href="https://old.example/a.webp"' in proj.read("podcast.xml")


@pytest.mark.parametrize(("keys", "line", "words"), [
    ({"transcript_url": "https://old.example/t.vtt"}, 6, "needs 'transcript_type'"),
    ({"transcript_type": "text/vtt"}, 6, "without 'transcript_url'"),
    ({"transcript_url": "https://old.example/t.vtt", "transcript_type": "text/x-nope"}, 7,
     "expected application/json"),
    ({"image_url": "ftp://old.example/a.png"}, 6, "expected an http(s) URL"),
    ({"image_url": "https://old.example/a.png", "image": "a.png"}, 6,
     "both 'image' and 'image_url'"),
    ({"chapters_url": "https://me:pw0rd@old.example/c.json"}, 6, "credential"),
    ({"chapters_url": "https://old.example/c.json?X-Amz-Signature=abc123"}, 6, "credential"),
])
def test_a_wrong_kept_address_is_one_error_naming_the_sidecar_line_and_what_to_do(
        make_project, keys, line, words):
    _, result = _publish_one(make_project, **keys)
    assert result.exit_code != 0
    out = result.output
    assert f"episodes/2026-10-01-one.yaml:{line}" in out, out
    assert words in out, out
    assert "Traceback" not in out and "pw0rd" not in out and "abc123" not in out


# -- the address check, on addresses nobody here wrote -----------------------------------------

_SECRETS = ["token", "access_token", "X-Amz-Signature", "api_key", "sig", "password"]
_HARMLESS = ["v", "size", "format", "utm_source", "episode", "t"]
_host = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12).map(
    lambda h: f"{h}.example")
_piece = st.text(string.ascii_letters + string.digits + "-._~", min_size=0, max_size=12)


@st.composite
def _addresses(draw):
    """(an address, whether it may be published, the secret in it or '')."""
    scheme = draw(st.sampled_from(["http", "https", "HTTPS", "ftp", "file", "javascript",
                                   "data", ""]))
    user = draw(st.sampled_from(["", "me@", "me:Zq9secret@"]))
    host, path = draw(_host), draw(_piece)
    params = draw(st.lists(st.tuples(st.sampled_from(_SECRETS + _HARMLESS), _piece),
                           max_size=3))
    params = [(k, f"Zq9{v}" if k in _SECRETS else v) for k, v in params]
    query = "&".join(f"{k}={v}" for k, v in params)
    url = (f"{scheme}://{user}{host}/{path}" if scheme else f"{host}/{path}") + \
        (f"?{query}" if query else "")
    secret = any(k in _SECRETS for k, _ in params) or bool(user)
    fine = scheme.lower() in ("http", "https") and not secret
    return url, fine, [v for k, v in params if k in _SECRETS] + \
        (["Zq9secret"] if ":" in user else [])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_addresses(), st.sampled_from(["image_url", "transcript_url", "chapters_url"]))
def test_a_kept_address_is_accepted_only_when_http_and_free_of_credentials(case, key):
    url, fine, secrets = case
    data = {"title": "t", key: url}
    if key == "transcript_url":
        data["transcript_type"] = "text/vtt"
    try:
        meta = EpisodeMeta.model_validate(data)
    except ValidationError as exc:
        assert not fine, (url, exc)
        words = " ".join(str(e["msg"]) for e in exc.errors())
        assert "http(s)" in words or "credential" in words
        for secret in secrets:
            assert secret not in words  # the message never repeats the credential
        return
    assert fine, url
    assert getattr(meta, key) == url


@given(st.text(max_size=30))
def test_a_transcript_type_is_one_of_the_tables(kind):
    try:
        meta = EpisodeMeta.model_validate({"title": "t", "transcript_type": kind})
    except ValidationError:
        assert kind not in TRANSCRIPT_TYPES
    else:
        assert meta.transcript_type in TRANSCRIPT_TYPES


# -- generated feeds: every companion kept at its address or dropped with a reason -----------

_BASE = "https://old-host.example/show/"
_SECRET = "Kx7-secret"


@st.composite
def _companion_href(draw, suffixes: list[str]):
    """(the href as the feed writes it, the address it means, whether it may be published)."""
    name = draw(st.text(string.ascii_lowercase + "äø-", min_size=1, max_size=8))
    suffix = draw(st.sampled_from(suffixes))
    form = draw(st.sampled_from(["absolute", "relative", "rooted", "token", "userinfo",
                                 "ftp", "harmless-query"]))
    path = f"{name}{suffix}"
    href = {"absolute": f"https://cdn.example/{path}", "relative": path,
            "rooted": f"/media/{path}", "token": f"https://cdn.example/{path}?token={_SECRET}",
            "userinfo": f"https://me:{_SECRET}@cdn.example/{path}",
            "ftp": f"ftp://cdn.example/{path}",
            "harmless-query": f"https://cdn.example/{path}?v=2"}[form]
    from urllib.parse import urljoin

    return href, urljoin(_BASE, href), form not in ("token", "userinfo", "ftp")


_TRANSCRIPT_KINDS = [("text/vtt", ".vtt"), ("application/srt", ".srt"),
                     ("application/x-subrip", ".srt"), ("text/html", ".html"),
                     ("text/plain", ".txt"), ("application/json", ".json"),
                     ("application/pdf", ".pdf")]


@st.composite
def _companion_feeds(draw):
    """A podcast feed read from a file (relative addresses against its link) whose items carry
    art, transcripts and chapters at addresses of every kind; and per item what it carries."""
    from html import escape

    items, answers = [], []
    for n in range(draw(st.integers(1, 3))):
        tags, answer = [], {"image": [], "transcript": [], "chapters": []}
        if draw(st.booleans()):
            href, url, fine = draw(_companion_href([".jpg", ".png", ".jpeg", ".gif"]))
            tags.append(f'<itunes:image href="{escape(href)}"/>')
            answer["image"].append((url, fine and not url.split("?")[0].endswith(".gif")))
        for _ in range(draw(st.integers(0, 3))):
            kind, suffix = draw(st.sampled_from(_TRANSCRIPT_KINDS))
            href, url, fine = draw(_companion_href([suffix]))
            lang = draw(st.sampled_from(["", ' language="en"', ' language="pt-BR"']))
            tags.append(f'<podcast:transcript url="{escape(href)}" type="{kind}"{lang}/>')
            answer["transcript"].append((url, fine and kind != "application/pdf"))
        if draw(st.booleans()):
            href, url, fine = draw(_companion_href([".json", ""]))
            tags.append(f'<podcast:chapters url="{escape(href)}" '
                        'type="application/json+chapters"/>')
            answer["chapters"].append((url, fine))
        items.append(f"<item><title>Episode {n}</title><guid>g{n}</guid>"
                     f"<pubDate>Sat, 0{n + 1} Jan 2022 07:00:00 +0000</pubDate>"
                     f"<itunes:duration>60</itunes:duration>{''.join(tags)}"
                     f'<enclosure url="{_BASE}{n}.mp3" length="1000" type="audio/mpeg"/>'
                     "</item>")
        answers.append(answer)
    feed = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
            'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>S</title>'
            f"<link>{_BASE}</link><itunes:author>A</itunes:author>{''.join(items)}"
            "</channel></rss>")
    return feed.encode(), answers


_FIELD = {"image": "itunes:image", "transcript": "podcast:transcript",
          "chapters": "podcast:chapters"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_companion_feeds())
def test_a_keep_url_import_keeps_or_reports_every_companion_and_writes_valid_sidecars(case):
    import tempfile
    from pathlib import Path

    from conftest import BASE_CONFIG, png_bytes
    from syndicate.config import load_config
    from syndicate.importer import import_sources

    data, answers = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "config.yaml").write_text(BASE_CONFIG, encoding="utf-8")
        (root / "cover.png").write_bytes(png_bytes(1400, 1400))
        (root / "episodes").mkdir()
        (root / "show.xml").write_bytes(data)
        report = import_sources(load_config(root / "config.yaml"), [str(root / "show.xml")],
                                audio="keep-url")
        assert report.errors == [] and len(report.created) == len(answers)
        texts = {p: p.read_text(encoding="utf-8") for p in (root / "episodes").glob("*.yaml")}
        cars = {c["guid"]: c for c in map(yaml.safe_load, texts.values())}
        assert not any(_SECRET in t for t in texts.values())
        for n, answer in enumerate(answers):
            car = cars[f"g{n}"]
            entry = next(e for e in report.created if e["guid"] == f"g{n}")
            meta = EpisodeMeta.model_validate(car)  # what publishing reads: it is valid
            for kind, found in answer.items():
                field = _FIELD[kind]
                # nothing lost: each of the item's tags is kept or dropped with a reason
                kept = entry["kept"].count(field)
                dropped = [d for d in entry["dropped"] if d["field"] == field]
                assert kept + len(dropped) == len(found), (kind, entry)
                assert all(d["why"] for d in dropped)
                usable = [url for url, fine in found if fine]
                url = getattr(meta, f"{kind}_url")
                assert kept == (1 if usable else 0) and (url is not None) == bool(usable)
                if url is not None:
                    assert url in usable  # the source's own address, resolved
            if meta.transcript_url:
                assert meta.transcript_type in TRANSCRIPT_TYPES
