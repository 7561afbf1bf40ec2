"""Generated file names in a sidecar (issue 12, item 2): whatever 'audio:', 'image:' and
'transcript:' say ('..', absolute paths, links out, NULs, folders, pipes), the sidecar either
reads with every file it names inside episodes/ once links are resolved, or fails with one
CollectError naming the sidecar (and, for a companion that fails its own check, that file)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate.collect.episodes import read_sidecar
from syndicate.errors import CollectError

PIECES = ["..", ".", "sub", "ep.mp3", "ep.vtt", "art.png", "out.vtt", "out-dir", "in.vtt",
          "pipe.vtt", "secret.vtt", "secret.png", "secret.mp3", "x", "", "\0", "~", "\n",
          "outside"]


@st.composite
def names(draw, tmp: str):
    parts = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=5))
    text = "/".join(parts)
    if draw(st.booleans()):
        text = os.path.join(draw(st.sampled_from([tmp, "/", "/etc", tmp + "/outside"])), text)
    return text


def _layout(tmp: Path) -> Path:
    outside = tmp / "outside"
    outside.mkdir()
    for name in ("secret.vtt", "secret.png", "secret.mp3"):
        (outside / name).write_bytes(b"SECRET")
    episodes = tmp / "proj" / "episodes"
    (episodes / "sub").mkdir(parents=True)
    for rel in ("ep.mp3", "ep.vtt", "art.png", "sub/ep.mp3", "sub/ep.vtt", "sub/art.png"):
        (episodes / rel).write_bytes(b"data")
    os.symlink(outside / "secret.vtt", episodes / "out.vtt")
    os.symlink(outside, episodes / "out-dir")
    os.symlink("sub/ep.vtt", episodes / "in.vtt")
    os.mkfifo(episodes / "pipe.vtt")
    return episodes


TMP = tempfile.mkdtemp(prefix="sidecars-")
EPISODES = _layout(Path(TMP))
REAL = os.path.realpath(EPISODES)


@settings(max_examples=300, deadline=2000, suppress_health_check=list(HealthCheck))
@given(audio=st.one_of(st.none(), names(TMP)), image=st.one_of(st.none(), names(TMP)),
       transcript=st.one_of(st.none(), names(TMP)))
def test_sidecar_files_stay_inside_episodes(audio, image, transcript):
    data = {"title": "T", "date": "2026-10-01"}
    for key, value in (("audio", audio), ("image", image), ("transcript", transcript)):
        if value is not None:
            data[key] = value
    sidecar = EPISODES / "ep.yaml"
    sidecar.write_text(yaml.safe_dump(data, allow_unicode=False))
    try:
        src = read_sidecar(sidecar, "episodes/ep.yaml", "UTC", [], EPISODES)
    except CollectError as exc:
        # the sidecar, or a file inside episodes/ that it names (a bad transcript is named
        # with its own line, and the sidecar's)
        assert str(exc).startswith("episodes/")
        assert "episodes/ep.yaml" in str(exc)
        assert "SECRET" not in str(exc)
        assert "\n" not in str(exc)
        return
    for path in (src.audio, src.image, src.transcript):
        if path is not None:
            real = os.path.realpath(path)
            assert real.startswith(REAL + os.sep), (path, real)
            assert Path(real).is_file()


def teardown_module(module) -> None:
    import shutil

    shutil.rmtree(TMP, ignore_errors=True)
