"""`syndicate new episode` refuses the audio `publish` would refuse as cut short, for every
format whose header states a length (h23 Z4), and audio another sidecar already names (h23
Z23); publish warns when two sidecars name one recording.

The cut files are generated with a known answer: a file cut to a fraction of its bytes holds
about that fraction of its length, so it is truncated exactly when what is missing is longer
than encoder padding explains (over half a second here); the verdict of `new episode` must be
the verdict `publish` reaches after decoding the whole file."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from click.testing import CliRunner

from conftest import BASE_CONFIG, NOW, png_bytes, tone
from syndicate.audio import ffmpeg_exe
from syndicate.cli import main

SECONDS = 6.0
# format -> ffmpeg output arguments (an M4A with its header first, as podcast tools export it)
FORMATS = {
    "flac": [],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "64k"],
    "m4a": ["-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart"],
    "wav": [],
    "aiff": [],
    # no stated length: Ogg's is read from its last page, raw AAC's guessed from the bitrate;
    # a cut file is only a shorter one (publish cannot tell either)
    "ogg": ["-c:a", "libvorbis"],
    "opus": ["-c:a", "libopus", "-b:a", "48k", "-ar", "48000"],
    "aac": ["-c:a", "aac", "-b:a", "64k"],
}
STATED = {"flac", "mp3", "m4a", "wav", "aiff", "ogg", "opus"}  # a length stated, or an end marked
KEPT = (0.2, 0.5, 0.8, 0.97, 1.0)  # the share of the file's bytes kept


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("whole")
    out = {}
    for fmt, args in FORMATS.items():
        path = folder / f"tone.{fmt}"
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                        f"sine=f=330:d={SECONDS}", "-ac", "1", "-ar", "44100", *args, str(path)],
                       check=True, capture_output=True)
        out[fmt] = path.read_bytes()
    return out


def _project(root):
    (root / "episodes").mkdir(parents=True)
    (root / "config.yaml").write_text(BASE_CONFIG)
    (root / "cover.png").write_bytes(png_bytes())
    return root


def _run(root, *args):
    return CliRunner().invoke(main, ["--config", str(root / "config.yaml"), *args[:2],
                                     "--now", NOW, *args[2:]], catch_exceptions=False)


def _listing(root) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, files in os.walk(root) for f in files)


def test_new_episode_refuses_exactly_the_cut_audio_publish_refuses(whole, tmp_path):
    new_side, publish_side = _project(tmp_path / "new"), _project(tmp_path / "pub")
    cuts, verdicts = {}, {}
    for fmt, data in whole.items():
        for kept in KEPT:
            name = f"{fmt}-{round(kept * 100)}.{fmt}"
            cut = tmp_path / name
            cut.write_bytes(data[:round(len(data) * kept)])
            cuts[name] = (fmt, kept)
            before = _listing(new_side)
            result = _run(new_side, "new", "episode", str(cut), "--title", name, "--no-draft",
                          "--json")
            doc = json.loads(result.stdout)
            verdicts[name] = result.exit_code
            if result.exit_code:
                assert result.exit_code == 2 and len(doc["errors"]) == 1
                assert str(cut) in doc["errors"][0] and "Traceback" not in result.output
                assert _listing(new_side) == before  # nothing written
            # the same file, given to publish by hand
            (publish_side / "episodes" / name).write_bytes(cut.read_bytes())
            (publish_side / "episodes" / f"{name.rsplit('.', 1)[0]}.yaml").write_text(
                f"title: {name}\ndate: 2026-10-01\n")
    published = _run(publish_side, "publish", "--json")
    errors = json.loads(published.stdout)["errors"]
    refused_by_publish = {n for n in cuts if any(e.startswith(f"episodes/{n}:") for e in errors)}
    refused_by_new = {n for n, code in verdicts.items() if code}
    assert refused_by_new == refused_by_publish
    # the known answer: whatever misses more than half a second (every cut to 80 % or less of
    # six seconds) of a stated length is refused; the whole files are accepted
    assert {n for n, (fmt, kept) in cuts.items() if kept <= 0.8 and fmt in STATED} \
        <= refused_by_new
    assert not {n for n, (_, kept) in cuts.items() if kept == 1.0} & refused_by_new
    for fmt in ("flac", "mp3"):  # the two formats of the finding name the lengths
        assert any(e.startswith(f"episodes/{fmt}-50.{fmt}: truncated: the file ends before its "
                                "header says it should (") for e in errors)


def test_audio_another_sidecar_names_gets_no_second_sidecar(tmp_path):
    show = _project(tmp_path / "p")
    (show / "episodes/shared.mp3").write_bytes(tone(1.0))
    (show / "episodes/a-side.yaml").write_text(
        "title: A uses shared\ndate: 2026-10-01\naudio: shared.mp3\n")
    before = _listing(show)
    result = _run(show, "new", "episode", str(show / "episodes/shared.mp3"), "--title",
                  "B also shared", "--no-draft")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {show}/episodes/shared.mp3 is already the audio of "
                             "episodes/a-side.yaml:3; edit that sidecar instead, or give this "
                             "episode a recording of its own\n")
    assert _listing(show) == before


def test_a_hard_link_to_audio_another_sidecar_names_gets_no_second_sidecar(tmp_path):
    """h24 A6: the same recording under a second name (a hard link) is the same file."""
    import os

    show = _project(tmp_path / "p")
    (show / "episodes/shared.mp3").write_bytes(tone(1.0))
    (show / "episodes/a-side.yaml").write_text(
        "title: A uses shared\ndate: 2026-10-01\naudio: shared.mp3\n")
    os.link(show / "episodes/shared.mp3", show / "episodes/hard.mp3")
    before = _listing(show)
    result = _run(show, "new", "episode", str(show / "episodes/hard.mp3"), "--title", "Again",
                  "--no-draft")
    assert result.exit_code == 2
    assert "hard.mp3 is already the audio of episodes/a-side.yaml:3" in result.stderr
    assert _listing(show) == before


def test_publish_warns_when_two_sidecars_name_one_recording(tmp_path):
    show = _project(tmp_path / "p")
    (show / "episodes/shared.mp3").write_bytes(tone(1.0))
    (show / "episodes/own.mp3").write_bytes(tone(1.0, freq=550))
    (show / "episodes/a-side.yaml").write_text(
        "title: A uses shared\ndate: 2026-10-01\naudio: shared.mp3\n")
    (show / "episodes/c.yaml").write_text("title: C\ndate: 2026-10-03\naudio: own.mp3\n")
    alone = _run(show, "publish", "--json")  # one sidecar for each recording: not a word
    assert not [w for w in json.loads(alone.stdout)["warnings"] if "the audio of" in w]
    # the second sidecar comes later: the first one is an unchanged, published episode
    (show / "episodes/shared.yaml").write_text("title: B also shared\ndate: 2026-10-02\n")
    warning = ("episodes/shared.mp3: the audio of 2 episodes (episodes/a-side.yaml, "
               "episodes/shared.yaml); each is published with this one recording: give each "
               "its own audio, or remove the extra sidecar")
    for _ in range(2):  # said again while it holds, unchanged sidecars too
        result = _run(show, "publish", "--json")
        assert result.exit_code == 0, result.output
        warnings = json.loads(result.stdout)["warnings"]
        assert warning in warnings
        assert not [w for w in warnings if "own.mp3" in w]
    (show / "episodes/a-side.yaml").write_text(
        "title: A uses shared\ndate: 2026-10-01\naudio: own.mp3\n")
    (show / "episodes/c.yaml").unlink()
    result = _run(show, "publish", "--json")
    assert not [w for w in json.loads(result.stdout)["warnings"] if "the audio of" in w]
