"""The true-peak ceiling holds whatever the programme's peaks: sources whose clicks stand from far
under to far over the level the gain brings them to (so that the limiter is idle for some and
works hard for others), resampled on the way, are published at the target loudness with the true
peak under the ceiling, measured independently (ffmpeg's ebur128 with true peak)."""

from __future__ import annotations

import subprocess

import pytest

from conftest import loudness_of, sidecar
from syndicate.audio import ffmpeg_exe

TARGET, CEILING = -16.0, -1.0


def _speech_with_clicks(path, click_db: float, seconds: float = 20.0) -> None:
    """Speech-like sound at about -30 dBFS, with a 1 ms click every 1.7 s at ``click_db``."""
    click = 10 ** (click_db / 20)
    expr = ("0.03*(sin(2*PI*140*t)+0.5*sin(2*PI*280*t)+0.3*sin(2*PI*560*t))"
            "*(0.2+0.8*abs(sin(t*3.1)))*gt(mod(t\\,2.3)\\,0.4)"
            f"+{click:.6f}*lt(mod(t\\,1.7)\\,0.001)*sin(2*PI*3000*t)")
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"aevalsrc={expr}:s=48000:d={seconds}", "-ac", "2", "-c:a", "pcm_s24le",
                    str(path)], check=True)


@pytest.mark.parametrize("click_db", [-40.0, -24.0, -18.0, -15.0, -12.0, -9.0])
def test_the_true_peak_ceiling_holds_whether_or_not_the_limiter_has_work(make_project,
                                                                        tmp_path, click_db):
    proj = make_project({"episodes/ep.yaml": sidecar("Clicks")})
    _speech_with_clicks(proj.root / "episodes" / "ep.wav", click_db)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    (mp3,) = proj.public("media").glob("*.mp3")
    m = loudness_of(mp3)
    assert abs(m["integrated"] - TARGET) <= 1.0, m
    assert m["true_peak"] <= CEILING, m
    assert m["sample_peak"] < -0.1, m
    assert abs(m["samples"] / m["rate"] - 20.0) <= 0.03, m
