"""A feed's key can be no name the site's own pages and folders take: a bare folder name
(`posts`, `episodes`, `tags`, `media`, `static`) included, and a page key however it is spelt
(`./index.html`). Each is refused at load as config.yaml:LINE, exit 2, with the reason, before
anything is written; the names come from one list, the one the site is written by, so every
folder and page of a real published site is refused too."""

from __future__ import annotations

import pytest

from conftest import BASE_CONFIG, post, sidecar, tone
from syndicate.publish.keys import FEED_KEYS
from syndicate.sitekeys import FOLDERS, PAGES


def _config(dotted: str, value: str) -> str:
    section, name = dotted.split(".")
    if section == "blog":
        return BASE_CONFIG + f"blog:\n  {name}: {value!r}\n"
    return BASE_CONFIG.replace("podcast:\n", f"podcast:\n  {name}: {value!r}\n", 1)


def _line_of(config: str, name: str) -> int:
    return next(i for i, line in enumerate(config.splitlines(), 1)
                if line.strip().startswith(f"{name}:"))


def _tree(proj) -> dict[str, bytes] | None:
    public = proj.root / "public"
    if not public.exists():
        return None
    return {p.relative_to(public).as_posix(): p.read_bytes() for p in public.rglob("*")
            if p.is_file()}


def _refused(make_project, dotted: str, value: str, proj=None) -> str:
    config = _config(dotted, value)
    if proj is None:
        proj = make_project({"posts/a.md": post("A", tags="[rust]")}, config=config)
    before = _tree(proj)
    proj.write("config.yaml", config)
    result = proj.run("publish")
    assert result.exit_code == 2, (dotted, value, result.output)
    assert "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, result.output
    line = _line_of(config, dotted.split(".")[1])
    assert errors[0].startswith(f"Error: {proj.root / 'config.yaml'}:{line}: '{dotted}': "), \
        errors[0]
    assert _tree(proj) == before  # nothing written
    return errors[0]


@pytest.mark.parametrize("dotted", FEED_KEYS)
@pytest.mark.parametrize("folder", ["posts", "episodes", "tags", "media", "static"])
@pytest.mark.parametrize("spelling", ["{}", "./{}", "{}/"])
def test_a_feed_key_naming_a_folder_of_the_site_is_a_config_error(make_project, dotted, folder,
                                                                  spelling):
    error = _refused(make_project, dotted, spelling.format(folder))
    assert f"{folder}/" in error and "leave the site's folder" not in error, error
    assert FOLDERS[folder] in error


@pytest.mark.parametrize("dotted", ["blog.rss_path", "podcast.json_path"])
@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("spelling", ["{}", "./{}", "posts/../{}"])
def test_a_feed_key_naming_a_page_however_spelt_is_refused_with_the_right_reason(
        make_project, dotted, page, spelling):
    error = _refused(make_project, dotted, spelling.format(page))
    assert PAGES[page] in error and "leave the site's folder" not in error, error


def test_every_folder_and_page_a_published_site_holds_is_refused_as_a_feed_key(make_project):
    proj = make_project({
        "posts/a.md": post("A", tags="[rust, welcome]"),
        "posts/b.md": post("B", date="2026-10-02"),
        "episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(0.5),
    })
    assert proj.run("publish").exit_code == 0
    public = proj.root / "public"
    feeds = {"feed.xml", "atom.xml", "feed.json", "podcast.xml", "podcast.json"}
    names = {p.relative_to(public).as_posix() for p in public.rglob("*")}
    tops = {n.split("/")[0] for n in names} - feeds - {".syndicate"}
    tops = {t for t in tops if not t.startswith(("cover-", "favicon-"))}
    assert {"posts", "episodes", "tags", "media", "static", "index.html"} <= tops, tops
    for top in sorted(tops):
        _refused(make_project, "blog.rss_path", top, proj)


@pytest.mark.parametrize("value", ["podcast.xml/rss", "index.html/feed", "atom.xml/x",
                                   "robots.txt/x", "feed.json/deep/x.xml", "sitemap.xml/a"])
def test_a_feed_key_under_a_file_of_the_site_is_refused_before_anything_is_written(
        make_project, value):
    """A key under another file's key (a page or another feed) would need that file to be a
    folder: refused at load, not blamed on the user's hand at publish (h13 T1)."""
    dotted = "podcast.json_path" if value.startswith("feed.json") else "blog.rss_path"
    error = _refused(make_project, dotted, value)
    assert "a file, not a folder" in error and "by hand" not in error, error


def test_a_feed_key_holding_another_feed_below_it_is_refused(make_project):
    proj = make_project({"posts/a.md": post("A")},
                        config=BASE_CONFIG + "blog:\n  atom_path: feeds/atom.xml\n")
    config = BASE_CONFIG + "blog:\n  atom_path: feeds/atom.xml\n  rss_path: feeds\n"
    proj.write("config.yaml", config)
    result = proj.run("publish")
    assert result.exit_code == 2, result.output
    assert "'feeds/atom.xml' is under feeds, another feed's key" in result.output, result.output
    assert not (proj.root / "public" / "feeds").is_file()


def test_a_feed_moved_under_its_own_old_key_is_refused_as_such_and_the_site_stands(
        make_project):
    """`blog.rss_path: feed.xml/x` on a site whose RSS feed was feed.xml: that file is the
    site's own (its old key), not something put there by hand (h15 V4); the site stands."""
    proj = make_project({"posts/a.md": post("A")})
    assert proj.run("publish").exit_code == 0
    before = _tree(proj)
    proj.write("config.yaml", _config("blog.rss_path", "feed.xml/x"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "feed.xml is a file this site published" in result.output, result.output
    assert "by hand" not in result.output
    assert _tree(proj) == before


@pytest.mark.parametrize("dotted", FEED_KEYS)
@pytest.mark.parametrize("value", ["feeds/", "a/b/", "feed.xml/", "x//"])
def test_a_feed_key_ending_in_a_slash_is_refused(make_project, dotted, value):
    """h18 Y9: `blog.rss_path: feeds/` wrote the feed as a file `feeds` (or an S3 key ending in
    /) while every page linked `/feeds/`, which a server answers 404."""
    error = _refused(make_project, dotted, value)
    assert "ends in '/'" in error or "//" in value, error
