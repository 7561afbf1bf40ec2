"""Benchmark: what `syndicate new episode` costs now that it reads every packet of the audio
(to refuse a file cut short as publish would), for long MP3, FLAC and M4A sources.

Generates a tone of ``--minutes`` (default 60) as a 64 kbps mono MP3, a 44.1 kHz 16-bit stereo
FLAC and a 96 kbps AAC M4A, then prints the wall time of the whole command (start-up
included) in a fresh project for each, beside the time of ffmpeg reading the file's packets
alone (the floor of the check).

    python benchmarks/new_episode.py [--minutes 60]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORMATS = {
    "mp3": ["-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k"],
    "flac": ["-ac", "2", "-sample_fmt", "s16"],
    "m4a": ["-ac", "1", "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart"],
}


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-new-episode-") as tmp:
        work = Path(tmp)
        for fmt, extra in FORMATS.items():
            src = work / f"source.{fmt}"
            subprocess.run([ffmpeg(), "-v", "error", "-f", "lavfi", "-i",
                            f"sine=f=220:d={args.minutes * 60}", *extra, str(src)], check=True)
            project = work / f"p-{fmt}"
            subprocess.run([sys.executable, "-m", "syndicate", "init", str(project)], check=True,
                           capture_output=True, cwd=HERE.parent)
            floor, _ = timed([ffmpeg(), "-v", "error", "-nostdin", "-i", str(src), "-map", "0:a:0",
                              "-c", "copy", "-f", "null", "-"])
            took, proc = timed([sys.executable, "-m", "syndicate", "--config",
                                str(project / "config.yaml"), "new", "episode", str(src),
                                "--title", f"Bench {fmt}"], cwd=HERE.parent)
            if proc.returncode:
                sys.exit(f"{fmt}: new episode failed: {proc.stderr}")
            print(f"{fmt:5} {src.stat().st_size / 1e6:7.1f} MB  new episode {took:6.2f} s  "
                  f"(packets read alone {floor:5.2f} s)")


if __name__ == "__main__":
    main()
