"""Read one import source, a file or a URL, and tell what it is: a text export page, an HTML
page of the old blog, or an RSS/Atom feed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

from ..config import Settings
from ..when import feed_date
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


def parse(data: bytes, name: str) -> list[Found]:
    """What ``data`` holds, by its content (not its name)."""
    if not data.strip():
        raise SourceError(f"{name}: the file is empty")
    head = data[:2048].lstrip().lower()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte order mark
        head = data[:4096].decode("utf-16", "replace").lstrip().lower().encode()
    elif b"\x00" in data[:4096]:
        raise SourceError(f"{name}: a binary file, not a page or a feed")
    if head.startswith(b"<?xml") or re.match(rb"<(rss|feed|rdf:rdf)\b", head):
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
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        from .html import from_html

        return from_html(data, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SourceError(f"{name}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                           "save the export as UTF-8") from None
    return from_text(text, name)


def parse_date(value: str | None) -> dt.datetime | None:
    """A page's or feed's date (RFC 822 or ISO 8601; UTC when it gives no offset), read by the
    one date parser; None when missing, unreadable or out of range."""
    return feed_date(value)
