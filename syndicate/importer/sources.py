"""Read one import source, a file or a URL, and tell what it is: a text export page, an HTML
page of the old blog, or an RSS/Atom feed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

from ..config import Settings
from . import Found, SourceError, from_text


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def load(source: str, settings: Settings, *, fetch=None) -> list[Found]:
    if is_url(source):
        from .fetch import fetch_url

        data, final = (fetch or fetch_url)(source)
        name = final
    else:
        path = Path(source)
        if not path.is_absolute():
            path = (Path.cwd() / path) if path.exists() else settings.resolve(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"{source}: cannot read it ({exc.strerror})") from None
        name = source
    return parse(data, name)


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# what may come before the root element: blank lines, the XML declaration and other processing
# instructions, comments, a document type (with its internal subset)
_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->"
                     r"|<!doctype\s+([\w:.-]*)[^\[>]*(?:\[[^\]]*\])?[^>]*>)*", re.S | re.I)
_ROOT = re.compile(r"<(?:[\w.-]+:)?([\w.-]+)")
_DECL = re.compile(r"\s*<\?xml\b.*?\?>", re.S)


def _unicode(data: bytes) -> str | None:
    """The text of a source whose encoding its first bytes tell for certain (a byte order
    mark, or UTF-16 without one); None otherwise."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, "replace")
    if data[:2] in (b"<\x00", b"\x00<") or data[:4] in (b"\n\x00<\x00", b"\x00\n\x00<"):
        return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be", "replace")
    return None


def kind_of(head: str) -> str:
    """'feed', 'html' or 'text', from the start of a source: its root element (after any
    prolog), not its name."""
    prolog = _PROLOG.match(head)
    doctype = (prolog.group(1) or "").lower() if prolog else ""
    root = _ROOT.match(head, prolog.end() if prolog else 0)
    name = root.group(1).lower() if root else ""
    if name in ("rss", "feed", "rdf") or (not name and doctype in ("rss", "feed", "rdf:rdf")):
        return "feed"
    if name == "html" or doctype == "html" or "<body" in head.lower():
        return "html"
    return "text"


def parse(data: bytes, name: str) -> list[Found]:
    """What ``data`` holds, by its content (not its name)."""
    if not data.strip():
        raise SourceError(f"{name}: the file is empty")
    text = _unicode(data)
    if text is None and b"\x00" in data[:4096]:
        raise SourceError(f"{name}: a binary file, not a page or a feed")
    if text is not None and not text.strip():
        raise SourceError(f"{name}: the file is empty")
    kind = kind_of(text[:4096] if text is not None else data[:4096].decode("latin-1"))
    if kind == "feed":
        if text is not None:  # the declaration named the encoding just read: now UTF-8
            data = _DECL.sub("", text, count=1).lstrip().encode("utf-8")
        # blank lines before the XML declaration break XML parsers, not podcast apps
        data = data.lstrip() if data[:1].isspace() else data
        from .feeds import from_feed
        from .podcast import is_podcast, parse_podcast

        try:
            from lxml import etree

            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False,
                                                          no_network=True, huge_tree=True))
        except etree.XMLSyntaxError:
            root = None
        if root is not None and root.tag == "rss" and is_podcast(root):
            return parse_podcast(root, name if is_url(name) else None)
        return from_feed(data, name)
    if kind == "html":
        from .html import from_html

        return from_html(_DECL.sub("", text, count=1) if text is not None else data, name)
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise SourceError(f"{name}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                              "save the export as UTF-8") from None
    return from_text(text, name)


def parse_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
