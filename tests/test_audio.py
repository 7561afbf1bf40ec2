"""Audio facts for the feed: exact duration and byte length, any source format."""

from __future__ import annotations

import io

import mutagen
import podcastparser
import pytest

from conftest import sidecar, tone
from syndicate.audio import probe


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "wav", "flac"])
def test_probe_counts_samples_exactly(tmp_path, fmt):
    path = tmp_path / f"t.{fmt}"
    path.write_bytes(tone(1.5, fmt=fmt, rate=44100))
    info = probe(path)
    assert info.sample_rate == 44100 and info.channels == 1
    # MP3 and AAC decoders trim the encoder delay; what remains is within one frame
    assert abs(info.duration - 1.5) < 0.03


def test_wav_source_is_encoded_once_to_mp3(make_project):
    proj = make_project({"episodes/ep.yaml": sidecar("Wav ep"),
                         "episodes/ep.wav": tone(3.0, fmt="wav")})
    assert proj.run("publish").exit_code == 0
    ep = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))["episodes"][0]
    (enc,) = ep["enclosures"]
    assert enc["mime_type"] == "audio/mpeg" and enc["url"].endswith(".mp3")
    media = proj.public(enc["url"].removeprefix("https://example.test/"))
    assert media.stat().st_size == enc["file_size"]
    assert ep["total_time"] == 3
    assert isinstance(mutagen.File(media), mutagen.mp3.MP3)
    cached = list((proj.root / ".syndicate/media").glob("*.mp3"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    (proj.root / "episodes/ep.yaml").write_text(sidecar("Wav ep, renamed"))
    assert proj.run("publish").exit_code == 0
    assert cached[0].stat().st_mtime_ns == stamp  # not encoded again
