"""HTML pages of a WordPress-like blog: each post an ``article`` (or ``.post``/``.hentry``)
with an ``.entry-title`` (or first heading), a ``time[datetime]`` (or ``.published``) and an
``.entry-content`` body; comment sections, share buttons and navigation are left behind."""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from . import Found, SourceError
from .sources import parse_date
from .textexport import derive_title

_POSTS = ("//article | //div[contains(concat(' ', normalize-space(@class), ' '), ' hentry ')]"
          " | //div[contains(concat(' ', normalize-space(@class), ' '), ' post ')]")
_FURNITURE = (".//*[contains(@class, 'comments') or contains(@class, 'sharedaddy') or "
              "contains(@class, 'share') or contains(@class, 'post-navigation') or "
              "contains(@class, 'nav-links') or self::nav or self::footer or self::script or "
              "self::style or self::form]")


# what is not the author's post, wherever it is on the page: readers' comments, and the
# "related posts" teasers a theme shows under a post (each an article of its own)
_NOT_POSTS_ID = frozenset({"comments", "respond", "jp-relatedposts", "related-posts"})
_NOT_POSTS_CLASS = re.compile(r"^(?:comments?(?:-(?:area|list|body|content|respond))?|"
                              r"commentlist|related(?:[-_]\w+)?|"
                              r"\w+[-_]related(?:[-_]\w+)*|yarpp-related|crp_related)$")


def _drop_not_posts(doc) -> None:
    """Take comment sections and related-post teasers off the page before posts are looked
    for, so no reader's comment and no teaser of another post becomes a post."""
    gone = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        classes = (el.get("class") or "").split()
        if ((el.get("id") or "").strip().lower() in _NOT_POSTS_ID
                or any(_NOT_POSTS_CLASS.match(c.lower()) for c in classes)):
            gone.append(el)
    for el in gone:
        parent = el.getparent()
        if parent is not None and not any(a in gone for a in el.iterancestors()):
            parent.remove(el)


def _first(node, xpath: str):
    found = node.xpath(xpath)
    return found[0] if found else None


@lru_cache(maxsize=1)
def _converter():
    """The converter class, made on first use: markdownify and BeautifulSoup take longer to
    import than most imports take to run, and plain show notes need neither."""
    from markdownify import MarkdownConverter

    class _Converter(MarkdownConverter):
        """markdownify, with an embedded player or page (an ``iframe``, which Markdown cannot
        hold and a sanitiser drops) kept as a link to what it showed, so a post that was only
        a video is not lost."""

        def convert_iframe(self, el, text, parent_tags):
            src = (el.get("src") or "").strip()
            if not src.startswith(("http://", "https://", "//")):
                return ""
            src = "https:" + src if src.startswith("//") else src
            label = (" ".join((el.get("title") or "").split())
                     or f"Embedded: {urlsplit(src).netloc}")
            return f"\n\n[{label}]({src})\n\n"

        def escape(self, text, parent_tags):
            """Text as text: besides what markdownify escapes, a run of words that Markdown
            would read as a list item or a heading where it starts a line ("1984. That year",
            "- ") keeps its marker as written (a backslash before it)."""
            text = super().escape(text, parent_tags)
            if "_noformat" in parent_tags or "code" in parent_tags or "pre" in parent_tags:
                return text
            text = re.sub(r"(?<!\\)([\[\]])", r"\\\1", text)  # "[a](x)" as written, no link
            return _MARKER.sub(r"\1\\\2", text)

        def convert_script(self, el, text, parent_tags):
            return ""  # a script's code is no text of the post

        convert_style = convert_noscript = convert_template = convert_script

    return _Converter


# where a line of text could begin with what Markdown reads as a list item or heading marker
_MARKER = re.compile(r"((?:^|\n)[ \t]*(?:\d{1,9})?)([.)](?=[ \t]|$)|[-+*#>](?=[ \t]|$))")


# Paragraphs of plain words (most show notes): nothing Markdown would read as markup, no
# entities; their Markdown is the words themselves, without a parser.
_PLAIN = re.compile(r"\s*(?:<p>[^<>&*_\\`#\[\]|~+=-]*</p>\s*)+|[^<>&*_\\`#\[\]|~+=-]*")
_NUMBERED = re.compile(r"[ \t]*\d{1,9}[.)](?:[ \t]|$|\n|</p>)")  # "1984. That"


def _numbered(html: str) -> bool:
    """Whether a line or a paragraph of ``html`` starts with what Markdown reads as a numbered
    list item ("1984. That year"): looked for where lines and paragraphs start, not at every
    character."""
    if _NUMBERED.match(html):
        return True
    for start in ("\n", "<p>"):
        at = html.find(start)
        while at >= 0:
            if _NUMBERED.match(html, at + len(start)):
                return True
            at = html.find(start, at + 1)
    return False


def to_markdown(fragment_html: str) -> str:
    if _PLAIN.fullmatch(fragment_html) and not _numbered(fragment_html):
        paragraphs = ("\n".join(filter(None, (" ".join(line.split())
                                              for line in p.splitlines())))
                      for p in re.split(r"</?p>", fragment_html))
        return "\n\n".join(p for p in paragraphs if p) + "\n"
    try:
        # a <br> as a backslash at the line's end: trailing spaces are stripped below
        md = _converter()(heading_style="ATX", bullets="-",
                        newline_style="backslash").convert(fragment_html)
    except RecursionError:  # nested deeper than a converter walking the tree can go
        return _plain(fragment_html)
    lines = [line.rstrip() for line in md.splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


# attributes that hold one address, and those that hold a list of them (``srcset``)
_URL_ATTRS = ("href", "src", "poster", "cite", "longdesc", "data", "background", "action",
              "formaction", "usemap", "manifest", "codebase", "icon", "profile")
_HAS_URL = re.compile(rf"\b(?:{'|'.join(_URL_ATTRS)}|srcset)\s*=", re.I)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def is_absolute_base(base: str | None) -> bool:
    """Whether ``base`` is an http(s) address with a host (one relative addresses can be
    resolved against); a broken one ("http://[x/") is not."""
    try:
        parts = urlsplit(base or "")
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _absolute(base: str, value: str) -> str:
    """``value`` resolved against ``base``; a fragment alone (``#fn1``, a footnote on the same
    page), an empty value or one with a scheme (``mailto:``, ``data:``) as it is."""
    text = value.strip()
    if not text or text.startswith("#") or _SCHEME.match(text):
        return value
    try:
        return urljoin(base, text)
    except ValueError:  # a broken address ("http://[x"): left as written
        return value


def _srcset(base: str, value: str) -> str:
    out = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if parts:
            out.append(" ".join([_absolute(base, parts[0]), *parts[1:]]))
    return ", ".join(out)


def absolute_links_in(root, base: str) -> int:
    """Resolve every address in the element tree ``root`` against ``base``, in place; the
    number of addresses changed."""
    changed = 0
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        for attr, value in el.attrib.items():
            name = attr.lower()
            if name in _URL_ATTRS:
                new = _absolute(base, value)
            elif name in ("srcset", "imagesrcset"):
                new = _srcset(base, value)
            else:
                continue
            if new != value:
                try:
                    el.set(attr, new)
                except ValueError:  # a character no document may hold: left as written
                    continue
                changed += 1
    return changed


def _relative_links(root) -> list[str]:
    """The addresses in ``root`` that are relative (and so need the page's address)."""
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            if attr.lower() in ("href", "src", "poster") and value.strip() and not (
                    value.strip().startswith(("#", "//")) or _SCHEME.match(value.strip())):
                found.append(value.strip())
    return found


def absolute_links(fragment_html: str, base: str | None) -> tuple[str, int]:
    """A fragment of HTML with its relative addresses resolved against ``base`` (src, href,
    srcset, poster and the rest), and how many were; unchanged without an http(s) base."""
    if not is_absolute_base(base) or not _HAS_URL.search(fragment_html):
        return fragment_html, 0
    try:
        root = lxml_html.fragment_fromstring(fragment_html, create_parent="div")
    except (ValueError, lxml_html.etree.ParserError):
        return fragment_html, 0
    changed = absolute_links_in(root, base)
    if not changed:
        return fragment_html, 0
    inner = (root.text or "") + "".join(lxml_html.tostring(child, encoding="unicode")
                                        for child in root)
    return inner, changed


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


def page_base(doc, name: str) -> str | None:
    """What a page's relative addresses are relative to: its ``<base href>`` (itself relative
    to the page's address), else the page's address; None for a saved page without either."""
    from .sources import is_url

    page = name if is_url(name) else ""
    given = doc.xpath("//base/@href")
    if given and str(given[0]).strip():
        try:
            found = urljoin(page, str(given[0]).strip())
        except ValueError:
            found = ""
        if is_absolute_base(found):
            return found
    return page or None


def _day_start(value: str):
    """A date alone (``datetime="2020-05-02"``): the start of that day where the site is
    (a time with no zone, read in site.timezone), not midnight in London's winter."""
    import datetime as dt

    from .sources import in_years

    m = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})\s*", value)
    if not m:
        return None
    try:
        return in_years(dt.datetime(*map(int, m.groups())))
    except ValueError:
        return None


def from_html(data: bytes | str, name: str) -> list[Found]:
    if isinstance(data, bytes) and not re.search(rb"charset\s*=", data[:4096], re.I):
        # no charset declared: UTF-8 where it reads as UTF-8 (lxml would take Latin-1)
        with contextlib.suppress(UnicodeDecodeError):
            data = re.sub(r"\A\s*<\?xml[^>]*\?>", "", data.decode("utf-8"))
    try:
        doc = lxml_html.fromstring(data, parser=lxml_html.HTMLParser(huge_tree=True))
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise SourceError(f"{name}: not an HTML page ({exc})") from None
    base = page_base(doc, name)
    _drop_not_posts(doc)
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
        left = []
        if is_absolute_base(base):
            absolute_links_in(body_node, base)
        else:
            left = _relative_links(body_node)
        body = to_markdown(lxml_html.tostring(body_node, encoding="unicode"))
        if not body.strip():
            continue
        date = _day_start(str(when)) or parse_date(str(when)) if when else None
        doubt = None
        if left:
            doubt = (f"{len(left)} relative address(es) left as written (such as {left[0]!r}), "
                     "which point nowhere on the new site: import the page from its URL, or "
                     "add <base href=\"its old address\"> to it")
        out.append(Found(title or derive_title(body), body, name, date, derived_title=not title,
                         tags=tags, order=(0, n), doubt=doubt,
                         date_text=str(when) if when and date is None else None))
    if not out:
        raise SourceError(f"{name}: no posts found on this page (expected <article> or "
                           "class=\"post\" elements with a title and a body)")
    return out
