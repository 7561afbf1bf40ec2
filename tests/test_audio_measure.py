"""The measuring pass decodes inside ffmpeg's filter graph (fewer thread hand-offs); whatever the
source's name, length or format it gives the figures the ordinary decode gives, and a source
with anything wrong is measured again the ordinary way, which names what is wrong."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import syndicate.audio.measure as measure
from conftest import make_audio
from syndicate.errors import AudioError


def _record(monkeypatch) -> list[bool]:
    """Which ways (in the graph or not) each measure took, in order."""
    ways: list[bool] = []
    real = measure._measure_parts

    def spy(path, layout, spans, in_graph):
        ways.append(in_graph)
        return real(path, layout, spans, in_graph)

    monkeypatch.setattr(measure, "_measure_parts", spy)
    return ways


def _ordinary(monkeypatch, path, channels=2):
    real = measure._measure_parts
    monkeypatch.setattr(measure, "_measure_parts",
                        lambda p, layout, spans, in_graph: real(p, layout, spans, False))
    try:
        return measure.measure_source(path, path.name, channels)
    finally:
        monkeypatch.setattr(measure, "_measure_parts", real)


@pytest.fixture(scope="module")
def short_flac(tmp_path_factory):
    return make_audio(tmp_path_factory.mktemp("src") / "s.flac", 2.0, rate=44100)


# anything a file system takes in a name: quotes, colons, commas, brackets, semicolons,
# backslashes, spaces at either end, non-ASCII letters and symbols
NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/"),
                min_size=1, max_size=40).filter(lambda n: n not in (".", "..")
                                                and len(n.encode()) < 200)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES)
def test_any_file_name_is_measured_in_the_graph_with_the_ordinary_figures(
        tmp_path, monkeypatch, short_flac, name):
    expected = _ordinary(monkeypatch, short_flac)
    folder = tmp_path / "n"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    src = folder / (name + ".flac")
    os.link(short_flac, src)
    ways = _record(monkeypatch)
    got = measure.measure_source(src, str(src), 2)
    assert ways == [True], f"{name!r} fell back to the ordinary decode"
    assert got == expected


@pytest.mark.parametrize(("fmt", "codec", "channels", "out"), [
    ("flac", ["-c:a", "flac", "-sample_fmt", "s32"], 2, 2),
    ("wav", None, 1, 2),
    ("wav", None, 2, 1),
    ("mp3", ["-c:a", "libmp3lame", "-b:a", "96k"], 2, 2),
    ("m4a", ["-c:a", "aac", "-b:a", "96k"], 2, 2),
])
def test_in_parts_or_whole_the_graph_gives_the_ordinary_figures(tmp_path, monkeypatch, fmt,
                                                                codec, channels, out):
    src = make_audio(tmp_path / f"m.{fmt}", 37.3, rate=48000, channels=channels, codec=codec)
    for parts in (1, 2, 3):
        monkeypatch.setattr(measure, "MEASURE_PARTS", parts)
        monkeypatch.setattr(measure, "PARALLEL_FROM", 10.0)
        expected = _ordinary(monkeypatch, src, out)
        ways = _record(monkeypatch)
        got = measure.measure_source(src, src.name, out)
        assert ways == [True]
        whole = _ordinary(monkeypatch, src, out) if parts == 1 else None
        assert got.sample_rate == expected.sample_rate and got.codec == expected.codec
        assert got.channels == expected.channels and got.glitches == 0
        # the parts meet where one ends and the next begins: no sample lost or counted twice
        if parts == 1 or fmt in ("flac", "wav"):
            assert got.samples == expected.samples
        else:  # compressed frames: ffmpeg's own seeking (the ordinary way) is the one off
            assert abs(got.samples - expected.samples) <= 3 * 2048
        assert got.loudness.integrated == pytest.approx(expected.loudness.integrated, abs=0.1)
        assert got.loudness.lra == pytest.approx(expected.loudness.lra, abs=0.3)
        assert got.loudness.peak == pytest.approx(expected.loudness.peak, abs=0.01)
        if whole:
            assert got == whole


def test_a_source_with_trouble_is_measured_again_the_ordinary_way(tmp_path, monkeypatch):
    mp3 = make_audio(tmp_path / "w.mp3", 20.0, codec=["-c:a", "libmp3lame"]).read_bytes()
    broken = bytearray(mp3)
    for i in range(len(broken) // 4, len(broken) // 2, 5):
        broken[i] = (broken[i] * 7 + 13) % 256
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(bytes(broken))
    ways = _record(monkeypatch)
    with pytest.raises(AudioError) as err:
        measure.measure_source(bad, "episodes/bad.mp3", 2)
    assert ways == [True, False]
    assert "corrupt" in str(err.value) and "episodes/bad.mp3" in str(err.value)


def test_a_file_of_two_audio_streams_is_measured_the_ordinary_way(tmp_path, monkeypatch):
    a = make_audio(tmp_path / "a.wav", 3.0, level_db=-30)
    b = make_audio(tmp_path / "b.wav", 3.0, level_db=-10)
    both = tmp_path / "both.mka"
    import subprocess

    subprocess.run([measure.ffmpeg_exe(), "-v", "error", "-i", str(a), "-i", str(b), "-map",
                    "0:a", "-map", "1:a", "-c", "copy", str(both)], check=True)
    ways = _record(monkeypatch)
    got = measure.measure_source(both, both.name, 2)
    assert ways == [False]  # the first audio stream, as the encode takes it
    assert got.loudness.integrated == pytest.approx(
        measure.measure_source(a, a.name, 2).loudness.integrated, abs=0.1)
