"""A change of any audio setting between runs applies to every episode on the next publish, not
only to episodes edited afterwards (N24)."""

from __future__ import annotations

import hashlib
import io

import podcastparser
import pytest

from conftest import BASE_CONFIG, sidecar, tone


def _enclosures(proj) -> dict[str, tuple[str, bytes]]:
    """title -> (enclosure URL, the bytes the site serves there)."""
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    out = {}
    for ep in feed["episodes"]:
        url = ep["enclosures"][0]["url"]
        out[ep["title"]] = (url, proj.read(url.removeprefix("https://example.test/")))
    return out


def _project(make_project, audio: str):
    return make_project({"episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0),
                         "episodes/two.yaml": sidecar("Two", date="2026-10-02 08:00"),
                         "episodes/two.m4a": tone(1.0, freq=550, fmt="m4a")},
                        config=BASE_CONFIG + audio)


def test_switching_processing_off_applies_to_every_episode_and_a_wav_keeps_its_version(
        make_project):
    proj = _project(make_project, "")
    proj.write("episodes/three.yaml", sidecar("Three", date="2026-10-03 08:00"))
    proj.write("episodes/three.wav", tone(1.0, freq=660, fmt="wav"))
    assert proj.run("publish").exit_code == 0
    before = _enclosures(proj)
    assert all(url.endswith(".mp3") for url, _ in before.values())

    proj.write("config.yaml", BASE_CONFIG + "audio:\n  process: false\n")
    result = proj.run("publish")
    assert result.exit_code == 1, result.output  # the WAV cannot go out as it is
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "episodes/three.wav" in errors[0], result.output
    after = _enclosures(proj)
    sources = {"One": "episodes/one.mp3", "Two": "episodes/two.m4a"}
    for title, rel in sources.items():  # published as they are, untouched
        assert after[title][1] == (proj.root / rel).read_bytes(), title
    assert after["Two"][0].endswith(".m4a")
    assert after["Three"] == before["Three"]  # its last published version stays

    proj.write("config.yaml", BASE_CONFIG)  # and back: every episode is processed again
    assert proj.run("publish").exit_code == 0
    again = _enclosures(proj)
    assert all(url.endswith(".mp3") for url, _ in again.values())
    assert again["Two"][1] != (proj.root / "episodes/two.m4a").read_bytes()


@pytest.mark.parametrize("audio", ["audio:\n  channels: 1\n", "audio:\n  bitrate: 96\n",
                                   "audio:\n  sample_rate: 48000\n",
                                   "audio:\n  loudness: -19\n"])
def test_any_change_of_a_sound_setting_reprocesses_every_episode(make_project, audio):
    proj = _project(make_project, "")
    assert proj.run("publish").exit_code == 0
    before = {t: hashlib.sha256(b).hexdigest() for t, (_, b) in _enclosures(proj).items()}
    proj.write("config.yaml", BASE_CONFIG + audio)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    after = {t: hashlib.sha256(b).hexdigest() for t, (_, b) in _enclosures(proj).items()}
    assert set(after) == set(before) == {"One", "Two"}
    assert all(after[t] != before[t] for t in before), (before, after)
