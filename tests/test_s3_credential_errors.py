"""Whatever is wrong with the AWS credentials, profile or region boto3 is given, a publish to S3
is one clear error (exit 1, one JSON document with --json), never a traceback, and never shows
a credential (h18 Y13, Y14: a missing profile, a failing credential_process, partial or
unparsable credential files and a bad region were tracebacks; an access key with a line break
was echoed with the request's signature)."""

from __future__ import annotations

import json

import pytest

from conftest import BASE_CONFIG, Project, png_bytes

KEY = "AKIAHOSTILE123"


def _project(root) -> Project:
    proj = Project(root)
    root.mkdir()
    proj.write("config.yaml", BASE_CONFIG.replace(
        "target: public", "target: s3://bucket/site\ns3:\n  endpoint_url: http://127.0.0.1:1\n"
                          "  max_attempts: 1\n"))
    proj.write("cover.png", png_bytes())
    (root / "posts").mkdir()
    (root / "episodes").mkdir()
    return proj


CASES = {
    "missing profile": ({"AWS_PROFILE": "nosuchprofile"}, None, "nosuchprofile"),
    "credential_process fails": ({"AWS_CONFIG_FILE": "{cfg}"},
                                 "[default]\ncredential_process = /bin/false\n", None),
    "partial credentials file": ({"AWS_SHARED_CREDENTIALS_FILE": "{cfg}"},
                                 f"[default]\naws_access_key_id = {KEY}\n", None),
    "unparsable config file": ({"AWS_CONFIG_FILE": "{cfg}"}, "[default\nbroken", None),
    "bad region": ({"AWS_DEFAULT_REGION": "us east 1", "AWS_ACCESS_KEY_ID": "a",
                    "AWS_SECRET_ACCESS_KEY": "b"}, None, None),
    "key with a line break": ({"AWS_ACCESS_KEY_ID": KEY + "\n",
                               "AWS_SECRET_ACCESS_KEY": "s3cretvalue"}, None, None),
    "key with a carriage return": ({"AWS_ACCESS_KEY_ID": KEY + "\r",
                                    "AWS_SECRET_ACCESS_KEY": "s3cretvalue"}, None, None),
    # h19 Z6, Z7, Z14
    "credential_process prints no JSON": ({"AWS_CONFIG_FILE": "{cfg}"},
                                          "[default]\ncredential_process = /bin/echo hello\n",
                                          None),
    "session token with a line break": ({"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
                                         "AWS_SESSION_TOKEN": "s3cretvalue\n"}, None, None),
    "endpoint from the environment": ({"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
                                       "AWS_ENDPOINT_URL": f"{KEY}:s3cretvalue@127.0.0.1:1"},
                                      None, None),
    "S3 endpoint from the environment": ({"AWS_ACCESS_KEY_ID": "a",
                                          "AWS_SECRET_ACCESS_KEY": "b",
                                          "AWS_ENDPOINT_URL_S3": "http://[::1"}, None, None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_any_credential_problem_is_one_clear_error(tmp_path, monkeypatch, case):
    env, file_text, said = CASES[case]
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    cfg = tmp_path / "aws-file"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    if file_text is not None:
        cfg.write_text(file_text)
    for name, value in env.items():
        monkeypatch.setenv(name, value.replace("{cfg}", str(cfg)))
    proj = _project(tmp_path / "proj")
    if any(name.startswith("AWS_ENDPOINT_URL") for name in env):  # the environment's alone
        proj.write("config.yaml", (proj.root / "config.yaml").read_text().replace(
            "  endpoint_url: http://127.0.0.1:1\n", ""))
    for args in (("publish",), ("publish", "--json")):
        result = proj.run(*args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output, result.output
        assert KEY not in result.output and "s3cretvalue" not in result.output, result.output
        assert "Signature=" not in result.output
        if "--json" in args:
            doc = json.loads(result.stdout)
            assert doc["ok"] is False and len(doc["errors"]) >= 1
        else:
            assert result.output.count("Error: ") >= 1
        if said:
            assert said in result.output


def test_a_region_that_is_no_region_is_refused_with_its_line(tmp_path):
    proj = _project(tmp_path / "proj")
    proj.write("config.yaml", (proj.root / "config.yaml").read_text()
               + "  region: us east 1\n")
    result = proj.run("publish")
    assert result.exit_code == 2 and "'s3.region'" in result.output, result.output


def test_stats_from_a_bucket_with_a_missing_profile_is_one_clear_error(tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_PROFILE", "nosuchprofile")
    proj = _project(tmp_path / "proj")
    proj.write("config.yaml", (proj.root / "config.yaml").read_text()
               + "stats:\n  logs: s3://bucket/logs\n  format: s3\n")
    from click.testing import CliRunner

    from syndicate.cli import main

    result = CliRunner().invoke(main, ["--config", str(proj.root / "config.yaml"), "stats"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "nosuchprofile" in result.output, result.output
