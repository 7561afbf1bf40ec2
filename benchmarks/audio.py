"""Benchmark: syndicate's audio pipeline against one plain encode and against two-pass loudnorm.

Generates a 60-minute 44.1 kHz stereo WAV and a 180-minute 48 kHz 24-bit FLAC with speech-like
level changes, then prints for each: wall time and peak memory (the whole process tree, sampled
every 100 ms) of

- syndicate: hashing the source, measuring it, and the streaming normalise + limit + encode,
  then tagging (what a publish does for a new episode); and its measuring pass alone;
- the floor: one plain ffmpeg encode of the same file to the same MP3 settings;
- ffmpeg-normalize's method: a loudnorm measuring pass, then loudnorm with the measured values
  (linear) while encoding;
- syndicate making the MP3 and one alternate (Opus 48 kbps, ``audio.alternates``) against the
  floor of the two plain encodes (MP3, then Opus) run one after the other;

and the integrated loudness and true peak of each output, measured afresh.

    python benchmarks/audio.py [--minutes 60] [--long-minutes 180] [--skip-loudnorm] [--runs 1]
        [--median] [--skip-alternates] [--only wav|flac] [--also DIR ...]

Wall time is what counts; the CPU time (user + system, the whole process tree) is printed beside
it, as on a shared machine the wall time is much the wait for a core. ``--also DIR`` runs the
pipeline of another source tree too (say an earlier commit unpacked with ``git archive``), in
turn with the others, so that before and after are measured under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from conftest import loudness_of, run_with_peak_rss  # noqa: E402
from syndicate.audio import ffmpeg_exe  # noqa: E402

# Voiced-sounding harmonics plus breath noise, with a syllable-rate envelope, pauses every few
# seconds and slow swings of level between passages (a quieter and a louder speaker).
SPEECH = (
    "[0][1][2][3]amix=inputs=4:weights=1 0.6 0.35 0.25:normalize=0,"
    "volume='(0.25+0.75*abs(sin(t*9.1))*abs(sin(t*2.3)))*gt(mod(t,7.3),0.9)"
    "*(0.35+0.65*gt(mod(t,173),61))':eval=frame"
)

PIPELINE = """
import sys, time
from pathlib import Path
from syndicate.audio import AudioSettings, Tags, process, sha256_file
from syndicate.config import AlternateConfig, AudioConfig
src, cache = Path(sys.argv[1]), Path(sys.argv[2])
alts = tuple(AlternateConfig(codec=c, bitrate=int(k)) for c, k in
             (a.split(":") for a in sys.argv[3:]))
sha = sha256_file(src)
out = process(src, sha, src.name, AudioSettings(AudioConfig(alternates=list(alts))), cache,
              Tags("Benchmark", "Bench", "Bench Show", "2026-11-23"), alternates=alts)
print(out.path)
for alt in out.alternates:
    print(alt["path"])
"""

# the measuring pass alone (one decode into ebur128; in parts at once for a long source)
MEASURE = """
import sys
from pathlib import Path
from syndicate.audio.measure import measure_source
src = Path(sys.argv[1])
print(measure_source(src, src.name, 2).loudness)
"""


def generate(path: Path, minutes: float, rate: int, extra: list[str]) -> None:
    seconds = minutes * 60
    inputs = []
    for f in (140, 280, 560):
        inputs += ["-f", "lavfi", "-i", f"sine=f={f}:r={rate}:d={seconds}"]
    inputs += ["-f", "lavfi", "-i", f"anoisesrc=color=pink:r={rate}:d={seconds}:a=0.2"]
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *inputs, "-filter_complex",
                    SPEECH + ",volume=-3dB,aformat=channel_layouts=stereo",
                    "-ar", str(rate), *extra, str(path)], check=True)


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the whole process tree
    peak: float  # MB
    out: str

    def __add__(self, other: Run) -> Run:
        return Run(self.wall + other.wall, self.cpu + other.cpu, max(self.peak, other.peak), "")


def timed(cmd: list[str], env: dict | None = None) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    # a tree's pipeline runs in the tree: ``python -c`` imports from its working folder first
    cwd = env["PYTHONPATH"].split(os.pathsep)[0] if env else None
    result, peak = run_with_peak_rss(cmd, env=env, cwd=cwd)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd[:4])}...\n{result.stdout[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Run(elapsed, cpu, peak, result.stdout)


def pick(runs: int, cmds: list[tuple[list[str], dict | None]], after=None,
         median: bool = False) -> list[Run]:
    """Run the commands (each with its environment) in turn ``runs`` times; for each, the run
    with the least wall time, or with ``median`` the median run by wall time. ``after(i, run)``
    is called after each (to check and clean its output)."""
    found: list[list[Run]] = [[] for _ in cmds]
    for _ in range(runs):
        for i, (cmd, env) in enumerate(cmds):
            run = timed(cmd, env)
            if after:
                after(i, run)
            found[i].append(run)
    ranked = [sorted(r, key=lambda run: run.wall) for r in found]
    return [r[(len(r) - 1) // 2] if median else r[0] for r in ranked]


def tree_env(tree: Path) -> dict:
    """The environment that makes a Python child import syndicate from ``tree``."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(tree)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))


def loudnorm_two_pass(src: Path, out: Path) -> tuple[float, float]:
    ff = ffmpeg_exe()
    t = time.perf_counter()
    first, peak1 = run_with_peak_rss([ff, "-hide_banner", "-nostats", "-i", str(src), "-af",
                                      "loudnorm=I=-16:TP=-1.5:LRA=11:print_format=json",
                                      "-f", "null", "-"])
    stats = json.loads(re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", first.stdout, re.S).group(0))
    chain = (f"loudnorm=I=-16:TP=-1.5:LRA=11:measured_I={stats['input_i']}:"
             f"measured_TP={stats['input_tp']}:measured_LRA={stats['input_lra']}:"
             f"measured_thresh={stats['input_thresh']}:offset={stats['target_offset']}:"
             "linear=true")
    second, peak2 = run_with_peak_rss([ff, "-v", "error", "-y", "-i", str(src), "-af", chain,
                                       "-c:a", "libmp3lame", "-b:a", "128k", "-ar", "44100",
                                       "-ac", "2", str(out)])
    if second.returncode:
        raise SystemExit(second.stdout)
    return time.perf_counter() - t, max(peak1, peak2)


def report(label: str, run: Run, out: Path, floor: Run | None) -> None:
    m = loudness_of(out)
    ratio = (f"{run.wall / floor.wall:5.2f}x floor (cpu {run.cpu / floor.cpu:4.2f}x)" if floor
             else "  (floor)                ")
    print(f"  {label:<26} {run.wall:7.1f} s, cpu {run.cpu:7.1f} s  {ratio}  {run.peak:5.0f} MB "
          f"peak  output {m['integrated']:6.1f} LUFS, true peak {m['true_peak']:5.1f} dBTP, "
          f"{m['samples'] / m['rate'] / 60:.2f} min")


def bench(src: Path, work: Path, args: argparse.Namespace) -> None:
    ff = ffmpeg_exe()
    print(f"{src.name}: {src.stat().st_size / 2**20:,.0f} MiB")
    floor_out, opus_out = work / "floor.mp3", work / "floor.opus"
    cache = work / "cache"
    cache.mkdir(exist_ok=True)
    plain = [ff, "-v", "error", "-y", "-i", str(src)]
    ours = [sys.executable, "-c", PIPELINE, str(src), str(cache)]
    # (label, command, environment, whether it is ours and its outputs are to be kept)
    variants: list[tuple[str, list[str], dict | None, bool]] = [
        ("plain encode", [*plain, "-c:a", "libmp3lame", "-b:a", "128k", "-ar", "44100", "-ac",
                          "2", str(floor_out)], None, False),
        ("syndicate", ours, None, True),
    ]
    for tree in args.also:
        variants.append((f"syndicate ({tree.name})", ours, tree_env(tree), True))
    if not args.skip_alternates:
        # the MP3 and one alternate, against both plain encodes one after the other
        variants += [
            ("plain Opus 48k encode", [*plain, "-c:a", "libopus", "-b:a", "48k", "-ar", "48000",
                                       "-ac", "2", str(opus_out)], None, False),
            ("syndicate MP3 + Opus 48k", [*ours, "opus:48"], None, True),
        ]
    made: dict[int, list[Path]] = {}

    def keep(i: int, run: Run) -> None:  # our outputs of the last run, the cache emptied
        if variants[i][3]:
            made[i] = [Path(p) for p in run.out.strip().splitlines()]
            for p in made[i]:
                p.rename(work / f"{i}-{p.name}")
            made[i] = [work / f"{i}-{p.name}" for p in made[i]]
            for p in cache.iterdir():
                p.unlink()

    found = pick(args.runs, [(cmd, env) for _, cmd, env, _ in variants], keep, args.median)
    floor = found[0]
    report("plain encode", floor, floor_out, None)
    for i, (label, _, _, _) in enumerate(variants[1:2 + len(args.also)], start=1):
        report(label, found[i], made[i][-1], floor)
    for label, env in [("syndicate", None), *((f"syndicate ({t.name})", tree_env(t))
                                              for t in args.also)]:
        (measured,) = pick(args.runs, [([sys.executable, "-c", MEASURE, str(src)], env)],
                           median=args.median)
        print(f"  {'  its measuring pass':<26} {measured.wall:7.1f} s, cpu {measured.cpu:7.1f} s "
              f"{measured.wall / floor.wall:5.2f}x floor (cpu {measured.cpu / floor.cpu:4.2f}x)"
              f"  [{label}]")
    if not args.skip_loudnorm:
        ln_out = work / "loudnorm.mp3"
        t = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = loudnorm_two_pass(src, ln_out)[1]
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        report("two-pass loudnorm", Run(time.perf_counter() - t, cpu, peak, ""), ln_out, floor)
    if not args.skip_alternates:
        opus, both = found[-2], found[-1]
        report("plain Opus 48k encode", opus, opus_out, None)
        print(f"  {'floor: MP3 then Opus':<26} {floor.wall + opus.wall:7.1f} s, cpu "
              f"{floor.cpu + opus.cpu:7.1f} s")
        last = len(variants) - 1
        report("syndicate MP3 + Opus 48k", both, made[last][0], floor + opus)
        report("  (its Opus)", both, made[last][1], floor + opus)
    for p in work.iterdir():
        if p.is_file() and p != src:
            p.unlink()


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--long-minutes", type=float, default=180)
    ap.add_argument("--skip-loudnorm", action="store_true")
    ap.add_argument("--runs", type=int, default=1,
                    help="run each (floor and ours in turn) this many times; the best is shown")
    ap.add_argument("--median", action="store_true",
                    help="with --runs, show the median run of each instead of the best")
    ap.add_argument("--skip-alternates", action="store_true",
                    help="leave out the MP3 + Opus alternate and its floor")
    ap.add_argument("--also", type=Path, action="append", default=[], metavar="DIR",
                    help="also run the pipeline from this source tree (repeatable)")
    ap.add_argument("--only", choices=["wav", "flac"], help="run one of the two files")
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores, {load()}"
          + (f", the median of {args.runs} runs" if args.median and args.runs > 1 else ""))
    with tempfile.TemporaryDirectory(prefix="syndicate-audio-bench-") as tmp:
        work = Path(tmp)
        if args.only != "flac":
            wav = work / f"speech-{args.minutes:g}min-44k-stereo.wav"
            generate(wav, args.minutes, 44100, ["-c:a", "pcm_s16le"])
            bench(wav, work, args)
            wav.unlink()
            print(load())
        if args.only == "wav":
            return
        flac = work / f"speech-{args.long_minutes:g}min-48k-24bit.flac"
        generate(flac, args.long_minutes, 48000, ["-c:a", "flac", "-sample_fmt", "s32"])
        bench(flac, work, args)
        print(load())


if __name__ == "__main__":
    main()
