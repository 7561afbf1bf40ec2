"""G6: a post an import wrote is the same post however the author rewrites it. Imported again
from the same source, the item whose title and date its front matter keeps (with the source
in imported_from) is merged, flagged when the source holds text the post lacks, and never
written a second time, whether the source is a text export, a feed without guids or a
WordPress export, and whatever the new body is."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import tempfile
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importgen import LATIN, blog_posts, rss_feeds, text_pages

from conftest import BASE_CONFIG, DATA, bare_settings
from syndicate.importer import import_sources

IMPORT = DATA / "import"
SOURCES = [
    ("index-page.txt", ["--date-by-order", "2021-06-01"]),
    ("blog-noguid.rss", []),
    ("hostile-wxr-1.2.xml", ["--audio", "keep-url"]),
]


def _rewrite(path: Path, body: str) -> None:
    """The author's edit: the front matter kept, the body replaced."""
    text = path.read_text(encoding="utf-8")
    head, _ = text[4:].split("\n---\n", 1)
    path.write_text(f"---\n{head}\n---\n\n{body}", encoding="utf-8")


def _posts(root: Path) -> list[Path]:
    return sorted((root / "posts").rglob("*.md"))


@pytest.mark.parametrize(("name", "extra"), SOURCES)
def test_a_rewritten_post_is_merged_and_flagged_never_written_again(make_project, name, extra):
    proj = make_project({}, config=BASE_CONFIG)

    def run(*more):
        return proj.run("import", str(IMPORT / name), *extra, *more,
                        "--config", str(proj.root / "config.yaml"))

    first = run("--json")
    report = json.loads(first.output)
    files = _posts(proj.root)
    rel = next(e["file"] for e in report["created"] if e["file"].startswith("posts/"))
    target = proj.root / rel
    _rewrite(target, "Shortened by the author.\n")
    again = run()
    assert again.exit_code == first.exit_code, again.output
    assert "created 0," in again.output, again.output
    assert _posts(proj.root) == files
    assert target.read_text(encoding="utf-8").endswith("Shortened by the author.\n")
    assert f"review   {rel}: this source has text that {rel} lacks" in again.output, \
        again.output


@st.composite
def feeds_without_guids(draw):
    posts = draw(blog_posts(LATIN))
    items = "".join(
        f"<item><title>{escape(p.title, quote=False)}</title>"
        f"<pubDate>{email.utils.format_datetime(p.date)}</pubDate><description>"
        f"{escape(''.join(f'<p>{escape(para)}</p>' for para in p.body), quote=False)}"
        "</description></item>\n" for p in posts)
    doc = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Old'
           "</title><link>https://old.example/</link><description>x</description>\n"
           f"{items}</channel></rss>\n")
    return doc.encode("utf-8"), posts


edits = st.one_of(st.just(""), st.text(max_size=300),
                  st.lists(st.sampled_from(["river", "kettle", "bench", "A", "---", "#", "\n"]),
                           max_size=40).map(" ".join))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=st.sampled_from([text_pages, feeds_without_guids, rss_feeds]).flatmap(lambda s: s()),
       which=st.integers(0, 10), body=edits)
def test_any_edit_of_an_imported_posts_body_never_brings_the_old_text_back(case, which, body):
    data, _ = case
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = bare_settings(tmp)
        src = Path(tmp) / "source.bin"
        src.write_bytes(data)
        start = dt.date(2020, 6, 30)
        first = import_sources(settings_, [str(src)], date_by_order=start)
        assert first.errors == [] and first.created
        files = _posts(Path(tmp))
        _rewrite(files[which % len(files)], body)
        again = import_sources(settings_, [str(src)], date_by_order=start)
        assert again.errors == [] and again.created == []
        assert _posts(Path(tmp)) == files  # the number (and names) of post files unchanged
        assert len(again.merged) == len(first.created)
