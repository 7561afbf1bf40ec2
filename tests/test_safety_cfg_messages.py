"""F13: problems that belong to config.yaml are said once, as config.yaml:LINE, exit 2: an
intro or outro that is a pipe or a device, a feed key leaving the site, entering .syndicate/ or
shared by two feeds. A catalog whose schema version cannot be read is named."""

from __future__ import annotations

import os
import sqlite3

import pytest

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
