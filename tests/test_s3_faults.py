"""S3 publishing when things go wrong: a flaky store, a store that keeps failing, a publish
killed with SIGKILL half-way, refused credentials, keys that would leave the prefix."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import urllib.request

import feedparser
import podcastparser
import pytest

from conftest import (
    BUCKET,
    NOW,
    post,
    s3_config,
    s3_files,
    s3_keys,
    sidecar,
    tone,
)
from faultproxy import FaultProxy

SECRET = "wJalrXUtnFEMI-not-a-real-secret-9d1f"


def _body(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def assert_live_consistent(client, prefix: str = "site/") -> None:
    """What a subscriber fetches now points only at objects that exist, with the right size."""
    keys = {k: None for k in s3_keys(client, prefix)}
    base = "https://example.test/"
    if f"{prefix}podcast.xml" in keys:
        feed = podcastparser.parse("x", io.BytesIO(_body(client, f"{prefix}podcast.xml")))
        for ep in feed["episodes"]:
            enc = ep["enclosures"][0]
            key = prefix + enc["url"].removeprefix(base)
            assert key in keys, f"the live feed points at {key}, which is missing"
            head = client.head_object(Bucket=BUCKET, Key=key)
            assert head["ContentLength"] == enc["file_size"]
    for name in ("feed.xml", "atom.xml"):
        if f"{prefix}{name}" in keys:
            parsed = feedparser.parse(_body(client, f"{prefix}{name}"))
            assert not parsed.bozo
            for entry in parsed.entries:
                key = prefix + entry.link.removeprefix(base) + "index.html"
                assert key in keys, f"{name} links {key}, which is missing"


def assert_manifest_true(client, prefix: str = "site/") -> None:
    """The manifest lists exactly the objects there, each with the sha256 the object carries."""
    manifest = json.loads(_body(client, f"{prefix}.syndicate/manifest.json"))
    rows = {prefix + r["key"]: r for r in manifest["objects"]}
    assert not any(r.get("pending") for r in rows.values())
    listed = {k for k in s3_keys(client, prefix) if not k.startswith(f"{prefix}.syndicate/")}
    assert set(rows) == listed
    for key, row in rows.items():
        assert client.head_object(Bucket=BUCKET, Key=key)["Metadata"]["sha256"] == row["sha256"]


def _manifest_generation(client, prefix: str = "site/") -> int:
    return json.loads(_body(client, f"{prefix}.syndicate/manifest.json"))["generation"]


def _catalog_generation(proj) -> int:
    with sqlite3.connect(proj.root / ".syndicate" / "catalog.db") as db:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'publish_generation'"
                              ).fetchone()
    return int(value)


def _second_release(proj) -> None:
    """Changes that touch every phase: new media, a new page, all three feeds."""
    proj.write("episodes/two.yaml", sidecar("Two", date="2026-10-02 08:00"))
    proj.write("episodes/two.mp3", tone(2.0, freq=550))
    proj.write("posts/b.md", post("Second post", date="2026-10-02"))


def test_a_flaky_store_is_retried_to_the_end(make_project, s3_endpoint, bucket):
    kinds = ["503", "reset", "500"]

    def schedule(n, method, path):  # every third request fails, never twice in a row
        if n % 3 == 0:
            kind = kinds[(n // 3) % 3]
            return int(kind) if kind.isdigit() else kind
        return None

    with FaultProxy(s3_endpoint, schedule) as proxy:
        proj = make_project(s3_files(), config=s3_config(proxy.url, attempts=4))
        _second_release(proj)
        result = proj.run("publish")
    assert result.exit_code == 0, result.output
    outcomes = {s.outcome for s in proxy.seen}
    assert {"500", "503", "reset", "ok"} <= outcomes
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)
    feed = podcastparser.parse("x", io.BytesIO(_body(bucket, "site/podcast.xml")))
    assert sorted(e["title"] for e in feed["episodes"]) == ["One", "Two"]
    again = proj.run("publish")  # straight to the store now (the proxy is gone): in step
    assert again.exit_code == 1  # the proxy's address no longer answers
    proj.write("config.yaml", s3_config(s3_endpoint))
    again = proj.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output


def test_a_store_that_keeps_failing_leaves_the_previous_feeds_live(
        make_project, s3_endpoint, bucket):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    before = {k: _body(bucket, k) for k in ("site/podcast.xml", "site/feed.xml")}
    _second_release(proj)

    def schedule(n, method, path):
        return 500 if method == "PUT" and path.endswith("/podcast.xml") else None

    with FaultProxy(s3_endpoint, schedule) as proxy:
        proj.write("config.yaml", s3_config(proxy.url, attempts=3))
        result = proj.run("publish")
    assert result.exit_code == 1
    assert "object 'podcast.xml': InternalError (HTTP 500, 3 attempts)" in result.output
    assert "run publish again to finish" in result.output
    assert len(proxy.puts("500")) == 3  # max_attempts counts every attempt, the first too
    assert "Traceback" not in result.output
    assert _body(bucket, "site/podcast.xml") == before["site/podcast.xml"]
    assert_live_consistent(bucket)
    arrived = [p for p in proxy.puts() if "/media/" in p]
    assert len(arrived) == 1  # episode two's audio reached the store before the feeds failed
    with FaultProxy(s3_endpoint) as proxy:
        proj.write("config.yaml", s3_config(proxy.url))
        result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert not [p for p in proxy.puts() if "/media/" in p]  # not sent twice
    assert "podcast.xml" in " ".join(proxy.puts())
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)
    feed = podcastparser.parse("x", io.BytesIO(_body(bucket, "site/podcast.xml")))
    assert len(feed["episodes"]) == 2


KILL_POINTS = [  # (pattern of the PUT's path, which occurrence): the publish dies as it arrives
    ("manifest.json", 1),  # the manifest that marks the run's keys pending
    ("/media/", 1),  # the new episode's audio
    ("index.html", 2),  # the middle of the pages
    (r"/(podcast|feed|atom)\.xml", 2),  # between two feeds
    ("manifest.json", 2),  # the final manifest
]


@pytest.mark.parametrize("pattern,occurrence", KILL_POINTS)
def test_a_publish_killed_half_way_ends_consistent_when_run_again(
        make_project, s3_endpoint, bucket, pattern, occurrence):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    _second_release(proj)
    proc: list[subprocess.Popen] = []
    hits = []

    def schedule(n, method, path):
        if method == "PUT" and re.search(pattern, path):
            hits.append(path)
            if len(hits) == occurrence:
                return lambda: os.kill(proc[0].pid, signal.SIGKILL)
        return None

    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    cmd = [sys.executable, "-m", "syndicate", "publish", "--config",
           str(proj.root / "config.yaml"), "--now", NOW]
    with FaultProxy(s3_endpoint, schedule) as proxy:
        proj.write("config.yaml", s3_config(proxy.url))
        proc.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT))
        out, _ = proc[0].communicate(timeout=120)
    assert proc[0].returncode == -signal.SIGKILL, out.decode()
    assert_live_consistent(bucket)
    arrived = {p for p in proxy.puts() if not p.endswith("manifest.json")}

    with FaultProxy(s3_endpoint) as proxy:
        proj.write("config.yaml", s3_config(proxy.url))
        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert not arrived & set(proxy.puts()), "the rerun sent again what had already arrived"
    # the site never gets ahead of the catalog (which would hold items back as if the catalog
    # were a restored backup): the manifest carries the catalog's generation again
    assert "held back" not in rerun.stdout + rerun.stderr
    assert "older than the published site" not in rerun.stdout + rerun.stderr
    assert _manifest_generation(bucket) == _catalog_generation(proj)
    assert_live_consistent(bucket)
    assert_manifest_true(bucket)
    feed = podcastparser.parse("x", io.BytesIO(_body(bucket, "site/podcast.xml")))
    assert sorted(e["title"] for e in feed["episodes"]) == ["One", "Two"]
    proj.write("config.yaml", s3_config(s3_endpoint))
    assert "wrote 0 files" in proj.run("publish").output


def test_refused_credentials_fail_clearly_and_never_show_the_secret(
        make_project, s3_endpoint, bucket, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    # moto checks signatures against its own IAM users once authentication is switched on
    def auth_after(count: bytes) -> None:
        urllib.request.urlopen(urllib.request.Request(
            f"{s3_endpoint}/moto-api/reset-auth", data=count, method="POST",
            headers={"Content-Type": "text/plain"}), timeout=10)

    auth_after(b"0")
    try:
        result = proj.run("publish")
    finally:
        auth_after(b"inf")
    assert result.exit_code == 1
    assert "the S3 credentials were refused for bucket 'podcast-site'" in result.output
    assert "AWS_PROFILE" in result.output
    assert SECRET not in result.output and "Traceback" not in result.output
    assert s3_keys(bucket, prefix="") == {}


def test_credentials_never_reach_the_bucket_the_catalog_or_the_output(
        make_project, s3_endpoint, bucket, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    result = proj.run("publish")
    assert result.exit_code == 0
    assert SECRET not in result.output
    for key in s3_keys(bucket, prefix=""):
        obj = bucket.get_object(Bucket=BUCKET, Key=key)
        assert SECRET.encode() not in obj["Body"].read()
        assert SECRET not in json.dumps(obj["Metadata"])
    for path in proj.root.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("setting,message", [
    ("  rss_path: ../escape.xml\n", "refusing the output key '../escape.xml'"),
    ("  rss_path: podcast.xml\n", "two outputs would be written to the same key: podcast.xml"),
])
def test_keys_that_leave_the_prefix_or_collide_upload_nothing(
        make_project, s3_endpoint, bucket, setting, message):
    config = s3_config(s3_endpoint) + "blog:\n" + setting
    proj = make_project(s3_files(), config=config)
    result = proj.run("publish")
    assert result.exit_code == 2  # a config error, naming the key and its line
    assert message in result.output
    assert s3_keys(bucket, prefix="") == {}


def test_large_media_goes_up_in_parts_with_a_byte_progress_bar(
        make_project, s3_endpoint, bucket, monkeypatch):
    monkeypatch.setenv("SYNDICATE_PROGRESS", "1")
    audio = tone(700.0)  # 64 kbit/s: about 5.6 MB
    assert len(audio) > 5 * 2**20
    config = s3_config(s3_endpoint) + "  multipart_threshold_mb: 5\naudio:\n  process: false\n"
    with FaultProxy(s3_endpoint) as proxy:
        proj = make_project({**s3_files(), "episodes/one.mp3": audio},
                            config=config.replace(s3_endpoint, proxy.url))
        result = proj.run("publish")
    assert result.exit_code == 0, result.output
    parts = [s for s in proxy.seen if s.method == "PUT" and "partNumber=" in s.path]
    assert len(parts) == 2
    assert any(s.method == "POST" and s.path.endswith("?uploads") for s in proxy.seen)
    media = next(k for k in s3_keys(bucket) if k.startswith("site/media/"))
    head = bucket.head_object(Bucket=BUCKET, Key=media)
    assert head["ContentLength"] == len(audio)
    assert head["ContentType"] == "audio/mpeg" and len(head["Metadata"]["sha256"]) == 64
    assert "upload: 100%" in result.output  # click's runner mixes stderr into the output
    assert re.search(r"5\.\d+M/5\.\d+M", result.output)
