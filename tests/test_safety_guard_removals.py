"""H10: the removal guards in everyday use. Deleting most of a small blog on purpose is
confirmed by naming what goes (`publish --remove ITEM`), which lifts the guards for those items
only; `status` shows items a guard keeps live as held, with the reason, never as removed."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Project, png_bytes, post


def make(root: Path, n: int, config: str = BASE_CONFIG) -> Project:
    proj = Project(root)
    root.mkdir(parents=True)
    proj.write("config.yaml", config)
    proj.write("cover.png", png_bytes())
    (root / "episodes").mkdir()
    for i in range(1, n + 1):
        proj.write(f"posts/p{i}.md", post(f"Post {i}", f"2026-10-{i:02}"))
    return proj


def titles(proj: Project, key: str = "feed.xml") -> list[str]:
    return sorted(e.title for e in feedparser.parse(proj.read(key)).entries)


def errors_of(res) -> list[str]:
    return [ln for ln in res.output.splitlines() if ln.startswith("Error:")]


def told_to_run(error: str) -> list[str]:
    return shlex.split(error.split("run `syndicate ")[1].split("`")[0])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(live=st.integers(3, 6), data=st.data())
def test_removals_meant_are_confirmed_by_naming_them_and_nothing_else_goes(
        tmp_path_factory, live, data):
    gone = data.draw(st.lists(st.integers(1, live), min_size=2, max_size=live - 1, unique=True)
                     .filter(lambda g: 2 * len(g) > live), label="gone")
    ref = data.draw(st.sampled_from(["title", "file", "slug"]), label="ref")
    proj = make(tmp_path_factory.mktemp("rm") / "proj", live)
    assert proj.run("publish").exit_code == 0
    before = titles(proj)
    for i in gone:
        (proj.root / f"posts/p{i}.md").unlink()
    res = proj.run("publish")
    assert res.exit_code == 1, res.output
    [error] = errors_of(res)
    command = told_to_run(error)
    assert command[0] == "publish" and command[1::2] == ["--remove"] * len(gone)
    assert sorted(command[2::2]) == sorted(f"Post {i}" for i in gone)
    assert "--force" not in command and titles(proj) == before
    # a name that matches nothing confirms nothing, and says so; the feeds stay
    res = proj.run("publish", "--remove", "No such post")
    assert res.exit_code == 1 and "'No such post'" in res.output and titles(proj) == before
    # all but one named: the rest is still judged by the guards (a single file goes)
    names = {"title": lambda i: f"Post {i}", "file": lambda i: f"posts/p{i}.md",
             "slug": lambda i: f"p{i}"}[ref]
    args = [w for i in gone for w in ("--remove", names(i))]
    res = proj.run("publish", *args)
    assert res.exit_code == 0, res.output
    assert not errors_of(res)
    kept = sorted(f"Post {i}" for i in range(1, live + 1) if i not in gone)
    assert titles(proj) == titles(proj, "atom.xml") == kept
    for i in gone:
        assert not proj.public(f"posts/p{i}/index.html").exists()


def test_remove_lifts_no_other_guard(tmp_path):
    proj = make(tmp_path / "proj", 3)
    assert proj.run("publish").exit_code == 0
    feed = proj.read("feed.xml")
    for i in (1, 2):
        (proj.root / f"posts/p{i}.md").unlink()
    proj.write("config.yaml", BASE_CONFIG + "blog:\n  rss_path: blog.xml\n")  # the feed moves
    res = proj.run("publish", "--remove", "Post 1", "--remove", "Post 2")
    assert res.exit_code == 1, res.output
    [error] = errors_of(res)
    assert "feed.xml: this live feed is no longer made" in error
    assert proj.read("feed.xml") == feed  # the moved feed's guard stays on
    assert titles(proj, "blog.xml") == titles(proj, "atom.xml") == ["Post 3"]
    assert proj.run("publish", "--force").exit_code == 0
    assert not proj.public("feed.xml").exists()


def test_status_shows_items_a_guard_keeps_live_as_held_with_the_reason(tmp_path):
    proj = make(tmp_path / "proj", 3)
    assert proj.run("publish").exit_code == 0
    (proj.root / "content").mkdir()
    (proj.root / "posts/p3.md").rename(proj.root / "content/p3.md")
    proj.write("config.yaml", BASE_CONFIG + "paths:\n  posts: content\n")  # 1 of 3 moved
    res = proj.run("publish")
    assert res.exit_code == 1 and "Post 1" in res.output, res.output
    assert titles(proj) == ["Post 1", "Post 2", "Post 3"]
    rows = {r["title"]: r for r in json.loads(proj.run("status", "--json").output)}
    assert {t: r["state"] for t, r in rows.items()} == \
        {"Post 1": "held", "Post 2": "held", "Post 3": "released"}
    assert "still live" in rows["Post 1"]["reason"] and "--remove" in rows["Post 1"]["reason"]
    text = proj.run("status").output
    assert "removed" not in text and text.count("held: ") == 2, text
    # confirmed: they go, and status says removed
    assert proj.run("publish", "--remove", "Post 1", "--remove", "Post 2").exit_code == 0
    assert titles(proj) == ["Post 3"]
    rows = {r["title"]: r["state"] for r in json.loads(proj.run("status", "--json").output)}
    assert rows == {"Post 1": "removed", "Post 2": "removed", "Post 3": "released"}


def _page_titles(html: bytes, titles: list[str]) -> set[str]:
    text = html.decode()
    return {t for t in titles if t in text}


def test_pages_show_what_the_feeds_show_while_a_folder_change_is_held(tmp_path):
    """A post released while the episodes' folder change is held reaches the feeds and every
    page that lists posts (home, archive), and the held episodes stay listed there."""
    from conftest import sidecar, tone

    config = BASE_CONFIG + "audio:\n  process: false\n"
    proj = make(tmp_path / "proj", 2, config)
    for name in ("First light", "Tides", "Dawn"):
        slug = name.lower().replace(" ", "-")
        proj.write(f"episodes/{slug}.yaml", sidecar(name, audio=f"{slug}.mp3"))
        proj.write(f"episodes/{slug}.mp3", tone(0.4))
    assert proj.run("publish").exit_code == 0
    home_before = proj.read("index.html")
    (proj.root / "eps2").mkdir()
    for name in ("dawn.yaml", "dawn.mp3"):
        (proj.root / "episodes" / name).rename(proj.root / "eps2" / name)
    proj.write("config.yaml", config + "paths:\n  episodes: eps2\n")
    proj.write("posts/urgent.md", post("Urgent news", "2026-10-30"))
    res = proj.run("publish")
    assert res.exit_code == 1 and "'First light', 'Tides'" in res.output, res.output
    assert titles(proj) == titles(proj, "atom.xml") == ["Post 1", "Post 2", "Urgent news"]
    pod = sorted(e.title for e in feedparser.parse(proj.read("podcast.xml")).entries)
    assert pod == ["Dawn", "First light", "Tides"]
    everything = ["Urgent news", "Post 1", "Post 2", "First light", "Tides", "Dawn"]
    home = proj.read("index.html")
    assert home != home_before
    assert _page_titles(home, everything) == set(everything)
    archive = b"".join(p.read_bytes() for p in (proj.root / "public").rglob("*.html")
                       if "posts/" not in str(p.relative_to(proj.root / "public"))
                       and "episodes/" not in str(p.relative_to(proj.root / "public")))
    assert "Urgent news" in archive.decode()
    assert proj.public("posts/urgent/index.html").is_file()
    for slug in ("first-light", "tides", "dawn"):  # the held episodes' pages and audio stay
        assert proj.public(f"episodes/{slug}/index.html").is_file()
    for enclosure in feedparser.parse(proj.read("podcast.xml")).entries:
        key = enclosure.enclosures[0].href.removeprefix("https://example.test/")
        assert proj.public(key).is_file()
    sitemap = proj.read("sitemap.xml").decode()
    assert "posts/urgent/" in sitemap and "episodes/tides/" in sitemap


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(held=st.sampled_from(["posts", "episodes"]), live=st.integers(2, 4),
       data=st.data())
def test_while_one_kind_is_held_the_home_page_and_sitemap_list_exactly_the_feeds(
        tmp_path_factory, held, live, data):
    """Generated: one kind's folder changes (most of its items left behind: held) while the
    other kind releases new items; the home page lists exactly the feeds' entries (both kinds
    under the home page's ten), the sitemap has a page for each, and every page it names is
    there."""
    from conftest import sidecar, tone

    kept = data.draw(st.integers(0, live - 2), label="kept")  # at least two left behind
    fresh = data.draw(st.integers(1, 3), label="fresh")  # released by the other kind
    config = BASE_CONFIG + "audio:\n  process: false\n"
    proj = make(tmp_path_factory.mktemp("pg") / "proj", live if held == "posts" else 2, config)
    episodes = live if held == "episodes" else 2
    for i in range(1, episodes + 1):
        proj.write(f"episodes/e{i}.yaml", sidecar(f"Episode {i}", f"2026-09-{i:02} 08:00",
                                                  audio=f"e{i}.mp3"))
        proj.write(f"episodes/e{i}.mp3", tone(0.3, freq=300 + 40 * i))
    assert proj.run("publish").exit_code == 0
    (proj.root / "moved").mkdir()
    if held == "posts":
        for i in range(1, kept + 1):
            (proj.root / f"posts/p{i}.md").rename(proj.root / f"moved/p{i}.md")
        for i in range(1, fresh + 1):
            proj.write(f"episodes/f{i}.yaml", sidecar(f"Fresh {i}", f"2026-10-2{i} 08:00",
                                                      audio=f"f{i}.mp3"))
            proj.write(f"episodes/f{i}.mp3", tone(0.3, freq=900 + 40 * i))
    else:
        for i in range(1, kept + 1):
            for ext in ("yaml", "mp3"):
                (proj.root / f"episodes/e{i}.{ext}").rename(proj.root / f"moved/e{i}.{ext}")
        for i in range(1, fresh + 1):
            proj.write(f"posts/f{i}.md", post(f"Fresh {i}", f"2026-10-2{i}"))
    proj.write("config.yaml", config + f"paths:\n  {held}: moved\n")
    res = proj.run("publish")
    assert res.exit_code == 1 and "Traceback" not in res.output, res.output
    blog = titles(proj)
    pod = sorted(e.title for e in feedparser.parse(proj.read("podcast.xml")).entries)
    assert len(blog) + len(pod) == live + 2 + fresh  # nothing left out, everything released
    everything = [f"Post {i}" for i in range(1, 5)] + [f"Episode {i}" for i in range(1, 5)] \
        + [f"Fresh {i}" for i in range(1, 4)]
    assert _page_titles(proj.read("index.html"), everything) == set(blog + pod)
    sitemap = proj.read("sitemap.xml").decode()
    for e in [*feedparser.parse(proj.read("feed.xml")).entries,
              *feedparser.parse(proj.read("podcast.xml")).entries]:
        assert e.link in sitemap, e.link
        key = e.link.removeprefix("https://example.test/")
        assert proj.public(key + "index.html").is_file(), key


def test_the_remove_command_given_goes_through_for_renamed_items_past_max_deletes(tmp_path):
    """h18 Y5: items renamed once (a page and an old address leading to it each) taken down
    together: the `--remove` command the hold message gives must finish, their old addresses
    going with them, not stop at max_deletes forever with the feeds and pages out of step."""
    proj = make(tmp_path / "proj", 6, BASE_CONFIG + "max_deletes: 2\n")
    assert proj.run("publish").exit_code == 0
    for i in range(1, 7):  # each renamed once: its old address is a page leading to the new
        (proj.root / f"posts/p{i}.md").rename(proj.root / f"posts/p{i}-renamed.md")
    assert proj.run("publish").exit_code == 0
    assert proj.public("posts/p1/index.html").exists()
    gone = (1, 2, 3)
    for i in gone:
        (proj.root / f"posts/p{i}-renamed.md").unlink()
    held = proj.run("publish")
    assert held.exit_code == 1, held.output
    # h18 Y8: held items stay in every feed (feed.json too), so the hold is one error
    assert len(errors_of(held)) == 1, held.output
    assert sorted(e["title"] for e in __import__("json").loads(proj.read("feed.json"))["items"]) \
        == [f"Post {i}" for i in range(1, 7)]
    command = told_to_run(next(e for e in errors_of(held) if "--remove" in e))
    res = proj.run(*command)
    assert res.exit_code == 0, res.output
    assert titles(proj) == ["Post 4", "Post 5", "Post 6"]
    for i in gone:
        assert not proj.public(f"posts/p{i}-renamed/index.html").exists()
        assert not proj.public(f"posts/p{i}/index.html").exists()
    assert proj.public("posts/p4/index.html").exists()  # the others' old addresses stay
    assert proj.run("publish").exit_code == 0
