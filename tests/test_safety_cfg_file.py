"""config.yaml itself is read as a plain file of bounded size: a folder, a pipe, a device or a
dangling link is one clear error naming it (exit 2), never a traceback or a hang."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from syndicate.cli import main


def _swap_config(proj, kind: str) -> None:
    cfg = proj.root / "config.yaml"
    cfg.unlink()
    if kind == "folder":
        cfg.mkdir()
    elif kind == "fifo":
        os.mkfifo(cfg)
    elif kind == "device":
        cfg.symlink_to("/dev/zero")
    elif kind == "dangling":
        cfg.symlink_to(proj.root / "nowhere.yaml")
    elif kind == "huge":
        with open(cfg, "wb") as f:
            f.truncate(11 * 2**20)


@pytest.mark.parametrize("kind, words", [
    ("folder", "is a folder, not a file"), ("fifo", "is a named pipe (FIFO), not a file"),
    ("device", "is a device, not a file"), ("dangling", "symbolic link to nothing"),
    ("huge", "is larger than 10 MB")])
@pytest.mark.parametrize("command", ["publish", "status", "release-due"])
def test_config_that_is_not_a_plain_file(make_project, kind, words, command):
    proj = make_project()
    _swap_config(proj, kind)
    result = proj.run(command)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: {proj.root / 'config.yaml'}: ") and words in lines[0]
    assert not (proj.root / "public").exists()  # nothing published from it


def test_missing_config_still_says_how_to_fix(tmp_path):
    result = CliRunner().invoke(main, ["status", "--config", str(tmp_path / "config.yaml")])
    assert result.exit_code == 2
    assert "no such file; pass --config PATH or create it" in result.output
