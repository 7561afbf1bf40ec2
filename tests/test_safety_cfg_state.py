"""H8: a state folder or a catalog that cannot be one is a config error naming its line (exit 2),
worded for what the path is: a device, a file or a pipe given as the state folder; a file that
was never a catalog (config.yaml itself, a post, some audio); a link to nowhere. A catalog or
state folder inside the site is told to move out of it, not to publish elsewhere."""

from __future__ import annotations

import os

import pytest

from conftest import BASE_CONFIG, post, tone


def _errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def _line_of(config: str, needle: str) -> int:
    return next(i for i, line in enumerate(config.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("kind, words", [("devnull", "is a device, not a folder"),
                                         ("file", "is a file, not a folder"),
                                         ("fifo", "is a named pipe (FIFO), not a folder"),
                                         ("under-file", "is a file, not a folder")])
@pytest.mark.parametrize("command", ["publish", "status", "release-due"])
def test_a_state_folder_that_is_not_a_folder_is_one_config_error(make_project, kind, words,
                                                                  command):
    state = {"devnull": "/dev/null", "file": "config.yaml", "fifo": "pipe",
             "under-file": "config.yaml/state"}[kind]
    config = BASE_CONFIG + f"paths:\n  state: {state}\n"
    proj = make_project({"posts/a.md": post("A"), "config.yaml": config})
    if kind == "fifo":
        os.mkfifo(proj.root / "pipe")
    before = (proj.root / "config.yaml").read_bytes()
    result = proj.run(command)
    assert result.exit_code == 2, result.output
    errors = _errors(result)
    assert len(errors) == 1, result.output
    line = _line_of(config, "state:")
    assert errors[0].startswith(f"Error: {proj.root / 'config.yaml'}:{line}: 'paths.state': "), \
        errors[0]
    assert words in errors[0] and "'.syndicate'" in errors[0], errors[0]
    assert "Traceback" not in result.output and "Errno" not in result.output
    assert (proj.root / "config.yaml").read_bytes() == before
    assert not (proj.root / "public").exists()


@pytest.mark.parametrize("what", ["config", "post", "audio", "text"])
@pytest.mark.parametrize("command", ["publish", "status"])
def test_a_file_that_was_never_a_catalog_is_named_not_called_damaged(make_project, what,
                                                                      command):
    name = {"config": "config.yaml", "post": "notes/a.md", "audio": "take.mp3",
            "text": "catalog.txt"}[what]
    config = BASE_CONFIG + f"catalog: {name}\n"
    proj = make_project({"posts/a.md": post("A"), "config.yaml": config,
                         "notes/a.md": post("Kept apart"), "take.mp3": tone(0.5),
                         "catalog.txt": "guid,title\n1,A\n"})
    path = proj.root / name
    before = path.read_bytes()
    result = proj.run(command)
    assert result.exit_code == 2, result.output
    errors = _errors(result)
    assert len(errors) == 1, result.output
    line = _line_of(config, "catalog:")
    assert errors[0].startswith(f"Error: {proj.root / 'config.yaml'}:{line}: 'catalog': "), \
        errors[0]
    assert "backup" not in errors[0], errors[0]
    if what == "config":
        assert "names config.yaml itself" in errors[0], errors[0]
    else:
        assert "is not a catalog" in errors[0], errors[0]
    assert "point 'catalog' at" in errors[0], errors[0]
    assert path.read_bytes() == before
    assert not (proj.root / "public").exists()


def test_a_catalog_link_to_nowhere_is_one_config_error(make_project):
    config = BASE_CONFIG + "catalog: dangling.db\n"
    proj = make_project({"posts/a.md": post("A"), "config.yaml": config})
    (proj.root / "dangling.db").symlink_to(proj.root / "nowhere" / "x.db")
    result = proj.run("publish")
    assert result.exit_code == 2, result.output
    errors = _errors(result)
    assert len(errors) == 1 and f":{_line_of(config, 'catalog:')}: 'catalog': " in errors[0]
    assert "a link to" in errors[0] and "which does not exist" in errors[0], errors[0]
    assert not (proj.root / "nowhere").exists()


@pytest.mark.parametrize("setting, value, advice", [
    ("catalog", "public/cat.db", "move the catalog out of the site, such as "
                                 "'.syndicate/catalog.db'"),
    ("state", "public", "move the state folder out of the site, such as '.syndicate'"),
    ("state", "public/state", "move the state folder out of the site, such as '.syndicate'")])
def test_a_catalog_or_state_inside_the_target_is_told_to_move_not_to_publish_elsewhere(
        make_project, setting, value, advice):
    extra = f"catalog: {value}\n" if setting == "catalog" else f"paths:\n  state: {value}\n"
    proj = make_project({"posts/a.md": post("A"), "config.yaml": BASE_CONFIG + extra})
    result = proj.run("publish")
    assert result.exit_code == 2, result.output
    errors = _errors(result)
    assert len(errors) == 1, result.output
    assert advice in errors[0], errors[0]
    assert "such as 'public'" not in errors[0], errors[0]
