"""Issue 12, the S3 target: a site touches only objects that are provably its own, notices
objects deleted or changed by hand, survives a manifest of the right shape with wrong types, and
never lets an output land on its own records. Against moto's S3 server on 127.0.0.1 through the
real boto3, asserting what the bucket holds afterwards."""

from __future__ import annotations

import io
import json
import re
from concurrent.futures import ThreadPoolExecutor

import podcastparser
import pytest
from test_s3_faults import assert_live_consistent, assert_manifest_true

from conftest import BUCKET, Project, png_bytes, post, s3_config, s3_files, s3_keys, sidecar, tone
from faultproxy import FaultProxy

MANIFEST = ".syndicate/manifest.json"


def _body(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def _manifest(client, prefix: str = "site/") -> dict:
    return json.loads(_body(client, prefix + MANIFEST))


def _project(root, files: dict, config: str) -> Project:
    """A second project beside the one make_project gives (two sites, two catalogs)."""
    proj = Project(root)
    proj.root.mkdir(parents=True)
    proj.write("config.yaml", config)
    proj.write("cover.png", png_bytes())
    (proj.root / "posts").mkdir()
    (proj.root / "episodes").mkdir()
    for rel, content in files.items():
        proj.write(rel, content)
    return proj


def _other_site_files() -> dict:
    return {"posts/x.md": post("Another author's post"),
            "episodes/one.yaml": sidecar("Their episode"), "episodes/one.mp3": tone(2.0, 330)}


def _whole_bucket(client) -> dict[str, str]:
    return s3_keys(client, prefix="")


# -- 1. another site's objects are never adopted, overwritten or deleted -----------------------
@pytest.mark.parametrize("theirs,ours", [
    ("blog/podcast", "blog"),  # a fresh catalog publishing above another site
    ("site", ""),  # the bucket's root above a site under site/
    ("blog", "blog/podcast"),  # a fresh catalog publishing inside another site
])
def test_a_site_nested_either_way_is_refused_and_the_other_is_untouched(
        make_project, tmp_path, s3_endpoint, bucket, theirs, ours):
    other = _project(tmp_path / "other", _other_site_files(),
                     s3_config(s3_endpoint, f"s3://{BUCKET}/{theirs}"))
    assert other.run("publish").exit_code == 0
    before = _whole_bucket(bucket)
    assert len([k for k in before if k.startswith(f"{theirs}/")]) >= 8
    target = f"s3://{BUCKET}/{ours}" if ours else f"s3://{BUCKET}"
    proj = make_project({**s3_files(), "posts/b.md": post("Mine", date="2026-10-02")},
                        config=s3_config(s3_endpoint, target))
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = next(ln for ln in result.output.splitlines() if ln.startswith("Error:"))
    assert f"s3://{BUCKET}/{theirs}/" in line
    assert ("holds another site below it" in line if len(ours) < len(theirs)
            else "lies inside the site published at" in line)
    assert _whole_bucket(bucket) == before  # nothing deleted, overwritten or added
    assert_live_consistent(bucket, prefix=f"{theirs}/")
    assert_manifest_true(bucket, prefix=f"{theirs}/")
    dry = proj.run("publish", "--dry-run")  # a dry run says so too, and changes nothing
    assert dry.exit_code == 1 and ("another site" in dry.output or "inside the site" in dry.output)


@pytest.mark.parametrize("deleted", [(".syndicate/manifest.json",),
                                     (".syndicate/manifest.json", "index.html")],
                         ids=["manifest", "manifest-and-home"])
def test_a_site_is_never_made_inside_one_whose_manifest_and_home_were_deleted(
        make_project, tmp_path, s3_endpoint, bucket, deleted):
    """h25 B5: the outer site's manifest and home page deleted by hand, its other objects
    (feeds, 404 page, sitemap) still carry its id: a new site inside is refused, and the
    outer site's next publish puts back what was deleted."""
    other = _project(tmp_path / "other", _other_site_files(),
                     s3_config(s3_endpoint, f"s3://{BUCKET}/blog/podcast"))
    assert other.run("publish").exit_code == 0
    for key in deleted:
        bucket.delete_object(Bucket=BUCKET, Key=f"blog/podcast/{key}")
    before = _whole_bucket(bucket)
    proj = make_project({**s3_files(), "posts/b.md": post("Mine", date="2026-10-02")},
                        config=s3_config(s3_endpoint, f"s3://{BUCKET}/blog/podcast/inner"))
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert (f"Error: s3://{BUCKET}/blog/podcast/inner/ lies inside the site published at "
            f"s3://{BUCKET}/blog/podcast/") in result.output, result.output
    assert _whole_bucket(bucket) == before
    again = other.run("publish")
    assert again.exit_code == 0, again.output
    assert all(f"blog/podcast/{key}" in _whole_bucket(bucket) for key in deleted)
    assert_live_consistent(bucket, prefix="blog/podcast/")
    assert_manifest_true(bucket, prefix="blog/podcast/")


def test_a_fresh_catalog_never_takes_over_another_sites_prefix(
        make_project, tmp_path, s3_endpoint, bucket):
    other = _project(tmp_path / "other", _other_site_files(), s3_config(s3_endpoint).replace(
        "url: https://example.test/", "url: https://other.example/"))
    assert other.run("publish").exit_code == 0
    before = _whole_bucket(bucket)
    their_id = _manifest(bucket)["site"]
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    result = proj.run("publish")
    assert result.exit_code == 1
    assert (f"Error: s3://{BUCKET}/site/ holds another site (id {their_id}, "
            "https://other.example/)") in result.output
    assert f"set s3.site_id: {their_id}" in result.output
    assert _whole_bucket(bucket) == before
    # the other site goes on publishing as before
    again = other.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output


def test_objects_put_there_by_hand_are_never_overwritten(make_project, s3_endpoint, bucket):
    bucket.put_object(Bucket=BUCKET, Key="site/feed.xml", Body=b"<rss>by hand</rss>",
                      Metadata={"sha256": "0" * 64})  # looks like ours, names no site
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    result = proj.run("publish")
    assert result.exit_code == 1
    assert ("refusing to overwrite 1 object(s) this site did not publish (feed.xml): they were "
            "put there by hand or by another tool: move them away or publish to a prefix of "
            "its own (no option overwrites another's objects on S3)") in result.output
    assert _whole_bucket(bucket).keys() == {"site/feed.xml"}  # nothing at all was sent
    assert _body(bucket, "site/feed.xml") == b"<rss>by hand</rss>"


def test_a_lost_catalog_recovers_the_site_from_its_manifest(make_project, s3_endpoint, bucket):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    site_id = _manifest(bucket)["site"]
    before = _whole_bucket(bucket)
    (proj.root / ".syndicate" / "catalog.db").unlink()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert (f"this catalog had no record of the site there; adopted it from its manifest "
            f"(site {site_id}, https://example.test/)") in result.output
    assert "deleted 0" in result.output
    after = _whole_bucket(bucket)
    assert before.keys() <= after.keys()  # nothing lost
    assert _manifest(bucket)["site"] == site_id
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)
    again = proj.run("publish")  # the id is kept in the new catalog: no warning now
    assert again.exit_code == 0 and "adopted" not in again.output
    assert "wrote 0 files" in again.output


def test_a_rebuilt_manifest_adopts_only_objects_with_this_sites_id(
        make_project, s3_endpoint, bucket):
    # objects that carry a sha256 but not this site's id: by hand, another site, an old tool
    bucket.put_object(Bucket=BUCKET, Key="site/old/page.html", Body=b"old",
                      Metadata={"sha256": "1" * 64})
    bucket.put_object(Bucket=BUCKET, Key="site/theirs.mp3", Body=b"mp3",
                      Metadata={"sha256": "2" * 64, "site": "someone-else"})
    proj = make_project({**s3_files(), "posts/b.md": post("Second", date="2026-10-02")},
                        config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    bucket.delete_object(Bucket=BUCKET, Key="site/" + MANIFEST)
    (proj.root / "posts/b.md").unlink()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "deleted 1" in result.output  # the removed post's page: it carries our id
    keys = _whole_bucket(bucket)
    assert "site/posts/b/index.html" not in keys
    assert {"site/old/page.html", "site/theirs.mp3"} <= keys.keys()
    rows = {r["key"] for r in _manifest(bucket)["objects"]}
    assert "old/page.html" not in rows and "theirs.mp3" not in rows
    assert_live_consistent(bucket)


# -- 2. a manifest that lies: objects gone or changed are put back -------------------------------
def test_objects_deleted_or_changed_by_hand_are_restored(make_project, s3_endpoint, bucket):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    feed = podcastparser.parse("x", io.BytesIO(_body(bucket, "site/podcast.xml")))
    media = "site/" + feed["episodes"][0]["enclosures"][0]["url"].removeprefix(
        "https://example.test/")
    good = {k: _body(bucket, k) for k in (media, "site/feed.xml", "site/index.html")}
    bucket.delete_object(Bucket=BUCKET, Key=media)
    bucket.delete_object(Bucket=BUCKET, Key="site/feed.xml")
    page = good["site/index.html"]
    bucket.put_object(Bucket=BUCKET, Key="site/index.html",  # same size, other bytes
                      Body=page.replace(b"Test Site", b"Hacked!!!"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "wrote 3 files" in result.output
    assert "3 object(s) the manifest lists are missing or changed in the bucket" in result.output
    for key, data in good.items():
        assert _body(bucket, key) == data
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)
    again = proj.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output


@pytest.mark.parametrize("strangers", [0, 1, 1000])  # 1000 and the site: two pages
def test_a_no_change_publish_reads_the_manifest_and_one_list_page_per_1000_objects(
        make_project, s3_endpoint, bucket, strangers):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    # objects of someone else's under the prefix: listed, never touched
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda n: bucket.put_object(Bucket=BUCKET, Key=f"site/x/{n:05d}.txt",
                                                  Body=b"x"), range(strangers)))
    before = _whole_bucket(bucket)
    pages = -(-len(before) // 1000)
    with FaultProxy(s3_endpoint) as proxy:
        proj.write("config.yaml", s3_config(proxy.url))
        result = proj.run("publish")
    assert result.exit_code == 0 and "wrote 0 files" in result.output, result.output
    manifest_reads = [s for s in proxy.seen if s.method == "GET"
                      and s.path.split("?")[0].endswith("/" + MANIFEST)]
    lists = [s for s in proxy.seen if s.method == "GET" and "list-type=2" in s.path]
    assert len(manifest_reads) == 1 and len(lists) == pages == (2 if strangers >= 1000 else 1)
    # the publish generation (a restored catalog is noticed) comes inside the manifest
    assert len(proxy.seen) == 1 + pages, [(s.method, s.path) for s in proxy.seen]
    assert _whole_bucket(bucket) == before


def test_collect_alone_reads_the_publish_generation_from_the_manifest_only(
        make_project, s3_endpoint, bucket):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    proj.write("posts/b.md", post("Second", date="2026-10-02"))
    with FaultProxy(s3_endpoint) as proxy:
        proj.write("config.yaml", s3_config(proxy.url))
        result = proj.run("collect")
    assert result.exit_code == 0, result.output
    assert [(s.method, s.path.split("?")[0]) for s in proxy.seen] == \
        [("GET", f"/{BUCKET}/site/{MANIFEST}")]  # no listing, no state.json


# -- 3. a manifest of the right shape with wrong types is rebuilt, with a warning ----------------
@pytest.mark.parametrize("damage", [
    {"version": 1, "objects": [{"key": 5, "size": "x"}]},
    {"version": 2, "site": "abc", "site_url": "https://example.test/",
     "objects": [{"key": "feed.xml", "sha256": None, "size": 10}]},
    {"version": 2, "site": ["abc"], "objects": []},
    {"version": "2", "objects": {}},
    [1, 2, 3],
])
def test_a_manifest_with_wrong_types_is_rebuilt_not_a_traceback(
        make_project, s3_endpoint, bucket, damage):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    good = _manifest(bucket)
    before = _whole_bucket(bucket)
    bucket.put_object(Bucket=BUCKET, Key="site/" + MANIFEST, Body=json.dumps(damage).encode())
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert (f"Warning: s3://{BUCKET}/site/{MANIFEST}: " in result.output
            and "rebuilt from the" in result.output)
    assert "wrote 0 files" in result.output and "deleted 0" in result.output
    rebuilt = _manifest(bucket)
    assert rebuilt["site"] == good["site"]
    assert {r["key"]: r["sha256"] for r in rebuilt["objects"]} == \
        {r["key"]: r["sha256"] for r in good["objects"]}
    assert _whole_bucket(bucket).keys() == before.keys()
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)


def test_a_manifest_of_a_newer_syndicate_is_refused_and_nothing_is_touched(
        make_project, s3_endpoint, bucket):
    """h25 L11: as a newer catalog is refused, so is the manifest a newer syndicate wrote:
    never rebuilt and overwritten by an older one."""
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    newer = {**_manifest(bucket), "version": 3}
    bucket.put_object(Bucket=BUCKET, Key="site/" + MANIFEST, Body=json.dumps(newer).encode())
    before = {k: _body(bucket, k) for k in _whole_bucket(bucket)}
    proj.write("posts/b.md", post("Another", date="2026-10-02"))
    for args in (("publish",), ("publish", "--force"), ("queue", "b", "--at", "2026-12-01")):
        result = proj.run(*args)
        assert "Traceback" not in result.output, result.output
        if args[0] == "publish":
            assert result.exit_code == 1, result.output
            assert "written by a newer syndicate (manifest version 3" in result.output
        assert {k: _body(bucket, k) for k in _whole_bucket(bucket)} == before


# -- 4. no output lands on the manifest or anywhere in the reserved area ------------------------
@pytest.mark.parametrize("setting,name", [
    ("blog:\n  rss_path: .syndicate/manifest.json\n", "blog.rss_path"),
    ("blog:\n  atom_path: .syndicate/atom.xml\n", "blog.atom_path"),
    ("podcast_path", "podcast.feed_path"),
])
def test_an_output_key_in_the_reserved_area_is_refused_naming_the_config_key(
        make_project, s3_endpoint, bucket, setting, name):
    config = s3_config(s3_endpoint)
    if setting == "podcast_path":
        config = config.replace("  explicit: false\n",
                                "  explicit: false\n  feed_path: .syndicate\n")
    else:
        config += setting
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    before = {k: _body(bucket, k) for k in _whole_bucket(bucket)}
    proj.write("config.yaml", config)
    result = proj.run("publish")
    assert result.exit_code == 2  # a config error, naming the key and its line
    assert "Traceback" not in result.output
    assert re.search(rf"config\.yaml:\d+: '{re.escape(name)}': refusing the output key",
                     result.output), result.output
    assert ".syndicate/ is reserved for syndicate's own records" in result.output
    assert {k: _body(bucket, k) for k in _whole_bucket(bucket)} == before
    proj.write("config.yaml", s3_config(s3_endpoint))
    again = proj.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output


# -- sites published before sites had an id ------------------------------------------------------
def _make_legacy(client) -> None:
    """The bucket as an earlier syndicate left it: a version 1 manifest, objects with no site."""
    manifest = _manifest(client)
    rows = [{k: v for k, v in r.items() if k != "etag"} for r in manifest["objects"]]
    client.put_object(Bucket=BUCKET, Key="site/" + MANIFEST,
                      Body=json.dumps({"version": 1, "objects": rows}).encode())
    for row in rows:
        key = "site/" + row["key"]
        head = client.head_object(Bucket=BUCKET, Key=key)
        client.copy_object(Bucket=BUCKET, Key=key, CopySource={"Bucket": BUCKET, "Key": key},
                           MetadataDirective="REPLACE", ContentType=head["ContentType"],
                           CacheControl=head["CacheControl"],
                           Metadata={"sha256": head["Metadata"]["sha256"]})


def _sites(client) -> set[str | None]:
    return {client.head_object(Bucket=BUCKET, Key=k)["Metadata"].get("site")
            for k in s3_keys(client) if not k.endswith(MANIFEST)}


def test_a_site_of_an_earlier_syndicate_is_adopted_by_its_own_catalog(
        make_project, s3_endpoint, bucket):
    import sqlite3

    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    _make_legacy(bucket)
    with sqlite3.connect(proj.root / ".syndicate" / "catalog.db") as db:
        db.execute("DELETE FROM meta WHERE key = 'site_id'")  # as the earlier catalog was
    before = set(_whole_bucket(bucket))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "the manifest of an earlier syndicate was adopted" in result.output
    assert "wrote 0 files" in result.output and "deleted 0" in result.output
    site_id = _manifest(bucket)["site"]
    assert _sites(bucket) == {site_id}  # each object stamped once, by a server-side copy
    assert set(_whole_bucket(bucket)) == before
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)
    again = proj.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output
    assert "adopted" not in again.output


def test_a_site_of_an_earlier_syndicate_is_not_taken_by_a_fresh_catalog_unless_named(
        make_project, s3_endpoint, bucket):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    _make_legacy(bucket)
    (proj.root / ".syndicate" / "catalog.db").unlink()
    before = {k: _body(bucket, k) for k in _whole_bucket(bucket)}
    result = proj.run("publish")
    assert result.exit_code == 1
    assert (f"Error: s3://{BUCKET}/site/ holds a site published by an earlier syndicate, and "
            "this catalog has no record of publishing there") in result.output
    assert "set s3.site_id to an id of your choosing" in result.output
    assert {k: _body(bucket, k) for k in _whole_bucket(bucket)} == before
    proj.write("config.yaml", s3_config(s3_endpoint) + "  site_id: my-show\n")
    adopted = proj.run("publish")
    assert adopted.exit_code == 0, adopted.output
    assert "deleted 0" in adopted.output
    assert _manifest(bucket)["site"] == "my-show" and _sites(bucket) == {"my-show"}
    assert set(_whole_bucket(bucket)) == set(before)
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)


def test_a_known_site_moved_inside_another_site_is_refused(
        make_project, tmp_path, s3_endpoint, bucket):
    other = _project(tmp_path / "other", _other_site_files(),
                     s3_config(s3_endpoint, f"s3://{BUCKET}/blog"))
    assert other.run("publish").exit_code == 0
    proj = make_project(s3_files(), config=s3_config(s3_endpoint, f"s3://{BUCKET}/mine"))
    assert proj.run("publish").exit_code == 0  # this catalog has a site id of its own now
    before = _whole_bucket(bucket)
    proj.write("config.yaml", s3_config(s3_endpoint, f"s3://{BUCKET}/blog/mine"))
    result = proj.run("publish")
    assert result.exit_code == 1
    assert (f"Error: s3://{BUCKET}/blog/mine/ lies inside the site published at "
            f"s3://{BUCKET}/blog/") in result.output
    assert _whole_bucket(bucket) == before


def test_a_damaged_manifest_and_a_lost_catalog_name_the_site_to_adopt(
        make_project, s3_endpoint, bucket):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    site_id = _manifest(bucket)["site"]
    (proj.root / ".syndicate" / "catalog.db").unlink()
    bucket.put_object(Bucket=BUCKET, Key="site/" + MANIFEST, Body=b'{"version": 2, "objects"')
    before = {k: _body(bucket, k) for k in _whole_bucket(bucket)}
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{MANIFEST}: not JSON" in result.output
    assert f"set s3.site_id: {site_id} in the config" in result.output
    assert {k: _body(bucket, k) for k in _whole_bucket(bucket)} == before
    proj.write("config.yaml", s3_config(s3_endpoint) + f"  site_id: {site_id}\n")
    adopted = proj.run("publish")
    assert adopted.exit_code == 0, adopted.output
    assert "rebuilt from the" in adopted.output and "deleted 0" in adopted.output
    assert _manifest(bucket)["site"] == site_id
    assert set(_whole_bucket(bucket)) == set(before)
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)
