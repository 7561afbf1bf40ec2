"""A WordPress export written by a hostile tester (issue 13): blank-space passwords, pages and
posts carrying podcast audio, links to attachment pages, media-library items. Each item must
end imported or reported, and nothing protected published."""

from __future__ import annotations

import json

import yaml

from conftest import BASE_CONFIG, DATA

HOSTILE = DATA / "import"


def _import(proj, *args):
    result = proj.run("import", *args, "--json", "--config", str(proj.root / "config.yaml"))
    return result, (json.loads(result.output) if result.output.startswith("{") else None)


def _front(path) -> tuple[dict, str]:
    _, fm, body = path.read_text().split("---\n", 2)
    return yaml.safe_load(fm), body


def _written(root) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*")
                     if p.is_file() and p.suffix in (".md", ".yaml", ".html", ".xml")
                     and p.name != "config.yaml")


def test_a_post_whose_password_is_blank_space_is_not_published(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    result, report = _import(proj, str(HOSTILE / "hostile-wxr-1.2.xml"), "--audio", "keep-url")
    assert result.exit_code == 0, result.output
    skipped = {e["title"]: e["reason"] for e in report["skipped"]}
    assert "password" in skipped["Pass empty spaces"]
    assert all(e["title"] != "Pass empty spaces" for e in report["created"])
    assert proj.run("publish", "--config", str(proj.root / "config.yaml")).exit_code == 0
    assert "SECRET-PW-SPACES" not in _written(proj.root)


def test_a_page_carrying_podcast_audio_keeps_it_as_a_draft_episode(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    result, report = _import(proj, str(HOSTILE / "hostile-wxr-episodes.txt"),
                             "--audio", "keep-url")
    assert result.exit_code == 0, result.output
    made = {e["guid"]: e["file"] for e in report["created"]}
    assert made["https://old.example/?p=307"].startswith("episodes/")
    meta = yaml.safe_load((proj.root / made["https://old.example/?p=307"]).read_text())
    assert meta["audio_url"] == "https://media.old.example/pg.mp3"
    assert (meta["duration"], meta["number"], meta["draft"]) == (1880, 5, True)
    flagged = [e["reason"] for e in report["flagged"] if e["guid"] == "https://old.example/?p=307"]
    assert flagged and "page" in flagged[0] and "draft" in flagged[0]
