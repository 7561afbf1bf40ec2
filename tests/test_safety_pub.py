"""Publishing never loses what is live and leaves a site another user can serve (issue 12, the
publish side): failing config assets keep their last version, published files get the usual
modes, targets and state never overlap the sources, a dry run changes nothing, the media cache
holds only what is needed, and mass removals of items are held back with their feed entries."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import feedparser
import lxml.html
import podcastparser
import pytest

from conftest import BASE_CONFIG, Project, png_bytes, post, sidecar, tone

NOBODY = 65534


@pytest.fixture
def open_project():
    """A project in a folder every user may traverse (pytest's own tmp folder is private to
    root), so that a process running as another user can read what is published."""
    base = Path(tempfile.mkdtemp(prefix="syndicate-open-", dir="/tmp"))
    base.chmod(0o755)

    def make(files: dict | None = None, config: str = BASE_CONFIG) -> Project:
        proj = Project(base / "proj")
        proj.root.mkdir()
        proj.root.chmod(0o755)
        proj.write("config.yaml", config)
        proj.write("cover.png", png_bytes())
        (proj.root / "posts").mkdir()
        (proj.root / "episodes").mkdir()
        for rel, content in (files or {}).items():
            proj.write(rel, content)
        return proj

    yield make
    shutil.rmtree(base, ignore_errors=True)


def read_as(path: Path, uid: int = NOBODY, gid: int = NOBODY) -> subprocess.CompletedProcess:
    """Read a file as another user, as a web server running as that user would."""
    def drop() -> None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)

    return subprocess.run(["cat", str(path)], capture_output=True, preexec_fn=drop, timeout=30)


def pod_episodes(raw: bytes) -> list[dict]:
    return podcastparser.parse("https://example.test/podcast.xml", io.BytesIO(raw))["episodes"]


def site_files(proj: Project) -> dict[str, bytes]:
    root = proj.root / "public"
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# -- 2. published files are readable by the web server ------------------------------------------
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")


def _publish_under_umask(proj: Project, mask: int):
    old = os.umask(mask)
    try:
        return proj.run("publish")
    finally:
        os.umask(old)


@needs_root
def test_published_site_is_readable_by_another_user(open_project):
    proj = open_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0)})
    result = _publish_under_umask(proj, 0o022)
    assert result.exit_code == 0, result.output
    public = proj.root / "public"
    files = [p for p in public.rglob("*") if p.is_file()]
    assert any(p.suffix == ".mp3" for p in files) and (public / "podcast.xml") in files
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p
        seen = read_as(p)
        assert seen.returncode == 0, (p, seen.stderr)
        assert seen.stdout == p.read_bytes()
    for d in [public, *(p for p in public.rglob("*") if p.is_dir())]:
        assert stat.S_IMODE(d.stat().st_mode) == 0o755, d
    assert not feedparser.parse(read_as(public / "feed.xml").stdout).bozo
    assert [e["title"] for e in pod_episodes(read_as(public / "podcast.xml").stdout)] == ["One"]


@needs_root
def test_published_modes_ignore_a_restrictive_umask(open_project):
    """Published files are 0644 and new folders 0755 whatever the umask (cron, systemd,
    hardened shells run with 077): the web server is another user. A live file made private by
    hand is put back to 0644 by the next publish."""
    proj = open_project({"posts/a.md": post("A")})
    result = _publish_under_umask(proj, 0o077)
    assert result.exit_code == 0, result.output
    public = proj.root / "public"
    feed = public / "feed.xml"
    page = public / "posts/a/index.html"
    for p in (feed, page, public / ".syndicate/state.json"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p
    for d in (public, page.parent, page.parent.parent):
        assert stat.S_IMODE(d.stat().st_mode) == 0o755, d
    assert read_as(feed).stdout == feed.read_bytes()
    # a file rewritten under umask 077 stays readable by others
    proj.write("posts/a.md", post("A, edited"))
    assert _publish_under_umask(proj, 0o077).exit_code == 0
    assert b"A, edited" in page.read_bytes()
    for p in (feed, page):
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p
        assert read_as(p).returncode == 0, p
    # a live file made private by hand is restored
    feed.chmod(0o600)
    again = _publish_under_umask(proj, 0o077)
    assert again.exit_code == 0, again.output
    assert stat.S_IMODE(feed.stat().st_mode) == 0o644
    assert read_as(feed).stdout == feed.read_bytes()


# -- 1. a config asset that fails keeps its last published version ------------------------------
def _cover_key(raw: bytes) -> str:
    from lxml import etree

    href = etree.fromstring(raw).find(
        "channel/{http://www.itunes.com/dtds/podcast-1.0.dtd}image").get("href")
    return href.removeprefix("https://example.test/")


def _break_cover(proj: Project, how: str) -> None:
    cover = proj.root / "cover.png"
    cover.unlink()
    if how == "garbage":
        cover.write_bytes(b"this is not an image\x00\xff" * 50)
    elif how == "folder":
        cover.mkdir()
    elif how == "fifo":
        os.mkfifo(cover)
    elif how == "dangling":
        cover.symlink_to(proj.root / "nowhere.png")


@pytest.mark.parametrize("how", ["missing", "garbage", "folder", "fifo", "dangling"])
def test_failing_cover_keeps_the_podcast_feed_and_cover(make_project, how):
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0)})
    assert proj.run("publish").exit_code == 0
    before = site_files(proj)
    feed = before["podcast.xml"]
    _break_cover(proj, how)
    proj.write("posts/b.md", post("B"))  # waits: the pages that would list it keep theirs
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Error: cover.png: podcast.image 'cover.png': " in result.output
    assert "keep their last published version" in result.output
    assert "Traceback" not in result.output
    after = site_files(proj)
    assert after["podcast.xml"] == feed
    assert after[_cover_key(feed)] == before[_cover_key(feed)]
    assert [e["title"] for e in pod_episodes(feed)] == ["One"]
    for ep in pod_episodes(after["podcast.xml"]):
        (enc,) = ep["enclosures"]
        assert len(after[enc["url"].removeprefix("https://example.test/")]) == enc["file_size"]
    assert "B" not in [e.title for e in feedparser.parse(after["feed.xml"]).entries]
    assert after["feed.xml"] == before["feed.xml"] and "posts/b/index.html" not in after
    assert "new posts and episodes wait" in result.output
    # and once the cover is good again, the feed moves on
    cover = proj.root / "cover.png"
    if cover.is_dir() and not cover.is_symlink():
        cover.rmdir()
    else:
        cover.unlink(missing_ok=True)
    proj.write("cover.png", png_bytes(1400, 1400, rgb=(1, 2, 3)))
    proj.write("episodes/two.yaml", sidecar("Two", date="2026-10-02 08:00"))
    proj.write("episodes/two.mp3", tone(1.5))
    fixed = proj.run("publish")
    assert fixed.exit_code == 0, fixed.output
    final = site_files(proj)
    assert [e["title"] for e in pod_episodes(final["podcast.xml"])] == ["Two", "One"]
    assert "B" in [e.title for e in feedparser.parse(final["feed.xml"]).entries]
    assert _cover_key(final["podcast.xml"]) in final
    # the old cover is no longer referenced, but stays for the grace period (cached feeds and
    # link previews of the pages point at it: test_publish_media_grace.py)
    assert final[_cover_key(feed)] == before[_cover_key(feed)]


def without_read_override(cmd: list[str]) -> list[str]:
    """Run as root but without the capabilities that let root read any file."""
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", *cmd]


def cli(proj: Project, *args: str, unprivileged: bool = False) -> subprocess.CompletedProcess:
    """The CLI in a process of its own."""
    cmd = [sys.executable, "-m", "syndicate", *args, "--config", str(proj.root / "config.yaml"),
           "--now", "2026-11-01T12:00:00+00:00"]
    if unprivileged:
        cmd = without_read_override(cmd)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


needs_setpriv = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                                   reason="needs root and setpriv to drop the read override")


@needs_setpriv
def test_unreadable_cover_keeps_the_podcast_feed_and_cover(make_project):
    """chmod 000 on the cover, publishing without root's read override."""
    proj = make_project({"posts/a.md": post("A")})
    assert proj.run("publish").exit_code == 0
    feed = proj.read("podcast.xml")
    (proj.root / "cover.png").chmod(0)
    result = cli(proj, "publish", unprivileged=True)
    assert result.returncode == 1
    assert "Error: cover.png: podcast.image 'cover.png': cannot be read " \
           "(Permission denied)" in result.stderr
    assert "Traceback" not in result.stderr
    assert proj.read("podcast.xml") == feed
    assert proj.read(_cover_key(feed)) == png_bytes()


# -- 3. the target, the state and the catalog never overlap the sources -------------------------
def _config(**top) -> str:
    text = BASE_CONFIG
    for key, value in top.items():
        if key == "target":
            text = text.replace("target: public", f"target: '{value}'")
        else:
            text += f"{key}\n" if value is None else f"{key}: '{value}'\n"
    return text


@pytest.mark.parametrize(("config", "key", "words"), [
    (_config(target="posts/site"), "target", "is inside paths.posts"),
    (_config(target="episodes/site"), "target", "is inside paths.episodes"),
    (_config(target="posts"), "target", "is paths.posts"),
    (_config(target="."), "target", "holds the whole project"),
    (_config(target=".."), "target", "holds the whole project"),
    (_config(target=".syndicate/site"), "target", "is inside paths.state"),
    (_config(target="site") + "paths:\n  posts: site/posts\n", "target", "holds paths.posts"),
    (_config(target="site") + "paths:\n  state: site/.state\n", "target", "holds paths.state"),
    (_config(target="site", catalog="site/catalog.db"), "target", "holds the catalog"),
    (_config() + "paths:\n  state: posts/.syndicate\n", "paths.state", "overlaps paths.posts"),
    (_config() + "paths:\n  state: episodes\n", "paths.state", "overlaps paths.episodes"),
    (_config() + "paths:\n  state: public\n", "target", "is paths.state"),
    (_config(catalog="posts/catalog.db"), "catalog", "is inside paths.posts"),
    (_config() + "paths:\n  posts: episodes\n", "paths.posts", "is 'paths.episodes'"),  # h25 L1
    (_config() + "paths:\n  episodes: posts/audio\n", "paths.posts", "overlaps 'paths.episodes'"),
])
def test_overlapping_folders_are_refused_naming_the_key(make_project, config, key, words):
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0)}, config=config)
    before = sorted(p for p in proj.root.rglob("*"))
    result = proj.run("publish")
    assert result.exit_code == 2, result.output
    (line,) = [ln for ln in result.output.splitlines() if ln.startswith("Error: ")]
    assert line.startswith(f"Error: {proj.root / 'config.yaml'}:")
    assert f"'{key}'" in line and words in line
    assert sorted(p for p in proj.root.rglob("*")) == before  # nothing created, nothing read


def test_posts_at_the_project_root_is_told_to_take_a_folder_of_its_own(make_project):
    """h25 L2: the state folder inside the posts folder: the fix offered is a folder for the
    posts, not the '.syndicate' the state folder already is."""
    proj = make_project({"posts/a.md": post("A")}, config=_config() + "paths:\n  posts: .\n")
    result = proj.run("publish")
    assert result.exit_code == 2, result.output
    said = [ln for ln in result.output.splitlines() if "'paths.state'" in ln]
    assert len(said) == 1 and "give paths.posts a folder of its own beside it, such as " \
        "'posts'" in said[0], result.output


def test_a_target_inside_posts_never_publishes_transcripts_as_posts(make_project):
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar(
        "One", transcript="one.txt"), "episodes/one.txt": "Hello there.\n",
        "episodes/one.mp3": tone(1.0)})
    assert proj.run("publish").exit_code == 0
    live = site_files(proj)
    proj.write("config.yaml", _config(target="posts/site"))
    assert proj.run("publish").exit_code == 2
    assert proj.run("collect").exit_code == 2
    assert not (proj.root / "posts/site").exists()
    proj.write("config.yaml", BASE_CONFIG)
    again = proj.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output
    assert site_files(proj) == live


@pytest.mark.parametrize("config", [
    _config(target="public2", catalog="catalog.db"),  # the root holds the catalog: fine
    _config(target="site/public") + "paths:\n  posts: content/posts\n  episodes: content/eps\n",
    _config(target="s3://bucket/posts"),  # not a folder here
])
def test_separate_folders_are_accepted(make_project, config):
    from syndicate.config import load_config

    proj = make_project({"posts/a.md": post("A")}, config=config)
    assert load_config(proj.root / "config.yaml").config.target in config


# -- 6. many items gone at once are held back, feed entries and all -----------------------------
def test_mass_removal_of_items_is_held_back_with_the_feed_entries(make_project):
    config = BASE_CONFIG.replace("target: public", "target: public\nblog:\n  feed_items: 100")
    files = {f"posts/p{i:02}.md": post(f"Post {i:02}", date=f"2026-0{1 + i % 9}-{1 + i % 28:02}")
             for i in range(70)}
    proj = make_project(files, config=config)
    first = proj.run("publish")
    assert first.exit_code == 0, first.output
    live = site_files(proj)
    assert len(feedparser.parse(live["feed.xml"]).entries) == 70
    for i in range(60):
        (proj.root / f"posts/p{i:02}.md").unlink()
    held = proj.run("publish")
    assert held.exit_code == 1
    assert ("Error: 60 published items are gone from their sources, more than max_deletes "
            "(50); they stay published") in held.output
    assert "--force" in held.output
    assert site_files(proj) == live  # feeds, pages: nothing changed
    again = proj.run("publish")  # still held on the next run
    assert again.exit_code == 1 and "60 published items" in again.output
    assert site_files(proj) == live
    forced = proj.run("publish", "--force")
    assert forced.exit_code == 0, forced.output
    after = site_files(proj)
    rss = feedparser.parse(after["feed.xml"])
    assert not rss.bozo
    assert sorted(e.title for e in rss.entries) == [f"Post {i}" for i in range(60, 70)]
    assert sorted(k for k in after if re.fullmatch(r"posts/p\d+/index\.html", k)) == \
        [f"posts/p{i}/index.html" for i in range(60, 70)]
    archive = lxml.html.document_fromstring(after["posts/index.html"])
    assert sorted(archive.xpath("//main//li/a/text()")) == [f"Post {i}" for i in range(60, 70)]


def test_a_few_removals_go_through_and_restored_files_come_back(make_project):
    proj = make_project({f"posts/p{i}.md": post(f"P{i}") for i in range(5)})
    assert proj.run("publish").exit_code == 0
    (proj.root / "posts/p0.md").unlink()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "P0" not in [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]
    assert not proj.public("posts/p0").exists()


# -- 4. a dry run changes nothing ----------------------------------------------------------------
def _tree(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``root`` with its mtime and bytes (folders by name)."""
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns,
                                             p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(root.rglob("*"))}


def test_dry_run_on_a_fresh_project_creates_nothing(make_project):
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0)})
    before = _tree(proj.root)
    result = proj.run("publish", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "  encode episodes/one.mp3" in result.output
    assert "  write  posts/a/index.html" in result.output
    assert "  write  feed.xml" in result.output
    assert _tree(proj.root) == before  # no catalog, no state folder, no site, no cache
    assert not (proj.root / ".syndicate").exists() and not (proj.root / "public").exists()


def test_dry_run_on_a_published_project_changes_nothing(make_project):
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0)})
    assert proj.run("publish").exit_code == 0
    proj.write("episodes/two.yaml", sidecar("Two", date="2026-10-02 08:00"))
    proj.write("episodes/two.mp3", tone(1.5))
    proj.write("episodes/one.yaml", sidecar("One, retitled"))  # a re-tag of cached audio
    proj.write("posts/b.md", post("B"))
    before = _tree(proj.root)
    result = proj.run("publish", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "  encode episodes/two.mp3" in result.output
    assert "encode episodes/one.mp3" not in result.output
    assert "  write  media/one-" in result.output  # the re-tagged copy, sized exactly
    assert "  write  posts/b/index.html" in result.output
    assert _tree(proj.root) == before  # catalog bytes and mtime, media cache, site: all as were
    # and the real publish then does what the dry run said
    real = proj.run("publish")
    assert real.exit_code == 0, real.output
    eps = pod_episodes(proj.read("podcast.xml"))
    assert [e["title"] for e in eps] == ["Two", "One, retitled"]
    for ep in eps:
        (enc,) = ep["enclosures"]
        assert proj.public(enc["url"].removeprefix("https://example.test/")).stat().st_size \
            == enc["file_size"]
    planned = [ln.split()[1] for ln in result.output.splitlines()
               if ln.startswith("  write  media/one-")]
    assert proj.public(planned[0]).exists()


def test_dry_run_with_an_unreadable_catalog_says_so(make_project):
    proj = make_project({"posts/a.md": post("A")})
    proj.write(".syndicate/catalog.db", b"not a database at all" * 100)
    before = _tree(proj.root)
    result = proj.run("publish", "--dry-run")
    assert result.exit_code == 1
    assert f"Error: {proj.root / '.syndicate/catalog.db'}: the catalog cannot be opened" \
        in result.output
    assert "do not delete it" in result.output and "rebuild" not in result.output
    assert "Traceback" not in result.output
    assert _tree(proj.root) == before


# -- 5. the media cache holds only what is needed ------------------------------------------------
def _cache(proj: Project) -> dict[str, int]:
    media = proj.root / ".syndicate/media"
    return {p.name: p.stat().st_mtime_ns for p in sorted(media.iterdir())}


def test_media_cache_is_pruned_to_what_is_needed(make_project):
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0),
                         "episodes/two.yaml": sidecar("Two", date="2026-10-02 08:00"),
                         "episodes/two.mp3": tone(1.5)})
    assert proj.run("publish").exit_code == 0
    encodes = {n: t for n, t in _cache(proj).items() if n.startswith("audio-")}
    assert len(encodes) == 4  # two encodes and their facts
    for i in range(4):  # every re-tag makes a new copy of one's audio
        proj.write("episodes/one.yaml", sidecar(f"One, take {i}"))
        assert proj.run("publish").exit_code == 0
    # what a killed encode or tag leaves behind, from before this run
    media = proj.root / ".syndicate/media"
    stale = [media / ".encode-k1ll3d.mp3", media / ".tag-k1ll3d.mp3",
             media / f"audio-{'e' * 64}.4242.part", media / f"audio-{'f' * 64}.mp3",
             media / f"{'a' * 64}.mp3"]
    for p in stale:
        p.write_bytes(b"partial")
        os.utime(p, (1_000_000_000, 1_000_000_000))
    # the scratch folder of a long episode encoded in parts (audio.parts), killed
    scratch = media / ".encode-parts-k1ll3d"
    scratch.mkdir()
    for name in ("part0.mp3", "meter0.M", "joined.mp3"):
        (scratch / name).write_bytes(b"partial")
        os.utime(scratch / name, (1_000_000_000, 1_000_000_000))
    os.utime(scratch, (1_000_000_000, 1_000_000_000))
    busy = media / ".encode-busy.mp3"  # another process encoding right now: left alone
    busy.write_bytes(b"in progress")
    os.utime(busy, (4_000_000_000, 4_000_000_000))
    # another process's parts, one of them being written now: left alone
    parts_busy = media / ".encode-parts-busy"
    parts_busy.mkdir()
    (parts_busy / "part0.mp3").write_bytes(b"done")
    (parts_busy / "part1.mp3").write_bytes(b"in progress")
    os.utime(parts_busy / "part0.mp3", (1_000_000_000, 1_000_000_000))
    os.utime(parts_busy, (1_000_000_000, 1_000_000_000))
    os.utime(parts_busy / "part1.mp3", (4_000_000_000, 4_000_000_000))
    mine = media / "notes.txt"  # not of the cache's making: left alone
    mine.write_text("keep me")
    proj.write("episodes/two.yaml", sidecar("Two, retitled", date="2026-10-02 08:00"))
    assert proj.run("publish").exit_code == 0

    feed = proj.read("podcast.xml")
    live = {}
    for ep in pod_episodes(feed):
        (enc,) = ep["enclosures"]
        key = enc["url"].removeprefix("https://example.test/")
        assert proj.public(key).stat().st_size == enc["file_size"]
        live[ep["title"]] = proj.read(key)
    assert sorted(live) == ["One, take 3", "Two, retitled"]
    import hashlib

    tagged = {f"{hashlib.sha256(b).hexdigest()}.mp3" for b in live.values()}
    cache = _cache(proj)
    assert set(cache) == set(encodes) | tagged | {busy.name, parts_busy.name, mine.name}
    assert sorted(p.name for p in parts_busy.iterdir()) == ["part0.mp3", "part1.mp3"]
    for name, mtime in encodes.items():
        assert cache[name] == mtime  # the encodes were kept, never redone
    # a re-publish re-encodes nothing and writes nothing
    again = proj.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output
    assert _cache(proj) == cache
    # a dry run prunes nothing
    (media / f"{'b' * 64}.mp3").write_bytes(b"old tag")
    os.utime(media / f"{'b' * 64}.mp3", (1_000_000_000, 1_000_000_000))
    assert proj.run("publish", "--dry-run").exit_code == 0
    assert (media / f"{'b' * 64}.mp3").exists()


def test_cache_keeps_what_a_held_back_removal_still_serves(make_project):
    config = BASE_CONFIG + "max_deletes: 0\n"
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0)},
                        config=config)
    assert proj.run("publish").exit_code == 0
    feed = proj.read("podcast.xml")
    (enc,) = pod_episodes(feed)[0]["enclosures"]
    key = enc["url"].removeprefix("https://example.test/")
    before = _cache(proj)
    (proj.root / "episodes/one.yaml").unlink()
    held = proj.run("publish")
    assert held.exit_code == 1 and "1 published item is gone" in held.output
    assert proj.read("podcast.xml") == feed and proj.public(key).exists()
    assert _cache(proj) == before  # its copy is live, and its encode may be needed again
    forced = proj.run("publish", "--force")
    assert forced.exit_code == 0, forced.output
    assert not proj.public(key).exists()
    assert not [n for n in _cache(proj) if not n.startswith(".")]  # nothing needed any more


# -- generated hostile input: paths in the config, cover art -------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from(["posts", "episodes", "public", ".syndicate", "site", ".", "..", "~",
                           "~nobody-here", "a\x00b", "\x01\x7f", "é", "😀", "x" * 300, "", " ",
                           "/", "//", "\\", "catalog.db", "s3:", "*", "[a]"])
_PATHS = st.lists(_PIECES, min_size=1, max_size=6).map("/".join)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(target=_PATHS, state=_PATHS, posts=_PATHS, episodes=_PATHS, catalog=_PATHS)
def test_generated_paths_load_or_fail_with_one_clear_error(tmp_path_factory, target, state,
                                                           posts, episodes, catalog):
    import yaml

    from syndicate.config import load_config
    from syndicate.errors import ConfigError

    root = tmp_path_factory.mktemp("layout")
    data = yaml.safe_load(BASE_CONFIG)
    data.update(target=target, catalog=catalog,
                paths={"state": state, "posts": posts, "episodes": episodes})
    cfg = root / "config.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        loaded = load_config(cfg)
    except ConfigError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.startswith(f"{cfg}:") and "\n" not in problem
        return
    # accepted: then the folders really are apart
    from syndicate.layout import _overlap

    if not target.startswith("s3://"):
        target_dir = loaded.target_dir.resolve()
        for folder in (loaded.posts_dir, loaded.episodes_dir, loaded.state_dir):
            assert not _overlap(target_dir, folder.resolve())
    assert not _overlap(loaded.state_dir.resolve(), loaded.posts_dir.resolve())


@settings(max_examples=200, deadline=1000)
@given(data=st.one_of(st.binary(max_size=2048),
                      st.binary(max_size=64).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
                      st.binary(max_size=64).map(lambda b: b"\xff\xd8" + b)))
def test_generated_cover_bytes_are_read_or_refused(tmp_path_factory, data):
    from syndicate.images import image_size
    from syndicate.publish.build import read_cover

    path = tmp_path_factory.mktemp("cover") / "cover.png"
    path.write_bytes(data)
    got, problem = read_cover(path)
    if problem:
        assert got == b"" and problem
    else:
        assert got == data and image_size(data) is not None


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(min_size=1, max_size=512).filter(lambda b: not b.startswith(b"\xff\xd8")))
def test_generated_garbage_cover_never_loses_the_podcast_feed(tmp_path_factory, data):
    proj = Project(tmp_path_factory.mktemp("garbage") / "proj")
    for rel, content in {"config.yaml": BASE_CONFIG, "cover.png": png_bytes(),
                         "episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0),
                         "posts/a.md": post("A")}.items():
        proj.write(rel, content)
    assert proj.run("publish").exit_code == 0
    feed = proj.read("podcast.xml")
    (proj.root / "cover.png").write_bytes(data)
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Error: cover.png: podcast.image" in result.output
    assert proj.read("podcast.xml") == feed
    assert proj.public(_cover_key(feed)).read_bytes() == png_bytes()


# -- 1. (library) any output that fails to be made keeps its last version -------------------------
class _Folder:
    """A target that holds every key the manifest says it holds."""

    name = "test://"

    def has(self, key: str, size: int) -> bool:
        return True


def _row(key: str, sha: str = "0" * 64) -> dict:
    return {"key": key, "sha256": sha, "size": 3, "content_type": "x", "input_hash": "old"}


def test_an_output_that_fails_to_render_keeps_its_last_version_and_the_feeds():
    from syndicate.errors import CollectError
    from syndicate.publish.outputs import Output
    from syndicate.publish.plan import make_plan

    def broken() -> bytes:
        raise CollectError("episodes/one.vtt", "not UTF-8 text")

    def fail_new() -> bytes:
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    previous = {k: _row(k) for k in ("episodes/one/transcript.vtt", "feed.xml", "podcast.xml",
                                     "media/gone.mp3")}
    outputs = [Output("episodes/one/transcript.vtt", "asset", "new", render=broken),
               Output("feed.xml", "feed", "new", render=lambda: b"<rss/>")]
    plan = make_plan(outputs, previous, _Folder(), max_deletes=50, force=False)
    assert [w.output.key for w in plan.writes] == ["feed.xml"]
    assert "episodes/one/transcript.vtt" in plan.kept
    assert [str(e) for e in plan.errors] == [
        "episodes/one.vtt: cannot publish episodes/one/transcript.vtt (not UTF-8 text); "
        "its last published version stays"]
    # while an output is kept, nothing is deleted: the kept one may link to it
    assert plan.deletes == [] and sorted(plan.deferred) == ["media/gone.mp3", "podcast.xml"]
    assert {r["key"] for r in plan.manifest} == set(previous) | {"feed.xml"}

    # never published before: left out, and the feeds (which may link to it) keep their version
    outputs = [Output("episodes/two/chapters.json", "asset", "new", render=fail_new),
               Output("podcast.xml", "feed", "new", render=lambda: b"<rss/>")]
    plan = make_plan(outputs, previous, _Folder(), max_deletes=50, force=False)
    assert plan.writes == [] and "podcast.xml" in plan.kept
    assert "it is left out, and the feeds keep their last published version" in \
        str(plan.errors[0])
    assert plan.deletes == []


def test_failing_cover_keeps_the_podcast_feed_on_s3(make_project, s3_endpoint, bucket):
    from conftest import BUCKET, s3_config, s3_files, s3_keys

    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    before = s3_keys(bucket)
    feed = bucket.get_object(Bucket=BUCKET, Key="site/podcast.xml")["Body"].read()
    (proj.root / "cover.png").write_bytes(b"GIF89a not what Apple takes")
    proj.write("posts/b.md", post("B"))
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Error: cover.png: podcast.image 'cover.png': not a JPEG or PNG" \
        in result.output
    after = s3_keys(bucket)
    assert set(before) <= set(after)  # nothing live removed
    assert bucket.get_object(Bucket=BUCKET, Key="site/podcast.xml")["Body"].read() == feed
    for ep in pod_episodes(feed):
        (enc,) = ep["enclosures"]
        head = bucket.head_object(Bucket=BUCKET,
                                  Key="site/" + enc["url"].removeprefix("https://example.test/"))
        assert head["ContentLength"] == enc["file_size"]
    assert f"site/{_cover_key(feed)}" in after
    assert "site/posts/b/index.html" not in after  # it waits for a good cover
    # a later publish keeps them too: the manifest carried them over
    again = proj.run("publish")
    assert again.exit_code == 1 and set(before) <= set(s3_keys(bucket))


def test_held_back_removals_keep_everything_on_s3(make_project, s3_endpoint, bucket):
    from conftest import BUCKET, s3_config, s3_files, s3_keys

    files = {**s3_files(), **{f"posts/p{i}.md": post(f"P{i}") for i in range(3)}}
    proj = make_project(files, config=s3_config(s3_endpoint) + "max_deletes: 2\n")
    assert proj.run("publish").exit_code == 0
    before = s3_keys(bucket)
    feed = bucket.get_object(Bucket=BUCKET, Key="site/feed.xml")["Body"].read()
    for i in range(3):
        (proj.root / f"posts/p{i}.md").unlink()
    held = proj.run("publish")
    assert held.exit_code == 1 and "3 published items are gone" in held.output
    assert s3_keys(bucket).keys() >= before.keys()
    assert bucket.get_object(Bucket=BUCKET, Key="site/feed.xml")["Body"].read() == feed
    forced = proj.run("publish", "--force")
    assert forced.exit_code == 0, forced.output
    titles = [e.title for e in feedparser.parse(
        bucket.get_object(Bucket=BUCKET, Key="site/feed.xml")["Body"].read()).entries]
    assert titles == ["First post"]
    assert not [k for k in s3_keys(bucket) if k.startswith("site/posts/p")]


def test_dry_run_writes_nothing_to_s3(make_project, s3_endpoint, bucket):
    from conftest import s3_config, s3_files, s3_keys

    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    assert proj.run("publish").exit_code == 0
    before, state = s3_keys(bucket), _tree(proj.root / ".syndicate")
    proj.write("posts/b.md", post("B"))
    proj.write("episodes/two.yaml", sidecar("Two", date="2026-10-02 08:00"))
    proj.write("episodes/two.mp3", tone(1.5))
    result = proj.run("publish", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "  write  posts/b/index.html" in result.output
    assert "  encode episodes/two.mp3" in result.output
    assert s3_keys(bucket) == before
    assert _tree(proj.root / ".syndicate") == state


# -- N22: things put by hand where syndicate writes a file ------------------------------------
def _obstruct(public: Path, key: str, how: str, outside: Path) -> Path:
    """Put ``how`` where ``key`` is published; returns the path that stands in the way."""
    path = public / key
    if how == "parent-file":
        path = path.parent
        shutil.rmtree(path)
        path.write_text("put here by hand")
        return path
    path.unlink()
    if how == "link-out":
        path.symlink_to(outside)
    elif how == "link-in":
        path.symlink_to(public / "index.html")
    elif how == "folder":
        path.mkdir()
    return path


@pytest.mark.parametrize("how", ["link-out", "link-in", "folder", "parent-file"])
@pytest.mark.parametrize("key", ["feed.xml", "atom.xml", "posts/a/index.html"])
def test_a_thing_put_by_hand_where_a_file_goes_is_named_with_what_to_do(make_project, tmp_path,
                                                                       key, how):
    if how == "parent-file" and "/" not in key:
        pytest.skip("the site folder itself is the parent")
    proj = make_project({"posts/a.md": post("A"), "posts/b.md": post("B", date="2026-10-02")})
    assert proj.run("publish").exit_code == 0
    outside = tmp_path / "outside.txt"
    outside.write_text("not the site's")
    proj.write("posts/a.md", post("A", body="changed words"))
    proj.write("posts/c.md", post("C", date="2026-10-03"))
    obstacle = _obstruct(proj.root / "public", key, how, outside)
    before = site_files(proj)
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    name = obstacle.relative_to(proj.root / "public").as_posix()
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    assert f"{name} is " in errors[0] and "remove them" in errors[0], errors[0]
    assert "run publish again to finish" not in result.output
    assert site_files(proj) == before  # nothing was written
    assert outside.read_text() == "not the site's"
    if obstacle.is_dir() and not obstacle.is_symlink():
        obstacle.rmdir()
    else:
        obstacle.unlink()
    done = proj.run("publish")
    assert done.exit_code == 0, done.output
    titles = [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]
    assert sorted(titles) == ["A", "B", "C"]
    assert b"changed words" in proj.read("posts/a/index.html")


@needs_setpriv
@pytest.mark.parametrize("mode", [0o555, 0o000, 0o100])
@pytest.mark.parametrize("folder,episode", [("public/.syndicate", "none"),
                                            (".syndicate/media", "new"),
                                            (".syndicate/media", "retagged")])
def test_a_read_only_record_or_media_folder_is_one_clear_error(make_project, folder, episode,
                                                                mode):
    """h18 Y22: a read-only `public/.syndicate/` (syndicate's record of the site) or
    `.syndicate/media/` (the encode cache), say left root-owned by one `sudo syndicate publish`,
    was a PermissionError traceback; each is a clear error naming the folder. h25 B7: so is
    one that cannot be read or entered, and an episode whose encode is cached but must be
    tagged again."""
    files = {"posts/a.md": post("A")}
    if episode == "retagged":
        files.update({"episodes/one.yaml": sidecar("One"),
                      "episodes/one.wav": tone(0.5, fmt="wav")})
    proj = make_project(files)
    assert proj.run("publish").exit_code == 0
    (proj.root / ".syndicate/media").mkdir(exist_ok=True)
    (proj.root / folder).chmod(mode)
    try:
        proj.write("posts/a.md", post("A", body="Edited."))
        if episode == "new":
            proj.write("episodes/one.yaml", sidecar("One"))
            proj.write("episodes/one.wav", tone(0.5, fmt="wav"))
        elif episode == "retagged":
            proj.write("episodes/one.yaml", sidecar("One, retitled"))
        result = cli(proj, "publish", unprivileged=True)
        assert "Traceback" not in result.stderr, result.stderr
        if folder == ".syndicate/media":
            assert str(proj.root / folder) in result.stderr, result.stderr
            assert result.returncode == 1
        if folder == "public/.syndicate" and mode == 0:  # the site's record unreadable: what
            # the site is cannot be told, so nothing is published (h26 C3), named
            assert result.returncode == 1 and str(proj.root / folder) in result.stderr
            assert b"Edited." not in proj.read("posts/a/index.html")
            return
        assert b"Edited." in proj.read("posts/a/index.html")  # the rest is published
    finally:
        (proj.root / folder).chmod(0o755)


def test_a_link_in_place_of_the_sites_record_folder_is_refused_and_never_written_through(
        make_project, tmp_path):
    """h26 C13: public/.syndicate made a link to a folder outside the site: its records
    (state.json, written.json) were written there, exit 0. Refused, nothing written."""
    proj = make_project({"posts/a.md": post("A")})
    assert proj.run("publish").exit_code == 0
    record = proj.root / "public/.syndicate"
    elsewhere = tmp_path / "elsewhere"
    shutil.move(record, elsewhere)
    record.symlink_to(elsewhere)
    before = {p.name: p.read_bytes() for p in elsewhere.iterdir()}
    proj.write("posts/a.md", post("A", body="Edited."))
    for args in (("publish",), ("queue", "a", "--at", "2026-12-01 09:00")):
        result = proj.run(*args)
        assert "Traceback" not in result.output, result.output
        assert {p.name: p.read_bytes() for p in elsewhere.iterdir()} == before, args
    result = proj.run("publish")
    assert result.exit_code == 1
    assert f"{record}: a link (to {elsewhere})" in result.output, result.output
    assert b"Edited." not in proj.read("posts/a/index.html")
