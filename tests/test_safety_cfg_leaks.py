"""N4/N5: no credential written into an address reaches the published site, a sidecar or a
message. An address that would be published (site.url, podcast.media_base_url, a funding link,
a sidecar's audio_url or chapter link) and holds a user, a password or a secret-looking query
parameter is refused naming its file and line; a hub holding one is pinged but never named in
the feeds; the importer never writes one into a sidecar; a ping shows only scheme and host."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Project, free_port, png_bytes, post, serve, sidecar, tone
from syndicate.urls import credential_in, origin, public_url

SECRET_PARAMS = ("token", "sig", "signature", "key", "api_key", "X-Amz-Signature",
                 "X-Amz-Credential", "password", "secret", "auth", "access_token", "pwd")
_secret = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=10, max_size=16).map(
    lambda s: "SEC" + s)


def _published(root: Path) -> str:
    """Every published file's bytes, as text, for looking for a secret."""
    site = root / "public"
    if not site.exists():
        return ""
    return "".join(p.read_bytes().decode("latin-1") for p in site.rglob("*") if p.is_file())


def _line_of(config: str, needle: str) -> int:
    return next(i for i, line in enumerate(config.splitlines(), 1) if needle in line)


def _fresh(tmp: str, config: str, files: dict | None = None) -> Project:
    proj = Project(Path(tmp) / "proj")
    proj.root.mkdir()
    proj.write("config.yaml", config)
    proj.write("cover.png", png_bytes())
    for rel, content in {"posts/a.md": post("A"), **(files or {})}.items():
        proj.write(rel, content)
    (proj.root / "episodes").mkdir(exist_ok=True)
    return proj


def _with_credential(base: str, how: str, name: str, value: str) -> str:
    """``base`` (an https URL ending in /) carrying ``value`` as a password or a parameter."""
    if how == "password":
        return base.replace("https://", f"https://{name.lower()[:8]}:{value}@")
    return f"{base}?a=1&{name}={value}"


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["site.url", "podcast.media_base_url", "podcast.funding[0].url"]),
       how=st.sampled_from(["password", "query"]), name=st.sampled_from(SECRET_PARAMS),
       secret=_secret)
def test_a_published_address_holding_a_credential_is_refused_with_its_line(key, how, name,
                                                                          secret):
    url = _with_credential("https://cdn.example.test/", how, name, secret)
    if key == "site.url":
        config = BASE_CONFIG.replace("url: https://example.test/", f"url: '{url}'")
        needle = "url: '"
    elif key == "podcast.media_base_url":
        config = BASE_CONFIG.replace("  explicit: false\n",
                                     f"  explicit: false\n  media_base_url: '{url}'\n")
        needle = "media_base_url"
    else:
        config = BASE_CONFIG.replace("  explicit: false\n",
                                     f"  explicit: false\n  funding:\n    - url: '{url}'\n"
                                     "      text: Support us\n")
        needle = f"- url: '{url}'"
    with tempfile.TemporaryDirectory() as tmp:
        proj = _fresh(tmp, config)
        result = proj.run("publish")
        assert result.exit_code == 2, result.output
        errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, result.output
        assert errors[0].startswith(
            f"Error: {proj.root / 'config.yaml'}:{_line_of(config, needle)}: '{key}': ")
        assert "is published in the feeds and pages" in errors[0]
        assert "remove the credential" in errors[0]
        assert secret not in result.output
        assert not (proj.root / "public").exists()  # nothing published


def test_the_reported_site_url_leak_is_refused_and_nothing_is_published(sample_project):
    """N4 as found: site.url with user:password@ put the password in every feed and page."""
    config = sample_project.root / "config.yaml"
    config.write_text(config.read_text().replace(
        "url: https://lowtide.example.org/\n", "url: https://u:SECRET6@lowtide.example.org/\n"))
    result = sample_project.run("publish")
    assert result.exit_code == 2, result.output
    assert "config.yaml:4: 'site.url': https://***@lowtide.example.org/ holds a user name or " \
        "password" in result.output
    assert "SECRET6" not in result.output and not sample_project.public("").exists()


@pytest.mark.parametrize("field", ["audio_url", "chapter"])
def test_a_sidecar_link_holding_a_credential_is_refused_with_its_line(make_project, field):
    secret = "SIDECARSECRET42"
    if field == "audio_url":
        bad = sidecar("Bad", audio_url=f"'https://old.example/e4.mp3?token={secret}'",
                      audio_length=1000)
        line = 3
    else:
        bad = sidecar("Bad", chapters="\n  - start: 0\n    title: One\n"
                      f"    url: 'https://u:{secret}@x.example/'")
        line = 6
    proj = make_project({"posts/a.md": post("A"), "episodes/bad.yaml": bad,
                         "episodes/bad.mp3": tone(1.0), "episodes/good.yaml": sidecar("Good"),
                         "episodes/good.mp3": tone(1.0, freq=660)})
    if field == "audio_url":
        (proj.root / "episodes/bad.mp3").unlink()
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert errors[0].startswith(f"Error: episodes/bad.yaml:{line}: "), errors
    assert "remove the credential" in errors[0]
    assert secret not in result.output
    published = _published(proj.root)
    assert "Good" in published and secret not in published  # the rest is published


def test_a_hub_holding_a_credential_is_pinged_but_never_published(make_project, recorder):
    config = BASE_CONFIG + ("notify:\n"
                            f"  websub_hubs: ['{recorder.url}/hub?token=HUBSECRET31',"
                            f" '{recorder.url}/open']\n  timeout: 5\n")
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0)}, config=config)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "websub_hubs[0]" in line]
    assert len(warned) == 1 and "pinged but not named in the feeds" in warned[0], result.output
    assert "HUBSECRET31" not in result.output
    # both hubs were pinged for each of the three feeds; the token went to its hub only
    paths = sorted(r[1] for r in recorder.requests)
    assert paths == ["/hub?token=HUBSECRET31"] * 3 + ["/open"] * 3, paths
    published = _published(proj.root)
    assert "HUBSECRET31" not in published
    for feed in ("feed.xml", "atom.xml", "podcast.xml"):
        assert f'href="{recorder.url}/open"'.encode() in proj.read(feed), feed


OLD_FEED = """<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Old show</title><link>https://old.example/</link><description>d</description>
<item><title>Kept secret</title><guid>old-4</guid><pubDate>Thu, 04 Jun 2026 10:00:00 +0000</pubDate>
<enclosure url="{URL}" length="63990" type="audio/mpeg"/><itunes:duration>0:10</itunes:duration>
<description>four</description></item>
<item><title>Public one</title><guid>old-5</guid><pubDate>Fri, 05 Jun 2026 10:00:00 +0000</pubDate>
<enclosure url="https://old.example/e5.mp3" length="63990" type="audio/mpeg"/>
<itunes:duration>0:10</itunes:duration><description>five</description></item>
</channel></rss>
"""


def _serve_feed(body: str):
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return serve(Handler)


@pytest.mark.parametrize("url", [
    "https://user:PWSECRET@old.example/e4.mp3?token=TOKSECRET",
    "https://old.example/e4.mp3?X-Amz-Signature=TOKSECRET&X-Amz-Credential=PWSECRET",
])
def test_import_keeping_urls_never_writes_a_credential_into_a_sidecar(make_project, url):
    server, base = _serve_feed(OLD_FEED.replace("{URL}", url.replace("&", "&amp;")))
    try:
        proj = make_project({})
        source = base.replace("://", "://u:SRCSECRET@") + "/feed.xml?token=SRCSECRET"
        result = proj.run("import", source, "--audio", "keep-url",
                          "--config", str(proj.root / "config.yaml"))
    finally:
        server.shutdown()
    assert result.exit_code == 1, result.output
    assert "'Kept secret' (http://***@127.0.0.1:" in result.output  # its feed, redacted
    assert "): its audio address https://" in result.output
    assert "import it with --audio download" in result.output
    written = "".join(p.read_text() for p in (proj.root / "episodes").glob("*.yaml"))
    assert "old-5" in written and "old-4" not in written  # the clean one is imported
    assert "imported_from: http://***@127.0.0.1:" in written  # the source, without its secret
    for text in (result.output, written):
        for secret in ("PWSECRET", "TOKSECRET", "SRCSECRET"):
            assert secret not in text, text
    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    assert "old.example/e5.mp3" in _published(proj.root)
    assert "PWSECRET" not in _published(proj.root) and "TOKSECRET" not in _published(proj.root)


# -- N5: a ping shows only scheme and host --------------------------------------------------------

def test_a_ping_whose_secret_is_in_its_path_shows_only_scheme_and_host(make_project, recorder):
    recorder.status = 500
    dead = free_port()
    config = BASE_CONFIG + (
        f"notify:\n  pubnotify: 'http://127.0.0.1:{dead}/PATHSECRET8/x'\n"
        f"  websub_hubs: ['{recorder.url}/services/PATHSECRET9/hook']\n  timeout: 5\n")
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0)}, config=config)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert f"Warning: ping http://127.0.0.1:{dead}/***: cannot connect" in result.output
    assert f"Warning: ping {recorder.url}/***: answered HTTP 500" in result.output
    assert "PATHSECRET" not in result.output
    assert any("PATHSECRET9" in r[1] for r in recorder.requests)  # sent all the same


_host = st.sampled_from(["127.0.0.1", "example.com", "[::1]", "h.test:8080", "EXAMPLE.org"])
_part = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)


PLAIN_NAMES = ("page", "id", "lang", "utm_source", "design", "v", "ref", "episode", "passage",
               "keyword", "format")


@settings(max_examples=300, deadline=None)
@given(host=_host, path=st.lists(_part, max_size=4),
       query=st.lists(st.tuples(st.sampled_from(PLAIN_NAMES), _part), max_size=3),
       user=st.none() | _part, name=st.sampled_from(SECRET_PARAMS), secret=_secret,
       scheme=st.sampled_from(["http", "https"]))
def test_credential_check_and_masking_hold_for_any_address(host, path, query, user, name,
                                                           secret, scheme):
    url = f"{scheme}://{host}/{'/'.join(path)}"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query)
    assert credential_in(url) is None and public_url(url) == url  # a plain address passes
    with_param = url + ("&" if "?" in url else "?") + f"{name}={secret}"
    with_user = url.replace("://", f"://{user or 'u'}:{secret}@")
    for bad in (with_param, with_user):
        assert credential_in(bad)
        with pytest.raises(ValueError) as refused:
            public_url(bad)
        assert secret not in str(refused.value)
        shown = origin(bad)
        assert secret not in shown and shown.startswith(f"{scheme}://")
        assert shown.split("://")[1].split("/")[0].lower() == host.lower()
    assert origin(url).endswith("/***") == bool("/".join(path) or query)
