"""`syndicate check` against a host that trickles its answers (a byte now and then, so no wait
for a byte ever runs out): once one address on that host ran out its deadline, or came slower
than the least rate check waits for, the host's other addresses are "not asked", as for a host
that never answers; and an answer still coming after SLOW_SECONDS is said while it is waited
for. The deadlines are lowered here through the module's own settings."""

from __future__ import annotations

import socket

import pytest
import yaml

from conftest import BASE_CONFIG, guard
from syndicate import check, crawl


def _check(tmp_path, make_project, site: str):
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["site"]["url"] = site
    (tmp_path / "check.yaml").write_text(yaml.safe_dump(cfg))
    proj = make_project({})
    with guard():
        result = proj.run("check", "--config", str(tmp_path / "check.yaml"))
    assert "Traceback" not in result.output
    return result, result.output.splitlines()


@pytest.mark.parametrize("limit", ["deadline", "rate"])
def test_a_host_trickling_its_answer_is_asked_once_and_its_other_addresses_not_asked(
        tmp_path, make_project, monkeypatch, slow_host, limit):
    if limit == "deadline":  # a byte every 50 ms keeps every wait short: only the deadline ends it
        monkeypatch.setattr(check, "BODY_SECONDS", 1)
        monkeypatch.setattr(check, "MIN_RATE", 0)
    else:  # 20 bytes a second: under the least rate once SLOW_SECONDS passed
        monkeypatch.setattr(check, "BODY_SECONDS", 30)
        monkeypatch.setattr(check, "SLOW_SECONDS", 0.5)
    monkeypatch.setattr(crawl, "ANSWER_SECONDS", 1)
    site = f"{slow_host.url}/drip/"
    result, lines = _check(tmp_path, make_project, site)
    assert result.exit_code == 1
    errors = [ln for ln in lines if ln.startswith("Error:")]
    first = [ln for ln in errors if ln.startswith(f"Error: {site}feed.xml:")]
    assert len(first) == 1, result.output
    if limit == "deadline":
        assert "the answer took over 1 s to arrive" in first[0]
    else:
        assert "bytes a second, under the" in first[0] and "reading stopped" in first[0]
        assert any(ln.startswith(f"GET {site}feed.xml: still waiting") for ln in lines), \
            result.output
    # the host was asked once: every other address is named, not asked
    assert slow_host.asked == ["/drip/feed.xml"], slow_host.asked
    for path in ("atom.xml", "podcast.xml", "feed.json", "podcast.json", "robots.txt",
                 "sitemap.xml"):
        (line,) = [ln for ln in errors if ln.startswith(f"Error: {site}{path}:")]
        assert "not asked" in line and "too slowly" in line, line
    assert any("its pages were not crawled" in ln for ln in errors), result.output


def test_an_answer_slow_but_above_the_least_rate_is_read_and_said_while_waiting(
        tmp_path, make_project, monkeypatch, slow_host):
    monkeypatch.setattr(check, "SLOW_SECONDS", 0.5)
    monkeypatch.setattr(check, "MIN_RATE", 10)  # the feed comes at about 400 bytes a second
    site = f"{slow_host.url}/slow/"
    result, lines = _check(tmp_path, make_project, site)
    errors = [ln for ln in lines if ln.startswith("Error:")]
    # read whole: no problem with the feed's arrival, and the host was asked the rest
    assert not [ln for ln in errors if ln.startswith(f"Error: {site}feed.xml:")
                and ("stopped" in ln or "not asked" in ln)], result.output
    assert not [ln for ln in errors if "not asked" in ln], result.output
    assert any(ln.startswith(f"GET {site}feed.xml: still waiting") for ln in lines), \
        result.output
    assert "/slow/atom.xml" in slow_host.asked and "/slow/podcast.xml" in slow_host.asked


@pytest.mark.parametrize("kind", ["silent", "trickling"])
@pytest.mark.parametrize("as_json", [False, True])
def test_a_password_in_the_checked_address_is_in_no_line_not_even_the_not_asked_ones(
        tmp_path, make_project, monkeypatch, slow_host, as_json, kind):
    monkeypatch.setattr(check, "BODY_SECONDS", 1)
    monkeypatch.setattr(check, "TIMEOUT", (2, 1))
    monkeypatch.setattr(crawl, "ANSWER_SECONDS", 1)
    silent = socket.socket()  # accepts (the kernel does) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        base = (f"http://127.0.0.1:{silent.getsockname()[1]}" if kind == "silent"
                else slow_host.url + "/drip")
        address = base.replace("http://", "http://alice:s3cretPW@") + "/"
        proj = make_project({})
        with guard():
            result = proj.run("check", "--config", str(proj.root / "config.yaml"), "--url",
                              address, *(["--json"] if as_json else []))
    finally:
        silent.close()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "not asked" in result.output  # the lines that named the host with its credential
    said = result.output.lower()
    assert "s3cretpw" not in said and "alice" not in said, result.output


def test_a_chapters_file_trickling_in_the_crawl_is_given_up_under_the_least_rate(
        make_project, tmp_path, monkeypatch):
    """h17 X8: the crawl's reads (chapters, transcripts, pages) are under the same slow mark
    and least rate as the feeds': a chapters file coming at about 20 bytes a second is said
    while it is waited for, then given up and named; the rest of the site is still checked."""
    import shutil
    import time

    from test_check_app_files import _publish
    from test_check_pages import _host

    proj = _publish(make_project, ".vtt")
    copy = tmp_path / "copy"
    shutil.copytree(proj.public(""), copy)
    (copy / "episodes/one/chapters.json").write_bytes(
        proj.public("episodes/one/chapters.json").read_bytes() + b" " * 500)
    server, log = _host(copy)
    handler = server.RequestHandlerClass

    def copyfile(self, source, outputfile):
        if not self.path.endswith("/chapters.json"):
            return shutil.copyfileobj(source, outputfile)
        try:
            while byte := source.read(1):
                outputfile.write(byte)
                outputfile.flush()
                time.sleep(0.05)
        except OSError:  # the check gave up: the connection is gone
            pass
        return None

    monkeypatch.setattr(handler.func, "copyfile", copyfile)
    monkeypatch.setattr(check, "SLOW_SECONDS", 0.5)
    monkeypatch.setattr(crawl, "ANSWER_SECONDS", 300)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with guard():
            result = proj.run("check", "--config", str(proj.root / "config.yaml"), "--url", base)
    finally:
        server.shutdown()
        server.server_close()
    lines = result.output.splitlines()
    assert result.exit_code == 1 and "Traceback" not in result.output
    chapters = f"{base}episodes/one/chapters.json"
    (named,) = [ln for ln in lines if ln.startswith(f"Error: {chapters}:")]
    assert "bytes a second, under the 1,024 check waits for" in named, named
    assert any(ln.startswith(f"GET {chapters}: still waiting") for ln in lines), result.output
    errors = [ln for ln in lines if ln.startswith("Error:")]
    assert errors == [named], result.output  # the rest of the site checked, and good
    assert ("GET", "/episodes/one/transcript.vtt") in log
