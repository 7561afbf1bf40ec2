"""H9: a source address with a user:password@ or a token-like query value is masked in every
line and field an import or a publish prints or writes (created, merged, skipped, review,
--json "source", publish's Sources: and warning lines, the files written)."""

from __future__ import annotations

import http.server
import json
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, Project, bare_project, serve

FEED = (DATA / "import" / "blog-noguid.rss").read_bytes()
# one item dated in the year 3000 (skipped with a line naming the source) after three good ones
FAR = FEED.replace(b"</channel>", b"<item><title>Far ahead</title><pubDate>Wed, 01 Jan 3000 "
                   b"10:00:00 +0000</pubDate><description>Some words for the far future."
                   b"</description></item></channel>")


@pytest.fixture(scope="module")
def old_site():
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):  # any path, any query: the feed
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(FAR)))
            self.end_headers()
            self.wfile.write(FAR)

    server, url = serve(Handler)
    yield url
    server.shutdown()
    server.server_close()


secret = st.text(string.ascii_letters + string.digits, min_size=6, max_size=16).map(
    lambda s: "Zq" + s + "9x")  # (never a word any output holds by chance)
param = st.sampled_from(["token", "access_token", "apiKey", "sig", "X-Amz-Signature",
                         "password", "session_id", "key"])


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user=secret, password=secret, name=param, value=secret, with_user=st.booleans())
def test_no_output_of_import_or_publish_shows_a_credential_of_the_source(
        old_site, user, password, name, value, with_user):
    host = old_site.split("://", 1)[1]
    creds = f"{user}:{password}@" if with_user else ""
    url = f"http://{creds}{host}/feed.rss?page=2&{name}={value}"
    secrets = [value, *([user, password] if with_user else [])]
    with tempfile.TemporaryDirectory() as tmp:
        root = bare_project(tmp)
        proj = Project(root)
        config = ["--config", str(root / "config.yaml")]
        outputs = [proj.run("import", url, *config)]  # created, skipped
        outputs.append(proj.run("import", url, *config))  # merged, skipped
        outputs.append(proj.run("import", url, "--json", *config))
        for out in outputs:
            assert out.exit_code == 0, out.output
        assert "merged   'The ferry at dawn' from http://" in outputs[1].output
        assert "skipped  'Far ahead' from http://" in outputs[1].output
        doc = json.loads(outputs[2].output)
        assert doc["merged"] and all("***" in e["source"] for e in doc["merged"])
        # the same address under sources:, in a fresh project: publish imports it
        (Path(tmp) / "p2").mkdir()
        root2 = bare_project(Path(tmp) / "p2")
        with open(root2 / "config.yaml", "a", encoding="utf-8") as f:
            f.write(f"sources:\n  - '{url}'\n")
        proj2 = Project(root2)
        outputs.append(proj2.run("publish"))
        outputs.append(proj2.run("publish", "--json"))
        assert "Sources: created 3" in outputs[3].output, outputs[3].output
        assert "'Far ahead' skipped" in outputs[3].output
        written = [p.read_bytes() for r in (root, root2)
                   for p in (r / "posts").rglob("*") if p.is_file()]
        written += [p.read_bytes() for p in (root2 / "public").rglob("*") if p.is_file()]
        assert written
        for s in secrets:
            for out in outputs:
                assert s not in out.output, out.output
            assert not any(s.encode() in data for data in written)
