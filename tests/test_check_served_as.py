"""`syndicate check` judges what the host serves, not only its status: a page must come as HTML
(h17 X1), a transcript or chapters file as the type its feed declares (X2), a file the site
names by its extension must not come back as a page (X10: a host answering every missing
address with its home page and 200), and the live cover and each episode's art must still be
whole images (X11), read through the same image checker publish uses.

A published site is copied, damaged or served wrongly on purpose, and checked through the CLI
against a host on 127.0.0.1 (byte ranges kept, as a real host has them).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_check_pages import SiteHandler

from conftest import BASE_CONFIG, png_bytes, post, sidecar, tone
from syndicate.images import served_art_problem


def _publish(make_project, transcript: str = ".vtt"):
    body = {".vtt": "WEBVTT\n\n00:00.000 --> 00:00.900\nHello.\n",
            ".srt": "1\n00:00:00,000 --> 00:00:00,900\nHello.\n"}[transcript]
    files = {
        "posts/a.md": post("A", "2026-10-02", "![a marsh](marsh.png) Words."),
        "posts/marsh.png": png_bytes(4, 3),
        "posts/b.md": post("B", "2026-10-03", "The [first one](../a/)."),
        "episodes/one.yaml": sidecar("One", transcript=f"one{transcript}", image="art.png",
                                     chapters="[{start: 0, title: Start}]"),
        "episodes/one.mp3": tone(1.0), "episodes/art.png": png_bytes(rgb=(200, 30, 30)),
        f"episodes/one{transcript}": body,
    }
    proj = make_project(files, config=BASE_CONFIG + "audio:\n  process: false\n")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    return proj


def _serve(folder: Path, types: dict[str, str] | None = None, fallback: bool = False,
           no_index: bool = False):
    """A static host of ``folder``: ``types`` gives the Content-Type of every file whose name
    ends so; with ``fallback`` a missing address is answered with the home page and 200 (an
    SPA fallback, CloudFront's custom error answering 200, Netlify's `/* /index.html 200`);
    with ``no_index`` a folder's address is 404 (a plain S3 endpoint: no index documents)."""
    types = types or {}
    log: list[tuple[str, str]] = []

    class Handler(SiteHandler):
        def guess_type(self, path):
            for end, kind in types.items():
                if str(path).endswith(end):
                    return kind
            return super().guess_type(path)

        def send_head(self):
            if no_index and self.path.split("?")[0].endswith("/"):
                self.send_error(404)
                return None
            return super().send_head()

        def do_GET(self):
            if no_index and self.path.split("?")[0].endswith("/"):
                self.log.append(("GET", self.path))
                self.send_error(404)
                return
            super().do_GET()

        def translate_path(self, path):
            found = super().translate_path(path)
            if fallback and not Path(found).exists():
                return str(folder / "index.html")
            return found

    handler = functools.partial(type("H", (Handler,), {"log": log}), directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, log


def _check(proj, tmp_path, damage=None, remove=(), **serving):
    """Check a copy of the published site: ``damage`` {path: new bytes}, ``remove`` paths
    (files or folders) taken away, served by ``_serve(**serving)``."""
    copy = tmp_path / f"copy{len(list(tmp_path.glob('copy*')))}"
    shutil.copytree(proj.public(""), copy)
    for rel, data in (damage or {}).items():
        (copy / rel).write_bytes(data)
    for rel in remove:
        target = copy / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    server, log = _serve(copy, **serving)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        result = proj.run("check", "--config", str(proj.root / "config.yaml"), "--url", base)
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in result.output
    errors = [x for x in result.output.splitlines() if x.startswith("Error: ")]
    return result, base, errors, log


def _lines_for(errors: list[str], url: str) -> list[str]:
    return [e for e in errors if e.startswith(f"Error: {url}: ")]


# -- X1: a page must come as HTML, and is crawled whatever it comes as --------------------------
@pytest.mark.parametrize("kind", ["text/plain", "application/octet-stream"])
def test_pages_served_as_another_type_are_named_and_still_crawled(make_project, tmp_path,
                                                                   kind):
    proj = _publish(make_project)
    result, base, errors, log = _check(proj, tmp_path, remove=["posts/a/marsh.png"],
                                       types={"index.html": kind})
    assert result.exit_code == 1
    pages = [p for p in ("", "posts/", "posts/a/", "posts/b/", "episodes/", "episodes/one/")]
    for page in pages:
        (line,) = _lines_for(errors, base + page)
        assert f"served as {kind}, not text/html" in line, line
    # its links were still followed: the image only a page links is asked for, and named
    (line,) = _lines_for(errors, base + "posts/a/marsh.png")
    assert "HTTP 404" in line and f"linked from {base}posts/a/" in line
    assert ("GET", "/posts/a/marsh.png") in log


def test_a_good_site_still_passes_with_every_type_right(make_project, tmp_path):
    for transcript in (".vtt", ".srt"):
        proj = _publish(make_project, transcript)
        result, _, errors, _ = _check(proj, tmp_path / transcript[1:])
        assert result.exit_code == 0 and errors == [], result.output
        shutil.rmtree(proj.root)


# -- X2: transcripts and chapters as the type the feed declares ---------------------------------
@pytest.mark.parametrize("rel, kind, declared", [
    ("episodes/one/transcript.vtt", "application/octet-stream", "text/vtt"),
    ("episodes/one/transcript.vtt", "text/html; charset=utf-8", "text/vtt"),
    ("episodes/one/transcript.vtt", "text/plain", "text/vtt"),
    ("episodes/one/chapters.json", "image/png", "application/json+chapters"),
    ("episodes/one/chapters.json", "text/html", "application/json+chapters"),
])
def test_a_transcript_or_chapters_served_as_another_type_is_named(make_project, tmp_path, rel,
                                                                  kind, declared):
    proj = _publish(make_project)
    result, base, errors, _ = _check(proj, tmp_path, types={rel.rsplit("/", 1)[1]: kind})
    assert result.exit_code == 1, result.output
    (line,) = _lines_for(errors, base + rel)
    assert f"served as {kind.split(';')[0]}" in line and declared in line, line
    assert len(errors) == 1, errors


# -- h23 Z13: the cover and episode art judged by the type served, as every other file -------
@pytest.mark.parametrize("kind", ["text/html; charset=utf-8", "application/octet-stream",
                                  "image/jpeg"])
def test_the_cover_and_episode_art_served_as_another_type_are_named(make_project, tmp_path,
                                                                   kind):
    proj = _publish(make_project)
    cover = next(p.name for p in proj.public("").glob("cover-*"))
    art = next(p.name for p in proj.public("episodes/one").glob("cover-*"))
    assert cover.endswith(".png") and art.endswith(".png")
    result, base, errors, _ = _check(proj, tmp_path, types={cover: kind, art: kind})
    assert result.exit_code == 1, result.output
    for rel in (cover, f"episodes/one/{art}"):
        (line,) = _lines_for(errors, base + rel)
        assert f"served as {kind.split(';')[0]}, where image/png belongs" in line, line


# -- X10: a host that answers every missing address with its home page and 200 -----------------
def test_a_host_answering_missing_files_with_its_home_page_is_named_with_each_missing_file(
        make_project, tmp_path):
    proj = _publish(make_project)
    art = next(p.name for p in proj.public("episodes/one").glob("cover-*"))
    gone = ["posts/a/marsh.png", f"episodes/one/{art}", "episodes/one/chapters.json",
            "episodes/one/transcript.vtt", "posts/b/"]
    result, base, errors, _ = _check(proj, tmp_path, remove=gone, fallback=True)
    assert result.exit_code == 1
    probe = [e for e in errors if "HTTP 200 for an address that cannot exist" in e]
    assert len(probe) == 1, "\n".join(errors)
    for rel in gone:
        (line,) = _lines_for(errors, base + rel)
        assert "not there" in line or "not a JPEG or PNG" in line, line
    # the home page itself is the page the host falls back to: it is not named
    assert not _lines_for(errors, base), errors
    # the same host with nothing missing: only the fallback is named
    result, base, errors, _ = _check(proj, tmp_path, fallback=True)
    assert len(errors) == 1 and "HTTP 200 for an address that cannot exist" in errors[0], \
        "\n".join(errors)


# -- X11: the live cover and each episode's art read back as images -----------------------------
def _zero_half(data: bytes) -> bytes:
    return data[:len(data) // 2] + bytes(len(data) - len(data) // 2)


@pytest.mark.parametrize("how", ["half", "all"])
def test_damaged_live_cover_and_episode_art_are_named(make_project, tmp_path, how):
    proj = _publish(make_project)
    cover = next(p for p in proj.public("").glob("cover-*"))
    art = next(p for p in proj.public("episodes/one").glob("cover-*"))
    damage = {}
    for path in (cover, art):
        data = path.read_bytes()
        damage[path.relative_to(proj.public("")).as_posix()] = \
            _zero_half(data) if how == "half" else bytes(len(data))
    result, base, errors, _ = _check(proj, tmp_path, damage=damage)
    assert result.exit_code == 1
    for rel in damage:
        lines = _lines_for(errors, base + rel)
        assert len(lines) == 1, (rel, errors)
        assert ("damaged" in lines[0] if how == "half" else "not a JPEG or PNG" in lines[0]), \
            lines[0]
    assert len(errors) == 2, errors


# -- the image checker on generated damage: any byte of a PNG's image data zeroed is named -----
@settings(max_examples=30, deadline=None)
@given(side=st.integers(1, 300), rgb=st.tuples(*[st.integers(0, 255)] * 3),
       start=st.floats(0, 1), length=st.integers(1, 5000))
def test_a_png_with_any_of_its_image_data_zeroed_is_named_and_a_whole_one_is_not(
        side, rgb, start, length):
    data = png_bytes(side, side, rgb)
    assert served_art_problem(data, ".png") is None
    idat = data.index(b"IDAT") + 4  # its data, then its CRC, then IEND's 12 bytes
    end = len(data) - 12
    first = idat + int(start * (end - idat - 1))
    damaged = data[:first] + bytes(min(length, end - first)) + data[first + length:]
    if damaged == data:  # (zeros over zeros: nothing changed)
        return
    wrong = served_art_problem(damaged, ".png")
    assert wrong is not None and "cannot be decoded" in wrong, (first, length)


# -- h20 V15: a host with no index documents (a plain S3 endpoint) ------------------------------
def test_a_host_without_index_documents_is_named_with_the_setting_that_fits(make_project,
                                                                            tmp_path):
    proj = _publish(make_project)
    result, base, errors, _log = _check(proj, tmp_path, no_index=True)
    assert result.exit_code == 1
    advice = [e for e in errors if "set `site.links: file` in config.yaml" in e]
    assert advice and all("serves no index document for a folder" in e for e in advice)
    assert f"Error: {base}: HTTP 404" in advice[0], errors  # the home page first
    # with the setting, the same host serves every page the site links
    config = proj.root / "config.yaml"
    config.write_text(config.read_text().replace("site:\n", "site:\n  links: file\n", 1))
    assert proj.run("publish").exit_code == 0
    result, base, errors, _log = _check(proj, tmp_path, no_index=True)
    # every page the site links is served now; what is left is the post's own folder link
    # (`[first one](../a/)`), and the advice is the one that fits
    assert result.exit_code == 1
    assert len(errors) == 1 and errors[0].startswith(f"Error: {base}posts/a/: HTTP 404"), errors
    assert "link it as .../index.html where it is written" in errors[0]
    assert "set `site.links: file`" not in errors[0]
    # and a host that serves index documents gets no such advice
    result, base, errors, _log = _check(proj, tmp_path)
    assert result.exit_code == 0, result.output
