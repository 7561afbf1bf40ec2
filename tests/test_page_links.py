"""A released post linking the page of a post that is not released (a draft, queued, dated
later) or of no item at all (h23 Z14): each such link is a warning naming the file, its line and
the address, on publish and in a preview that shows drafts; the link is left as written (it
works once the other item is out). Generated: every spelling of an address to the site's own
pages, with its known answer."""

from __future__ import annotations

import pytest
from test_pages import BASE, new_project

from conftest import post

# spellings of an address, from the page posts/public/, with the page each leads to (None: no
# item page: elsewhere, a file, a place on the page, another kind of page)
SPELLINGS = {
    "../{slug}/": "posts/{slug}/",
    "../{slug}": "posts/{slug}/",
    "../{slug}/index.html": "posts/{slug}/",
    "../{slug}/#part-2": "posts/{slug}/",
    "/posts/{slug}/": "posts/{slug}/",
    BASE + "posts/{slug}/#top": "posts/{slug}/",
    "../../posts/{slug}/": "posts/{slug}/",
    "https://elsewhere.test/posts/{slug}/": None,
    "../{slug}/pic.png": None,
    "../{slug}.png": None,
    "#{slug}": None,
    "../../tags/{slug}/": None,
    "mailto:{slug}@example.test": None,
}
TARGETS = {  # the slug each kind of target has, and what the warning says of it
    "draft": ("secret-plans", "which is not released (a draft)"),
    "future": ("later-plans", "which is not released (dated 2026-12-20"),
    "none": ("no-such-post", "which no post or episode of the site has"),
    "released": ("old-news", None),
}


def _body(links: list[str]) -> str:
    return "\n\n".join(f"Line {n}: see [it]({link})." for n, link in enumerate(links))


def _project(tmp_path, links: list[str]):
    return new_project(tmp_path / "p", {
        "posts/2026-10-01-public.md": post("Public", "2026-10-01", body=_body(links)),
        "posts/secret-plans.md": post("Secret plans", "2026-09-20", draft="true"),
        "posts/later-plans.md": post("Later plans", "2026-12-20"),
        "posts/old-news.md": post("Old news", "2026-09-01"),
    })


def _said(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if "the link '" in ln and "' leads to " in ln]


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_each_spelling_of_a_link_to_an_unreleased_or_missing_page_is_named_with_its_line(
        tmp_path, target):
    slug, words = TARGETS[target]
    links = [s.format(slug=slug) for s in SPELLINGS]
    proj = _project(tmp_path, links)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    said = _said(result.output)
    want = [(n, link) for n, link in enumerate(links)
            if SPELLINGS[list(SPELLINGS)[n]] is not None and words is not None]
    assert len(said) == len(want), result.output
    for (n, link), line in zip(want, said, strict=True):
        # the body's n-th paragraph is on line 6 + 2n of the file (front matter, a blank line)
        assert line.startswith(f"Warning: posts/2026-10-01-public.md:{6 + 2 * n}: the link "
                               f"{link!r} leads to "), line
        assert words in line, line
    # the link is left as written
    page = proj.read("posts/public/index.html").decode()
    assert f'href="{links[0]}"' in page


def test_the_link_to_a_draft_is_named_until_it_is_released_and_then_is_not(tmp_path):
    proj = _project(tmp_path, ["../later-plans/"])
    first = proj.run("publish")
    assert "the link '../later-plans/' leads to the page of posts/later-plans.md, which is " \
        "not released (dated 2026-12-20" in first.output, first.output
    later = proj.run("publish", now="2026-12-21T12:00:00+00:00")
    assert later.exit_code == 0, later.output
    assert not _said(later.output), later.output
    assert proj.public("posts/later-plans/index.html").is_file()


def test_a_preview_showing_drafts_names_the_link_to_a_draft_too(tmp_path):
    from syndicate.config import load_config
    from syndicate.serve.preview import Preview

    proj = _project(tmp_path, ["../secret-plans/"])
    preview = Preview(proj.root / "config.yaml", "http://127.0.0.1:9/", drafts=True)
    try:
        preview.start(load_config(proj.root / "config.yaml"))
        outcome = preview.build()
    finally:
        preview.close()
    assert outcome.ok, outcome.errors
    said = [w for w in outcome.warnings if "the link '../secret-plans/'" in w]
    assert said and "not released (a draft)" in said[0], outcome.warnings
