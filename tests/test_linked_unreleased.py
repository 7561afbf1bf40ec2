"""A released item's link to a file of an item not released yet (the image beside a queued or
future post, a draft's own file, a queued episode's audio) publishes nothing of it before that
item is out: the link waits, a warning names the file and its item, and the next publish after
the release publishes it and mends the link (h21 U8)."""

from __future__ import annotations

import pytest
from test_pages import doc, new_project

from conftest import png_bytes, post, sidecar, tone

IMG = png_bytes(40, 30)


def _project(tmp_path, later: str, *, draft: bool = False):
    extra = {"draft": "true"} if draft else {}
    return new_project(tmp_path / "p", {
        "posts/a.md": post("Now", body="See ![the marsh](2026-12-20-next/marsh.png) and "
                                       "[the draft](2026-12-20-next.md)."),
        "posts/2026-12-20-next.md": post("Next", date=later,
                                         body="![marsh](2026-12-20-next/marsh.png)", **extra),
        "posts/2026-12-20-next/marsh.png": IMG,
    })


def _published_files(proj) -> set[str]:
    return {p.relative_to(proj.root / "public").as_posix()
            for p in (proj.root / "public").rglob("*") if p.is_file()}


@pytest.mark.parametrize("draft", [False, True], ids=["dated-ahead", "draft"])
def test_a_link_to_an_unreleased_posts_files_waits_for_it(tmp_path, draft):
    proj = _project(tmp_path, "2026-12-20", draft=draft)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    published = _published_files(proj)
    assert "posts/a/index.html" in published
    # neither the image beside the unreleased post nor its own file is anywhere in the site
    assert not [k for k in published if "marsh" in k or k.endswith(".md")], published
    assert "posts/2026-12-20-next/marsh.png: linked from posts/a.md, not published yet: it " \
        "is part of posts/2026-12-20-next.md, which is not released" in result.output
    assert not list(proj.root.joinpath("public").rglob("marsh*"))
    if draft:
        return
    later = proj.run("publish", now="2026-12-21T12:00:00+00:00")
    assert later.exit_code == 0, later.output
    assert "not published yet" not in later.output
    page = doc(proj, "posts/a/index.html")
    (src,) = page.xpath("//main//img[@alt='the marsh']/@src")
    assert (proj.root / "public/posts/a" / src).resolve().read_bytes() == IMG


def test_a_queued_posts_image_linked_from_a_released_post_waits_for_the_queue(tmp_path):
    proj = _project(tmp_path, "2026-10-02")
    assert proj.run("collect").exit_code == 0
    queued = proj.run("queue", "posts/2026-12-20-next.md", "--at", "2026-12-20 09:00")
    assert queued.exit_code == 0, queued.output
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "posts/2026-12-20-next/marsh.png: linked from posts/a.md, not published yet" \
        in result.output
    assert not list(proj.root.joinpath("public").rglob("marsh*"))


def test_a_queued_episodes_audio_linked_from_a_released_episode_waits(tmp_path):
    audio = tone(0.5, fmt="wav")
    proj = new_project(tmp_path / "p", {
        "episodes/one.wav": audio,
        "episodes/one.yaml": sidecar("One", notes='"Next week: [a taste](two.wav)."'),
        "episodes/two.wav": tone(0.6, fmt="wav"),
        "episodes/two.yaml": sidecar("Two", date="2026-12-20"),
    })
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "episodes/two.wav: linked from episodes/one.yaml, not published yet" in result.output
    assert not [p for p in proj.root.joinpath("public").rglob("*")
                if p.is_file() and p.read_bytes() == proj.root.joinpath(
                    "episodes/two.wav").read_bytes()]
