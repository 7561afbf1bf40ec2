"""Publishing to S3 through the real boto3, against moto's S3 server on 127.0.0.1."""

from __future__ import annotations

import io
import json

import boto3
import podcastparser
import pytest
import requests

from conftest import BASE_CONFIG, BUCKET, post, sidecar, tone
from conftest import free_port as _free_port
from conftest import s3_config as _config
from conftest import s3_files as _files
from conftest import s3_keys as _keys


def test_publish_uploads_the_site_readable_over_http(make_project, s3_endpoint, bucket):
    proj = make_project({**_files(), "posts/later.md": post("Not yet", date="2027-01-01"),
                         "episodes/later.yaml": sidecar("Later", date="2027-01-01 08:00"),
                         "episodes/later.mp3": tone(2.0, freq=660)},
                        config=_config(s3_endpoint))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    keys = _keys(bucket)
    assert "site/podcast.xml" in keys and "site/.syndicate/manifest.json" in keys
    # nothing of an unreleased item reaches the bucket: no page, no media, no feed entry
    assert not [k for k in keys if "later" in k]
    assert b"Not yet" not in bucket.get_object(Bucket=BUCKET, Key="site/feed.xml")["Body"].read()
    feed = requests.get(f"{s3_endpoint}/{BUCKET}/site/podcast.xml", timeout=10)
    assert feed.status_code == 200
    (ep,) = podcastparser.parse("x", io.BytesIO(feed.content))["episodes"]
    enclosure = ep["enclosures"][0]
    media_key = "site/" + enclosure["url"].removeprefix("https://example.test/")
    head = bucket.head_object(Bucket=BUCKET, Key=media_key)
    assert head["ContentLength"] == enclosure["file_size"]
    assert head["ContentType"] == "audio/mpeg"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert len(head["Metadata"]["sha256"]) == 64
    ranged = requests.get(f"{s3_endpoint}/{BUCKET}/{media_key}",
                          headers={"Range": "bytes=0-99"}, timeout=10)
    assert ranged.status_code == 206 and len(ranged.content) == 100
    feed_head = bucket.head_object(Bucket=BUCKET, Key="site/podcast.xml")
    assert feed_head["ContentType"] == "application/rss+xml; charset=utf-8"
    assert feed_head["CacheControl"] == "public, max-age=300"
    assert bucket.head_object(Bucket=BUCKET, Key="site/atom.xml")["ContentType"] == \
        "application/atom+xml; charset=utf-8"


def test_no_change_uploads_nothing_and_a_new_episode_only_what_changed(
        make_project, s3_endpoint, bucket):
    proj = make_project(_files(), config=_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    before = _keys(bucket)
    calls = []
    boto3.DEFAULT_SESSION = None
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("before-send.s3", lambda request, **kw: calls.append(
        (request.method, request.url))))
    try:
        again = proj.run("publish")
    finally:
        BUILTIN_HANDLERS.pop()
    assert again.exit_code == 0 and "wrote 0 files" in again.output
    # the manifest (with the publish generation in it: a restored catalog is noticed) and one
    # page of the listing (which finds objects deleted by hand), no more
    assert sorted((m, "list-type=2" in u) for m, u in calls) == [("GET", False), ("GET", True)]
    assert calls[0][1].endswith("/site/.syndicate/manifest.json") or \
        calls[1][1].endswith("/site/.syndicate/manifest.json")
    assert _keys(bucket) == before
    proj.write("episodes/two.yaml", sidecar("Two", date="2026-10-02 08:00"))
    proj.write("episodes/two.mp3", tone(2.0, freq=550))
    assert proj.run("collect").exit_code == 0  # encoded: a dry run encodes nothing
    plan = proj.run("publish", "--dry-run")
    writes = sorted(ln.split()[1] for ln in plan.output.splitlines()
                    if ln.strip().startswith("write"))
    assert "episodes/two/index.html" in writes
    assert [w for w in writes if w.startswith("media/")] == [
        w for w in writes if w.startswith("media/two-")]
    # beside its own files: the pages that list it or link to it (home, the archive, the
    # sitemap, the episode before it) and the feeds (RSS and JSON)
    assert set(writes) - {w for w in writes if w.startswith(("media/two-", "episodes/two/"))} \
        == {"index.html", "episodes/index.html", "episodes/one/index.html", "sitemap.xml",
            "podcast.xml", "podcast.json"}
    assert proj.run("publish").exit_code == 0
    after = _keys(bucket)
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed == {f"site/{w}" for w in writes} | {"site/.syndicate/manifest.json"}


def test_damaged_manifest_is_rebuilt_from_the_bucket(make_project, s3_endpoint, bucket):
    proj = make_project(_files(), config=_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    bucket.put_object(Bucket=BUCKET, Key="site/.syndicate/manifest.json", Body=b"{not json")
    result = proj.run("publish")
    assert result.exit_code == 0
    assert "wrote 0 files" in result.output
    manifest = json.loads(bucket.get_object(Bucket=BUCKET,
                                            Key="site/.syndicate/manifest.json")["Body"].read())
    assert {o["key"] for o in manifest["objects"]} >= {"podcast.xml", "feed.xml"}


def test_deletes_stay_inside_the_prefix_and_spare_foreign_objects(
        make_project, s3_endpoint, bucket):
    bucket.put_object(Bucket=BUCKET, Key="other/keep.txt", Body=b"x")
    bucket.put_object(Bucket=BUCKET, Key="site/uploaded-by-hand.txt", Body=b"y")
    proj = make_project({**_files(), "posts/b.md": post("Second", date="2026-10-02")},
                        config=_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    (proj.root / "posts/b.md").unlink()
    result = proj.run("publish")
    assert result.exit_code == 0 and "deleted 1" in result.output
    keys = _keys(bucket, prefix="")
    assert "site/posts/b/index.html" not in keys
    assert {"other/keep.txt", "site/uploaded-by-hand.txt"} <= keys.keys()


@pytest.mark.parametrize("target,message", [
    (f"s3://{BUCKET}/a/../b", "the prefix must not contain '..'"),
    ("s3://no-such-bucket/site", "bucket 'no-such-bucket' does not exist"),
])
def test_bad_targets_fail_clearly_and_upload_nothing(make_project, s3_endpoint, bucket, target,
                                                     message):
    proj = make_project(_files(), config=_config(s3_endpoint, target))
    result = proj.run("publish")
    assert result.exit_code == (2 if ".." in target else 1)  # a bad prefix: a config error
    assert message in result.output
    assert "Traceback" not in result.output
    assert _keys(bucket, prefix="") == {}


def test_endpoint_that_does_not_answer(make_project, bucket):
    proj = make_project(_files(), config=_config(f"http://127.0.0.1:{_free_port()}"))
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "cannot reach the S3 endpoint" in result.output
    assert "testing" not in result.output  # no credentials in messages


def test_check_verifies_the_live_site(make_project, s3_endpoint, bucket):
    site = f"{s3_endpoint}/{BUCKET}/site/"
    config = _config(s3_endpoint).replace("url: https://example.test/", f"url: {site}")
    proj = make_project(_files(), config=config)
    assert proj.run("publish").exit_code == 0
    good = proj.run("check", "--config", str(proj.root / "config.yaml"))
    # 3 XML feeds and 2 JSON feeds, the cover, one enclosure, robots.txt and the sitemap; an
    # address that cannot exist (S3 answers it 404: no fallback page); then the pages (the
    # sitemap names the archives too), which a plain S3 endpoint (no index documents) answers
    # only by their index.html: each named so, and nothing else
    assert good.exit_code == 1 and "Checked 15 URLs: 5 problems" in good.output, good.output
    errors = [line for line in good.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 5, good.output
    for page in ("", "posts/", "episodes/", "posts/a/", "episodes/one/"):
        assert f"Error: {site}{page}: HTTP 404 (its index.html is there: this host serves no " \
               "index document" in good.output
    media = next(k for k in _keys(bucket) if k.startswith("site/media/"))
    bucket.delete_object(Bucket=BUCKET, Key=media)
    bad = proj.run("check", "--config", str(proj.root / "config.yaml"))
    assert bad.exit_code == 1
    assert f"Error: {s3_endpoint}/{BUCKET}/{media}: HEAD answered 404" in bad.output


def test_check_finds_a_file_linked_site_whole_on_a_plain_s3_endpoint(
        make_project, s3_endpoint, bucket):
    """``site.links: file``, the setting the README gives for a plain S3 endpoint: every page
    link names its index.html, so moto's S3 (no index documents) answers each one."""
    site = f"{s3_endpoint}/{BUCKET}/site/"
    config = _config(s3_endpoint).replace("url: https://example.test/",
                                          f"url: {site}\n  links: file")
    proj = make_project(_files(), config=config)
    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    home = requests.get(f"{site}index.html", timeout=10)
    assert home.status_code == 200 and f'href="{site}posts/a/index.html"' in home.text
    good = proj.run("check", "--config", str(proj.root / "config.yaml"))
    assert good.exit_code == 0, good.output
    assert "0 problems" in good.output and "Error:" not in good.output, good.output
    assert "Traceback" not in good.output
    media = next(k for k in _keys(bucket) if k.startswith("site/media/"))
    bucket.delete_object(Bucket=BUCKET, Key=media)
    bad = proj.run("check", "--config", str(proj.root / "config.yaml"))
    assert bad.exit_code == 1
    errors = [line for line in bad.output.splitlines() if line.startswith("Error:")]
    assert errors and all(media in e for e in errors), bad.output


def test_check_reports_missing_range_support_and_a_bad_cover(make_project, tmp_path):
    """A plain static file server (no Range support) in front of a local publish."""
    import functools
    import http.server
    import threading

    from conftest import png_bytes

    port = _free_port()
    proj = make_project(_files(), config=BASE_CONFIG.replace(
        "url: https://example.test/", f"url: http://127.0.0.1:{port}/"))
    proj.write("cover.png", png_bytes(1000, 800))
    assert proj.run("publish").exit_code == 0
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(proj.root / "public"))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = proj.run("check", "--config", str(proj.root / "config.yaml"))
    finally:
        server.shutdown()
    assert result.exit_code == 1
    assert "a byte-range request got 200, not 206" in result.output
    assert "cover art is 1000x800 px; Apple needs a square of 1400 to 3000 px" in result.output


def test_header_only_change_is_a_server_side_copy(make_project, s3_endpoint, bucket):
    proj = make_project(_files(), config=_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    # as if an older release had published the feed with another type and cache lifetime
    key = "site/.syndicate/manifest.json"
    manifest = json.loads(bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    for row in manifest["objects"]:
        if row["key"] == "feed.xml":
            row["content_type"], row["cache_control"] = "text/xml", "max-age=86400"
    bucket.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(manifest).encode())
    bucket.copy_object(Bucket=BUCKET, Key="site/feed.xml", MetadataDirective="REPLACE",
                       CopySource={"Bucket": BUCKET, "Key": "site/feed.xml"},
                       ContentType="text/xml", CacheControl="max-age=86400",
                       Metadata=bucket.head_object(Bucket=BUCKET, Key="site/feed.xml")["Metadata"])
    plan = proj.run("publish", "--dry-run")
    assert "copy   feed.xml  (headers only, server-side)" in plan.output
    calls = []
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("before-send.s3", lambda request, **kw: calls.append(
        (request.method, request.url, "x-amz-copy-source" in request.headers))))
    try:
        result = proj.run("publish")
    finally:
        BUILTIN_HANDLERS.pop()
    assert result.exit_code == 0 and "wrote 0 files" in result.output
    puts = [(u.rsplit("/", 1)[-1], copy) for m, u, copy in calls if m == "PUT"]
    # the manifest marks feed.xml pending, the copy, then the manifest as it now stands (with
    # the publish generation in it)
    assert puts == [("manifest.json", False), ("feed.xml", True), ("manifest.json", False)]
    head = bucket.head_object(Bucket=BUCKET, Key="site/feed.xml")
    assert head["ContentType"] == "application/rss+xml; charset=utf-8"
    assert head["CacheControl"] == "public, max-age=300"
    assert len(head["Metadata"]["sha256"]) == 64
