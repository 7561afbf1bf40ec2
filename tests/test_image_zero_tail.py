"""An image whose tail is a run of zero bytes (a copy into a pre-allocated file that stopped, a
cloud-drive placeholder) is damage, with or without the JPEG end marker kept: the bundled ffmpeg
decodes such a JPEG without a word. An encoder never leaves whole zero bytes unread after its
last block, while a flat area can legitimately encode as zero bits: so a flat or flat-bottomed
cover made by ffmpeg (whose scan may end in zeros) is still accepted."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cover_cut import _channel_image, _covers, _errors, config, noise_jpeg
from test_pages import new_project
from test_pages_agree_lists import _dead_links

from conftest import post, sidecar, tone
from syndicate.audio import ffmpeg_exe
from syndicate.images import DAMAGED, decode_problem

# pictures an author might export: every kind of content, flat ones (whose scan is mostly or
# wholly zero bits with ffmpeg's optimal Huffman tables) included
SOURCES = {
    "noise": "geq=lum='random(1)*255':cb=128:cr=128",
    "gradient": "geq=lum='X*255/W':cb='Y*255/H':cr=128",
    "flat": "geq=lum=90:cb=100:cr=160",
    "black": "geq=lum=0:cb=128:cr=128",
    "flat_bottom": "geq=lum='if(lt(Y,H/2),random(1)*255,60)':cb=128:cr='if(lt(Y,H/2),X,128)'",
    "flat_top": "geq=lum='if(lt(Y,H/2),200,random(1)*255)':cb=128:cr=128",
}
_MADE: dict[tuple, bytes] = {}


def make_jpeg(kind: str, side: int = 256, fmt: str = "yuvj420p") -> bytes:
    key = (kind, side, fmt)
    if key not in _MADE:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "i.jpg"
            subprocess.run(
                [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                 f"nullsrc=s={side}x{side},format={fmt},{SOURCES[kind]}", "-frames:v", "1",
                 "-q:v", "3", str(out)], capture_output=True, check=True)
            _MADE[key] = out.read_bytes()
    return _MADE[key]


def zero_tail(data: bytes, at: float, keep_eoi: bool) -> bytes:
    """The bytes from fraction `at` of the file to its end replaced by zeros (the final FF D9
    kept or zeroed too), as a stopped copy into a pre-allocated file leaves it."""
    end = len(data) - 2 if keep_eoi else len(data)
    start = min(max(int(len(data) * at), 4), end)
    return data[:start] + b"\0" * (end - start) + data[end:]


def pixels(data: bytes) -> str:
    """An md5 of the decoded pixels, or '' when ffmpeg cannot decode it."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "i.jpg"
        src.write_bytes(data)
        done = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(src), "-frames:v", "1",
                               "-f", "rawvideo", "-"], capture_output=True, check=False)
    return hashlib.md5(done.stdout).hexdigest() if done.returncode == 0 and done.stdout else ""


def problem(tmp_path: Path, data: bytes) -> str | None:
    path = tmp_path / f"{hashlib.sha256(data).hexdigest()[:12]}.jpg"
    path.write_bytes(data)
    return decode_problem(path)


@pytest.mark.parametrize("fmt", ["yuvj420p", "yuvj444p", "gray"])
@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_a_whole_image_made_by_ffmpeg_is_accepted(tmp_path, kind, fmt):
    for side in (64, 256, 1400):
        assert problem(tmp_path, make_jpeg(kind, side, fmt)) is None, (kind, side, fmt)


@pytest.mark.parametrize("keep_eoi", [True, False])
@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_a_zero_filled_tail_is_damage_unless_it_changes_no_pixel(tmp_path, kind, keep_eoi):
    good = make_jpeg(kind)
    for at in (0.05, 0.3, 0.5, 0.8, 0.95):
        damaged = zero_tail(good, at, keep_eoi)
        said = problem(tmp_path, damaged)
        # refused as damage, or the zeros were truly the image's own data (a flat area)
        assert said == DAMAGED or pixels(damaged) == pixels(good), (kind, at, keep_eoi)
        if kind in ("noise", "gradient", "flat_top"):  # the zeros replace detail: always seen
            assert said == DAMAGED, (kind, at, keep_eoi)


@settings(max_examples=25, deadline=None)
@given(kind=st.sampled_from(["noise", "gradient", "flat_bottom", "flat_top"]),
       at=st.floats(0.02, 0.995), keep_eoi=st.booleans())
def test_any_cut_point_zero_filled_is_damage_or_changes_nothing(kind, at, keep_eoi):
    good = make_jpeg(kind, 128)
    damaged = zero_tail(good, at, keep_eoi)
    with tempfile.TemporaryDirectory() as tmp:
        said = problem(Path(tmp), damaged)
    assert said == DAMAGED or pixels(damaged) == pixels(good), (kind, at, keep_eoi)


@pytest.mark.parametrize("keep_eoi", [True, False])
def test_a_cover_with_a_zero_filled_tail_is_refused_and_the_last_good_cover_stays(tmp_path,
                                                                                  keep_eoi):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")}, config("jpg"))
    proj.write("cover.jpg", noise_jpeg())
    assert proj.run("publish").exit_code == 0
    covers, image, home = _covers(proj), _channel_image(proj), proj.read("index.html")
    proj.write("cover.jpg", zero_tail(noise_jpeg(), 0.5, keep_eoi))
    proj.write("posts/b.md", post("B", date="2026-10-02"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = _errors(result)
    assert len(errors) == 1 and "cover.jpg" in errors[0], result.output
    assert "cannot be decoded" in errors[0]
    assert _covers(proj) == covers and _channel_image(proj) == image
    assert proj.read("index.html") == home
    assert not proj.public("posts/b/index.html").exists()


def test_a_flat_cover_made_by_ffmpeg_is_published(tmp_path):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")}, config("jpg"))
    proj.write("cover.jpg", make_jpeg("flat", 1400))
    result = proj.run("publish")
    assert result.exit_code == 0 and "Error" not in result.output, result.output
    assert len(_covers(proj)) == 1 and _dead_links(proj) == []


def test_episode_art_with_a_zero_filled_tail_is_refused(tmp_path):
    proj = new_project(tmp_path / "p", {
        "episodes/ep.wav": tone(0.5, fmt="wav"),
        "episodes/ep.yaml": sidecar("Ep", image="art.jpg"),
        "episodes/art.jpg": zero_tail(noise_jpeg(), 0.5, True),
    })
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = _errors(result)
    assert len(errors) == 1 and "art.jpg" in errors[0], result.output
    assert "cannot be decoded" in errors[0]
    assert not proj.public("media").exists() or not list(proj.public("media").iterdir())
