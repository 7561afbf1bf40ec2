"""N15: a lost catalog never changes the show's identity. The channel's podcast:guid is read
back from the live podcast feed, as the items' guids are, even when site.url has moved since
the show began (the Podcast Index follows a show across moves by it); the move is warned about
with the setting that pins the guid for good."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import BASE_CONFIG, BUCKET, post, s3_config, sidecar, tone

GUID = re.compile(rb"<podcast:guid>([^<]*)</podcast:guid>")


def _guid(data: bytes) -> str:
    (found,) = GUID.findall(data)
    return found.decode()


@pytest.mark.sqlite_file
@pytest.mark.parametrize("where", ["local", "s3"])
def test_a_lost_catalog_keeps_the_show_guid_after_a_domain_move(make_project, request, where):
    if where == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = request.getfixturevalue("bucket")
        config = s3_config(endpoint)

        def feed() -> bytes:
            return bucket.get_object(Bucket=BUCKET, Key="site/podcast.xml")["Body"].read()
    else:
        config = BASE_CONFIG
        feed = None
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0)}, config=config)
    feed = feed or (lambda: proj.read("podcast.xml"))
    assert proj.run("publish").exit_code == 0
    first = _guid(feed())

    moved = config.replace("url: https://example.test/", "url: https://newdomain.test/")
    proj.write("config.yaml", moved)
    assert proj.run("publish").exit_code == 0
    assert _guid(feed()) == first  # kept in the catalog: held before too

    shutil.rmtree(proj.root / ".syndicate")  # the catalog is lost
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _guid(feed()) == first, result.output  # the show's identity never changes
    warned = [line for line in result.output.splitlines() if "podcast:guid" in line]
    assert len(warned) == 1, result.output
    assert f"set 'podcast.guid: {first}' in config.yaml" in warned[0]
    again = proj.run("publish")  # stored now: said once
    assert again.exit_code == 0 and "podcast:guid" not in again.output
    assert _guid(feed()) == first


def test_a_lost_catalog_of_an_unmoved_show_keeps_its_guid_silently(make_project):
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                        config=BASE_CONFIG.replace("explicit: false",
                                                   "explicit: false\n  feed_path: show.xml"))
    assert proj.run("publish").exit_code == 0
    first = _guid(proj.read("show.xml"))
    shutil.rmtree(proj.root / ".syndicate")
    result = proj.run("publish")
    assert result.exit_code == 0 and "podcast:guid" not in result.output, result.output
    assert _guid(proj.read("show.xml")) == first


@pytest.mark.parametrize("live", [b"not xml at all", b"<rss><channel><podcast:guid>x",
                                  b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM '
                                  b'"file:///etc/hostname">]><rss><channel>&e;</channel></rss>',
                                  b"<rss xmlns:podcast='https://podcastindex.org/namespace/1.0'>"
                                  b"<channel><podcast:guid>not-a-uuid</podcast:guid></channel>"
                                  b"</rss>"])
def test_a_damaged_live_feed_gives_the_derived_guid(make_project, live):
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)})
    assert proj.run("publish").exit_code == 0
    derived = _guid(proj.read("podcast.xml"))
    shutil.rmtree(proj.root / ".syndicate")
    proj.public("podcast.xml").write_bytes(live)
    result = proj.run("publish", "--force")  # the damaged feed is not syndicate's any more
    assert "Traceback" not in result.output
    assert _guid(proj.read("podcast.xml")) == derived, result.output
