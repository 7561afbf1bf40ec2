"""The measuring pass on varied material (music, speech, speech with long digital silences)
in the formats sources come in: its integrated loudness agrees with an independent EBU R128
measure within 0.1 LU, whole or in parts measured at once, and its sample count is exact."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import loudness_of
from syndicate.audio import ffmpeg_exe

SECONDS = 48.0
# what each kind of material is made of (a lavfi source of two channels)
MUSIC = ("aevalsrc='0.3*sin(2*PI*220*t)+0.2*sin(2*PI*277.2*t)+0.2*sin(2*PI*329.6*t)"
         "+0.05*sin(2*PI*1760*t)*sin(2*PI*3*t)|0.3*sin(2*PI*220.5*t)+0.25*sin(2*PI*164.8*t)"
         "+0.1*sin(2*PI*880*t)',volume='0.1+0.9*t/{d}':eval=frame")
SPEECH = ("aevalsrc='0.6*sin(2*PI*140*t)+0.3*sin(2*PI*280*t)+0.2*sin(2*PI*560*t)"
          "|0.5*sin(2*PI*140*t)+0.3*sin(2*PI*420*t)',"
          "volume='0.2+0.8*abs(sin(t*9.1))*abs(sin(t*2.3))*gt(mod(t,2.9),0.5)':eval=frame")
# speech with 8 s of digital silence in every 20 (a long pause, a gap between segments)
GAPS = SPEECH + ",volume='gt(mod(t,20),8)':eval=frame"
KINDS = {"music": MUSIC, "speech": SPEECH, "gaps": GAPS}
FORMATS = {  # (suffix, rate, channels, encoder arguments)
    "flac-24bit-48k": (".flac", 48000, 2, ["-c:a", "flac", "-sample_fmt", "s32"]),
    "wav-16bit-44k": (".wav", 44100, 2, ["-c:a", "pcm_s16le"]),
    "flac-24bit-96k": (".flac", 96000, 2, ["-c:a", "flac", "-sample_fmt", "s32"]),
    "wav-mono-22k": (".wav", 22050, 1, ["-c:a", "pcm_s16le"]),
}


def _make(folder: Path, kind: str, fmt: str) -> tuple[Path, int]:
    """The source, and how many samples (per channel) it holds."""
    suffix, rate, channels, codec = FORMATS[fmt]
    path = folder / f"{kind}{suffix}"
    graph = KINDS[kind].format(d=SECONDS)
    graph = graph.replace("aevalsrc='", f"aevalsrc=s={rate}:d={SECONDS}:exprs='", 1)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", graph,
                    "-ac", str(channels), "-ar", str(rate), *codec, str(path)],
                   check=True, capture_output=True)
    return path, round(SECONDS * rate)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_measure_agrees_with_an_independent_meter_whole_and_in_parts(
        tmp_path, monkeypatch, kind, fmt):
    import syndicate.audio.measure as measure

    src, samples = _make(tmp_path, kind, fmt)
    out_channels = FORMATS[fmt][2]
    reference = loudness_of(src)
    whole = measure.measure_source(src, src.name, out_channels)
    assert whole.samples == samples  # exact, whatever frames the meter's samples leave in
    assert whole.sample_rate == FORMATS[fmt][1]
    assert whole.loudness.integrated == pytest.approx(reference["integrated"], abs=0.1)
    assert whole.loudness.peak == pytest.approx(reference["sample_peak"], abs=0.05)
    for parts in (2, 3):
        monkeypatch.setattr(measure, "MEASURE_PARTS", parts)
        monkeypatch.setattr(measure, "PARALLEL_FROM", 10.0)
        split = measure.measure_source(src, src.name, out_channels)
        assert split.loudness.integrated == pytest.approx(whole.loudness.integrated, abs=0.1)
        # (parts of 16-24 s: each one's first 3 s windows are short, which moves a
        # loudness range by a few tenths; a real source is split only from 10 minutes on)
        assert split.loudness.lra == pytest.approx(whole.loudness.lra, abs=0.6)
        assert split.loudness.peak == pytest.approx(whole.loudness.peak, abs=0.01)
        assert abs(split.samples - samples) <= parts * 1152


def test_parts_measured_at_once_leave_the_callers_cores_as_they_were(tmp_path, monkeypatch):
    """Each part runs on a core of its own; the threads that started them get back every core
    they had (a later encode must not be held to one)."""
    import os

    import syndicate.audio.measure as measure

    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity on this system")
    src, _ = _make(tmp_path, "speech", "wav-16bit-44k")
    monkeypatch.setattr(measure, "PARALLEL_FROM", 10.0)
    monkeypatch.setattr(measure, "MEASURE_PARTS", 2)
    seen: list[set[int]] = []
    real_run = subprocess.run

    def run(cmd, *a, **kw):
        seen.append(os.sched_getaffinity(0))
        return real_run(cmd, *a, **kw)

    before = os.sched_getaffinity(0)
    monkeypatch.setattr(measure.subprocess, "run", run)
    facts = measure.measure_source(src, src.name, 2)
    assert abs(facts.samples - SECONDS * 44100) <= 2 * 1152
    assert os.sched_getaffinity(0) == before
    parts = [s for s in seen if len(s) == 1]  # (the header probe runs on every core)
    assert len(parts) == 2
    if len(before) > 1:
        assert parts[0] != parts[1]
