"""What the host serves each address as, on generated sites with known answers: a page (a folder
or an .html file) must come as HTML and is read for its links whatever it comes as; a file
whose name gives a type must not come as a page; a transcript or chapters file must come as the
type its feed declares. And a host that answers every missing address with its home page and
200: exactly the missing addresses are named, the host's habit once.

One loopback host serves a folder per generated site, each file with the Content-Type the
example gives it (and, for a site set so, the home page for any address that is not there).
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import bare_settings
from syndicate.check import check_site
from syndicate.crawl import AppFile, crawl

HTML = {"text/html", "application/xhtml+xml"}
SERVED = ["text/html", "application/xhtml+xml", "text/plain", "application/octet-stream",
          "image/png", "text/css", "text/vtt", "application/json", "application/x-subrip",
          "application/json+chapters", "text/javascript"]
# kind of file: (its name, the type a feed declares it as when apps read it, the types it may
# come as; None: any type not a page's)
KINDS = {
    "page": ("p{i}/", None, HTML),
    "html": ("f{i}.html", None, HTML),
    "png": ("i{i}.png", None, None),
    "css": ("s{i}.css", None, None),
    "js": ("j{i}.js", None, None),
    "bare": ("b{i}", None, set(SERVED)),  # no extension: no type to expect
    "vtt": ("t{i}.vtt", "text/vtt", {"text/vtt"}),
    "srt": ("t{i}.srt", "application/x-subrip",
            {"application/x-subrip", "text/plain"}),
    "chapters": ("c{i}.json", "application/json+chapters",
                 {"application/json", "application/json+chapters"}),
}


class Host(http.server.SimpleHTTPRequestHandler):
    types: ClassVar[dict[str, str]]  # file path -> the Content-Type it is served with
    fallback: ClassVar[set[str]]  # the sites that answer a missing address with their home page
    root: ClassVar[Path]

    def log_message(self, *a):
        pass

    def translate_path(self, path):
        found = super().translate_path(path)
        site = unquote(urlsplit(path).path).strip("/").split("/")[0]
        if site in self.fallback and not Path(found).exists():
            return str(self.root / site / "index.html")
        return found

    def guess_type(self, path):
        return self.types.get(str(Path(path)), "application/octet-stream")


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    handler = type("H", (Host,), {"types": {}, "fallback": set(), "root": root})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/", handler
    server.shutdown()
    server.server_close()


def _site(root: Path, handler, files: list[tuple[str, str]], missing: set[int] = frozenset(),
          fallback: bool = False) -> tuple[str, list[str], list[str]]:
    """Write a site: a home page linking each (kind, served as) of ``files`` but those in
    ``missing``; each page links an image of its own. (its folder name, the addresses of the
    files relative to it, the images the pages link)"""
    name = f"s{len(list(root.iterdir()))}"
    folder = root / name
    folder.mkdir()
    if fallback:
        handler.fallback.add(name)
    rels, extras = [], []

    def put(rel: str, body: bytes, kind: str) -> None:
        path = folder / (rel + "index.html" if rel.endswith("/") else rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        handler.types[str(path)] = kind

    for i, (kind, served) in enumerate(files):
        rel = KINDS[kind][0].format(i=i)
        rels.append(rel)
        if i in missing:
            continue
        if kind in ("page", "html"):
            extra = f"x{i}.png"
            extras.append(extra)
            put(extra, b"png", "image/png")
            up = "../" if rel.endswith("/") else ""
            put(rel, f'<p>page {i} <img src="{up}{extra}" alt=""></p>'.encode(), served)
        else:
            put(rel, f"file {i}".encode(), served)
    links = "".join(f'<a href="{rel}">{rel}</a>' for rel in rels)
    put("index.html", f"<!doctype html><p>home {links}</p>".encode(), "text/html")
    return name, rels, extras


_files = st.lists(st.tuples(st.sampled_from(sorted(KINDS)), st.sampled_from(SERVED)),
                  min_size=1, max_size=10)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=_files)
def test_exactly_the_addresses_served_as_the_wrong_type_are_named(host, files):
    root, server, handler = host
    name, rels, extras = _site(root, handler, files)
    site = f"{server}{name}/"
    apps = {site + KINDS[k][0].format(i=i): AppFile(lambda b: None, KINDS[k][1])
            for i, (k, _) in enumerate(files) if KINDS[k][1]}
    report = crawl(site, [(site, None)], user_agent="t", app_files=apps)

    def wrong(kind: str, served: str) -> bool:
        allowed = KINDS[kind][2]
        return served in HTML if allowed is None else served not in allowed

    expected = {site + rel for rel, (k, s) in zip(rels, files, strict=True) if wrong(k, s)}
    assert {b.url for b in report.broken} == expected, [(b.url, b.why) for b in report.broken]
    for b in report.broken:
        assert "served as" in b.why and b.linked_from == [site], b
    # nothing lost: every file asked for, and every page read for its links whatever it came as
    assert set(report.checked) == {site, *(site + r for r in rels), *(site + x for x in extras)}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=_files, missing=st.sets(st.integers(0, 9)), fallback=st.booleans())
def test_a_host_falling_back_to_its_home_page_has_exactly_its_missing_files_named(
        host, tmp_path_factory, files, missing, fallback):
    root, server, handler = host
    # each file served as its kind is (so only what is missing is wrong)
    right = {"page": "text/html", "html": "text/html", "png": "image/png", "css": "text/css",
             "js": "text/javascript", "bare": "application/octet-stream", "vtt": "text/vtt",
             "srt": "application/x-subrip", "chapters": "application/json"}
    files = [(k, right[k]) for k, _ in files]
    missing = {i for i in missing if i < len(files)}
    name, rels, _ = _site(root, handler, files, missing, fallback)
    site = f"{server}{name}/"
    report = check_site(bare_settings(tmp_path_factory.mktemp("proj")), site)
    probe = [p for p in report.problems if "HTTP 200 for an address that cannot exist" in p]
    assert len(probe) == (1 if fallback else 0), report.problems
    ours = {p.split(": ", 1)[0]: p for p in report.problems
            if p.startswith(site) and p.split(": ", 1)[0] in {site + r for r in rels}}
    assert set(ours) == {site + rels[i] for i in missing}, report.problems
    for line in ours.values():
        assert ("not there" if fallback else "HTTP 404") in line, line
    assert not [p for p in report.problems if p.startswith(f"{site}: ")]  # the home page
    assert {site + r for r in rels} <= set(report.checked)
