"""A file that fails to read may be any item: a released item renamed in a publish where its
new file fails to read keeps its last published version (not taken down), and a queued item
renamed while a broken file stands at its old name is never released early (T3, T5 of the
hostile re-test)."""

from __future__ import annotations

import io

import feedparser
import podcastparser
import pytest

from conftest import post, sidecar, tone

SECRET = "Embargoed words about the new bridge plans, not before Friday."
AT = "2030-01-01T09:00:00+00:00"
BROKEN = "---\ntitle: [oops\n---\nx\n"


def _titles(proj) -> dict[str, str]:
    return {e.title: e.id for e in feedparser.parse(proj.read("feed.xml")).entries}


def _live(proj, words: str) -> list[str]:
    public = proj.root / "public"
    return [str(p.relative_to(public)) for p in public.rglob("*")
            if p.is_file() and words.encode() in p.read_bytes()]


@pytest.mark.parametrize("broken", ["yaml", "slug"])
def test_a_released_post_renamed_into_a_file_that_fails_stays_live(make_project, broken):
    proj = make_project({"posts/2026-10-02-kit.md": post("Kit", date="2026-10-02",
                                                          body="The field recording kit."),
                         "posts/2026-09-14-blog.md": post("Blog", date="2026-09-14")})
    assert proj.run("publish").exit_code == 0
    before = _titles(proj)
    page = proj.public("posts/kit/index.html").read_bytes()
    (proj.root / "posts/2026-10-02-kit.md").unlink()
    if broken == "yaml":
        proj.write("posts/2026-10-02-kit-renamed.md", BROKEN)
    else:  # renamed onto another post's slug: a clash, not a typo
        proj.write("posts/2026-10-02-kit-renamed.md",
                   post("Kit", date="2026-10-02", body="The field recording kit.", slug="blog"))
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "posts/2026-10-02-kit.md" in result.output
    assert "kit-renamed.md" in result.output and "Traceback" not in result.output
    assert _titles(proj) == before  # still in the feed, under its guid
    assert proj.public("posts/kit/index.html").read_bytes() == page
    # fixed: the same item, the same guid, and the removal never happened in between
    proj.write("posts/2026-10-02-kit-renamed.md",
               post("Kit", date="2026-10-02", body="The field recording kit."))
    fixed = proj.run("publish")
    assert fixed.exit_code == 0, fixed.output
    assert _titles(proj) == before


def test_a_released_episode_renamed_into_a_sidecar_that_fails_keeps_its_audio(make_project):
    proj = make_project({"episodes/002-tides.yaml": sidecar("Tides"),
                         "episodes/002-tides.mp3": tone(1.0)})
    assert proj.run("publish").exit_code == 0
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    (ep,) = feed["episodes"]
    media = ep["enclosures"][0]["url"].removeprefix("https://example.test/")
    (proj.root / "episodes/002-tides.yaml").rename(proj.root / "episodes/002-tides-x.yaml")
    (proj.root / "episodes/002-tides.mp3").rename(proj.root / "episodes/002-tides-x.mp3")
    with open(proj.root / "episodes/002-tides-x.yaml", "a", encoding="utf-8") as f:
        f.write("season: [\n")
    result = proj.run("publish")
    assert result.exit_code == 1 and "002-tides-x.yaml" in result.output
    assert "episodes/002-tides.yaml" in result.output, result.output  # kept, and said
    again = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    assert [(e["guid"], e["title"]) for e in again["episodes"]] == [(ep["guid"], "Tides")]
    assert proj.public(media).is_file()


@pytest.mark.parametrize("kind", ["post", "episode"])
def test_a_queued_item_renamed_while_its_old_name_fails_is_not_released(make_project, kind):
    if kind == "post":
        files = {"posts/old.md": post("Old post", date="2026-10-01"),
                 "posts/2026-11-06-queued.md": post("Secret queued", date="2026-10-15",
                                                    body=SECRET)}
        queued, moved = "posts/2026-11-06-queued.md", "posts/2026-11-06-elsewhere.md"
    else:
        files = {"posts/old.md": post("Old post", date="2026-10-01"),
                 "episodes/003-secret.yaml": sidecar("Secret episode", notes=SECRET),
                 "episodes/003-secret.mp3": tone(1.0)}
        queued, moved = "episodes/003-secret.yaml", "episodes/003-interview.yaml"
    proj = make_project(files)
    assert proj.run("queue", queued, "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    assert _live(proj, SECRET) == []
    (proj.root / queued).rename(proj.root / moved)
    if kind == "episode":
        (proj.root / "episodes/003-secret.mp3").rename(proj.root / "episodes/003-interview.mp3")
        proj.write(queued, "title: [oops\n")
    else:
        proj.write(queued, BROKEN)
    result = proj.run("publish")
    assert "Traceback" not in result.output
    assert _live(proj, SECRET) == []  # no page, feed entry or file holds the queued words
    assert "Secret" not in proj.read("feed.xml").decode()
    if kind == "episode":
        assert podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))["episodes"] == []
