"""Live entries lost to a changed source folder, a feed replaced at once, and messages that name
the right feed (issue 12, round 4: G7, G4, G8). Everything runs through the CLI against a local
folder; the feeds are read back with feedparser and podcastparser."""

from __future__ import annotations

import io
import os
from pathlib import Path

import feedparser
import podcastparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Project, png_bytes, post, sidecar, tone


def make(root: Path, files: dict, config: str = BASE_CONFIG) -> Project:
    proj = Project(root)
    proj.root.mkdir(parents=True)
    proj.write("config.yaml", config)
    proj.write("cover.png", png_bytes())
    for folder in ("posts", "episodes"):
        (proj.root / folder).mkdir(exist_ok=True)
    for rel, content in files.items():
        proj.write(rel, content)
    return proj


def titles(proj: Project, key: str = "feed.xml") -> list[str]:
    path = proj.public(key)
    if not path.is_file():
        return []
    return sorted(e.title for e in feedparser.parse(path.read_bytes()).entries)


def episodes(proj: Project) -> list[str]:
    path = proj.public("podcast.xml")
    feed = podcastparser.parse("https://example.test/podcast.xml", io.BytesIO(path.read_bytes()))
    return sorted(e["title"] for e in feed["episodes"])


def errors_of(res) -> list[str]:
    return [ln for ln in res.output.splitlines() if ln.startswith("Error:")]


def with_paths(**paths: str) -> str:
    return BASE_CONFIG + "paths:\n" + "".join(f"  {k}: {v}\n" for k, v in paths.items())


# -- G7: a source folder changed since the last publish ------------------------------------------

@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(live=st.integers(2, 5), data=st.data())
def test_a_posts_folder_changed_since_the_last_publish_holds_the_entries_it_lacks(
        tmp_path_factory, live, data):
    kept = data.draw(st.integers(1, live - 1), label="kept")  # at least one survives
    new = data.draw(st.integers(0, 2), label="new")
    proj = make(tmp_path_factory.mktemp("g7") / "proj",
                {f"posts/p{i}.md": post(f"P{i}", f"2026-10-{i:02}") for i in range(1, live + 1)})
    assert proj.run("publish").exit_code == 0
    before = {k: proj.read(k) for k in ("feed.xml", "atom.xml", "index.html")}
    for i in range(1, kept + 1):  # the new folder holds some of the live posts, and new ones
        proj.write(f"posts2/p{i}.md", post(f"P{i}", f"2026-10-{i:02}"))
    for i in range(20, 20 + new):
        proj.write(f"posts2/n{i}.md", post(f"N{i}", f"2026-10-{i:02}"))
    proj.write("config.yaml", with_paths(posts="posts2"))
    lacking = [f"P{i}" for i in range(kept + 1, live + 1)]
    for _ in range(2):  # held, and again on the next run
        res = proj.run("publish")
        assert res.exit_code == 1, res.output
        assert "Traceback" not in res.output
        errors = errors_of(res)
        assert len(errors) == 1, res.output
        assert "paths.posts changed from 'posts' to 'posts2' since the last publish" in errors[0]
        assert all(repr(t) in errors[0] for t in lacking), errors[0]
        assert "move them" in errors[0] and "`syndicate publish --remove " in errors[0]
        assert {k: proj.read(k) for k in before} == before
        assert all(proj.public(f"posts/p{i}/index.html").is_file() for i in range(1, live + 1))
    # moving the lacking posts into the new folder publishes everything, nothing lost
    for i in range(kept + 1, live + 1):
        os.replace(proj.root / f"posts/p{i}.md", proj.root / f"posts2/p{i}.md")
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    want = sorted([f"P{i}" for i in range(1, live + 1)] + [f"N{i}" for i in range(20, 20 + new)])
    assert titles(proj) == titles(proj, "atom.xml") == want
    # the new folder is now the recorded one: deleting one post file removes it, no question
    (proj.root / "posts2/p1.md").unlink()
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert titles(proj) == [t for t in want if t != "P1"]


def test_an_episodes_folder_changed_since_the_last_publish_holds_its_episodes_and_audio(tmp_path):
    files = {}
    for n, (slug, title, freq) in enumerate((("000-trailer", "Trailer", 440),
                                             ("001-first", "First light", 550),
                                             ("002-tides", "Tides", 660))):
        files[f"episodes/{slug}.mp3"] = tone(1.0, freq=freq)
        files[f"episodes/{slug}.yaml"] = sidecar(title, f"2026-10-0{n + 1} 08:00")
    proj = make(tmp_path / "proj", files)
    assert proj.run("publish").exit_code == 0
    media = sorted(p.name for p in proj.public("media").iterdir())
    before = proj.read("podcast.xml")
    proj.write("eps2/000-trailer.mp3", files["episodes/000-trailer.mp3"])
    proj.write("eps2/000-trailer.yaml", files["episodes/000-trailer.yaml"])
    proj.write("config.yaml", with_paths(episodes="eps2"))
    res = proj.run("publish")
    assert res.exit_code == 1, res.output
    errors = errors_of(res)
    assert len(errors) == 1, res.output
    assert errors[0].startswith(f"Error: {proj.public('podcast.xml')}:"), errors[0]
    assert ("paths.episodes changed from 'episodes' to 'eps2' since the last publish: 2 live "
            "episodes ('First light', 'Tides') are not in the new folder") in errors[0]
    assert proj.read("podcast.xml") == before
    assert sorted(p.name for p in proj.public("media").iterdir()) == media
    res = proj.run("publish", "--force")  # the removal is meant
    assert res.exit_code == 0, res.output
    assert episodes(proj) == ["Trailer"]
    assert proj.run("publish").exit_code == 0  # and the new folder is the recorded one


@pytest.mark.parametrize("spelling", ["./posts", "posts/", "{root}/posts"])
def test_another_spelling_of_the_same_folder_is_no_change(tmp_path, spelling):
    proj = make(tmp_path / "proj", {f"posts/p{i}.md": post(f"P{i}", f"2026-10-0{i}")
                                    for i in (1, 2, 3)})
    assert proj.run("publish").exit_code == 0
    proj.write("config.yaml", with_paths(posts=spelling.format(root=proj.root)))
    (proj.root / "posts/p3.md").unlink()  # and one post deleted on purpose
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert titles(proj) == ["P1", "P2"]


def test_a_linked_source_folder_pointed_elsewhere_is_a_folder_change(tmp_path):
    proj = make(tmp_path / "proj", {f"a/p{i}.md": post(f"P{i}", f"2026-10-0{i}")
                                    for i in (1, 2, 3)})
    (proj.root / "posts").rmdir()
    (proj.root / "posts").symlink_to("a")
    assert proj.run("publish").exit_code == 0
    proj.write("b/p1.md", post("P1", "2026-10-01"))
    (proj.root / "posts").unlink()
    (proj.root / "posts").symlink_to("b")  # config.yaml unchanged
    res = proj.run("publish")
    assert res.exit_code == 1, res.output
    errors = errors_of(res)
    assert len(errors) == 1, res.output
    assert "paths.posts ('posts') leads to 'b' now, not 'a' as at the last publish" in errors[0]
    assert "'P2'" in errors[0] and "'P3'" in errors[0]
    assert titles(proj) == ["P1", "P2", "P3"]


# -- G4: the last live post replaced by a new one ------------------------------------------------

def test_the_last_live_post_replaced_by_a_new_one_is_released(tmp_path):
    proj = make(tmp_path / "proj", {"posts/old.md": post("Placeholder", "2026-10-01")})
    assert proj.run("publish").exit_code == 0
    (proj.root / "posts/old.md").unlink()
    res = proj.run("publish")  # the feed would be left empty: held, saying what to run
    assert res.exit_code == 1, res.output
    assert "run `syndicate publish --remove Placeholder`" in errors_of(res)[0]
    assert titles(proj) == ["Placeholder"]
    proj.write("posts/now.md", post("Now", "2026-11-28"))
    assert proj.run("queue", "posts/now.md", "--at", "now").exit_code == 0
    res = proj.run("release-due")
    assert res.exit_code == 0, res.output
    assert titles(proj) == titles(proj, "atom.xml") == ["Now"]
    assert not proj.public("posts/old/index.html").exists()


def test_a_whole_feed_replaced_on_disk_by_new_posts_is_held(tmp_path):
    proj = make(tmp_path / "proj", {f"posts/p{i}.md": post(f"P{i}", f"2026-10-0{i}")
                                    for i in (1, 2)})
    assert proj.run("publish").exit_code == 0
    for i in (1, 2):
        (proj.root / f"posts/p{i}.md").unlink()
    proj.write("posts/new.md", post("New", "2026-10-20"))
    res = proj.run("publish")
    assert res.exit_code == 1, res.output
    errors = errors_of(res)
    assert len(errors) == 1 and "would keep none of the entries live now" in errors[0]
    assert titles(proj) == ["P1", "P2"]
    res = proj.run("publish", "--force")
    assert res.exit_code == 0, res.output
    assert titles(proj) == ["New"]


# -- G8: the message names the feed that holds the entry ------------------------------------------

def test_the_held_entries_message_names_the_feed_that_holds_them(tmp_path):
    proj = make(tmp_path / "proj", {"posts/p1.md": post("P1", "2026-10-01"),
                                    "episodes/001-a.mp3": tone(1.0),
                                    "episodes/001-a.yaml": sidecar("Tides")})
    assert proj.run("publish").exit_code == 0
    for f in (proj.root / ".syndicate").glob("catalog.db*"):
        f.unlink()  # a lost catalog, and a renamed, retitled episode and post
    os.replace(proj.root / "episodes/001-a.mp3", proj.root / "episodes/001-b.mp3")
    (proj.root / "episodes/001-a.yaml").unlink()
    proj.write("episodes/001-b.yaml", sidecar("Tides renamed"))
    (proj.root / "posts/p1.md").unlink()
    proj.write("posts/p2.md", post("P1 renamed", "2026-10-01"))
    res = proj.run("publish")
    assert res.exit_code == 1, res.output
    errors = errors_of(res)
    pod = [e for e in errors if "'Tides'" in e]
    blog = [e for e in errors if "'P1'" in e]
    assert len(pod) == 1 and len(blog) == 1, res.output
    assert pod[0].startswith(f"Error: {proj.public('podcast.xml')}:") and "feed.xml" not in pod[0]
    assert "from podcast.xml" in pod[0]
    assert blog[0].startswith(f"Error: {proj.public('feed.xml')}:") and "podcast.xml" not in blog[0]
    assert "from feed.xml and atom.xml" in blog[0]
    assert titles(proj) == ["P1"] and episodes(proj) == ["Tides"]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(live=st.integers(2, 6), data=st.data())
def test_most_of_a_feed_gone_at_once_is_held_but_one_file_at_a_time_goes(
        tmp_path_factory, live, data):
    gone = data.draw(st.integers(1, live - 1), label="gone")  # the folder keeps some
    proj = make(tmp_path_factory.mktemp("most") / "proj",
                {f"posts/p{i}.md": post(f"P{i}", f"2026-10-{i:02}") for i in range(1, live + 1)})
    assert proj.run("publish").exit_code == 0
    before = titles(proj)
    for i in range(1, gone + 1):  # e.g. the folder replaced on disk by one holding fewer
        (proj.root / f"posts/p{i}.md").unlink()
    res = proj.run("publish")
    assert "Traceback" not in res.output
    if gone > 1 and 2 * gone > live:
        assert res.exit_code == 1, res.output
        errors = errors_of(res)
        assert len(errors) == 1, res.output
        assert f"more than half of the live entries would go at once ({gone} of {live})" \
            in errors[0]
        command = errors[0].split("run `syndicate ")[1].split("`")[0]  # what it says to run
        assert command.split() == ["publish", *(w for i in range(1, gone + 1)
                                                for w in ("--remove", f"P{i}"))]
        assert titles(proj) == before
        assert proj.run(*command.split()).exit_code == 0
    else:
        assert res.exit_code == 0, res.output
    assert titles(proj) == titles(proj, "atom.xml") == before[gone:]


def test_a_release_held_by_the_guard_says_what_to_run(tmp_path):
    proj = make(tmp_path / "proj", {f"posts/p{i}.md": post(f"P{i}", f"2026-10-0{i}")
                                    for i in (1, 2, 3)})
    assert proj.run("publish").exit_code == 0
    for i in (1, 2):
        (proj.root / f"posts/p{i}.md").unlink()
    # an error of its own (a sidecar: a post file that fails would be taken as maybe P1 or P2
    # renamed, and their removal held for that reason instead)
    proj.write("episodes/a-bad.yaml", "title: [unclosed\n")
    proj.write("posts/now.md", post("Now", "2026-11-28"))
    assert proj.run("queue", "posts/now.md", "--at", "now").exit_code == 0
    res = proj.run("release-due")
    assert res.exit_code == 1, res.output
    failed = [ln for ln in res.output.splitlines() if ln.startswith("Error: release failed")]
    assert len(failed) == 1, res.output
    assert "posts/now.md did not reach the feeds" in failed[0]
    assert "more than half of the live entries would go at once (2 of 3)" in failed[0]
    assert "`syndicate publish --remove P1 --remove P2`" in failed[0]
    assert titles(proj) == ["P1", "P2", "P3"]
