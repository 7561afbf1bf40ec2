"""`syndicate serve`: the preview build, its HTTP server, rebuilds, reloads and --drafts.

Through the CLI (a subprocess on a free port, read back from what it prints) and the library
(``syndicate.serve.Server``). Every wait is for an event (a line printed, a build event on the
page's event stream), never a sleep.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, post, sidecar, tone
from syndicate.cli import main
from syndicate.serve import Server
from syndicate.serve.http import PreviewServer, make_handler
from syndicate.serve.reload import Builds

SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# -- helpers ----------------------------------------------------------------------------------
def request(url: str, path: str, method: str = "GET", headers: dict | None = None):
    """(status, headers, body) of one request; ``path`` is sent exactly as given."""
    where = urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


class Events:
    """The page's event stream, read in a thread: ``wait()`` returns the next build event."""

    def __init__(self, url: str):
        status, _h, body = request(url, "/__syndicate/status")
        assert status == 200
        since = json.loads(body)["build"]
        where = urlsplit(url)
        self.conn = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
        self.conn.request("GET", f"/__syndicate/events?since={since}")
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.getheader("Content-Type") == "text/event-stream"

    def wait(self) -> dict:
        """The data of the next ``build`` event (a socket timeout fails the test)."""
        event = None
        while True:
            line = self.resp.fp.readline()
            assert line, "the event stream ended before a build event"
            line = line.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "build":
                return json.loads(line.split(":", 1)[1])

    def close(self):
        self.conn.close()


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def catalog_bytes(root: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / ".syndicate").glob("catalog.db*"))}


def project_files() -> dict:
    return {"posts/2026-10-01-hello.md": post("Hello there", "2026-10-01", "First words."),
            "episodes/one.yaml": sidecar("Episode one"), "episodes/one.mp3": tone(2.0)}


@pytest.fixture
def served():
    """``served(project, drafts=False)``: a library Server on a free port, built once."""
    servers = []

    def start(project, **kw) -> Server:
        server = Server(project.root / "config.yaml", port=0, watcher=Never(), **kw).start()
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.close()


class Never:
    """A watcher that reports no change: the test rebuilds when it means to."""

    def wait(self, stop):
        stop.wait()
        return False


# -- byte ranges --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def files_server(tmp_path_factory):
    """A server over a folder of files of several sizes, with a link leading out of it."""
    base = tmp_path_factory.mktemp("ranges")
    root = base / "site"
    root.mkdir()
    data = {}
    for size in (0, 1, 2, 17, 1000, 70_000):
        body = os.urandom(size)
        (root / f"f{size}.mp3").write_bytes(body)
        data[size] = body
    (root / "index.html").write_text("<html><body><p>home</p></body></html>")
    (root / "sub").mkdir()
    (root / "sub" / "index.html").write_text("<html><body>sub</body></html>")
    (base / "secret.txt").write_text("SECRET-OUTSIDE")
    (base / "outside").mkdir()
    (base / "outside" / "secret.txt").write_text("SECRET-OUTSIDE")
    (root / "link-out").symlink_to(base / "outside")
    (root / "secret-link.txt").symlink_to(base / "secret.txt")
    (root / ".syndicate").mkdir()
    (root / ".syndicate" / "state.json").write_text("SECRET-OUTSIDE")
    builds = Builds()
    server = PreviewServer(("127.0.0.1", 0), make_handler(root, builds, dict))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", data, root
    builds.close()
    server.shutdown()
    server.server_close()


def expected(header: str, size: int):
    """What RFC 9110 asks of a server that serves single byte ranges: (status, first, last)."""
    spec = header.removeprefix("bytes=")
    if not header.startswith("bytes=") or "," in spec:
        return 200, 0, size - 1
    first, _, last = spec.partition("-")
    if first == "":
        n = int(last)
        if n == 0 or size == 0:
            return 416, None, None
        return 206, max(size - n, 0), size - 1
    a = int(first)
    b = int(last) if last else size - 1
    if last and b < a:
        return 200, 0, size - 1
    if a >= size:
        return 416, None, None
    return 206, a, min(b, size - 1)


def range_headers():
    n = st.integers(0, 80_000)
    return st.one_of(
        st.builds(lambda a, b: f"bytes={a}-{b}", n, n),
        st.builds(lambda a: f"bytes={a}-", n),
        st.builds(lambda b: f"bytes=-{b}", n),
        st.builds(lambda a, b: f"bytes={a}-{b},{b}-", n, n),  # several: the whole body
        st.builds(lambda a: f"items={a}-", n),
    )


@SLOW
@given(size=st.sampled_from([0, 1, 2, 17, 1000, 70_000]), header=range_headers(),
       method=st.sampled_from(["GET", "HEAD"]))
def test_any_byte_range_gets_its_status_headers_and_bytes(files_server, size, header, method):
    url, data, _root = files_server
    status, headers, body = request(url, f"/f{size}.mp3", method, {"Range": header})
    want, first, last = expected(header, size)
    assert status == want, (header, size)
    assert headers["accept-ranges"] == "bytes"
    if want == 416:
        assert headers["content-range"] == f"bytes */{size}"
        assert body == b""
        return
    assert headers["content-type"] == "audio/mpeg"
    part = data[size][first:last + 1]
    assert int(headers["content-length"]) == len(part)
    if want == 206:
        assert headers["content-range"] == f"bytes {first}-{last}/{size}"
    else:
        assert "content-range" not in headers
    assert body == (part if method == "GET" else b"")


SEGMENTS = ["..", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "..%2f..", "..%5c..", "%2f", "%5c", "",
            ".", "link-out", "secret.txt", "secret-link.txt", "sub", "etc", "passwd",
            ".syndicate", "state.json", "%2esyndicate", "f17.mp3", "%00", "..\\..", "a%2fb"]


@settings(SLOW, max_examples=300)
@given(parts=st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6),
       slash=st.booleans())
def test_no_path_reaches_a_file_outside_the_preview_folder(files_server, parts, slash):
    url, _data, _root = files_server
    path = "/" + "/".join(parts) + ("/" if slash else "")
    status, _headers, body = request(url, path)
    assert b"SECRET-OUTSIDE" not in body, path
    assert status in (200, 301, 404), (path, status)


PATH_CHARS = st.one_of(
    st.sampled_from(list("abz09._-~/\\:;=&+!$'()*,@[]")),
    st.sampled_from(["..", "%2e", "%2E", "%2f", "%2F", "%5c", "%00", "%25", "%", "%zz"]),
    st.integers(0, 255).map(lambda b: f"%{b:02x}"),
)


@settings(SLOW, max_examples=200)
@given(tokens=st.lists(PATH_CHARS, max_size=30))
def test_any_request_path_is_a_page_a_redirect_or_404(files_server, tokens):
    url, _data, _root = files_server
    path = "/" + "".join(tokens)
    status, _headers, body = request(url, path)
    assert status in (200, 301, 404), (path, status)
    assert b"SECRET-OUTSIDE" not in body, path


def test_traversal_attempts_answer_404(files_server):
    url, _data, _root = files_server
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/sub/..%2f..%2fsecret.txt",
                 "/link-out/secret.txt", "/secret-link.txt", "/.syndicate/state.json",
                 "/sub%2f..%2f..%2fsecret.txt", "//etc/passwd", "/%2e%2e%5csecret.txt"):
        status, _h, body = request(url, path)
        assert status == 404 and b"SECRET" not in body, path


def test_a_file_named_as_a_folder_answers_404_as_a_host_would(files_server):
    """``feed.xml/``: a host (S3, nginx) answers 404, so the preview does too rather than
    hand the file over untyped (h23 Z10)."""
    url, data, _root = files_server
    for path in ("/f17.mp3/", "/index.html/", "/sub/index.html/", "/f0.mp3//"):
        status, _h, body = request(url, path)
        assert status == 404, (path, status)
    status, _h, body = request(url, "/f17.mp3")
    assert status == 200 and body == data[17]


def test_folders_index_redirect_head_and_plain_404(files_server):
    url, _data, root = files_server
    status, headers, body = request(url, "/sub")
    assert status == 301 and headers["location"] == "/sub/"
    status, headers, body = request(url, "/sub/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert b"sub" in body and b"/__syndicate/events" in body  # the reload script
    status, headers, body = request(url, "/", "HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    status, headers, body = request(url, "/nothing-here")
    assert status == 404 and headers["content-type"].startswith("text/plain")
    (root / "404.html").write_text("<html><body>Lost at sea</body></html>")
    try:
        status, headers, body = request(url, "/nothing-here")
        assert status == 404 and b"Lost at sea" in body
        assert headers["content-type"] == "text/html; charset=utf-8"
    finally:
        (root / "404.html").unlink()


# -- the preview build --------------------------------------------------------------------------
def test_a_preview_folder_removed_under_serve_is_built_again_without_a_word(make_project):
    """h23 Z15: the folder removed while serving wakes a build (the watcher sees it go) that
    makes it anew, with no warning about a published site or a held item."""
    project = make_project(project_files())
    server = Server(project.root / "config.yaml", port=0).start()
    try:
        site = server._preview.site_dir
        assert (site / "posts/hello/index.html").is_file()
        server.watcher.poll()  # (the pass after the first build: nothing since)
        assert not server.watcher.poll()
        import shutil

        shutil.rmtree(site)
        assert request(server.url, "/posts/hello/")[0] == 404
        assert server.watcher.poll()  # its going is a change
        rebuilt = server.rebuild()
        assert rebuilt.ok and rebuilt.errors == [] and rebuilt.warnings == [], rebuilt
        status, _h, body = request(server.url, "/posts/hello/")
        assert status == 200 and b"Hello there" in body
    finally:
        server.close()


def test_preview_serves_the_site_at_its_own_address_with_the_built_types(make_project, served):
    project = make_project(project_files())
    server = served(project)
    assert server.last.ok and not server.last.errors
    status, headers, body = request(server.url, "/posts/hello/")
    assert status == 200 and b"Hello there" in body
    assert f'href="{server.url}'.encode() in body  # links lead to the preview, not site.url
    assert b"example.test" not in body
    for key, kind in (("podcast.xml", "application/rss+xml"), ("feed.xml", "application/rss+xml"),
                      ("atom.xml", "application/atom+xml"), ("index.html", "text/html")):
        status, headers, _b = request(server.url, "/" + key, "HEAD")
        assert status == 200 and headers["content-type"].split(";")[0] == kind, key
    _s, _h, feed = request(server.url, "/podcast.xml")
    import feedparser

    parsed = feedparser.parse(feed)
    enclosure = parsed.entries[0].enclosures[0]
    assert enclosure.href.startswith(server.url)
    status, headers, audio = request(server.url, urlsplit(enclosure.href).path, "GET",
                                     {"Range": "bytes=0-99"})
    assert status == 206 and len(audio) == 100 and headers["content-type"] == "audio/mpeg"
    assert headers["content-range"].endswith(f"/{enclosure.length}")


def test_drafts_and_queued_items_show_only_with_drafts(make_project, served):
    project = make_project({
        **project_files(),
        "posts/2026-10-02-sketch.md": post("A sketch", "2026-10-02", "Not yet.", draft="true"),
        "posts/2099-01-01-later.md": post("Far later", "2099-01-01", "Future."),
        "posts/2026-10-03-queued.md": post("Waiting", "2026-10-03", "Queued words."),
        "episodes/rough.yaml": sidecar("Rough cut", draft="true"), "episodes/rough.mp3": tone(1.0),
    })
    assert project.run("queue", "posts/2026-10-03-queued.md", "--at",
                       "2099-02-01 09:00").exit_code == 0
    before = project.run("status", "--json").output
    cat_before = catalog_bytes(project.root)
    plain = served(project)
    for slug in ("sketch", "later", "waiting", "queued"):
        assert request(plain.url, f"/posts/{slug}/")[0] == 404, slug
    assert request(plain.url, "/episodes/rough/")[0] == 404
    assert b"Rough cut" not in request(plain.url, "/podcast.xml")[2]
    assert b"Hello there" in request(plain.url, "/posts/hello/")[2]
    _s, _h, home = request(plain.url, "/")
    assert b"A sketch" not in home and b"Waiting" not in home
    plain.close()

    shown = served(project, drafts=True)
    for slug, mark in (("sketch", b"Draft"), ("later", b"Queued"), ("queued", b"Queued")):
        status, _h, body = request(shown.url, f"/posts/{slug}/")
        assert status == 200, slug
        assert b"preview-badge" in body and mark in body, slug
    status, _h, body = request(shown.url, "/episodes/rough/")
    assert status == 200 and b"Draft" in body and shown.last.errors == []
    _s, _h, body = request(shown.url, "/posts/hello/")
    assert b"preview-badge" not in body
    shown.rebuild()  # a second build puts the same rows back, and shows the same
    assert request(shown.url, "/posts/sketch/")[0] == 200
    shown.close()
    assert catalog_bytes(project.root) == cat_before
    assert project.run("status", "--json").output == before  # still draft, still queued


def test_a_draft_sharing_a_live_slug_is_left_out_of_the_preview(make_project, served):
    project = make_project({
        **project_files(),
        "posts/2026-10-02-sketch.md": post("A sketch", "2026-10-02", "Not yet.", draft="true",
                                           slug="hello"),
        "posts/2026-10-03-other.md": post("Other sketch", "2026-10-03", "Soon.", draft="true")})
    shown = served(project, drafts=True)
    assert shown.last.ok and shown.last.errors == [], shown.last
    assert any("a draft whose slug 'hello' is already used by posts/2026-10-01-hello.md" in w
               for w in shown.last.warnings), shown.last.warnings
    status, _h, body = request(shown.url, "/posts/hello/")
    assert status == 200 and b"First words." in body and b"Not yet." not in body
    status, _h, body = request(shown.url, "/posts/other/")
    assert status == 200 and b"preview-badge" in body  # the other draft is still shown


def test_a_first_build_that_fails_shows_its_errors_on_every_page_until_it_builds(
        make_project, served):
    """h22 W8: with no good build yet, every address answers a page naming the build's errors
    (503), with the reload script; once the theme is fixed the site is served."""
    project = make_project({**project_files(), "th/templates/base.html": "{% if %}"},
                           config=BASE_CONFIG + "theme: th\n")
    server = served(project)
    assert server.last.errors, server.last
    for path in ("/", "/posts/hello/", "/no-such-page/"):
        status, headers, body = request(server.url, path)
        assert status == 503 and headers["content-type"].startswith("text/html"), path
        assert b"th/templates/base.html:1" in body and b"template error" in body, body
        assert b"new EventSource" in body
    (project.root / "th/templates/base.html").unlink()
    assert server.rebuild().ok
    status, _h, body = request(server.url, "/posts/hello/")
    assert status == 200 and b"First words." in body
    assert request(server.url, "/no-such-page/")[0] == 404


def test_nothing_of_a_preview_reaches_the_catalog_or_the_target(make_project, served):
    project = make_project(project_files())
    assert project.run("publish").exit_code == 0
    public, cat = tree(project.root / "public"), catalog_bytes(project.root)
    assert cat
    server = served(project, drafts=True)
    project.write("posts/2026-10-01-hello.md", post("Hello there", "2026-10-01", "Changed."))
    project.write("posts/2026-10-05-new.md", post("Brand new", "2026-10-05", "New."))
    (project.root / "episodes" / "one.yaml").unlink()
    out = server.rebuild()
    assert out.ok and b"Brand new" in request(server.url, "/")[2]
    assert request(server.url, "/episodes/one/")[0] == 404
    server.close()
    assert tree(project.root / "public") == public
    assert catalog_bytes(project.root) == cat
    assert "Collected: 1 new, 1 updated" in project.run("collect").output  # still news to it


def test_an_s3_target_gets_no_request(make_project, served, recorder):
    config = BASE_CONFIG.replace("target: public", "target: s3://bucket/site") + (
        f"s3:\n  endpoint_url: {recorder.url}\n  region: us-east-1\n")
    project = make_project(project_files(), config=config)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    server = served(project)
    assert server.last.ok, server.last.errors
    assert b"Hello there" in request(server.url, "/posts/hello/")[2]
    server.rebuild()
    assert recorder.requests == []


def test_an_s3_site_in_moto_is_left_as_it_was(make_project, served, bucket, s3_endpoint):
    from conftest import s3_config, s3_keys

    project = make_project(project_files(), config=s3_config(s3_endpoint))
    assert project.run("publish").exit_code == 0
    live = s3_keys(bucket)
    assert live
    cat = catalog_bytes(project.root)
    server = served(project, drafts=True)
    project.write("posts/2026-10-01-hello.md", post("Hello there", "2026-10-01", "Changed."))
    assert server.rebuild().ok
    assert b"Changed." in request(server.url, "/posts/hello/")[2]
    server.close()
    assert s3_keys(bucket) == live and catalog_bytes(project.root) == cat


def test_a_broken_post_or_config_is_named_and_the_last_good_build_stays(make_project, served):
    project = make_project(project_files())
    server = served(project)
    events = Events(server.url)
    try:
        project.write("posts/2026-10-01-hello.md", "---\ntitle: [unclosed\n---\nBody\n")
        server.rebuild()
        data = events.wait()
        assert any("posts/2026-10-01-hello.md:" in e for e in data["errors"]), data
        status, _h, body = request(server.url, "/posts/hello/")
        assert status == 200 and b"First words." in body  # its last good version
        assert b'id="syndicate-preview-errors"' in body and b"2026-10-01-hello.md" in body
        (project.root / "config.yaml").write_text(BASE_CONFIG + "site: {title: 1\n")
        assert not server.rebuild().ok
        data = events.wait()
        assert data["errors"] and "config.yaml:" in data["errors"][0]
        assert b"First words." in request(server.url, "/posts/hello/")[2]
        (project.root / "config.yaml").write_text(BASE_CONFIG)
        project.write("posts/2026-10-01-hello.md", post("Hello there", "2026-10-01", "Fixed."))
        server.rebuild()
        data = events.wait()
        assert data["errors"] == []
        status, _h, body = request(server.url, "/posts/hello/")
        assert b"Fixed." in body and b"syndicate-preview-errors" not in body
    finally:
        events.close()


@settings(SLOW, max_examples=20)
@given(text=st.text(st.characters(blacklist_categories=["Cs"]), max_size=300),
       fenced=st.booleans())
def test_any_post_text_ends_in_a_page_or_an_error_naming_it(tmp_path_factory, text, fenced):
    from conftest import Project, png_bytes

    root = tmp_path_factory.mktemp("anypost")
    project = Project(root)
    project.write("config.yaml", BASE_CONFIG)
    project.write("cover.png", png_bytes())
    (root / "episodes").mkdir()
    body = f"---\ntitle: Any\ndate: 2026-10-01\n{text}\n---\n\nWords.\n" if fenced else text
    (root / "posts").mkdir()
    (root / "posts" / "2026-10-01-any.md").write_text(body, encoding="utf-8")
    server = Server(root / "config.yaml", port=0, watcher=Never()).start()
    try:
        out = server.last
        assert out.ok
        listed = [e for e in out.errors if "posts/2026-10-01-any.md" in e]
        pages = sorted(p.parent.name for p in (root / ".syndicate/preview/site/posts").glob(
            "*/index.html")) if (root / ".syndicate/preview/site/posts").is_dir() else []
        assert listed or len(pages) == 1, (out.errors, pages)
        for slug in pages:
            assert request(server.url, f"/posts/{slug}/")[0] == 200
    finally:
        server.close()


# -- the command --------------------------------------------------------------------------------
def start_cli(project, *args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "serve", "--port", "0", "--config",
         str(project.root / "config.yaml"), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    for line in proc.stdout:
        if line.startswith("Serving the preview at "):
            return proc, line.split(" at ", 1)[1].split()[0]
    raise AssertionError(f"serve ended: {proc.wait()} {proc.stderr.read()}")


def test_serve_command_rebuilds_on_change_reloads_and_stops_on_ctrl_c(make_project):
    project = make_project(project_files())
    assert project.run("publish").exit_code == 0
    public, cat = tree(project.root / "public"), catalog_bytes(project.root)
    proc, url = start_cli(project)
    try:
        assert url.startswith("http://127.0.0.1:")
        status, _h, body = request(url, "/posts/hello/")
        assert status == 200 and b"First words." in body
        assert b"new EventSource" in body
        events = Events(url)
        project.write("posts/2026-10-01-hello.md",
                      post("Hello there", "2026-10-01", "Second words."))
        assert events.wait()["errors"] == []
        assert b"Second words." in request(url, "/posts/hello/")[2]
        project.write("posts/2026-10-09-more.md", post("One more", "2026-10-09", "More."))
        events.wait()
        assert request(url, "/posts/more/")[0] == 200
        project.write("posts/2026-10-10-broken.md", "---\ntitle: [oops\n---\nWords\n")
        assert any("posts/2026-10-10-broken.md:" in e for e in events.wait()["errors"])
        assert request(url, "/posts/more/")[0] == 200
        events.close()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and out.rstrip().endswith("Stopped")
    assert "Error: posts/2026-10-10-broken.md:" in err  # said on the terminal too
    assert tree(project.root / "public") == public
    assert catalog_bytes(project.root) == cat


def test_a_busy_port_is_one_error_naming_it_and_port(make_project):
    project = make_project(project_files())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--config",
                                           str(project.root / "config.yaml")])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and f"port {port}" in errors[0] and "--port" in errors[0]
    assert "Traceback" not in result.output


# -- in a real browser ----------------------------------------------------------------------------
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (Debian's chromium "
                    "package; .ci/run installs it)")
def test_the_open_page_reloads_after_an_edit_in_a_browser(make_project):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra")
    project = make_project(project_files())
    proc, url = start_cli(project)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                problems = []
                page.on("pageerror", lambda e: problems.append(f"script: {e}"))
                page.on("console", lambda m: problems.append(m.text) if m.type == "error"
                        and not m.text.startswith("Failed to load resource") else None)
                page.on("response", lambda r: problems.append(f"{r.status}: {r.url}")
                        if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
                page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}")
                        if "/__syndicate/events" not in r.url else None)
                page.goto(url + "posts/hello/")
                assert "First words." in page.inner_text("body")
                page.wait_for_function("() => document.readyState === 'complete'")
                project.write("posts/2026-10-01-hello.md",
                              post("Hello there", "2026-10-01", "Words seen in the browser."))
                page.wait_for_function(
                    "() => document.body.innerText.includes('Words seen in the browser.')",
                    timeout=60_000)
                project.write("posts/2026-10-01-hello.md", "---\ntitle: [oops\n---\nWords\n")
                page.wait_for_selector("#syndicate-preview-errors", timeout=60_000)
                assert "2026-10-01-hello.md" in page.inner_text("#syndicate-preview-errors")
                assert "Words seen in the browser." in page.inner_text("body")  # last good
                assert problems == []
            finally:
                browser.close()
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err


def test_a_second_serve_of_the_same_project_is_refused_naming_the_first(make_project, served):
    project = make_project(project_files())
    first = served(project)
    done = subprocess.run([sys.executable, "-m", "syndicate", "serve", "--port", "0",
                           "--config", str(project.root / "config.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "syndicate serve" in errors[0], done.stderr
    assert b"First words." in request(first.url, "/posts/hello/")[2]  # the first goes on


# -- --config on the group, --host, restarts, a theme holding the outputs ------------------------
def test_the_groups_config_serves_that_project_and_help_shows_one_config(make_project, tmp_path):
    project = make_project(project_files())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()  # no config.yaml here: only the group's --config names the project
    proc = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", str(project.root / "config.yaml"),
         "serve", "--port", "0"], cwd=elsewhere, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = next((line.split(" at ", 1)[1].split()[0] for line in proc.stdout
                    if line.startswith("Serving the preview at ")), None)
        assert url, proc.stderr.read() if proc.poll() is not None else "no address"
        assert b"First words." in request(url, "/posts/hello/")[2]
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err
    shown = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "--config" not in shown and "--port" in shown  # the old spelling is hidden


def test_a_wildcard_host_builds_links_a_browser_can_reach_and_an_empty_host_is_refused(
        make_project):
    project = make_project(project_files())
    proc, url = start_cli(project, "--host", "0.0.0.0")
    try:
        port = urlsplit(url).port
        assert url == f"http://127.0.0.1:{port}/"
        status, _h, body = request(url, "/posts/hello/")
        assert status == 200 and b"First words." in body
        assert b"0.0.0.0" not in body and f"http://127.0.0.1:{port}/".encode() in body
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err
    assert "0.0.0.0" in err and "--host" in err  # says what it listens on and what links use
    for host in ("", " "):
        result = CliRunner().invoke(main, ["--config", str(project.root / "config.yaml"),
                                           "serve", "--port", "0", "--host", host])
        assert result.exit_code == 2, result.output
        assert "--host" in result.output and "Traceback" not in result.output


def _since(page: bytes) -> str:
    import re

    return re.search(rb"events\?since=([^\"&]+)\"", page).group(1).decode()


def test_an_open_page_reloads_on_the_first_build_after_a_restart(make_project, served):
    project = make_project(project_files())
    first = served(project)
    for _ in range(3):
        first.rebuild()
    since = _since(request(first.url, "/posts/hello/")[2])  # what the open page waits past
    first.close()
    second = served(project)  # the restarted serve: it counts its builds anew
    where = urlsplit(second.url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        conn.request("GET", f"/__syndicate/events?since={since}")  # the page reconnecting
        resp = conn.getresponse()
        second.rebuild()
        lines = []
        while not any(x.startswith(b"event: build") for x in lines):
            line = resp.fp.readline()
            assert line, "the event stream ended before a build event"
            assert not line.startswith(b": waiting"), "the build was not sent to the page"
            lines.append(line)
    finally:
        conn.close()
    assert _since(request(second.url, "/posts/hello/")[2]) != since  # ids unique across runs


def test_a_theme_holding_the_projects_outputs_does_not_rebuild_without_a_change(make_project):
    project = make_project(project_files(), config=BASE_CONFIG + "theme: .\n")
    project.write("static/notes.txt", "x")
    project.write("public/old.txt", "the target folder")
    server = Server(project.root / "config.yaml", port=0).start()
    try:
        assert request(server.url, "/static/notes.txt")[2] == b"x"
        server.rebuild()  # writes below .syndicate/ (the state and the preview)
        assert not server.watcher.poll()  # nothing the author wrote changed: no rebuild
        project.write("static/notes.txt", "y")
        assert server.watcher.poll()
        server.rebuild()
        assert request(server.url, "/static/notes.txt")[2] == b"y"
        assert not server.watcher.poll()
    finally:
        server.close()


@pytest.mark.parametrize("first", [True, False])
def test_a_publish_beside_serve_with_the_theme_at_the_project_wakes_no_rebuild(make_project,
                                                                                first):
    project = make_project(project_files(), config=BASE_CONFIG + "theme: .\n")
    project.write("static/notes.txt", "x")
    if not first:  # the target folder and the state exist already
        assert project.run("publish").exit_code == 0
    server = Server(project.root / "config.yaml", port=0).start()
    try:
        events = Events(server.url)
        number = server.builds.number
        assert project.run("publish").exit_code == 0  # writes the target, the catalog, state
        assert not server.watcher.poll()  # nothing the author wrote changed: no rebuild
        server.rebuild()  # a build that writes nothing is not announced to the open pages
        assert server.builds.number == number
        project.write("static/notes.txt", "y")
        assert server.watcher.poll()
        server.rebuild()
        assert events.wait()["build"] == number + 1
        assert request(server.url, "/static/notes.txt")[2] == b"y"
        events.close()
    finally:
        server.close()


def test_serve_says_how_many_drafts_it_leaves_out_and_names_drafts(make_project):
    project = make_project(project_files())
    made = CliRunner().invoke(main, ["--config", str(project.root / "config.yaml"), "new",
                                     "post", "Notes from the river"])
    assert made.exit_code == 0 and "draft" in made.output.lower()
    proc, url = start_cli(project)
    try:
        assert request(url, "/posts/notes-from-the-river/")[0] == 404
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err
    assert "1 draft or queued item(s) not shown (syndicate serve --drafts shows them" in err
    proc, url = start_cli(project, "--drafts")
    try:
        assert request(url, "/posts/notes-from-the-river/")[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "not shown" not in err


@pytest.mark.parametrize("name", ["serve.log", "notes.txt", "public2/a.html", "templatesx/a.html",
                                  "staticky/x.css", "drafts/deep/more/t.md", ".hidden"])
def test_with_the_theme_at_the_project_only_its_templates_and_static_files_wake_a_rebuild(
        make_project, name):
    """``theme: .``: a file the author (or serve's own log, written into the project) adds or
    grows beside the theme's ``templates/`` and ``static/`` is no edit of the theme."""
    project = make_project(project_files(), config=BASE_CONFIG + "theme: .\n")
    project.write("static/notes.txt", "x")
    server = Server(project.root / "config.yaml", port=0).start()
    try:
        assert not server.watcher.poll()
        for n in range(3):  # a log that grows line by line, as serve's output redirected
            project.write(name, "Built the preview\n" * (n + 1))
            assert not server.watcher.poll(), name
        project.write("templates/robots.txt", "User-agent: *\n")
        assert server.watcher.poll()
        project.write("static/notes.txt", "y")
        assert server.watcher.poll()
    finally:
        server.close()


@pytest.mark.parametrize("drafts", [False, True])
def test_queue_and_unqueue_run_beside_serve_reach_the_preview(make_project, drafts):
    """h20 V4: the preview follows the project catalog's queue: a post shown live, then queued
    for later from another terminal, is shown as queued (or not at all without --drafts) after
    the rebuild the queue wakes; queued for now again, it is shown live again."""
    project = make_project(project_files())
    server = Server(project.root / "config.yaml", port=0, drafts=drafts).start()
    try:
        status, _h, body = request(server.url, "/posts/hello/")
        assert status == 200 and b"preview-badge" not in body
        assert not server.watcher.poll()
        assert project.run("queue", "posts/2026-10-01-hello.md", "--at",
                           "2099-12-25 09:00").exit_code == 0
        assert server.watcher.poll()  # the queue changed: a rebuild is due
        server.rebuild()
        status, _h, body = request(server.url, "/posts/hello/")
        if drafts:
            assert status == 200 and b"preview-badge" in body and b"Queued" in body
            assert b"25 December 2099" in body
        else:
            assert status == 404
            assert b"Hello there" not in request(server.url, "/feed.xml")[2]
        assert not server.watcher.poll()
        assert project.run("queue", "posts/2026-10-01-hello.md", "--at", "now").exit_code == 0
        assert server.watcher.poll()
        server.rebuild()
        status, _h, body = request(server.url, "/posts/hello/")
        assert status == 200 and b"preview-badge" not in body
        assert b"Hello there" in request(server.url, "/feed.xml")[2]
    finally:
        server.close()


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:{port}",
                                  "127.0.0.1.nip.io:{port}", "localhost:1", "LOCALHOST:{port}x"])
def test_a_request_for_another_host_name_is_refused(make_project, served, host):
    """h20 V9: a page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) must not
    read the preview, drafts included: only the loopback names and --host are answered."""
    project = make_project({**project_files(), "posts/2026-10-02-sketch.md":
                            post("A sketch", "2026-10-02", "Not yet.", draft="true")})
    server = served(project, drafts=True)
    port = urlsplit(server.url).port
    status, _h, body = request(server.url, "/posts/sketch/",
                               headers={"Host": host.format(port=port)})
    assert status == 403 and b"A sketch" not in body
    for good in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}"):
        status, _h, body = request(server.url, "/posts/sketch/", headers={"Host": good})
        assert status == 200 and b"A sketch" in body, good
