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


_SECRET = post("Next", date="2026-12-20", body="The plan, ![plan](2026-12-20-next/plan.png).")
_PLAN = png_bytes(44, 33, rgb=(200, 10, 10))
_VTT = "WEBVTT\n\n00:00.000 --> 00:00.500\nThe secret words\n"


def _copies_project(tmp_path, copies: dict[str, bytes | str]):
    """A released post linking, beside itself, byte copies of files of items not out yet (a
    post dated ahead, an episode dated ahead): its source, its image, its audio, its
    transcript (h25 B2)."""
    links = " ".join(f"[{name}](a/{name})" for name in copies)
    return new_project(tmp_path / "p", {
        "posts/a.md": post("Now", body=f"Files: {links}."),
        **{f"posts/a/{name}": data for name, data in copies.items()},
        "posts/2026-12-20-next.md": _SECRET,
        "posts/2026-12-20-next/plan.png": _PLAN,
        "episodes/two.wav": tone(0.6, fmt="wav"),
        "episodes/two.vtt": _VTT,
        "episodes/two.yaml": sidecar("Two", date="2026-12-20", transcript="two.vtt"),
    })


@pytest.mark.parametrize("name,original", [
    ("notes.md", "posts/2026-12-20-next.md"), ("p.png", "posts/2026-12-20-next/plan.png"),
    ("s.wav", "episodes/two.wav"), ("t.vtt", "episodes/two.vtt")])
def test_a_copy_of_an_unreleased_items_file_linked_from_a_released_post_waits(
        tmp_path, name, original):
    data = {"notes.md": _SECRET, "p.png": _PLAN, "t.vtt": _VTT, "s.wav": tone(0.6, fmt="wav")}
    proj = _copies_project(tmp_path, {name: data[name]})
    secret = (proj.root / original).read_bytes()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "posts/a/index.html" in _published_files(proj)
    assert not [p for p in proj.root.joinpath("public").rglob("*")
                if p.is_file() and p.read_bytes() == secret], "a copy went out early"
    said = [ln for ln in result.output.splitlines() if f"posts/a/{name}" in ln]
    assert len(said) == 1 and original in said[0] and "not released" in said[0], result.output
    later = proj.run("publish", now="2026-12-21T12:00:00+00:00")
    assert later.exit_code == 0, later.output
    assert "not released" not in later.output
    page = doc(proj, "posts/a/index.html")
    (href,) = page.xpath(f"//main//a[text()='{name}']/@href")
    assert (proj.root / "public/posts/a" / href).resolve().read_bytes() == secret


def test_a_copy_already_live_before_the_item_was_written_stays_live(tmp_path):
    """A shared image (a logo) published with a released post keeps its place when a post
    written later and queued holds the same bytes: nothing of it is secret any more."""
    proj = new_project(tmp_path / "p", {"posts/a.md": post("Now", body="![logo](a/logo.png)"),
                                         "posts/a/logo.png": _PLAN})
    assert proj.run("publish").exit_code == 0
    live = _published_files(proj)
    assert any(k.endswith("logo.png") for k in live)
    proj.write("posts/2026-12-20-next.md", _SECRET)
    proj.write("posts/2026-12-20-next/plan.png", _PLAN)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "not released" not in result.output
    assert live <= _published_files(proj)


def test_a_queued_post_moved_beside_a_released_one_and_linked_waits_for_its_time(tmp_path):
    """h25 B2's rename: the queued post's own file moved into a released post's folder of files
    (as notes.txt) and linked from it: its text is not published before the queued time."""
    proj = new_project(tmp_path / "p", {"posts/a.md": post("Now", body="Nothing yet."),
                                         "posts/2026-12-20-next.md": _SECRET})
    assert proj.run("collect").exit_code == 0
    assert proj.run("queue", "posts/2026-12-20-next.md", "--at", "2026-12-20 09:00").exit_code == 0
    assert proj.run("publish").exit_code == 0
    secret = (proj.root / "posts/2026-12-20-next.md").read_bytes()
    (proj.root / "posts/a").mkdir()
    (proj.root / "posts/2026-12-20-next.md").rename(proj.root / "posts/a/notes.txt")
    proj.write("posts/a.md", post("Now", body="See [the notes](a/notes.txt)."))
    result = proj.run("publish")
    assert result.exit_code in (0, 1), result.output
    assert not [p for p in proj.root.joinpath("public").rglob("*")
                if p.is_file() and secret in p.read_bytes()], result.output
    said = [ln for ln in result.output.splitlines() if "posts/a/notes.txt" in ln]
    assert len(said) == 1 and "2026-12-20-next.md" in said[0], result.output
    assert "posts/2026-12-20-next.md: queued for 2026-12-20T09:00:00+00:00 UTC, and its file " \
        "is gone: it is taken off the queue" in result.output, result.output  # not silently
    later = proj.run("publish", now="2026-12-21T12:00:00+00:00")  # h26 C16: not for ever
    assert later.exit_code == 0 and "not released" not in later.output, later.output
    assert proj.public("posts/a/a/notes.txt").read_bytes() == secret


@pytest.mark.parametrize("name", ["p.png", "p.jpg"])
def test_an_unlinked_copy_of_a_queued_image_in_a_released_posts_folder_waits(tmp_path, name):
    """h26 C17: the folder named like a released post publishes its images even unlinked; a
    byte copy of a queued post's image dropped there (under any image name) waits too."""
    proj = _copies_project(tmp_path, {})
    proj.write(f"posts/a/{name}", _PLAN)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert not [p for p in proj.root.joinpath("public").rglob("*")
                if p.is_file() and p.read_bytes() == _PLAN], "a copy went out early"
    said = [ln for ln in result.output.splitlines() if f"posts/a/{name}" in ln]
    assert len(said) == 1 and "posts/2026-12-20-next/plan.png" in said[0], result.output
    later = proj.run("publish", now="2026-12-21T12:00:00+00:00")
    assert later.exit_code == 0, later.output
    assert proj.public(f"posts/a/a/{name}").read_bytes() == _PLAN


def test_a_queued_episodes_encoded_mp3_linked_from_a_released_post_waits(tmp_path):
    """h26 C2: the MP3 made for a queued episode (in .syndicate/media, named by its hash),
    copied beside a released post and linked, waits for the episode's release."""
    proj = _copies_project(tmp_path, {})
    assert proj.run("publish").exit_code == 0
    (made,) = [p for p in (proj.root / ".syndicate/media").glob("*.mp3")
               if len(p.stem) == 64]
    proj.write("posts/a/ep.mp3", made.read_bytes())
    proj.write("posts/a.md", post("Now", body="Listen early: [ep](a/ep.mp3)."))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert not [p for p in proj.root.joinpath("public").rglob("*.mp3")], result.output
    assert "posts/a/ep.mp3: linked from posts/a.md, not published yet" in result.output
