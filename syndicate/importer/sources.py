"""Read one import source, a file or a URL, and tell what it is: a text export page, an HTML
page of the old blog, or an RSS/Atom feed."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from .. import utf8
from ..config import Settings
from ..when import feed_date
from . import Found, SourceError, from_text
from .textexport import YEARS


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def load(source: str, settings: Settings, *, fetch=None) -> list[Found]:
    scheme = urlsplit(source).scheme
    if "://" in source and scheme and not is_url(source):
        raise SourceError(f"{source}: syndicate imports http(s) addresses and files only, not "
                          f"{scheme[:20]}: ones; download it first and import the file")
    if is_url(source):
        from .fetch import fetch_url

        data, final = (fetch or fetch_url)(source)
        return parse_fetched(source, data, final, fetch or fetch_url)
    else:
        path = Path(source)
        if not path.is_absolute():
            path = (Path.cwd() / path) if path.exists() else settings.resolve(source)
        data = read_file(path, source)
    return parse(data, source)


def parse_fetched(source: str, data: bytes, final: str, fetch):
    """What the remote ``source`` holds, given its bytes ``data`` fetched from ``final``; a feed
    in pages (RFC 5005) with the items of each older page, fetched with ``fetch``."""
    from .paged import follow, older_pages

    links = older_pages(data, final)
    if not links:
        return parse(data, final)
    return follow(source, data, final, links, fetch, parse)


def read_file(path: Path, source: str) -> bytes:
    """A local source's bytes. Only a regular file is read (a FIFO would wait forever, a
    device never end), and only up to the size a download may have."""
    import stat

    from .fetch import MAX_BYTES

    try:
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NONBLOCK)) as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise SourceError(f"{source}: not a regular file (a folder, a pipe or a "
                                  "device); give a page or a feed saved as a file")
            if info.st_size > MAX_BYTES:
                if _WXR.search(f.read(1 << 16)):
                    raise SourceError(
                        f"{source}: a WordPress export larger than {MAX_BYTES // 2**20} MB; "
                        "export it in parts (Tools > Export, by date or by category) and "
                        "import each part")
                raise SourceError(f"{source}: larger than {MAX_BYTES // 2**20} MB; not a page "
                                  "or a feed")
            return f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SourceError(f"{source}: cannot read it ({exc.strerror or exc})") from None


# (UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"),
         (b"\xfe\xff", "utf-16-be"))
# what may come before the root element: blank lines, the XML declaration and other processing
# instructions, comments, a document type (with its internal subset)
_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->"
                     r"|<!doctype\s+([\w:.-]*)[^\[>]*(?:\[[^\]]*\])?[^>]*>)*", re.S | re.I)
_ROOT = re.compile(r"<(?:[\w.-]+:)?([\w.-]+)")
# a whole start tag, as an XML document's root begins (not "<3" or "<- see below" in a text)
_START_TAG = re.compile(r"<[^\W\d][\w.:-]*(?:\s+[^<>]*)?/?>")
_JUNK = "".join(map(chr, range(33))) + "\x7f\ufeff"
_DECL = re.compile(r"\A\s*<\?xml\b.*?\?>", re.S)


def _unicode(data: bytes) -> str | None:
    """The text of a source whose encoding its first bytes tell for certain (a byte order
    mark, or UTF-16 or UTF-32 without one); None otherwise."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, "replace")
    for lead, encoding in ((b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
                           (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be")):
        if _starts(data, lead):
            return data.decode(encoding, "replace")
    return None


def _starts(data: bytes, lead: bytes) -> bool:
    """``data`` is text in units of ``len(lead)`` bytes whose first character that is not
    blank is ``<``, spelled as ``lead``."""
    at, width = 0, len(lead)
    while data[at:at + width] and data[at:at + width].strip(b"\x00") in (b" ", b"\t", b"\r",
                                                                         b"\n"):
        at += width
    return data[at:at + width] == lead


# elements an HTML page saved without its <html> may begin with
_HTML = {"head", "body", "div", "article", "section", "main", "header", "p", "h1", "h2", "h3",
         "title", "meta", "link", "script", "style", "table", "ul", "ol", "nav", "span", "a",
         "img", "figure", "blockquote", "pre"}


def kind_of(head: str) -> str:
    """'feed', 'html', 'xml' (other markup) or 'text', from the start of a source: its root
    element (after any prolog), not its name."""
    head = head.lstrip(_JUNK)  # control characters before the markup: still the markup
    prolog = _PROLOG.match(head)
    doctype = (prolog.group(1) or "").lower() if prolog else ""
    root = _ROOT.match(head, prolog.end() if prolog else 0)
    name = root.group(1).lower() if root else ""
    if name in ("rss", "feed", "rdf") or (not name and doctype in ("rss", "feed", "rdf:rdf")):
        return "feed"
    if name and name != "html" and name not in _HTML and doctype in ("", name) and prolog \
            and "<?xml" in prolog.group(0).lower() and _START_TAG.match(head, root.start()):
        return "xml"  # an XML document of another kind (OPML, SVG...), even with a <body>
    if name == "html" or doctype == "html" or "<body" in head.lower() or (
            name in _HTML and _START_TAG.match(head, root.start())):
        return "html"
    if (prolog and "<" in prolog.group(0)) or head.lstrip().startswith(("<?", "<!")):
        return "feed"  # XML's prolog (or a broken one): the feed reader says what is wrong
    if name and _START_TAG.match(head, root.start()):
        return "xml"  # markup of another kind: never a text export's words
    return "text"


def parse(data: bytes, name: str) -> list[Found]:
    """What ``data`` holds, by its content (not its name). Raises SourceError naming the
    source, whatever the bytes: a failure of a reader is reported as such, not a traceback."""
    try:
        return _parse(data, name)
    except SourceError:
        raise
    except (RecursionError, MemoryError):
        raise SourceError(f"{name}: too deeply nested or too large to read") from None
    except Exception as exc:  # a reader's own bug: named, and asked to be reported
        raise SourceError(f"{name}: could not be read (internal error: {type(exc).__name__}: "
                          f"{str(exc)[:200]}); please report it with the file") from None


def _parse(data: bytes, name: str) -> list[Found]:
    if not data.strip():
        raise SourceError(f"{name}: the file is empty")
    text = _unicode(data)
    if text is None and b"\x00" in data[:4096]:
        raise SourceError(f"{name}: a binary file, not a page or a feed")
    if text is not None and not text.strip():
        raise SourceError(f"{name}: the file is empty")
    kind = kind_of(text[:4096] if text is not None else data[:4096].decode("latin-1"))
    if kind in ("feed", "xml"):  # XML is read as XML: a feed reader may still find items
        if text is not None:  # the declaration named the encoding just read: now UTF-8
            data = _DECL.sub("", text, count=1).lstrip().encode("utf-8")
        # blank lines before the XML declaration break XML parsers, not podcast apps
        data = data.lstrip() if data[:1].isspace() else data
        data, entities = _without_doctype(data)
        try:
            return _feed(data, name)
        except SourceError as exc:
            if kind == "xml":
                root = _ROOT.search(data[:4096].decode("utf-8", "replace"))
                raise SourceError(f"{name}: an XML document whose root is "
                                  f"<{root.group(1)[:60]}>, not an RSS or Atom feed, an HTML "
                                  "page or a text export; give the feed itself") from None
            if entities:
                raise SourceError(f"{exc}; the feed declares entities of its own (<!ENTITY>), "
                                  "which are never expanded: save it without them") from None
            raise
    if kind == "html":
        from .html import from_html

        return from_html(_DECL.sub("", text, count=1) if text is not None else data, name)
    if text is None:
        try:
            text = utf8.decode(data)
        except utf8.NotUtf8 as exc:
            raise SourceError(f"{name}:{exc.line}: {exc}; save the export as UTF-8") from None
    return from_text(text, name)


_DOCTYPE = re.compile(rb"<!doctype\b[^\[>]*(?:\[.*?\]\s*)?>", re.S | re.I)


def _without_doctype(data: bytes) -> tuple[bytes, bool]:
    """A feed without the document type before its root (blank lines in its place, so line
    numbers hold), and whether it declared entities. Nothing a feed needs is in one; an
    entity it declares would pull in a file (``SYSTEM "file:///..."``) or expand a few bytes
    into gigabytes, and even the parsers' limits let that cost seconds."""
    at = data.find(b"<!", 0, 1 << 16)
    while at >= 0 and data[at:at + 9].lower() != b"<!doctype":
        at = data.find(b"<!", at + 2, 1 << 16)  # past a comment
    m = _DOCTYPE.match(data, at) if at >= 0 else None
    if m is None or re.search(rb"<[A-Za-z]", data[:m.start()]):
        return data, False
    declared = b"<!entity" in m.group(0).lower()
    return data[:m.start()] + b"\n" * m.group(0).count(b"\n") + data[m.end():], declared


_WXR = re.compile(rb"https?://wordpress\.org/export/\d+\.\d+/")


def _feed(data: bytes, name: str):
    from .namespaces import normalise, spelled_as_read
    from .podcast import is_podcast, parse_podcast

    try:
        from lxml import etree

        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                      load_dtd=False, huge_tree=True))
    except (etree.XMLSyntaxError, ValueError) as exc:
        root = None
        if _WXR.search(data[:1 << 16]):  # a WordPress export: its reader names the fault
            from .wordpress import read_broken

            root = read_broken(data, name, exc)
    if root is not None and not spelled_as_read(data):
        normalise(root)  # one spelling of each namespace, for every reader
    if root is not None and root.tag == "rss":
        from .wordpress import is_wxr, parse_wxr

        if is_wxr(root, name):
            return parse_wxr(root, name)
    if root is not None and root.tag == "rss" and is_podcast(root):
        return parse_podcast(root, name if is_url(name) else None)
    from .feeds import from_feed

    return from_feed(data, name, root)




def parse_date(value: str | None) -> dt.datetime | None:
    """A page's or feed's date (RFC 822 or ISO 8601; UTC where it names no zone), read by the
    one date parser; None when there is none, it is no date, or it lies outside YEARS."""
    return in_years(feed_date(value))


def in_years(when: dt.datetime | None) -> dt.datetime | None:
    """``when`` if an old post or episode can have it (see YEARS), else None."""
    return when if when is not None and YEARS[0] <= when.year <= YEARS[1] else None
