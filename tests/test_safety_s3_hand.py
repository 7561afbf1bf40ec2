"""Issue 12 (N3, N9, N18, N29): an S3 site changed by hand behind syndicate's back. Through the
CLI, against moto's S3 server on 127.0.0.1 with the real boto3, asserting what the bucket holds."""

from __future__ import annotations

import io
import shutil

import podcastparser
import pytest
from test_s3_faults import assert_live_consistent, assert_manifest_true
from test_safety_s3 import _body, _manifest, _other_site_files, _project, _whole_bucket

from conftest import BUCKET, post, s3_config, s3_files, tone

MANIFEST = ".syndicate/manifest.json"


def _media_key(client, prefix="site/") -> str:
    feed = podcastparser.parse("x", io.BytesIO(_body(client, prefix + "podcast.xml")))
    return prefix + feed["episodes"][0]["enclosures"][0]["url"].removeprefix(
        "https://example.test/")


@pytest.mark.parametrize("which", ["media", "site/feed.xml", "site/index.html"])
def test_an_object_replaced_keeping_its_size_and_metadata_is_restored(
        make_project, s3_endpoint, bucket, which):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    media = _media_key(bucket) if which == "media" else which
    good = _body(bucket, media)
    head = bucket.head_object(Bucket=BUCKET, Key=media)
    bucket.put_object(Bucket=BUCKET, Key=media, Body=b"y" * head["ContentLength"],
                      Metadata=head["Metadata"], ContentType=head["ContentType"],
                      CacheControl=head["CacheControl"])
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "wrote 1 file" in result.output
    assert "1 object(s) the manifest lists are missing or changed" in result.output
    assert _body(bucket, media) == good
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)
    again = proj.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output


def test_a_multipart_object_is_unchanged_by_its_etag_and_restored_when_replaced(
        make_project, s3_endpoint, bucket):
    audio = tone(700.0)  # about 5.6 MB: sent in two parts, its ETag is a multipart one
    config = s3_config(s3_endpoint) + "  multipart_threshold_mb: 5\naudio:\n  process: false\n"
    proj = make_project({**s3_files(), "episodes/one.mp3": audio}, config=config)
    assert proj.run("publish").exit_code == 0
    media = _media_key(bucket)
    head = bucket.head_object(Bucket=BUCKET, Key=media)
    assert "-" in head["ETag"]  # a multipart ETag
    same = proj.run("publish")
    assert same.exit_code == 0 and "wrote 0 files" in same.output, same.output
    bucket.put_object(Bucket=BUCKET, Key=media, Body=b"z" * head["ContentLength"],
                      Metadata=head["Metadata"], ContentType=head["ContentType"])
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "wrote 1 file" in result.output
    assert _body(bucket, media) == audio
    assert_manifest_true(bucket)


def test_headers_edited_by_hand_are_put_back_by_publish_verify(
        make_project, s3_endpoint, bucket):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    media = _media_key(bucket)
    keys = ["site/podcast.xml", media]
    good = {k: bucket.head_object(Bucket=BUCKET, Key=k) for k in keys}
    for key in keys:
        bucket.copy_object(Bucket=BUCKET, Key=key, CopySource={"Bucket": BUCKET, "Key": key},
                           MetadataDirective="REPLACE", Metadata=good[key]["Metadata"],
                           ContentType="text/html", CacheControl="no-store")
    plain = proj.run("publish")  # the documented limit: a plain publish cannot see it
    assert plain.exit_code == 0 and "wrote 0 files" in plain.output
    result = proj.run("publish", "--verify")
    assert result.exit_code == 0, result.output
    for key in keys:
        now = bucket.head_object(Bucket=BUCKET, Key=key)
        assert now["ContentType"] == good[key]["ContentType"]
        assert now["CacheControl"] == good[key]["CacheControl"]
        assert now["Metadata"] == good[key]["Metadata"]
    assert_manifest_true(bucket)
    again = proj.run("publish", "--verify")
    assert again.exit_code == 0 and "wrote 0 files" in again.output


def test_a_post_queued_after_a_backup_stays_held_when_the_backup_comes_back(
        make_project, s3_endpoint, bucket):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    db = proj.root / ".syndicate" / "catalog.db"
    backup = proj.root.parent / "backup.db"
    shutil.copy(db, backup)
    proj.write("posts/soon.md", post("Soon", date="2026-01-02"))
    queued = proj.run("queue", "posts/soon.md", "--at", "2099-02-01")
    assert queued.exit_code == 0, queued.output
    assert not [k for k in _whole_bucket(bucket) if "soon" in k]
    for extra in ("catalog.db-wal", "catalog.db-shm"):
        (proj.root / ".syndicate" / extra).unlink(missing_ok=True)
    shutil.copy(backup, db)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "the catalog is older than the published site" in result.output
    assert "posts/soon.md: held back" in result.output
    assert not [k for k in _whole_bucket(bucket) if "soon" in k]
    assert b"Soon" not in _body(bucket, "site/feed.xml")


def test_a_local_site_without_its_state_holds_new_items_but_a_new_site_publishes(make_project):
    proj = make_project({"posts/a.md": post("First post")})
    first = proj.run("publish")  # a brand-new site: nothing to confirm, it publishes
    assert first.exit_code == 0, first.output
    assert (proj.root / "public" / "posts" / "a" / "index.html").is_file()
    db = proj.root / ".syndicate" / "catalog.db"
    backup = proj.root.parent / "backup.db"
    shutil.copy(db, backup)
    proj.write("posts/soon.md", post("Soon", date="2026-01-02"))
    assert proj.run("queue", "posts/soon.md", "--at", "2099-02-01").exit_code == 0
    for extra in ("catalog.db-wal", "catalog.db-shm"):
        (proj.root / ".syndicate" / extra).unlink(missing_ok=True)
    shutil.copy(backup, db)
    shutil.rmtree(proj.root / "public" / ".syndicate")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "posts/soon.md: held back" in result.output
    assert not (proj.root / "public" / "posts" / "soon").exists()
    assert "Soon" not in (proj.root / "public" / "feed.xml").read_text()
    # confirmed by queueing it: then it goes out
    assert proj.run("queue", "posts/soon.md", "--at", "now").exit_code == 0
    assert proj.run("publish").exit_code == 0
    assert "Soon" in (proj.root / "public" / "feed.xml").read_text()


def test_a_site_whose_manifest_was_deleted_keeps_others_out_and_recovers(
        make_project, tmp_path, s3_endpoint, bucket):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint, f"s3://{BUCKET}/nx"))
    assert proj.run("publish").exit_code == 0
    site_id = _manifest(bucket, "nx/")["site"]
    bucket.delete_object(Bucket=BUCKET, Key="nx/" + MANIFEST)
    before = _whole_bucket(bucket)
    other_url = "url: https://other.example/"
    for target in ("nx/sub", ""):  # inside it, and above it
        other = _project(tmp_path / f"other{len(target)}", _other_site_files(),
                         s3_config(s3_endpoint, f"s3://{BUCKET}/{target}".rstrip("/")).replace(
                             "url: https://example.test/", other_url))
        result = other.run("publish")
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert site_id in result.output and f"s3://{BUCKET}/nx/" in result.output
        assert _whole_bucket(bucket) == before
    again = proj.run("publish")
    assert again.exit_code == 0, again.output
    assert _manifest(bucket, "nx/")["site"] == site_id
    assert_live_consistent(bucket, prefix="nx/")
    assert_manifest_true(bucket, prefix="nx/")
