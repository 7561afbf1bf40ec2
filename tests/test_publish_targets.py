"""Targets chosen by scheme, and each output served with its own content type and cache policy.

The expected headers are written out here, not read from syndicate's table: feeds are typed by
their format whatever their key is named, audio and art (whose keys carry their hash) are kept a
year and immutable, everything else is kept five minutes.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
from pathlib import Path

import feedparser
import podcastparser
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, BUCKET, post, s3_config, sidecar, tone
from syndicate.config import load_config
from syndicate.errors import PublishError
from syndicate.publish.local import LocalTarget, PreviewTarget
from syndicate.publish.targets import open_target

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
SHORT = "public, max-age=300"
YEAR = "public, max-age=31536000, immutable"


def expected(key: str, rss: str, atom: str, podcast: str) -> tuple[str, str] | None:
    """(Content-Type, Cache-Control) a published key must be served with; None: not judged."""
    if key == atom:
        return ATOM, SHORT
    if key in (rss, podcast):
        return RSS, SHORT
    if key.startswith("media/") and key.endswith(".mp3"):
        return "audio/mpeg", YEAR
    if re.search(r"(^|/)cover-[0-9a-f]{12}\.png$", key):
        return "image/png", YEAR
    if key.endswith(".html"):
        return HTML, SHORT
    if key.endswith("/transcript.vtt"):
        return "text/vtt; charset=utf-8", SHORT
    if key.endswith("/chapters.json"):
        return "application/json", SHORT
    return None


def _feeds_config(base: str, rss: str, atom: str, podcast: str) -> str:
    # quoted: a name such as 0 or 1e5 is text to syndicate, a number to YAML unquoted
    return (base.replace("  explicit: false\n", f"  explicit: false\n  feed_path: '{podcast}'\n")
            + f"blog:\n  rss_path: '{rss}'\n  atom_path: '{atom}'\n")


def _episode_files() -> dict:
    return {"posts/a.md": post("First post"),
            "episodes/one.yaml": sidecar("One", transcript="one.vtt")
            + "chapters:\n  - {start: 0, title: Start}\n",
            "episodes/one.vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n",
            "episodes/one.mp3": tone(2.0)}


def test_s3_serves_each_output_with_its_own_type_and_cache_policy(
        make_project, s3_endpoint, bucket):
    """The Atom feed at feeds/blog-atom.xml was served as RSS (typed by its name); every
    object now carries the headers of what it is, through the CLI against moto's server."""
    rss, atom, podcast = "feeds/blog.rss", "feeds/blog-atom.xml", "show/podcast.xml"
    proj = make_project(_episode_files(),
                        config=_feeds_config(s3_config(s3_endpoint), rss, atom, podcast))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    keys = [o["Key"].removeprefix("site/") for page in
            bucket.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="site/")
            for o in page.get("Contents", []) if "/.syndicate/" not in "/" + o["Key"]]
    judged = 0
    for key in keys:
        want = expected(key, rss, atom, podcast)
        if want is None:
            continue
        head = bucket.head_object(Bucket=BUCKET, Key="site/" + key)
        assert (head["ContentType"], head["CacheControl"]) == want, key
        judged += 1
    assert {rss, atom, podcast} <= set(keys) and judged >= 8, keys
    # as a reader fetches it over HTTP: the header says Atom, and it is Atom
    got = requests.get(f"{s3_endpoint}/{BUCKET}/site/{atom}", timeout=10)
    assert got.headers["Content-Type"] == ATOM
    assert feedparser.parse(got.content).version == "atom10"
    pod = requests.get(f"{s3_endpoint}/{BUCKET}/site/{podcast}", timeout=10)
    assert pod.headers["Content-Type"] == RSS
    assert [e["title"] for e in podcastparser.parse("x", io.BytesIO(pod.content))["episodes"]] \
        == ["One"]
    # the manifest records what each object was sent with
    manifest = json.loads(bucket.get_object(
        Bucket=BUCKET, Key="site/.syndicate/manifest.json")["Body"].read())
    rows = {r["key"]: r for r in manifest["objects"]}
    assert (rows[atom]["content_type"], rows[atom]["cache_control"]) == (ATOM, SHORT)


def test_a_feed_sent_with_a_wrong_type_is_fixed_by_a_header_copy_only(
        make_project, s3_endpoint, bucket):
    """A site published before feeds carried their type (its Atom feed sent as RSS, and so
    recorded) has the header put right by a server-side copy: nothing is uploaded again."""
    rss, atom, podcast = "feed.xml", "feeds/blog-atom.xml", "podcast.xml"
    proj = make_project({"posts/a.md": post("First post")},
                        config=_feeds_config(s3_config(s3_endpoint), rss, atom, podcast))
    assert proj.run("publish").exit_code == 0
    key = f"site/{atom}"
    bucket.copy_object(Bucket=BUCKET, Key=key, CopySource={"Bucket": BUCKET, "Key": key},
                       MetadataDirective="REPLACE", ContentType=RSS, CacheControl=SHORT,
                       Metadata=bucket.head_object(Bucket=BUCKET, Key=key)["Metadata"])
    mkey = "site/.syndicate/manifest.json"
    manifest = json.loads(bucket.get_object(Bucket=BUCKET, Key=mkey)["Body"].read())
    for row in manifest["objects"]:
        if row["key"] == atom:
            row["content_type"] = RSS
    bucket.put_object(Bucket=BUCKET, Key=mkey, Body=json.dumps(manifest).encode())
    etag = bucket.head_object(Bucket=BUCKET, Key=key)["ETag"]
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "wrote 0 files" in result.output
    head = bucket.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == ATOM and head["ETag"] == etag
    again = proj.run("publish", "--dry-run")
    assert "fix headers of 0" in again.output, again.output


_name = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12).filter(
    lambda s: s[0] != "-")
_suffix = st.sampled_from([".xml", ".rss", ".atom", "", ".txt", ".html", ".json"])
_feed_key = st.builds(lambda folder, name, suffix: f"{folder}{name}{suffix}",
                      st.sampled_from(["", "f/", "feeds/x/"]), _name, _suffix)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(_feed_key, min_size=3, max_size=3, unique=True).filter(
    lambda ks: not any(k in ("index.html", "robots.txt", "sitemap.xml", "404.html", "feed.json",
                             "podcast.json")
                       or k.startswith(("posts/", "episodes/", "media/", "cover-", "favicon-",
                                        "tags/", "static/", "podcast-archive-"))
                       for k in ks)
    and not any(b.startswith(a + "/") for a in ks for b in ks)))  # (a file is no folder)
def test_every_feed_is_typed_by_its_format_whatever_its_name(tmp_path_factory, keys):
    """Any feed keys the config may name: the dry run's plan types the Atom feed as Atom and
    the RSS and podcast feeds as RSS, and a real publish writes the same (never inferred from
    the key's extension)."""
    from conftest import Project, png_bytes

    rss, atom, podcast = keys
    proj = Project(tmp_path_factory.mktemp("feeds"))
    proj.write("config.yaml", _feeds_config(BASE_CONFIG, rss, atom, podcast))
    proj.write("cover.png", png_bytes())
    proj.write("posts/a.md", post("A post"))
    (proj.root / "episodes").mkdir()
    dry = proj.run("publish", "--dry-run")
    assert dry.exit_code == 0, dry.output
    typed = dict(re.findall(r"^  write  (\S+)  \([\d,]+ bytes, ([^)]+)\)$", dry.output, re.M))
    assert (typed[rss], typed[atom], typed[podcast]) == (RSS, ATOM, RSS), dry.output
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert feedparser.parse(proj.read(atom)).version == "atom10"
    assert feedparser.parse(proj.read(rss)).version.startswith("rss")
    cfg = load_config(proj.root / "config.yaml")
    from syndicate.catalog import open_catalog

    with open_catalog(cfg.catalog_path) as cat:
        rows = cat.outputs(f"file://{cfg.target_dir.resolve()}")
    assert (rows[rss]["content_type"], rows[atom]["content_type"],
            rows[podcast]["content_type"]) == (RSS, ATOM, RSS)


def _xattrs_kept(folder: Path) -> bool:
    probe = folder / ".probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, "user.mime_type", b"text/plain")
        return True
    except (OSError, AttributeError):
        return False
    finally:
        probe.unlink()


def test_the_folder_target_labels_each_file_with_its_type_where_it_can(make_project):
    rss, atom, podcast = "feed.xml", "feeds/blog-atom.xml", "podcast.xml"
    proj = make_project({"posts/a.md": post("First post")},
                        config=_feeds_config(BASE_CONFIG, rss, atom, podcast))
    if not _xattrs_kept(proj.root):
        result = proj.run("publish")
        assert result.exit_code == 0, result.output  # labels are skipped, never an error
        pytest.skip("this file system keeps no user extended attributes")
    assert proj.run("publish").exit_code == 0
    for key, mime, charset in ((atom, b"application/atom+xml", b"utf-8"),
                               (rss, b"application/rss+xml", b"utf-8"),
                               ("index.html", b"text/html", b"utf-8")):
        path = proj.public(key)
        assert os.getxattr(path, "user.mime_type") == mime, key
        assert os.getxattr(path, "user.charset") == charset, key
    cover = next(proj.public("").glob("cover-*.png"))
    assert os.getxattr(cover, "user.mime_type") == b"image/png"
    with pytest.raises(OSError):
        os.getxattr(cover, "user.charset")


def _aimed(settings, target: str):
    """The same settings with another target (as ``syndicate serve`` derives its own)."""
    return dataclasses.replace(settings,
                               config=settings.config.model_copy(update={"target": target}))


def test_the_target_is_chosen_by_the_scheme(make_project, tmp_path):
    proj = make_project()
    cfg = load_config(proj.root / "config.yaml")
    folder = open_target(cfg)
    assert type(folder) is LocalTarget and folder.records
    assert folder.name == f"file://{(proj.root / 'public').resolve()}"
    for address, kind, root in ((f"file://{tmp_path}/site", LocalTarget, tmp_path / "site"),
                                (f"preview://{tmp_path}/look", PreviewTarget,
                                 tmp_path / "look")):
        made = open_target(_aimed(cfg, address))
        assert type(made) is kind and made.root == root.resolve()
    assert not made.records and made.name == f"preview://{(tmp_path / 'look').resolve()}"
    s3 = open_target(_aimed(cfg, f"s3://{BUCKET}/site"), verify=True)
    assert s3.name == f"s3://{BUCKET}/site/" and s3.records and s3.verify
    for bad in ("ftp://host/site", "preview://host/relative", "file://elsewhere/x",
                "preview:///x?y=1"):
        with pytest.raises(PublishError, match=re.escape(repr(bad))):
            open_target(_aimed(cfg, bad))


def test_a_target_scheme_the_config_cannot_name_is_refused_with_its_line(make_project):
    proj = make_project(config=BASE_CONFIG.replace("target: public", "target: ftp://h/site"))
    result = proj.run("publish")
    assert result.exit_code == 2
    assert re.search(r"config\.yaml:\d+: 'target': 'ftp://h/site'", result.output), \
        result.output
    assert "Traceback" not in result.output
