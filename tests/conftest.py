"""Shared fixtures: per-test project trees, generated audio and images, a CLI runner."""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import subprocess
import tempfile
import textwrap
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from syndicate.audio import ffmpeg_exe
from syndicate.cli import main

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = REPO.parent / "shared"
NOW = "2026-11-01T12:00:00+00:00"
NOW_DT = dt.datetime.fromisoformat(NOW)

BASE_CONFIG = """\
site:
  title: Test Site
  url: https://example.test/
  description: A site for tests.
  language: en
  author: Test Author
  timezone: Europe/London
podcast:
  title: Test Show
  description: A show for tests.
  owner:
    name: Test Owner
    email: owner@example.test
  image: cover.png
  categories: [Technology]
  explicit: false
target: public
"""


def png_bytes(width: int = 1400, height: int = 1400, rgb=(40, 90, 160)) -> bytes:
    """A solid-colour PNG of the given size."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


_AUDIO_CACHE: dict[tuple, bytes] = {}


def tone(seconds: float = 1.0, freq: int = 440, fmt: str = "mp3", rate: int = 44100) -> bytes:
    """A short generated tone, encoded by the bundled ffmpeg (cached per session)."""
    key = (seconds, freq, fmt, rate)
    if key not in _AUDIO_CACHE:
        codec = {"mp3": ["-c:a", "libmp3lame", "-b:a", "64k"], "wav": [],
                 "m4a": ["-c:a", "aac", "-b:a", "64k"], "flac": []}[fmt]
        with tempfile.TemporaryDirectory() as tmp:
            # a real file, not a pipe: MP3 and M4A headers are written after the audio
            out = Path(tmp) / f"tone.{fmt}"
            subprocess.run(
                [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"sine=f={freq}:d={seconds}",
                 "-ac", "1", "-ar", str(rate), *codec, str(out)],
                capture_output=True, check=True,
            )
            _AUDIO_CACHE[key] = out.read_bytes()
    return _AUDIO_CACHE[key]


class Project:
    def __init__(self, root: Path):
        self.root = root

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        return path

    def run(self, *args: str, now: str = NOW):
        """Run the CLI in this project; returns click's Result (output and exit code)."""
        runner = CliRunner()
        cmd = list(args)
        if cmd and cmd[0] in ("publish", "collect", "status"):
            cmd += ["--config", str(self.root / "config.yaml"), "--now", now]
        return runner.invoke(main, cmd, catch_exceptions=False)

    def public(self, rel: str) -> Path:
        return self.root / "public" / rel

    def read(self, rel: str) -> bytes:
        return self.public(rel).read_bytes()


def post(title: str = "Hello", date: str = "2026-10-01", body: str = "Some *text*.",
         **extra) -> str:
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join([*lines, "---", "", body, ""])


def sidecar(title: str = "Episode", date: str = "2026-10-01 08:00", **extra) -> str:
    lines = [f"title: {title}", f"date: {date}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_project(tmp_path):
    """``make_project(files={...})``: a project tree with a base config and cover art."""

    def make(files: dict[str, str | bytes] | None = None, config: str | None = None) -> Project:
        proj = Project(tmp_path / "proj")
        proj.root.mkdir()
        proj.write("config.yaml", config if config is not None else BASE_CONFIG)
        proj.write("cover.png", png_bytes())
        (proj.root / "posts").mkdir()
        (proj.root / "episodes").mkdir()
        for rel, content in (files or {}).items():
            proj.write(rel, content)
        return proj

    return make


@pytest.fixture
def sample_project(tmp_path):
    """A copy of the repository's own sample content and config."""
    root = tmp_path / "sample"
    root.mkdir()
    for name in ("posts", "episodes"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    return Project(root)
