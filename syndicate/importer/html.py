"""HTML pages of a WordPress-like blog: each post an ``article`` (or ``.post``/``.hentry``)
with an ``.entry-title`` (or first heading), a ``time[datetime]`` (or ``.published``) and an
``.entry-content`` body; comment sections, share buttons and navigation are left behind."""

from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from lxml import html as lxml_html
from markdownify import MarkdownConverter

from . import Found, SourceError
from .sources import parse_date
from .textexport import derive_title

_POSTS = ("//article | //div[contains(concat(' ', normalize-space(@class), ' '), ' hentry ')]"
          " | //div[contains(concat(' ', normalize-space(@class), ' '), ' post ')]")
_FURNITURE = (".//*[contains(@class, 'comments') or contains(@class, 'sharedaddy') or "
              "contains(@class, 'share') or contains(@class, 'post-navigation') or "
              "contains(@class, 'nav-links') or self::nav or self::footer or self::script or "
              "self::style or self::form]")


def _first(node, xpath: str):
    found = node.xpath(xpath)
    return found[0] if found else None


class _Converter(MarkdownConverter):
    """markdownify, with an embedded player or page (an ``iframe``, which Markdown cannot hold
    and a sanitiser drops) kept as a link to what it showed, so a post that was only a video
    is not lost."""

    def convert_iframe(self, el, text, parent_tags):
        src = (el.get("src") or "").strip()
        if not src.startswith(("http://", "https://", "//")):
            return ""
        src = "https:" + src if src.startswith("//") else src
        label = " ".join((el.get("title") or "").split()) or f"Embedded: {urlsplit(src).netloc}"
        return f"\n\n[{label}]({src})\n\n"

    def escape(self, text, parent_tags):
        """Text as text: besides what markdownify escapes, a run of words that Markdown would
        read as a list item or a heading where it starts a line ("1984. That year", "- ")
        keeps its marker as written (a backslash before it)."""
        text = super().escape(text, parent_tags)
        if "_noformat" in parent_tags or "code" in parent_tags or "pre" in parent_tags:
            return text
        return _MARKER.sub(r"\1\\\2", text)


# where a line of text could begin with what Markdown reads as a list item or heading marker
_MARKER = re.compile(r"((?:^|\n)[ \t]*(?:\d{1,9})?)([.)](?=[ \t]|$)|[-+*#>](?=[ \t]|$))")


# Paragraphs of plain words (most show notes): nothing Markdown would read as markup, no
# entities; their Markdown is the words themselves, without a parser.
_PLAIN = re.compile(r"\s*(?:<p>[^<>&*_\\`#\[\]|~+=-]*</p>\s*)+|[^<>&*_\\`#\[\]|~+=-]*")
_NUMBERED = re.compile(r"(?:^|\n|<p>)[ \t]*\d{1,9}[.)](?:[ \t]|$|\n|</p>)")  # "1984. That"


def to_markdown(fragment_html: str) -> str:
    if _PLAIN.fullmatch(fragment_html) and not _NUMBERED.search(fragment_html):
        paragraphs = ("\n".join(filter(None, (" ".join(line.split())
                                              for line in p.splitlines())))
                      for p in re.split(r"</?p>", fragment_html))
        return "\n\n".join(p for p in paragraphs if p) + "\n"
    try:
        # a <br> as a backslash at the line's end: trailing spaces are stripped below
        md = _Converter(heading_style="ATX", bullets="-", strip=["script", "style"],
                        newline_style="backslash").convert(fragment_html)
    except RecursionError:  # nested deeper than a converter walking the tree can go
        return _plain(fragment_html)
    lines = [line.rstrip() for line in md.splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


class _Words(HTMLParser):
    """A fragment's words, a paragraph at each block, at any depth (it keeps no tree)."""

    BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3",
                        "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "section",
                        "article", "header", "footer", "figure", "figcaption", "hr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden = max(self.hidden - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def _plain(fragment_html: str) -> str:
    """The words of a fragment too deeply nested to convert, as plain paragraphs: its
    structure is lost, none of its text."""
    from .textexport import _escape

    reader = _Words()
    reader.feed(fragment_html)
    reader.close()
    paragraphs = (" ".join(p.split()) for p in "".join(reader.parts).split("\n\n"))
    return "\n\n".join(_escape(p) for p in paragraphs if p) + "\n"


def from_html(data: bytes | str, name: str) -> list[Found]:
    if isinstance(data, bytes) and not re.search(rb"charset\s*=", data[:4096], re.I):
        # no charset declared: UTF-8 where it reads as UTF-8 (lxml would take Latin-1)
        with contextlib.suppress(UnicodeDecodeError):
            data = re.sub(r"\A\s*<\?xml[^>]*\?>", "", data.decode("utf-8"))
    try:
        doc = lxml_html.fromstring(data, parser=lxml_html.HTMLParser(huge_tree=True))
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise SourceError(f"{name}: not an HTML page ({exc})") from None
    nodes = doc.xpath(_POSTS)
    outer = set(nodes)
    nodes = [n for n in nodes if not any(a in outer for a in n.iterancestors())]
    out = []
    for n, node in enumerate(nodes):
        tags = [" ".join(t.text_content().split()) for t in node.xpath(".//a[@rel='tag']")]
        for junk in node.xpath(_FURNITURE):
            junk.getparent().remove(junk)
        title_node = _first(node, ".//*[contains(@class, 'entry-title')] | .//h1 | .//h2")
        title = " ".join(title_node.text_content().split()) if title_node is not None else ""
        when = _first(node, ".//time/@datetime") or _first(
            node, ".//*[contains(@class, 'published')]/@title") or _first(
            node, ".//*[contains(@class, 'published')]/text()")
        body_node = _first(node, ".//*[contains(@class, 'entry-content')]")
        if body_node is None:
            if title_node is not None:
                title_node.getparent().remove(title_node)
            for meta in node.xpath(".//*[contains(@class, 'entry-meta')] | .//header"):
                meta.getparent().remove(meta)
            body_node = node
        body = to_markdown(lxml_html.tostring(body_node, encoding="unicode"))
        if not body.strip():
            continue
        date = parse_date(str(when)) if when else None
        out.append(Found(title or derive_title(body), body, name, date, derived_title=not title,
                         tags=tags, order=(0, n),
                         date_text=str(when) if when and date is None else None))
    if not out:
        raise SourceError(f"{name}: no posts found on this page (expected <article> or "
                           "class=\"post\" elements with a title and a body)")
    return out
