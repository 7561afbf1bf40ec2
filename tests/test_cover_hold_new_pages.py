"""While the show's cover is damaged every page and feed keeps its last version and edits wait:
that holds for pages that did not exist before too (a tag page an edit brings), which would
otherwise go live showing the held edit while every other page shows the old one."""

from __future__ import annotations

import pytest
from test_cover_cut import _errors, cut
from test_pages import new_project

from conftest import BASE_CONFIG, png_bytes, post


def _tree(proj) -> dict[str, bytes]:
    """The published files (syndicate's own bookkeeping in .syndicate/ aside)."""
    public = proj.root / "public"
    found = {p.relative_to(public).as_posix(): p for p in sorted(public.rglob("*"))}
    return {k: p.read_bytes() for k, p in found.items()
            if p.is_file() and not k.startswith(".syndicate/")}


@pytest.mark.parametrize("tags", ["[rust, newtag]", "[newtag]", "[rust, 'C++', Überall, a b]"])
@pytest.mark.parametrize("retitle_site", [False, True])
def test_an_edit_bringing_a_new_tag_page_writes_nothing_while_the_cover_is_damaged(
        tmp_path, tags, retitle_site):
    proj = new_project(tmp_path / "p", {
        "posts/a.md": post("Rusty", tags="[rust]"),
        "posts/b.md": post("Other", date="2026-10-02", tags="[welcome]"),
    })
    proj.write("cover.png", png_bytes(1400, 1400))
    assert proj.run("publish").exit_code == 0
    before = _tree(proj)
    proj.write("cover.png", cut(png_bytes(1400, 1400), 0.5))
    proj.write("posts/a.md", post("Rusty Renamed", tags=tags))
    if retitle_site:
        proj.write("config.yaml", BASE_CONFIG.replace("title: ", "title: Renamed ", 1))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = _errors(result)
    assert len(errors) == 1 and "cover.png" in errors[0], result.output
    # nothing written: no new tag page, no page or feed changed
    assert _tree(proj) == before
    # fixed: the edit and its new tag pages go out together
    proj.write("cover.png", png_bytes(1400, 1400, rgb=(9, 9, 9)))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    after = _tree(proj)
    new_tags = [k for k in after if k.startswith("tags/") and k not in before]
    assert new_tags and all(b"Rusty Renamed" in after[k] for k in new_tags), new_tags


@pytest.mark.parametrize("added", ["image beside the post", "new static file"])
def test_a_file_new_to_the_site_waits_too_while_the_cover_is_damaged(tmp_path, added):
    proj = new_project(tmp_path / "p", {"posts/2026-10-01-a.md": post("Rusty", tags="[rust]")})
    proj.write("cover.png", png_bytes(1400, 1400))
    assert proj.run("publish").exit_code == 0
    before = _tree(proj)
    proj.write("cover.png", cut(png_bytes(1400, 1400), 0.5))
    if added == "image beside the post":
        proj.write("posts/2026-10-01-a/pic.png", png_bytes(40, 30))
        proj.write("posts/2026-10-01-a.md",
                   post("Rusty", tags="[rust]", body="![a pic](2026-10-01-a/pic.png)"))
    else:
        proj.write("theme/static/extra.css", "body { color: red }\n")
        proj.write("config.yaml", BASE_CONFIG + "theme: theme\n")
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cover.png" in result.output
    assert _tree(proj) == before  # nothing written, the new file neither
    proj.write("cover.png", png_bytes(1400, 1400, rgb=(9, 9, 9)))
    assert proj.run("publish").exit_code == 0
    assert len(_tree(proj)) > len(before)
