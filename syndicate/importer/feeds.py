"""RSS 2.0 and Atom feeds of the old blog: every entry a post, keeping its guid and date.

Relative addresses in an entry's content are resolved against the entry's base: the
``xml:base`` in effect on it (itself relative to the feed's address), else the entry's own
address, else the feed's link, else the feed's address. A link post (the entry's link points
off the blog, its permalink on it: Daring Fireball's style) keeps its target as ``link``.
Each entry's fields are accounted for (kept, changed, dropped) for the migration report."""

from __future__ import annotations

import re
import xml.sax

from ..urls import credential_in, redact
from ..when import feed_date
from . import EmptyFeed, Found, SourceError
from .feedxml import host, link_post, read_items, resolve
from .fields import Fields
from .html import absolute_links, is_absolute_base, to_markdown
from .namespaces import tag_name
from .sources import in_years, is_url
from .textexport import derive_title

# feedparser's keys that restate another (details, parsed forms, the links list)
_DERIVED = frozenset({
    "title_detail", "summary_detail", "links", "link", "id", "guidislink", "published_parsed",
    "updated_parsed", "created_parsed", "expired_parsed", "author_detail", "authors",
    "content", "summary", "title", "tags", "published", "updated", "href",
    "publisher_detail", "contributors", "source", "comments", "enclosures", "media_content",
    "media_thumbnail", "author", "publisher", "rights_detail", "license",
})


def _account(entry, fields: Fields, *, title: str, derived_title: bool, date_field: str,
             updated_kept: bool, content_why: list[str], link: str | None,
             link_why: str | None, old_link: str | None, summary: str | None) -> None:
    """Fill ``fields`` with what became of each field of one feed entry."""
    if derived_title:
        fields.change("title", "no title in the feed: made from the opening sentence")
    else:
        fields.keep("title")
    if dict.get(entry, "published") or dict.get(entry, "updated"):
        fields.keep(date_field)
    if dict.get(entry, "published") and dict.get(entry, "updated") and not updated_kept \
            and date_field != "updated":
        fields.drop("updated", "the same as (or not later than) the date kept, or no date")
    elif updated_kept:
        fields.keep("updated")
    has_content = bool(entry.get("content"))
    body_field = "content" if has_content else "description"
    if has_content or entry.get("summary"):
        fields.change(body_field, "; ".join(["HTML written as Markdown", *content_why]))
    if summary:
        fields.keep("summary")
    elif summary is not None:
        fields.drop("summary", "the same words as the content")
    for tag in entry.get("tags", []):
        if not tag.get("term"):
            fields.drop("category", "a category without a name")
    if any(t.get("term") for t in entry.get("tags", [])):
        fields.keep("tags")
    fields.keep("guid") if entry.get("id") else fields.change(
        "guid", "none in the feed: the post gets one of its own when it is published")
    if link:
        fields.keep("link")
    elif link_why:
        fields.drop("link", link_why)
    elif old_link:
        fields.change("link", f"the post gets its own address on this site (it was {old_link})")
    if _author(entry):
        fields.keep("author")
    elif entry.get("author") or entry.get("authors"):
        fields.drop("author", "an email address only: a post names its author, never their "
                              "address")
    for enc in entry.get("enclosures", []):
        fields.drop("enclosure", f"a blog post carries no enclosure ({enc.get('href', '')})")
    for media in (*entry.get("media_content", []), *entry.get("media_thumbnail", [])):
        fields.drop("media", f"not published with a post ({media.get('url', '')})")
    if entry.get("comments") or dict.get(entry, "slash_comments") \
            or dict.get(entry, "wfw_commentrss"):
        fields.drop("comments", "comments are left behind on the old site")
    for key in ("contributors", "publisher", "source", "rights", "license"):
        if entry.get(key):
            fields.drop(key, "syndicate publishes no such field for a post")
    for key, value in entry.items():
        if key not in _DERIVED and not key.startswith(("slash_", "wfw_", "rights")) \
                and value not in (None, "", [], {}):
            fields.drop(tag_name(key), "syndicate publishes no such field for a post")


def from_feed(data: bytes, name: str, root=None) -> list[Found]:
    # not feedparser's sanitiser: it drops embeds whole; the Markdown is sanitised on publish.
    # Nor its resolution of relative addresses: it knows only xml:base (see _read_items)
    import feedparser  # (on first use: a WordPress export or a podcast feed needs none of it)

    try:
        parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        # feedparser's own failures on broken XML (a name holding expat's namespace separator)
        raise SourceError(f"{name}: not a readable feed ({type(exc).__name__} in the feed "
                          "reader: the XML is broken)") from None
    exc = parsed.get("bozo_exception")
    if parsed.bozo and (not parsed.entries or isinstance(exc, xml.sax.SAXParseException)):
        line = getattr(exc, "getLineNumber", lambda: None)()
        where = f"{name}:{line}" if line else name
        raise SourceError(f"{where}: not a readable feed ({exc})")
    feed_url = name if is_url(name) else None
    if root is None:
        root = _lxml_root(data)
    items, site = read_items(root, feed_url)
    if len(items) != len(parsed.entries):  # the two readers disagree: feedparser alone
        items = []
    if not site and not items:  # (feedparser's link may be the feed's id: only http(s) counts)
        site = resolve(feed_url, parsed.feed.get("link"))
        site = site if is_absolute_base(site) else None
    atom = root is not None and isinstance(root.tag, str) and root.tag.endswith("}feed")
    out = []
    for n, entry in enumerate(parsed.entries):
        item = items[n] if items else None
        content = entry.get("content")
        # an Atom content given out of line (src=) holds no text: the summary, then the link
        out_of_line = _content_src(content)
        content = [c for c in content or [] if (c.get("value") or "").strip()] or None
        html = content[0].value if content else entry.get("summary", "")
        target, permalink = link_post(item, site)
        secret = credential_in(target) if target else None
        if secret:  # a link post's target is published: never one that carries a credential
            target = None
        # (feedparser's link may be the guid, made a link: only the XML's own link counts)
        old_link = item.link if item else (None if entry.get("guidislink")
                                           else entry.get("link") or None)
        if old_link and not is_absolute_base(old_link) and is_absolute_base(site):
            old_link = resolve(site, old_link)  # a relative link: against the feed's link
        if old_link and credential_in(old_link):
            old_link = None  # kept nowhere: a post's addresses are published
        base = (item.base if item else None) or permalink or old_link or site or feed_url
        if not is_absolute_base(base):  # a relative old link: against the feed's own
            base = resolve(site or feed_url, base) if base else None
        html, resolved = absolute_links(html, base) if html else (html, 0)
        body = to_markdown(html) if html else ""  # empty: reported as skipped, not lost
        doubt = None
        link_why = None
        if secret:
            link_why = (f"its target {redact(item.link)[:200]!r} carries {secret}, and a "
                        "post's link is published for anyone to read")
        elif target is None and item is not None and item.related and item.link \
                and host(item.related) != host(item.link):
            link_why = f"its target {item.link[:200]!r} is not an http(s) address we can publish"
        if not body.strip() and (target or old_link or "").startswith(("http://", "https://")) \
                and entry.get("title"):
            body = f"<{target or old_link}>\n"  # a link post: its title and where it pointed
            doubt = "no text in the feed, only a link: the post is that link"
        if out_of_line:
            body = (body.rstrip() + "\n\n" if body.strip() else "") + f"<{out_of_line}>\n"
            doubt = "; ".join(filter(None, [doubt, (
                f"the feed gives the full text only at {out_of_line}: the post is "
                f"{'the summary and ' if html else ''}that link; paste the text in if it "
                "should be here")]))
        media = _enclosures(entry, base)
        if media:
            body = (body.rstrip() + "\n\n" if body.strip() else "") + "".join(
                f"- [{kind or 'enclosure'}]({url})\n" for url, kind in media)
            listed = ", ".join(f"{kind or 'of unknown type'}: {url}" for url, kind in media)
            doubt = "; ".join(filter(None, [doubt, (
                f"its enclosure{'s' if len(media) > 1 else ''} ({listed}) not published as "
                "such: a post of the blog carries none; the post links to "
                f"{'them' if len(media) > 1 else 'it'} at the end")]))
        # (dict.get: feedparser's own get maps a missing updated to published, with a warning)
        stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        written = dict.get(entry, "published") or dict.get(entry, "updated")
        when = in_years(feed_date(written, stamp))
        date_field = item.date_field if item else "published"
        if not dict.get(entry, "published") and dict.get(entry, "updated") and item \
                and item.date_field in ("published", "pubDate"):
            date_field = "updated"
        updated = None
        if dict.get(entry, "published") and dict.get(entry, "updated") and when is not None:
            later = in_years(feed_date(dict.get(entry, "updated"),
                                       dict.get(entry, "updated_parsed")))
            updated = later if later is not None and later > when else None
        summary = None
        if content and entry.get("summary") and (item.has_summary if item else
                                                  entry.get("summary") != content[0].value):
            summary = " ".join(_plain_text(entry.get("summary")).split()) or None
            if summary == " ".join(_plain_text(content[0].value).split()):
                summary = None  # the content again: nothing of its own
        title = _title(entry, atom)
        fields = Fields()
        why = [f"{resolved} relative address{'es' if resolved != 1 else ''} resolved against "
               f"{base}"] if resolved else []
        _account(entry, fields, title=title, derived_title=not title, date_field=date_field,
                 updated_kept=updated is not None, content_why=why, link=target,
                 link_why=link_why, old_link=old_link if target is None else None,
                 summary=summary if summary else ("" if item and item.has_summary else None))
        found = Found(title or derive_title(body) or entry.get("id") or f"entry {n + 1}",
                         body, name, when, derived_title=not title, guid=entry.get("id") or None,
                         tags=[t.term for t in entry.get("tags", []) if t.get("term")],
                         order=(0, n), doubt=doubt,
                         date_text=(str(written) if written else
                                    item.date_written if item else None)
                         if when is None else None,
                         link=target, updated=updated, summary=summary,
                         date_field=date_field, line=item.line if item else None,
                         fields=fields, old_link=permalink or old_link)
        if _author(entry):
            found.extra["author"] = _author(entry)
        out.append(found)
    if not out:
        raise EmptyFeed(f"{name}: the feed has no entries; nothing to import")
    if not any(f.body.strip() for f in out):
        raise SourceError(f"{name}: none of the feed's {len(out)} entries has any text")
    return out


def _title(entry, atom: bool) -> str:
    """The entry's title as plain words: an Atom title of type html or xhtml says it is markup,
    so its tags go and its words stay (an RSS title is taken as written: its type is a guess)."""
    title = entry.get("title") or ""
    kind = (entry.get("title_detail") or {}).get("type")
    if kind == "application/xhtml+xml" or (atom and kind == "text/html"):
        title = _plain_text(title)
    return " ".join(title.split())


_EMAIL = re.compile(r"[^\s()<>]+@[^\s()<>]+")


def _author(entry) -> str | None:
    """The entry's author's name, never an email address (RSS writes ``email (Name)``, which
    feedparser splits wrongly at times: the name is read from the text as written), or None."""
    written = entry.get("author") or ""
    if not written:
        written = next((p.get("name") or "" for p in entry.get("authors") or []), "")
    name = " ".join(_EMAIL.sub(" ", written).replace("()", " ").split()).strip(" ()<>,")
    return name[:200] or None


def _content_src(content) -> str | None:
    """The http(s) address of an Atom content given out of line (``src=``) and empty."""
    for c in content or []:
        src = (c.get("src") or "").strip()
        if src.startswith(("http://", "https://")) and not (c.get("value") or "").strip():
            return src
    return None


def _enclosures(entry, base: str | None) -> list[tuple[str, str]]:
    """(address, type) of each http(s) enclosure of a blog entry (audio, video, a file), a
    relative one resolved against the entry's base like the addresses in its text."""
    out = []
    for enc in entry.get("enclosures", []):
        url = (enc.get("href") or "").strip()
        url = (resolve(base, url) or "") if url and is_absolute_base(base) else url
        if url.startswith(("http://", "https://")) and (url, enc.get("type")) not in out:
            out.append((url, (enc.get("type") or "").strip()[:60]))
    return out
def _plain_text(fragment: str) -> str:
    """The words of an HTML summary, as plain text."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    from lxml import html as lxml_html

    try:
        return lxml_html.fragment_fromstring(fragment, create_parent="div").text_content()
    except (ValueError, lxml_html.etree.ParserError):
        return ""


def _lxml_root(data: bytes):
    from lxml import etree

    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                      load_dtd=False, huge_tree=True))
    except (etree.XMLSyntaxError, ValueError):
        return None
