"""A file a live post links that is missing for a moment (the posts folder unmounted, renamed,
half-way through a `git checkout`; the post's image folder moved away) takes nothing off the
site (h23 Z11): the published copy stays, and the page and the feeds keep linking it, until
the file is back (nothing is written then) or the post no longer links it."""

from __future__ import annotations

import shutil

import pytest
from test_pages import doc, new_project

from conftest import png_bytes, post, s3_config, s3_keys

RED, BLUE, GREEN = png_bytes(30, 20, (200, 0, 0)), png_bytes(20, 30, (0, 0, 200)), \
    png_bytes(10, 10, (0, 150, 0))
# each way a link names a file beside a post: a plain path (published under the same path
# beside the page), a name with spaces and a '#' (published by its content, the link
# rewritten), the folder named like the post (an imported post's images, one not linked)
LINKS = {
    "plain": "img/red.png",
    "encoded": "img/wide%20pic%20%231.png",
    "own-folder": "2026-10-02-table/blue.png",
}
FILES = {
    "posts/img/red.png": RED,
    "posts/img/wide pic #1.png": RED + b"\0",  # (another file: a key of its own)
    "posts/2026-10-02-table/blue.png": BLUE,
    "posts/2026-10-02-table/unlinked.png": GREEN,
}


def _project(tmp_path):
    body = " ".join(f"![{name}]({link})" for name, link in LINKS.items())
    return new_project(tmp_path / "p", {
        "posts/2026-10-02-table.md": post("Table", "2026-10-02", body=f"Text. {body}\n\nEnd."),
        "posts/2026-10-03-other.md": post("Other", "2026-10-03", body="No files."),
        **FILES,
    })


def _site(proj) -> dict[str, bytes]:
    public = proj.root / "public"
    return {p.relative_to(public).as_posix(): p.read_bytes() for p in public.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(
                public).parts)}  # (the folder's own records left out)


def _images(proj) -> dict[str, bytes]:
    """{alt: the bytes the page's image leads to} for the post's images."""
    page = doc(proj, "posts/table/index.html")
    out = {}
    for img in page.xpath("//main//img"):
        path = (proj.root / "public/posts/table" / img.get("src")).resolve()
        out[img.get("alt")] = path.read_bytes() if path.is_file() else None
    return out


WANT = {"plain": RED, "encoded": RED + b"\0", "own-folder": BLUE}


@pytest.mark.parametrize("away", ["posts", "posts/img", "posts/2026-10-02-table"])
def test_a_folder_missing_for_a_moment_takes_nothing_off_the_site(tmp_path, away):
    proj = _project(tmp_path)
    first = proj.run("publish")
    assert first.exit_code == 0, first.output
    assert _images(proj) == WANT
    before = _site(proj)
    unlinked: list[str] = []

    shutil.move(proj.root / away, tmp_path / "away")
    dry = proj.run("publish", "--dry-run")
    planned = [ln.split() for ln in dry.output.splitlines() if ln.startswith("  ")]
    assert not [p for p in planned if p[0] == "write" or (
        p[0] == "delete"
        and not (away == "posts/2026-10-02-table" and p[1].endswith("/unlinked.png")))
                ], dry.output
    missing = proj.run("publish")
    if away == "posts":  # the folder itself: an error, the posts kept as they are
        assert missing.exit_code == 1, missing.output
        assert "posts folder not found" in missing.output
    else:
        assert missing.exit_code == 0, missing.output
    after = _site(proj)
    if away == "posts/2026-10-02-table":
        # the post is there and its folder is not: the image no page links goes (a folder
        # taken away takes its files down), those the post links stay with it
        unlinked = [k for k in before if k.endswith("/unlinked.png")]
        assert unlinked and not [k for k in after if k.endswith("/unlinked.png")]
        before = {k: v for k, v in before.items() if k not in unlinked}
    assert after == before, missing.output
    if away != "posts":  # each file missing is named, and what became of it
        gone = [ln for ln in missing.output.splitlines() if "published copy stays" in ln]
        assert gone and all("posts/2026-10-02-table.md" in ln for ln in gone), missing.output

    shutil.move(tmp_path / "away", proj.root / away)
    back = proj.run("publish")
    assert back.exit_code == 0, back.output
    assert "deleted 0" in back.output, back.output
    assert _site(proj) == {**before, **{k: GREEN for k in unlinked}} \
        if away == "posts/2026-10-02-table" else before


def test_a_vanished_file_stays_while_its_post_is_unchanged_and_goes_with_an_edit(tmp_path):
    proj = _project(tmp_path)
    assert proj.run("publish").exit_code == 0
    (proj.root / "posts/img/wide pic #1.png").unlink()
    (proj.root / "posts/img/red.png").unlink()
    for _ in range(2):  # (the second publish plans what the first recorded)
        kept = proj.run("publish")
        assert kept.exit_code == 0, kept.output
        assert _images(proj) == WANT
        for name in ("posts/img/red.png", "posts/img/wide pic #1.png"):
            assert f"{name}: not found; linked from posts/2026-10-02-table.md: its published " \
                "copy stays" in kept.output, kept.output
    # the post edited: it is read again, and a link to a file not there is named with its line
    # and left as written; the copies no page links any more go
    proj.write("posts/2026-10-02-table.md", post(
        "Table", "2026-10-02", body="Edited.\n\n![plain](img/red.png)"))
    edited = proj.run("publish")
    assert edited.exit_code == 0, edited.output
    assert "posts/2026-10-02-table.md:8: the image 'img/red.png' names no file beside" \
        in edited.output, edited.output
    assert "Edited." in proj.read("posts/table/index.html").decode()
    site = _site(proj)
    assert RED not in site.values() and RED + b"\0" not in site.values()
    assert "published copy stays" not in edited.output


def test_a_file_never_published_that_is_missing_is_still_named(tmp_path):
    """(what held before: a file that vanished before its first publish cannot be kept)"""
    proj = _project(tmp_path)
    (proj.root / "posts/img/red.png").unlink()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "img/red.png" in result.output and "names no file beside" in result.output


def test_the_preview_keeps_a_vanished_files_copy_too(tmp_path):
    """`serve` builds through the same publish: its folder keeps the image and its page."""
    from syndicate.config import load_config
    from syndicate.serve.preview import Preview

    proj = _project(tmp_path)
    preview = Preview(proj.root / "config.yaml", "http://127.0.0.1:9/")
    try:
        preview.start(load_config(proj.root / "config.yaml"))
        first = preview.build()
        assert first.ok, first.errors
        site = preview.site_dir
        page = (site / "posts/table/index.html").read_bytes()
        files = {p.relative_to(site).as_posix(): p.read_bytes()
                 for p in site.glob("posts/**/*.png")}
        assert len(files) == 4, files
        shutil.move(proj.root / "posts/img", tmp_path / "away")
        again = preview.build()
        assert again.ok, again.errors
        assert any("published copy stays" in w for w in again.warnings), again.warnings
        assert (site / "posts/table/index.html").read_bytes() == page
        assert {p.relative_to(site).as_posix(): p.read_bytes()
                for p in site.glob("posts/**/*.png")} == files
    finally:
        preview.close()


def test_a_site_published_before_the_keys_were_recorded_keeps_its_copies_too(tmp_path):
    """A catalog from before the keys of linked files were recorded: a file published by its
    content is found as the one file of its kind under the item's files/ no other link takes."""
    from syndicate.catalog import open_catalog
    from syndicate.config import load_config
    from syndicate.publish.linked import LINKED_KEYS

    proj = _project(tmp_path)
    assert proj.run("publish").exit_code == 0
    before = _site(proj)
    with open_catalog(load_config(proj.root / "config.yaml").catalog_path) as cat:
        assert cat.get_meta(LINKED_KEYS)
        cat.conn.execute("DELETE FROM meta WHERE key = ?", (LINKED_KEYS,))
    shutil.move(proj.root / "posts/img", tmp_path / "away")
    missing = proj.run("publish")
    assert missing.exit_code == 0, missing.output
    assert _site(proj) == before, missing.output
    assert _images(proj) == WANT


def test_on_s3_the_posts_folder_missing_deletes_and_writes_no_object(tmp_path, s3_endpoint,
                                                                      bucket):
    body = " ".join(f"![{name}]({link})" for name, link in LINKS.items())
    proj = new_project(tmp_path / "p", {
        "posts/2026-10-02-table.md": post("Table", "2026-10-02", body=body), **FILES,
    }, config=s3_config(s3_endpoint))
    first = proj.run("publish")
    assert first.exit_code == 0, first.output
    before = s3_keys(bucket)
    assert len([k for k in before if k.startswith("site/posts/table/") and
                k.endswith(".png")]) == 4, before
    shutil.move(proj.root / "posts", tmp_path / "away")
    missing = proj.run("publish")
    assert missing.exit_code == 1 and "posts folder not found" in missing.output, missing.output
    assert s3_keys(bucket) == before, missing.output


@pytest.mark.parametrize("edited", [False, True, "force"])
@pytest.mark.parametrize("folder", ["posts/2026-10-02-table", "posts/img"])
def test_a_folder_that_cannot_be_read_takes_nothing_off_the_site(tmp_path, folder, edited):
    """h25 B6: the folder of a post's images made unreadable (as a user without root's
    override), the post edited or not: the live images stay, the page keeps linking them, an
    edit waits with an error naming the file (not "not found"); once readable again the next
    publish puts out the edit with every image."""
    from test_safety_collect import _unprivileged

    proj = _project(tmp_path)
    assert proj.run("publish").exit_code == 0
    before = _site(proj)
    path = proj.root / folder
    mode = path.stat().st_mode
    if edited:
        src = proj.root / "posts/2026-10-02-table.md"
        src.write_text(src.read_text().replace("Text.", "Text, edited."))
    path.chmod(0)
    try:
        result = _unprivileged(proj, "publish", *(["--force"] if edited == "force" else []))
        if edited == "force":  # and a plain one after it (h25 B6: it deleted them then)
            assert _site(proj) == before, result.stdout + result.stderr
            result = _unprivileged(proj, "publish")
    finally:
        path.chmod(mode)
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out
    assert "not found" not in out and "names no file" not in out, out
    assert "permission denied" in out, out
    assert result.returncode == 1, out  # (the folder itself is named)
    assert _site(proj) == before, out  # nothing taken off, nothing half-edited
    back = proj.run("publish")
    assert back.exit_code == 0, back.output
    assert _images(proj) == WANT
    assert ("Text, edited." in proj.read("posts/table/index.html").decode()) == bool(edited)


def test_an_episodes_folder_of_files_that_cannot_be_read_takes_nothing_off_the_site(tmp_path):
    """h25 B6, an episode: the folder holding the image its notes show made unreadable while
    its sidecar is edited: the live image stays; once readable the edit goes out with it."""
    from test_safety_collect import _unprivileged

    from conftest import sidecar, tone

    proj = new_project(tmp_path / "p", {
        "episodes/001-pilot.mp3": tone(1.0),
        "episodes/001-pilot.yaml": sidecar("Pilot", notes='"Notes. ![map](001-pilot/map.png)"'),
        "episodes/001-pilot/map.png": BLUE,
    })
    assert proj.run("publish").exit_code == 0
    before = _site(proj)
    assert BLUE in before.values()
    folder = proj.root / "episodes/001-pilot"
    side = proj.root / "episodes/001-pilot.yaml"
    side.write_text(side.read_text().replace("title: Pilot", "title: Pilot, again"))
    folder.chmod(0)
    try:
        result = _unprivileged(proj, "publish")
    finally:
        folder.chmod(0o755)
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "permission denied" in out, out
    assert _site(proj) == before, out
    back = proj.run("publish")
    assert back.exit_code == 0, back.output
    site = _site(proj)
    assert BLUE in site.values() and b"Pilot, again" in proj.read("podcast.xml")
