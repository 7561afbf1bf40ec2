"""The S3 manifest is outside input (anyone who can write to the bucket can change it): its reader
gives a sound manifest or one DamagedManifest naming it, for any bytes, and a publish meeting a
damaged one rebuilds it from the objects that are provably the site's own."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_s3_faults import assert_live_consistent, assert_manifest_true

from conftest import BUCKET, s3_config, s3_files, s3_keys
from syndicate import generation
from syndicate.errors import SyndicateError
from syndicate.publish import manifest

NAME = "s3://bucket/site/.syndicate/manifest.json"
HEX = "0123456789abcdef"

scalars = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(st.characters(codec="utf-8"), max_size=30))
json_values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                           max_leaves=30)
keys = (st.sampled_from(["feed.xml", "media/a-1.mp3", "posts/x/index.html", "../up.xml",
                         "/abs", ".syndicate/manifest.json", "", "a//b", "a\\b", "a b"])
        | st.text(max_size=20))
good_sha = st.text(HEX, min_size=64, max_size=64)
field_values = {  # each field: a sound value or anything at all
    "key": keys | json_values,
    "sha256": good_sha | json_values,
    "size": st.integers(min_value=0, max_value=10**9) | json_values,
    "content_type": st.just("text/html") | json_values,
    "cache_control": st.just("public, max-age=300") | json_values,
    "input_hash": good_sha | json_values,
    "etag": st.just('"abc"') | json_values,
    "pending": st.just(True) | json_values,
}
rows = st.fixed_dictionaries({}, optional=field_values)
shaped = st.fixed_dictionaries(
    {"version": st.sampled_from([1, 2]) | json_values, "objects": st.lists(rows, max_size=5)},
    optional={"site": st.text(string.ascii_letters + string.digits + "-", min_size=1,
                              max_size=64) | json_values,
              "site_url": st.just("https://example.test/") | json_values,
              "generation": st.integers(0, 2**40) | json_values,
              "catalog": st.uuids().map(str) | json_values})


def _read_or_damaged(body: bytes) -> manifest.Manifest | None:
    """The property: a manifest whose every field is well typed, or one error naming it."""
    try:
        found = manifest.read(body, NAME)
    except (manifest.DamagedManifest, manifest.NewerManifest) as exc:
        assert isinstance(exc, SyndicateError)
        text = str(exc)
        assert text.startswith(NAME + ": ") and "\n" not in text and len(text) < 400
        return None
    assert found.site is None or manifest.SITE_ID.match(found.site)
    assert found.state is None or (type(found.state["generation"]) is int
                                   and found.state["generation"] >= 0
                                   and isinstance(found.state["catalog"], str))
    for key, row in found.rows.items():
        assert isinstance(key, str) and row["key"] == key
        assert not key.startswith(".syndicate/") and ".." not in key.split("/")
        if row.get("pending"):
            continue
        assert type(row["size"]) is int and row["size"] >= 0
        assert isinstance(row["sha256"], str)
        for name in ("content_type", "cache_control", "input_hash", "etag"):
            assert isinstance(row[name], str)
    return found


@settings(max_examples=400, deadline=1000)
@given(json_values)
def test_any_json_value_reads_as_a_sound_manifest_or_one_clear_error(value):
    _read_or_damaged(json.dumps(value).encode())


@settings(max_examples=400, deadline=1000)
@given(shaped)
def test_the_right_shape_with_wrong_types_is_damaged_never_a_crash(value):
    _read_or_damaged(json.dumps(value).encode())


@settings(max_examples=200, deadline=1000)
@given(st.binary(max_size=300) | st.text(max_size=100).map(
    lambda t: t.encode("utf-16")) | st.sampled_from(
    [b"[" * 100_000, b'{"a":' * 50_000, b"\x00" * 10, b"NaN", b'{"version": 1e400}',
     b"\xef\xbb\xbf{}", b'{"version":1,"objects":[' + b"9" * 5000 + b"]}"]))
def test_any_bytes_read_as_a_sound_manifest_or_one_clear_error(body):
    _read_or_damaged(body)


@settings(max_examples=100, deadline=1000)
@given(st.lists(st.fixed_dictionaries({
    "key": st.from_regex(r"\A[a-z0-9]{1,8}(/[a-z0-9]{1,8}){0,2}\.(xml|html|mp3)\Z"),
    "sha256": good_sha, "size": st.integers(0, 2**40), "content_type": st.just("audio/mpeg"),
    "cache_control": st.just("public"), "input_hash": st.just(""), "etag": st.just('"e"')}),
    max_size=6, unique_by=lambda r: r["key"]),
    st.none() | st.fixed_dictionaries({"generation": st.integers(0, generation.MAX_GENERATION),
                                       "catalog": st.uuids().map(str)}))
def test_what_is_written_reads_back_the_same(objects, state):
    found = _read_or_damaged(manifest.dump("site-1", "https://example.test/", objects, state))
    assert found is not None and found.site == "site-1"
    assert found.rows == {r["key"]: r for r in objects}
    assert found.state == state  # the publish generation travels with the manifest


def test_a_wrong_type_is_named_in_the_message():
    body = json.dumps({"version": 1, "objects": [{"key": 5, "size": "x"}]}).encode()
    try:
        manifest.read(body, NAME)
    except manifest.DamagedManifest as exc:
        assert str(exc) == f"{NAME}: object 1: 'key' must be text, got a number"
    else:
        raise AssertionError("a key of 5 was accepted")


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(damage=shaped)
def test_a_publish_meeting_a_generated_manifest_keeps_the_site_whole(
        make_project_once, s3_endpoint, bucket, damage):
    proj = make_project_once(s3_config(s3_endpoint))
    before = set(s3_keys(bucket))
    body = json.dumps(damage).encode()
    sound = _read_or_damaged(body) is not None
    bucket.put_object(Bucket=BUCKET, Key="site/.syndicate/manifest.json", Body=body)
    result = proj.run("publish")
    assert "Traceback" not in result.output
    assert set(s3_keys(bucket)) == before  # nothing lost, nothing foreign added
    if not sound:  # damaged: rebuilt from the objects that carry this site's id, with a warning
        assert result.exit_code == 0, result.output
        assert "wrote 0 files" in result.output and "deleted 0" in result.output
        assert "Warning: s3://podcast-site/site/.syndicate/manifest.json: " in result.output
    elif result.exit_code == 1:  # well formed but another site's: refused, one clear line
        errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
        assert len(errors) == 1 and "holds a" in errors[0] and "site" in errors[0]
        assert _body(bucket, "site/.syndicate/manifest.json") == body  # untouched
        return
    assert result.exit_code == 0, result.output
    assert "deleted 0" in result.output
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)


def _body(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


@pytest.fixture
def make_project_once(make_project):
    """One published project for all of a Hypothesis test's examples."""
    made = []

    def get(config: str):
        if not made:
            made.append(make_project(s3_files(), config=config))
            assert made[0].run("publish").exit_code == 0
        return made[0]

    return get
