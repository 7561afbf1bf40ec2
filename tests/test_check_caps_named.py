"""`syndicate check` names every answer it stopped reading at its cap, each with advice for what
that file is: robots.txt and a sitemap are not told to page the feeds, and the home page (or any
page) over the most read of one page is named, not passed over in silence."""

from __future__ import annotations

import http.server

import yaml

from conftest import BASE_CONFIG, serve
from syndicate import check, crawl

LIMIT = 6 << 20  # what the server sends at most of one answer


class _Endless(http.server.BaseHTTPRequestHandler):
    """Every address: 200 and a body that goes on (HTML for the home page)."""

    def log_message(self, *a):
        pass

    def do_GET(self):
        page = self.path == "/"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8" if page
                         else "application/rss+xml")
        self.end_headers()
        try:
            self.wfile.write(b"<!doctype html><html><body><p>" if page
                             else b"<rss><channel><title>")
            sent = 0
            while sent < LIMIT:
                self.wfile.write(b"a" * 65536)
                sent += 65536
        except OSError:
            pass


def test_robots_sitemap_and_the_home_page_over_their_caps_are_each_named_with_fitting_advice(
        tmp_path, make_project, monkeypatch):
    monkeypatch.setattr(check, "BODY_BYTES", 1 << 20)
    monkeypatch.setattr(check, "SITEMAP_BYTES", 2 << 20)
    monkeypatch.setattr(crawl, "PAGE_BYTES", 1 << 20)
    server, url = serve(_Endless)
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["site"]["url"] = url + "/"
    (tmp_path / "check.yaml").write_text(yaml.safe_dump(cfg))
    proj = make_project({})
    try:
        result = proj.run("check", "--config", str(tmp_path / "check.yaml"))
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    for name in ("robots.txt", "sitemap.xml"):
        (line,) = [ln for ln in errors if ln.startswith(f"Error: {url}/{name}:")]
        assert "reading stopped" in line and "feed_items" not in line, line
    (feed,) = [ln for ln in errors if ln.startswith(f"Error: {url}/feed.xml:")]
    assert "feed_items" in feed  # a feed is told how to be smaller
    home = [ln for ln in errors if ln.startswith(f"Error: {url}/:") or f" {url}/ " in ln
            or f"{url}/:" in ln]
    assert home and "MB" in home[0], result.output
