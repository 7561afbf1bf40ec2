"""``syndicate check`` reads every page of the feeds (RFC 5005 archive pages of the RSS, Atom
and podcast feeds; the JSON feeds by next_url): each item's page answers, each archived episode's
audio and each JSON attachment answers HEAD with the stated length and type (each file asked
once), and a page, an archived episode's audio or an item's page that is gone is named."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest
import yaml
from test_check_pages import _host

from conftest import BASE_CONFIG, free_port, post, sidecar, tone


@pytest.fixture
def paged_live(make_project):
    port = free_port()
    site = f"http://127.0.0.1:{port}/"
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["site"]["url"] = site
    cfg["podcast"]["feed_items"] = 2
    cfg["blog"] = {"feed_items": 2, "archive_pages": True}
    cfg["audio"] = {"process": False}
    files = {}
    for n in range(1, 6):
        files[f"episodes/ep{n}.mp3"] = tone(1.0, 300 + 50 * n)
        files[f"episodes/ep{n}.yaml"] = sidecar(f"Episode {n}", f"2026-0{n}-02 08:00")
        files[f"posts/post{n}.md"] = post(f"Post {n}", f"2026-0{n}-03", f"Words of post {n}.")
    proj = make_project(files, config=yaml.safe_dump(cfg))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    server, log = _host(proj.root / "public", port)
    yield proj, site, log
    server.shutdown()
    server.server_close()


def _check(proj):
    return proj.run("check", "--config", str(proj.root / "config.yaml"))


def _oldest_audio(proj) -> str:
    page = json.loads(proj.read("podcast-archive-1.json"))
    (item,) = [i for i in page["items"] if i["title"] == "Episode 1"]
    return item["attachments"][0]["url"]


def test_check_reads_every_page_of_every_feed_and_asks_each_file_once(paged_live):
    proj, site, log = paged_live
    result = _check(proj)
    assert result.exit_code == 0, result.output
    gets = Counter(p for m, p in log if m == "GET")
    heads = Counter(p for m, p in log if m == "HEAD")
    for key in ("podcast.json", "podcast-archive-1.json", "podcast-archive-2.json",
                "feed.json", "feed-archive-1.json", "feed-archive-2.json",
                "podcast-archive-1.xml", "feed-archive-1.xml", "atom-archive-1.xml"):
        assert gets["/" + key] == 1, key
    audio = [p.relative_to(proj.public("")).as_posix() for p in proj.public("media").iterdir()]
    assert len(audio) == 5
    # every episode's audio, archived ones too, is asked once, though two feeds name it
    assert {"/" + a: 1 for a in audio} == {p: n for p, n in heads.items() if p.startswith(
        "/media/")}
    assert _oldest_audio(proj).removeprefix(site) in {a for a in audio}
    assert gets["/posts/post1/"] + gets["/posts/post1/index.html"] == 1


def test_check_names_a_gone_archive_page_archived_audio_and_item_page(paged_live):
    proj, site, _log = paged_live
    oldest = _oldest_audio(proj)
    proj.public(oldest.removeprefix(site)).unlink()
    proj.public("feed-archive-1.json").unlink()
    shutil.rmtree(proj.public("posts/post2"))
    doc = json.loads(proj.read("podcast.json"))  # an attachment's size the audio does not have
    doc["items"][0]["attachments"][0]["size_in_bytes"] = 7
    proj.public("podcast.json").write_text(json.dumps(doc))
    result = _check(proj)
    assert result.exit_code == 1
    out = result.output
    assert f"Error: {oldest}: HEAD answered 404" in out
    assert f"Error: {site}feed-archive-1.json: HTTP 404" in out
    assert f"Error: {site}posts/post2/: HTTP 404" in out
    newest = doc["items"][0]["attachments"][0]["url"]
    assert f"Error: {newest}: Content-Length " in out and "but the JSON feed says 7" in out
    assert "Traceback" not in out
