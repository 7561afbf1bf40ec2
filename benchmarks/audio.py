"""Benchmark: syndicate's audio pipeline against one plain encode and against two-pass loudnorm.

Generates a 60-minute 44.1 kHz stereo WAV and a 180-minute 48 kHz 24-bit FLAC with speech-like
level changes, then prints for each: wall time and peak memory (the whole process tree, sampled
every 100 ms) of

- syndicate: hashing the source, measuring it, and the streaming normalise + limit + encode,
  then tagging (what a publish does for a new episode);
- the floor: one plain ffmpeg encode of the same file to the same MP3 settings;
- ffmpeg-normalize's method: a loudnorm measuring pass, then loudnorm with the measured values
  (linear) while encoding;
- syndicate making the MP3 and one alternate (Opus 48 kbps, ``audio.alternates``) against the
  floor of the two plain encodes (MP3, then Opus) run one after the other;

and the integrated loudness and true peak of each output, measured afresh.

    python benchmarks/audio.py [--minutes 60] [--long-minutes 180] [--skip-loudnorm]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
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


def generate(path: Path, minutes: float, rate: int, extra: list[str]) -> None:
    seconds = minutes * 60
    inputs = []
    for f in (140, 280, 560):
        inputs += ["-f", "lavfi", "-i", f"sine=f={f}:r={rate}:d={seconds}"]
    inputs += ["-f", "lavfi", "-i", f"anoisesrc=color=pink:r={rate}:d={seconds}:a=0.2"]
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *inputs, "-filter_complex",
                    SPEECH + ",volume=-3dB,aformat=channel_layouts=stereo",
                    "-ar", str(rate), *extra, str(path)], check=True)


def timed(cmd: list[str]) -> tuple[float, float, str]:
    t = time.perf_counter()
    result, peak = run_with_peak_rss(cmd)
    elapsed = time.perf_counter() - t
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd[:4])}...\n{result.stdout[-2000:]}")
    return elapsed, peak, result.stdout


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


def report(label: str, seconds: float, peak: float, out: Path, floor: float | None) -> None:
    m = loudness_of(out)
    ratio = f"{seconds / floor:5.2f}x floor" if floor else "  (floor)    "
    print(f"  {label:<26} {seconds:7.1f} s  {ratio}  {peak:6.0f} MB peak   "
          f"output {m['integrated']:6.1f} LUFS, true peak {m['true_peak']:5.1f} dBTP, "
          f"{m['samples'] / m['rate'] / 60:.2f} min")


def bench(src: Path, work: Path, skip_loudnorm: bool) -> None:
    ff = ffmpeg_exe()
    print(f"{src.name}: {src.stat().st_size / 2**20:,.0f} MiB")
    floor_out = work / "floor.mp3"
    floor, floor_peak, _ = timed([ff, "-v", "error", "-y", "-i", str(src), "-c:a", "libmp3lame",
                                  "-b:a", "128k", "-ar", "44100", "-ac", "2", str(floor_out)])
    report("plain encode", floor, floor_peak, floor_out, None)
    cache = work / "cache"
    cache.mkdir(exist_ok=True)
    ours, ours_peak, out = timed([sys.executable, "-c", PIPELINE, str(src), str(cache)])
    report("syndicate", ours, ours_peak, Path(out.strip().splitlines()[-1]), floor)
    if not skip_loudnorm:
        ln_out = work / "loudnorm.mp3"
        seconds, peak = loudnorm_two_pass(src, ln_out)
        report("two-pass loudnorm", seconds, peak, ln_out, floor)
    for p in [floor_out, *cache.iterdir()]:
        p.unlink()
    # the MP3 and one alternate, against both plain encodes one after the other
    opus_out = work / "floor.opus"
    opus, opus_peak, _ = timed([ff, "-v", "error", "-y", "-i", str(src), "-c:a", "libopus",
                                "-b:a", "48k", "-ar", "48000", "-ac", "2", str(opus_out)])
    report("plain Opus 48k encode", opus, opus_peak, opus_out, None)
    print(f"  {'floor: MP3 then Opus':<26} {floor + opus:7.1f} s")
    both, both_peak, out = timed([sys.executable, "-c", PIPELINE, str(src), str(cache),
                                  "opus:48"])
    mp3_path, opus_path = (Path(p) for p in out.strip().splitlines()[-2:])
    report("syndicate MP3 + Opus 48k", both, both_peak, mp3_path, floor + opus)
    report("  (its Opus)", both, both_peak, opus_path, floor + opus)
    for p in [floor_out, opus_out, *cache.iterdir()]:
        p.unlink(missing_ok=True)


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--long-minutes", type=float, default=180)
    ap.add_argument("--skip-loudnorm", action="store_true")
    ap.add_argument("--only", choices=["wav", "flac"], help="run one of the two files")
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores, {load()}")
    with tempfile.TemporaryDirectory(prefix="syndicate-audio-bench-") as tmp:
        work = Path(tmp)
        if args.only != "flac":
            wav = work / f"speech-{args.minutes:g}min-44k-stereo.wav"
            generate(wav, args.minutes, 44100, ["-c:a", "pcm_s16le"])
            bench(wav, work, args.skip_loudnorm)
            wav.unlink()
            print(load())
        if args.only == "wav":
            return
        flac = work / f"speech-{args.long_minutes:g}min-48k-24bit.flac"
        generate(flac, args.long_minutes, 48000, ["-c:a", "flac", "-sample_fmt", "s32"])
        bench(flac, work, args.skip_loudnorm)
        print(load())


if __name__ == "__main__":
    main()
