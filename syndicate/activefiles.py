"""What a browser would run in a document the site serves as it is (an HTML transcript, an SVG
or HTML file beside a post): scripts, frames, event handlers, addresses of another scheme. Such
a document runs on the site's own address, so it is refused or left out, never published."""

from __future__ import annotations

import re

# documents a browser opens and runs when served as these types (mediatypes.of gives the type)
RUNNING_TYPES = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml",
                           "application/xml", "text/xml"})
# names a web server (nginx, Apache, a CDN) serves as such documents whatever this site's own
# table says (a folder target is served by one)
RUNNING_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xht", ".svg", ".svgz", ".xml",
                              ".xsl", ".xslt", ".mht", ".mhtml"})
# elements that run or embed something in a file beside a post (an SVG may style itself)
ACTIVE_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet",
                         "foreignobject", "handler", "listener", "base", "meta"})
URL_ATTRS = frozenset({"href", "src", "action", "formaction", "poster", "background", "cite",
                       "data", "srcset", "xlink:href", "to", "from", "values", "by"})
SAFE_SCHEMES = ("http:", "https:", "mailto:")


def first_active(root, tags=ACTIVE_TAGS, schemes=SAFE_SCHEMES) -> tuple[str, int | None] | None:
    """(what, its line) of the first active thing in the parsed document ``root`` (lxml): an
    element named in ``tags``, an event handler (``on...=``), an address whose scheme is not
    one of ``schemes`` (``javascript:``); None when there is none."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()  # (svg:script, {ns}script)
        if tag in tags:
            return f"a <{tag}> element", el.sourceline
        if tag in ("set", "animate") and (el.get("attributeName") or el.get("attributename")
                                          or "").strip().lower().startswith(("on", "href",
                                                                              "xlink:href")):
            return f"a <{tag}> that sets an event handler or an address", el.sourceline
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            plain = re.sub(r"[\x00-\x20]", "", value).lower()
            if local.startswith("on"):
                return f"an event handler ({local}=)", el.sourceline
            if (local in URL_ATTRS or name.lower() in URL_ATTRS) \
                    and ":" in plain.split("/", 1)[0] and not plain.startswith(schemes):
                return f"a link the site does not publish ({local}={value[:40]!r})", \
                    el.sourceline
    return None


def active_in(data: bytes) -> tuple[str, int | None] | None:
    """The first active thing in an HTML or SVG document's bytes (see ``first_active``; a
    ``data:image/`` address is an image, not active); one that cannot be parsed is taken as
    active, since a browser may read it otherwise."""
    import lxml.etree
    import lxml.html

    if not data.strip():
        return None
    if re.search(rb"<!ENTITY", data, re.I) or re.search(rb"<!DOCTYPE[^>\[]*\[", data, re.I):
        return ("an entity declaration (a browser expands it into the document, script and "
                "all)", data[:data.lower().find(b"<!")].count(b"\n") + 1)
    try:
        root = lxml.html.document_fromstring(data)
    except (ValueError, lxml.etree.ParserError) as exc:
        return f"markup that cannot be read ({exc})", None
    return first_active(root, schemes=(*SAFE_SCHEMES, "data:image/"))
