"""Every page a new item needs (the lists that name it: home, archive pages, its tag pages, the
sitemap) is made, or the item is held back everywhere (no page, no list, no feed, stays
queued); a damaged cover holds new items the same way, since every page that lists them keeps
its last published version. No page ever links a page that was not written."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import lxml.html
import pytest
from test_pages import new_project
from test_pages_cover import damaged_png

from conftest import BASE_CONFIG, png_bytes, post

BASE = "https://example.test/"
BROKEN_HTML = '{% extends "base.html" %}\n{% block main %%\n'
BROKEN_XML = '<?xml version="1.0" encoding="UTF-8"?>\n{% for u in urls %\n'
LISTS = ["archive.html", "home.html", "sitemap.xml"]


def _texts(proj) -> dict[str, str]:
    public = proj.root / "public"
    return {p.relative_to(public).as_posix(): p.read_text("utf-8")
            for p in sorted(public.rglob("*")) if p.suffix in (".html", ".xml", ".json")}


def _dead_links(proj) -> list[tuple[str, str]]:
    """(page, address) of every link on a page to this site that leads to no written file."""
    public = proj.root / "public"
    dead = []
    for page in sorted(public.rglob("*.html")):
        tree = lxml.html.document_fromstring(page.read_bytes())
        for href in tree.xpath("//a/@href | //link/@href | //img/@src"):
            if not href.startswith(BASE):
                continue
            rel = urlsplit(href).path.lstrip("/")
            target = public / rel
            if rel == "" or rel.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                dead.append((page.relative_to(public).as_posix(), href))
    return dead


def where(proj, slug: str, title: str) -> str:
    """'released' when the post is on every list, feed and sitemap with its page written,
    'held' when it is on none and has no page; anything between fails the test."""
    texts = _texts(proj)
    url = f"{BASE}posts/{slug}/"
    naming = {k for k, t in texts.items() if url in t or title in t}
    everywhere = {"index.html", "posts/index.html", "sitemap.xml", "feed.xml", "atom.xml",
                  "feed.json", f"posts/{slug}/index.html"}
    if not naming:
        assert not (proj.root / "public" / "posts" / slug).exists()
        return "held"
    assert everywhere <= naming, f"half-released: named by {sorted(naming)}"
    return "released"


def _status_of(proj, title: str) -> str:
    for line in proj.run("status").output.splitlines():
        if title in line:
            return line.split()[1]
    raise AssertionError(f"{title} not in status")


def _published_site(tmp_path, config: str = BASE_CONFIG):
    files = {"posts/old1.md": post("Old one", date="2026-09-01", tags="[shared]"),
             "posts/old2.md": post("Old two", date="2026-09-02", tags='["C#"]')}
    proj = new_project(tmp_path / "p", files, config)
    proj.write("cover.png", png_bytes(1400, 1400))
    (proj.root / "mytheme" / "templates").mkdir(parents=True, exist_ok=True)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    return proj


@pytest.mark.parametrize("tags", ["[brandnewtag]", "[shared]", "[shared, brandnewtag]", "[]"])
@pytest.mark.parametrize("template", LISTS)
def test_a_broken_list_template_holds_a_new_post_back_everywhere(tmp_path, template, tags):
    proj = _published_site(tmp_path, BASE_CONFIG + "theme: mytheme\n")
    before = _texts(proj)
    proj.write(f"mytheme/templates/{template}",
               BROKEN_XML if template.endswith(".xml") else BROKEN_HTML)
    proj.write("posts/2026-11-27-tn.md", post("Tagged newly", date="2026-10-20", tags=tags))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert f"mytheme/templates/{template}:2" in errors[0], errors
    state = where(proj, "tn", "Tagged newly")
    # a list that must name it could not be made: it waits, queued, said in the error
    assert state == "held"
    assert _status_of(proj, "Tagged newly") == "queued", proj.run("status").output
    assert "a new item (posts/tn/)" in errors[0] and "waits" in errors[0], errors
    assert _dead_links(proj) == []
    # the old posts' pages are as they were, each still listed by the pages kept
    for key in ("posts/old1/index.html", "posts/old2/index.html", "feed.xml"):
        assert _texts(proj)[key] == before[key]
    # the template fixed: released everywhere, its tag pages written
    (proj.root / "mytheme" / "templates" / template).unlink()
    assert proj.run("publish").exit_code == 0
    assert where(proj, "tn", "Tagged newly") == "released"
    assert _status_of(proj, "Tagged newly") == "released"
    assert _dead_links(proj) == []


def test_a_live_post_given_a_tag_whose_page_cannot_be_made_does_not_link_it(tmp_path):
    proj = _published_site(tmp_path, BASE_CONFIG + "theme: mytheme\n")
    proj.write("mytheme/templates/archive.html", BROKEN_HTML)
    proj.write("posts/old1.md", post("Old one", date="2026-09-01", tags="[shared, newer]"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and "archive.html:2" in errors[0], result.output
    assert _dead_links(proj) == []
    assert not (proj.root / "public" / "tags" / "newer").exists()
    (proj.root / "mytheme" / "templates" / "archive.html").unlink()
    assert proj.run("publish").exit_code == 0
    assert f"{BASE}tags/newer/" in proj.read("posts/old1/index.html").decode()
    assert _dead_links(proj) == []


def _cut_short(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _garbage_idat(data: bytes) -> bytes:
    return damaged_png(b"\x00garbage" * 20)


def _header_only(data: bytes) -> bytes:
    return data[:33]


def _flipped(data: bytes) -> bytes:
    mid = len(data) // 2
    return data[:mid] + bytes(b ^ 0xFF for b in data[mid:mid + 64]) + data[mid + 64:]


@pytest.mark.parametrize("damage", [_cut_short, _garbage_idat, _header_only, _flipped])
@pytest.mark.parametrize("kind", ["post", "episode"])
def test_a_new_item_published_while_the_cover_is_damaged_is_held_everywhere(tmp_path, damage,
                                                                            kind):
    from conftest import sidecar, tone

    proj = _published_site(tmp_path, BASE_CONFIG + "audio:\n  process: false\n")
    proj.write("cover.png", damage(png_bytes(1400, 1400)))
    if kind == "post":
        proj.write("posts/2026-11-20-dbc.md", post("During bad cover", date="2026-10-20"))
    else:
        proj.write("episodes/dbc.mp3", tone(0.3))
        proj.write("episodes/dbc.yaml", sidecar("During bad cover", date="2026-10-20 08:00"))
    result = proj.run("publish", "--json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert len(report["errors"]) == 1, report["errors"]
    error = json.dumps(report["errors"][0])
    assert "cover.png" in error and "wait" in error, error
    texts = _texts(proj)
    assert not any("During bad cover" in t or "/dbc" in t for t in texts.values())
    assert not (proj.root / "public" / ("posts" if kind == "post" else "episodes") / "dbc").exists()
    assert _status_of(proj, "During bad cover") == "queued"
    assert _dead_links(proj) == []
    proj.write("cover.png", png_bytes(1400, 1400, rgb=(10, 10, 10)))
    assert proj.run("publish").exit_code == 0
    assert _status_of(proj, "During bad cover") == "released"
    texts = _texts(proj)
    folder = "posts" if kind == "post" else "episodes"
    assert f"{BASE}{folder}/dbc/" in texts["index.html"] and f"{BASE}{folder}/dbc/" in \
        texts["sitemap.xml"]
    assert _dead_links(proj) == []


ARCHIVE_FAILING_ON = """{%% extends "base.html" %%}
{%% from "macros.html" import listing %%}
{%% block main %%}
{%% if '/%s/' in page_meta.canonical and items|length > 1 %%}{{ 1 // 0 }}{%% endif %%}
<h1>{{ heading }}</h1>
{{ listing(items) }}
{%% endblock %%}
"""


@pytest.mark.parametrize("failing", ["tags/shared", "posts"])
def test_a_page_that_fails_only_when_it_lists_the_new_item_is_named_in_the_error(tmp_path,
                                                                                failing):
    proj = _published_site(tmp_path, BASE_CONFIG + "theme: mytheme\n")
    before = _texts(proj)
    proj.write("mytheme/templates/archive.html", ARCHIVE_FAILING_ON % failing)
    proj.write("posts/2026-11-27-tn.md", post("Tagged newly", date="2026-10-20",
                                              tags="[shared]"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert "archive.html" in errors[0] and "ZeroDivisionError" in errors[0], errors
    assert f"{failing}/index.html" in errors[0], errors  # the page that failed, named
    assert "a new item (posts/tn/)" in errors[0] and "waits" in errors[0], errors
    assert where(proj, "tn", "Tagged newly") == "held"
    assert _texts(proj)["feed.xml"] == before["feed.xml"]
    assert _dead_links(proj) == []


def _links_in_texts(proj) -> list[tuple[str, str]]:
    """(file, address) of every address of this site named by a written page, sitemap or
    robots.txt (nav, autodiscovery, <loc>, Sitemap:) that leads to no written file."""
    public = proj.root / "public"
    if not public.exists():
        return []
    dead = []
    for path in sorted(public.rglob("*")):
        if path.suffix not in (".html", ".xml", ".txt"):
            continue
        for href in set(re.findall(re.escape(BASE) + r"[^\s\"'<>]*", path.read_text("utf-8"))):
            rel = urlsplit(href).path.lstrip("/")
            target = public / rel
            if rel == "" or rel.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                dead.append((path.relative_to(public).as_posix(), href))
    return dead


@pytest.mark.parametrize("template", ["archive.html", "home.html", "base.html", "sitemap.xml",
                                      "404.html", "robots.txt", "post.html"])
def test_a_first_publish_with_a_broken_template_writes_no_page_linking_an_unwritten_file(
        tmp_path, template):
    files = {"posts/hello.md": post("Hello there", date="2026-09-01", tags="[greeting]"),
             "posts/other.md": post("Other one", date="2026-09-02")}
    proj = new_project(tmp_path / "p", files, BASE_CONFIG + "theme: mytheme\n")
    proj.write("cover.png", png_bytes(1400, 1400))
    broken = BROKEN_XML if template.endswith(".xml") else BROKEN_HTML
    proj.write(f"mytheme/templates/{template}",
               "{% for x in %}\n" if template == "robots.txt" else broken)
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert errors and all(f"mytheme/templates/{template}" in e for e in errors), errors
    assert _links_in_texts(proj) == [] and _dead_links(proj) == []
    # the template fixed: the whole site is written, and every link it names leads somewhere
    (proj.root / "mytheme" / "templates" / template).unlink()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert where(proj, "hello", "Hello there") == "released"
    assert _links_in_texts(proj) == [] and _dead_links(proj) == []
