"""The publisher never writes outside the site folder, never deletes what it did not write,
refuses ambiguous output, and holds back mass deletes."""

from __future__ import annotations

import pytest

from conftest import BASE_CONFIG, BUCKET, post, s3_config, s3_files, s3_keys, sidecar
from syndicate import mediatypes
from syndicate.errors import PublishError
from syndicate.publish.keys import safe_key


@pytest.mark.parametrize("key", ["../x", "a/../../x", "/etc/passwd", "a\\b", "", "a//b",
                                 "a/./b", "posts/../../x"])
def test_keys_that_escape_are_refused(key):
    with pytest.raises(PublishError):
        safe_key(key)


def test_content_types_come_from_our_table(make_project, bucket, s3_endpoint):
    """Every object published is served with a type of the one table (mediatypes.py), and a
    feed is typed by its format, whatever its key is named."""
    config = s3_config(s3_endpoint) + "blog:\n  atom_path: updates.xml\n"
    proj = make_project({**s3_files(), "posts/b.md": post("B", tags="[x]"),
                         "episodes/one.vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"},
                        config=config)
    proj.write("episodes/one.yaml", sidecar("One", transcript="one.vtt"))
    assert proj.run("publish").exit_code == 0
    ours = {*mediatypes.TYPES.values(), mediatypes.SITEMAP, mediatypes.ATOM,
            mediatypes.JSON_FEED}
    served = {key.removeprefix("site/"): bucket.head_object(Bucket=BUCKET, Key=key)["ContentType"]
              for key in s3_keys(bucket) if "/.syndicate/" not in key}
    assert served and set(served.values()) <= ours
    assert served["updates.xml"] == mediatypes.ATOM
    assert served["feed.xml"] == served["podcast.xml"] == mediatypes.RSS
    assert served["feed.json"] == mediatypes.JSON_FEED
    assert served["sitemap.xml"] == mediatypes.SITEMAP
    assert [t for k, t in served.items() if k.startswith("media/")] == ["audio/mpeg"]
    assert served["episodes/one/transcript.vtt"] == "text/vtt; charset=utf-8"
    assert served["index.html"] == "text/html; charset=utf-8"


def test_two_outputs_on_one_key_fail_before_anything_is_written(make_project):
    config = BASE_CONFIG.replace("target: public", "target: public\nblog:\n  rss_path: podcast.xml")
    proj = make_project({"posts/a.md": post("A")}, config=config)
    result = proj.run("publish")
    assert result.exit_code == 2  # a config error, naming the key and its line
    assert "config.yaml:19: 'blog.rss_path': 'podcast.xml' is also podcast.feed_path: two " \
           "outputs would be written to the same key: podcast.xml" in result.output
    assert not (proj.root / "public").exists()


@pytest.mark.parametrize("target", [".", "posts", ".."])
def test_target_that_holds_the_sources_is_refused(make_project, target):
    proj = make_project({"posts/a.md": post("A")},
                        config=BASE_CONFIG.replace("target: public", f"target: '{target}'"))
    result = proj.run("publish")
    assert result.exit_code == 2  # a config error: refused before anything is read
    assert "publish to a folder of its own, such as 'public'" in result.output
    assert not (proj.root / "posts/a/index.html").exists()
    assert not (proj.root / "feed.xml").exists()


def test_files_the_tool_did_not_write_are_left_alone(make_project):
    proj = make_project({"posts/a.md": post("A"), "posts/b.md": post("B")})
    proj.write("public/CNAME", "lowtide.example.org\n")
    proj.write("public/posts/keep.txt", "mine")
    assert proj.run("publish").exit_code == 0
    (proj.root / "posts/b.md").unlink()
    assert proj.run("publish").exit_code == 0
    assert not proj.public("posts/b").exists()
    assert proj.public("CNAME").read_text() == "lowtide.example.org\n"
    assert proj.public("posts/keep.txt").read_text() == "mine"


def test_mass_deletes_are_held_back_without_force(make_project):
    config = BASE_CONFIG + "max_deletes: 1\n"
    proj = make_project({f"posts/p{i}.md": post(f"P{i}") for i in range(3)}, config=config)
    assert proj.run("publish").exit_code == 0
    for i in range(3):
        (proj.root / f"posts/p{i}.md").unlink()
    held = proj.run("publish")
    assert held.exit_code == 1
    assert "3 published items are gone from their sources, more than max_deletes (1)" \
        in held.output
    assert proj.public("posts/p0/index.html").exists()
    forced = proj.run("publish", "--force")
    assert forced.exit_code == 0, forced.output
    assert "deleted 3" in forced.output
    assert not proj.public("posts/p0").exists()
