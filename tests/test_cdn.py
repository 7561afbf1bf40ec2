"""After a publish, the CDN is told which paths changed (``cdn:`` in config.yaml): a CloudFront
invalidation through the real boto3 against moto's server on 127.0.0.1, and a purge hook (a
loopback HTTP server stands in for another CDN's API). The known answer is read off the bucket
or the folder: the keys whose bytes a publish changed, less those served as immutable (media
and art named by their hash). A call that fails or hangs is one warning, never a failed
publish, and the next publish makes it again; no output shows a credential."""

from __future__ import annotations

import http.server
import json
import threading
from urllib.parse import quote

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    BASE_CONFIG,
    BUCKET,
    Recorder,
    guard,
    post,
    s3_config,
    s3_files,
    serve,
    sidecar,
    tone,
)

IMMUTABLE = "public, max-age=31536000, immutable"
TOKEN = "purge-Secret-Token-12345"


@pytest.fixture
def cloudfront(s3_endpoint, monkeypatch):
    """(client, distribution id): a distribution in moto; boto3 finds moto through its usual
    per-service endpoint variable, as syndicate's own client does."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", s3_endpoint)
    client = boto3.client("cloudfront", region_name="us-east-1")
    dist = client.create_distribution(DistributionConfig={
        "CallerReference": f"test-{id(client)}", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "site", "DomainName": f"{BUCKET}.s3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all", "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0}}})
    return client, dist["Distribution"]["Id"]


class Invalidations:
    """What a distribution was asked to invalidate, read back with get_invalidation: each
    ``new()`` call gives the paths of each invalidation made since the last one."""

    def __init__(self, client, dist: str):
        self.client, self.dist, self.seen = client, dist, set()
        self.references: list[str] = []  # the CallerReference of each, as read back

    def new(self) -> list[list[str]]:
        listed = self.client.list_invalidations(DistributionId=self.dist)["InvalidationList"]
        ids = [i["Id"] for i in listed.get("Items", []) if i["Id"] not in self.seen]
        self.seen.update(ids)
        batches = [self.client.get_invalidation(DistributionId=self.dist, Id=i)
                   ["Invalidation"]["InvalidationBatch"] for i in ids]
        self.references += [b["CallerReference"] for b in batches]
        return [b["Paths"].get("Items", []) for b in batches]


def _bucket_state(bucket) -> dict[str, tuple[str, str]]:
    """Key (under the site's prefix) -> (ETag, Cache-Control), the records left out."""
    out = {}
    for page in bucket.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="site/"):
        for obj in page.get("Contents", []):
            key = obj["Key"].removeprefix("site/")
            if not key.startswith(".syndicate/"):
                cc = bucket.head_object(Bucket=BUCKET, Key=obj["Key"]).get("CacheControl", "")
                out[key] = (obj["ETag"], cc)
    return out


def _expected(before: dict, after: dict) -> set[str]:
    """The paths a CDN must forget: each key written, changed or deleted that was not served
    as immutable, as "/" + the key quoted, and a directory page also as its folder."""
    keys = {k for k in before.keys() | after.keys()
            if before.get(k, ("", ""))[0] != after.get(k, ("", ""))[0]
            and IMMUTABLE not in (before.get(k, ("", ""))[1], after.get(k, ("", ""))[1])}
    paths = {"/" + quote(k) for k in keys}
    paths |= {"/" + quote(k.removesuffix("index.html")) for k in keys
              if k == "index.html" or k.endswith("/index.html")}
    return paths


def _no_secret(*outputs: str) -> None:
    for text in outputs:
        assert TOKEN not in text and "testing" not in text and "Traceback" not in text, text


def test_a_publish_that_changes_one_post_invalidates_exactly_its_changed_pages_and_feeds(
        make_project, s3_endpoint, bucket, cloudfront):
    client, dist = cloudfront
    made = Invalidations(client, dist)
    proj = make_project({**s3_files(), "posts/b.md": post("Second", date="2026-10-02")},
                        config=s3_config(s3_endpoint)
                        + f"cdn:\n  cloudfront_distribution: {dist}\n")
    first = proj.run("publish")
    assert first.exit_code == 0, first.output
    (new_site,) = made.new()
    assert set(new_site) == _expected({}, _bucket_state(bucket))  # every page and feed, once
    assert not [p for p in new_site if p.startswith("/media/")]
    assert f"CloudFront {dist}: invalidated {len(new_site)} paths" in first.output
    before = _bucket_state(bucket)
    proj.write("posts/a.md", post("First post", body="Edited, once."))
    edit = proj.run("publish")
    assert edit.exit_code == 0, edit.output
    after = _bucket_state(bucket)
    (paths,) = made.new()  # one call for this publish
    assert set(paths) == _expected(before, after) and len(paths) == len(set(paths))
    assert {"/feed.xml", "/posts/a/index.html", "/posts/a/"} <= set(paths)
    assert "/podcast.xml" not in paths  # the podcast feed did not change
    assert len(set(made.references)) == 2  # a CallerReference of its own for each publish
    _no_secret(first.output, edit.output)


def test_a_publish_that_changes_nothing_invalidates_nothing_and_a_dry_run_lists_paths(
        make_project, s3_endpoint, bucket, cloudfront):
    client, dist = cloudfront
    made = Invalidations(client, dist)
    proj = make_project(s3_files(), config=s3_config(s3_endpoint)
                        + f"cdn:\n  cloudfront_distribution: {dist}\n")
    assert proj.run("publish").exit_code == 0
    assert len(made.new()) == 1
    again = proj.run("publish")
    assert again.exit_code == 0, again.output
    assert made.new() == [] and "invalidated" not in again.output
    proj.write("posts/a.md", post("First post", body="Changed."))
    dry = proj.run("publish", "--dry-run")
    assert dry.exit_code == 0, dry.output
    listed = {line.split()[1] for line in dry.output.splitlines()
              if line.strip().startswith("invalidate ")}
    assert {"/feed.xml", "/posts/a/"} <= listed and not any(p.startswith("/media/")
                                                               for p in listed)
    assert made.new() == []  # a dry run calls nothing
    real = proj.run("publish")
    assert real.exit_code == 0, real.output
    (paths,) = made.new()
    assert set(paths) == listed  # what it listed is what was done


def test_an_unknown_distribution_is_one_warning_and_the_next_publish_retries(
        make_project, s3_endpoint, bucket, cloudfront):
    client, dist = cloudfront
    made = Invalidations(client, dist)
    base = s3_config(s3_endpoint)
    proj = make_project(s3_files(), config=base + "cdn:\n  cloudfront_distribution: ENOSUCH1\n")
    first = proj.run("publish")
    assert first.exit_code == 0, first.output  # the site is live: not a failed publish
    warned = [line for line in first.output.splitlines() if "CloudFront" in line]
    assert len(warned) == 1 and "ENOSUCH1: no such distribution" in warned[0], first.output
    assert "next publish tries again" in warned[0]
    assert made.new() == []
    status = proj.run("status")
    assert status.exit_code == 0, status.output
    (pending,) = [line for line in status.output.splitlines() if line.startswith("Pending:")]
    assert pending.startswith("Pending: invalidate CloudFront for ") and "paths" in pending
    proj.write("posts/a.md", post("First post", body="Edited meanwhile."))
    proj.write("config.yaml", base + f"cdn:\n  cloudfront_distribution: {dist}\n")
    second = proj.run("publish")
    assert second.exit_code == 0, second.output
    (paths,) = made.new()
    # the first publish's paths (every page, still pending) and the edit's, in one call
    assert {"/podcast.xml", "/atom.xml", "/feed.xml", "/posts/a/", "/"} <= set(paths)
    assert "CloudFront" in second.output and "warn" not in second.output.lower()
    assert "Pending:" not in proj.run("status").output
    third = proj.run("publish")  # nothing pending any more, nothing changed: no call
    assert third.exit_code == 0 and made.new() == []
    _no_secret(first.output, second.output, third.output)


def _folder_config(url: str, extra: str = "") -> str:
    return BASE_CONFIG + ("audio:\n  process: false\n"
                          f"cdn:\n  purge_url: {url}\n  timeout: 2\n{extra}")


def _purges(rec: Recorder) -> list[dict]:
    out = []
    for method, path, body in rec.requests:
        assert method == "POST" and path == "/purge", (method, path)
        out.append(json.loads(body))
    return out


def _folder_state(proj) -> dict[str, bytes]:
    root = proj.root / "public"
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".syndicate" not in p.parts}


def test_the_purge_hook_gets_exactly_the_changed_paths_with_the_token_unshown(
        make_project, recorder, monkeypatch):
    monkeypatch.setenv("SYNDICATE_PURGE_TOKEN", TOKEN)
    proj = make_project({"posts/a.md": post("A"), "posts/b.md": post("B", date="2026-10-02"),
                         "episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                        config=_folder_config(recorder.url + "/purge"))
    assert proj.run("publish").exit_code == 0
    recorder.requests.clear()
    recorder.headers.clear()
    before = _folder_state(proj)
    proj.write("posts/b.md", post("B, renamed", date="2026-10-02"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    after = _folder_state(proj)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed and not [k for k in changed if k.startswith("media/")]
    (body,) = _purges(recorder)
    want = {"/" + quote(k) for k in changed} | {
        "/" + quote(k.removesuffix("index.html")) for k in changed
        if k == "index.html" or k.endswith("/index.html")}
    assert set(body["paths"]) == want
    assert body["urls"] == ["https://example.test" + p for p in body["paths"]]
    assert recorder.headers[0]["Authorization"] == TOKEN
    assert f"purge {recorder.url}/***: purged {len(want)} paths" in result.output
    _no_secret(result.output)


class _Hanging:
    """A loopback host that reads a request and never answers (until closed)."""

    def __init__(self):
        self.done = threading.Event()
        self.asked: list[str] = []
        me = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                me.asked.append(self.path)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                me.done.wait(60)

        self.server, self.url = serve(Handler)

    def close(self):
        self.done.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("how", ["fails", "hangs", "refuses the token", "is unreachable",
                                 "redirects"])
def test_a_purge_hook_that_fails_or_hangs_is_one_warning_and_retried_next_time(
        make_project, monkeypatch, how):
    from conftest import free_port

    monkeypatch.setenv("SYNDICATE_PURGE_TOKEN", TOKEN)
    good = Recorder()
    bad = Recorder(status=403 if how == "refuses the token" else 500)
    if how == "redirects":  # a moved API or a login page: never followed (h16 W8)
        bad.close()
        bad = Recorder(status=302, location=good.url + "/login")
    hang = _Hanging()
    try:
        url = {"hangs": hang.url, "is unreachable": f"http://127.0.0.1:{free_port()}"}.get(
            how, bad.url) + "/purge"
        proj = make_project({"posts/a.md": post("A")}, config=_folder_config(url))
        with guard():
            result = proj.run("publish")
        assert result.exit_code == 0, result.output
        warned = [line for line in result.output.splitlines() if "purge" in line]
        assert len(warned) == 1, result.output
        assert "next publish tries again" in warned[0]
        if how == "hangs":
            assert hang.asked == ["/purge"] and "no answer within 2 s" in warned[0]
        elif how == "refuses the token":
            assert "the token was refused; check SYNDICATE_PURGE_TOKEN" in warned[0]
        elif how == "redirects":
            assert "answered HTTP 302, a redirect to" in warned[0] and "not followed" in warned[0]
            assert good.requests == []
        assert b"<title>A</title>" in proj.read("feed.xml")  # live all the same
        _no_secret(result.output)
        # fixed: the next publish, with nothing new, sends what is still pending
        proj.write("config.yaml", _folder_config(good.url + "/purge"))
        again = proj.run("publish")
        assert again.exit_code == 0, again.output
        (body,) = _purges(good)
        assert {"/feed.xml", "/atom.xml", "/", "/index.html", "/posts/a/"} <= set(body["paths"])
        assert proj.run("publish").exit_code == 0 and len(good.requests) == 1  # once only
    finally:
        for server in (good, bad, hang):
            server.close()


def test_past_the_wildcard_threshold_one_wildcard_is_sent_and_said(make_project, recorder):
    proj = make_project({f"posts/p{n}.md": post(f"Post {n}") for n in range(4)},
                        config=_folder_config(recorder.url + "/purge", "  wildcard_over: 3\n"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    (body,) = _purges(recorder)
    assert body == {"paths": ["/*"], "urls": ["https://example.test/*"]}
    assert "purged /*: " in result.output and "more than cdn.wildcard_over (3)" in result.output
    for n in range(4):
        proj.write(f"posts/p{n}.md", post(f"Post {n}, edited"))
    dry = proj.run("publish", "--dry-run")  # says the wildcard it will send (h16 W9)
    shown = [ln for ln in dry.output.splitlines() if ln.strip().startswith("invalidate ")]
    assert len(shown) == 1 and shown[0].strip().startswith("invalidate /*  ("), dry.output
    assert "more than cdn.wildcard_over (3)" in shown[0]


@pytest.mark.parametrize("setting, said", [
    ("purge_url: https://user:pw@cdn.example.test/purge", "a user name or password"),
    ("purge_url: https://cdn.example.test/purge?token=abcdef123", "the query parameter 'token'"),
    ("cloudfront_distribution: e123-lower", "expected a CloudFront distribution id"),
    ("purge_method: DELETE", "purge_method"),
    ("wildcard_over: 0", "wildcard_over"),
])
def test_bad_cdn_settings_are_refused_at_load_naming_the_line(make_project, setting, said):
    proj = make_project({"posts/a.md": post("A")},
                        config=BASE_CONFIG + f"cdn:\n  timeout: 5\n  {setting}\n")
    result = proj.run("publish")
    assert result.exit_code == 2, result.output
    assert "config.yaml:" in result.output and said in result.output, result.output
    lines = [line for line in result.output.splitlines() if "config.yaml:" in line]
    line = BASE_CONFIG.count("\n") + 3  # the setting's own line
    assert len(lines) == 1 and f"config.yaml:{line}: 'cdn." in lines[0], result.output
    assert "pw@" not in result.output and "abcdef123" not in result.output
    assert not (proj.root / "public").exists()


@pytest.fixture(scope="module")
def purge_host():
    rec = Recorder()
    yield rec
    rec.close()


def _named_by_content(key: str, data: bytes | None) -> bool:
    """Whether ``key`` names its bytes: its name ends in "-" and the start of their sha256."""
    import hashlib

    stem = key.rsplit("/", 1)[-1].split(".", 1)[0]
    return data is not None and stem.endswith("-" + hashlib.sha256(data).hexdigest()[:12])


_edits = st.sampled_from(["nothing", "edit post", "new post", "remove post", "new episode",
                          "retitle episode", "remove episode", "edit config"])


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_edits, min_size=2, max_size=5))
def test_each_publish_purges_exactly_the_paths_whose_bytes_changed(tmp_path_factory,
                                                                    purge_host, steps):
    """Generated edits: each publish sends the hook exactly the changed files (written or
    deleted) that are not named by their content, once each, and none when nothing changed."""
    from conftest import Project, png_bytes

    proj = Project(tmp_path_factory.mktemp("purge"))
    proj.write("config.yaml", _folder_config(purge_host.url + "/purge"))
    proj.write("cover.png", png_bytes())
    proj.write("posts/base.md", post("Base post"))
    proj.write("episodes/one.yaml", sidecar("One"))
    proj.write("episodes/one.mp3", tone(1.0))
    for n, edit in enumerate(["first", *steps, "nothing"]):
        if edit == "edit post":
            proj.write("posts/base.md", post("Base post", body=f"Edited {n}."))
        elif edit == "new post":
            proj.write(f"posts/p{n}.md", post(f"Post {n}", date="2026-10-02"))
        elif edit == "remove post" and (extra := sorted(proj.root.glob("posts/p*.md"))):
            extra[0].unlink()
        elif edit == "new episode":
            proj.write(f"episodes/e{n}.yaml", sidecar(f"Episode {n}", date="2026-10-03 08:00"))
            proj.write(f"episodes/e{n}.mp3", tone(1.0, freq=300 + 10 * n))
        elif edit == "remove episode" and (extra := sorted(proj.root.glob("episodes/e*.yaml"))):
            extra[0].unlink()
            extra[0].with_suffix(".mp3").unlink()
        elif edit == "retitle episode":
            proj.write("episodes/one.yaml", sidecar(f"One, take {n}"))
        elif edit == "edit config":
            text = (proj.root / "config.yaml").read_text()
            proj.write("config.yaml", text.replace("description: A site for tests.",
                                                   f"description: A site, version {n}."))
        purge_host.requests.clear()
        before = _folder_state(proj) if (proj.root / "public").exists() else {}
        result = proj.run("publish")
        assert result.exit_code == 0, (edit, result.output)
        after = _folder_state(proj)
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
                   and not _named_by_content(k, after.get(k) or before.get(k))}
        want = {"/" + quote(k) for k in changed} | {
            "/" + quote(k.removesuffix("index.html")) for k in changed
            if k == "index.html" or k.endswith("/index.html")}
        sent = _purges(purge_host)
        if not want:
            assert sent == [], (edit, sent)
            continue
        (body,) = sent
        assert len(body["paths"]) == len(set(body["paths"])), edit
        assert set(body["paths"]) == want, (edit, set(body["paths"]) ^ want)
        assert not [p for p in body["paths"] if p.startswith("/media/")]
        assert "Traceback" not in result.output


_key_part = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
                    min_size=1, max_size=12)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(st.lists(_key_part, min_size=1, max_size=3).map("/".join), max_size=12,
                     unique=True),
       links=st.sampled_from(["directory", "file"]), base=st.sampled_from(["", "blog/"]))
def test_paths_of_any_keys_are_quoted_once_each_under_the_sites_path(tmp_path_factory, keys,
                                                                      links, base):
    """Generated keys (any characters): each becomes "/" + the site's path + the key quoted,
    which unquotes back to it; a page named index.html also as its folder with directory
    links; nothing else, nothing twice."""
    from urllib.parse import unquote

    from conftest import Project
    from syndicate.config import load_config
    from syndicate.publish.cdnpaths import cdn_paths

    proj = Project(tmp_path_factory.mktemp("keys"))
    proj.write("config.yaml", BASE_CONFIG.replace(
        "url: https://example.test/", f"url: https://example.test/{base}\n  links: {links}"))
    proj.write("cover.png", b"")
    settings_ = load_config(proj.root / "config.yaml")
    paths = cdn_paths(settings_, keys)
    assert len(paths) == len(set(paths))
    assert all(p.startswith(f"/{base}") and not any(c in p for c in " \t\n*?")
               for p in paths)
    folders = {k.removesuffix("index.html") for k in keys
               if links == "directory" and (k == "index.html" or k.endswith("/index.html"))}
    assert {unquote(p)[len(base) + 1:] for p in paths} == set(keys) | folders


def test_deleted_keys_served_as_immutable_are_never_invalidated():
    """A key the publish deletes is left out when its record says immutable, or, with no
    Cache-Control recorded (a folder), when its name ends in the start of its sha256."""
    from syndicate.publish.cdnpaths import changed_keys
    from syndicate.publish.plan import Plan

    sha = "ab12cd34ef56" + "0" * 52
    previous = {
        "media/one-ab12cd34ef56.mp3": {"sha256": sha},
        "episodes/x/cover-ab12cd34ef56.jpg": {"sha256": sha},
        "media/two.mp3": {"sha256": sha, "cache_control": IMMUTABLE},
        "posts/gone/index.html": {"sha256": sha},
        "media/three-ab12cd34ef56.mp3": {"sha256": "f" * 64},  # the name does not match
        "tags/x/index.html": {"sha256": sha, "cache_control": "public, max-age=300"},
    }
    plan = Plan(deletes=sorted(previous))
    assert changed_keys(plan, previous) == [
        "media/three-ab12cd34ef56.mp3", "posts/gone/index.html", "tags/x/index.html"]


def test_release_due_purges_what_the_release_changed_and_says_so(make_project, recorder):
    proj = make_project({"posts/old.md": post("Old post", date="2026-10-01"),
                         "posts/later.md": post("Later", date="2026-11-01 12:30")},
                        config=_folder_config(recorder.url + "/purge"))
    assert proj.run("publish").exit_code == 0
    recorder.requests.clear()
    before = _folder_state(proj)
    result = proj.run("release-due", now="2026-11-01T12:31:00+00:00")
    assert result.exit_code == 0, result.output
    changed = {k for k, v in _folder_state(proj).items() if before.get(k) != v}
    (body,) = _purges(recorder)
    assert {"/posts/later/", "/feed.xml", "/atom.xml"} <= set(body["paths"])
    assert {p for p in body["paths"] if not p.endswith("/")} == {"/" + k for k in changed}
    assert f"purged {len(body['paths'])} paths" in result.output
    again = proj.run("release-due", now="2026-11-01T12:32:00+00:00")
    assert again.exit_code == 0 and len(recorder.requests) == 1  # nothing due: nothing told


def test_pages_written_by_a_publish_that_failed_half_way_are_invalidated_by_the_next(
        make_project, s3_endpoint, bucket, cloudfront):
    """A store that refuses the podcast feed: the pages and audio before it were written, the
    publish fails; the next one writes only what is left, and invalidates what both wrote."""
    from faultproxy import FaultProxy

    client, dist = cloudfront
    made = Invalidations(client, dist)
    cdn = f"cdn:\n  cloudfront_distribution: {dist}\n"
    proj = make_project(s3_files(), config=s3_config(s3_endpoint) + cdn)
    assert proj.run("publish").exit_code == 0
    made.new()
    before = _bucket_state(bucket)
    proj.write("posts/b.md", post("Second post", date="2026-10-02"))
    proj.write("episodes/one.yaml", sidecar("One, retitled"))

    def schedule(n, method, path):
        return 500 if method == "PUT" and path.endswith("/podcast.xml") else None

    with FaultProxy(s3_endpoint, schedule) as proxy:
        proj.write("config.yaml", s3_config(proxy.url, attempts=1) + cdn)
        failed = proj.run("publish")
    assert failed.exit_code == 1, failed.output
    assert made.new() == []  # nothing is invalidated after a failed publish
    proj.write("config.yaml", s3_config(s3_endpoint) + cdn)
    again = proj.run("publish")
    assert again.exit_code == 0, again.output
    (paths,) = made.new()
    assert set(paths) == _expected(before, _bucket_state(bucket))
    assert {"/posts/b/", "/podcast.xml", "/episodes/one/"} <= set(paths)


def test_cloudfront_without_credentials_is_one_warning_saying_where_they_come_from(
        make_project, cloudfront, monkeypatch, tmp_path):
    _client, dist = cloudfront
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    proj = make_project({"posts/a.md": post("A")}, config=BASE_CONFIG
                        + f"audio:\n  process: false\ncdn:\n  cloudfront_distribution: {dist}\n")
    with guard():
        result = proj.run("publish")
    assert result.exit_code == 0, result.output
    (warned,) = [line for line in result.output.splitlines() if "CloudFront" in line]
    assert "no AWS credentials found" in warned and "AWS_ACCESS_KEY_ID" in warned
    assert "Traceback" not in result.output and b"<title>A</title>" in proj.read("feed.xml")


def test_a_cloudfront_endpoint_that_never_answers_is_one_warning(make_project, cloudfront,
                                                                  monkeypatch):
    _client, dist = cloudfront
    hang = _Hanging()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", hang.url)
        proj = make_project({"posts/a.md": post("A")}, config=BASE_CONFIG + (
            f"audio:\n  process: false\ncdn:\n  cloudfront_distribution: {dist}\n"
            "  timeout: 1\n"))
        with guard():
            result = proj.run("publish")
        assert result.exit_code == 0, result.output
        assert hang.asked  # the call was made, and not answered
        (warned,) = [line for line in result.output.splitlines() if "CloudFront" in line]
        assert "no answer within 1 s" in warned and "next publish tries again" in warned
        _no_secret(result.output)
    finally:
        hang.close()


def test_pings_left_pending_by_an_older_version_are_sent_once_by_the_next_publish(
        make_project, recorder):
    """An older catalog records pending feeds as one list (pending for every ping): the next
    publish, changing nothing, pings each hub with them once, then nothing more."""
    from syndicate.catalog import open_catalog
    from syndicate.config import load_config
    from syndicate.publish.after import PENDING

    proj = make_project({"posts/a.md": post("A")}, config=BASE_CONFIG + (
        f"audio:\n  process: false\nnotify:\n  websub_hubs: [{recorder.url}/hub]\n"))
    assert proj.run("publish").exit_code == 0
    recorder.requests.clear()
    with open_catalog(load_config(proj.root / "config.yaml").catalog_path) as cat:
        cat.set_meta(PENDING, json.dumps(["https://example.test/feed.xml"]))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert [(m, p, b) for m, p, b in recorder.requests] == [
        ("POST", "/hub", b"hub.mode=publish&hub.url=https%3A%2F%2Fexample.test%2Ffeed.xml")]
    assert proj.run("publish").exit_code == 0 and len(recorder.requests) == 1


def test_status_lists_pending_only_for_steps_config_asks_for(make_project, recorder):
    """A run cut short leaves every step's items pending; status names only the steps
    config.yaml asks for (no WebSub, Podcast Index or podping line when none is set: h16 W6)."""
    from syndicate.catalog import open_catalog
    from syndicate.config import load_config
    from syndicate.publish.after import mark_pending

    proj = make_project({"posts/a.md": post("A")}, config=_folder_config(recorder.url + "/p"))
    assert proj.run("publish").exit_code == 0
    settings = load_config(proj.root / "config.yaml")
    with open_catalog(settings.catalog_path) as cat:
        mark_pending(cat, feeds=["https://example.test/feed.xml"], paths=["/feed.xml"])
    lines = [ln for ln in proj.run("status").output.splitlines() if ln.startswith("Pending:")]
    assert lines == [
        "Pending: call the CDN's purge hook for 1 path (not done by the last publish; the next "
        "one tries again)"], lines
