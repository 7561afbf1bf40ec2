"""A released item renamed keeps its guid whatever else changed with the name, as long as the
rest still tells which item it is; its old page leads to the new one, and its old audio stays
served for the grace period like any key that left the feed (S5, S8 of the hostile re-test)."""

from __future__ import annotations

import io
import json
import re

import feedparser
import podcastparser

from conftest import BUCKET, post, s3_config, sidecar, tone

T0 = "2026-11-01T12:00:00+00:00"
LATER = ("2026-11-02T12:00:00+00:00", "2026-11-04T11:59:00+00:00")
AFTER = "2026-11-04T12:00:00+00:00"  # 72 hours after the rename
BODY = "The borrow checker, once more, with lifetimes and a few words on traits."


def _guids(proj) -> dict[str, str]:
    feed = feedparser.parse(proj.read("feed.xml"))
    return {e.title: e.id for e in feed.entries}


def _episodes(data: bytes) -> dict[str, tuple[str, str]]:
    feed = podcastparser.parse("x", io.BytesIO(data))
    return {e["title"]: (e["guid"], e["enclosures"][0]["url"].removeprefix(
        "https://example.test/")) for e in feed["episodes"]}


def test_a_post_renamed_and_retitled_at_once_keeps_its_guid(make_project):
    proj = make_project({"posts/2026-10-11-rust.md": post("Rusty", date="2026-10-11", body=BODY),
                         "posts/other.md": post("Other", body="Nothing alike here at all.")})
    assert proj.run("publish", now=T0).exit_code == 0
    guid = _guids(proj)["Rusty"]
    (proj.root / "posts/2026-10-11-rust.md").unlink()
    proj.write("posts/2026-10-11-rustacean.md", post("Rusty v2", date="2026-10-11", body=BODY))
    result = proj.run("publish", now=T0)
    assert result.exit_code == 0, result.output
    assert _guids(proj) == {"Rusty v2": guid, "Other": _guids(proj)["Other"]}
    assert "1 new" not in result.output


def _redirect(page: bytes) -> str:
    html = page.decode()
    assert 'name="robots" content="noindex"' in html
    (target,) = re.findall(r'http-equiv="refresh" content="0; url=([^"]+)"', html)
    assert f'<link rel="canonical" href="{target}">' in html
    return target


def test_a_renamed_posts_old_address_leads_to_its_new_page(make_project):
    proj = make_project({"posts/rust.md": post("Rusty", body=BODY)})
    assert proj.run("publish", now=T0).exit_code == 0
    (proj.root / "posts/rust.md").unlink()
    proj.write("posts/rustacean.md", post("Rusty", body=BODY))
    result = proj.run("publish", now=T0)
    assert result.exit_code == 0, result.output
    assert _redirect(proj.read("posts/rust/index.html")) == \
        "https://example.test/posts/rustacean/"
    assert b"Rusty" in proj.read("posts/rustacean/index.html")
    sitemap = proj.read("sitemap.xml").decode()
    assert "posts/rustacean/" in sitemap and "posts/rust/" not in sitemap
    # renamed back: the page is the post's own again, and the other address leads to it
    (proj.root / "posts/rustacean.md").unlink()
    proj.write("posts/rust.md", post("Rusty", body=BODY))
    assert proj.run("publish", now=T0).exit_code == 0
    assert b"http-equiv" not in proj.read("posts/rust/index.html")
    assert _redirect(proj.read("posts/rustacean/index.html")) == "https://example.test/posts/rust/"


def test_two_alike_new_posts_for_one_gone_wait_until_the_author_names_it(make_project):
    proj = make_project({"posts/rust.md": post("Rusty", body=BODY)})
    assert proj.run("publish", now=T0).exit_code == 0
    guid = _guids(proj)["Rusty"]
    (proj.root / "posts/rust.md").unlink()
    proj.write("posts/one.md", post("Rusty one", body=BODY))
    proj.write("posts/two.md", post("Rusty two", body=BODY))
    result = proj.run("publish", now=T0)
    # which is which cannot be told: the live one is kept, neither new one published as new
    # (h15 V5), until the author gives one its guid, or each a guid of its own
    assert result.exit_code == 1, result.output
    assert list(_guids(proj).values()) == [guid]
    assert "posts/one.md" in result.output and "posts/two.md" in result.output
    assert "posts/rust.md" in result.output and "guid:" in result.output
    proj.write("posts/two.md", post("Rusty two", body=BODY, guid=guid))
    named = proj.run("publish", now=T0)
    assert named.exit_code == 0, named.output
    assert _guids(proj)["Rusty two"] == guid and "Rusty one" in _guids(proj)


def _renamed_episode(proj, title: str = "Tides") -> None:
    for ext in ("yaml", "mp3"):
        (proj.root / f"episodes/tides.{ext}").unlink()
    proj.write("episodes/tides-moved.yaml", sidecar(title))
    proj.write("episodes/tides-moved.mp3", tone(1.0))


def test_a_renamed_episodes_old_audio_stays_for_the_grace_period(make_project):
    proj = make_project({"episodes/tides.yaml": sidecar("Tides"),
                         "episodes/tides.mp3": tone(1.0)})
    assert proj.run("publish", now=T0).exit_code == 0
    ((guid, old),) = _episodes(proj.read("podcast.xml")).values()
    old_bytes = proj.read(old)
    _renamed_episode(proj, "Tides, moved")
    result = proj.run("publish", now=T0)
    assert result.exit_code == 0, result.output
    ((guid2, new),) = _episodes(proj.read("podcast.xml")).values()
    assert guid2 == guid and new != old
    assert proj.read(old) == old_bytes  # a feed cached before the rename still plays
    assert _redirect(proj.read("episodes/tides/index.html")) == \
        "https://example.test/episodes/tides-moved/"
    for now in LATER:
        assert proj.run("publish", now=now).exit_code == 0
        assert proj.read(old) == old_bytes, now
    assert proj.run("publish", now=AFTER).exit_code == 0
    assert not proj.public(old).exists() and proj.public(new).is_file()


def test_a_renamed_episodes_old_audio_stays_for_the_grace_period_on_s3(
        make_project, s3_endpoint, bucket):
    proj = make_project({"episodes/tides.yaml": sidecar("Tides"),
                         "episodes/tides.mp3": tone(1.0)}, config=s3_config(s3_endpoint))

    def get(key: str) -> bytes:
        return bucket.get_object(Bucket=BUCKET, Key=f"site/{key}")["Body"].read()

    def has(key: str) -> bool:
        listed = bucket.list_objects_v2(Bucket=BUCKET, Prefix=f"site/{key}")
        return any(o["Key"] == f"site/{key}" for o in listed.get("Contents", []))

    assert proj.run("publish", now=T0).exit_code == 0
    ((guid, old),) = _episodes(get("podcast.xml")).values()
    old_bytes = get(old)
    _renamed_episode(proj)
    result = proj.run("publish", now=T0)
    assert result.exit_code == 0, result.output
    ((guid2, new),) = _episodes(get("podcast.xml")).values()
    assert guid2 == guid and new != old and has(new)
    assert get(old) == old_bytes
    head = bucket.head_object(Bucket=BUCKET, Key="site/episodes/tides/index.html")
    assert head["WebsiteRedirectLocation"] == "https://example.test/episodes/tides-moved/"
    assert _redirect(get("episodes/tides/index.html")).endswith("/episodes/tides-moved/")
    for now in LATER:
        assert proj.run("publish", now=now).exit_code == 0
        assert get(old) == old_bytes, now
    assert proj.run("publish", now=AFTER).exit_code == 0
    assert not has(old) and has(new)
    manifest = json.loads(get(".syndicate/manifest.json"))
    assert old not in json.dumps(manifest)
