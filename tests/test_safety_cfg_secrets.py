"""No credential written into an address (user:password@, ?token=) is ever shown: not in a
ping's warning, an S3 error, a check or an import, nor when config.yaml quotes the address."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, free_port, post, s3_config, sidecar, tone
from syndicate.urls import redact, redact_text

SECRETS = ("PASSWD777", "HUBTOKEN31", "EPSECRET55", "CHECKPW12", "IMPORTPW9", "QTOKEN44")


def _all(result) -> str:
    """Everything the command printed (click's output holds stdout and stderr)."""
    return result.output


def _clean(result) -> None:
    text = _all(result)
    for secret in SECRETS:
        assert secret not in text, text


def _pings(recorder) -> str:
    dead = free_port()
    return (BASE_CONFIG + "notify:\n"
            f"  websub_hubs: ['{recorder.url}/hub?token=HUBTOKEN31',"
            f" 'http://hub:PASSWD777@127.0.0.1:{dead}/hub']\n"
            f"  pubnotify: 'http://user:PASSWD777@127.0.0.1:{dead}/ping?token=QTOKEN44'\n"
            "  timeout: 2\n")


def test_ping_warnings_of_publish_hide_credentials(make_project, recorder):
    recorder.status = 500
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0)}, config=_pings(recorder))
    result = proj.run("publish")
    assert result.exit_code == 0, _all(result)
    text = _all(result)
    assert "Warning: ping http://127.0.0.1:" in text  # the host is still named
    assert f"Warning: ping {recorder.url}/***: answered HTTP 500" in text
    assert len(recorder.requests) == 3  # the pings were sent, with their token
    _clean(result)


def test_ping_warnings_of_release_due_hide_credentials(make_project, recorder):
    recorder.status = 500
    proj = make_project({"posts/a.md": post("A", date="2026-11-01 12:30")},
                        config=_pings(recorder))
    result = proj.run("release-due", now="2026-11-01T12:30:00Z")
    assert result.exit_code == 0, _all(result)
    assert "Released post 'A'" in result.output
    assert "Warning: ping" in _all(result)
    _clean(result)


def test_an_s3_endpoint_with_a_password_is_not_shown(make_project, monkeypatch):
    for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                       ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(key, value)
    endpoint = f"http://user:EPSECRET55@127.0.0.1:{free_port()}"
    proj = make_project({"posts/a.md": post("A")}, config=s3_config(endpoint, attempts=1))
    result = proj.run("publish")
    # refused when the config is read (h18 Y1): credentials come from boto3's chain only
    assert result.exit_code == 2
    assert "'s3.endpoint_url': http://***@127.0.0.1:" in _all(result)
    assert "a credential does not belong in the config" in _all(result)
    _clean(result)


def test_check_hides_credentials_in_the_site_address(make_project):
    proj = make_project()
    url = f"http://user:CHECKPW12@127.0.0.1:{free_port()}/blog/?token=QTOKEN44"
    result = proj.run("check", "--config", str(proj.root / "config.yaml"), "--url", url)
    assert result.exit_code == 2  # a query in --url: a usage error, said with the address masked
    assert "http://***@127.0.0.1:" in _all(result)
    _clean(result)


def test_import_hides_credentials_in_a_source_address(make_project, recorder):
    recorder.status = 404
    proj = make_project()
    cfg = str(proj.root / "config.yaml")
    dead = f"http://user:IMPORTPW9@127.0.0.1:{free_port()}/feed.xml?token=QTOKEN44"
    for source in (dead, f"{recorder.url}/feed.xml?token=QTOKEN44"):
        result = proj.run("import", source, "--config", cfg)
        assert result.exit_code == 1
        assert "Error: " in _all(result)
        _clean(result)
    assert recorder.requests  # the 404 came from the server, not from a refusal


def test_config_errors_quoting_an_address_hide_its_password(make_project):
    config = BASE_CONFIG.replace("url: https://example.test/",
                                 "url: 'ftp://user:PASSWD777@example.test/'")
    proj = make_project(config=config)
    result = proj.run("publish")
    assert result.exit_code == 2
    assert "'site.url'" in _all(result)
    _clean(result)


_secret = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=8, max_size=20)


@settings(max_examples=200, deadline=None)
@given(user=_secret, password=_secret, token=_secret,
       host=st.sampled_from(["127.0.0.1", "example.com", "[::1]", "h.test:8080"]),
       path=st.sampled_from(["", "/", "/ping", "/a/b.xml"]),
       scheme=st.sampled_from(["http", "https", "s3", "HTTP"]))
def test_redact_never_leaves_a_secret(user, password, token, host, path, scheme):
    url = f"{scheme}://{user}:{password}@{host}{path}?a=1&token={token}&x={password}"
    for shown in (redact(url), redact_text(f"could not reach {url} (Caused by X)"),
                  redact_text(f"Max retries exceeded with url: {path}?token={token}")):
        assert password not in shown and token not in shown and user not in shown
    assert host in redact(url)
    assert redact(f"{scheme}://{host}{path}") == f"{scheme}://{host}{path}"  # nothing to hide


def test_a_hub_with_a_token_is_warned_about_and_left_out_of_the_feeds(make_project, recorder):
    proj = make_project({"posts/a.md": post("A")}, config=_pings(recorder))
    result = proj.run("publish")
    assert result.exit_code == 0
    warned = [line for line in result.output.splitlines() if "websub_hubs[0]" in line]
    assert len(warned) == 1 and "pinged but not named in the feeds" in warned[0]
    assert b"HUBTOKEN31" not in proj.read("feed.xml")
    assert warned[0].startswith(f"Warning: {proj.root / 'config.yaml'}:")
    _clean(result)


def test_config_sources_refreshed_by_publish_hide_credentials(make_project):
    dead = f"http://user:IMPORTPW9@127.0.0.1:{free_port()}/old/feed.xml?token=QTOKEN44"
    proj = make_project({"posts/a.md": post("A")},
                        config=BASE_CONFIG + f"sources:\n  - '{dead}'\n")
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Error: http://***@127.0.0.1:" in result.output
    assert "A" in [e.title for e in __import__("feedparser").parse(proj.read("feed.xml")).entries]
    _clean(result)
