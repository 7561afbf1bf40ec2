"""What a feed's XML says of each entry, beyond a feed reader's reading of it: the
``xml:base`` in effect on its content, its links (resolved: against the xml:base in effect,
else the feed's link, else the feed's address), its guid and whether that is its permalink,
the element its date comes from and its line; and whether it is a link post."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from ..urls import is_web_url
from .html import is_absolute_base

ATOM = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RSS1 = "http://purl.org/rss/1.0/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
FEEDBURNER = "http://rssnamespace.org/feedburner/ext/1.0"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_ITEMS = ("item", f"{{{RSS1}}}item", f"{{{ATOM}}}entry", f"{{{ATOM03}}}entry")


@dataclass
class Item:
    """What the XML itself says of one entry, beyond feedparser's reading of it."""

    line: int | None
    base: str | None  # the xml:base in effect on its content, resolved; None: none given
    link: str | None  # its alternate link, resolved
    related: str | None  # Atom's rel="related" link, resolved
    guid: str | None
    guid_is_permalink: bool
    date_field: str  # the element its date comes from: pubDate, published, dc:date...
    has_summary: bool  # a summary of its own beside the content
    date_written: str | None  # its date element's text ('' when empty; None: no element)


def _xml_base(el, feed_url: str | None) -> str | None:
    chain = [a.get(XML_BASE) for a in reversed([el, *el.iterancestors()])]
    chain = [c.strip() for c in chain if c and c.strip()]
    if not chain:
        return None
    base = feed_url or ""
    for given in chain:
        try:
            base = urljoin(base, given)
        except ValueError:
            return None
    return base


def resolve(base: str | None, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    try:
        return urljoin(base or "", href.strip())
    except ValueError:
        return href.strip()


def _child(el, *tags):
    for tag in tags:
        found = el.find(tag)
        if found is not None:
            return found
    return None


def _text(el) -> str | None:
    return "".join(el.itertext()).strip() or None if el is not None else None


def _atom_link(el, rels: tuple, fallback: str | None) -> str | None:
    for link in (*el.iterfind(f"{{{ATOM}}}link"), *el.iterfind(f"{{{ATOM03}}}link")):
        if (link.get("rel") or "alternate").strip() in rels and link.get("href"):
            return resolve(_xml_base(link, fallback) or fallback, link.get("href"))
    return None


def _site(root, feed_url: str | None) -> str | None:
    """The feed's link to its site, resolved against the feed's address."""
    if root.tag in (f"{{{ATOM}}}feed", f"{{{ATOM03}}}feed"):
        return _atom_link(root, ("alternate",), feed_url)
    holder = _child(root, "channel", f"{{{RSS1}}}channel")
    if holder is None:
        return None
    return resolve(_xml_base(holder, feed_url) or feed_url,
                    _text(_child(holder, "link", f"{{{RSS1}}}link")))


def read_items(root, feed_url: str | None) -> tuple[list[Item], str | None]:
    """(each entry as the XML gives it, in document order; the feed's site link). An entry's
    relative link is taken against the xml:base in effect, else the feed's link, else the
    feed's address."""
    if root is None:
        return [], None
    site = _site(root, feed_url)
    outer = site if is_absolute_base(site) else feed_url
    items = []
    for el in root.iter(*_ITEMS):
        atom = el.tag.endswith("}entry")
        content = _child(el, f"{{{CONTENT}}}encoded", f"{{{ATOM}}}content", "description",
                         f"{{{RSS1}}}description", f"{{{ATOM}}}summary", f"{{{ATOM03}}}content",
                         f"{{{ATOM03}}}summary")
        base = _xml_base(content if content is not None else el, feed_url)
        bodies = [tag for tag in (f"{{{CONTENT}}}encoded", f"{{{ATOM}}}content", "description",
                                  f"{{{RSS1}}}description", f"{{{ATOM}}}summary")
                  if el.find(tag) is not None]
        if atom:
            link = _atom_link(el, ("alternate",), outer)
            related = _atom_link(el, ("related",), outer)
            guid_el = _child(el, f"{{{ATOM}}}id", f"{{{ATOM03}}}id")
            permalink = is_web_url(_text(guid_el) or "")  # an id that is the post's address
            dated = [(n, _child(el, f"{{{ATOM}}}{n}", f"{{{ATOM03}}}{n}"))
                     for n in ("published", "updated", "issued", "modified")]
        else:
            link_el = _child(el, "link", f"{{{RSS1}}}link")
            link = resolve(_xml_base(link_el, feed_url) or outer, _text(link_el)) \
                if link_el is not None else None
            related = None
            guid_el = el.find("guid")
            permalink = guid_el is not None and (guid_el.get("isPermaLink") or "true").strip() \
                .lower() != "false"
            if link is None and permalink and is_web_url(_text(guid_el) or ""):
                link = _text(guid_el)  # the permalink guid is the item's address
            dated = [(n, el.find(tag)) for n, tag in (("pubDate", "pubDate"),
                                                      ("dc:date", f"{{{DC}}}date"))]
        dated = [(n, "".join(d.itertext()).strip()) for n, d in dated if d is not None]
        if el.find(f"{{{FEEDBURNER}}}origLink") is not None:  # a redirector's link, not
            permalink = False  # a link post's target
        items.append(Item(el.sourceline, base, link, related, _text(guid_el), permalink,
                           dated[0][0] if dated else ("published" if atom else "pubDate"),
                           len(bodies) > 1, dated[0][1] if dated else None))
    return items, site


def host(url: str | None) -> str:
    try:
        host = (urlsplit(url or "").hostname or "").lower()
    except ValueError:  # a broken address ("http://[x/"): no host
        return ""
    return host[4:] if host.startswith("www.") else host


def link_post(item: Item | None, site: str | None) -> tuple[str | None, str | None]:
    """(the target, the permalink) of a link post; (None, None) for any other entry."""
    if item is None or not is_web_url(item.link or ""):
        return None, None
    if item.related and is_web_url(item.related) and host(item.related) != host(item.link):
        return item.link, item.related  # Atom: alternate elsewhere, related on the blog
    if item.guid_is_permalink and is_web_url(item.guid or "") \
            and host(item.guid) != host(item.link) \
            and (site is None or host(site) in ("", host(item.guid))):
        return item.link, item.guid  # the link elsewhere, the guid (or id) the permalink
    return None, None
