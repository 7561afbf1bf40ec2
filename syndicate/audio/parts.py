"""A long episode's MP3 made in parts at once, one per core, joined into one stream.

LAME encodes on one thread, so one pass leaves the other cores idle while a three-hour episode
encodes for a minute or more. A source of at least ``2 * PART_SECONDS`` is cut into parts on
frame boundaries of the programme; each part is resampled, normalised, limited, metered and
encoded by its own ffmpeg (the same filters as the one-pass encode, with the same gain), and the
parts are joined where their frames overlap (``splice``), then muxed once more so the Info frame
(seek table, CRCs) describes the whole. The split depends on the source's length alone, never
on the machine's cores, so every host makes the same bytes.

Each part after the first starts ``LEAD_SECONDS`` before the first frame where it may take over,
so the encoder has settled by then, and decodes ``WARM`` seconds more before that so the
resampler has too; the part before runs on past the window where the joint is sought. Only
sources whose every sample keeps its exact timestamp after a seek (FLAC, PCM in WAV or AIFF)
are cut: a compressed source is encoded in one pass. Anything unexpected while joining falls
back to the one pass, which makes the same programme.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import queue
import re
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import AudioError
from .cache import no_room, out_of_room
from .ffmpeg import ffmpeg_exe, reason
from .measure import (
    OUT_SAMPLES,
    _cores,
    _on_core,
    gated_integrated,
    loudness_range,
    parse_summary,
)
from .splice import SAMPLES, Part, SpliceError, delays, header, join, stated_samples

PART_SECONDS = 300.0  # the shortest part; a source under twice this is encoded in one pass
MAX_PARTS = 8
LEAD_SECONDS = 2.0
WARM = 0.1  # seconds
WINDOW_FRAMES = 400  # where a joint is sought: about 10 s
TAIL_FRAMES = 8  # the part before runs this far past the window (its last frames are flushed)
MPEG1_RATES = (32000, 44100, 48000)
_EXACT = re.compile(r"flac|pcm_\w+")


@dataclass(frozen=True)
class Span:
    start: int  # the programme's sample (output rate) this part's encode begins at
    src_from: int  # the source sample its decode begins at (WARM before ``start``)
    src_to: int | None  # where its decode ends (None: the end of the source)
    warm: int  # output samples decoded before ``start`` and dropped
    window: tuple[int, int]  # frames of the programme where it may take over from the one before
    meter: tuple[float, float]  # seconds (from ``start``) whose loudness it reports

    @property
    def first_frame(self) -> int:
        return self.start // SAMPLES


def plan(samples: int, rate_in: int, rate_out: int, codec: str) -> list[Span] | None:
    """The parts for a source of ``samples`` at ``rate_in``; None when it is encoded in one
    pass (too short, not exactly seekable, or an output rate that is not MPEG-1's)."""
    duration = samples / rate_in
    count = 1  # a power of two, so that the parts fill two, four or eight cores evenly
    while count < MAX_PARTS and duration >= 2 * count * PART_SECONDS:
        count *= 2
    if count < 2 or rate_out not in MPEG1_RATES or not _EXACT.fullmatch(codec):
        return None
    g = math.gcd(rate_in, rate_out)
    step_in, step_out = rate_in // g, rate_out // g  # samples that map onto whole samples
    unit = math.lcm(SAMPLES, step_out)  # a part begins on a frame and on a whole source sample
    total = samples * rate_out // rate_in
    lead = math.ceil(LEAD_SECONDS * rate_out / SAMPLES)
    warm_in = step_in * math.ceil(WARM * rate_in / step_in)
    starts = [0] + [(i * total // count - lead * SAMPLES) // unit * unit
                    for i in range(1, count)]
    windows = [(0, 0)] + [(s // SAMPLES + lead, s // SAMPLES + lead + WINDOW_FRAMES)
                          for s in starts[1:]]
    spans = []
    for i, start in enumerate(starts):
        src = start * rate_in // rate_out
        src_from = max(0, src - warm_in)
        src_to = None
        if i + 1 < count:
            end = (windows[i + 1][1] + TAIL_FRAMES) * SAMPLES
            src_to = -(-end // unit) * unit * rate_in // rate_out
        meter_from = 0.0 if i == 0 else (windows[i][0] * SAMPLES - start) / rate_out
        meter_to = math.inf if i + 1 == count else \
            (windows[i + 1][0] * SAMPLES - start) / rate_out
        spans.append(Span(start, src_from, src_to, (src - src_from) * rate_out // rate_in,
                          windows[i], (meter_from, meter_to)))
    return spans


def window_chain(span: Span) -> tuple[str, str]:
    """The filters that cut a part from the source (before the resampler) and drop its warm-up
    (after it), for ``pipeline._graph``."""
    cut = f"atrim=start_pts={span.src_from}"
    if span.src_to is not None:
        cut += f":end_pts={span.src_to}"
    after = f",atrim=start_pts={span.warm},asetpts=PTS-STARTPTS" if span.warm else ""
    return f"{cut},asetpts=PTS-STARTPTS,", after


_META = re.compile(r"pts_time:(\S+)\s*\n[^\n=]*\.(M|S)=(-?[\d.]+)")


def meter_chain(stem: Path) -> str:
    """The meter of a part: its 100 ms momentary and short-term values, written to files
    named bare (ffmpeg runs in the scratch folder, whose name might need escaping here)."""
    return (f"ebur128=framelog=quiet:peak=sample:metadata=1,"
            f"ametadata=mode=print:key=lavfi.r128.M:file={stem.name}.M,"
            f"ametadata=mode=print:key=lavfi.r128.S:file={stem.name}.S")


def _meter_values(stem: Path, meter: tuple[float, float]) -> tuple[list[float], list[float]]:
    """A part's momentary and short-term values within its own stretch ``meter``."""
    found: dict[str, list[float]] = {"M": [], "S": []}
    for key, values in found.items():
        try:
            text = Path(f"{stem}.{key}").read_text()
        except OSError:
            continue
        for t, _, value in _META.findall(text):
            if meter[0] <= float(t) < meter[1]:
                values.append(float(value))
    return found["M"], found["S"]


@dataclass
class Made:
    """A part's encode: its file, the samples LAME was given, its meter's readings."""

    path: Path
    samples: int
    peak: float | None
    momentary: list[float]
    short: list[float]


def encode_parts(source: Path, samples_in: int, rates: tuple[int, int], spans: list[Span],
                 run, graph_of, mp3_args: list[str], scratch: Path, name: str, total: float,
                 progress) -> tuple[Path, int, dict]:
    """Encode every part (at most one per core at once) and join them in ``scratch``.

    ``samples_in``: the source's length; ``rates``: its and the output's sample rates;
    ``graph_of(span, meter_stem)`` gives a part's filter graph, its output labelled ``[o0]``;
    ``run(cmd, outputs, name, total, progress, cwd)`` is the pipeline's ffmpeg runner. Returns the
    joined MP3, the programme's sample count and its loudness (as ``Loudness.to_dict``).
    Raises SpliceError where the parts cannot be joined, AudioError where ffmpeg fails."""
    rate, rate_out = rates
    # one part per core at once, each kept to its core (where the system says which it may use)
    cores: list[int | None] = list(_cores()) or [None] * (os.cpu_count() or 1)
    free: queue.Queue = queue.Queue()
    for core in cores:
        free.put(core)
    done = [0.0] * len(spans)
    lock = threading.Lock()

    def report(i: int):
        if progress is None:
            return None

        def part_progress(_name: str, seconds: float, _total: float) -> None:
            with lock:
                done[i] = seconds
                progress(name, min(total, sum(done)), total)
        return part_progress

    def one(i: int) -> Made:
        span = spans[i]
        meter = scratch / f"meter{i}"
        dest = scratch / f"part{i}.mp3"
        head = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-copyts"]
        if span.src_from:
            # a seek to a little before the part; the trim then cuts it to the sample
            head += ["-ss", f"{max(0.0, span.src_from / rate - 1.0):.6f}"]
        cmd = [*head, "-i", os.path.abspath(source), "-filter_complex", graph_of(span, meter)]
        core = free.get()
        try:
            with _on_core(core):
                log, verbose = run(cmd, [(mp3_args, dest)], name, total, report(i), scratch)
        finally:
            free.put(core)
        counts = OUT_SAMPLES.findall(verbose)
        momentary, short = _meter_values(meter, span.meter)
        for key in ("M", "S"):  # read: their room goes back to the disk at once
            Path(f"{meter}.{key}").unlink(missing_ok=True)
        return Made(dest, int(counts[-1]) if counts else 0, parse_summary(log).peak,
                    momentary, short)

    pool = ThreadPoolExecutor(len(cores))
    try:
        made = list(pool.map(one, range(len(spans))))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # the parts not yet begun never begin
        raise
    pool.shutdown()
    # each part was given the very samples it was cut for (a source whose timestamps are not
    # its sample count, or whose first sample is not at 0, is not: one pass makes it then)
    whole = samples_in * rate_out / rate
    for i, (span, m) in enumerate(zip(spans, made, strict=True)):
        expected = (whole if span.src_to is None else span.src_to * rate_out // rate) - \
            span.start
        if abs(m.samples - expected) > (2 if span.src_to is None else 0):
            raise SpliceError(f"part {i} was given {m.samples} samples, not {expected}")
    parts = [Part.read(m.path, s.first_frame) for m, s in zip(made, spans, strict=True)]
    joined = scratch / "joined.mp3"
    frames = join(parts, [s.window for s in spans[1:]], joined)
    delay, padding = delays(parts[-1].info)
    samples = spans[-1].start + made[-1].samples
    if frames * SAMPLES - delay - padding != samples:
        raise SpliceError("the joined stream's length does not add up")
    peaks = [m.peak for m in made if m.peak is not None]
    loudness = {"integrated": gated_integrated([v for m in made for v in m.momentary]),
                "lra": loudness_range([v for m in made for v in m.short]),
                "peak": max(peaks) if peaks else None}
    return joined, samples, loudness


def remux(joined: Path, dest: Path, mp3_args: list[str], name: str) -> None:
    """Mux the joined stream again (no re-encode): ffmpeg writes the Info frame's seek table
    and CRCs for the whole, keeping its delay and padding. ``name``: the episode's source, for
    an error."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "error", "-i",
           str(joined), "-map", "0:a:0", "-c:a", "copy", *_mux_args(mp3_args), "-y", str(dest)]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    joined.unlink(missing_ok=True)
    if proc.returncode == 0:
        return
    folder = dest.parent.parent  # the media cache (the scratch folder is inside it)
    if out_of_room(proc.stderr):
        raise no_room(name, folder)
    raise AudioError(name, f"could not write its MP3 in the media cache {folder}: "
                     f"{reason(proc.stderr)}")


def _mux_args(mp3_args: list[str]) -> list[str]:
    keep = ("-write_xing", "-id3v2_version", "-write_id3v1", "-map_metadata", "-map_chapters",
            "-f")
    out = []
    for flag, value in itertools.pairwise(mp3_args):
        if flag in keep:
            out += [flag, value]
    return out


def check(path: Path, samples: int) -> None:
    """The muxed MP3 states the length the parts add up to (or SpliceError)."""
    with open(path, "rb") as f:
        first = f.read(4)
        info = first + f.read(header(first).size - 4)
    stated = stated_samples(info)
    if stated != samples:
        raise SpliceError(f"the joined MP3 states {stated} samples, not {samples}")


@contextlib.contextmanager
def scratch_in(folder: Path):
    """A scratch folder for the parts beside the cache (same disk, removed after)."""
    with tempfile.TemporaryDirectory(prefix=".encode-parts-", dir=folder) as tmp:
        yield Path(os.path.abspath(tmp))

