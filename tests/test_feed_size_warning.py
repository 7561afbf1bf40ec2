"""A published feed over 4 MB is a warning naming the feed and what makes it smaller: for the
blog's three feeds ``blog.feed_items`` with ``blog.archive_pages: true``, for the podcast's two
``podcast.feed_items`` (never the other family's setting); a single item too big by itself is
named, with its source, since no paging makes one item smaller."""

from __future__ import annotations

import random

import pytest
import yaml

from conftest import BASE_CONFIG, post, sidecar, tone
from syndicate.publish.build import FEED_SIZE_WARNING

BLOG = ("feed.xml", "atom.xml", "feed.json")
PODCAST = ("podcast.xml", "podcast.json")


def _text(size: int, seed: int) -> str:
    """About ``size`` bytes of plain paragraphs (no markup that grows or shrinks much)."""
    rng = random.Random(seed)
    words = ["marsh", "heron", "tide", "reed", "silt", "curlew", "sluice", "dyke"]
    paras, total = [], 0
    while total < size:
        para = " ".join(rng.choice(words) for _ in range(120)) + "."
        paras.append(para)
        total += len(para) + 2
    return "\n\n".join(paras)


def _warnings(output: str, key: str) -> list[str]:
    return [ln for ln in output.splitlines() if ln.startswith(f"Warning: {key}: ")]


@pytest.mark.parametrize("count", [8, 13])
def test_big_blog_feeds_name_the_blogs_paging_settings(make_project, count):
    share = FEED_SIZE_WARNING // (count - 2)  # together over the limit, each well under it
    files = {f"posts/p{n}.md": post(f"Post {n}", f"2026-10-{n:02d}", _text(share, n))
             for n in range(1, count + 1)}
    proj = make_project(files)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    for key in BLOG:
        (line,) = _warnings(result.output, key)
        assert "blog.feed_items with blog.archive_pages: true" in line
        assert "podcast." not in line and "by itself" not in line
    for key in PODCAST:
        assert not _warnings(result.output, key)


def test_one_post_too_big_by_itself_is_named_with_its_file(make_project):
    proj = make_project({"posts/2026-11-21-big.md": post("Big", "2026-10-21",
                                                         _text(FEED_SIZE_WARNING + 500_000, 1)),
                         "posts/small.md": post("Small", "2026-10-02", "A few words.")})
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    for key in BLOG:
        (line,) = _warnings(result.output, key)
        assert "its item 'Big' (posts/2026-11-21-big.md) is" in line
        assert "which no paging makes smaller" in line and "feed_items" not in line


def test_big_podcast_feeds_name_the_podcasts_setting(make_project):
    cfg = yaml.safe_load(BASE_CONFIG)
    cfg["audio"] = {"process": False}
    files = {}
    for n in range(1, 7):
        files[f"episodes/ep{n}.mp3"] = tone(0.5, 300 + 40 * n)
        files[f"episodes/ep{n}.yaml"] = sidecar(
            f"Episode {n}", f"2026-10-{n:02d} 08:00",
            notes=yaml.safe_dump(_text(FEED_SIZE_WARNING // 5, n), width=1 << 30).strip()
            .removesuffix("\n..."))
    proj = make_project(files, config=yaml.safe_dump(cfg))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    for key in PODCAST:
        (line,) = _warnings(result.output, key)
        assert "set podcast.feed_items so that older episodes go to archive pages" in line
        assert "blog." not in line
    for key in BLOG:
        assert not _warnings(result.output, key)
