"""Make the podcast-ready MP3: measure once, then one streaming ffmpeg pass does the rest.

The pass joins the optional intro and outro with a crossfade, trims silence, resamples, applies
the gain that brings the programme to the target loudness, limits peaks below the true-peak
ceiling (a plain gain change would clip), measures the result (integrated loudness, loudness
range, sample peak: true-peak metering here would cost about 15% of an encode, so the limiter
keeps a margin under the ceiling instead, and ``verify`` measures a published file's true peak
on demand) and encodes constant-bitrate MP3. The alternates (``audio.alternates``) are made in
the same pass: the limited audio is split to one encoder each. A rendition added later is made
alone from the filter graph recorded with the MP3, without measuring the source again.
A long WAV or FLAC source is encoded in parts at once, one per core, and joined (``parts``).
Memory stays flat however long the episode is. The encoded audio is cached by (source content,
settings; a rendition also by codec and bitrate), so publishing again never re-encodes; tags are
written on a copy of the MP3, which is cheap. Every file is written under a temporary name and
renamed when complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import filestat
from ..config import AlternateConfig as Alternate
from ..config import AudioConfig
from ..errors import AudioError, NotEncoded
from ..space import FULL
from . import parts
from .cache import cache_key, no_room, out_of_room
from .edits import silent_edges
from .ffmpeg import ffmpeg_exe, reason
from .measure import (
    BLOCK,
    OUT_SAMPLES,
    Loudness,
    SourceFacts,
    measure_source,
    parse_summary,
    split_log,
)
from .renditions import CODECS, file_hashes, rendition_key
from .settings import AudioSettings
from .splice import SpliceError

if TYPE_CHECKING:
    from .tags import Tags

LIMIT_MARGIN = 1.5  # dB under the true-peak ceiling: MP3 coding noise adds up to ~1.4 dB
LAME_COMPENSATION = 0.6  # dB: limiting and LAME leave the output slightly quieter
# dB: a programme whose measured sample peak, after the gain, stays this far under the limiter's
# threshold never reaches it (resampling adds a few tenths at most to natural sound), so the
# limiter, which would pass every sample unchanged, is left out: it costs about a tenth of an
# encode. Not with an intro or outro, whose peaks are not measured with the programme's.
IDLE_LIMITER_MARGIN = 1.0

Progress = Callable[[str, float, float], None]  # (name, seconds done, seconds in all)


@dataclass
class Processed:
    path: Path
    sha256: str
    size: int
    samples: int
    sample_rate: int
    channels: int
    offset: float  # seconds the source's timeline moved by (intro added, silence cut)
    before: Loudness
    after: Loudness
    gain: float
    warnings: list[str] = field(default_factory=list)
    sri: str = ""  # the tagged file's SRI hash (sha384-...)
    alternates: list[dict] = field(default_factory=list)  # each rendition's facts and path


def _gain(facts: SourceFacts, cfg: AudioConfig, name: str, warnings: list[str]) -> float:
    measured = facts.loudness.integrated
    if measured is None:
        why = (f"too short to measure its loudness ({facts.duration:.2g} s; the measure needs "
               f"{BLOCK:g} s)" if facts.duration < BLOCK else
               "digital silence; its loudness cannot be measured")
        warnings.append(f"{name}: {why}, so its level was left alone")
        return 0.0
    gain = cfg.loudness - measured + LAME_COMPENSATION
    if gain > cfg.max_gain:
        warnings.append(f"{name}: measured {measured:.1f} LUFS; it would need {gain:.1f} dB of "
                        f"gain, more than audio.max_gain ({cfg.max_gain:g} dB); raised by "
                        f"{cfg.max_gain:g} dB only")
        gain = cfg.max_gain
    return gain


def _graph(settings: AudioSettings, facts: SourceFacts, trim: tuple[float, float],
           clips: list[tuple[str, SourceFacts]], gain: float,
           window: tuple[str, str] = ("", "")) -> tuple[str, float]:
    """The filter graph, and the offset of the source's timeline in the output. ``window``:
    filters before and after the resampler that make the graph one part's (``parts``)."""
    c = settings.config
    fmt = (f"aresample={c.sample_rate},"
           f"aformat=sample_fmts=fltp:channel_layouts={'mono' if c.channels == 1 else 'stereo'}")
    lead, trail = trim
    cut = ""
    if lead or trail:
        cut = f"atrim=start={lead:.3f}:end={facts.duration - trail:.3f},asetpts=PTS-STARTPTS,"
    parts = [f"[0:a:0]{window[0]}{cut}{fmt}{window[1]}[body]"]
    body_len = facts.duration - lead - trail
    offset = -lead
    current = "body"
    for i, (role, clip) in enumerate(clips, start=1):
        body_i = facts.loudness.integrated
        clip_i = clip.loudness.integrated
        match = (body_i - clip_i) if body_i is not None and clip_i is not None else 0.0
        parts.append(f"[{i}:a:0]{fmt},volume={match:.2f}dB[{role}]")
        fade = min(c.crossfade, clip.duration / 2, body_len / 2)
        pair = f"[{role}][{current}]" if role == "intro" else f"[{current}][{role}]"
        if fade > 0.01:
            parts.append(f"{pair}acrossfade=d={fade:.3f}:c1=tri:c2=tri[j{i}]")
        else:
            fade = 0.0
            parts.append(f"{pair}concat=n=2:v=0:a=1[j{i}]")
        if role == "intro":
            offset += clip.duration - fade
        current = f"j{i}"
    ceiling = c.true_peak - LIMIT_MARGIN
    peak = facts.loudness.peak
    if not clips and (peak is None or peak + gain <= ceiling - IDLE_LIMITER_MARGIN):
        parts.append(f"[{current}]volume={gain:.2f}dB[norm]")
    else:
        parts.append(f"[{current}]volume={gain:.2f}dB,"
                     f"alimiter=limit={ceiling:.2f}dB:level=false:latency=true[norm]")
    return ";".join(parts), offset


# the MP3's audio measured as it is encoded (loudness and sample peak; ffmpeg counts samples),
# then given to LAME as 16-bit samples, as it always was: the same source and settings keep
# making the same MP3 bytes
METER = "ebur128=framelog=quiet:peak=sample,aformat=sample_fmts=s16"


def _split(body: str, chains: list[str]) -> str:
    """The normalised audio ``[norm]`` of ``body`` split to one output per chain, ``[o0]``..."""
    if len(chains) == 1:
        return f"{body};[norm]{chains[0]}[o0]"
    labels = "".join(f"[s{i}]" for i in range(len(chains)))
    tails = ";".join(f"[s{i}]{chain}[o{i}]" for i, chain in enumerate(chains))
    return f"{body};[norm]asplit={len(chains)}{labels};{tails}"


def _alt_chain(alt: Alternate) -> str:
    # the gain was raised for LAME (LAME_COMPENSATION); the other encoders keep the level
    codec = CODECS[alt.codec]
    chain = f"volume=-{LAME_COMPENSATION:.2f}dB"
    return f"{chain},aresample={codec.rate}" if codec.rate else chain


def _alt_args(alt: Alternate, c: AudioConfig) -> list[str]:
    codec = CODECS[alt.codec]
    return ["-c:a", codec.encoder, "-b:a", f"{alt.bitrate}k", *codec.options,
            "-ar", str(codec.rate or c.sample_rate), "-ac", str(c.channels),
            "-map_metadata", "-1", "-map_chapters", "-1", "-f", codec.muxer]


def _encode(cmd: list[str], outputs: list[tuple[list[str], Path]], name: str, total: float,
            progress: Progress | None, cwd: Path | None = None) -> tuple[str, str]:
    """Run one ffmpeg with one or more outputs (its arguments, its file), reporting progress;
    returns ffmpeg's log (as ``-loglevel info`` writes it) and its verbose lines. Every file is
    written under a temporary name and renamed when all are complete."""
    tmps: list[str] = []
    args: list[str] = []
    try:
        for out_args, dest in outputs:
            try:
                fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".encode-",
                                           suffix=dest.suffix)
            except OSError as exc:
                raise AudioError(name, f"cannot write the media cache {dest.parent} "
                                 f"({exc.strerror or exc}); make it writable by the user "
                                 "running syndicate") from None
            os.close(fd)
            tmps.append(tmp)
            args += [*out_args, "-y", tmp]
        with tempfile.TemporaryFile("w+", errors="replace") as log:
            proc = subprocess.Popen([*cmd, "-loglevel", "level+verbose", "-progress", "pipe:1",
                                     *args],
                                    stdout=subprocess.PIPE, stderr=log, text=True, cwd=cwd)
            try:
                for line in proc.stdout:
                    if progress and line.startswith("out_time_us="):
                        with contextlib.suppress(ValueError):
                            progress(name, int(line.split("=", 1)[1]) / 1e6, total)
                proc.wait()
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            log.seek(0)
            text, verbose = split_log(log.read())
        if proc.returncode != 0:
            if out_of_room(text):
                raise no_room(name, outputs[0][1].parent)
            raise AudioError(name, f"could not encode: {reason(text)}")
        for tmp, (_, dest) in zip(tmps, outputs, strict=True):
            os.replace(tmp, dest)
    finally:
        for tmp in tmps:
            Path(tmp).unlink(missing_ok=True)
    return text, verbose


def encode(source: Path, source_sha: str, name: str, settings: AudioSettings, cache_dir: Path,
           progress: Progress | None = None, alternates: tuple[Alternate, ...] = ()) -> dict:
    """The untagged, normalised MP3 for a source (and its ``alternates``), from the cache or
    made now. Returns its facts, with one dict of facts per alternate under "alternates".
    Two episodes with the same audio (and settings) in one collect: one encodes, the other
    waits for it and takes the result from the cache."""
    key = cache_key(source_sha, settings)
    with _KEYS_LOCK:
        lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with lock:
        return _encode_once(source, name, settings, cache_dir, key, progress, alternates)


_KEYS_LOCK = threading.Lock()
_KEY_LOCKS: dict[str, threading.Lock] = {}


def _alt_files(cache_dir: Path, key: str, alt: Alternate) -> tuple[str, Path, Path]:
    """A rendition's cache key, its audio and its facts in the cache."""
    rkey = rendition_key(key, alt.codec, alt.bitrate)
    return rkey, cache_dir / f"audio-{rkey}{CODECS[alt.codec].extension}", \
        cache_dir / f"audio-{rkey}.json"


def _alt_facts(cache_dir: Path, key: str, alt: Alternate) -> dict | None:
    _, audio, facts_path = _alt_files(cache_dir, key, alt)
    if not audio.is_file():
        return None
    try:
        return json.loads(facts_path.read_text())
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.part")  # another process may write it too
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def _inputs(source: Path, settings: AudioSettings) -> list[str]:
    inputs = ["-i", str(source)]
    for clip in (settings.intro, settings.outro):
        if clip is not None:
            inputs += ["-i", str(clip.path)]
    return inputs


def _encode_once(source: Path, name: str, settings: AudioSettings, cache_dir: Path, key: str,
                 progress: Progress | None, alternates: tuple[Alternate, ...]) -> dict:
    audio = cache_dir / f"audio-{key}.mp3"
    facts_path = cache_dir / f"audio-{key}.json"
    result = None
    if audio.exists() and facts_path.exists():
        result = json.loads(facts_path.read_text())
    missing = [alt for alt in alternates if _alt_facts(cache_dir, key, alt) is None]
    if result is not None and not missing:
        return _with_alternates(result, cache_dir, key, alternates)
    cache_dir.mkdir(parents=True, exist_ok=True)
    c = settings.config
    head = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", *_inputs(source, settings)]
    seen = filestat.of_path(source)
    made = [path for alt in missing for path in _alt_files(cache_dir, key, alt)[1:]]
    if result is None or "graph" not in result:
        made += [audio, facts_path]
    try:
        if result is None or "graph" not in result:
            result = _encode_all(source, name, settings, audio, head, missing, progress)
            _write_json(facts_path, result)
        # the renditions still to make (the MP3 was made before, or in parts): from the graph
        # recorded with it, in one pass of their own
        left = [alt for alt in missing if not _alt_files(cache_dir, key, alt)[1].is_file()]
        if left:
            _renditions(head, result["graph"], left, [_alt_files(cache_dir, key, alt)[1]
                                                      for alt in left], c, name,
                        result["total"], progress)
    except AudioError:
        if filestat.of_path(source) == seen:
            raise
        changed = True  # (what ffmpeg made of a file cut short under it is no fault of it)
    else:
        # by its stat signature alone: the same bytes saved back (take 2, then take 1 again)
        # may still have been read half one, half the other
        changed = filestat.of_path(source) != seen
    if changed:
        # saved over (or edited) while it was read, maybe more than once (the measure, the
        # parts, the renditions): what was made may mix two takes, and is not kept
        for path in made:
            path.unlink(missing_ok=True)
        raise AudioError(name, "changed while it was being encoded (a new take saved over it?); "
                         "nothing made of it was kept", hint="publish again")
    for alt in missing:
        rkey, path, alt_json = _alt_files(cache_dir, key, alt)
        sha, sri, size = file_hashes(path)
        _write_json(alt_json, {"codec": alt.codec, "bitrate": alt.bitrate, "key": rkey,
                               "extension": path.suffix, "sha256": sha, "sri": sri,
                               "size": size})
    return _with_alternates(result, cache_dir, key, alternates)


def _renditions(head: list[str], body: str, alts: list[Alternate], paths: list[Path],
                c: AudioConfig, name: str, total: float, progress: Progress | None) -> None:
    """The renditions ``alts`` alone, written to ``paths``, from the MP3's filter graph."""
    outputs = [(["-map", f"[o{i}]", *_alt_args(alt, c)], path)
               for i, (alt, path) in enumerate(zip(alts, paths, strict=True))]
    _encode([*head, "-filter_complex", _split(body, [_alt_chain(alt) for alt in alts])],
            outputs, name, total, progress)


def _with_alternates(facts: dict, cache_dir: Path, key: str,
                     alternates: tuple[Alternate, ...]) -> dict:
    out = dict(facts)
    out["alternates"] = [_alt_facts(cache_dir, key, alt) for alt in alternates]
    return out


def _encode_all(source: Path, name: str, settings: AudioSettings, audio: Path, head: list[str],
                missing: list[Alternate], progress: Progress | None) -> dict:
    """Measure the source, then one ffmpeg pass makes the MP3 and the ``missing`` renditions
    (the normalised audio split to one encoder each); or, for a long source, the MP3 is made
    in parts (``parts``) and the renditions beside them. Returns the MP3's facts."""
    c = settings.config
    warnings: list[str] = []
    facts = measure_source(source, name, c.channels)
    if facts.glitches:
        warnings.append(f"{name}: ffmpeg concealed {facts.glitches} decoding error(s)")
    clips = []
    for role, clip in (("intro", settings.intro), ("outro", settings.outro)):
        if clip is not None:
            clips.append((role, measure_source(clip.path, str(clip.path), c.channels)))
    trim = (0.0, 0.0)
    if c.trim_silence and facts.loudness.integrated is not None:
        trim = silent_edges(source, name, facts.duration, c.silence_threshold)
    gain = _gain(facts, c, name, warnings)
    body, offset = _graph(settings, facts, trim, clips, gain)
    mp3 = ["-map", "[o0]", "-c:a", "libmp3lame", "-b:a", f"{c.kbps}k", "-ar", str(c.sample_rate),
           "-ac", str(c.channels), "-write_xing", "1", "-id3v2_version", "0",
           "-write_id3v1", "0", "-map_metadata", "-1", "-map_chapters", "-1", "-f", "mp3"]
    outputs = [(mp3, audio)]
    for i, alt in enumerate(missing, start=1):
        outputs.append((["-map", f"[o{i}]", *_alt_args(alt, c)],
                        _alt_files(audio.parent, audio.stem.removeprefix("audio-"), alt)[1]))
    total = facts.duration - sum(trim) + sum(cl.duration for _, cl in clips)
    # in parts whenever the source and settings allow, with alternates or not, so that the MP3
    # is the same bytes however it came to be made; the alternates are made beside the parts,
    # in a pass of their own
    spans = None if clips or trim != (0.0, 0.0) else \
        parts.plan(facts.samples, facts.sample_rate, c.sample_rate, facts.codec)
    if spans:
        side = ThreadPoolExecutor(1)
        beside = side.submit(_renditions, head, body, missing, [p for _, p in outputs[1:]], c,
                             name, total, None) if missing else None
        try:
            made = _in_parts(source, name, settings, facts, gain, spans, audio, mp3, total,
                             progress)
        finally:
            if beside is not None:
                beside.result()  # (its error, if any, is the episode's)
            side.shutdown()
        if made:
            return _facts(c, made[0], offset, gain, facts, made[1], warnings, body, total,
                          len(spans))
        missing, outputs = [], outputs[:1]  # the renditions are made: the MP3 in one pass
    graph = _split(body, [METER, *(_alt_chain(alt) for alt in missing)])
    log, verbose = _encode([*head, "-filter_complex", graph], outputs, name, total, progress)
    after = parse_summary(log)
    counts = OUT_SAMPLES.findall(verbose)  # the MP3 is output #0: the samples given to LAME
    samples = int(counts[-1]) if counts else 0
    if samples == 0:
        for _, path in outputs:
            path.unlink(missing_ok=True)
        raise AudioError(name, "the encoded audio came out empty")
    return _facts(c, samples, offset, gain, facts, after.to_dict(), warnings, body, total, 1)


def _facts(c: AudioConfig, samples: int, offset: float, gain: float, source: SourceFacts,
           after: dict, warnings: list[str], graph: str, total: float, made_in: int) -> dict:
    """What the cache records of an encoded MP3 (``made_in``: the parts it was made in)."""
    return {"samples": samples, "sample_rate": c.sample_rate, "channels": c.channels,
            "offset": round(offset, 3), "gain": round(gain, 2),
            "before": source.loudness.to_dict(), "after": after, "warnings": warnings,
            "graph": graph, "total": round(total, 6), "parts": made_in}


def _in_parts(source: Path, name: str, settings: AudioSettings, facts: SourceFacts,
              gain: float, spans: list[parts.Span], audio: Path, mp3: list[str], total: float,
              progress: Progress | None) -> tuple[int, dict] | None:
    """The MP3 made in parts at once and joined (``parts``), written to ``audio``: its sample
    count and loudness; None where the parts could not be joined (made in one pass then)."""

    def graph_of(span: parts.Span, stem: Path) -> str:
        body, _ = _graph(settings, facts, (0.0, 0.0), [], gain, parts.window_chain(span))
        return f"{body};[norm]{parts.meter_chain(stem)},aformat=sample_fmts=s16[o0]"

    rates = (facts.sample_rate, settings.config.sample_rate)
    with parts.scratch_in(audio.parent) as scratch:
        try:
            joined, samples, after = parts.encode_parts(
                source, facts.samples, rates, spans, _encode, graph_of, mp3, scratch, name,
                total, progress)
            whole = scratch / "whole.mp3"
            parts.remux(joined, whole, mp3, name)
            parts.check(whole, samples)
        except SpliceError:
            return None
        os.replace(whole, audio)
    return samples, after


def shift_chapters(chapters: list[tuple[float, str, str | None]], offset: float,
                   duration: float) -> list[tuple[float, str, str | None]]:
    """Chapters moved to the output's timeline: an intro gets a chapter of its own."""
    if not chapters:
        return []
    moved = [(max(0.0, round(start + offset, 3)), title, url) for start, title, url in chapters]
    moved = [c for c in moved if c[0] < duration]
    if offset > 0.01:
        moved.insert(0, (0.0, "Intro", None))
    out: list[tuple[float, str, str | None]] = []
    for c in moved:  # trimming can fold early chapters onto 0: keep the last of those
        if out and out[-1][0] == c[0]:
            out[-1] = c
        else:
            out.append(c)
    return out


def cached_facts(source_sha: str, settings: AudioSettings, cache_dir: Path,
                 alternates: tuple[Alternate, ...] = ()) -> dict | None:
    """The facts of the cached encode of a source (and of its ``alternates``), or None if any
    is not in the cache."""
    key = cache_key(source_sha, settings)
    audio, facts_path = cache_dir / f"audio-{key}.mp3", cache_dir / f"audio-{key}.json"
    if not audio.is_file():
        return None
    try:
        facts = json.loads(facts_path.read_text())
    except (OSError, ValueError):
        return None
    facts = _with_alternates(facts, cache_dir, key, alternates)
    return None if None in facts["alternates"] else facts


def process(source: Path, source_sha: str, name: str, settings: AudioSettings,
            cache_dir: Path, tags: Tags, progress: Progress | None = None,
            dry_run: bool = False, alternates: tuple[Alternate, ...] = ()) -> Processed:
    """The published MP3: normalised audio (cached) with this episode's tags, stored by hash.

    With ``dry_run`` nothing is encoded or written to the cache: audio already encoded is tagged
    in a scratch folder that is then removed (to know the published file's hash and size), and
    audio not yet encoded raises NotEncoded. The ``alternates`` are published untagged, as
    encoded (Processed.alternates: their facts, file and hashes). A file or folder it cannot
    use (a media cache made read-only or unreadable) is this episode's AudioError, naming it."""
    try:
        return _process(source, source_sha, name, settings, cache_dir, tags, progress, dry_run,
                        alternates)
    except OSError as exc:
        where = os.fsdecode(exc.filename) if exc.filename is not None else str(cache_dir)
        why = exc.strerror or type(exc).__name__
        if exc.errno in FULL:
            raise no_room(name, cache_dir) from None
        if Path(where).is_relative_to(cache_dir) or where == str(cache_dir):
            raise AudioError(name, f"cannot use the media cache {cache_dir} ({why}); make it "
                             "readable and writable by the user running syndicate") from None
        raise AudioError(name, f"cannot read {where} ({why}); make it readable by the user "
                         "running syndicate") from None


def _process(source: Path, source_sha: str, name: str, settings: AudioSettings,
             cache_dir: Path, tags: Tags, progress: Progress | None, dry_run: bool,
             alternates: tuple[Alternate, ...]) -> Processed:
    if dry_run:
        facts = cached_facts(source_sha, settings, cache_dir, alternates)
        if facts is None:
            raise NotEncoded(name, "would be encoded and tagged (not in a dry run)")
        with tempfile.TemporaryDirectory(prefix="syndicate-dry-") as scratch:
            done = _tag(facts, source_sha, settings, cache_dir, Path(scratch), tags)
        return replace(done, path=cache_dir / done.path.name)
    facts = encode(source, source_sha, name, settings, cache_dir, progress, alternates)
    return _tag(facts, source_sha, settings, cache_dir, cache_dir, tags)


def _tag(facts: dict, source_sha: str, settings: AudioSettings, cache_dir: Path, out_dir: Path,
         tags: Tags) -> Processed:
    """Copy the cached encode into ``out_dir``, tag it and name it by its hash."""
    from .tags import write_tags  # mutagen: loaded when a copy is tagged, not to prune the cache

    key = cache_key(source_sha, settings)
    duration = facts["samples"] / facts["sample_rate"]
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".tag-", suffix=".mp3")
    os.close(fd)
    try:
        shutil.copyfile(cache_dir / f"audio-{key}.mp3", tmp)
        chapters = shift_chapters(tags.chapters, facts["offset"], duration)
        write_tags(Path(tmp), replace(tags, chapters=chapters), duration)
        sha, sri, size = file_hashes(Path(tmp))
        final = out_dir / f"{sha}.mp3"
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Processed(
        path=final, sha256=sha, size=size, samples=facts["samples"],
        sample_rate=facts["sample_rate"], channels=facts["channels"], offset=facts["offset"],
        before=Loudness(**facts["before"]), after=Loudness(**facts["after"]),
        gain=facts["gain"], warnings=list(facts["warnings"]), sri=sri,
        alternates=[dict(a, path=str(cache_dir / f"audio-{a['key']}{a['extension']}"))
                    for a in facts.get("alternates", [])],
    )
