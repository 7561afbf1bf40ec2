"""Tags that would swallow the text after them.

HTML reads the content of ``<script>``, ``<style>``, ``<textarea>``, ``<title>``, ``<iframe>``,
``<xmp>``, ``<noembed>``, ``<noframes>`` and ``<noscript>`` as raw text up to the element's own
end tag, ``<plaintext>`` to the end of the page, and ``<template>`` as a fragment no page shows.
A post that names one in its prose ("put your rules in a <style> element") and never closes it
would lose, or show as source, everything after it. Such a tag (and an end tag with no start) is
turned into the text it is, with a note of its line: the post reads as written. A whole element
(``<style>p{}</style>`` in one paragraph or HTML block) is left to the sanitiser.
"""

from __future__ import annotations

import bisect
import html
import re

# a post with more HTML blocks left open than this (hostile) has the rest escaped where it is
REPARSES = 20
SWALLOWING = ("script", "style", "template", "textarea", "title", "xmp", "iframe", "noembed",
              "noframes", "noscript", "plaintext")
_TAG = re.compile(r"<(/?)(" + "|".join(SWALLOWING) + r")(?=[\s/>]|$)[^>]*>?", re.I)
# an HTML block that CommonMark runs to its closing tag, or else to the end of its container
_RUNS_TO_CLOSE = re.compile(r"\s{0,3}<(script|style|textarea)(?=[\s>]|$)", re.I)


def _unpaired(tags: list[tuple[str, str]]) -> list[int]:
    """The indexes of ``tags`` ((``/`` or ``""``, name) in document order) that no element
    pairs: a start tag never closed, an end tag with no start, any ``<plaintext>``. Inside a
    raw-text element every other tag is its text, as HTML reads it; once a start tag is found
    never closed (and so shown as text), the tags after it are read again without it."""
    closes: dict[str, list[int]] = {}
    for i, (slash, name) in enumerate(tags):
        if slash:
            closes.setdefault(name.lower(), []).append(i)
    out: list[int] = []
    i = 0
    while i < len(tags):
        slash, name = tags[i][0], tags[i][1].lower()
        after = closes.get(name, [])
        k = bisect.bisect_right(after, i)
        if slash or name == "plaintext" or k == len(after):
            out.append(i)
            i += 1
        else:
            i = after[k] + 1
    return out


class _Lines:
    """Where tags lie in the source, found in document order: each search goes on from the
    last one, so a body of many tags is read once."""

    def __init__(self, src: str):
        self.low = src.lower()
        self.starts = [0]
        for n, ch in enumerate(src):
            if ch == "\n":
                self.starts.append(n + 1)
        self.pos = 0

    def of(self, span: list[int] | None, needle: str) -> int:
        """The 0-based line of ``needle`` within a token's ``span`` of lines, from the last."""
        start = self.starts[span[0]] if span and span[0] < len(self.starts) else 0
        at = self.low.find(needle.lower(), max(start, self.pos))
        if at < 0:
            at = self.low.find(needle.lower(), start)
        if at < 0:
            return span[0] if span else 0
        self.pos = at + 1
        return bisect.bisect_right(self.starts, at) - 1


def mend(tokens, src: str, reparse: bool = True) -> tuple[list[tuple[int, str]], int | None]:
    """Turn every unpaired swallowing tag in ``tokens`` (markdown-it's, parsed from ``src``)
    into text, in place. Returns (0-based line, the tag as written) for each, and the line of an
    HTML block left open to the end of its container (``<script>`` starting a line, never
    closed), which only parsing again with that tag escaped reads as Markdown: None when there
    is none, or when not ``reparse`` (its tag is then escaped where it is, the rest of its
    container kept as the text it was written as)."""
    lines = _Lines(src)
    found: list[tuple[int, str]] = []
    for token in tokens:
        if token.type == "inline" and token.children:
            tagged = [(i, _TAG.match(c.content)) for i, c in enumerate(token.children)
                      if c.type == "html_inline"]
            tagged = [(i, m) for i, m in tagged if m]
            for k in _unpaired([(m.group(1), m.group(2)) for _, m in tagged]):
                child = token.children[tagged[k][0]]
                found.append((lines.of(token.map, child.content), child.content))
                child.type = "text"  # rendered escaped: the tag as it was written
        elif token.type == "html_block":
            matches = list(_TAG.finditer(token.content))
            bad = _unpaired([(m.group(1), m.group(2)) for m in matches])
            if reparse and bad and bad[0] == 0 and _RUNS_TO_CLOSE.match(token.content):
                return found, token.map[0] if token.map else 0
            content = token.content
            for k in bad:
                found.append((lines.of(token.map, matches[k].group(0)), matches[k].group(0)))
            for k in reversed(bad):
                m = matches[k]
                content = content[:m.start()] + html.escape(m.group(0), quote=False) \
                    + content[m.end():]
            token.content = content
    return found, None


def escape_first(src: str, line: int) -> tuple[str, str]:
    """``src`` with the first swallowing tag on 0-based ``line`` written as text (``&lt;``),
    and that tag as it was written."""
    lines = src.split("\n")
    m = _TAG.search(lines[line])
    if m is None:  # (mend found it there)
        return src, "<"
    lines[line] = lines[line][:m.start()] + "&lt;" + lines[line][m.start() + 1:]
    return "\n".join(lines), m.group(0)


def note(tag: str) -> str:
    """What a post is told of ``tag``, shown as text."""
    if tag.startswith("</"):
        why = f"{tag} closes nothing"
    elif tag.lower().startswith("<plaintext"):
        why = f"{tag} would hide the rest of the post"
    else:
        why = f"{tag} is never closed, so it would hide the rest of the post"
    return (f"{why}: it is shown as text; write it in backticks (`{tag}`) or as "
            f"&lt;{tag[1:]}")
