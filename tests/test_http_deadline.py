"""A total deadline for every outgoing request: a server that trickles its headers, or its
body, a line or a byte at a time (so no single wait trips the read timeout) is not waited on.
The command ends soon after the deadline with one clear line: a podping (or a ping) is a
warning that says it was not sent, an import source an error naming it (and its page)."""

from __future__ import annotations

import pytest

from conftest import BASE_CONFIG, guard, post, sidecar, tone


def _podcast_config(endpoint: str) -> str:
    cfg = BASE_CONFIG.replace("  explicit: false\n", "  explicit: false\n  podping: true\n")
    return cfg + f"audio:\n  process: false\nnotify:\n  podping_url: {endpoint}\n  timeout: 1\n"


@pytest.mark.parametrize("what", ["headers", "body"])
def test_a_podping_endpoint_trickling_its_answer_is_one_warning_not_a_hang(
        make_project, slow_host, monkeypatch, what):
    monkeypatch.setenv("SYNDICATE_PODPING_TOKEN", "tok-123456")
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0),
                         "posts/a.md": post("A")},
                        config=_podcast_config(f"{slow_host.url}/{what}/podping"))
    with guard():
        result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert len(slow_host.asked) >= 1
    warned = [line for line in result.output.splitlines() if "podping" in line]
    assert len(warned) == 1, result.output
    assert "no answer within 1 s (whether it arrived is unknown)" in warned[0]
    assert "Traceback" not in result.output
    assert b"<title>One</title>" in proj.read("podcast.xml")


@pytest.mark.parametrize("what", ["headers", "body"])
def test_an_import_source_trickling_its_answer_fails_naming_it(make_project, slow_host,
                                                             monkeypatch, what):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "DEADLINE", 1)
    proj = make_project({})
    url = f"{slow_host.url}/{what}/feed.xml"
    with guard():
        result = proj.run("import", "--audio", "keep-url", url, "--config",
                          str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {url}: still arriving after 1 s"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output + result.stderr
    assert list((proj.root / "posts").glob("*")) == []


@pytest.mark.parametrize("as_json", [False, True])
@pytest.mark.parametrize("what", ["headers", "body"])
def test_an_import_source_still_awaited_past_the_slow_mark_is_said_while_waited_for(
        make_project, slow_host, monkeypatch, what, as_json):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "DEADLINE", 2)
    monkeypatch.setattr(fetch, "SLOW_MARK", 0.3)
    proj = make_project({})
    url = f"{slow_host.url}/{what}/feed.xml"
    with guard():
        result = proj.run("import", "--audio", "keep-url", url, *(["--json"] * as_json),
                          "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"Waiting for {url}: no whole answer after 0.3 s"), lines
    assert "given up at 2 s" in lines[0], lines
    assert sum(1 for line in lines if line.startswith("Waiting for")) == 1
    assert any(line.startswith(f"Error: {url}: still arriving after 2 s") for line in lines)
    assert "Waiting for" not in result.stdout  # (never into --json's document)
    assert "Traceback" not in result.output + result.stderr
    # a source that answers before the mark says nothing of waiting
    slow_host.feed = _blog_feed()
    with guard():
        good = proj.run("import", "--audio", "keep-url", f"{slow_host.url}/good/feed.xml",
                        "--config", str(proj.root / "config.yaml"))
    assert good.exit_code == 0, good.output
    assert "Waiting for" not in good.stderr + good.stdout


def test_a_configured_source_still_awaited_past_the_slow_mark_is_said_by_publish(
        make_project, slow_host, monkeypatch):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "DEADLINE", 2)
    monkeypatch.setattr(fetch, "SLOW_MARK", 0.3)
    url = f"{slow_host.url}/body/feed.xml"
    proj = make_project({"posts/a.md": post("Mine")},
                        config=BASE_CONFIG + f"sources:\n  - {url}\n")
    with guard():
        result = proj.run("publish", "--json")
    assert result.exit_code == 1, result.output
    waiting = [line for line in result.stderr.splitlines() if line.startswith("Waiting for")]
    assert len(waiting) == 1 and url in waiting[0] and "given up at 2 s" in waiting[0]
    assert "Waiting for" not in result.stdout


def _blog_feed(next_link: str | None = None) -> bytes:
    link = (f'<atom:link rel="next" href="{next_link}"/>' if next_link else "")
    return (f'<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
            f"<channel><title>Old blog</title><link>http://old.test/</link>{link}"
            "<item><title>Frost Dates</title><guid>old-1</guid>"
            "<pubDate>Mon, 05 Nov 2018 09:00:00 GMT</pubDate>"
            "<description>The first frost came early.</description></item>"
            "</channel></rss>").encode()


def test_a_page_of_a_paged_feed_trickling_fails_the_import_naming_the_page(
        make_project, slow_host, monkeypatch):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "DEADLINE", 1)
    slow_host.feed = _blog_feed(f"{slow_host.url}/headers/p1.xml")
    proj = make_project({})
    with guard():
        result = proj.run("import", "--audio", "keep-url", f"{slow_host.url}/good/p0.xml",
                          "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert f"its page 2 ({slow_host.url}/headers/p1.xml) failed, so nothing of the feed was " \
           "imported" in line and "still arriving after 1 s" in line, line
    assert list((proj.root / "posts").glob("*")) == []


def test_a_configured_source_trickling_is_named_and_the_rest_is_published(
        make_project, slow_host, monkeypatch):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "DEADLINE", 1)
    url = f"{slow_host.url}/headers/feed.xml"
    proj = make_project({"posts/a.md": post("Mine")},
                        config=BASE_CONFIG + f"sources:\n  - {url}\n")
    with guard():
        result = proj.run("publish")
    # (as for any source that fails: named, nothing of it written, the rest published)
    assert result.exit_code == 1, result.output
    named = [line for line in result.output.splitlines() if url in line]
    assert len(named) == 1 and "still arriving after 1 s" in named[0], result.output
    assert "Published to public" in result.output
    assert b"Mine" in proj.read("feed.xml")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("what", ["headers", "body"])
def test_check_of_a_site_trickling_its_answers_names_them_and_ends(tmp_path, make_project,
                                                                   slow_host, monkeypatch, what):
    import yaml

    from syndicate import check, crawl

    monkeypatch.setattr(check, "BODY_SECONDS", 1)
    monkeypatch.setattr(crawl, "ANSWER_SECONDS", 1)
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["site"]["url"] = f"{slow_host.url}/{what}/"
    (tmp_path / "check.yaml").write_text(yaml.safe_dump(cfg))
    proj = make_project({})
    with guard():
        result = proj.run("check", "--config", str(tmp_path / "check.yaml"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    feed = f"{slow_host.url}/{what}/feed.xml"
    (line,) = [ln for ln in result.output.splitlines() if ln.startswith(f"Error: {feed}:")]
    said = ("no whole answer to GET within 1 s" if what == "headers"
            else "the answer took over 1 s to arrive")
    assert said in line, result.output


def test_a_podping_that_timed_out_is_sent_by_the_next_publish(make_project, slow_host,
                                                               recorder, monkeypatch):
    """The first publish's podping trickles past its deadline; the next publish, which changes
    no feed, sends it (to the endpoint, now answering); the one after sends nothing."""
    monkeypatch.setenv("SYNDICATE_PODPING_TOKEN", "tok-123456")
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                        config=_podcast_config(f"{slow_host.url}/headers/podping"))
    with guard():
        first = proj.run("publish")
    assert first.exit_code == 0 and "no answer within" in first.output, first.output
    cfg = proj.root / "config.yaml"
    cfg.write_text(cfg.read_text().replace(f"{slow_host.url}/headers/podping",
                                           f"{recorder.url}/podping"))
    second = proj.run("publish")
    assert second.exit_code == 0, second.output
    assert "wrote 0 files" in second.output
    assert [m for m, _p, _b in recorder.requests] == ["GET"]
    assert "url=https%3A%2F%2Fexample.test%2Fpodcast.xml" in recorder.requests[0][1]
    third = proj.run("publish")
    assert third.exit_code == 0 and len(recorder.requests) == 1, third.output


def test_an_episode_audio_trickling_its_headers_fails_naming_it(make_project, slow_host,
                                                                 monkeypatch):
    from syndicate.importer import fetch

    monkeypatch.setattr(fetch, "DEADLINE", 1)
    audio = f"{slow_host.url}/headers/ep.mp3"
    feed = ('<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
            "<channel><title>S</title><itunes:author>A</itunes:author><item><title>Slow"
            "</title><guid>e1</guid><pubDate>Sat, 01 Jan 2000 00:00:00 GMT</pubDate>"
            f'<enclosure url="{audio}" length="2000" type="audio/mpeg"/>'
            "</item></channel></rss>")
    proj = make_project({"show.xml": feed})
    with guard():
        result = proj.run("import", str(proj.root / "show.xml"), "--config",
                          str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    named = [ln for ln in result.stderr.splitlines() if audio in ln]
    assert len(named) == 1 and "no answer within 1 s" in named[0], result.stderr
    assert list((proj.root / "episodes").glob("*.mp3")) == []
