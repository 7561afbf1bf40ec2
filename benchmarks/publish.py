"""Benchmark: publish a generated project of many posts and episodes.

Prints the full publish time, the no-change re-publish time and peak memory of
``syndicate publish``, and the floor: a straight script that parses the same files with the same
libraries (PyYAML, markdown-it, nh3, the bundled ffmpeg for durations), renders the same three
feeds with feedgen and the same pages with the same Jinja2 templates (the default theme: every
episode and post page, the archives, tag pages, home, 404, sitemap and robots), writes them and
copies the media and static files, with no catalog and no checks. The floor
probes audio in the same thread pool as syndicate, so the ratio measures syndicate's own overhead.

    python benchmarks/publish.py [--posts 2000] [--episodes 500] [--keep DIR]
                                 [--catalog postgresql | --catalog postgresql://USER@HOST/DB]

``--catalog`` publishes the same project again with its catalog on PostgreSQL (``postgresql``
alone: a server of pgserver's started for the run, from the test extras; an address: an empty
database of yours) and prints the full and no-change publish against SQLite's (target: a full
publish within 1.2x).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

SITE = """\
site:
  title: Bench
  url: https://bench.example/
  author: Bench Author
  timezone: Europe/London
blog:
  feed_items: 20
podcast:
  title: Bench Show
  description: Generated.
  owner: {name: Owner, email: owner@bench.example}
  image: cover.png
  categories: [Technology]
"""
CONFIG = SITE + """\
# Audio processing has its own benchmark (benchmarks/audio.py); here episodes are published as
# they are, so both sides do the same audio work: one decode per file for its exact duration.
audio:
  process: false
target: public
"""

POST = """\
---
title: Post number {i}
date: {date}
tags: [bench, t{t}]
---

Paragraph one of post {i}, with *emphasis*, a [link](https://example.org/{i}) and `code`.

- first point about {i}
- second point

{filler}

A closing paragraph.[^1]

[^1]: A footnote for post {i}.
"""


def _id3(title: str) -> bytes:
    """A minimal ID3v2.3 tag with one TIT2 frame, so every generated file differs."""
    text = b"\x00" + title.encode("latin-1")
    frame = b"TIT2" + len(text).to_bytes(4, "big") + b"\x00\x00" + text
    size = len(frame)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x03\x00\x00" + syncsafe + frame


def generate(root: Path, posts: int, episodes: int, seconds: float = 1.0) -> None:
    """A project of ``posts`` posts and ``episodes`` episodes (32 kbit/s MP3s of ``seconds``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from conftest import png_bytes  # the tests' own PNG writer
    from syndicate.audio import ffmpeg_exe

    (root / "posts").mkdir(parents=True)
    (root / "episodes").mkdir()
    (root / "config.yaml").write_text(CONFIG)
    (root / "cover.png").write_bytes(png_bytes())
    filler = textwrap.fill("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 12, 90)
    for i in range(posts):
        day = f"20{10 + i // 365 % 15:02d}-{1 + i // 28 % 12:02d}-{1 + i % 28:02d} 08:{i % 60:02d}"
        (root / "posts" / f"post-{i:05d}.md").write_text(
            POST.format(i=i, date=day, t=i % 7, filler=filler))
    tone = root / "tone.mp3"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"sine=f=440:d={seconds}",
                    "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", str(tone)], check=True)
    audio = tone.read_bytes()
    tone.unlink()
    for i in range(episodes):
        stem = root / "episodes" / f"ep-{i:05d}"
        stem.with_suffix(".mp3").write_bytes(_id3(f"Episode {i}") + audio)
        stem.with_suffix(".yaml").write_text(
            f"title: Episode {i}\ndate: 2020-{1 + i % 12:02d}-{1 + i % 28:02d} 06:{i % 60:02d}\n"
            f"season: {1 + i // 100}\nnumber: {i + 1}\nnotes: |\n  Notes for episode {i}, with "
            f"a [link](https://example.org/e{i}).\n")


RUN = """
import datetime as dt, resource, sys, time
from syndicate.config import load_config
from syndicate.publish import publish
t = time.perf_counter()
result = publish(load_config(sys.argv[1]), now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
elapsed = time.perf_counter() - t
assert result.ok, [str(e) for e in result.errors][:5]
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(result.plan.writes))
"""

FLOOR = """
import datetime as dt, os, resource, shutil, sys, time, zoneinfo
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import nh3, yaml
from feedgen.feed import FeedGenerator
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from syndicate.audio import PROBE_WORKERS, probe

t = time.perf_counter()
root = Path(sys.argv[1]); out = root / "floor"; out.mkdir()
zone = zoneinfo.ZoneInfo("Europe/London")
md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)
def when(v):
    v = v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(str(v))
    return v if v.tzinfo else v.replace(tzinfo=zone)
posts = []
for p in sorted((root / "posts").iterdir()):
    _, fm, body = p.read_text().split("---", 2)
    meta = yaml.load(fm, Loader=yaml.CSafeLoader)
    posts.append((when(meta["date"]), meta["title"], nh3.clean(md.render(body)), p.stem,
                  meta.get("tags") or []))
eps = []
for p in sorted((root / "episodes").glob("*.yaml")):
    meta = yaml.load(p.read_text(), Loader=yaml.CSafeLoader)
    eps.append((when(meta["date"]), meta, nh3.clean(md.render(meta["notes"])), p))
with ThreadPoolExecutor(PROBE_WORKERS) as pool:
    infos = list(pool.map(lambda e: probe(e[3].with_suffix(".mp3")), eps))
posts.sort(reverse=True)
fg = FeedGenerator(); fg.id("https://bench.example/"); fg.title("Bench")
fg.link(href="https://bench.example/"); fg.description("Bench")
for d, title, html, slug, _ in posts[:20]:
    fe = fg.add_entry(order="append"); fe.id(slug); fe.title(title)
    fe.link(href=f"https://bench.example/posts/{slug}/"); fe.published(d); fe.updated(d)
    fe.summary(title); fe.content(html, type="html")
(out / "feed.xml").write_bytes(fg.rss_str(pretty=True))
(out / "atom.xml").write_bytes(fg.atom_str(pretty=True))
fg = FeedGenerator(); fg.load_extension("podcast"); fg.title("Bench Show")
fg.link(href="https://bench.example/"); fg.description("Generated.")
(out / "media").mkdir()
for (d, meta, html, p), info in sorted(zip(eps, infos), key=lambda x: x[0][0], reverse=True):
    fe = fg.add_entry(order="append"); fe.guid(p.stem); fe.title(meta["title"])
    fe.published(d); fe.description(html); fe.content(html, type="html")
    media = p.with_suffix(".mp3")
    shutil.copyfile(media, out / "media" / media.name)
    fe.enclosure(f"https://bench.example/media/{media.name}", str(media.stat().st_size),
                 "audio/mpeg")
    fe.podcast.itunes_duration(round(info.duration)); fe.podcast.itunes_season(meta["season"])
    fe.podcast.itunes_episode(meta["number"])
(out / "podcast.xml").write_bytes(fg.rss_str(pretty=True))

# -- the same pages, from the same templates ------------------------------------------------------
from types import SimpleNamespace
from syndicate.render.pages import DEFAULT_THEME, Item, Theme
theme = Theme(None, "Europe/London")
B = "https://bench.example/"
site = {"title": "Bench", "description": "", "url": B, "base": B, "language": "en",
        "author": "Bench Author", "timezone": "Europe/London", "show": "Bench Show",
        "show_description": "Generated.", "cover": B + "cover.png", "favicon": B + "fav.png",
        "rss": B + "feed.xml", "atom": B + "atom.xml", "podcast": B + "podcast.xml",
        "subscribe": [("RSS", B + "podcast.xml")], "preview": False, "static": B + "static/",
        "episodes_url": B + "episodes/", "posts_url": B + "posts/", "sitemap": B + "sitemap.xml"}
def write(key, data):
    path = out / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
def head(title, desc, url, kind, ld, image="", audio=None):
    return {"title": title, "description": desc, "canonical": url, "type": kind,
            "image": image or site["cover"], "audio": audio, "jsonld": ld}
def ld(kind, **more):
    return {"@context": "https://schema.org", "@type": kind, **more}
def neighbours(items, n):
    return (items[n - 1] if n else None), (items[n + 1] if n + 1 < len(items) else None)
def archive(folder, items, heading):
    count = max(1, -(-len(items) // 20))
    urls = [B + (folder if n == 1 else f"{folder}page/{n}/") for n in range(1, count + 1)]
    for n in range(1, count + 1):
        key = f"{folder}index.html" if n == 1 else f"{folder}page/{n}/index.html"
        nav = {"number": n, "count": count, "urls": urls, "newer": urls[n - 2] if n > 1 else None,
               "older": urls[n] if n < count else None}
        write(key, theme.render("archive.html", site=site, heading=heading,
                                items=items[(n - 1) * 20: n * 20], pages=nav,
                                page_meta=head(heading, heading, urls[n - 1], "website", None)))
ep_rows = sorted(zip(eps, infos), key=lambda x: x[0][0], reverse=True)
ep_items = [Item(m["title"], d.astimezone(dt.UTC).isoformat(), B + f"episodes/{p.stem}/",
                 "episode", "", None, [], m["season"], m["number"]) for (d, m, _, p), _ in ep_rows]
for n, (((d, m, html, p), info), item) in enumerate(zip(ep_rows, ep_items)):
    newer, older = neighbours(ep_items, n)
    audio = B + f"media/{p.stem}.mp3"
    write(f"episodes/{p.stem}/index.html", theme.render(
        "episode.html", site=site, item=item, notes=html, duration=info.duration,
        episode=SimpleNamespace(season=m["season"], number=m["number"], type="full"),
        audio_url=audio, audio_type="audio/mpeg", audio_size=p.with_suffix(".mp3").stat().st_size,
        art=site["cover"], chapters=[], chapters_url="", transcript_url="", cues=[],
        newer=newer, older=older,
        page_meta=head(item.title, "", item.url, "article",
                       ld("PodcastEpisode", name=item.title, url=item.url),
                       audio=(audio, "audio/mpeg"))))
post_items = [Item(ttl, d.astimezone(dt.UTC).isoformat(), B + f"posts/{slug}/", "post", ttl,
                   None, [(str(g), B + f"tags/{g}/") for g in tags])
              for d, ttl, _, slug, tags in posts]
by_tag = {}
for n, ((d, ttl, html, slug, tags), item) in enumerate(zip(posts, post_items)):
    newer, older = neighbours(post_items, n)
    for g in tags:
        by_tag.setdefault(str(g), []).append(item)
    write(f"posts/{slug}/index.html", theme.render(
        "post.html", site=site, item=item, body=html, link=None, newer=newer, older=older,
        page_meta=head(ttl, ttl, item.url, "article",
                       ld("BlogPosting", headline=ttl, url=item.url))))
write("index.html", theme.render("home.html", site=site, episodes=ep_items[:10],
                                 posts=post_items[:10],
                                 page_meta=head("Bench", "", B, "website", ld("PodcastSeries"))))
archive("episodes/", ep_items, "Episodes")
archive("posts/", post_items, "Posts")
for g, items in sorted(by_tag.items()):
    write(f"tags/{g}/index.html", theme.render(
        "archive.html", site=site, heading=g, items=items, pages=None,
        page_meta=head(g, g, B + f"tags/{g}/", "website", None)))
write("404.html", theme.render("404.html", site=site, page_meta=head("Not found", "", B,
                                                                       "website", None)))
urls = [(B, None)] + [(i.url, i.date) for i in ep_items + post_items]
write("sitemap.xml", theme.render("sitemap.xml", site=site, urls=urls))
write("robots.txt", theme.render("robots.txt", site=site))
shutil.copytree(DEFAULT_THEME / "static", out / "static")
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
"""


def _children_cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def run(code: str, arg: Path) -> tuple[float, float, int, float]:
    """Wall seconds, peak MB and files written as the child reports them, and the CPU seconds
    of the child and every process it waited for (ffmpeg included)."""
    before = _children_cpu()
    out = subprocess.run([sys.executable, "-c", code, str(arg)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    seconds, mem, writes = out.stdout.split()
    return float(seconds), float(mem), int(writes), _children_cpu() - before


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--episodes", type=int, default=500)
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    ap.add_argument("--catalog", help="also publish with the catalog on PostgreSQL: "
                    "'postgresql' (a pgserver started here) or an empty database's address")
    args = ap.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="syndicate-bench-"))
    if root.exists() and any(root.iterdir()):
        shutil.rmtree(root)
    t = time.perf_counter()
    generate(root, args.posts, args.episodes)
    print(f"project: {args.posts} posts, {args.episodes} episodes "
          f"(generated in {time.perf_counter() - t:.1f} s) on {os.cpu_count()} cores")
    config = root / "config.yaml"
    floor, floor_mem, _, floor_cpu = run(FLOOR, root)
    full, full_mem, writes, full_cpu = run(RUN, config)
    again, again_mem, rewrites, again_cpu = run(RUN, config)
    print(f"floor (parse + feeds + pages + copy):      {floor:7.2f} s  {floor_mem:6.0f} MB peak"
          f"  (CPU {floor_cpu:.2f} s)")
    print(f"syndicate publish, full:                   {full:7.2f} s  {full_mem:6.0f} MB peak"
          f"  ({writes} files written; CPU {full_cpu:.2f} s)")
    print(f"syndicate publish, nothing changed:        {again:7.2f} s  {again_mem:6.0f} MB peak"
          f"  ({rewrites} files written; CPU {again_cpu:.2f} s)")
    print(f"load average {os.getloadavg()[0]:.1f}; CPU full / floor = {full_cpu / floor_cpu:.2f}")
    print(f"full / floor = {full / floor:.2f} (target <= 1.5); "
          f"no-change / full = {again / full:.3f} (target <= 0.1); "
          f"peak memory {max(full_mem, again_mem):.0f} MB (target < 250)")
    if args.catalog:
        on_postgresql(root, args.catalog, full, again, full_cpu)
    if not args.keep:
        shutil.rmtree(root)


def on_postgresql(root: Path, catalog: str, full: float, again: float,
                  full_cpu: float) -> None:
    """The same publishes from scratch with the catalog on PostgreSQL, against SQLite's (by
    the clock, and by the CPU time of syndicate's process: on a shared machine the clock
    mostly measures the neighbours; the server's own work is in the clock only)."""
    server = folder = None
    if catalog == "postgresql":
        import warnings

        warnings.filterwarnings("ignore", module="platformdirs")  # pgserver's XDG_RUNTIME_DIR
        import pgserver
        import psycopg

        folder = Path(tempfile.mkdtemp(prefix="syndicate-bench-pg-"))
        server = pgserver.get_server(folder, cleanup_mode="stop")
        with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        catalog = f"postgresql://postgres@/bench?host={folder}"
    try:
        config = root / "config.yaml"
        config.write_text(CONFIG + f"catalog: {catalog}\n")
        for made in ("public", ".syndicate"):  # nothing of the SQLite run is reused
            shutil.rmtree(root / made, ignore_errors=True)
        pg_full, pg_mem, writes, pg_cpu = run(RUN, config)
        pg_again, _, rewrites, _ = run(RUN, config)
        print(f"PostgreSQL catalog, full:                  {pg_full:7.2f} s  {pg_mem:6.0f} MB peak"
              f"  ({writes} files written; CPU {pg_cpu:.2f} s)")
        print(f"PostgreSQL catalog, nothing changed:       {pg_again:7.2f} s"
              f"  ({rewrites} files written)")
        print(f"PostgreSQL / SQLite: full {pg_full / full:.2f} (target <= 1.2), by CPU "
              f"{pg_cpu / full_cpu:.2f}; nothing changed {pg_again / again:.2f}; load average "
              f"{os.getloadavg()[0]:.1f}")
    finally:
        if server is not None:
            server.cleanup()
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
