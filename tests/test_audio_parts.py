"""A long episode's MP3 made in parts at once and joined (issue 15's benchmark: the MP3 within
1.1x of one plain encode). What must hold whatever the source: the joined MP3 is the programme
the one-pass encode makes (the same length to the sample, the same audio up to the encoder's
own noise, and no decoding error at any joint), states its exact length to players, comes out
the same bytes every time, and anything that cannot be joined is made in one pass instead.

The parts are made short here (``PART_SECONDS``) so that a source of a minute or two is cut
into several, as a long episode is."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.mp3 import MP3

from conftest import make_audio
from syndicate.audio import AudioSettings, Tags, ffmpeg_exe, process, sha256_file, splice
from syndicate.audio import parts as parts_mod
from syndicate.config import AudioConfig

TAGS = Tags("Episode", "Author", "Show", "2026-11-30")


@pytest.fixture
def short_parts(monkeypatch):
    monkeypatch.setattr(parts_mod, "PART_SECONDS", 12.0)


def _make(src: Path, cache: Path, cfg: AudioConfig | None = None):
    cfg = cfg or AudioConfig()
    out = process(src, sha256_file(src), src.name, AudioSettings(cfg), cache, TAGS)
    facts = json.loads(next(cache.glob("audio-*.json")).read_text())
    return out, facts


def _one_pass(monkeypatch, src: Path, cache: Path, cfg: AudioConfig | None = None):
    with monkeypatch.context() as m:
        m.setattr(parts_mod, "PART_SECONDS", 1e9)
        return _make(src, cache, cfg)


def _decode(path: Path, channels: int) -> array:
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac",
                           str(channels), "-"], capture_output=True, check=True)
    assert proc.stderr == b"", proc.stderr.decode()  # no decoding error anywhere, joints too
    pcm = array("h")
    pcm.frombytes(proc.stdout)
    return pcm


def _worst_block(a: array, b: array, block: int) -> float:
    """The loudest difference of any block of ``block`` values, in dB relative to the
    programme's mean power (-inf where the two are the same)."""
    assert len(a) == len(b)
    mean = sum(x * x for x in a) / len(a)
    worst = 0.0
    for i in range(0, len(a), block):
        d = sum((x - y) ** 2 for x, y in zip(a[i:i + block], b[i:i + block], strict=True))
        worst = max(worst, d / block)
    return 10 * math.log10(worst / mean) if worst else -math.inf


CASES = [
    # (source, its rate, its channels, codec options, output channels)
    ("speech.flac", 48000, 2, ["-c:a", "flac", "-sample_fmt", "s32"], 2),
    ("speech.wav", 44100, 2, ["-c:a", "pcm_s16le"], 2),
    ("mono.wav", 32000, 1, ["-c:a", "pcm_s24le"], 1),
]


@pytest.mark.slow
@pytest.mark.parametrize("name,rate,channels,codec,out_channels", CASES)
def test_the_joined_mp3_is_the_one_pass_programme(short_parts, monkeypatch, tmp_path, name,
                                                   rate, channels, codec, out_channels):
    src = make_audio(tmp_path / name, 75.0, rate=rate, channels=channels, codec=codec,
                     level_db=-30.0)
    cfg = AudioConfig(channels=out_channels)
    joined, facts = _make(src, tmp_path / "parts", cfg)
    assert facts["parts"] == 4  # 75 s in parts of at least 12 s: four, a power of two
    single, single_facts = _one_pass(monkeypatch, src, tmp_path / "one", cfg)
    assert single_facts["parts"] == 1
    # the same length to the sample, stated so to players and decoded so
    assert joined.samples == single.samples == round(75.0 * 44100)
    assert MP3(joined.path).info.length == MP3(single.path).info.length
    # a CBR frame is a byte longer now and then to keep the rate exact; each part keeps its
    # own count of when, so a joint may move one such byte
    assert abs(joined.size - single.size) <= facts["parts"] - 1
    a, b = _decode(joined.path, out_channels), _decode(single.path, out_channels)
    assert len(a) == joined.samples * out_channels
    # the same audio but for the encoder's own noise: no block around a joint (a click, a
    # frame decoded from the wrong bytes, a jump in time) stands out
    assert _worst_block(a, b, 1152 * out_channels) < -25
    # the loudness measured in parts is the one measured whole
    assert joined.after.integrated == pytest.approx(single.after.integrated, abs=0.2)
    assert joined.after.peak == pytest.approx(single.after.peak, abs=0.2)
    assert joined.gain == single.gain


@pytest.mark.slow
def test_a_limited_programme_joins_as_well(short_parts, monkeypatch, tmp_path):
    # quiet speech with loud peaks: the gain drives the limiter, which starts afresh per part
    src = make_audio(tmp_path / "peaky.wav", 60.0, rate=48000, level_db=-6.0,
                     codec=["-c:a", "pcm_s16le"])
    cfg = AudioConfig(loudness=-6.0, true_peak=-3.0)
    joined, facts = _make(src, tmp_path / "parts", cfg)
    single, _ = _one_pass(monkeypatch, src, tmp_path / "one", cfg)
    assert facts["parts"] == 4
    assert joined.samples == single.samples
    assert "alimiter" in facts["graph"]
    assert _worst_block(_decode(joined.path, 2), _decode(single.path, 2), 2304) < -25


@pytest.mark.slow
def test_the_same_source_gives_the_same_bytes(short_parts, tmp_path):
    src = make_audio(tmp_path / "speech.flac", 50.0, codec=["-c:a", "flac"])
    first, _ = _make(src, tmp_path / "a")
    second, _ = _make(src, tmp_path / "b")
    assert first.sha256 == second.sha256
    assert first.path.read_bytes() == second.path.read_bytes()


@pytest.mark.slow
def test_no_joint_possible_makes_it_in_one_pass(short_parts, monkeypatch, tmp_path):
    monkeypatch.setattr(parts_mod, "WINDOW_FRAMES", 0)  # nowhere to join
    src = make_audio(tmp_path / "speech.wav", 50.0, codec=["-c:a", "pcm_s16le"])
    out, facts = _make(src, tmp_path / "cache")
    assert facts["parts"] == 1
    assert out.samples == round(50.0 * 44100)
    assert not list((tmp_path / "cache").glob(".encode-*"))  # no scratch left behind


@pytest.mark.parametrize("name,codec", [("speech.mp3", ["-c:a", "libmp3lame"]),
                                        ("speech.m4a", ["-c:a", "aac"])])
def test_a_compressed_source_is_made_in_one_pass(short_parts, tmp_path, name, codec):
    # its samples' timestamps after a seek are the demuxer's guess, not exact
    src = make_audio(tmp_path / name, 30.0, codec=codec)
    out, facts = _make(src, tmp_path / "cache")
    assert facts["parts"] == 1
    assert out.samples > 0


def test_an_output_rate_outside_mpeg1_is_made_in_one_pass(short_parts, tmp_path):
    src = make_audio(tmp_path / "speech.wav", 30.0, codec=["-c:a", "pcm_s16le"])
    out, facts = _make(src, tmp_path / "cache", AudioConfig(sample_rate=22050, kbps=64))
    assert facts["parts"] == 1
    assert out.samples == round(30.0 * 22050)


RATES_IN = st.sampled_from([8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200,
                            96000, 192000])


@settings(max_examples=300, deadline=None)
@given(seconds=st.floats(min_value=0.5, max_value=6 * 3600), rate_in=RATES_IN,
       rate_out=st.sampled_from(parts_mod.MPEG1_RATES))
def test_the_plan_covers_the_programme_in_whole_frames(seconds, rate_in, rate_out):
    samples = int(seconds * rate_in)
    spans = parts_mod.plan(samples, rate_in, rate_out, "flac")
    duration = samples / rate_in
    if spans is None:
        assert duration < 2 * parts_mod.PART_SECONDS
        return
    assert len(spans) in (2, 4, 8) and len(spans) <= parts_mod.MAX_PARTS
    assert spans[0].start == 0 and spans[0].src_from == 0 and spans[-1].src_to is None
    total = samples * rate_out / rate_in
    for before, span in itertools.pairwise(spans):
        # a part begins on a frame of the programme and on a whole source sample
        assert span.start % splice.SAMPLES == 0
        assert span.start * rate_in % rate_out == 0
        assert span.src_from * rate_out % rate_in == 0
        assert 0 <= span.src_from <= span.start * rate_in // rate_out
        assert span.warm == (span.start * rate_in // rate_out - span.src_from) * rate_out \
            // rate_in
        lo, hi = span.window
        # the encoder has settled by the window; the part before runs on past it
        assert lo * splice.SAMPLES - span.start >= parts_mod.LEAD_SECONDS * rate_out
        assert before.src_to * rate_out // rate_in >= (hi + 2) * splice.SAMPLES
        assert before.src_to <= samples
        # each part reports the loudness of its own stretch: together, the whole once
        assert before.start + before.meter[1] * rate_out == pytest.approx(
            span.start + span.meter[0] * rate_out)
        assert before.start < span.start < total
    # the parts come out in order and none is shorter than the part length less its lead
    starts = [s.start for s in spans] + [total]
    assert all(b - a > (parts_mod.PART_SECONDS - 30) * rate_out
               for a, b in itertools.pairwise(starts))


@pytest.mark.parametrize("codec", ["mp3", "aac", "opus", "vorbis", "wmav2", "alac", ""])
def test_only_exactly_seekable_sources_are_cut(codec):
    assert parts_mod.plan(48000 * 3600, 48000, 44100, codec) is None
    assert parts_mod.plan(48000 * 3600, 48000, 44100, "pcm_s24le") is not None
    assert parts_mod.plan(48000 * 3600, 48000, 22050, "flac") is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_garbage_in_place_of_a_part_is_a_splice_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("garbage") / "part.mp3"
    path.write_bytes(data)
    try:
        part = splice.Part.read(path, 0)
    except splice.SpliceError:
        return
    # read, it is whole frames only, each where the one before ends
    assert part.info and part.offsets[-1] == len(data)
    assert all(b - a == splice.header(part.raw(i)).size
               for i, (a, b) in enumerate(zip(part.offsets, part.offsets[1:], strict=False)))


# every character a filter graph gives a meaning to (and a shell, and a space)
WEIRD = "a,b:c'd\\e[f]g;h i=j$k\"l"


@pytest.mark.slow
def test_a_folder_or_tmpdir_of_any_name_measures_and_joins_alike(short_parts, monkeypatch,
                                                                  tmp_path):
    import tempfile

    from syndicate.audio import measure

    monkeypatch.setattr(measure, "PARALLEL_FROM", 10.0)  # measured in parts too, into files
    plain = make_audio(tmp_path / "plain" / "speech.flac", 50.0, codec=["-c:a", "flac"])
    expected, _ = _make(plain, tmp_path / "plain" / "cache")
    weird = tmp_path / WEIRD
    (weird / "tmp").mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(weird / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    src = weird / "speech.flac"
    src.write_bytes(plain.read_bytes())
    out, facts = _make(src, weird / "cache")
    assert facts["parts"] == 4
    # the same bytes wherever the project and the temporary folder are
    assert out.sha256 == expected.sha256
    assert not list((weird / "tmp").iterdir())


@pytest.mark.slow
def test_a_ten_minute_episode_is_published_from_parts_under_any_folder_name(monkeypatch,
                                                                             tmp_path):
    # the real threshold, through the CLI: a project and a TMPDIR whose names hold , : ' [ ;
    import tempfile

    from conftest import BASE_CONFIG, Project, png_bytes, sidecar

    root = tmp_path / WEIRD / "show"
    (tmp_path / WEIRD / "tmp").mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(tmp_path / WEIRD / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)
    proj = Project(root)
    proj.write("config.yaml", BASE_CONFIG)
    proj.write("cover.png", png_bytes())
    (root / "posts").mkdir()
    make_audio(root / "episodes" / "long.wav", 600.5, rate=44100, codec=["-c:a", "pcm_s16le"])
    proj.write("episodes/long.yaml", sidecar("Long"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    (facts_file,) = (root / ".syndicate" / "media").glob("audio-*.json")
    assert json.loads(facts_file.read_text())["parts"] == 2
    (mp3,) = [p for p in (root / "public").rglob("*.mp3")]
    assert len(_decode(mp3, 2)) == round(600.5 * 44100) * 2


@pytest.mark.slow
def test_alternates_leave_the_mp3_the_bytes_it_is_without_them(short_parts, tmp_path):
    # a checkout that makes the MP3 and an Opus at once must publish the same MP3 (the same
    # media key) as one that made the MP3 alone
    from syndicate.config import AlternateConfig

    src = make_audio(tmp_path / "speech.flac", 50.0, codec=["-c:a", "flac"])
    alone, facts = _make(src, tmp_path / "alone")
    opus = AlternateConfig(codec="opus", bitrate=48)
    both = process(src, sha256_file(src), src.name, AudioSettings(AudioConfig(alternates=[opus])),
                   tmp_path / "both", TAGS, alternates=(opus,))
    assert facts["parts"] == 4
    assert both.sha256 == alone.sha256
    (alt,) = both.alternates
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", alt["path"], "-f", "s16le", "-ac",
                           "1", "-ar", "44100", "-"], capture_output=True, check=True)
    assert proc.stderr == b""
    assert abs(len(proc.stdout) // 2 - both.samples) < 44100 * 0.05  # the whole programme


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a tmpfs of its own, of the size asked for."""
    from test_catalog_faults import _mount

    mounted = []

    def make(size: str, tag: str = "") -> Path:
        point = tmp_path / f"disk-{size}{tag}"
        _mount(point, size)
        mounted.append(point)
        return point

    yield make
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False, capture_output=True)


@pytest.mark.slow
def test_parts_need_no_more_disk_than_one_pass(short_parts, monkeypatch, small_disk, tmp_path):
    # a 120 s MP3 is 1.9 MB: 5 MB holds two copies of it (the encode and its tagged copy, as
    # one pass needs), not three
    src = make_audio(tmp_path / "speech.flac", 120.0, codec=["-c:a", "flac"])
    out, facts = _make(src, small_disk("5m"))
    assert facts["parts"] == 8
    assert out.samples == 120 * 44100
    single, _ = _one_pass(monkeypatch, src, small_disk("5m"))
    assert single.samples == out.samples
    # where two copies do not fit, or not even one (ffmpeg's own write fails), in parts or in
    # one pass: the episode is named, with what ran out
    from syndicate.errors import AudioError

    for size, in_parts in (("3m", True), ("1m", True), ("1m", False)):
        with pytest.raises(AudioError) as err:
            _make(src, small_disk(size)) if in_parts else \
                _one_pass(monkeypatch, src, small_disk(size, "-one-pass"))
        assert str(err.value).startswith("speech.flac: no space left on "), (size, err.value)


@pytest.mark.slow
@pytest.mark.parametrize("seconds", [50.0, 8.0])  # in parts, and in one pass
@pytest.mark.parametrize("how", ["saved over", "rewritten in place", "emptied"])
def test_a_source_saved_over_while_encoded_is_not_kept(short_parts, tmp_path, seconds, how):
    from syndicate.errors import AudioError

    src = make_audio(tmp_path / "take1.flac", seconds, codec=["-c:a", "flac"])
    take2 = make_audio(tmp_path / "take2.flac", seconds, level_db=-30.0, kind="tone",
                       codec=["-c:a", "flac"])
    episode = tmp_path / "episode.flac"
    episode.write_bytes(src.read_bytes())
    sha = sha256_file(episode)
    cache = tmp_path / "cache"
    swapped = []

    def progress(name, done, total):  # the author saves a new take over it, mid-encode
        if not swapped:
            if how == "saved over":
                spare = tmp_path / ".episode.flac"
                spare.write_bytes(take2.read_bytes())
                spare.replace(episode)
            else:  # emptied (and written again): the same file cut short under ffmpeg's feet
                with open(episode, "r+b") as f:
                    f.truncate(0)
                    if how == "rewritten in place":
                        f.write(take2.read_bytes())
            swapped.append(done)

    with pytest.raises(AudioError, match="changed while it was being encoded"):
        process(episode, sha, "episode.flac", AudioSettings(AudioConfig()), cache, TAGS,
                progress=progress)
    assert swapped
    assert not list(cache.glob("audio-*")) and not list(cache.glob("*.mp3"))
    if how == "emptied":  # the new take lands once the encode has given up
        episode.write_bytes(take2.read_bytes())
    # published again: the new take, whole
    out = process(episode, sha256_file(episode), "episode.flac", AudioSettings(AudioConfig()),
                  cache, TAGS)
    assert out.before.integrated < -45  # the quiet tone of the new take, not the old speech
