"""The measuring pass: one decode of the source that validates it and measures its loudness.

EBU R128 integrated loudness, loudness range and sample peak (ffmpeg's ebur128 alone) and the
exact sample count (ffmpeg's own count, from its verbose log), all in the output's channel
layout so that the gain computed from them is the gain the output needs. True-peak measurement
of the source is left out: it costs more than the encode's headroom allows (about 4x the plain
measure), and the limiter guards the output.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import AudioError
from .ffmpeg import DECODE_ERRORS, STREAM, channels_of, ffmpeg_exe, header_duration, reason
from .whole import PARTIAL, truncation

BLOCK = 0.4  # seconds: BS.1770's gating block; a shorter source has no loudness to measure
SILENCE_LUFS = -69.5  # ebur128 reports -70 LUFS when every block falls under the absolute gate
_I = re.compile(r"I:\s+(-?[\d.]+|-inf|nan) LUFS")
_LRA = re.compile(r"LRA:\s+(-?[\d.]+|nan) LU")
_TP = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")
_MAX = re.compile(r"max_volume: (-?[\d.]+|-inf) dB")


@dataclass(frozen=True)
class Loudness:
    integrated: float | None  # LUFS; None for digital silence
    lra: float
    peak: float | None  # sample peak in dBFS (true peak in dBTP where ``verify`` measured it)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SourceFacts:
    samples: int  # per channel, at the source's own rate
    sample_rate: int
    channels: int
    codec: str
    loudness: Loudness
    glitches: int  # decoding errors ffmpeg reported and concealed

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate


def _num(m: re.Match | None) -> float | None:
    if not m or m.group(1) in ("-inf", "nan"):
        return None
    return float(m.group(1))


def parse_summary(text: str) -> Loudness:
    """Loudness from the last ebur128 summary in ffmpeg's log; the peak is its true peak where
    it measured one, else its sample peak (or volumedetect's)."""
    tail = text[text.rfind("Summary:"):] if "Summary:" in text else text
    integrated = _num(_I.search(tail))
    if integrated is not None and integrated <= SILENCE_LUFS:
        integrated = None
    peak = _num(_TP.search(tail))
    if peak is None:
        maxes = _MAX.findall(text)
        peak = None if not maxes or maxes[-1] == "-inf" else float(maxes[-1])
    return Loudness(integrated=integrated, lra=_num(_LRA.search(tail)) or 0.0, peak=peak)


def verify(path: Path) -> Loudness:
    """Measure a finished file (integrated loudness, LRA, true peak) as a directory would."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-i", str(path), "-map", "0:a:0",
           "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise AudioError(str(path), f"not readable audio: {reason(proc.stderr)}")
    return parse_summary(proc.stderr)


OUT_FRAME = 65536  # samples per frame after the meter: ~1.4 s at 48 kHz, 1 MB of stereo doubles
PARALLEL_FROM = 600.0  # seconds: longer sources are measured in parts
# Two parts from two cores on: the measure is one thread's work (the decoder and the meter hand
# frames along), so two halves at once take about half the time when two cores are free.
MEASURE_PARTS = max(1, min(os.cpu_count() or 1, 4))


def measure_source(path: Path, name: str, out_channels: int) -> SourceFacts:
    """Decode the whole source once; refuse what is not sound audio, naming the file.

    A long source is measured in parts at once: the parts' 100 ms loudness values are the
    gating blocks of BS.1770, so the integrated loudness and loudness range combined from them
    are exact. A source measured whole takes ebur128's own summary (the same gating), which
    spares writing out every block.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AudioError(name, "audio file not found") from None
    if size == 0:
        raise AudioError(name, "audio file is empty", hint="export the episode's audio again")
    layout = "mono" if out_channels == 1 else "stereo"
    declared = _declared_duration(path)
    parts = MEASURE_PARTS
    if declared is None or declared < PARALLEL_FROM or parts < 2:
        spans = [(None, None)]
    else:
        step = declared / parts
        spans = [(i * step, None if i == parts - 1 else step) for i in range(parts)]
    with tempfile.TemporaryDirectory(prefix="syndicate-measure-") as tmp:
        cores = _cores()
        jobs = [(path, layout, start, length, Path(tmp) / str(i) if len(spans) > 1 else None,
                 cores[i % len(cores)] if len(spans) > 1 and cores else None)
                for i, (start, length) in enumerate(spans)]
        if len(jobs) == 1:
            results = [_measure_part(*jobs[0])]
        else:
            with ThreadPoolExecutor(len(jobs)) as pool:
                results = list(pool.map(lambda job: _measure_part(*job), jobs))
    err = "\n".join(r["log"] for r in results)
    stream = STREAM.search(err)
    if "no decoder found" in err or "unknown codec" in err:
        raise AudioError(name, "unsupported audio codec; ffmpeg cannot decode it",
                         hint="export it again as WAV, FLAC or MP3")
    if any(r["failed"] for r in results) or not stream:
        bad = next((r["log"] for r in results if r["failed"]), err)
        raise AudioError(name, f"not readable audio: {reason(bad)}",
                         hint="export it again as WAV, FLAC or MP3")
    samples = sum(r["samples"] for r in results)
    rate = int(stream.group(2))
    glitches = len(DECODE_ERRORS.findall(err))
    if samples == 0:
        raise AudioError(name, "holds no sound samples", hint="export it again")
    cut = truncation(path, samples / rate, header_duration(results[0]["log"]), err)
    # damage in the middle loses frames too: it is told as corrupt, unless the file stops
    # in the middle of a packet (its last few make the glitches then)
    if cut and (glitches < 3 or PARTIAL in err):
        raise AudioError(name, cut, hint="copy or export it again")
    if glitches >= 3:
        raise AudioError(name, f"corrupt: ffmpeg hit {glitches} decoding errors",
                         hint="export it again from the original recording")
    peaks = [r["peak"] for r in results if r["peak"] is not None]
    if len(results) == 1:
        whole = parse_summary(results[0]["log"])
        integrated, lra = whole.integrated, whole.lra
    else:
        integrated = gated_integrated([m for r in results for m in r["M"]])
        lra = loudness_range([s for r in results for s in r["S"]])
    loudness = Loudness(integrated=integrated, lra=lra, peak=max(peaks) if peaks else None)
    return SourceFacts(samples=samples, sample_rate=rate,
                       channels=channels_of(stream.group(3)), codec=stream.group(1),
                       loudness=loudness, glitches=glitches)


def _declared_duration(path: Path) -> float | None:
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                          capture_output=True, text=True, errors="replace")
    return header_duration(proc.stderr)


def _values(path: Path, key: str) -> list[float]:
    try:
        text = path.read_text()
    except OSError:
        return []
    return [float(v) for v in re.findall(rf"{re.escape(key)}=(-?[\d.]+)", text)]


_LEVEL = re.compile(r"^((?:\[[^\]]*\] )*?)\[(\w+)\] ")
OUT_SAMPLES = re.compile(r"Output stream #0:0 \(audio\): \d+ frames? encoded \((\d+) samples\)")


def split_log(text: str) -> tuple[str, str]:
    """ffmpeg's log written with ``-loglevel level+verbose``: (what ``-loglevel info`` would
    have written, the verbose lines). A line without a level continues the one before."""
    shown, verbose = [], []
    keep = True
    for line in text.splitlines():
        m = _LEVEL.match(line)
        if m:
            keep = m.group(2) not in ("verbose", "debug", "trace")
            line = m.group(1) + line[m.end():]
        (shown if keep else verbose).append(line)
    return "\n".join(shown), "\n".join(verbose)


def _cores() -> list[int]:
    """The cores this process may run on (none where the system does not say)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return []


@contextlib.contextmanager
def _on_core(core: int | None):
    """Within: the calling thread, and so the processes it starts, run on ``core`` alone.
    The threads of one ffmpeg hand every frame along (demuxer, decoder, filters, encoder,
    muxer); on one core those hand-offs cost far less CPU than across cores, and the parts
    measured at once each keep a core of their own."""
    if core is None:
        yield
        return
    try:
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {core})
    except OSError:
        yield
        return
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def _measure_part(path: Path, layout: str, start: float | None, length: float | None,
                  stem: Path | None, core: int | None = None) -> dict:
    """Decode (a span of) the source into ebur128 alone: its summary gives the loudness and
    the sample peak, and ffmpeg's verbose count of the samples it passed on gives the exact
    length. ``stem``: write out the 400 ms and 3 s loudness values (to combine parts)."""
    # one decoding thread: this pass is decode-bound, and thread hand-offs cost more than
    # they give here (measured: 3.1 s against 3.5 s for 30 minutes of 48 kHz 24-bit FLAC);
    # pcm_f64le takes ebur128's samples as they are (no conversion for the null output)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+verbose",
           "-threads", "1"]
    if start:
        cmd += ["-ss", f"{start:.6f}"]
    if length:
        cmd += ["-t", f"{length:.6f}"]
    chain = f"aformat=channel_layouts={layout},ebur128=framelog=quiet:peak=sample"
    if stem is not None:  # (named bare: ffmpeg runs in their folder, see below)
        chain += (f":metadata=1,ametadata=mode=print:key=lavfi.r128.M:file={stem.name}.M,"
                  f"ametadata=mode=print:key=lavfi.r128.S:file={stem.name}.S")
    # the meter's samples leave in large frames: the encoder and muxer threads that follow
    # wake once per frame, and for the small frames of a source (a FLAC frame is often 1,024
    # samples) those hand-offs cost more CPU than the meter itself. (Not before the meter: it
    # tags one 100 ms block per frame, so its frames must not span two blocks.)
    chain += f",asetnsamples=n={OUT_FRAME}:p=0"
    cmd += ["-i", os.path.abspath(path), "-map", "0:a:0", "-vn", "-af", chain, "-c:a",
            "pcm_f64le", "-f", "null", "-"]
    # the value files are named in the filter graph, where a folder's name holding , : ' [ ;
    # or \ would need escaping: ffmpeg runs in their folder and names them bare instead
    with _on_core(core):
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              cwd=stem.parent if stem is not None else None)
    log, verbose = split_log(proc.stderr)
    counts = OUT_SAMPLES.findall(verbose)
    summary = parse_summary(log)
    return {
        "log": log,
        "failed": proc.returncode != 0 or not counts,
        "samples": int(counts[-1]) if counts else 0,
        "peak": summary.peak,
        "M": _values(Path(f"{stem}.M"), "lavfi.r128.M") if stem else [],
        "S": _values(Path(f"{stem}.S"), "lavfi.r128.S") if stem else [],
    }


def _power(values: list[float]) -> float:
    return -0.691 + 10 * math.log10(sum(10 ** ((v + 0.691) / 10) for v in values) / len(values))


def gated_integrated(momentary: list[float]) -> float | None:
    """BS.1770 integrated loudness from 400 ms block loudness values (absolute and relative
    gates); None when nothing passes the absolute gate (digital silence)."""
    blocks = [m for m in momentary if m > -70]
    if not blocks:
        return None
    relative = _power(blocks) - 10
    kept = [m for m in blocks if m > relative]
    value = _power(kept) if kept else None
    return None if value is None or value <= SILENCE_LUFS else round(value, 1)


def loudness_range(short_term: list[float]) -> float:
    """EBU Tech 3342 loudness range from 3 s short-term loudness values."""
    values = [s for s in short_term if s > -70]
    if not values:
        return 0.0
    relative = _power(values) - 20
    kept = sorted(s for s in values if s > relative)
    if not kept:
        return 0.0

    def pct(p: float) -> float:
        return kept[min(len(kept) - 1, round(p * (len(kept) - 1)))]

    return round(pct(0.95) - pct(0.10), 1)
