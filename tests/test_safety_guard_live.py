"""Live entries are never removed as a side effect (issue 12, round 2: N1, N2, N6, N8, N10, N12,
N13, N14, N16, N17): a feed losing every live entry, a catalog that has just adopted a site, a
moved feed or project, another site's folder, a file changed by hand, a killed run's leftovers.
Everything runs through the CLI against a local folder or moto's S3 server."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import podcastparser
import pytest

from conftest import BASE_CONFIG, BUCKET, NOW, Project, png_bytes, post, s3_config, sidecar, tone


def make(tmp_path: Path, name: str, files: dict, config: str = BASE_CONFIG) -> Project:
    proj = Project(tmp_path / name)
    proj.root.mkdir(parents=True)
    proj.write("config.yaml", config)
    proj.write("cover.png", png_bytes())
    for folder in ("posts", "episodes"):
        (proj.root / folder).mkdir()
    for rel, content in files.items():
        proj.write(rel, content)
    return proj


class Live:
    """The published site, read back from the folder or the bucket."""

    def __init__(self, proj: Project, client=None):
        self.proj, self.client = proj, client

    def get(self, key: str) -> bytes | None:
        if self.client is None:
            path = self.proj.public(key)
            return path.read_bytes() if path.is_file() else None
        try:
            return self.client.get_object(Bucket=BUCKET, Key=f"site/{key}")["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def guids(self, key: str = "feed.xml") -> dict[str, str]:
        return {e.id: e.title for e in feedparser.parse(self.get(key) or b"").entries}

    def episodes(self) -> list[str]:
        raw = self.get("podcast.xml")
        if raw is None:
            return []
        feed = podcastparser.parse("https://example.test/podcast.xml", io.BytesIO(raw))
        return sorted(e["title"] for e in feed["episodes"])


def lose_catalog(proj: Project) -> None:
    for f in (proj.root / ".syndicate").glob("catalog.db*"):
        f.unlink()


def errors_of(res) -> list[str]:
    return [ln for ln in res.output.splitlines() if ln.startswith("Error:")]


@pytest.fixture(params=["local", "s3"])
def where(request, tmp_path):
    """(config, client): a local folder, or a prefix in moto's bucket."""
    if request.param == "local":
        yield BASE_CONFIG, None
        return
    endpoint = request.getfixturevalue("s3_endpoint")
    client = request.getfixturevalue("bucket")
    yield s3_config(endpoint), client


def posts(n: int, start: int = 1, folder: str = "posts") -> dict[str, str]:
    return {f"{folder}/p{i}.md": post(f"P{i}", f"2026-10-{i:02}") for i in range(start, start + n)}


# -- N6: a feed that would keep none of its live entries is held, whatever it gains -------------

@pytest.mark.parametrize("live,new", [(1, 1), (3, 1), (2, 3)])
def test_feed_losing_every_live_entry_is_held_even_when_it_gains_others(tmp_path, live, new):
    proj = make(tmp_path, "proj", posts(live))
    assert proj.run("publish").exit_code == 0
    site = Live(proj)
    before = site.guids()
    assert len(before) == live
    for rel, text in posts(new, start=20, folder="other").items():
        proj.write(rel, text)
    proj.write("config.yaml", BASE_CONFIG + "paths:\n  posts: other\n")  # the wrong folder
    for _ in range(2):
        res = proj.run("publish")
        assert res.exit_code == 1, res.output
        errors = errors_of(res)
        assert len(errors) == 1, res.output
        # the folder changed since the last publish: held whatever is lost (G7); and every
        # live entry going at once (more than one) is held in any folder
        assert "paths.posts changed from 'posts' to 'other'" in errors[0], errors[0]
        assert ("keep none of the entries live now" in errors[0]) == (live > 1)
        assert "--force" in errors[0]
        assert all(repr(t) in errors[0] for t in list(before.values())[:5])
        assert site.guids() == before
        assert {g.removeprefix("urn:uuid:") for g in site.guids("atom.xml")} == set(before)
        assert all(proj.public(f"posts/p{i}/index.html").is_file() for i in range(1, live + 1))
    res = proj.run("publish", "--force")  # the change is meant
    assert res.exit_code == 0, res.output
    assert sorted(site.guids().values()) == sorted(f"P{i}" for i in range(20, 20 + new))


# -- N2: a catalog with no record of the site removes no live entry without --force -----------

def test_another_checkout_adopting_the_site_takes_no_live_entry_off(tmp_path, where):
    config, client = where
    files = {**posts(3), "episodes/001-a.mp3": tone(1.0), "episodes/001-a.yaml": sidecar("A"),
             "episodes/002-b.mp3": tone(1.0, freq=660),
             "episodes/002-b.yaml": sidecar("B", "2026-10-02 08:00")}
    first = make(tmp_path, "first", files, config)
    assert first.run("publish").exit_code == 0
    site = Live(first, client)
    blog, pod = site.guids(), site.episodes()
    if client is None:  # the second checkout publishes to the first one's folder
        config = config.replace("target: public", f"target: {first.root / 'public'}")
    # a second checkout (fresh catalog, same site.url) with one new post and one episode
    second = make(tmp_path, "second", {"posts/new.md": post("New", "2026-10-20"),
                                       "episodes/001-a.mp3": tone(1.0),
                                       "episodes/001-a.yaml": sidecar("A")}, config)
    res = second.run("publish")
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert "posts/new.md: held back" in res.output
    held = [e for e in errors_of(res) if "no record of publishing the site" in e]
    assert len(held) == 2, res.output  # one for each feed that would lose entries (G8)
    on_blog = next(e for e in held if "from feed.xml and atom.xml" in e)
    on_show = next(e for e in held if "from podcast.xml" in e)
    assert all(repr(t) in on_blog for t in ("P1", "P2", "P3")) and "'B'" not in on_blog
    assert "'B'" in on_show and "'P1'" not in on_show
    assert site.guids() == blog and site.episodes() == pod
    assert all(site.get(f"posts/p{i}/index.html") for i in (1, 2, 3))
    res = second.run("publish", "--force")
    assert res.exit_code == 0, res.output
    assert site.guids() == {} and site.episodes() == ["A"]  # (New is held: it may be queued)


# -- N1, N10: a lost catalog finds released items by the guids the live feeds show ------------

def test_lost_catalog_keeps_a_renamed_post_whose_front_matter_names_its_guid(tmp_path, where):
    config, client = where
    guid = "https://old.example.test/?p=118"
    proj = make(tmp_path, "proj", {**posts(2), "posts/2026-09-14-why.md":
                                   post("Why I blog", "2026-09-14 08:30", guid=f"'{guid}'")},
                config)
    assert proj.run("publish").exit_code == 0
    site = Live(proj, client)
    before = site.guids()
    assert before[guid] == "Why I blog"
    lose_catalog(proj)
    (proj.root / "posts/2026-09-14-why.md").rename(proj.root / "posts/2026-09-14-renamed.md")
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert "held back" not in res.output
    assert site.guids() == before
    status = proj.run("status")
    line = next(ln for ln in status.output.splitlines() if "Why I blog" in ln)
    assert "released" in line and "draft" not in line


def test_lost_catalog_keeps_released_items_dated_into_the_future(tmp_path, where):
    config, client = where
    proj = make(tmp_path, "proj", {**posts(3), "episodes/001-a.mp3": tone(1.0),
                                   "episodes/001-a.yaml": sidecar("A"),
                                   "episodes/002-b.mp3": tone(1.0, freq=660),
                                   "episodes/002-b.yaml": sidecar("B", "2026-10-02 08:00")},
                config)
    assert proj.run("publish").exit_code == 0
    site = Live(proj, client)
    blog, pod = site.guids(), site.episodes()
    proj.write("posts/p2.md", post("P2", "2027-10-02"))  # year typos
    proj.write("episodes/002-b.yaml", sidecar("B", "2027-10-02 08:00"))
    lose_catalog(proj)
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert "posts/p2.md:3: date" in res.output and "episodes/002-b.yaml:2: date" in res.output
    assert "stays published" in res.output
    assert site.guids() == blog and site.episodes() == pod
    again = proj.run("publish")  # and stays so
    assert again.exit_code == 0, again.output
    assert site.guids() == blog and site.episodes() == pod


# -- N8: the project moved: its folder is still its own -----------------------------------------

def test_moved_project_publishes_to_its_folder_without_force(tmp_path):
    proj = make(tmp_path, "proj", posts(2))
    assert proj.run("publish").exit_code == 0
    shutil.move(proj.root, tmp_path / "moved")
    moved = Project(tmp_path / "moved")
    moved.write("posts/new.md", post("New", "2026-10-20"))
    res = moved.run("publish")
    assert res.exit_code == 0, res.output
    assert "refusing" not in res.output
    assert sorted(Live(moved).guids().values()) == ["New", "P1", "P2"]
    # its records followed it: a deleted post's page is deleted, nothing else is rewritten
    (moved.root / "posts/p1.md").unlink()
    res = moved.run("publish")
    assert res.exit_code == 0, res.output
    assert not moved.public("posts/p1/index.html").exists()
    assert moved.run("publish").output.count("wrote 0 files") == 1


# -- N12: a folder another site publishes to is refused, named ---------------------------------

def test_folder_of_another_site_is_refused_naming_it(tmp_path):
    shared = tmp_path / "shared" / "site"
    config = BASE_CONFIG.replace("target: public", f"target: {shared}")
    a = make(tmp_path, "a", posts(2), config)
    b = make(tmp_path, "b", posts(1, start=5),
             config.replace("https://example.test/", "https://other.example.test/"))
    assert a.run("publish").exit_code == 0
    before = {p: p.read_bytes() for p in shared.rglob("*") if p.is_file()}
    for args in ((), ("--force",), ("--overwrite",)):
        res = b.run("publish", *args)
        assert res.exit_code == 1, res.output
        errors = errors_of(res)
        assert len(errors) == 1 and "another site (https://example.test/" in errors[0], res.output
        assert "restored from a backup" not in res.output and "safe" not in res.output
        assert {p: p.read_bytes() for p in shared.rglob("*") if p.is_file()} == before


# -- N13: a live file changed by hand, same size, is restored -----------------------------------

def test_live_file_changed_by_hand_to_the_same_size_is_restored(tmp_path):
    proj = make(tmp_path, "proj", {**posts(1), "episodes/001-a.mp3": tone(1.0),
                                   "episodes/001-a.yaml": sidecar("A")})
    assert proj.run("publish").exit_code == 0
    root = proj.root / "public"
    published = {p: p.read_bytes() for p in root.rglob("*")
                 if p.is_file() and ".syndicate" not in p.parts}
    mp3 = next(p for p in published if p.suffix == ".mp3")
    for path in (mp3, root / "index.html", root / "feed.xml"):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF  # one byte, the same size
        path.write_bytes(bytes(data))
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert "wrote 3 files" in res.output
    assert {p: p.read_bytes() for p in published} == published
    again = proj.run("publish")
    assert "wrote 0 files" in again.output


# -- N14: a feed moved in the config keeps its old file until --force ---------------------------

def test_moved_feed_paths_keep_the_old_live_feeds(tmp_path):
    proj = make(tmp_path, "proj", {**posts(2), "episodes/001-a.mp3": tone(1.0),
                                   "episodes/001-a.yaml": sidecar("A")})
    assert proj.run("publish").exit_code == 0
    site = Live(proj)
    old_pod, old_blog = site.get("podcast.xml"), site.get("feed.xml")
    proj.write("config.yaml", BASE_CONFIG.replace(
        "  explicit: false\n", "  explicit: false\n  feed_path: feeds/show.xml\n")
        + "blog:\n  rss_path: blog/rss.xml\n")
    res = proj.run("publish")
    assert res.exit_code == 1, res.output
    errors = errors_of(res)
    assert len(errors) == 2, res.output
    assert any("podcast.xml" in e and "subscribed" in e for e in errors)
    assert any("feed.xml" in e and "--force" in e for e in errors)
    assert site.get("podcast.xml") == old_pod and site.get("feed.xml") == old_blog
    res = proj.run("publish", "--force")
    assert res.exit_code == 0, res.output
    assert site.get("podcast.xml") is None and site.get("feed.xml") is None
    assert site.episodes() == [] and Live(proj).get("feeds/show.xml")


# -- N16: files a failed run wrote for an item that is not released are deleted -----------------

def test_failed_run_leftovers_of_an_item_taken_back_are_deleted(tmp_path):
    proj = make(tmp_path, "proj", {**posts(1), "episodes/001-a.mp3": tone(1.0),
                                   "episodes/001-a.yaml": sidecar("A")})
    assert proj.run("publish").exit_code == 0
    proj.write("episodes/002-secret.mp3", tone(1.5, freq=550))
    proj.write("episodes/002-secret.yaml", sidecar("Secret", "2026-10-05 08:00"))
    media_dir = proj.public("media")
    # the run is killed as soon as the new episode's audio has landed (media go up first)
    proc = subprocess.Popen([sys.executable, "-m", "syndicate", "publish", "--config",
                             str(proj.root / "config.yaml"), "--now", NOW], cwd=proj.root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if any(p.name.startswith("002-secret-") for p in media_dir.iterdir()):
                proc.kill()
                break
            time.sleep(0.001)
    finally:
        proc.kill()
        proc.wait()
    media = sorted(p.name for p in media_dir.iterdir())
    assert any(n.startswith("002-secret-") for n in media)  # the leftover
    proj.write("episodes/002-secret.yaml", sidecar("Secret", "2026-10-05 08:00", draft="true"))
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert not any(p.name.startswith("002-secret-") for p in proj.public("media").iterdir())
    left = proj.public("episodes/002-secret")
    assert not left.exists(), list(left.rglob("*"))
    assert Live(proj).episodes() == ["A"]


# -- N17: a source replaced by a folder is named ------------------------------------------------

def test_source_replaced_by_a_folder_is_named(tmp_path):
    proj = make(tmp_path, "proj", {**posts(2), "episodes/001-a.mp3": tone(1.0),
                                   "episodes/001-a.yaml": sidecar("A")})
    assert proj.run("publish").exit_code == 0
    blog, pod = Live(proj).guids(), Live(proj).episodes()
    for rel in ("posts/p1.md", "episodes/001-a.yaml"):
        (proj.root / rel).unlink()
        (proj.root / rel).mkdir()
    res = proj.run("publish")
    assert res.exit_code == 1, res.output
    errors = errors_of(res)
    assert any(e.startswith("Error: posts/p1.md: it is a folder") for e in errors), res.output
    assert any(e.startswith("Error: episodes/001-a.yaml: it is a folder") for e in errors)
    assert Live(proj).guids() == blog and Live(proj).episodes() == pod
