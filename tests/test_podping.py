"""Podping (``podcast.podping: true``): after a publish that changed the podcast feed, one GET of
the Podping endpoint (``notify.podping_url``; a loopback server stands in for podping.cloud)
with ?url=<the feed>&reason=update&medium=podcast and the token from SYNDICATE_PODPING_TOKEN in
its Authorization header, after the other pings. A publish that did not change the podcast feed
sends none; a failed podping, or a token missing, is a warning and never a failed publish; the
token is never written anywhere nor shown."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Recorder, free_port, post, sidecar, tone

TOKEN = "pp-Secret-Token-1234567890"
FEED = "https://example.test/podcast.xml"


def _config(endpoint: str, podping: bool = True) -> str:
    cfg = BASE_CONFIG.replace("  explicit: false\n",
                              f"  explicit: false\n  podping: {str(podping).lower()}\n")
    return cfg + f"audio:\n  process: false\nnotify:\n  podping_url: {endpoint}\n  timeout: 5\n"


def _podpings(rec: Recorder) -> list[tuple[dict, dict]]:
    """(query, headers) of each request the stand-in received."""
    out = []
    for (method, path, _body), headers in zip(rec.requests, rec.headers, strict=True):
        assert method == "GET" and urlsplit(path).path == "/podping", path
        out.append((parse_qs(urlsplit(path).query), headers))
    return out


@pytest.fixture
def show(make_project, recorder, monkeypatch):
    monkeypatch.setenv("SYNDICATE_PODPING_TOKEN", TOKEN)
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0),
                         "posts/a.md": post("A")},
                        config=_config(recorder.url + "/podping"))
    return proj


def _nowhere_in(proj, *outputs: str) -> None:
    assert all(TOKEN not in o for o in outputs)
    for path in proj.root.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_a_publish_that_changes_the_podcast_feed_sends_one_podping(show, recorder):
    result = show.run("publish")
    assert result.exit_code == 0, result.output
    ((query, headers),) = _podpings(recorder)
    assert query == {"url": [FEED], "reason": ["update"], "medium": ["podcast"]}
    assert headers["Authorization"] == TOKEN
    assert headers["User-Agent"].startswith("syndicate/")
    assert b'<podcast:podping usesPodping="true"/>' in show.read("podcast.xml")
    recorder.requests.clear()
    recorder.headers.clear()
    # nothing changed: none; a post only (the blog's feeds): none; a new episode: one
    assert show.run("publish").exit_code == 0
    show.write("posts/b.md", post("B", date="2026-10-02"))
    assert show.run("publish").exit_code == 0
    assert _podpings(recorder) == []
    show.write("episodes/two.yaml", sidecar("Two", date="2026-10-02 08:00"))
    show.write("episodes/two.mp3", tone(1.0, freq=330))
    again = show.run("publish", "--json")
    assert again.exit_code == 0, again.output
    assert [q for q, _ in _podpings(recorder)] == [query]
    _nowhere_in(show, result.output, again.output)


@pytest.mark.parametrize("status", [401, 500])
def test_a_podping_refused_is_a_warning_naming_the_host_not_the_token(make_project, monkeypatch,
                                                                       status):
    monkeypatch.setenv("SYNDICATE_PODPING_TOKEN", TOKEN)
    rec = Recorder(status=status)
    try:
        proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                            config=_config(rec.url + "/podping"))
        result = proj.run("publish", "--json")
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        assert doc["ok"]
        assert any(w.startswith(f"podping {rec.url}/") and f"answered HTTP {status}" in w
                   for w in doc["warnings"]), doc["warnings"]
        assert len(rec.requests) == 1
        _nowhere_in(proj, result.output)
    finally:
        rec.close()


def test_a_podping_endpoint_that_cannot_be_reached_is_a_warning(make_project, monkeypatch):
    monkeypatch.setenv("SYNDICATE_PODPING_TOKEN", TOKEN)
    endpoint = f"http://127.0.0.1:{free_port()}/podping"  # nobody listens there
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                        config=_config(endpoint))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "podping http://127.0.0.1:" in result.output and "cannot connect" in result.output
    assert "Traceback" not in result.output
    _nowhere_in(proj, result.output)


def test_without_a_token_or_with_podping_off_nothing_is_sent(make_project, recorder,
                                                             monkeypatch):
    monkeypatch.delenv("SYNDICATE_PODPING_TOKEN", raising=False)
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                        config=_config(recorder.url + "/podping"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "SYNDICATE_PODPING_TOKEN is not set" in result.output
    assert recorder.requests == []
    monkeypatch.setenv("SYNDICATE_PODPING_TOKEN", TOKEN)
    proj.write("config.yaml", _config(recorder.url + "/podping", podping=False))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert recorder.requests == [] and "podping" not in result.output.lower()


class _Never:
    """A watcher that reports no change: the test rebuilds when it means to."""

    def wait(self, stop):
        stop.wait()
        return False


def test_a_preview_sends_no_podping_nor_any_ping_across_a_rebuild(make_project, recorder,
                                                                  monkeypatch):
    from syndicate.serve import Server

    monkeypatch.setenv("SYNDICATE_PODPING_TOKEN", TOKEN)
    config = _config(recorder.url + "/podping") + (
        f"  websub_hubs: [{recorder.url}/hub]\n  pubnotify: {recorder.url}/pubnotify\n")
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                        config=config)
    server = Server(proj.root / "config.yaml", port=0, watcher=_Never(), drafts=True).start()
    try:
        assert server.last.ok, server.last.errors
        proj.write("episodes/two.yaml", sidecar("Two", date="2026-10-02 08:00"))
        proj.write("episodes/two.mp3", tone(1.0, freq=330))
        out = server.rebuild()
        assert out.ok and out.written, out.errors
        assert not any("podping" in w for w in server.last.warnings), server.last.warnings
    finally:
        server.close()
    assert recorder.requests == []
    # a publish of the same project still sends its one podping and its pings
    assert proj.run("publish").exit_code == 0
    assert sorted(urlsplit(p).path for _m, p, _b in recorder.requests) == [
        "/hub", "/hub", "/hub", "/podping", "/pubnotify"]


@pytest.mark.parametrize("token", ["TOKSECRET-line1\nline2", "TOKSECRET-abc\r\nX-Evil: 1",
                                   "TOKSECRET-tab\tx", "TOKSECRET-ctl\x01x"])
def test_a_token_a_header_cannot_carry_is_refused_unsent_and_unshown(make_project, recorder,
                                                                     monkeypatch, token):
    monkeypatch.setenv("SYNDICATE_PODPING_TOKEN", token)
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                        config=_config(recorder.url + "/podping"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert recorder.requests == []
    assert "SYNDICATE_PODPING_TOKEN holds a line break, a control character" in result.output
    assert "TOKSECRET" not in result.output and "Traceback" not in result.output


def _ping(proj, endpoint: str, token: str, timeout: int = 5) -> list[str]:
    """The warnings of a podping, through the library, for the project's podcast feed."""
    import os

    from syndicate.config import load_config
    from syndicate.notify import ping_podping

    proj.write("config.yaml", _config(endpoint).replace("timeout: 5", f"timeout: {timeout}"))
    before = os.environ.get("SYNDICATE_PODPING_TOKEN")
    os.environ["SYNDICATE_PODPING_TOKEN"] = token
    try:
        return ping_podping(load_config(proj.root / "config.yaml"), [FEED])
    finally:
        if before is None:
            del os.environ["SYNDICATE_PODPING_TOKEN"]
        else:
            os.environ["SYNDICATE_PODPING_TOKEN"] = before


def test_any_token_is_sent_as_itself_or_refused_and_never_shown(make_project, recorder):
    proj = make_project({}, config=_config(recorder.url + "/podping"))

    @given(body=st.text(st.characters(blacklist_characters="\x00",
                                      blacklist_categories=("Cs",)), max_size=20),
           tail=st.sampled_from(["", "\n", "\r\n", " "]))
    @settings(max_examples=60, deadline=None)
    def check(body, tail):
        token = "QZXV" + body + tail
        recorder.requests.clear()
        recorder.headers.clear()
        warnings = _ping(proj, recorder.url + "/podping", token)
        assert all("QZXV" not in w and "Traceback" not in w for w in warnings), warnings
        sent = token.strip()
        if all(" " <= c <= "~" for c in sent):
            assert warnings == [] and [h["Authorization"] for h in recorder.headers] == [sent]
        else:
            assert recorder.requests == []
            assert len(warnings) == 1 and "SYNDICATE_PODPING_TOKEN holds" in warnings[0]

    check()


def test_a_short_token_garbles_no_message_and_podping_names_no_hub(make_project):
    import socket

    proj = make_project({}, config=_config("http://127.0.0.1:1/"))
    # a closed port: the words stay whole whatever letters a short token has
    (closed,) = _ping(proj, f"http://127.0.0.1:{free_port()}/podping", "x")
    words = closed.split(": ", 1)[1]
    assert "*" not in words and "next poll the feed" in words and "hub" not in words
    # a server that takes the connection and never answers: a timeout, no hub either
    with socket.socket() as quiet:
        quiet.bind(("127.0.0.1", 0))
        quiet.listen(8)
        port = quiet.getsockname()[1]
        (late,) = _ping(proj, f"http://127.0.0.1:{port}/podping", TOKEN, timeout=1)
    assert late.startswith(f"podping http://127.0.0.1:{port}/***: no answer within 1 s")
    assert "hub" not in late and "apps will see it when they next poll the feed" in late
    assert TOKEN not in late


def test_a_refused_token_is_named_as_the_cause(make_project):
    rec = Recorder(status=401)
    try:
        proj = make_project({}, config=_config(rec.url + "/podping"))
        (refused,) = _ping(proj, rec.url + "/podping", TOKEN)
        assert refused == (f"podping {rec.url}/***: answered HTTP 401: the token was refused; "
                           "check SYNDICATE_PODPING_TOKEN")
        assert [h["Authorization"] for h in rec.headers] == [TOKEN]
    finally:
        rec.close()


def test_serve_command_with_podping_and_a_token_sends_nothing_on_a_rebuild(make_project,
                                                                          recorder,
                                                                          monkeypatch):
    import signal

    from test_serve import Events, start_cli

    monkeypatch.setenv("SYNDICATE_PODPING_TOKEN", TOKEN)  # start_cli passes os.environ on
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                        config=_config(recorder.url + "/podping"))
    proc, url = start_cli(proj, "--drafts")
    try:
        events = Events(url)
        proj.write("episodes/two.yaml", sidecar("Two", date="2026-10-02 08:00"))
        proj.write("episodes/two.mp3", tone(1.0, freq=330))
        assert events.wait()["errors"] == []
        events.close()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert recorder.requests == []
    assert "podping" not in (out + err).lower() and TOKEN not in out + err
