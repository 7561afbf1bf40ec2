"""``s3.endpoint_url`` is checked when the config is read: any value is an endpoint boto3 can use
or one error naming config.yaml:LINE (exit 2), before anything is read or sent; a credential
written into it is refused and never shown (h18 Y1: a malformed one was a traceback at publish,
and ``user:password@host`` without a scheme was printed whole)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Project, png_bytes

SECRET = "SuperSecretValue987"
HOSTS = st.sampled_from(["127.0.0.1:1", "[::1]:1", "localhost:1", "[::1", "127.0.0.1:port",
                         "", "s3 .example", "s3_x.local:1", "127.0.0.1:1/path?x=1",
                         "127.0.0.1:1#part"])
SCHEMES = st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "file://", "", "s3://",
                           "http:/", "javascript:"])
USERS = st.sampled_from(["", f"AKIA:{SECRET}@", f"{SECRET}@", f"u:{SECRET}@x@"])
QUERIES = st.sampled_from(["", f"?X-Amz-Signature={SECRET}", f"?token={SECRET}", "?a=b"])


def _project(tmp: Path, value: str) -> Project:
    proj = Project(tmp)
    proj.write("config.yaml", BASE_CONFIG.replace(
        "target: public", "target: s3://bucket/site\ns3:\n  max_attempts: 1\n"
                          f"  endpoint_url: {json.dumps(value)}\n"))
    proj.write("cover.png", png_bytes())
    (tmp / "posts").mkdir()
    (tmp / "episodes").mkdir()
    return proj


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scheme=SCHEMES, user=USERS, host=HOSTS, query=QUERIES)
def test_any_endpoint_is_usable_or_one_config_error_and_no_credential_shows(
        scheme, user, host, query):
    value = scheme + user + host + query
    with tempfile.TemporaryDirectory() as tmp:
        proj = _project(Path(tmp), value)
        result = proj.run("publish", "--json")
    out = result.output  # (stdout and stderr)
    assert "Traceback" not in out
    assert SECRET not in out, out
    doc = json.loads(result.stdout)  # one JSON document, whatever happened
    assert doc["ok"] is False  # nothing listens on these endpoints
    sound = scheme.lower() in ("http://", "https://") and not user and not query \
        and host in ("127.0.0.1:1", "[::1]:1", "localhost:1")
    if sound:  # a good address nobody answers at: the store's error, not the config's
        assert result.exit_code == 1, out
        assert not any("'s3.endpoint_url':" in e for e in doc["errors"]), out  # not config's
    else:
        assert result.exit_code == 2, out
        assert any(e.startswith(f"{Path(tmp) / 'config.yaml'}:") or "config.yaml:" in e
                   for e in doc["errors"]) and "'s3.endpoint_url'" in " ".join(doc["errors"])
        if user:
            assert "credential does not belong in the config" in " ".join(doc["errors"]), out


def test_an_empty_endpoint_means_aws_own(tmp_path):
    proj = _project(tmp_path, "")
    from syndicate.config import load_config

    assert load_config(proj.root / "config.yaml").config.s3.endpoint_url is None
