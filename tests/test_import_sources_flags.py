"""H6 and H7: what an import through ``sources:`` flags is said by ``publish`` (Warning lines,
a flagged count, --json) and written into the file's review:, as a manual import does; an
Atom entry updated in the far future is flagged and never dates the blog feed after now."""

from __future__ import annotations

import json
import re

import yaml

from conftest import BASE_CONFIG, DATA

IMPORT = DATA / "import"
NOGUID = (IMPORT / "blog-noguid.rss").read_text(encoding="utf-8")


def _with_sources(proj, *lines: str) -> None:
    with open(proj.root / "config.yaml", "a", encoding="utf-8") as f:
        f.write("".join(f"{line}\n" for line in lines))


def test_a_far_future_episode_imported_by_sources_is_said_by_publish(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    _with_sources(proj, "sources:", f"  - {IMPORT / 'podcast-future.xml'}",
                  "import_audio: keep-url")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert re.search(r"Sources: created 4, merged 0, skipped 0, flagged 1\b", result.output)
    assert ("Warning: episodes/2099-06-01-episode-1.yaml: 'Episode 1' to review: dated "
            "2099-06-01, after today") in result.output, result.output
    car = yaml.safe_load((proj.root / "episodes/2099-06-01-episode-1.yaml").read_text())
    assert "after today" in car["review"]
    doc = json.loads(proj.run("publish", "--json").stdout)
    assert doc["sources"] is None or doc["sources"]["flagged"] == []  # nothing new: not again


def test_text_a_post_lacks_is_said_by_publish_and_written_to_its_review(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    feed = proj.write("old/feed.rss", NOGUID)
    _with_sources(proj, "sources:", "  - old/feed.rss")
    assert proj.run("publish").exit_code == 0
    path = proj.root / "posts/2020-06-10-mending-a-fence.md"
    head = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    path.write_text(f"{head}\n---\n\nShortened.\n", encoding="utf-8")  # the author cut it
    feed.write_text(NOGUID.replace("</channel>", "<!-- changed --></channel>"), encoding="utf-8")
    result = proj.run("publish", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # (the warnings are said on stderr too)
    flags = doc["sources"]["flagged"]
    assert [f["file"] for f in flags] == ["posts/2020-06-10-mending-a-fence.md"]
    assert any("to review: this source has text that posts/2020-06-10-mending-a-fence.md "
               "lacks" in w for w in doc["warnings"]), doc["warnings"]
    text = path.read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("\n---\n", 1)[0][4:])
    assert "the old source has text this post lacks" in meta["review"]
    assert meta["title"] == "Mending a fence" and text.endswith("\n---\n\nShortened.\n")
    # a manual import says it too, and does not write the reason twice
    again = proj.run("import", str(feed), "--config", str(proj.root / "config.yaml"))
    assert "review   posts/2020-06-10-mending-a-fence.md: this source has text" in again.output
    assert path.read_text(encoding="utf-8") == text


FUTURE_UPDATED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Old</title><id>urn:old</id>
<updated>2099-01-01T00:00:00Z</updated><link href="https://old.example/"/>
<entry><title>Upd future</title><id>urn:old:1</id><link href="https://old.example/1/"/>
<published>2020-01-01T00:00:00Z</published><updated>2099-01-01T00:00:00Z</updated>
<content type="html">&lt;p&gt;Its edit date typed eighty years ahead.&lt;/p&gt;</content>
</entry>
<entry><title>Plain one</title><id>urn:old:2</id><link href="https://old.example/2/"/>
<published>2020-02-01T00:00:00Z</published><updated>2020-03-01T00:00:00Z</updated>
<content type="html">&lt;p&gt;An entry edited a month after it was written.&lt;/p&gt;</content>
</entry></feed>
"""


def test_an_atom_entry_updated_in_the_far_future_is_flagged_and_never_dates_the_feed(
        make_project):
    from conftest import NOW

    proj = make_project({}, config=BASE_CONFIG)
    feed = proj.write("old/fut.atom", FUTURE_UPDATED)
    result = proj.run("import", str(feed), "--now", NOW, "--json",
                      "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [(f["title"], f["reason"][:18]) for f in doc["flagged"]] == [
        ("Upd future", "updated 2099-01-01")]
    post = next((proj.root / "posts").glob("*upd-future*.md")).read_text(encoding="utf-8")
    meta = yaml.safe_load(post.split("\n---\n", 1)[0][4:])
    assert meta["review"].startswith("updated 2099-01-01, after today")
    assert proj.run("publish").exit_code == 0
    atom = proj.read("atom.xml").decode()
    stamps = re.findall(r"<updated>([^<]*)</updated>", atom)
    assert stamps and all(s[:4] < "2027" for s in stamps), stamps
    assert "2020-03-01" in atom  # an edit in the past is kept
    rss = proj.read("feed.xml").decode()
    assert "2099" not in rss
