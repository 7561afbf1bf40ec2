"""Short catalog writes from another command (queue, unqueue) while a publish encodes are picked
up by that publish: neither side fails with "the catalog is locked"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_audio, post, sidecar, wait_until

EXE = Path(sys.executable).with_name("syndicate")
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "syndicate"]
NOW = "2026-11-01T12:00:00+00:00"


def _cli(proj, *args) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args, "--config", str(proj.root / "config.yaml"),
                           "--now", NOW], cwd=proj.root, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_a_queue_during_a_long_encode_is_picked_up_by_that_publish(make_project):
    proj = make_project({"posts/old.md": post("Old post", date="2026-10-01"),
                         "posts/ahead.md": post("The year ahead", date="2027-01-10",
                                                body="Ahead-words-7")})
    assert _cli(proj, "publish").returncode == 0
    make_audio(proj.root / "episodes/long.wav", 900, kind="tone")
    proj.write("episodes/long.yaml", sidecar("Long", date="2026-10-25 06:00"))
    publish = subprocess.Popen([*CMD, "publish", "--config", str(proj.root / "config.yaml"),
                                "--now", NOW], cwd=proj.root, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        media = proj.root / ".syndicate/media"
        assert wait_until(lambda: any(media.glob(".encode-*")), timeout=120)
        queued = _cli(proj, "queue", "posts/ahead.md", "--at", "now")
        assert queued.returncode == 0, queued.stdout + queued.stderr
        assert publish.poll() is None  # the encode is still running: the race is real
        out, _ = publish.communicate(timeout=600)
    finally:
        publish.kill()
    assert publish.returncode == 0, out
    assert "locked" not in out
    feed = proj.read("feed.xml").decode()
    assert "Ahead-words-7" in feed and "Old post" in feed  # the queue change is picked up
    assert "Long" in proj.read("podcast.xml").decode()
