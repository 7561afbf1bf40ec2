"""The steps after a publish (ping the WebSub hubs, then Podcast Index) run once, from one place,
for ``publish``, ``release-due`` and the scheduler alike: each feed a publish changed is pinged
exactly once; a publish that changed no feed, a dry run and a preview ping nothing.

The known answer is read off the published folder: the feeds whose bytes a publish changed.
A local HTTP server on 127.0.0.1 stands in for the hub and the pubnotify endpoint.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, NOW_DT, Project, Recorder, png_bytes, post, sidecar, tone
from syndicate.config import load_config
from syndicate.publish import publish
from syndicate.publish.local import PreviewTarget
from syndicate.runner import Runner

SITE = "https://example.test/"
FEEDS = ("feed.xml", "atom.xml", "podcast.xml")


def _config(rec: Recorder) -> str:
    return BASE_CONFIG + ("audio:\n  process: false\n"
                          f"notify:\n  websub_hubs: [{rec.url}/hub]\n"
                          f"  pubnotify: {rec.url}/pubnotify\n  timeout: 10\n")


def _pings(rec: Recorder) -> tuple[list[str], list[str]]:
    """(feeds told to the hub, feeds told to pubnotify), in the order they came."""
    hub, index = [], []
    for method, path, body in rec.requests:
        parts = urlsplit(path)
        if parts.path == "/hub":
            assert method == "POST" and parse_qs(body.decode())["hub.mode"] == ["publish"]
            hub += parse_qs(body.decode())["hub.url"]
        elif parts.path == "/pubnotify":
            assert method == "GET"
            index += parse_qs(parts.query)["url"]
        else:
            raise AssertionError(f"unexpected request {method} {path}")
    return hub, index


def _feeds(proj: Project) -> dict[str, bytes | None]:
    return {k: proj.public(k).read_bytes() if proj.public(k).exists() else None for k in FEEDS}


def _changed(before: dict, after: dict) -> list[str]:
    return [SITE + k for k in FEEDS if before[k] != after[k]]


def _check_step(proj: Project, rec: Recorder, *args: str, **run) -> list[str]:
    """Run one command; the pings it made must be exactly the feeds it changed, once each,
    WebSub before Podcast Index. Returns the changed feeds."""
    rec.requests.clear()
    before = _feeds(proj)
    result = proj.run(*args, **run)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    changed = _changed(before, _feeds(proj))
    hub, index = _pings(rec)
    assert hub == changed, (args, result.output)  # once each, in the config's order
    assert index == ([SITE + "podcast.xml"] if SITE + "podcast.xml" in changed else [])
    if hub and index:  # one ordered list: the hubs first, then Podcast Index
        paths = [urlsplit(p).path for _, p, _ in rec.requests]
        assert paths.index("/pubnotify") > max(i for i, p in enumerate(paths) if p == "/hub")
    return changed


@pytest.fixture(scope="module")
def recorder_m():
    rec = Recorder()
    yield rec
    rec.close()


# what an author may do between two publishes
_edits = st.sampled_from(["nothing", "edit post", "new post", "remove post", "new episode",
                          "retitle episode", "edit config"])


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(_edits, st.booleans()), min_size=2, max_size=5))
def test_each_changed_feed_is_pinged_once_and_nothing_else(tmp_path_factory, recorder_m,
                                                           steps):
    proj = Project(tmp_path_factory.mktemp("pings"))
    proj.write("config.yaml", _config(recorder_m))
    proj.write("cover.png", png_bytes())
    proj.write("posts/base.md", post("Base post"))
    proj.write("episodes/one.yaml", sidecar("One"))
    proj.write("episodes/one.mp3", tone(1.0))
    first = _check_step(proj, recorder_m, "publish")
    assert first == [SITE + k for k in FEEDS]  # a new site: every feed is new
    for n, (edit, dry) in enumerate(steps, 1):
        if edit == "edit post":
            proj.write("posts/base.md", post("Base post", body=f"Edited {n}."))
        elif edit == "new post":
            proj.write(f"posts/p{n}.md", post(f"Post {n}", date="2026-10-02"))
        elif edit == "remove post":
            extra = sorted(proj.root.glob("posts/p*.md"))
            if extra:
                extra[0].unlink()
        elif edit == "new episode":
            proj.write(f"episodes/e{n}.yaml", sidecar(f"Episode {n}", date="2026-10-03 08:00"))
            proj.write(f"episodes/e{n}.mp3", tone(1.0, freq=300 + 10 * n))
        elif edit == "retitle episode":
            proj.write("episodes/one.yaml", sidecar(f"One, take {n}"))
        elif edit == "edit config":  # the site's description: every feed changes
            text = (proj.root / "config.yaml").read_text()
            proj.write("config.yaml", text.replace("description: A site for tests.",
                                                   f"description: A site, version {n}."))
        if dry:
            before = _feeds(proj)
            assert _check_step(proj, recorder_m, "publish", "--dry-run") == []
            assert _feeds(proj) == before
        _check_step(proj, recorder_m, "publish")
    assert _check_step(proj, recorder_m, "publish") == []  # nothing changed: nobody told


def test_release_due_pings_once_and_a_second_pass_not_at_all(make_project, recorder):
    proj = make_project({"posts/old.md": post("Old post", date="2026-10-01"),
                         "posts/later.md": post("Later", date="2026-11-01 12:30")},
                        config=_config(recorder))
    assert _check_step(proj, recorder, "publish") == [SITE + k for k in FEEDS]  # all new
    changed = _check_step(proj, recorder, "release-due", now="2026-11-01T12:31:00+00:00")
    assert changed == [SITE + "feed.xml", SITE + "atom.xml"]
    assert b"Later" in proj.read("feed.xml")
    assert _check_step(proj, recorder, "release-due", now="2026-11-01T12:32:00+00:00") == []


def test_the_scheduler_pings_once_per_release(make_project, recorder):
    proj = make_project({"posts/old.md": post("Old post", date="2026-10-01"),
                         "episodes/one.yaml": sidecar("One", date="2026-11-01 12:30"),
                         "episodes/one.mp3": tone(1.0)}, config=_config(recorder))
    assert proj.run("publish").exit_code == 0
    recorder.requests.clear()
    before = _feeds(proj)

    class Clock:
        now = NOW_DT + dt.timedelta(minutes=31)

        def __call__(self):
            return self.now

    clock = Clock()
    runner = Runner(load_config(proj.root / "config.yaml"), clock=clock, blocking=False)
    runner.release()
    assert runner.releases == 1
    assert _pings(recorder) == ([SITE + "podcast.xml"], [SITE + "podcast.xml"])
    assert _changed(before, _feeds(proj)) == [SITE + "podcast.xml"]
    recorder.requests.clear()
    clock.now += dt.timedelta(minutes=1)
    runner.release()  # woken again: nothing due, nothing published, nobody told
    assert recorder.requests == []


def _published_state(path) -> tuple:
    con = sqlite3.connect(path)
    try:
        return (con.execute("SELECT * FROM outputs ORDER BY target, key").fetchall(),
                con.execute("SELECT guid, published_at FROM items WHERE published_at IS NOT NULL "
                            "ORDER BY guid").fetchall(),
                # (an item's earlier contents are what collect read, as the items' rows are)
                con.execute("SELECT key, value FROM meta WHERE key != 'created_at' "
                            "AND key NOT LIKE 'superseded:%' ORDER BY key").fetchall())
    finally:
        con.close()


def _tree(folder) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_preview_records_nothing_pings_nobody_and_rebuilds_only_what_changed(
        make_project, recorder, tmp_path):
    proj = make_project({"posts/a.md": post("First"), "posts/b.md": post("Second"),
                         "episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                        config=_config(recorder) + "blog:\n  atom_path: feeds/blog-atom.xml\n")
    assert proj.run("publish").exit_code == 0
    recorder.requests.clear()
    live = _tree(proj.root / "public")
    real = load_config(proj.root / "config.yaml")
    state = _published_state(real.catalog_path)
    here = "http://127.0.0.1:8123/"
    derived = dataclasses.replace(real, config=real.config.model_copy(update={
        "site": real.config.site.model_copy(update={"url": here})}))
    folder = tmp_path / "preview"
    target = PreviewTarget(folder, site_url=here)
    proj.write("posts/c.md", post("Third, not yet published"))
    result = publish(derived, now=NOW_DT, target=target)
    assert result.ok, result.errors
    assert b"Third, not yet published" in (folder / "feed.xml").read_bytes()
    assert here.encode() in (folder / "index.html").read_bytes()
    assert not (folder / ".syndicate").exists()  # no records beside the files
    assert target.served_as("feeds/blog-atom.xml") == (
        "application/atom+xml; charset=utf-8", "public, max-age=300")
    assert target.served_as("nope.html") is None
    assert recorder.requests == [] and result.released == [] and result.changed_feeds == []
    assert _published_state(real.catalog_path) == state  # the catalog's published state
    assert _tree(proj.root / "public") == live  # the real target
    # built again after one post changed: only what shows that post is written (its page, its
    # neighbour's, whose "newer" link names it, the posts archive, the home page, the feeds)
    proj.write("posts/a.md", post("First, edited"))
    again = publish(derived, now=NOW_DT, target=target)
    assert sorted(w.output.key for w in again.plan.writes) == [
        "feed.json", "feed.xml", "feeds/blog-atom.xml", "index.html", "posts/a/index.html",
        "posts/b/index.html", "posts/index.html"]
    assert b"First, edited" in (folder / "posts/a/index.html").read_bytes()
    assert recorder.requests == [] and _published_state(real.catalog_path) == state
