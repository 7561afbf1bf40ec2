"""The folder beside a post named like its file holds that post's files (h20 V3): a PDF, a
``.txt`` or a ``.md`` there is published with the post and linked, never read as a post of its
own (even with a date), never an error, and so never what keeps a deleted post on the site."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import Project, post

BODY = ("[the notes](2026-10-21-song/notes.pdf#page=2), [lyrics](2026-10-21-song/lyrics.txt) "
        "and [readme](2026-10-21-song/README.md)")
FILES = {
    "posts/2026-10-21-song/notes.pdf": b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n",
    "posts/2026-10-21-song/lyrics.txt": "Lyrics of the song\n\nla la la\n",
    # a text with a date line and front matter: what would make a post anywhere else
    "posts/2026-10-21-song/README.md": "---\ntitle: Private notes\ndate: 2026-10-01\n---\n"
                                       "# not a post\n",
    "posts/2026-10-21-song/2026-10-20-take2.txt": "Take two\nDate: 2026-10-20\n\nsecond take\n",
}


def _errors(result) -> list[str]:
    return [ln for ln in result.output.splitlines() if ln.startswith("Error:")]


def _post_pages(proj: Project) -> list[str]:
    return sorted(p.parent.name for p in proj.public("posts").glob("*/index.html"))


def test_files_beside_a_post_are_published_with_it_and_a_deleted_post_still_comes_down(
        tmp_path):
    proj = new_project(tmp_path / "p", {
        "posts/2026-10-20-to-delete.md": post("To delete", "2026-10-20"),
    })
    assert proj.run("publish").exit_code == 0
    assert _post_pages(proj) == ["to-delete"]
    proj.write("posts/2026-10-21-song.md", post("Song", "2026-10-21", BODY))
    for name, content in FILES.items():
        proj.write(name, content)
    result = proj.run("publish")
    assert result.exit_code == 0 and _errors(result) == [], result.output
    assert "Traceback" not in result.output and "not published" not in result.output
    assert re.search(r"Collected: 1 new\b.*\b0 failed", result.output), result.output
    assert _post_pages(proj) == ["song", "to-delete"]  # no post made of the files
    page = proj.read("posts/song/index.html").decode()
    for rel in ("notes.pdf#page=2", "lyrics.txt", "README.md"):
        assert f'href="2026-10-21-song/{rel}"' in page, rel
    for name, content in FILES.items():
        if "take2" in name:
            continue  # not linked: not published, and not a post either
        published = proj.public("posts/song/" + name.removeprefix("posts/"))
        want = content if isinstance(content, bytes) else content.encode()
        assert published.read_bytes() == want, name
    assert b"Private notes" not in proj.read("feed.xml")
    assert b"Take two" not in proj.read("feed.xml")

    (proj.root / "posts/2026-10-20-to-delete.md").unlink()
    result = proj.run("publish")
    assert result.exit_code == 0 and _errors(result) == [], result.output
    assert _post_pages(proj) == ["song"]  # the deleted post came down
    assert b"To delete" not in proj.read("feed.xml")
    assert proj.public("posts/song/2026-10-21-song/lyrics.txt").exists()


def test_a_text_file_elsewhere_under_posts_is_still_a_post_and_its_link_says_where_to_move_it(
        tmp_path):
    """Only the folder named like a post is its files': a text beside the posts is a post, and a
    link to it says how to publish it as a file instead."""
    proj = new_project(tmp_path / "p", {
        "posts/2026-10-21-song.md": post("Song", "2026-10-21", "[other](other/note.md)"),
        "posts/other/note.md": post("A note", "2026-10-02"),
    })
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _post_pages(proj) == ["note", "song"]
    said = [ln for ln in result.output.splitlines() if "other/note.md" in ln]
    assert said and "2026-10-21-song/" in said[0] and "move the file" in said[0], result.output


NAMES = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,12}", fullmatch=True)
SUFFIX = st.sampled_from([".md", ".txt", ".markdown", ".pdf", ".csv", ".yaml"])
TEXTS = st.sampled_from([
    "plain words\n",
    "---\ntitle: Looks like a post\ndate: 2026-10-05\n---\nbody\n",
    "Title line\nDate: 2026-10-06\n\nbody\n",
    "---\ntitle: [broken\n---\n",  # front matter that would fail to read as a post
    "",
])


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=st.dictionaries(st.tuples(st.sampled_from(["", "sub/"]), NAMES, SUFFIX), TEXTS,
                             min_size=1, max_size=5),
       dated=st.booleans())
def test_whatever_lies_in_a_posts_folder_of_files_is_published_with_it_never_a_post(files,
                                                                                  dated):
    names = {f"{sub}{name}{suffix}": text for (sub, name, suffix), text in files.items()}
    if dated:  # a dated name, as a post's file is named
        names = {f"2026-10-0{i + 1}-{n.replace('/', '-')}": t
                 for i, (n, t) in enumerate(names.items())}
    body = " ".join(f"[{i}](2026-10-21-song/{n})" for i, n in enumerate(names))
    with tempfile.TemporaryDirectory() as tmp:
        proj = new_project(Path(tmp) / "p", {
            "posts/2026-10-21-song.md": post("Song", "2026-10-21", body),
            **{f"posts/2026-10-21-song/{n}": t for n, t in names.items()},
        })
        result = proj.run("publish")
        assert result.exit_code == 0 and _errors(result) == [], result.output
        assert "Traceback" not in result.output
        assert _post_pages(proj) == ["song"], result.output
        for n, text in names.items():  # every linked file published, byte for byte
            published = proj.public(f"posts/song/2026-10-21-song/{n}")
            assert published.read_text(encoding="utf-8") == text, n


def test_posts_published_from_a_folder_stay_posts_when_a_post_named_like_it_appears(tmp_path):
    """A series published from posts/travel/ stays published (and editable) when posts/travel.md
    is added beside it: folders where the catalog has items are walked as before, never taken
    for the new post's files (which would take the series down)."""
    import feedparser

    proj = new_project(tmp_path / "p", {
        "posts/travel/day1.md": post("Day one", date="2026-10-01", body="First day."),
        "posts/travel/day2.md": post("Day two", date="2026-10-02", body="Second day.")})
    assert proj.run("publish").exit_code == 0
    proj.write("posts/travel.md", post("Travel", date="2026-10-03", body="The whole trip."))
    proj.write("posts/travel/day2.md", post("Day two", date="2026-10-02", body="Edited day."))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    titles = sorted(e.title for e in feedparser.parse(proj.read("feed.xml")).entries)
    assert titles == ["Day one", "Day two", "Travel"]
    assert b"Edited day." in proj.read("feed.xml")
