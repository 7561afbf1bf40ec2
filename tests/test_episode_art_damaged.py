"""Episode art is decoded before it is published, as the show's cover is: art whose header is
right but whose data is damaged (cut short, garbage after the header, bytes flipped) is one
error naming the file; the episode keeps its last art (or the show's cover), and its audio is
not tagged again with the broken picture."""

from __future__ import annotations

import pytest
from lxml import etree
from test_pages import new_project
from test_pages_agree_lists import _cut_short, _dead_links, _flipped, _garbage_idat, _header_only

from conftest import BASE_CONFIG, png_bytes, sidecar, tone

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


def _art(proj) -> str:
    feed = etree.fromstring(proj.read("podcast.xml"))
    (item,) = feed.findall("channel/item")
    (image,) = item.findall(f"{ITUNES}image") or [None]
    return "" if image is None else image.get("href")


def _media(proj) -> list[str]:
    return sorted(p.name for p in (proj.root / "public" / "media").iterdir())


@pytest.mark.parametrize("damage", [_cut_short, _garbage_idat, _header_only, _flipped])
@pytest.mark.parametrize("had_art", [False, True])
def test_damaged_episode_art_is_one_error_and_the_episode_keeps_its_last_art(tmp_path, damage,
                                                                           had_art):
    extra = {"image": "art.png"} if had_art else {}
    proj = new_project(tmp_path / "p", {
        "episodes/fresh.wav": tone(0.5, fmt="wav"),
        "episodes/fresh.yaml": sidecar("Fresh", **extra),
        "episodes/art.png": png_bytes(1400, 1400, rgb=(200, 30, 30)),
    }, BASE_CONFIG)
    assert proj.run("publish").exit_code == 0
    art, media = _art(proj), _media(proj)
    assert bool(art) == had_art
    page = proj.read("episodes/fresh/index.html")
    proj.write("episodes/art.png", damage(png_bytes(1400, 1400)))
    if not had_art:
        proj.write("episodes/fresh.yaml", sidecar("Fresh", image="art.png"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert "episodes/fresh.yaml:3" in errors[0] and "art.png" in errors[0], errors
    assert "cannot be decoded" in errors[0] and "@ 0x" not in result.output
    # the feed, the page and the audio are as they were: no broken picture anywhere
    assert _art(proj) == art and _media(proj) == media
    assert proj.read("episodes/fresh/index.html") == page
    assert _dead_links(proj) == []
    # good art again: published, and the audio is tagged with it
    proj.write("episodes/art.png", png_bytes(1400, 1400, rgb=(20, 200, 30)))
    assert proj.run("publish").exit_code == 0
    assert _art(proj) not in ("", art) and _media(proj) != media
