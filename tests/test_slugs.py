"""Addresses made from names: a new item's slug is its title in any script, transliterated
(never a numbered ``item-N``), and a slug already published never changes; distinct tags get
distinct pages, tags differing only in case are one, and a blank tag is dropped with a
warning naming its line."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pages import doc, new_project, pages

from conftest import NOW, post
from syndicate.markup import SLUG_RE


@pytest.mark.parametrize("title, slug", [
    ("Привет мир", "privet-mir"), ("Ünïcödé Straße", "unicode-strasse"),
    ("你好世界", "nihaoshijie"), ("مرحبا بالعالم", "mrhb-bl-lm"), ("Ελληνικά", "ellinika"),
    ("🎉", "tada"), ("Hello, world", "hello-world"),
])
def test_new_post_transliterates_a_title_in_any_script_into_its_slug(tmp_path, title, slug):
    proj = new_project(tmp_path / "p", {})
    result = proj.run("--config", str(proj.root / "config.yaml"), "new", "post", "--now", NOW,
                      "--no-draft", "--", title)
    assert result.exit_code == 0, result.output
    (path,) = (proj.root / "posts").glob("*.md")
    assert path.name == f"{NOW[:10]}-{slug}.md", path.name
    assert proj.run("publish").exit_code == 0
    assert doc(proj, f"posts/{slug}/index.html").xpath("//h1/text()") == [title]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1,
                     max_size=40).filter(lambda t: t.strip()))
def test_every_new_title_gets_a_plain_slug_and_one_with_letters_is_never_item(tmp_path_factory,
                                                                          title):
    from syndicate.markup import title_slug

    slug = title_slug(title)
    assert SLUG_RE.match(slug) and len(slug) <= 80
    if any(unicodedata.category(c).startswith("L") and c.isascii() for c in title):
        assert slug != "item"


def test_a_published_slug_never_changes_when_its_file_has_non_ascii_letters(tmp_path):
    # a file named by hand before slugs were transliterated: its address stays as it was
    proj = new_project(tmp_path / "p", {"posts/2026-10-01-Straße-über.md": post("S")})
    assert proj.run("publish").exit_code == 0
    assert proj.public("posts/strae-uber/index.html").is_file()
    assert not proj.public("posts/strasse-uber").exists()


def test_tags_that_slug_alike_get_distinct_pages(tmp_path):
    names = ["C", "C++", "C#", "Foo Bar", "foo-bar", "Über", "Uber"]
    files = {f"posts/p{i}.md": post(f"P{i}", date=f"2026-09-{i + 1:02d}", tags=f"['{t}']")
             for i, t in enumerate(names)}
    proj = new_project(tmp_path / "p", files)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    found = pages(proj)
    seen = {}
    for i, tag in enumerate(names):
        (href,) = found[f"posts/p{i}/index.html"].xpath("//a[@rel='tag']/@href") or \
            found[f"posts/p{i}/index.html"].xpath(f"//a[text()='{tag}']/@href")
        key = href.split("example.test/", 1)[1] + "index.html"
        page = found[key]
        assert page.xpath("//main//li/a/text()") == [f"P{i}"], (tag, key)
        assert tag in page.xpath("string(//h1)")
        seen[tag] = key
    assert len(set(seen.values())) == len(names)
    assert seen["C++"] == "tags/c-plus-plus/index.html" and seen["C#"] == "tags/c-sharp/index.html"
    assert seen["C"] == "tags/c/index.html"


def test_tags_differing_only_in_case_are_one_tag_and_a_blank_tag_is_dropped(tmp_path):
    proj = new_project(tmp_path / "p", {
        "posts/a.md": post("A", tags="[' ', 'UPPER', 'upper', 'Mixed']"),
        "posts/b.md": post("B", date="2026-09-01", tags="['mixed']"),
    })
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert re.search(r"posts/a\.md:\d+: .*blank tag", result.output), result.output
    page = doc(proj, "posts/a/index.html")
    links = page.xpath("//main//a[contains(@href, '/tags/')]")
    assert [a.text_content() for a in links] == ["UPPER", "Mixed"]
    assert all(a.text_content().strip() for a in links)
    tags = sorted(p.parent.name for p in proj.root.glob("public/tags/*/index.html"))
    assert tags == ["mixed", "upper"]
    assert sorted(doc(proj, "tags/mixed/index.html").xpath("//main//li/a/text()")) == ["A", "B"]


_TAG = st.text(st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(tags=st.lists(_TAG, min_size=1, max_size=12))
def test_generated_tags_get_one_page_per_tag_ignoring_case(tags):
    from syndicate.publish.sitepages import tag_slugs

    slugs = tag_slugs(tags)
    ident = {unicodedata.normalize("NFC", t).casefold(): slugs[t] for t in tags if t.strip()}
    assert len(set(ident.values())) == len(ident)  # distinct tags, distinct pages
    for t in tags:
        if t.strip():
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slugs[t]), slugs[t]
            assert slugs[t] == ident[unicodedata.normalize("NFC", t).casefold()]



@settings(max_examples=60, deadline=None)
@given(first=st.lists(_TAG, min_size=1, max_size=8), later=st.lists(_TAG, min_size=1, max_size=8))
def test_generated_tag_pages_keep_their_folders_when_namesakes_come_later(first, later):
    from syndicate.markup import tag_key
    from syndicate.publish.sitepages import tag_slugs

    before = tag_slugs(first)
    known = {tag_key(t): s for t, s in before.items()}
    after = tag_slugs(first + later, known)
    for t in first:
        if t in before:
            assert after[t] == before[t]  # a published address keeps its tag
    ident = {tag_key(t): s for t, s in after.items()}
    assert len(set(ident.values())) == len(ident)  # distinct tags, distinct pages
    for t in later:
        if tag_key(t) and tag_key(t) not in known:
            assert after[t] not in known.values(), (t, after[t])


@pytest.mark.parametrize("old, new", [("C#", "C Sharp"), ("C++", "c plus plus"),
                                      ("Über", "Uber"), ("a b", "a-b"), ("Café", "cafe")])
def test_a_published_tag_page_keeps_its_tag_when_a_namesake_arrives(tmp_path, old, new):
    from test_pages import new_project

    from conftest import post

    proj = new_project(tmp_path / "p", {"posts/old.md": post("Old", tags=f'["{old}"]')})
    assert proj.run("publish").exit_code == 0
    (folder,) = [p.parent for p in (proj.root / "public" / "tags").glob("*/index.html")]
    page = (folder / "index.html").read_text("utf-8")
    assert f"Tagged “{old}”" in page or f"Tagged &#8220;{old}" in page
    proj.write("posts/new.md", post("New", date="2026-10-05", tags=f'["{new}"]'))
    assert proj.run("publish").exit_code == 0
    assert (folder / "index.html").read_text("utf-8") == page  # same tag, same posts
    folders = sorted(p.parent.name for p in (proj.root / "public" / "tags").glob("*/index.html"))
    assert len(folders) == 2 and folder.name in folders
    other = next(f for f in folders if f != folder.name)
    assert "New" in (proj.root / "public" / "tags" / other / "index.html").read_text("utf-8")
    # a later publish (nothing changed) moves nothing
    assert proj.run("publish").exit_code == 0
    assert (folder / "index.html").read_text("utf-8") == page


@pytest.mark.parametrize("stored", ['not json', '[1, 2]', '{"c#": 5, "c++": "../../etc"}',
                                    '{"c#": "C Sharp"}'])
def test_remembered_tag_folders_damaged_in_the_catalog_are_taken_as_none(tmp_path, stored):
    import sqlite3

    from test_pages import new_project

    from conftest import post

    proj = new_project(tmp_path / "p", {"posts/old.md": post("Old", tags='["C#", "C++"]')})
    assert proj.run("publish").exit_code == 0
    catalog = next((proj.root / ".syndicate").glob("catalog*.db"))
    with sqlite3.connect(catalog) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'tag_folders'", (stored,))
    conn.close()
    proj.write("posts/new.md", post("New", date="2026-10-05", tags='["C Sharp"]'))
    result = proj.run("publish")
    assert result.exit_code == 0 and "Traceback" not in result.output
    folders = sorted(p.parent.name for p in (proj.root / "public" / "tags").glob("*/index.html"))
    assert len(folders) == 3 and all(SLUG_RE.match(f) for f in folders)
