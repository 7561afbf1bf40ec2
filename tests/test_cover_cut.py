"""A cover or episode art cut short (an upload that stopped half way) is damage, whatever kind
it is: the bundled ffmpeg decodes a JPEG cut in half with only a warning and a grey lower half,
so warnings of damage count as a failed decode. The last good cover stays on every page and in
the feed, new items wait, and no MP3 is tagged with the broken picture."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from lxml import etree
from test_pages import doc, new_project
from test_pages_agree_lists import _dead_links

from conftest import BASE_CONFIG, png_bytes, post, sidecar, tone
from syndicate.audio import ffmpeg_exe

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
_NOISE: dict[tuple, bytes] = {}


def noise_jpeg(side: int = 1400, seed: int = 1) -> bytes:
    """A JPEG of random grey noise (it does not compress: its scan is long, so a cut lands in
    the middle of the image data), made by the bundled ffmpeg."""
    if (side, seed) not in _NOISE:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "noise.jpg"
            subprocess.run(
                [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                 f"nullsrc=s={side}x{side},geq=random(1)*255:{100 + seed}:128", "-frames:v", "1",
                 "-q:v", "3", str(out)], capture_output=True, check=True)
            _NOISE[(side, seed)] = out.read_bytes()
    return _NOISE[(side, seed)]


def good(kind: str, seed: int = 1) -> bytes:
    return noise_jpeg(seed=seed) if kind == "jpg" else png_bytes(1400, 1400, rgb=(seed, 90, 160))


def cut(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def config(kind: str) -> str:
    return BASE_CONFIG.replace("image: cover.png", f"image: cover.{kind}")


def _errors(result) -> list[str]:
    return [ln for ln in result.output.splitlines() if ln.startswith("Error:")]


def _covers(proj) -> list[str]:
    return sorted(p.name for p in (proj.root / "public").glob("cover-*"))


def _channel_image(proj) -> str:
    feed = etree.fromstring(proj.read("podcast.xml"))
    return feed.find(f"channel/{ITUNES}image").get("href")


@pytest.mark.parametrize("fraction", [0.5, 0.8])
@pytest.mark.parametrize("kind", ["jpg", "png"])
def test_a_cover_cut_short_is_refused_and_the_last_good_cover_stays(tmp_path, kind, fraction):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")}, config(kind))
    proj.write(f"cover.{kind}", good(kind))
    assert proj.run("publish").exit_code == 0
    covers, image = _covers(proj), _channel_image(proj)
    home = proj.read("index.html")
    proj.write(f"cover.{kind}", cut(good(kind), fraction))
    proj.write("posts/b.md", post("B", date="2026-10-02"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = _errors(result)
    assert len(errors) == 1, result.output
    assert f"cover.{kind}" in errors[0] and "cannot be decoded" in errors[0], errors
    # the cut cover is not published; the feed and every page keep the last good one
    assert _covers(proj) == covers and _channel_image(proj) == image
    assert proj.read("index.html") == home
    assert not proj.public("posts/b/index.html").exists()  # the new post waits
    assert b"/posts/b/" not in proj.read("feed.xml")
    # fixed: the new cover and the waiting post are published
    proj.write(f"cover.{kind}", good(kind, seed=2))
    assert proj.run("publish").exit_code == 0
    assert _covers(proj) != covers and _channel_image(proj) != image
    assert proj.public("posts/b/index.html").is_file()


@pytest.mark.parametrize("kind", ["jpg", "png"])
def test_a_first_cover_cut_in_half_is_never_published(tmp_path, kind):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")}, config(kind))
    proj.write(f"cover.{kind}", cut(good(kind), 0.5))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"cover.{kind}" in result.output and "cannot be decoded" in result.output
    assert _covers(proj) == [] and not list((proj.root / "public").glob("favicon-*"))
    for page in (proj.root / "public").rglob("*.html"):
        tree = doc(proj, page.relative_to(proj.root / "public").as_posix())
        assert not [s for s in tree.xpath("//img/@src | //link/@href") if "cover-" in s]


@pytest.mark.parametrize("kind", ["jpg", "png"])
def test_an_episode_is_not_retagged_with_a_cover_cut_short(tmp_path, kind):
    proj = new_project(tmp_path / "p", {
        "episodes/ep.wav": tone(0.5, fmt="wav"),
        "episodes/ep.yaml": sidecar("Ep"),
    }, config(kind))
    proj.write(f"cover.{kind}", good(kind))
    assert proj.run("publish").exit_code == 0
    media = sorted(p.name for p in proj.public("media").iterdir())
    feed = proj.read("podcast.xml")
    proj.write(f"cover.{kind}", cut(good(kind), 0.5))
    proj.write("episodes/ep.yaml", sidecar("Ep renamed"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"cover.{kind}" in result.output
    # no MP3 tagged with the cut cover is made or published; the feed keeps its last version
    assert sorted(p.name for p in proj.public("media").iterdir()) == media
    assert proj.read("podcast.xml") == feed


def test_episode_art_cut_in_half_as_a_jpeg_is_refused(tmp_path):
    proj = new_project(tmp_path / "p", {
        "episodes/ep.wav": tone(0.5, fmt="wav"),
        "episodes/ep.yaml": sidecar("Ep", image="art.jpg"),
        "episodes/art.jpg": cut(noise_jpeg(), 0.5),
    })
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = _errors(result)
    assert len(errors) == 1 and "art.jpg" in errors[0], result.output
    assert "cannot be decoded" in errors[0]


@pytest.mark.parametrize("kind", ["jpg", "png"])
@pytest.mark.parametrize("fraction", [0.02, 0.5])
def test_a_first_publish_with_a_damaged_cover_releases_nothing_and_links_no_podcast_feed(
        tmp_path, kind, fraction):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A", tags="[welcome]")},
                       config(kind))
    proj.write(f"cover.{kind}", cut(good(kind), fraction))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(_errors(result)) == 1 and "wait (queued)" in result.output, result.output
    # as the error says, the post waits: no page, list, feed or sitemap names it
    assert not proj.public("posts/a/index.html").exists()
    for key in ("index.html", "posts/index.html", "feed.xml", "atom.xml", "feed.json",
                "sitemap.xml"):
        assert b"/posts/a/" not in proj.read(key), key
    status = proj.run("status")
    assert "released" not in status.output and "queued" in status.output, status.output
    # the podcast feeds were not written, and no page links them (nor anything else unwritten)
    assert not proj.public("podcast.xml").exists() and not proj.public("podcast.json").exists()
    assert _dead_links(proj) == []
    # fixed: the post is released and every page links the podcast feeds, now written
    proj.write(f"cover.{kind}", good(kind))
    assert proj.run("publish").exit_code == 0
    assert proj.public("posts/a/index.html").is_file()
    home = doc(proj, "index.html")
    assert proj.public("podcast.xml").is_file()
    assert [h for h in home.xpath("//link/@href | //a/@href") if h.endswith("podcast.xml")]
    assert _dead_links(proj) == []


LISTS = ("index.html", "posts/index.html", "tags/rust/index.html", "feed.xml", "atom.xml",
         "feed.json", "sitemap.xml")


@pytest.mark.parametrize("change", ["edit", "removal"])
def test_while_the_cover_is_damaged_an_edit_or_removal_reaches_no_list_and_no_feed(tmp_path,
                                                                                  change):
    proj = new_project(tmp_path / "p", {
        "posts/a.md": post("Rusty", tags="[rust]"),
        "posts/b.md": post("Other", date="2026-10-02", tags="[rust]"),
    })
    proj.write("cover.png", png_bytes(1400, 1400))
    assert proj.run("publish").exit_code == 0
    before = {k: proj.read(k) for k in LISTS}
    proj.write("cover.png", cut(png_bytes(1400, 1400), 0.5))
    if change == "edit":
        proj.write("posts/a.md", post("Rusty Renamed", tags="[rust]"))
    else:
        (proj.root / "posts/b.md").unlink()
    result = proj.run("publish", "--remove", "Other") if change == "removal" \
        else proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(_errors(result)) == 1 and "cover.png" in result.output, result.output
    # lists, feeds and sitemap agree: every one keeps its last version
    assert {k: proj.read(k) for k in LISTS} == before
    assert _dead_links(proj) == []
    # fixed: the change reaches every list and feed at once
    proj.write("cover.png", png_bytes(1400, 1400, rgb=(9, 9, 9)))
    result = proj.run("publish", "--remove", "Other") if change == "removal" \
        else proj.run("publish")
    assert result.exit_code == 0, result.output
    for k in LISTS:
        data = proj.read(k)
        if change == "edit":
            assert k == "sitemap.xml" or b"Rusty Renamed" in data, k  # (it holds no titles)
        else:
            assert b"/posts/b/" not in data, k


def test_a_cut_cover_is_one_error_however_many_episodes_it_stops(tmp_path):
    """h22 W7: one error names the cover and says the episodes wait, not one per episode."""
    files = {f"episodes/e{i}.wav": tone(0.5 + i / 10, fmt="wav") for i in range(6)}
    files.update({f"episodes/e{i}.yaml": sidecar(f"Ep {i}", f"2026-10-0{i + 1} 08:00")
                  for i in range(6)})
    proj = new_project(tmp_path / "p", files, config("png"))
    proj.write("cover.png", good("png"))
    assert proj.run("publish").exit_code == 0
    feed = proj.read("podcast.xml")
    proj.write("cover.png", cut(good("png"), 0.5))
    for i in range(6):
        proj.write(f"episodes/e{i}.yaml", sidecar(f"Ep {i} renamed", f"2026-10-0{i + 1} 08:00"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = _errors(result)
    # h23 Z6: one error, naming the file once, saying both what the feeds and the episodes do
    assert len(errors) == 1 and errors[0].startswith("Error: cover.png: podcast.image "), errors
    assert "the feeds, the cover and the pages that show it keep their last" in errors[0]
    assert "the episodes carrying it (episodes/e0.yaml, episodes/e1.yaml, episodes/e2.yaml " \
           "and 3 more) are not re-tagged" in errors[0], errors
    assert proj.read("podcast.xml") == feed
