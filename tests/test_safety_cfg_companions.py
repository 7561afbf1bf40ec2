"""F8: rebuilding the site (its folder gone, a new target) reads an episode's art and transcript
as collect does: a FIFO, a device or a link out of episodes/ in their place is named, never read
(no hang), and the rest of the site is published."""

from __future__ import annotations

import os
import subprocess
import sys

import feedparser
import pytest

from conftest import BASE_CONFIG, NOW, png_bytes, post, sidecar, tone

VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nHello there.\n"


def _publish(proj) -> subprocess.CompletedProcess:
    # a subprocess with a timeout: a read that blocks fails the test instead of hanging it
    return subprocess.run([sys.executable, "-m", "syndicate", "publish", "--config",
                           str(proj.root / "config.yaml"), "--now", NOW],
                          capture_output=True, text=True, timeout=240, cwd=proj.root)


def _swap(path, kind: str, outside) -> None:
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:  # a link to a file outside episodes/ holding the very bytes last checked
        outside.write_bytes(VTT.encode() if path.suffix == ".vtt" else png_bytes())
        path.symlink_to(outside)


@pytest.mark.parametrize("kind", ["fifo", "device", "outside"])
@pytest.mark.parametrize("companion", ["transcript", "image"])
def test_rebuild_never_reads_a_companion_that_is_not_a_plain_file_inside(
        make_project, tmp_path, kind, companion):
    files = {"posts/a.md": post("A"), "episodes/one.mp3": tone(1.0),
             "episodes/one.yaml": sidecar("One", transcript="one.vtt", image="one.png"),
             "episodes/one.vtt": VTT, "episodes/one.png": png_bytes(),
             "episodes/two.mp3": tone(1.0, freq=660),
             "episodes/two.yaml": sidecar("Two", date="2026-10-02 08:00")}
    proj = make_project(files, config=BASE_CONFIG)
    first = _publish(proj)
    assert first.returncode == 0, first.stderr
    subprocess.run(["rm", "-rf", str(proj.root / "public")], check=True)
    name = "one.vtt" if companion == "transcript" else "one.png"
    _swap(proj.root / "episodes" / name, kind, tmp_path / f"elsewhere-{name}")

    result = _publish(proj)  # (a hang raises TimeoutExpired)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors and all("episodes/one.yaml" in e for e in errors), result.stderr
    assert "Traceback" not in result.stderr
    warned = [w for w in result.stderr.splitlines()
              if w.startswith("Warning: episodes/one.yaml") and name in w]
    assert warned, result.stderr  # the companion left out is named, with why
    feed = feedparser.parse(proj.read("podcast.xml"))
    assert sorted(e.title for e in feed.entries) == ["One", "Two"]  # nothing lost
    for entry in feed.entries:
        enclosure = entry.enclosures[0]
        media = proj.public(enclosure.href.removeprefix("https://example.test/"))
        assert media.stat().st_size == int(enclosure.length)
    assert len(feedparser.parse(proj.read("feed.xml")).entries) == 1
    published = list((proj.root / "public").rglob("*"))
    if companion == "transcript":
        assert not [p for p in published if p.suffix == ".vtt"]
    else:
        assert not [p for p in published if p.name.startswith("cover-") and "one" in str(p)]
