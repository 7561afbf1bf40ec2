"""The show's cover is one input of every page: a cover that cannot be decoded (a PNG whose
header is right but whose data is damaged, as a cut-short upload leaves it) is one clear error
naming the file; the pages keep the last good cover as the feeds do, and a page links a favicon
only when it was written."""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pages import doc, meta, new_project

from conftest import png_bytes, post


def damaged_png(garbage: bytes, width: int = 1400, height: int = 1400) -> bytes:
    """A PNG with a right IHDR (and CRCs) whose IDAT holds ``garbage``, not image data."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", garbage)
            + chunk(b"IEND", b""))


def _links(proj) -> tuple[str, str, str]:
    page = doc(proj, "index.html")
    (icon,) = page.xpath("//link[@rel='icon']/@href") or [""]
    (img,) = page.xpath("//main//img/@src")[:1] or [""]
    return meta(page, "og:image") or "", icon, img


def _published(proj, url: str) -> bool:
    return (proj.root / "public" / url.split("example.test/", 1)[1]).is_file()


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.binary(min_size=1, max_size=300).filter(
    lambda b: not b.startswith(b"\x78")))  # (never a zlib stream by chance)
def test_a_damaged_cover_keeps_the_last_good_cover_and_favicon_on_every_page(tmp_path_factory,
                                                                           garbage):
    proj = new_project(tmp_path_factory.mktemp("p") / "p", {"posts/a.md": post("A")})
    proj.write("cover.png", png_bytes(1400, 1400))
    assert proj.run("publish").exit_code == 0
    before = _links(proj)
    assert all(before) and all(_published(proj, u) for u in before)
    covers = sorted(p.name for p in (proj.root / "public").glob("cover-*"))
    proj.write("cover.png", damaged_png(garbage))
    proj.write("posts/b.md", post("B", date="2026-10-02"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert "cover.png" in errors[0] and "damaged" in errors[0], errors
    assert "return code" not in result.output and "@ 0x" not in result.output
    # the damaged cover is not published; every page keeps the last good one and its favicon
    assert sorted(p.name for p in (proj.root / "public").glob("cover-*")) == covers
    assert _links(proj) == before


def test_a_first_publish_with_a_damaged_cover_links_no_cover_and_no_favicon(tmp_path):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")})
    proj.write("cover.png", damaged_png(b"not image data at all"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cover.png" in result.output and "damaged" in result.output
    # the post waits, as the error says; no page links a cover or favicon not published
    assert not proj.public("posts/a/index.html").exists()
    for path in (proj.root / "public").rglob("*.html"):
        page = doc(proj, path.relative_to(proj.root / "public").as_posix())
        for href in page.xpath("//link[@rel='icon']/@href") + page.xpath("//img/@src"):
            assert _published(proj, href), href
    assert not list((proj.root / "public").glob("favicon-*"))


@pytest.mark.parametrize("size", [(64, 64), (1400, 1400)])
def test_a_good_cover_links_a_favicon_that_is_published(tmp_path, size):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")})
    proj.write("cover.png", png_bytes(*size))
    assert proj.run("publish").exit_code in (0, 1)
    og, icon, _ = _links(proj)
    assert icon and _published(proj, icon) and _published(proj, og)


def test_a_jpeg_named_as_a_png_cover_is_published_as_a_jpeg_and_said(tmp_path):
    """h23 Z18: the published cover takes the kind its bytes are (a host serves it by its
    name, and directories go by the type served), with a warning to rename the file; a cover
    named right keeps its own suffix."""
    from test_image_valid_jpegs import ffmpeg_jpeg

    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")})
    proj.write("cover.png", ffmpeg_jpeg("flat", 1400, 1400, "yuvj420p", 3))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "cover.png: a JPEG image named as .png: published as a .jpg file; rename it" \
        in result.output
    covers = sorted(p.name for p in (proj.root / "public").glob("cover-*"))
    assert len(covers) == 1 and covers[0].endswith(".jpg"), covers
    og, _icon, img = _links(proj)
    assert og.endswith(".jpg") and img.endswith(".jpg")
    assert covers[0].encode() in proj.read("podcast.xml")
    proj.write("cover.png", png_bytes())  # a real PNG: its own name, no warning
    again = proj.run("publish")
    assert again.exit_code == 0 and "named as" not in again.output, again.output
    assert doc(proj, "index.html").xpath("//main//img/@src")[0].endswith(".png")
