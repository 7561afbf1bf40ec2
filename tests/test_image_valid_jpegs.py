"""Whole, valid JPEGs of every common kind are accepted as a cover or episode art (h20 V11).

ffmpeg codes a 4:4:4 picture in units of 16 x 16 px: an image 1400 px high has its last row
of units half outside the picture, and the bytes of those hidden blocks (often the data's last
ones) change no pixel that is shown. The zero-run damage probes took such bytes for data the
decoder never reads, and refused test patterns, SMPTE bars and flat logos. Here pictures are
made by the bundled ffmpeg and by Pillow in every subsampling, grey, progressive, with restart
intervals, at sizes on and off the block grid, at many qualities, flat and noisy: each is
accepted; the same pictures with a zeroed tail or middle are still refused."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cover_cut import _covers, _errors, config
from test_image_zero_middle import zero_span
from test_image_zero_tail import problem, zero_tail
from test_pages import new_project

from conftest import post, sidecar, tone
from syndicate.audio import ffmpeg_exe
from syndicate.images import DAMAGED

# lavfi sources: test patterns, bars, a flat logo (a square and a frame on a flat colour, as
# the tester's cover), flat colour and noise
PATTERNS = {
    "testsrc2": "testsrc2=s={w}x{h}",
    "smptehdbars": "smptehdbars=s={w}x{h}",
    "smptebars": "smptebars=s={w}x{h}",
    "rgbtestsrc": "rgbtestsrc=s={w}x{h}",
    "logo": ("color=c=0x224488:s={w}x{h},drawbox=x=iw/5:y=ih/5:w=iw/2:h=ih/2:color=yellow:t=fill,"
             "drawbox=x=iw/10:y=ih/10:w=iw*4/5:h=ih*4/5:color=white:t=8"),
    "flat": "color=c=0x5a6ea0:s={w}x{h}",
    "noise": "nullsrc=s={w}x{h},geq=lum='random(1)*255':cb=128:cr=128",
}
FORMATS = ["yuvj444p", "yuvj422p", "yuvj420p", "yuvj440p", "gray"]


def ffmpeg_jpeg(pattern: str, w: int, h: int, fmt: str, quality: int | None) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "i.jpg"
        quality_args = [] if quality is None else ["-q:v", str(quality)]
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
             PATTERNS[pattern].format(w=w, h=h), "-frames:v", "1", "-pix_fmt", fmt,
             *quality_args, str(out)], capture_output=True, check=True)
        return out.read_bytes()


# the tester's three files: refused before, all whole and decoding cleanly
TESTERS = [("testsrc2", None), ("smptehdbars", None), ("logo", 3)]


@pytest.mark.parametrize(("pattern", "quality"), TESTERS)
def test_the_testers_4_4_4_jpegs_are_accepted(tmp_path, pattern, quality):
    data = ffmpeg_jpeg(pattern, 1400, 1400, "yuvj444p", quality)
    assert data.endswith(b"\xff\xd9")
    assert problem(tmp_path, data) is None


def test_a_4_4_4_test_pattern_is_published_as_the_cover_and_as_episode_art(tmp_path):
    art = ffmpeg_jpeg("testsrc2", 1400, 1400, "yuvj444p", None)
    proj = new_project(tmp_path / "p", {
        "posts/a.md": post("A"),
        "episodes/ep.wav": tone(0.5, fmt="wav"),
        "episodes/ep.yaml": sidecar("Ep", image="art.jpg"),
        "episodes/art.jpg": art,
    }, config("jpg"))
    proj.write("cover.jpg", ffmpeg_jpeg("logo", 1400, 1400, "yuvj444p", 3))
    result = proj.run("publish")
    assert result.exit_code == 0 and _errors(result) == [], result.output
    assert "Traceback" not in result.output
    assert len(_covers(proj)) == 1
    assert b"cover-" in proj.read("index.html")
    assert list(proj.public("episodes/ep").glob("cover-*.jpg")), result.output
    assert b"episodes/ep/cover-" in proj.read("podcast.xml")


# sides on the 8 and 16 px grid and off it (odd, one past, one short)
SIDES = st.sampled_from([64, 100, 136, 255, 257, 600, 1399, 1400, 1401, 1500])


# found by the property below (its examples are drawn the same way on every run, so CI sees the
# same ones): a valid picture still refused. The bars' flat last blocks, off the 16 px grid in
# 4:2:0: the data holds a zero run and its last byte changes no pixel even with the hidden
# blocks shown. Open (the probe cannot yet tell it from a zeroed middle); strict, so the fix
# that makes it pass also removes this mark.
KNOWN_REFUSED = [("smptebars", "yuvj420p", 1401, 257, 15)]


@pytest.mark.xfail(strict=True, reason="open: a valid JPEG still refused (see KNOWN_REFUSED)")
@pytest.mark.parametrize("pattern, fmt, w, h, quality", KNOWN_REFUSED)
def test_a_known_valid_jpeg_still_refused(pattern, fmt, w, h, quality):
    data = ffmpeg_jpeg(pattern, w, h, fmt, quality)
    with tempfile.TemporaryDirectory() as tmp:
        assert problem(Path(tmp), data) is None


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(pattern=st.sampled_from(sorted(PATTERNS)), fmt=st.sampled_from(FORMATS),
       w=SIDES, h=SIDES, quality=st.one_of(st.none(), st.integers(2, 31)))
def test_any_jpeg_made_by_ffmpeg_is_accepted(pattern, fmt, w, h, quality):
    data = ffmpeg_jpeg(pattern, w, h, fmt, quality)
    with tempfile.TemporaryDirectory() as tmp:
        assert problem(Path(tmp), data) is None, (pattern, fmt, w, h, quality)


def pillow_jpeg(content: str, mode: str, w: int, h: int, **save) -> bytes:
    from PIL import Image, ImageDraw

    if content == "noise":
        import random

        rng = random.Random(w * 7 + h)
        image = Image.frombytes("L", (w, h), bytes(rng.randrange(256) for _ in range(w * h)))
        image = image.convert(mode)
    elif content == "gradient":
        image = Image.linear_gradient("L").resize((w, h)).convert(mode)
    else:
        image = Image.new(mode, (w, h), (34, 68, 136) if mode == "RGB" else 90)
        if content == "logo":
            draw = ImageDraw.Draw(image)
            draw.rectangle((w // 5, h // 5, w * 3 // 5, h * 3 // 5),
                           fill=(250, 220, 0) if mode == "RGB" else 220)
            draw.rectangle((w // 10, h // 10, w * 9 // 10, h * 9 // 10), outline="white",
                           width=max(1, w // 40))
    out = io.BytesIO()
    image.save(out, "JPEG", **save)
    return out.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.sampled_from(["flat", "logo", "gradient", "noise"]),
       mode=st.sampled_from(["RGB", "L"]), w=SIDES, h=SIDES,
       subsampling=st.sampled_from([0, 1, 2]), quality=st.integers(20, 100),
       progressive=st.booleans(), optimize=st.booleans(),
       restart=st.sampled_from([None, ("restart_marker_rows", 1), ("restart_marker_blocks", 5)]))
def test_any_jpeg_made_by_pillow_is_accepted(content, mode, w, h, subsampling, quality,
                                             progressive, optimize, restart):
    pytest.importorskip("PIL")
    save = dict(quality=quality, subsampling=subsampling, progressive=progressive,
                optimize=optimize)
    if restart:
        save[restart[0]] = restart[1]
    data = pillow_jpeg(content, mode, w, h, **save)
    with tempfile.TemporaryDirectory() as tmp:
        assert problem(Path(tmp), data) is None, (content, mode, w, h, save)


@pytest.mark.parametrize("fmt", ["yuvj444p", "yuvj420p", "gray"])
@pytest.mark.parametrize(("w", "h"), [(1400, 1400), (1399, 1401), (257, 100)])
def test_off_grid_noise_jpegs_with_a_zeroed_tail_or_middle_are_still_refused(tmp_path, fmt,
                                                                              w, h):
    """The rounding to whole blocks leaves damage seen: a noise picture off the block grid
    with its tail zero-filled (end marker kept or not) or its middle third zeroed."""
    good = ffmpeg_jpeg("noise", w, h, fmt, 3)
    assert problem(tmp_path, good) is None
    for damaged in (zero_tail(good, 0.5, True), zero_tail(good, 0.8, False),
                    zero_span(good, 1 / 3, 2 / 3), zero_span(good, 0.85, 0.97)):
        assert problem(tmp_path, damaged) == DAMAGED, (fmt, w, h)
