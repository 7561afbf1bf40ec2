"""h23 Z19: a post naming ``<style>``, ``<script>``, ``<textarea>``... in its prose (outside
backticks) keeps every word after it on its page and in every feed; the tag is shown as the
text it is, with a warning naming the file and line. A whole element written as HTML
(``<style>p{}</style>``) is removed by the sanitiser, with a warning as ``<iframe>`` has."""

from __future__ import annotations

import html
import io
import json
import re

import lxml.etree
import lxml.html
import podcastparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import BASE_CONFIG, post, sidecar, tone
from syndicate.markup import render_markdown
from syndicate.rawtags import SWALLOWING

NAME = "posts/2026-10-01-css.md"


def _body(tag: str) -> str:
    return (f"First paragraph.\n\nPut your rules in a <{tag}> element in the head.\n\n"
            "Third paragraph: important content.\n\n## A heading\n\nLast words.")


def _text_of(fragment: str) -> str:
    return " ".join(lxml.html.fragment_fromstring(fragment, create_parent="div")
                    .text_content().split())


def test_every_swallowing_tag_in_prose_keeps_the_rest_of_the_post_in_page_and_feeds(tmp_path):
    proj = new_project(tmp_path / "p", {
        f"posts/2026-10-01-css-{tag}.md": f"---\ntitle: CSS tips {tag}\ndate: 2026-10-01\n"
                                          "---\n" + _body(tag) + "\n" for tag in SWALLOWING})
    result = proj.run("publish")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    rss = lxml.etree.fromstring(proj.read("feed.xml"))
    atom = lxml.etree.fromstring(proj.read("atom.xml"))
    items = json.loads(proj.read("feed.json"))["items"]
    assert len(items) == len(SWALLOWING)
    for tag in SWALLOWING:
        name = f"posts/2026-10-01-css-{tag}.md"
        said = [ln for ln in result.output.splitlines() if f"{name}:7:" in ln]
        assert len(said) == 1 and f"<{tag}> " in said[0] and "hide the rest" in said[0] \
            and "shown as text" in said[0], result.output
        page = lxml.html.document_fromstring(proj.read(f"posts/css-{tag}/index.html"))
        body = " ".join(page.find_class("body")[0].text_content().split())
        assert body == (f"First paragraph. Put your rules in a <{tag}> element in the head. "
                        "Third paragraph: important content. A heading Last words."), (tag, body)
        assert page.find_class("body")[0].find(".//h2").text == "A heading"
        title = f"CSS tips {tag}"
        in_rss = rss.xpath("//item[title=$t]/*[local-name()='encoded']/text()", t=title)
        in_atom = atom.xpath("//*[local-name()='entry'][*[local-name()='title']=$t]"
                             "/*[local-name()='content']/text()", t=title)
        in_json = [i["content_html"] for i in items if i["title"] == title]
        for feed in (in_rss, in_atom, in_json):
            assert len(feed) == 1, (tag, feed)
            text = _text_of(feed[0])
            assert f"in a <{tag}> element" in text and text.endswith("A heading Last words."), \
                (tag, text)


def test_a_whole_script_or_style_element_is_removed_with_a_warning_at_its_line(tmp_path):
    body = "Before.\n\n<style>\np { color: red }\n</style>\n\nMiddle <script>alert(1)</script>" \
           " end.\n\nAfter."
    proj = new_project(tmp_path / "p", {NAME: "---\ntitle: CSS\ndate: 2026-10-01\n---\n" + body})
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert f"Warning: {NAME}:7: <style> is removed from the page and the feeds" in result.output
    assert f"Warning: {NAME}:11: <script> is removed from the page and the feeds" \
        in result.output
    text = " ".join(lxml.html.document_fromstring(proj.read("posts/css/index.html"))
                    .find_class("body")[0].text_content().split())
    assert text == "Before. Middle end. After."


# --- generated prose: words, tags named bare or in backticks, one paragraph a line -----------

_tag = st.tuples(st.sampled_from(["", "/"]), st.sampled_from(SWALLOWING),
                 st.sampled_from(["", ' class="x"', " "]),
                 st.sampled_from([str.lower, str.upper, str.title]))
_piece = st.one_of(st.tuples(st.just("word")), st.tuples(st.just("tag"), _tag),
                   st.tuples(st.just("code"), _tag))


def _written(tag) -> str:
    slash, name, attrs, case = tag
    return f"<{slash}{case(name)}{attrs}>"


@st.composite
def _paragraphs(draw):
    """Paragraphs of pieces in which no close tag follows an open tag of its name (such a
    pair is an element the author wrote, which the sanitiser may remove with what it holds;
    so is one closed in backticks in a paragraph starting with a tag, which CommonMark reads
    as raw HTML, and a paragraph starting with <script>, <style> or <textarea> closed in a
    later one: CommonMark's HTML block runs to that end tag, blank lines and all)."""
    out, runs_on = [], set()  # (a paragraph starting <script> runs to its </script>, if any)
    for _ in range(draw(st.integers(1, 5))):
        pieces, opened = [], set(runs_on)
        for piece in draw(st.lists(_piece, min_size=1, max_size=8)):
            if piece[0] != "word" and piece[1][0] and piece[1][2].strip():
                piece = (piece[0], (*piece[1][:2], "", piece[1][3]))  # (no </x class>: text)
            if piece[0] == "code" and piece[1][0] and piece[1][1] in runs_on:
                continue
            if piece[0] == "tag":
                slash, name = piece[1][0], piece[1][1]
                if slash and name in opened:
                    continue
                if not slash:
                    opened.add(name)
            pieces.append(piece)
        pieces = pieces or [("word",)]
        if pieces[0][0] == "tag":  # an HTML block, where backticks are no code (CommonMark)
            pieces = [p for p in pieces if p[0] != "code"]
            if not pieces[0][1][0] and pieces[0][1][1] in ("script", "style", "textarea"):
                runs_on.add(pieces[0][1][1])
        out.append(pieces)
    return out


@settings(max_examples=300, deadline=None)
@given(_paragraphs())
def test_any_prose_naming_raw_text_tags_keeps_every_word_and_notes_each_bare_tag(paragraphs):
    lines, words, bare = [], [], []
    for n, pieces in enumerate(paragraphs):
        parts = []
        for k, piece in enumerate(pieces):
            if piece[0] == "word":
                words.append(f"w{n}x{k}")
                parts.append(words[-1])
            elif piece[0] == "tag":
                parts.append(_written(piece[1]))
                bare.append((2 * n + 1, _written(piece[1])))
            else:
                parts.append(f"`{_written(piece[1])}`")
        lines.append(" ".join(parts))
    text = "\n\n".join(lines) + "\n"
    out, removed, notes = render_markdown(text)
    shown = _text_of(out)
    assert [w for w in re.findall(r"w\d+x\d+", shown)] == words, (text, out)
    for line, tag in bare:  # each bare tag is on the page as text, and noted at its line
        assert tag.strip() in html.unescape(out) or tag in html.unescape(out), (tag, out)
        assert any(n_line == line and tag in note for n_line, note in notes), (tag, notes)
    assert not removed, removed
    assert "<" + "style" not in out.lower() and "<script" not in out.lower()


def test_a_post_of_thousands_of_unclosed_tags_keeps_every_word_and_notes_each_line():
    """Each <script> opening a line would run to the end: past REPARSES of them the rest is
    escaped where it stands (its Markdown then shown as written), every word still there."""
    text = "".join(f"<script> w{i}\n\n" for i in range(3000)) + "AFTER\n"
    out, _removed, notes = render_markdown(text)
    assert re.findall(r"w\d+|AFTER", _text_of(out)) == [f"w{i}" for i in range(3000)] + ["AFTER"]
    assert [line for line, _ in notes] == [2 * i + 1 for i in range(3000)]


def test_show_notes_naming_a_tag_keep_every_word_with_a_warning_at_the_notes_line(tmp_path):
    proj = new_project(tmp_path / "p", {
        "episodes/one.yaml": sidecar("One", notes="'Put rules in a <style> element.\n\n"
                                                  "  Then the rest of the notes.'"),
        "episodes/one.mp3": tone(1.0),
    }, config=BASE_CONFIG + "audio:\n  process: false\n")
    result = proj.run("publish")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "Warning: episodes/one.yaml:3: in the show notes, <style> is never closed" \
        in result.output
    page = proj.read("episodes/one/index.html").decode()
    assert "Put rules in a &lt;style&gt; element." in page and "Then the rest of the notes." \
        in page
    feed = podcastparser.parse("podcast.xml", io.BytesIO(proj.read("podcast.xml")))
    assert "Then the rest of the notes." in feed["episodes"][0]["description_html"]


def test_embeds_removed_from_show_notes_are_said_as_in_a_post(tmp_path):
    """h24 A8: a script or a frame in the show notes is removed with the same warning a post's
    body gets, at the notes' line."""
    proj = new_project(tmp_path / "p", {
        "episodes/one.yaml": sidecar("One", notes="'See <script>alert(1)</script> and "
                                                  "<iframe src=\"https://x.example/\"></iframe>.'"),
        "episodes/one.mp3": tone(1.0),
    }, config=BASE_CONFIG + "audio:\n  process: false\n")
    result = proj.run("publish")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    for tag in ("<script>", "<iframe>"):
        assert f"Warning: episodes/one.yaml:3: in the show notes, {tag} is removed from the " \
               "page and the feeds" in result.output, result.output
    assert "alert(1)" not in proj.read("episodes/one/index.html").decode()


@pytest.mark.parametrize("written, said", [
    ("Put rules in a <?php echo 1 ?> element.", "a processing instruction (<?...?>)"),
    ("Math <math><mi>x</mi></math> here.", "<math>"),
    ("A drawing <svg><rect/></svg> here.", "<svg>"),
    ("Choose <select><option>a</option></select> one.", "<select>"),
])
def test_markup_the_page_drops_is_said_at_its_line(tmp_path, written, said):
    """h24 A9: whatever the page and feeds leave out of a body is said, at its line; the same
    written in backticks is shown, and not said."""
    proj = new_project(tmp_path / "p", {"posts/a.md": post(
        "A", body=f"First line.\n\n{written}\n\nAnd `{written}` in code.")})
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert f"posts/a.md:8: {said} is removed from the page and the feeds" in result.output, \
        result.output
