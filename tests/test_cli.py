"""The command line: help for every command, every command documented, clean errors."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from conftest import REPO
from syndicate import __version__
from syndicate.cli import main

COMMANDS = sorted(main.commands)


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s+\S", result.output, re.M), name


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert main.commands[name].help
    assert f"`syndicate {name}" in (REPO / "README.md").read_text()


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.output == f"syndicate, version {__version__}\n"


def test_missing_config_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(main, ["publish", "--config", str(tmp_path / "c.yaml")])
    assert result.exit_code == 2
    assert result.output == f"Error: {tmp_path / 'c.yaml'}: no such file; pass --config PATH " \
        "or create it\n"


def test_corrupt_catalog_is_a_clean_error(make_project):
    proj = make_project()
    proj.write(".syndicate/catalog.db", b"this is not a database" * 100)
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "the catalog cannot be opened (file is not a database)" in result.output
    assert "Traceback" not in result.output


def test_status_shows_states(sample_project):
    sample_project.run("publish")
    out = sample_project.run("status").output
    assert re.search(r"^post\s+queued\s+2027-01-10 09:00 GMT\s+2027-01-10 09:00\s+in 69d 21h\s+"
                     r"The year ahead", out, re.M)
    assert re.search(r"^post\s+draft\s+.*Ideas for the winter series", out, re.M)
    assert re.search(r"^episode\s+released\s+2026-09-20 06:00 BST\s+2026-09-20 05:00\s+"
                     r"First light", out, re.M)


def test_the_installed_command_publishes_the_sample_in_a_fresh_process(sample_project):
    """As the quickstart runs it: a new interpreter, nothing imported beforehand."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("syndicate")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "syndicate"]
    done = subprocess.run([*cmd, "publish"], cwd=sample_project.root, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Published to public" in done.stdout
    for name in ("feed.xml", "atom.xml", "podcast.xml"):
        assert sample_project.public(name).stat().st_size > 500
    # an episode's title edited: the podcast feed is the only feed rendered this time
    sidecar = sample_project.root / "episodes/000-trailer.yaml"
    sidecar.write_text(sidecar.read_text().replace("title: Welcome to", "title: Hello from"))
    again = subprocess.run([*cmd, "publish"], cwd=sample_project.root, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert b"Hello from Low Tide Radio" in sample_project.read("podcast.xml")
