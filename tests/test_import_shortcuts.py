"""The importer's quick paths give exactly what the plain rule gives, on generated text: a
post's words (which decide whether two posts are one) split without the regex where the text
is ASCII, and the look for a line that Markdown would read as a numbered list item made only
where lines and paragraphs start."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.importer import _words
from syndicate.importer.html import _numbered, to_markdown

_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")


def words_by_rule(text: str) -> list[str]:
    text = re.sub(r"!\[[^\[\]]*\]\([^()]*\)", " ", text)
    text = re.sub(r"\[([^\[\]]*)\]\([^()]*\)", r"\1", text)
    text = re.sub(r"\[\^?\w{1,4}\]:?", " ", text)
    return _WORD.findall(text.lower())


# ASCII of every kind (control characters, the separators str.split knows, punctuation,
# underscores), some Markdown, and now and then a letter or a CJK character beyond ASCII
_ASCII = st.text(st.characters(max_codepoint=127), max_size=80)
_MIXED = st.lists(st.sampled_from([*"ab Z09_-'.,\t\n\x0b\x1c\x1f[]()!^", "é", "ß", "日本",
                                   "İ", "K", "[^1]", "![x](y.png)", "[a](b)"]),
                  max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_ASCII, _MIXED))
def test_words_are_the_rules_words(text):
    assert _words(text) == words_by_rule(text)


_OLD_NUMBERED = re.compile(r"(?:^|\n|<p>)[ \t]*\d{1,9}[.)](?:[ \t]|$|\n|</p>)")
_HTML = st.lists(st.sampled_from(["<p>", "</p>", "\n", " ", "\t", "1", "9", "1234567890",
                                  ".", ")", "a", "Year", "<br>", "<p"]), max_size=30).map("".join)


@settings(max_examples=800, deadline=None)
@given(_HTML)
def test_a_numbered_line_is_found_where_the_rule_finds_one(html):
    assert _numbered(html) == bool(_OLD_NUMBERED.search(html))


def test_a_paragraph_starting_with_a_year_keeps_its_full_stop_as_written():
    md = to_markdown("<p>Words about the tide.</p>\n<p>1984. That year the river froze.</p>")
    assert "1984\\. That year" in md
    assert to_markdown("<p>The river froze in 1984. That year.</p>") == \
        "The river froze in 1984. That year.\n"
