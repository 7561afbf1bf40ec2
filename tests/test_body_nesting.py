"""h23 Z21: lists and quotes nested deep keep all their text, on the page and in the feeds. Past
eight levels they are shown eight deep (a warning names the file and line); past what the
parser reads (100 of its levels) the rest is kept as plain text, warned too; and a post of
nested quotes and lists is read on a 360 px phone without scrolling sideways."""

from __future__ import annotations

import json
import re

import lxml.etree
import lxml.html
from browser import PHONE, browser_fixture, open_page, serving  # noqa: F401  (fixture)
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import BASE_CONFIG, png_bytes, post
from syndicate.markup import render_markdown
from syndicate.nesting import SHOWN_DEPTH


def _words(fragment: str) -> list[str]:
    text = lxml.html.fragment_fromstring(fragment, create_parent="div").text_content()
    return re.findall(r"\b(?:level|q|w)\d+\b|BEFORE|AFTER|TABLECELL", text)


def _list(depth: int) -> str:
    return "".join("  " * i + f"- level{i}\n" for i in range(depth))


def test_deep_lists_and_quotes_keep_every_word_in_page_and_feeds_with_a_warning(tmp_path):
    posts = {
        "wide": "BEFORE\n\n" + _list(10) + "\nAFTER paragraph\n",  # the tester's: level9 lost
        "deep": "BEFORE\n\n" + "> " * 20 + "q1\n\nAFTER\n",
        "table": "BEFORE\n\n" + _list(25) + "\n| a |\n|---|\n| TABLECELL |\n\n"
                 '<img src="https://example.org/x.png" alt="i">\n\nAFTER\n',
        "shallow": "BEFORE\n\n" + _list(SHOWN_DEPTH) + "\nAFTER\n",
    }
    proj = new_project(tmp_path / "p", {f"posts/2026-10-01-{slug}.md": post(slug, body=body)
                                        for slug, body in posts.items()})
    result = proj.run("publish")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    items = {i["title"]: i["content_html"] for i in json.loads(proj.read("feed.json"))["items"]}
    rss = lxml.etree.fromstring(proj.read("feed.xml"))
    for slug, body in posts.items():
        want = re.findall(r"\b(?:level|q|w)\d+\b|BEFORE|AFTER|TABLECELL", body)
        page = lxml.html.document_fromstring(proj.read(f"posts/{slug}/index.html"))
        shown = lxml.html.tostring(page.find_class("body")[0], encoding="unicode")
        assert _words(shown) == want, (slug, shown)
        assert _words(items[slug]) == want, slug
        encoded = rss.xpath("//item[title=$t]/*[local-name()='encoded']/text()", t=slug)
        assert _words(encoded[0]) == want, slug
        depth = len(page.find_class("body")[0].xpath(
            ".//*[self::ul or self::ol or self::blockquote][not(.//ul or .//ol or .//blockquote)]"
            "/ancestor-or-self::*[self::ul or self::ol or self::blockquote]"))
        assert depth <= SHOWN_DEPTH, (slug, depth)
        said = [ln for ln in result.output.splitlines()
                if f"posts/2026-10-01-{slug}.md:" in ln and "nested" in ln]
        if slug == "shallow":
            assert said == [], said
        else:
            assert len(said) == 1 and "all their text kept" in said[0], result.output
    line = 6 + 2 + SHOWN_DEPTH  # the body starts at line 6; BEFORE, a blank, 8 levels shown
    assert f"posts/2026-10-01-wide.md:{line}: lists and quotes nested more than 8 deep" \
        in result.output
    assert 'src="https://example.org/x.png"' in items["table"]


def test_past_what_the_parser_reads_the_rest_is_kept_as_text_with_a_warning(tmp_path):
    body = "BEFORE\n\n" + "> " * 150 + "q1 w2\n\nAFTER\n"
    proj = new_project(tmp_path / "p", {"posts/2026-10-01-abyss.md": post("abyss", body=body)})
    result = proj.run("publish")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "posts/2026-10-01-abyss.md:8: lists and quotes nested more than 100 parser levels" \
        in result.output
    page = lxml.html.document_fromstring(proj.read("posts/abyss/index.html"))
    assert _words(lxml.html.tostring(page.find_class("body")[0], encoding="unicode")) == \
        ["BEFORE", "q1", "w2", "AFTER"]


@st.composite
def _nested(draw, depth=0):
    """(Markdown lines of lists and quotes nested at random, each line one word; the deepest
    nesting written)."""
    lines, deepest = [], depth
    for _ in range(draw(st.integers(1, 3)) if depth < 2 else 1):  # (a chain further in)
        kind = draw(st.sampled_from(["word", "list", "ordered", "quote"] if depth < 40
                                    else ["word"]))
        if kind == "word":
            lines.append("w")
            continue
        inner, inner_depth = draw(_nested(depth + 1))
        deepest = max(deepest, inner_depth)
        marker = {"list": "- ", "ordered": "1. ", "quote": "> "}[kind]
        pad = " " * len(marker) if kind != "quote" else "> "
        lines += [(marker if i == 0 else pad) + ln for i, ln in enumerate(inner)]
        lines.append("")
        if draw(st.booleans()):
            lines.append("w")  # a word after it, at this level
    return lines, deepest


@settings(max_examples=150, deadline=None)
@given(_nested())
def test_any_nesting_keeps_every_word_in_order_and_shows_at_most_eight_levels(nested):
    written, deepest = nested
    lines, n = [], 0
    for line in written:
        if line.rstrip().endswith("w"):
            line = line.rstrip() + str(n)
            n += 1
        lines.append(line)
    text = "\n".join(lines) + "\n"
    out, _removed, notes = render_markdown(text)
    assert _words(out) == [f"w{i}" for i in range(n)], (text, out)
    doc = lxml.html.fragment_fromstring(out, create_parent="div")
    shown = max((len(el.xpath("ancestor-or-self::*[self::ul or self::ol or self::blockquote]"))
                 for el in doc.iter()), default=0)
    assert shown == min(deepest, SHOWN_DEPTH), (text, out)
    flattened = [line for line, note in notes if f"nested more than {SHOWN_DEPTH} deep" in note]
    assert len(flattened) == (deepest > SHOWN_DEPTH), notes


def test_nested_quotes_and_lists_fit_a_phone(browser, tmp_path):
    long_word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2
    body = ("> " * 10 + f"{long_word} quoted\n\nBETWEEN\n\n" + _list(12)
            + "\n" + "> - " * 6 + long_word + "\n")
    root = tmp_path / "p"
    (root / "posts").mkdir(parents=True)
    (root / "episodes").mkdir()
    (root / "config.yaml").write_text(BASE_CONFIG)
    (root / "cover.png").write_bytes(png_bytes(1400, 1400))
    (root / "posts" / "2026-10-01-wide.md").write_text(post("Wide things", body=body))
    with serving("--config", str(root / "config.yaml")) as (url, _running):
        seen = open_page(browser, url + "posts/wide/", viewport=PHONE)
        page = seen.page
        width = page.evaluate("document.documentElement.scrollWidth")
        text = page.evaluate("document.querySelector('.body').innerText")
        narrowest = page.evaluate("Math.min(...[...document.querySelectorAll('.body p, .body li')]"
                                  ".map(e => e.getBoundingClientRect().width))")
        page.context.close()
    assert width <= PHONE["width"], width
    assert "quoted" in text and "level11" in text and "BETWEEN" in text
    assert narrowest >= 150, narrowest  # words are read across a line, not a letter a line
