"""H4: moving or renaming a source file without editing it changes no published byte: the Atom
entry's <updated>, the feeds' <updated> and lastBuildDate stay as they were (readers would show
every moved post as updated). An edit still re-stamps its entry. Generated moves: renames,
moves into subfolders, the posts folder renamed with paths.posts, a publish where paths.posts
named a missing folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Project, png_bytes, post, sidecar, tone

LATER = "2026-11-05T09:30:00+00:00"
LATER2 = "2026-11-09T18:00:00+00:00"
TITLES = [f"Post {c}" for c in "ABCD"]


PLAIN = BASE_CONFIG + "audio:\n  process: false\n"  # the audio as it is: no encode to wait for


def make(root: Path, config: str = PLAIN) -> Project:
    proj = Project(root)
    root.mkdir(parents=True)
    proj.write("config.yaml", config)
    proj.write("cover.png", png_bytes())
    (root / "episodes").mkdir()
    for i, title in enumerate(TITLES):
        proj.write(f"posts/2026-10-0{i + 1}-p{i}.md",
                   post(title, date=f"2026-10-0{i + 1}", body=f"Body of {title}.", slug=f"p{i}"))
    proj.write("episodes/one.yaml", sidecar("One", audio="one.mp3"))
    proj.write("episodes/one.mp3", tone(0.5))
    return proj


def stamps(proj: Project) -> dict:
    """What says when each entry and feed last changed, read back as a reader does."""
    atom = feedparser.parse(proj.read("atom.xml"))
    rss = feedparser.parse(proj.read("feed.xml"))
    pod = feedparser.parse(proj.read("podcast.xml"))
    return {"atom": atom.feed.get("updated"), "rss": rss.feed.get("updated"),
            "podcast": pod.feed.get("updated"),
            **{e.title: e.get("updated") for e in atom.entries}}


def move(proj: Project, how: str, which: list[int]) -> str | None:
    """Move the chosen posts (or the sidecar); returns a new config when paths change."""
    posts = proj.root / "posts"
    if how == "rename":
        for i in which:
            (posts / f"2026-10-0{i + 1}-p{i}.md").rename(posts / f"renamed-{i}.md")
    elif how == "subfolder":
        for i in which:
            (posts / "2026" / "older").mkdir(parents=True, exist_ok=True)
            (posts / f"2026-10-0{i + 1}-p{i}.md").rename(posts / "2026/older" / f"p{i}.md")
    elif how == "folder":
        shutil.move(posts, proj.root / "content")
        return PLAIN + "paths:\n  posts: content\n"
    elif how == "sidecar":
        (proj.root / "episodes/2026").mkdir()
        for name in ("one.yaml", "one.mp3"):
            (proj.root / "episodes" / name).rename(proj.root / "episodes/2026" / name)
    return None


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(how=st.sampled_from(["rename", "subfolder", "folder", "sidecar"]),
       which=st.lists(st.integers(0, 3), min_size=1, max_size=4, unique=True))
def test_moving_or_renaming_a_source_leaves_updated_and_last_build_date_alone(
        tmp_path_factory, how, which):
    proj = make(tmp_path_factory.mktemp("mv") / "proj")
    assert proj.run("publish").exit_code == 0
    before = stamps(proj)
    config = move(proj, how, which)
    if config:
        proj.write("config.yaml", config)
    res = proj.run("publish", now=LATER)
    assert res.exit_code == 0, res.output
    assert stamps(proj) == before
    # the test can fail: an edit of the moved post does re-stamp its entry and the feeds
    edited = next(proj.root.rglob("*p0.md"), None) or next(proj.root.rglob("renamed-0.md"))
    edited.write_text(edited.read_text().replace("Body of", "Edited body of"))
    assert proj.run("publish", now=LATER2).exit_code == 0
    after = stamps(proj)
    assert after["Post A"] != before["Post A"] and after["atom"] != before["atom"]
    assert {k: v for k, v in after.items() if k not in ("Post A", "atom", "rss")} == \
        {k: v for k, v in before.items() if k not in ("Post A", "atom", "rss")}


def test_a_publish_with_the_posts_folder_missing_does_not_restamp_the_posts(tmp_path):
    proj = make(tmp_path / "proj")
    assert proj.run("publish").exit_code == 0
    before = stamps(proj)
    proj.write("config.yaml", PLAIN + "paths:\n  posts: postz\n")  # a typo: held
    res = proj.run("publish", now=LATER)
    assert res.exit_code == 1 and "postz" in res.output, res.output
    proj.write("config.yaml", PLAIN)  # put right
    res = proj.run("publish", now=LATER2)
    assert res.exit_code == 0, res.output
    assert stamps(proj) == before
