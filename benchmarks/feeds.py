"""Benchmark: what paging saves a show with a long back catalogue.

Generates a show of N episodes (audio kept at URLs, so nothing is encoded) with show notes of a
few paragraphs, publishes it once with every episode in one feed and once with
``podcast.feed_items``, and prints for each: the size of the feed an app downloads on every
refresh, the number and total size of the archive pages, the size of podcast.json, the publish
time, and, after one more episode, the feed bytes the second publish rewrites.

    python benchmarks/feeds.py [--episodes 1000] [--feed-items 50]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from conftest import bare_project  # noqa: E402

NOTES = ("A paragraph of show notes, with [a link](https://example.org/) and *some* words "
         "about what the episode covers. ") * 6


def episode(root: Path, i: int) -> None:
    day = f"{2000 + i // 336}-{1 + i // 28 % 12:02d}-{1 + i % 28:02d} 08:00"
    lines = [f"title: Episode {i}", f"date: {day}",
             f"audio_url: https://media.example.test/ep{i}.mp3", f"audio_length: {10_000_000 + i}",
             f"duration: {1800 + i}", "notes: |", *(f"  {NOTES}" for _ in range(3))]
    (root / "episodes" / f"ep{i:05d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def publish(root: Path) -> tuple[float, set[str]]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "syndicate", "publish", "--json", "--config",
                          str(root / "config.yaml")], capture_output=True, text=True, check=True)
    return time.perf_counter() - start, set(json.loads(out.stdout)["written"])


def run(episodes: int, feed_items: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = bare_project(tmp)
        if feed_items:
            cfg = (root / "config.yaml").read_text(encoding="utf-8")
            (root / "config.yaml").write_text(cfg.replace(
                "  explicit: false\n", f"  explicit: false\n  feed_items: {feed_items}\n"),
                encoding="utf-8")
        for i in range(episodes):
            episode(root, i)
        seconds, _ = publish(root)
        public = root / "public"
        pages = sorted(public.glob("podcast-archive-*.xml"))
        episode(root, episodes)
        again, written = publish(root)
        rewritten = sum((public / k).stat().st_size for k in written
                        if k.startswith("podcast") and k.endswith(".xml"))
        label = f"feed_items={feed_items}" if feed_items else "one feed"
        print(f"{label:>16}: podcast.xml {(public / 'podcast.xml').stat().st_size / 1e6:7.3f} MB; "
              f"{len(pages)} archive pages, {sum(p.stat().st_size for p in pages) / 1e6:.3f} MB; "
              f"podcast.json {(public / 'podcast.json').stat().st_size / 1e6:.3f} MB; "
              f"publish {seconds:.1f} s; one more episode: {again:.1f} s, "
              f"{rewritten / 1e6:.3f} MB of feeds rewritten")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--feed-items", type=int, default=50)
    args = parser.parse_args()
    run(args.episodes, None)
    run(args.episodes, args.feed_items)


if __name__ == "__main__":
    main()
