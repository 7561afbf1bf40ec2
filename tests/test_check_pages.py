"""`syndicate check` checks the pages: every page, image, transcript and chapters file the feeds
or the pages link to on the site answers 200, each address asked for once; a broken link is
named with the pages that link it; links to other sites are fetched only with --external.

A local http.server (with byte ranges, as a real host has) serves a published folder.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Recorder, free_port, png_bytes, post, sidecar, tone
from syndicate.crawl import crawl


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """A static host: files from a folder, byte ranges, every request recorded."""

    log: list[tuple[str, str]]

    def log_message(self, *a):
        pass

    def do_HEAD(self):
        self.log.append(("HEAD", unquote(self.path)))
        super().do_HEAD()

    gzip = False  # compress every answer but audio, when asked (nginx `gzip on`, a CDN)

    def do_GET(self):
        self.log.append(("GET", unquote(self.path)))
        wanted = self.headers.get("Range", "")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if self.gzip and not wanted and path.is_file() and path.suffix != ".mp3" \
                and "gzip" in self.headers.get("Accept-Encoding", ""):
            import gzip

            data = gzip.compress(path.read_bytes())
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None
        if not (wanted.startswith("bytes=") and path.is_file()):
            return super().do_GET()
        data = path.read_bytes()
        first, _, last = wanted[6:].partition("-")
        part = data[int(first): int(last or len(data) - 1) + 1]
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{int(first) + len(part) - 1}/"
                                          f"{len(data)}")
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        self.wfile.write(part)


def _host(folder: Path, port: int = 0, gzip: bool = False):
    log: list[tuple[str, str]] = []
    handler = functools.partial(type("H", (SiteHandler,), {"log": log, "gzip": gzip}),
                                directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, log


@pytest.fixture
def outside():
    rec = Recorder(status=200)
    yield rec
    rec.close()


@pytest.fixture
def live_site(make_project, outside):
    port = free_port()
    site = f"http://127.0.0.1:{port}/"
    config = BASE_CONFIG.replace("url: https://example.test/", f"url: {site}") + \
        "audio:\n  process: false\n"
    body = (f"![a marsh](marsh.png) [notes](notes.pdf) [the next post](/posts/b/) "
            f"[elsewhere]({outside.url}/page) [mail](mailto:a@example.test)")
    proj = make_project({
        "posts/a.md": post("A", "2026-10-02", body), "posts/marsh.png": png_bytes(4, 3),
        "posts/notes.pdf": b"%PDF-1.4 notes",
        "posts/b.md": post("B", "2026-10-01", "The [first one](../a/)."),
        "episodes/one.yaml": sidecar("One", transcript="one.vtt", image="art.png",
                                     chapters="[{start: 0, title: Start}]"),
        "episodes/one.mp3": tone(1.0), "episodes/art.png": png_bytes(),
        "episodes/one.vtt": "WEBVTT\n\n00:00.000 --> 00:00.900\nHello.\n",
    }, config=config)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    server, log = _host(proj.root / "public", port)
    yield proj, site, log
    server.shutdown()
    server.server_close()


def _check(proj, *extra):
    return proj.run("check", "--config", str(proj.root / "config.yaml"), *extra)


def test_check_fetches_every_page_and_file_once(live_site, outside):
    proj, _, log = live_site
    result = _check(proj)
    assert result.exit_code == 0, result.output
    assert "0 problems (1 links to other sites not fetched; --external fetches them)" \
        in result.output
    gets = Counter(path for method, path in log if method == "GET")
    # nothing published is left unchecked: every file, each page by its folder's address
    published = {"/" + p.relative_to(proj.public("")).as_posix()
                 for p in proj.public("").rglob("*")
                 if p.is_file() and ".syndicate" not in p.parts} - {"/404.html"}  # linked by none
    asked = {p + "index.html" if p.endswith("/") else p for p in gets}
    assert published <= asked, published - asked
    # each once: the audio's one GET is the byte-range request (after its HEAD); the episode
    # page's player links it too, and it is not asked for again
    assert all(n == 1 for n in gets.values()), gets
    assert not outside.requests  # another site's link is not fetched


def test_check_names_each_broken_link_with_the_pages_that_link_it(live_site):
    proj, site, _ = live_site
    for rel in ("posts/a/marsh.png", "episodes/one/transcript.vtt",
                "episodes/one/chapters.json"):
        proj.public(rel).unlink()
    shutil.rmtree(proj.public("posts/b"))  # (http.server would list a folder left empty)
    result = _check(proj)
    assert result.exit_code == 1
    out = result.output
    assert f"Error: {site}posts/a/marsh.png: HTTP 404, linked from {site}posts/a/" in out
    assert f"Error: {site}episodes/one/transcript.vtt: HTTP 404, linked from " \
           f"{site}episodes/one/" in out and f"{site}podcast.xml" in out
    assert f"Error: {site}episodes/one/chapters.json: HTTP 404, linked from" in out
    line = next(x for x in out.splitlines() if x.startswith(f"Error: {site}posts/b/:"))
    assert f"{site}posts/a/" in line and site + "feed.xml" in line  # a page and a feed
    assert "4 problems" in out and "Traceback" not in out


def test_external_links_are_fetched_only_when_asked(live_site, outside):
    proj, _, _ = live_site
    result = _check(proj, "--external")
    assert result.exit_code == 0, result.output
    assert [(m, p) for m, p, _ in outside.requests] == [("GET", "/page")]
    outside.status = 404
    result = _check(proj, "--external")
    assert result.exit_code == 1
    assert f"{outside.url}/page: HTTP 404, linked from" in result.output


# -- the crawl on generated sites: known answers ------------------------------------------------

@pytest.fixture(scope="module")
def host(tmp_path_factory):
    root = tmp_path_factory.mktemp("sites")
    server, log = _host(root)
    yield root, f"http://127.0.0.1:{server.server_address[1]}/", log
    server.shutdown()
    server.server_close()


_site = st.integers(min_value=1, max_value=12).flatmap(lambda n: st.tuples(
    st.just(n),
    # each page links some pages and some images; some targets are missing
    st.lists(st.lists(st.tuples(st.sampled_from(["page", "img"]),
                                st.integers(0, n + 2),
                                st.sampled_from(["rel", "root", "abs", "frag"])),
                      max_size=6), min_size=n, max_size=n),
    st.sets(st.integers(0, n + 2)),  # pages that are missing
    st.sets(st.integers(0, n + 2)),  # images that are missing
))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_site, st.integers(1, 4))
def test_the_crawl_finds_exactly_the_broken_links_it_can_reach(host, case, workers):
    root, server_url, log = host
    n, links, gone_pages, gone_images = case
    name = f"s{len(list(root.iterdir()))}"
    site = f"{server_url}{name}/"
    folder = root / name
    folder.mkdir()

    def page_url(i):
        return f"{site}p{i}/"

    def address(kind, i, style):
        target = f"p{i}/" if kind == "page" else f"i{i}.png"
        return {"rel": f"../{target}", "root": f"/{name}/{target}", "abs": site + target,
                "frag": f"../{target}#x"}[style]

    for i in range(n + 3):  # every page and image, some then taken away
        if i not in gone_pages:
            body = "".join(f'<img src="{address(k, t, s)}" alt="">' if k == "img"
                           else f'<a href="{address(k, t, s)}">x</a>'
                           for k, t, s in (links[i] if i < n else []))
            (folder / f"p{i}").mkdir(parents=True)
            (folder / f"p{i}/index.html").write_text(f"<!doctype html><p>{body}</p>")
        if i not in gone_images:
            (folder / f"i{i}.png").write_bytes(b"png")
    log.clear()
    report = crawl(site, [(page_url(0), None)], user_agent="test", workers=workers)

    # the known answer: walk the generated graph from page 0
    reach, todo, refs = set(), [("page", 0)], {}
    while todo:
        kind, i = todo.pop()
        if (kind, i) in reach:
            continue
        reach.add((kind, i))
        if kind == "page" and i not in gone_pages and i < n:
            for k, t, _ in links[i]:
                refs.setdefault((k, t), set()).add(page_url(i))
                todo.append((k, t))
    broken = {(k, i) for k, i in reach if i in (gone_pages if k == "page" else gone_images)}
    url_of = {(k, i): page_url(i) if k == "page" else f"{site}i{i}.png" for k, i in reach}
    assert {b.url for b in report.broken} == {url_of[x] for x in broken}
    for b in report.broken:
        key = next(x for x in broken if url_of[x] == b.url)
        assert set(b.linked_from) == refs.get(key, set())
    assert sorted(report.checked) == sorted(url_of.values())  # each reachable one, once
    # each asked for once (a folder that answers 404 is asked for its index.html as well)
    assert Counter(p for _, p in log if not p.endswith("/index.html")) == \
        Counter(urlsplit(u).path for u in url_of.values())
    assert not report.stopped and not report.external


def test_the_crawl_stops_at_its_limit_and_says_so(host):
    root, server_url, _ = host
    folder = root / "chain"
    for i in range(30):
        (folder / f"p{i}").mkdir(parents=True)
        (folder / f"p{i}/index.html").write_text(f'<a href="../p{i + 1}/">next</a>')
    report = crawl(f"{server_url}chain/", [(f"{server_url}chain/p0/", None)], user_agent="t",
                   limit=10)
    assert len(report.checked) == 10 and report.stopped
    assert "stopped after 10 addresses" in report.problems()[-1]
    shutil.rmtree(folder)


def test_a_page_of_junk_is_read_without_a_traceback(host):
    root, server_url, _ = host
    (root / "junk").mkdir()
    (root / "junk/index.html").write_bytes(b"<a href='http://[::1'>x</a><a href=\"\x00\">"
                                           b"<![CDATA[ <img src=x> \xff\xfe<base href='//'>")
    report = crawl(f"{server_url}junk/", [(f"{server_url}junk/", None)], user_agent="t")
    assert f"{server_url}junk/" in report.checked
    assert all(": " in p for p in report.problems())


def test_a_page_reached_by_a_redirect_has_its_links_read_from_where_it_landed(host):
    root, server_url, _ = host
    (root / "red/a").mkdir(parents=True)
    (root / "red/a/index.html").write_text('<img src="x.png" alt="">')
    (root / "red/a/x.png").write_bytes(b"png")
    # http.server answers red/a with a redirect to red/a/, as most hosts do
    report = crawl(f"{server_url}red/", [(f"{server_url}red/a", None)], user_agent="t")
    assert report.broken == [] and f"{server_url}red/a/x.png" in report.checked


# -- --url: a copy of the site, and what --url may be -----------------------------------------
def test_check_url_on_a_copy_crawls_its_pages_as_the_sites_own(live_site, tmp_path):
    proj, _site, live_log = live_site
    copy_dir = tmp_path / "copy"
    shutil.copytree(proj.public(""), copy_dir)
    (copy_dir / "posts/a/marsh.png").unlink()  # one broken link the copy has, the live site not
    server, copy_log = _host(copy_dir)
    copy = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        result = _check(proj, "--url", copy)
    finally:
        server.shutdown()
        server.server_close()
    assert live_log == []  # nothing fetched from site.url: the copy's links are the copy's own
    out = result.output
    assert result.exit_code == 1 and "Traceback" not in out
    assert f"Error: {copy}posts/a/marsh.png: HTTP 404, linked from {copy}posts/a/" in out
    assert "1 problems" in out, out
    asked = {p + "index.html" if p.endswith("/") else p for m, p in copy_log if m == "GET"}
    published = {"/" + p.relative_to(copy_dir).as_posix() for p in copy_dir.rglob("*")
                 if p.is_file() and ".syndicate" not in p.parts} - {"/404.html"}
    assert published - {"/posts/a/marsh.png"} <= asked, published - asked


_not_http = st.from_regex(r"\A[a-z][a-z0-9+.-]{0,8}\Z").filter(lambda s: s not in
                                                                ("http", "https"))
_junk = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="#?"),
                max_size=8)


def test_check_url_takes_only_an_http_address_without_query_or_fragment(make_project, outside):
    proj = make_project({"posts/a.md": post("A", "2026-10-02", "Words.")})
    where = outside.url.split("://", 1)[1]

    @given(kind=st.sampled_from(["scheme", "query", "fragment", "no-host", "blank"]),
           scheme=_not_http, junk=_junk)
    @settings(max_examples=25, deadline=None)
    def one(kind, scheme, junk):
        url = {"scheme": f"{scheme}://{where}/{junk}", "query": f"{outside.url}/sub?{junk}",
               "fragment": f"{outside.url}/sub#{junk}", "no-host": f"http:///{junk}",
               "blank": junk[:0]}[kind]
        result = _check(proj, "--url", url)
        assert result.exit_code == 2, (url, result.output)
        errors = [x for x in result.output.splitlines() if x.startswith("Error:")]
        assert len(errors) == 1 and "--url" in errors[0] and "Traceback" not in result.output
        assert outside.requests == []

    one()
