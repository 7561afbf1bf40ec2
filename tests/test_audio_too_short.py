"""A source shorter than the loudness meter's 400 ms block is called too short to measure,
not digital silence (h23 Z5), and `new episode` asks whether it is the whole recording;
generated tones on both sides of the block, each with its known answer."""

from __future__ import annotations

import json
import subprocess

from click.testing import CliRunner

from conftest import BASE_CONFIG, NOW, png_bytes
from syndicate.audio import ffmpeg_exe
from syndicate.cli import main

SHORT = (0.1, 0.2, 0.35, 0.39)  # under the block: nothing to measure
LONG = (0.4, 0.5, 1.0)  # a block or more: measured, no warning


def _tone(path, seconds):
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                    f"sine=f=300:d={seconds}", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k",
                    str(path)], check=True, capture_output=True)


def _run(root, *args):
    return CliRunner().invoke(main, ["--config", str(root / "config.yaml"), *args[:2],
                                     "--now", NOW, *args[2:]], catch_exceptions=False)


def test_a_tone_under_the_meters_block_is_too_short_not_silence(tmp_path):
    show = tmp_path / "p"
    (show / "episodes").mkdir(parents=True)
    (show / "config.yaml").write_text(BASE_CONFIG)
    (show / "cover.png").write_bytes(png_bytes())
    told = {}
    for seconds in (*SHORT, *LONG):
        source = tmp_path / f"tone-{seconds}.mp3"
        _tone(source, seconds)
        made = _run(show, "new", "episode", str(source), "--title", f"Tone {seconds}",
                    "--no-draft", "--json")
        assert made.exit_code == 0, made.output
        doc = json.loads(made.stdout)
        told[seconds] = doc["audio"]
        asked = [w for w in doc["warnings"] if "is this the whole recording?" in w]
        if seconds in SHORT:
            assert asked == [f"{source}: only {seconds:.2g} s long, too short for publish to "
                             "measure its loudness (its level is left alone); is this the "
                             "whole recording?"]
        else:
            assert asked == []
    result = _run(show, "publish", "--json")
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert not [w for w in warnings if "digital silence" in w]
    for seconds, audio in told.items():
        said = [w for w in warnings if w.startswith(f"{audio}: too short to measure")]
        if seconds in SHORT:
            assert said == [f"{audio}: too short to measure its loudness ({seconds:.2g} s; the "
                            "measure needs 0.4 s), so its level was left alone"]
        else:
            assert said == []
