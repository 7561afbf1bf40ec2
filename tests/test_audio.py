"""Podcast-ready audio: loudness-normalised, limited, tagged MP3 from any source, measured
independently of syndicate (ffmpeg's ebur128 with true peak, astats, mutagen, podcastparser)."""

from __future__ import annotations

import io
import json
import sys

import mutagen
import podcastparser
import pytest
from mutagen.id3 import ID3

from conftest import BASE_CONFIG, NOW, loudness_of, make_audio, run_with_peak_rss, sidecar, tone
from syndicate.audio import probe

TARGET = -16.0


def _published(proj) -> list[dict]:
    return podcastparser.parse("https://example.test/podcast.xml",
                               io.BytesIO(proj.read("podcast.xml")))["episodes"]


def _media(proj, title: str):
    ep = next(e for e in _published(proj) if e["title"] == title)
    (enc,) = ep["enclosures"]
    return ep, enc, proj.public(enc["url"].removeprefix("https://example.test/"))


def _assert_podcast_ready(path, *, target=TARGET, ceiling=-1.0):
    m = loudness_of(path)
    assert abs(m["integrated"] - target) <= 1.0, m
    assert m["true_peak"] <= ceiling, m
    assert m["sample_peak"] < -0.1, m  # no full-scale samples
    return m


@pytest.mark.parametrize("fmt,rate,channels", [
    ("flac", 48000, 2), ("wav", 44100, 1), ("m4a", 22050, 2), ("mp3", 44100, 2),
    ("ogg", 48000, 2), ("aiff", 32000, 1),
])
def test_any_source_becomes_normalised_tagged_mp3(make_project, tmp_path, fmt, rate, channels):
    codec = {"m4a": ["-c:a", "aac", "-b:a", "96k"], "mp3": ["-c:a", "libmp3lame", "-b:a", "192k"],
             "ogg": ["-c:a", "libvorbis"]}.get(fmt, [])
    src = make_audio(tmp_path / f"src.{fmt}", 12.0, rate=rate, channels=channels, codec=codec)
    source_duration = probe(src).duration
    proj = make_project({
        "episodes/ep.yaml": sidecar("Normalised", season=2, number=7, summary="'A summary.'")
        + "chapters:\n  - {start: 0, title: Opening}\n  - {start: 6, title: Middle, url: "
        "'https://example.test/m'}\n",
        f"episodes/ep.{fmt}": src.read_bytes(),
    })
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    ep, enc, media = _media(proj, "Normalised")
    assert enc["mime_type"] == "audio/mpeg" and media.suffix == ".mp3"
    assert enc["file_size"] == media.stat().st_size
    m = _assert_podcast_ready(media)
    assert m["rate"] == 44100
    assert abs(m["samples"] / m["rate"] - source_duration) <= 0.05
    assert ep["total_time"] == round(source_duration)

    info = mutagen.File(media)
    assert info.info.bitrate == pytest.approx(128000, abs=500) and info.info.channels == 2
    assert info.info.bitrate_mode in (mutagen.mp3.BitrateMode.CBR, mutagen.mp3.BitrateMode.UNKNOWN)
    tags = ID3(media)
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "Normalised"
    assert str(tags["TPE1"]) == "Test Author"
    assert str(tags["TALB"]) == "Test Show"
    assert str(tags["TRCK"]) == "7"
    assert str(tags["TDRC"]).startswith("2026-10-01")
    assert tags.getall("COMM")[0].text == ["A summary."]
    (apic,) = tags.getall("APIC")
    assert apic.mime == "image/png" and apic.type == 3 and apic.data[:4] == b"\x89PNG"
    (toc,) = tags.getall("CTOC")
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    ordered = [chaps[i] for i in toc.child_element_ids]
    assert [(c.start_time, str(c.sub_frames["TIT2"])) for c in ordered] == [
        (0, "Opening"), (6000, "Middle")]
    assert ordered[-1].end_time == int(m["samples"] / m["rate"] * 1000)


def test_mono_config_gives_mono_64k(make_project, tmp_path):
    config = BASE_CONFIG + "audio:\n  channels: 1\n  loudness: -19\n"
    src = make_audio(tmp_path / "s.wav", 8.0)
    proj = make_project({"episodes/ep.yaml": sidecar("Mono"), "episodes/ep.wav": src.read_bytes()},
                        config=config)
    assert proj.run("publish").exit_code == 0
    _, _, media = _media(proj, "Mono")
    info = mutagen.File(media).info
    assert info.channels == 1 and info.bitrate == pytest.approx(64000, abs=500)
    _assert_podcast_ready(media, target=-19.0)


def test_intro_and_outro_are_joined_with_a_crossfade(make_project, tmp_path):
    config = BASE_CONFIG + ("audio:\n  intro: clips/intro.wav\n  outro: clips/outro.flac\n"
                            "  crossfade: 0.5\n")
    proj = make_project({
        "episodes/ep.yaml": sidecar("Joined", transcript="ep.vtt")
        + "chapters:\n  - {start: 0, title: Talk}\n",
        "episodes/ep.vtt": "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFirst words.\n",
        "episodes/ep.wav": make_audio(tmp_path / "b.wav", 10.0).read_bytes(),
        "clips/intro.wav": make_audio(tmp_path / "i.wav", 3.0, kind="tone", rate=44100,
                                      level_db=-6).read_bytes(),
        "clips/outro.flac": make_audio(tmp_path / "o.flac", 2.0, kind="tone",
                                       level_db=-30).read_bytes(),
    }, config=config)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    _, _, media = _media(proj, "Joined")
    m = _assert_podcast_ready(media)
    assert abs(m["samples"] / m["rate"] - (3.0 + 10.0 + 2.0 - 2 * 0.5)) <= 0.05
    chapters = json.loads(proj.read("episodes/ep/chapters.json"))["chapters"]
    assert [(c["startTime"], c["title"]) for c in chapters] == [(0.0, "Intro"), (2.5, "Talk")]
    # the transcript moves with the audio too
    assert "00:00:03.500 --> 00:00:04.500" in proj.read("episodes/ep/transcript.vtt").decode()


def test_missing_intro_is_named_and_other_work_goes_on(make_project, tmp_path):
    config = BASE_CONFIG + "audio:\n  intro: clips/missing.wav\n"
    proj = make_project({"posts/p.md": "---\ntitle: Still here\ndate: 2026-10-01\n---\nHi\n",
                         "episodes/ep.yaml": sidecar("Needs intro"),
                         "episodes/ep.wav": tone(2.0, fmt="wav")}, config=config)
    result = proj.run("publish")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {proj.root / 'config.yaml'}:19: 'audio.intro': 'clips/missing.wav' "
                      "not found (fix audio.intro or remove it; episodes keep their last "
                      "published version)"]
    assert "Still here" in proj.read("feed.xml").decode()
    assert _published(proj) == []
    assert not list(proj.root.rglob(".encode-*"))


def test_silence_is_trimmed_when_asked(make_project, tmp_path):
    config = BASE_CONFIG + "audio:\n  trim_silence: true\n"
    src = make_audio(tmp_path / "s.wav", 6.0, lead_silence=3.0, trail_silence=4.0)
    proj = make_project({"episodes/ep.yaml": sidecar("Trimmed") + "chapters:\n"
                         "  - {start: 0, title: A}\n  - {start: 5, title: B}\n",
                         "episodes/ep.wav": src.read_bytes()}, config=config)
    assert proj.run("publish").exit_code == 0
    _, _, media = _media(proj, "Trimmed")
    m = loudness_of(media)
    # 6 s of sound plus the 0.25 s kept at each edge
    assert abs(m["samples"] / m["rate"] - 6.5) <= 0.1
    chapters = json.loads(proj.read("episodes/ep/chapters.json"))["chapters"]
    assert chapters[1]["startTime"] == pytest.approx(5 - 2.75, abs=0.05)


def test_processing_is_cached_and_retagging_does_not_reencode(make_project, tmp_path):
    src = make_audio(tmp_path / "s.flac", 6.0)
    proj = make_project({"episodes/ep.yaml": sidecar("Cached"), "episodes/ep.flac":
                         src.read_bytes()})
    assert proj.run("publish").exit_code == 0
    cache = proj.root / ".syndicate/media"
    (encoded,) = cache.glob("audio-*.mp3")
    stamp = encoded.stat().st_mtime_ns
    assert proj.run("publish").exit_code == 0
    proj.write("episodes/ep.yaml", sidecar("Cached, renamed"))
    assert proj.run("publish").exit_code == 0
    assert [p.stat().st_mtime_ns for p in cache.glob("audio-*.mp3")] == [stamp]
    _, _, media = _media(proj, "Cached, renamed")
    assert str(ID3(media)["TIT2"]) == "Cached, renamed"
    # a new target loudness is a new encode
    proj.write("config.yaml", BASE_CONFIG + "audio:\n  loudness: -18\n")
    assert proj.run("publish").exit_code == 0
    # (and the encode at the old settings, which no episode needs any more, is pruned)
    assert [p.name for p in cache.glob("audio-*.mp3")] not in ([], [encoded.name])
    assert len(list(cache.glob("audio-*.mp3"))) == 1
    _, _, media = _media(proj, "Cached, renamed")
    _assert_podcast_ready(media, target=-18.0)


def test_gain_is_capped_for_a_whisper(make_project, tmp_path):
    src = make_audio(tmp_path / "w.wav", 5.0, level_db=-50)
    proj = make_project({"episodes/ep.yaml": sidecar("Whisper"), "episodes/ep.wav":
                         src.read_bytes()})
    result = proj.run("publish")
    assert result.exit_code == 0
    assert "more than audio.max_gain (30 dB); raised by 30 dB only" in result.output
    _, _, media = _media(proj, "Whisper")
    before, after = loudness_of(src), loudness_of(media)
    assert after["integrated"] - before["integrated"] == pytest.approx(30, abs=1.5)


def test_digital_silence_gets_no_gain(make_project, tmp_path):
    src = make_audio(tmp_path / "z.wav", 4.0, kind="silence")
    proj = make_project({"episodes/ep.yaml": sidecar("Quiet"), "episodes/ep.wav": src.read_bytes()})
    result = proj.run("publish")
    assert result.exit_code == 0
    assert ("Warning: episodes/ep.wav: digital silence; its loudness cannot be measured, so its "
            "level was left alone") in result.output
    _, _, media = _media(proj, "Quiet")
    m = loudness_of(media)
    assert m["sample_peak"] == float("-inf") or m["sample_peak"] < -80
    assert abs(m["samples"] / m["rate"] - 4.0) <= 0.05


@pytest.mark.parametrize("case", ["clipped", "mono 8 kHz", "quiet"])
def test_awkward_sources_are_processed_correctly(make_project, tmp_path, case):
    src = {
        # a tone pushed 12 dB past full scale: thousands of clipped samples
        "clipped": lambda: make_audio(tmp_path / "c.wav", 5.0, kind="tone", level_db=12,
                                      rate=44100),
        "mono 8 kHz": lambda: make_audio(tmp_path / "m.wav", 5.0, rate=8000, channels=1),
        "quiet": lambda: make_audio(tmp_path / "q.wav", 5.0, level_db=-32),
    }[case]()
    proj = make_project({"episodes/ep.yaml": sidecar("Odd"), "episodes/ep.wav": src.read_bytes()})
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    _, _, media = _media(proj, "Odd")
    m = _assert_podcast_ready(media)
    assert abs(m["samples"] / m["rate"] - 5.0) <= 0.05


@pytest.mark.slow
def test_six_hour_source_streams_in_flat_memory(make_project, tmp_path):
    """Six hours at a low rate keeps the test quick; the whole process tree (syndicate and its
    ffmpeg processes) must stay small however long the episode is."""
    config = BASE_CONFIG + "audio:\n  channels: 1\n  sample_rate: 8000\n  bitrate: 16\n"
    proj = make_project({"episodes/ep.yaml": sidecar("Long")}, config=config)
    make_audio(proj.root / "episodes/ep.flac", 6 * 3600.0, rate=8000, channels=1, kind="tone",
               level_db=-20)
    result, peak_mb = run_with_peak_rss(
        [sys.executable, "-m", "syndicate", "publish", "--now", NOW], cwd=proj.root)
    assert result.returncode == 0, result.stdout
    ep, _, media = _media(proj, "Long")
    assert ep["total_time"] == 6 * 3600
    assert mutagen.File(media).info.length == pytest.approx(6 * 3600, abs=0.5)
    assert peak_mb < 150, peak_mb  # Python with its libraries, plus one ffmpeg


BAD_SOURCES = {
    "empty file": (b"", "Error: episodes/bad.wav: audio file is empty"),
    "text named .wav": (b"this is not audio\n" * 10, "Error: episodes/bad.wav: not readable audio"),
}


@pytest.mark.parametrize("case", ["empty file", "text named .wav", "truncated", "corrupt",
                                  "unsupported codec"])
def test_bad_sources_fail_alone_and_leave_nothing_half_written(make_project, tmp_path, case):
    good = make_audio(tmp_path / "g.wav", 3.0)
    whole = make_audio(tmp_path / "w.wav", 20.0, rate=44100).read_bytes()
    if case in BAD_SOURCES:
        data, message = BAD_SOURCES[case]
    elif case == "truncated":
        data, message = whole[: len(whole) // 3], "Error: episodes/bad.wav: truncated"
    elif case == "corrupt":
        mp3 = make_audio(tmp_path / "w.mp3", 20.0, codec=["-c:a", "libmp3lame"]).read_bytes()
        broken = bytearray(mp3)
        for i in range(len(broken) // 4, len(broken) // 2, 5):
            broken[i] = (broken[i] * 7 + 13) % 256
        data, message = bytes(broken), "Error: episodes/bad.mp3: corrupt"
    else:  # a WAV whose format tag names no codec ffmpeg knows
        data = whole[:20] + b"\x55\x55" + whole[22:]
        message = "Error: episodes/bad.wav: unsupported audio codec"
    ext = "mp3" if case == "corrupt" else "wav"
    proj = make_project({"episodes/good.yaml": sidecar("Good"),
                         "episodes/good.wav": good.read_bytes(),
                         "episodes/bad.yaml": sidecar("Bad"), f"episodes/bad.{ext}": data})
    result = proj.run("publish")
    assert result.exit_code == 1
    assert message in result.output
    assert [e["title"] for e in _published(proj)] == ["Good"]
    leftovers = [p.name for p in proj.root.rglob("*") if p.name.startswith((".encode-", ".tag-"))
                 or p.suffix == ".part"]
    assert leftovers == []
    assert len(list((proj.root / "public/media").iterdir())) == 1


def test_audio_report_shows_before_and_after(make_project, tmp_path):
    proj = make_project({"episodes/ep.yaml": sidecar("Reported"),
                         "episodes/ep.wav": make_audio(tmp_path / "s.wav", 5.0).read_bytes()})
    result = proj.run("audio", "report", "--json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["before"]["integrated"] == pytest.approx(loudness_of(tmp_path / "s.wav")
                                                        ["integrated"], abs=0.3)
    assert row["after"]["integrated"] == pytest.approx(TARGET, abs=1.0)
    assert row["after"]["peak"] <= -1.0
    assert row["gain"] > 5
    assert "published" not in row
    table = proj.run("audio", "report").output
    assert "episodes/ep.yaml" in table and "LUFS" in table and "dBFS" in table
    verified = proj.run("audio", "report", "--json", "--verify")
    (row,) = json.loads(verified.stdout)
    assert row["published"]["peak"] <= -1.0
    assert row["published"]["integrated"] == pytest.approx(TARGET, abs=1.0)
    assert "dBTP" in proj.run("audio", "report", "--verify").output


def test_progress_is_reported_for_long_encodes(make_project, tmp_path):
    import datetime as dt

    from syndicate.config import load_config
    from syndicate.publish import publish

    proj = make_project({"episodes/ep.yaml": sidecar("Long-ish"),
                         "episodes/ep.flac": make_audio(tmp_path / "l.flac", 120.0, rate=22050,
                                                        channels=1).read_bytes()})
    seen = []
    publish(load_config(proj.root / "config.yaml"), now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            progress=lambda name, done, total: seen.append((name, done, total)))
    assert seen and seen[0][0] == "episodes/ep.flac"
    assert seen[-1][2] == pytest.approx(120.0, abs=0.1)
    dones = [d for _, d, _ in seen]
    assert dones == sorted(dones) and dones[-1] > 100


def test_passthrough_when_processing_is_off(make_project):
    config = BASE_CONFIG + "audio:\n  process: false\n"
    proj = make_project({"episodes/a.yaml": sidecar("As is"), "episodes/a.mp3": tone(2.0),
                         "episodes/b.yaml": sidecar("Needs work"),
                         "episodes/b.wav": tone(2.0, fmt="wav")}, config=config)
    result = proj.run("publish")
    assert result.exit_code == 1
    assert ("Error: episodes/b.wav: pcm_s16le audio in a .wav file cannot be published as it is"
            in result.output)
    _, _, media = _media(proj, "As is")
    assert media.read_bytes() == tone(2.0)


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "wav", "flac"])
def test_probe_counts_samples_exactly(tmp_path, fmt):
    path = tmp_path / f"t.{fmt}"
    path.write_bytes(tone(1.5, fmt=fmt, rate=44100))
    info = probe(path)
    assert info.sample_rate == 44100 and info.channels == 1
    # MP3 and AAC decoders trim the encoder delay; what remains is within one frame
    assert abs(info.duration - 1.5) < 0.03


def test_measuring_in_parts_gives_the_single_pass_figures(tmp_path, monkeypatch):
    import syndicate.audio.measure as measure

    src = make_audio(tmp_path / "m.flac", 40.0, rate=44100)
    whole = measure.measure_source(src, "m.flac", 2)
    monkeypatch.setattr(measure, "MEASURE_PARTS", 3)
    monkeypatch.setattr(measure, "PARALLEL_FROM", 10.0)
    parts = measure.measure_source(src, "m.flac", 2)
    assert parts.loudness.integrated == pytest.approx(whole.loudness.integrated, abs=0.1)
    assert parts.loudness.lra == pytest.approx(whole.loudness.lra, abs=0.3)
    assert parts.loudness.peak == pytest.approx(whole.loudness.peak, abs=0.01)
    assert abs(parts.samples - whole.samples) <= 3 * 1152
    independent = loudness_of(src)
    assert whole.loudness.integrated == pytest.approx(independent["integrated"], abs=0.1)


def test_progress_bar_shows_time_left():
    from syndicate.progress import EncodeBars

    out = io.StringIO()
    bars = EncodeBars(stream=out, enabled=True)
    bars("episodes/short.wav", 5, 30)  # short encodes get no bar
    for done in (0, 600, 1200, 1800):
        bars("episodes/long.flac", done, 3600)
    bars.close()
    text = out.getvalue()
    assert "short.wav" not in text
    assert "episodes/long.flac:  50%" in text and "1800/3600 s of audio" in text
    assert "<" in text  # elapsed<remaining
