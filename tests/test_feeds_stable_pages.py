"""Paged feeds' archive pages are stable (RFC 5005 archive documents): once a page is full it
keeps its number and its entries; removing an entry leaves its page one shorter and touches no
other page; a new entry dated before the others (an import) goes to the newest page, never into
an older full one. Through the CLI (the blog's feeds, every format) and over generated
sequences of adds, backdated adds and removals (the paging rule itself)."""

from __future__ import annotations

import json

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, post
from syndicate.render.paging import stable_split


def _titles(proj, key: str) -> list[str]:
    return [i["title"] for i in json.loads(proj.read(key))["items"]]


def _files(proj) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (proj.root / "public").glob("*-archive-*")}


def test_a_removal_or_a_backdated_post_changes_only_the_page_it_lands_on(make_project):
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["blog"] = {"feed_items": 2, "archive_pages": True}
    proj = make_project({f"posts/2026-10-0{n}-p{n}.md": post(f"Post {n}", f"2026-10-0{n}")
                         for n in range(1, 8)}, config=yaml.safe_dump(cfg))
    assert proj.run("publish").exit_code == 0
    assert _titles(proj, "feed-archive-1.json") == ["Post 2", "Post 1"]
    before = _files(proj)

    (proj.root / "posts/2026-10-01-p1.md").unlink()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    after = _files(proj)
    assert set(after) == set(before)  # no page gone, none renumbered
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"feed-archive-1.xml", "atom-archive-1.xml", "feed-archive-1.json"}
    assert _titles(proj, "feed-archive-1.json") == ["Post 2"]
    assert _titles(proj, "feed-archive-2.json") == ["Post 4", "Post 3"]
    assert _titles(proj, "feed-archive-3.json") == ["Post 5"]

    proj.write("posts/old.md", post("Old post", "2025-01-01"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    again = _files(proj)
    assert {n for n in again if again.get(n) != after.get(n)} == {
        "feed-archive-3.xml", "atom-archive-3.xml", "feed-archive-3.json"}
    assert _titles(proj, "feed-archive-3.json") == ["Post 5", "Old post"]
    assert _titles(proj, "feed.json") == ["Post 7", "Post 6"]


_ops = st.lists(st.one_of(st.tuples(st.just("add"), st.booleans()),
                          st.tuples(st.just("remove"), st.integers(0, 10 ** 6)),
                          st.tuples(st.just("resize"), st.integers(1, 5))),
                max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4), st.integers(0, 12), _ops)
def test_pages_keep_every_entry_once_and_a_full_page_changes_only_by_a_removal(n, first, ops):
    """Also across changes of the page size: a page full at the old size keeps its entries."""
    live: list[tuple[int, str]] = []  # (date, guid), any order
    made = 0

    def add(date: int) -> None:
        nonlocal made
        made += 1
        live.append((date, f"g{made}"))

    for d in range(first):
        add(d * 10)
    placed: dict[str, int] = {}
    count = 0
    full: dict[int, list[str]] = {}  # page number -> its entries when it was last full
    for op, arg in [("add", False), *ops]:
        removed: set[str] = set()
        if op == "add":  # the newest, or one dated before every other (an import)
            dates = [d for d, _ in live]
            add(min(dates, default=0) - 5 if arg else max(dates, default=0) + 10)
        elif op == "resize":
            n = arg
        elif live:
            removed.add(live.pop(arg % len(live))[1])
        entries = sorted(live, reverse=True)  # newest first
        main, pages, placed, count = stable_split([g for _, g in entries], n, lambda g: g,
                                                  placed, count)
        shown = main + [g for page in pages for g in page]
        assert sorted(shown) == sorted(g for _, g in live)  # every entry, once
        assert len(main) <= n
        assert all(len(page) <= n for number, page in enumerate(pages, start=1)
                   if number not in full)
        for number, was in full.items():  # a full page loses only what was removed
            assert pages[number - 1] == [g for g in was if g not in removed], number
            full[number] = pages[number - 1]
        for number, page in enumerate(pages, start=1):
            if len(page) == n and number not in full:
                full[number] = page
        assert set(placed) == {g for number in full for g in full[number]}
        assert count == max(full, default=0)


def test_a_page_emptied_by_removals_stays_and_every_reader_gets_every_post_once(make_project):
    import feedparser

    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["blog"] = {"feed_items": 2, "archive_pages": True}
    proj = make_project({f"posts/2026-10-0{n}-p{n}.md": post(f"Post {n}", f"2026-10-0{n}")
                         for n in range(1, 8)}, config=yaml.safe_dump(cfg))
    assert proj.run("publish").exit_code == 0
    for n in (1, 2):
        (proj.root / f"posts/2026-10-0{n}-p{n}.md").unlink()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _titles(proj, "feed-archive-1.json") == []
    assert _titles(proj, "feed-archive-2.json") == ["Post 4", "Post 3"]
    for main in ("feed.xml", "atom.xml"):  # followed page by page, as a reader does
        seen, key = [], main
        while key:
            doc = feedparser.parse(proj.read(key))
            seen += [e.title for e in doc.entries]
            nxt = [link.href for link in doc.feed.get("links", []) if link.rel == "next"]
            key = nxt[0].rsplit("/", 1)[-1] if nxt else None
        assert sorted(seen) == [f"Post {n}" for n in range(3, 8)], main


def test_removing_an_episode_rewrites_only_its_podcast_archive_page(make_project):
    from conftest import sidecar, tone

    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["podcast"]["feed_items"] = 2
    cfg["audio"] = {"process": False}
    files = {}
    for n in range(1, 8):
        files[f"episodes/ep{n}.mp3"] = tone(0.5, 300 + 40 * n)
        files[f"episodes/ep{n}.yaml"] = sidecar(f"Episode {n}", f"2026-10-0{n} 08:00")
    proj = make_project(files, config=yaml.safe_dump(cfg))
    assert proj.run("publish").exit_code == 0
    before = _files(proj)
    for name in ("ep3.mp3", "ep3.yaml"):
        (proj.root / "episodes" / name).unlink()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    after = _files(proj)
    assert set(after) == set(before)
    assert {n for n in after if after[n] != before[n]} == {"podcast-archive-2.xml",
                                                           "podcast-archive-2.json"}
    assert _titles(proj, "podcast-archive-2.json") == ["Episode 4"]
    assert _titles(proj, "podcast-archive-3.json") == ["Episode 5"]


def test_a_new_page_size_leaves_every_full_page_as_cached(make_project):
    """`feed_items` changed: the pages full at the old size keep their bytes (a reader holding
    a cached copy for a week sees what the site has); the pages filled from then on take the
    new size; every reader following the pages gets every post once."""
    import feedparser

    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["blog"] = {"feed_items": 2, "archive_pages": True}
    proj = make_project({f"posts/2026-10-{n:02d}-p{n}.md": post(f"Post {n}", f"2026-10-{n:02d}")
                         for n in range(1, 10)}, config=yaml.safe_dump(cfg))
    assert proj.run("publish").exit_code == 0
    full = {k: v for k, v in _files(proj).items() if "-4." not in k}  # pages 1-3 are full
    assert _titles(proj, "feed-archive-3.json") == ["Post 6", "Post 5"]
    for size in (3, 1):
        cfg["blog"]["feed_items"] = size
        proj.write("config.yaml", yaml.safe_dump(cfg))
        result = proj.run("publish")
        assert result.exit_code == 0, result.output
        now = _files(proj)
        assert {k: now[k] for k in full} == full  # byte for byte
        for main in ("feed.xml", "atom.xml", "feed.json"):  # followed page by page
            seen, key = [], main
            while key:
                if main.endswith(".json"):
                    doc = json.loads(proj.read(key))
                    seen += [i["title"] for i in doc["items"]]
                    key = doc.get("next_url", "").rsplit("/", 1)[-1] or None
                    continue
                doc = feedparser.parse(proj.read(key))
                seen += [e.title for e in doc.entries]
                nxt = [link.href for link in doc.feed.get("links", []) if link.rel == "next"]
                key = nxt[0].rsplit("/", 1)[-1] if nxt else None
            assert sorted(seen) == sorted(f"Post {n}" for n in range(1, 10)), (main, seen)
        assert len(_titles(proj, "feed.json")) == size
    assert _titles(proj, "feed-archive-3.json") == ["Post 6", "Post 5"]  # full at size 2
