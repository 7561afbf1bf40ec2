"""A target where the build reads the theme (its static/ or templates/) is refused at load, as
a target inside posts/ is (h20 V8): else each publish read the site back as the theme's static
files and published it again one level deeper. A theme at the project (``theme: .``), whose
target lies beside its templates/ and static/, is still fine."""

from __future__ import annotations

import pytest
from test_pages import new_project

from conftest import BASE_CONFIG, post


def _config(target: str, theme: str) -> str:
    assert "\ntarget: public\n" in BASE_CONFIG
    return BASE_CONFIG.replace("\ntarget: public\n", f"\ntarget: {target}\n") + \
        f"theme: {theme}\n"


@pytest.mark.parametrize(("target", "theme", "names"), [
    ("mytheme/static", "mytheme", "static/"),  # the tester's case
    ("mytheme/static/site", "mytheme", "static/"),
    ("mytheme/templates", "mytheme", "templates/"),
    ("mytheme", "mytheme", "static/"),  # the theme is the target
    ("public", "public/th", "static/"),  # the theme inside the target
])
def test_a_target_where_the_theme_is_read_is_refused_naming_both(tmp_path, target, theme,
                                                                 names):
    files = {"posts/a.md": post("A"), f"{theme}/static/x.css": "a{}",
             f"{theme}/templates/.keep": ""}
    proj = new_project(tmp_path / "p", files, _config(target, theme))
    for _ in range(2):
        result = proj.run("publish")
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
        assert errors and all("config.yaml:" in e for e in errors), result.output
        said = [e for e in errors if f"the theme's {names}" in e]
        assert said and "'target'" in said[0] and "of its own" in said[0], result.output
    written = sorted(p.relative_to(proj.root).as_posix() for p in proj.root.rglob("*")
                     if p.is_file())
    assert sorted(files) == sorted(n for n in written if n in files)  # the theme untouched
    assert not any(n.endswith(("feed.xml", "index.html")) for n in written), written


def test_a_theme_at_the_project_with_the_target_beside_its_folders_publishes(tmp_path):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A"), "static/x.css": "a{}"},
                       _config("public", "."))
    for _ in range(2):
        result = proj.run("publish")
        assert result.exit_code == 0, result.output
    assert proj.read("static/x.css") == b"a{}"
    assert not proj.public("static/static").exists()
