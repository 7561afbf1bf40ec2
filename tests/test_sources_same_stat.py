"""A source changed keeping its size and mtime (cp -p, rsync -a, tar x, touch -r) is still
published, and a live file edited by hand that way is put back by ``publish --force``
(issue 12, hostile re-test h11: R1 and R5).

A file's identity is its whole stat (inode and ctime too, which no rewrite can keep), so a
plain publish sees every such edit without reading a source it need not read; ``--force``
reads every source by its content whatever its stat says, and hashes every live file of a
folder target against the sha256 recorded when it was written. All through the CLI."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import BASE_CONFIG, Project, png_bytes, post, sidecar, tone

SITE = "https://example.test/"
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nquiet water here\n"


def make(tmp_path: Path, linked_posts: bool = False) -> Project:
    proj = Project(tmp_path / "proj")
    proj.root.mkdir()
    proj.write("config.yaml", BASE_CONFIG)
    proj.write("cover.png", png_bytes())
    posts = "posts_real" if linked_posts else "posts"
    proj.write(f"{posts}/2026-10-01-hello.md",
               post("Hello", "2026-10-01", body="The river is grey today."))
    proj.write(f"{posts}/2026-10-02-other.md", post("Other", "2026-10-02", body="Reeds."))
    if linked_posts:
        (proj.root / "posts").symlink_to("posts_real")
    proj.write("episodes/001-a.mp3", tone(1.0, 440))
    proj.write("episodes/001-a.yaml", sidecar("Alpha", transcript="001-a.vtt"))
    proj.write("episodes/001-a.vtt", VTT)
    return proj


def keep_stat_edit(path: Path, new: bytes, in_place: bool) -> None:
    """Give ``path`` the bytes ``new`` (the same size) and put its old mtime back: in place
    (the same inode, as a program writing into the file) or as a new file renamed over it (as
    ``sed -i`` or ``rsync`` do)."""
    st = path.stat()
    assert len(new) == st.st_size
    if in_place:
        with open(path, "r+b") as f:
            f.write(new)
    else:
        tmp = path.with_name(path.name + ".new")
        tmp.write_bytes(new)
        os.replace(tmp, path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def swap(path: Path, old: bytes, new: bytes, in_place: bool) -> None:
    data = path.read_bytes()
    assert old in data and len(old) == len(new)
    keep_stat_edit(path, data.replace(old, new), in_place)


def live(proj: Project, url: str) -> bytes:
    assert url.startswith(SITE), url
    return proj.public(url[len(SITE):]).read_bytes()


def podcast(proj: Project) -> str:
    return proj.read("podcast.xml").decode()


def enclosure(proj: Project) -> bytes:
    return live(proj, re.search(r'<enclosure url="([^"]+)"', podcast(proj)).group(1))


def transcript(proj: Project) -> bytes:
    return live(proj, re.search(r'<podcast:transcript url="([^"]+)"', podcast(proj)).group(1))


def post_shows(proj: Project, text: str) -> bool:
    return text in proj.read("posts/hello/index.html").decode() \
        and text in proj.read("feed.xml").decode()


# what is edited: (edit it, keeping size and mtime; whether the live site shows the edit)
def edit_post(proj, in_place):
    swap(proj.root / "posts/2026-10-01-hello.md", b"grey", b"GREY", in_place)
    return lambda: post_shows(proj, "GREY")


def edit_sidecar(proj, in_place):
    swap(proj.root / "episodes/001-a.yaml", b"Alpha", b"ALPHA", in_place)
    return lambda: "<title>ALPHA</title>" in podcast(proj)


def edit_transcript(proj, in_place):
    swap(proj.root / "episodes/001-a.vtt", b"quiet", b"QUIET", in_place)
    return lambda: b"QUIET water" in transcript(proj)


def edit_audio(proj, in_place):
    before = enclosure(proj)
    keep_stat_edit(proj.root / "episodes/001-a.mp3", tone(1.0, 660), in_place)
    return lambda: enclosure(proj) != before


def edit_through_linked_folder(proj, in_place):
    """The posts folder is a link; a copy made with ``cp -a`` (every file a new inode, every
    time kept) is edited keeping size and mtime, and the link is pointed at it."""
    real, alt = proj.root / "posts_real", proj.root / "posts_alt"
    shutil.copytree(real, alt, copy_function=shutil.copy2)
    shutil.copystat(real, alt)
    swap(alt / "2026-10-01-hello.md", b"grey", b"GREY", in_place)
    os.utime(alt, ns=(real.stat().st_atime_ns, real.stat().st_mtime_ns))
    link = proj.root / "posts"
    tmp = proj.root / "posts.new"
    tmp.symlink_to("posts_alt")
    os.replace(tmp, link)
    return lambda: post_shows(proj, "GREY")


EDITS = {"post": edit_post, "sidecar": edit_sidecar, "transcript": edit_transcript,
         "audio": edit_audio, "posts folder swapped through its link": edit_through_linked_folder}


def wrote(res) -> int:
    m = re.search(r"(?:wrote|would write) (\d+) files", res.output)
    assert m, res.output
    return int(m.group(1))


@pytest.mark.parametrize("in_place", [True, False], ids=["in place", "renamed over"])
@pytest.mark.parametrize("kind", list(EDITS))
def test_a_source_changed_keeping_size_and_mtime_is_published(tmp_path, kind, in_place):
    proj = make(tmp_path, linked_posts=kind.startswith("posts folder"))
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    shows = EDITS[kind](proj, in_place)
    assert not shows()
    dry = proj.run("publish", "--dry-run")  # a dry run sees it too (audio: to encode)
    assert dry.exit_code == 0, dry.output
    assert wrote(dry) > 0 or "encode episodes/001-a.mp3" in dry.output, dry.output
    assert not shows()
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert "1 updated" in res.output, res.output
    assert shows(), res.output
    again = proj.run("publish")  # and then nothing is left to do
    assert again.exit_code == 0 and wrote(again) == 0, again.output


@pytest.mark.parametrize("kind", ["post", "sidecar", "transcript", "audio"])
def test_publish_force_reads_every_source_by_its_content(tmp_path, monkeypatch, kind):
    """Where stat cannot tell a file changed (a file system that keeps no ctime or inode of
    its own: stood in for by a signature that never changes), a plain publish keeps the last
    version, and ``--force`` reads every source and publishes what changed."""
    from syndicate import filestat

    monkeypatch.setattr(filestat, "signature", lambda st: "blind")
    proj = make(tmp_path)
    assert proj.run("publish").exit_code == 0
    shows = EDITS[kind](proj, True)
    res = proj.run("publish")
    assert res.exit_code == 0, res.output
    assert wrote(res) == 0 and not shows(), res.output  # the documented limit of a stat
    res = proj.run("publish", "--force")
    assert res.exit_code == 0, res.output
    assert "1 updated" in res.output, res.output
    assert shows(), res.output
    res = proj.run("publish", "--force")  # nothing changed: read, found the same, kept
    assert res.exit_code == 0 and "0 updated" in res.output and wrote(res) == 0, res.output


@pytest.mark.parametrize("key", ["posts/hello/index.html", "feed.xml", "audio"])
def test_a_live_file_edited_keeping_size_and_mtime_is_put_back(tmp_path, key):
    proj = make(tmp_path)
    assert proj.run("publish").exit_code == 0
    if key == "audio":
        url = re.search(r'<enclosure url="([^"]+)"', podcast(proj)).group(1)
        key = url[len(SITE):]
    path = proj.public(key)
    published = path.read_bytes()
    damaged = bytearray(published)
    damaged[len(damaged) // 2] ^= 0x20
    keep_stat_edit(path, bytes(damaged), in_place=True)
    dry = proj.run("publish", "--dry-run")  # planned, not said as done
    assert dry.exit_code == 0 and wrote(dry) == 1 and "put back" not in dry.output, dry.output
    assert path.read_bytes() == bytes(damaged)
    res = proj.run("publish")  # the inode's ctime tells what size and mtime do not
    assert res.exit_code == 0, res.output
    assert path.read_bytes() == published
    assert wrote(res) == 1, res.output
    said = [ln for ln in res.output.splitlines() if key in ln and "by hand" in ln]
    assert len(said) == 1 and "put back" in said[0], res.output
    for args in ((), ("--force",)):
        again = proj.run("publish", *args)
        assert again.exit_code == 0 and wrote(again) == 0 and "by hand" not in again.output, \
            again.output
