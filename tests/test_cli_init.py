"""`syndicate init`: a new project whose config explains itself, parses with the one typed
schema, names only known settings, and publishes at once; never over an existing project."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path
from zoneinfo import available_timezones

import feedparser
import podcastparser
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW
from syndicate.cli import main
from syndicate.config import load_config, schema_keys

SETTING = re.compile(r"^(\s*)([a-z_]+):(.*)$")
COMMENTED = re.compile(r"^(\s*)# (\s*[a-z_]+:.*)$")


def _init(*args: str):
    return CliRunner().invoke(main, [*args, "--now", NOW], catch_exceptions=False)


def _tree(root) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read()
    return out


def _key_paths(text: str) -> list[str]:
    """Every key path the YAML text sets (lists of mappings walked through)."""
    paths = []

    def walk(node, prefix):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append(prefix + k)
                walk(v, prefix + k + ".")
        elif isinstance(node, list):
            for v in node:
                walk(v, prefix)

    walk(yaml.safe_load(text), "")
    return paths


def test_init_makes_a_project_that_publishes_at_once(tmp_path):
    root = tmp_path / "show"
    made = _init("init", str(root))
    assert made.exit_code == 0, made.output
    assert f"edit {root / 'config.yaml'}" in made.stdout
    assert sorted(_tree(root)) == ["config.yaml", "cover.png", "episodes/README.md",
                                   "posts/2026-11-01-hello-world.md"]
    published = CliRunner().invoke(main, ["--config", str(root / "config.yaml"), "publish",
                                          "--now", NOW], catch_exceptions=False)
    assert published.exit_code == 0, published.output
    assert published.stderr == ""  # not one warning about the new project itself
    feed = feedparser.parse((root / "public/feed.xml").read_bytes())
    assert not feed.bozo and [e.title for e in feed.entries] == ["Hello, world"]
    with open(root / "public/podcast.xml", "rb") as f:
        show = podcastparser.parse("podcast.xml", f)
    assert show["title"] == "My Show" and show["episodes"] == []
    assert (root / "public/index.html").is_file()


def test_init_config_parses_with_the_schema_and_names_only_known_settings(tmp_path):
    assert _init("init", str(tmp_path / "p")).exit_code == 0
    path = tmp_path / "p/config.yaml"
    text = path.read_text()
    assert load_config(path).warnings == []
    known = set(schema_keys())
    # the optional settings shown commented out are known too, and valid as written
    opened = "\n".join(COMMENTED.sub(r"\1\2", line) for line in text.splitlines())
    assert opened != text
    path.write_text(opened)
    (tmp_path / "p/theme").mkdir()  # `theme:` names a folder the author makes
    assert load_config(path).warnings == []
    paths = _key_paths(opened)
    assert set(paths) <= known, set(paths) - known
    assert {"site.url", "site.timezone", "podcast.image", "target", "paths.posts",
            "audio.loudness", "podcast.owner.email", "site.links", "theme",
            "podcast.subscribe.apple", "podcast.subscribe.youtube_music"} <= set(paths)
    # each setting explains itself on its own line (a section heading needs no words)
    for line in text.splitlines():
        m = SETTING.match(COMMENTED.sub(r"\1\2", line))
        if m and m.group(3).strip():
            assert re.search(r"\S\s+# \S", line), f"no explanation: {line!r}"


@pytest.mark.parametrize("taken", ["config", "file", "folder-is-a-file", "post"])
def test_init_refuses_an_existing_project_or_a_folder_with_files(tmp_path, taken):
    root = tmp_path / "p"
    root.mkdir()
    if taken == "config":
        (root / "config.yaml").write_text("site: {}\n")
    elif taken == "file":
        (root / "notes.txt").write_text("mine")
    elif taken == "post":
        (root / "posts").mkdir()
        (root / "posts/old.md").write_text("# Old\n")
    else:
        root.rmdir()
        root.write_text("a file")
    before = _tree(tmp_path)
    result = _init("init", str(root), "--json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and len(doc["errors"]) == 1
    assert str(root) in doc["errors"][0] and "nothing was written" in doc["errors"][0]
    assert result.stderr == f"Error: {doc['errors'][0]}\n"
    assert _tree(tmp_path) == before
    text = _init("init", str(root))
    assert text.exit_code == 2 and text.stdout == "" and "Traceback" not in text.output


def test_init_takes_a_folder_holding_only_hidden_entries(tmp_path):
    (tmp_path / "p/.git").mkdir(parents=True)
    result = _init("init", str(tmp_path / "p"), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["config"] == str(tmp_path / "p/config.yaml")
    assert "config.yaml" in doc["files"] and (tmp_path / "p/.git").is_dir()


def test_init_with_the_group_config_writes_that_file(tmp_path):
    config = tmp_path / "site/other.yaml"
    result = CliRunner().invoke(main, ["--config", str(config), "init", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert config.is_file() and not (tmp_path / "site/config.yaml").exists()
    assert load_config(config).warnings == []


def test_a_new_user_starts_writes_and_publishes_in_fresh_processes(tmp_path):
    """As the README's quickstart runs it: the installed command, a new process each time."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("syndicate")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "syndicate"]

    def run(*args, cwd=tmp_path):
        done = subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        return done

    run("init", "my-show")
    root = tmp_path / "my-show"
    made = json.loads(run("new", "post", "Notes: from the river", "--json", cwd=root).stdout)
    assert made["ok"] and made["draft"] is True
    run("new", "post", "Ready now", "--no-draft", cwd=root)
    published = json.loads(run("publish", "--json", cwd=root).stdout)
    assert published["ok"] and "feed.xml" in published["written"]
    titles = [e.title for e in feedparser.parse((root / "public/feed.xml").read_bytes()).entries]
    assert sorted(titles) == ["Hello, world", "Ready now"]  # the draft waits


def test_init_with_the_groups_config_outside_its_folder_is_refused(tmp_path):
    other = tmp_path / "other.yaml"
    made = CliRunner().invoke(main, ["--config", str(other), "init", str(tmp_path / "p")])
    assert made.exit_code == 2
    errors = [x for x in made.output.splitlines() if x.startswith("Error:")]
    assert len(errors) == 1 and "--config" in errors[0] and "FOLDER" in errors[0]
    assert not other.exists() and not (tmp_path / "p").exists()
    inside = tmp_path / "p" / "show.yaml"  # a --config inside FOLDER is honoured
    made = CliRunner().invoke(main, ["--config", str(inside), "init", str(tmp_path / "p")])
    assert made.exit_code == 0, made.output
    assert inside.is_file() and not (tmp_path / "p" / "config.yaml").exists()


def test_init_with_a_config_in_a_subfolder_says_it_must_be_directly_in_folder(tmp_path):
    """h22 W5: the refusal says what is wrong (a project's folder is its config's)."""
    deep = tmp_path / "p" / "sub" / "conf.yaml"
    made = CliRunner().invoke(main, ["--config", str(deep), "init", str(tmp_path / "p")])
    assert made.exit_code == 2
    errors = [x for x in made.output.splitlines() if x.startswith("Error:")]
    assert len(errors) == 1 and "not directly in it" in errors[0], errors
    assert "a --config directly in FOLDER" in errors[0]
    assert not (tmp_path / "p").exists()


def test_init_takes_the_older_per_command_config_spelling(tmp_path):
    """h22 W6: `init FOLDER --config PATH`, as every other command takes it."""
    inside = tmp_path / "p" / "show.yaml"
    made = CliRunner().invoke(main, ["init", str(tmp_path / "p"), "--config", str(inside),
                                     "--now", NOW])
    assert made.exit_code == 0, made.output
    assert inside.is_file() and not (tmp_path / "p" / "config.yaml").exists()
    alone = tmp_path / "q" / "site.yaml"
    made = CliRunner().invoke(main, ["init", "--config", str(alone), "--now", NOW])
    assert made.exit_code == 0, made.output
    assert alone.is_file() and load_config(alone).warnings == []


WEST_AND_EAST = ["America/Los_Angeles", "Pacific/Pago_Pago", "Etc/GMT+12", "America/St_Johns",
                 "Pacific/Kiritimati", "Asia/Kolkata", "UTC"]


@settings(max_examples=12, deadline=None)
@given(zone=st.sampled_from(WEST_AND_EAST) | st.sampled_from(sorted(
           z for z in available_timezones() if "/" in z and not z.startswith(("posix", "right")))),
       at=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2030, 12, 31),
                       timezones=st.just(dt.UTC)))
def test_the_sample_post_is_live_at_the_first_publish_in_any_zone(zone, at):
    """h20 V13: init, then site.timezone set as the config invites (west of UTC too), then
    publish a minute later: the sample post is on the site and in the feed, not waiting."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "show"
        made = CliRunner().invoke(main, ["init", str(root), "--now", at.isoformat()],
                                  catch_exceptions=False)
        assert made.exit_code == 0, made.output
        config = root / "config.yaml"
        text = config.read_text(encoding="utf-8")
        assert "timezone: UTC " in text
        config.write_text(text.replace("timezone: UTC ", f"timezone: {zone} ", 1),
                          encoding="utf-8")
        later = (at + dt.timedelta(minutes=1)).isoformat()
        published = CliRunner().invoke(main, ["--config", str(config), "publish", "--now",
                                              later], catch_exceptions=False)
        assert published.exit_code == 0, published.output
        feed = feedparser.parse((root / "public/feed.xml").read_bytes())
        assert [e.title for e in feed.entries] == ["Hello, world"], (zone, at, published.output)
        assert (root / "public/posts/hello-world/index.html").is_file()
