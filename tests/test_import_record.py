"""H2, H5, H1: the catalog records what each import wrote (a source item's identity -> the
file), so a later import of the same source knows its items whatever the author or the old
feed did since: an item whose file is there is merged into it (never a -2 file), one whose
file the author deleted stays deleted."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import BASE_CONFIG, DATA

IMPORT = DATA / "import"
NOGUID = (IMPORT / "blog-noguid.rss").read_text(encoding="utf-8")
EXTRA = ("<item><title>A new one</title><pubDate>Fri, 26 Jun 2020 10:00:00 +0100</pubDate>"
         "<description>&lt;p&gt;Written after the rest, about the salt marsh at low tide and "
         "the birds on it.&lt;/p&gt;</description></item>\n</channel>")


def _posts(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "posts").rglob("*.md"))


def test_a_deleted_imported_post_is_not_written_back_by_a_manual_import(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    feed = proj.write("old/feed.rss", NOGUID)
    cfg = ["--config", str(proj.root / "config.yaml")]
    assert proj.run("import", str(feed), *cfg).exit_code == 0
    gone = "posts/2020-06-10-mending-a-fence.md"
    (proj.root / gone).unlink()
    feed.write_text(NOGUID.replace("</channel>", EXTRA), encoding="utf-8")  # the old feed grew
    again = proj.run("import", str(feed), *cfg)
    assert again.exit_code == 0, again.output
    assert "created 1," in again.output, again.output
    assert f"skipped  'Mending a fence' from {feed}: deleted here; not imported again" \
        in again.output, again.output
    assert not (proj.root / gone).exists()
    assert not any("mending" in p for p in _posts(proj.root))
    doc = json.loads(proj.run("import", str(feed), "--json", *cfg).output)
    assert [e["deleted"] for e in doc["skipped"]] == [gone]
    assert "deleted here; not imported again" in doc["skipped"][0]["reason"]


def test_a_deleted_imported_post_stays_off_the_site_through_sources(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    feed = proj.write("old/feed.rss", NOGUID)
    with open(proj.root / "config.yaml", "a", encoding="utf-8") as f:
        f.write("sources:\n  - old/feed.rss\n")
    first = proj.run("publish")
    assert first.exit_code == 0, first.output
    assert b"Mending a fence" in proj.read("feed.xml")
    (proj.root / "posts/2020-06-10-mending-a-fence.md").unlink()
    assert proj.run("publish").exit_code == 0
    feed.write_text(NOGUID.replace("</channel>", EXTRA), encoding="utf-8")
    third = proj.run("publish")
    assert third.exit_code == 0, third.output
    assert "Sources: created 1, merged 2, skipped 1" in third.output, third.output
    assert "'Mending a fence' skipped: deleted here; not imported again" in third.output
    live = proj.read("feed.xml")
    assert b"Mending a fence" not in live and b"A new one" in live
    assert not any("mending" in p for p in _posts(proj.root))


def test_an_imported_text_post_retitled_redated_and_rewritten_is_merged_not_copied(
        make_project):
    """H1's first case: seed-like text export dated by order; the author fixes the title and
    the date and rewrites the body; the same export imported again writes nothing."""
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    args = [str(IMPORT / "index-page.txt"), "--date-by-order", "2021-06-01", *cfg]
    first = json.loads(proj.run("import", *args, "--json").output)
    before = _posts(proj.root)
    rel = first["created"][0]["file"]
    path = proj.root / rel
    path.write_text("---\ntitle: A better title\ndate: 2019-03-04 10:00\n"
                    f"imported_from: {IMPORT / 'index-page.txt'}\n---\n\nRewritten.\n",
                    encoding="utf-8")
    path.rename(path.with_name("renamed.md"))
    again = proj.run("import", *args)
    assert again.exit_code == 0, again.output
    assert "created 0," in again.output, again.output
    assert _posts(proj.root) == sorted([*(p for p in before if p != rel),
                                        rel.rsplit("/", 1)[0] + "/renamed.md"])
