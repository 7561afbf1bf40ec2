"""F13: problems that belong to config.yaml are said once, as config.yaml:LINE, exit 2: an
intro or outro that is a pipe or a device, a feed key leaving the site, entering .syndicate/ or
shared by two feeds. A catalog whose schema version cannot be read is named."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, post, sidecar, tone


def _errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def _line_of(config: str, needle: str) -> int:
    return next(i for i, line in enumerate(config.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("role", ["intro", "outro"])
@pytest.mark.parametrize("kind, words", [("fifo", "is a named pipe (FIFO), not a file"),
                                         ("device", "is a device, not a file"),
                                         ("folder", "is a folder, not a file")])
def test_a_clip_that_is_not_a_file_is_one_config_error(make_project, role, kind, words):
    config = BASE_CONFIG + f"audio:\n  {role}: clips/{role}.wav\n"
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0), "episodes/two.yaml": sidecar("Two"),
                         "episodes/two.mp3": tone(1.0, freq=660)}, config=config)
    clip = proj.root / "clips" / f"{role}.wav"
    clip.parent.mkdir()
    if kind == "fifo":
        os.mkfifo(clip)
    elif kind == "device":
        clip.symlink_to("/dev/zero")
    else:
        clip.mkdir()
    for command in ("publish", "status"):
        result = proj.run(command)
        assert result.exit_code == 2, result.output
        line = _line_of(config, f"{role}: clips")
        assert _errors(result) == [
            f"Error: {proj.root / 'config.yaml'}:{line}: 'audio.{role}': 'clips/{role}.wav' "
            f"{words}; point it at an audio file or remove it"]
    assert not (proj.root / "public").exists()


@pytest.mark.parametrize("setting, key, words", [
    ("blog:\n  rss_path: ../outside.xml\n", "blog.rss_path",
     "refusing the output key '../outside.xml': it would leave the site's folder; choose "
     "another key, such as 'feed.xml'"),
    ("blog:\n  atom_path: .syndicate/x.xml\n", "blog.atom_path",
     "refusing the output key '.syndicate/x.xml': .syndicate/ is reserved"),
    ("blog:\n  rss_path: feed.xml\n  atom_path: feed.xml\n", "blog.atom_path",
     "'feed.xml' is also blog.rss_path: two outputs would be written to the same key"),
    ("blog:\n  atom_path: podcast.xml\n", "blog.atom_path",
     "'podcast.xml' is also podcast.feed_path: two outputs would be written to the same key"),
    # a key the site's own pages and files take (P9)
    ("blog:\n  json_path: index.html\n", "blog.json_path",
     "'index.html' is the home page's key; give the feed a key of its own, such as "
     "'feed.json'"),
    ("blog:\n  atom_path: sitemap.xml\n", "blog.atom_path", "'sitemap.xml' is the sitemap's key"),
    ("blog:\n  rss_path: robots.txt\n", "blog.rss_path", "'robots.txt' is robots.txt's key"),
    ("blog:\n  json_path: 404.html\n", "blog.json_path", "'404.html' is the 404 page's key"),
    ("blog:\n  json_path: posts/a/index.html\n", "blog.json_path",
     "is under posts/, where the posts' pages go"),
    ("blog:\n  json_path: static/player.js\n", "blog.json_path",
     "is under static/, where the theme's static files go"),
    ("blog:\n  json_path: tags/x/index.html\n", "blog.json_path", "is under tags/"),
    ("blog:\n  rss_path: episodes/e.xml\n", "blog.rss_path", "is under episodes/"),
    ("blog:\n  rss_path: cover-0123456789ab.png\n", "blog.rss_path", "is the key of the show's "
     "cover"),
    ("blog:\n  json_path: favicon-0123456789ab.png\n", "blog.json_path", "the favicon's key"),
    ("blog:\n  rss_path: podcast-archive-2.xml\n", "blog.rss_path",
     "is the key of an archive page of the feed 'podcast.xml'"),
])
def test_a_bad_feed_key_is_a_config_error_with_its_line(make_project, setting, key, words):
    config = BASE_CONFIG + setting
    proj = make_project({"posts/a.md": post("A")})
    assert proj.run("publish").exit_code == 0
    before = {p: p.read_bytes() for p in (proj.root / "public").rglob("*") if p.is_file()}
    proj.write("config.yaml", config)
    result = proj.run("publish")
    assert result.exit_code == 2, result.output
    errors = _errors(result)
    assert len(errors) == 1, result.output
    line = _line_of(config, key.split(".")[1])
    if "also blog.rss_path" in words:
        line = _line_of(config, "atom_path")
    assert errors[0].startswith(f"Error: {proj.root / 'config.yaml'}:{line}: '{key}': ")
    assert words in errors[0]
    after = {p: p.read_bytes() for p in (proj.root / "public").rglob("*") if p.is_file()}
    assert after == before  # nothing live touched
    assert not (proj.root / "outside.xml").exists()


def test_an_unreadable_schema_version_names_the_catalog(make_project):
    proj = make_project({"posts/a.md": post("A")})
    assert proj.run("publish").exit_code == 0
    catalog = proj.root / ".syndicate" / "catalog.db"
    with sqlite3.connect(catalog) as conn:
        conn.execute("UPDATE meta SET value = 'abc' WHERE key = 'schema_version'")
    for command in ("status", "publish"):
        result = proj.run(command)
        assert result.exit_code == 1
        assert _errors(result) == [
            f"Error: {catalog}: its schema version is unreadable ('abc'): the catalog is "
            "damaged; restore it from a backup"], result.output


@pytest.mark.parametrize("role", ["intro", "outro"])
@pytest.mark.parametrize("content", [b"root:x:0:0:root:/root:/bin/bash\n", b"", "png"])
def test_a_clip_that_is_not_audio_is_one_config_error(make_project, role, content):
    """N7: said once with config.yaml's line, not once per episode; episodes keep their last
    published version and the rest is published."""
    from conftest import png_bytes

    files = {"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
             "episodes/one.mp3": tone(1.0), "episodes/two.yaml": sidecar("Two"),
             "episodes/two.mp3": tone(1.0, freq=660)}
    proj = make_project(files)
    assert proj.run("publish").exit_code == 0
    podcast = proj.read("podcast.xml")
    config = BASE_CONFIG + f"audio:\n  {role}: clips/{role}.wav\n"
    proj.write("config.yaml", config)
    proj.write(f"clips/{role}.wav", png_bytes(16, 16) if content == "png" else content)
    proj.write("posts/b.md", post("B"))
    for _ in range(2):
        result = proj.run("publish")
        assert result.exit_code == 1, result.output
        errors = _errors(result)
        assert len(errors) == 1, result.output
        assert errors[0].startswith(f"Error: {proj.root / 'config.yaml'}:"
                                    f"{_line_of(config, f'{role}: clips')}: 'audio.{role}': "
                                    f"'clips/{role}.wav': "), errors
        assert "episodes keep their last published version" in errors[0]
        assert proj.read("podcast.xml") == podcast  # the episodes keep their live version
        assert b"<title>B</title>" in proj.read("feed.xml")  # the rest is published


@pytest.mark.parametrize("key", ["audio.intro", "audio.outro", "podcast.image", "paths.posts",
                                 "paths.episodes"])
@pytest.mark.parametrize("how", ["absolute", "dotdot", "link"])
def test_a_source_outside_the_project_is_refused_with_its_line(make_project, tmp_path, key,
                                                                how):
    """N7: nothing is published from outside the project: not a clip mixed into every episode,
    not a cover, not another checkout's posts or episodes."""
    from conftest import png_bytes

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    folder = key.startswith("paths.")
    thing = outside / ("posts" if folder else "clip.png" if key == "podcast.image" else
                       "clip.mp3")
    if folder:
        thing.mkdir()
        (thing / "x.md").write_text(post("From elsewhere"))
    else:
        thing.write_bytes(png_bytes() if key == "podcast.image" else tone(1.0))
    proj = make_project({"posts/a.md": post("A")})
    if how == "absolute":
        value = str(thing)
    elif how == "dotdot":
        value = os.path.relpath(thing, proj.root)
    else:
        (proj.root / "linked").symlink_to(thing)
        value = "linked"
    section, name = key.split(".")
    if section == "podcast":
        config = BASE_CONFIG.replace("image: cover.png", f"image: '{value}'")
    else:
        config = BASE_CONFIG + f"{section}:\n  {name}: '{value}'\n"
    proj.write("config.yaml", config)
    for command in ("publish", "status"):
        result = proj.run(command)
        assert result.exit_code == 2, result.output
        assert _errors(result) == [
            f"Error: {proj.root / 'config.yaml'}:{_line_of(config, value)}: '{key}': "
            f"{value!r} lies outside the project folder ({proj.root}), and nothing is "
            "published from outside it; copy it into the project and give its path "
            "relative to config.yaml"], result.output
    assert not (proj.root / "public").exists()


@pytest.mark.parametrize("target, what", [("/dev/null", "a device"),
                                          ("config.yaml", "a file"),
                                          ("notes.txt", "a file"),
                                          ("pipe", "a named pipe (FIFO)")])
def test_a_target_that_is_not_a_folder_is_one_config_error(make_project, target, what):
    """N20: a target that is a file or a device is a config error, never "refusing to
    overwrite 17 files" nor an offer of --force."""
    config = BASE_CONFIG.replace("target: public", f"target: {target}")
    proj = make_project({"posts/a.md": post("A"), "notes.txt": "mine\n"}, config=config)
    if target == "pipe":
        os.mkfifo(proj.root / "pipe")
    for command in ("publish", "status"):
        result = proj.run(command)
        assert result.exit_code == 2, result.output
        assert _errors(result) == [
            f"Error: {proj.root / 'config.yaml'}:{_line_of(config, 'target:')}: 'target': "
            f"{target!r} is {what}, not a folder; publish to a folder of its own, such as "
            "'public' (it is made if missing), or to s3://bucket/prefix"], result.output
    assert (proj.root / "notes.txt").read_text() == "mine\n"
    assert (proj.root / "config.yaml").read_text() == config


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_one_line_and_the_work_stands(make_project):
    """N19: stdout on a full disk: one line on stderr, no traceback, the exit code of the work
    (the post was published), for every command."""
    import subprocess
    import sys

    from conftest import NOW

    proj = make_project({"posts/a.md": post("A")})
    cfg = str(proj.root / "config.yaml")
    runs = [["publish"], ["status"], ["publish", "--dry-run"], ["publish", "--bogus"]]
    proj.write("posts/b.md", post("Written while the log disk is full"))
    codes = []
    for args in runs:
        with open("/dev/full", "w") as full:
            done = subprocess.run([sys.executable, "-m", "syndicate", *args, "--config", cfg,
                                   "--now", NOW], stdout=full, stderr=subprocess.PIPE,
                                  text=True, timeout=120, cwd=proj.root)
        assert "Traceback" not in done.stderr, done.stderr
        codes.append(done.returncode)
        if args != ["publish", "--bogus"]:
            assert done.stderr.count("Error: cannot write the output: no space left") == 1, \
                done.stderr
    assert codes == [0, 0, 0, 2]  # the work's own exit codes (a usage error stays 2)
    assert b"Written while the log disk is full" in proj.read("feed.xml")


@pytest.mark.parametrize("kind, words", [("devnull", "is a device, not a file"),
                                         ("device", "is a device, not a file"),
                                         ("fifo", "is a named pipe (FIFO), not a file"),
                                         ("folder", "is a folder, not a file")])
@pytest.mark.parametrize("command", ["publish", "status", "release-due"])
def test_a_catalog_that_is_not_a_file_is_one_config_error_and_nothing_is_opened(
        make_project, kind, words, command):
    """N27: `catalog:` naming a device, a pipe or a folder is refused before SQLite opens it
    (it would write a journal beside it, outside the project, and fail with 'disk I/O error')."""
    name = {"devnull": "/dev/null"}.get(kind, "state/catalog.db")
    config = BASE_CONFIG + f"catalog: {name}\n"
    proj = make_project({"posts/a.md": post("A"), "config.yaml": config})
    target = proj.root / "state" / "catalog.db"
    target.parent.mkdir()
    if kind == "device":
        target.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    journals = {p: p.exists() for p in (Path("/dev/null-journal"), Path("/dev/null-wal"),
                                        Path("/dev/zero-journal"), Path("/dev/zero-wal"))}
    result = proj.run(command)
    assert result.exit_code == 2, result.output
    errors = _errors(result)
    assert len(errors) == 1, result.output
    line = _line_of(config, "catalog:")
    assert errors[0].startswith(f"Error: {proj.root / 'config.yaml'}:{line}: 'catalog': ")
    assert words in errors[0] and "point 'catalog' at a file" in errors[0]
    assert {p: p.exists() for p in journals} == journals  # nothing made beside it
    assert not (proj.root / "public").exists()
    left = [] if kind == "devnull" else ["catalog.db"]
    assert sorted(p.name for p in target.parent.iterdir()) == left


@pytest.mark.parametrize("block", [
    "notify:\n  websub_hubs: https://hooks.example/services/T0/SEKRIT123\n",
    "notify:\n  pubnotify: [https://hooks.example/services/T0/SEKRIT123, 5]\n",
    "notify:\n  websub_hubs:\n    - [https://hooks.example/services/T0/SEKRIT123]\n",
    "cdn:\n  purge_url: {url: https://hooks.example/services/T0/SEKRIT123}\n",
    "notify:\n  websub_hubs: hooks.example/services/T0/SEKRIT123\n",  # h26 C4: no scheme
    "notify:\n  pubnotify: [https:/hooks.example/services/T0/SEKRIT123]\n",
    "notify:\n  websub_hubs: [hooks.example/services/T0/SEKRIT123]\n",
])
def test_a_webhook_address_in_the_wrong_shape_shows_only_its_host(make_project, block):
    """h25 B8: a hook's path is often its secret; a config error quoting a value under
    notify or cdn shows its scheme and host only, as the pings' own messages do."""
    proj = make_project({"posts/a.md": post("A")}, config=BASE_CONFIG + block)
    result = proj.run("publish", "--dry-run")
    assert result.exit_code == 2, result.output
    assert "SEKRIT123" not in result.output and "T0" not in result.output, result.output
    assert "https://hooks.example/***" in result.output or "'***'" in result.output, \
        result.output
    assert "config.yaml:" in result.output


_SEGMENT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_.~", min_size=4,
                   max_size=12).filter(lambda t: t.strip(".") == t and "." not in t[:1])


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from(["https://", "http://", "https:/", "https:", "", "//", "hxxps://"]),
       host=st.from_regex(r"\A[a-z]{3,10}\.(example|test)\Z"), secret=_SEGMENT,
       shape=st.sampled_from(["'{}'", "['{}', 5]", "{{'url': '{}'}}", '"{}"']))
def test_no_config_error_under_notify_shows_a_hook_path_however_written(scheme, host, secret,
                                                                       shape):
    """The masking of values quoted under notify/cdn (h25 B8, h26 C4), on generated addresses
    in every spelling of a scheme and every shape a wrong value is quoted in."""
    from syndicate.urls import origins_only

    quoted = shape.format(f"{scheme}{host}/hooks/{secret}")
    said = origins_only(f"expected a list, got {quoted}")
    assert secret not in said, said
