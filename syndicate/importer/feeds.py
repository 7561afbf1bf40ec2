"""RSS 2.0 and Atom feeds of the old blog: every entry a post, keeping its guid and date."""

from __future__ import annotations

import xml.sax

import feedparser

from ..when import feed_date
from . import Found, SourceError
from .html import to_markdown
from .sources import in_years
from .textexport import derive_title


def from_feed(data: bytes, name: str) -> list[Found]:
    # not feedparser's sanitiser: it drops embeds whole; the Markdown is sanitised on publish
    try:
        parsed = feedparser.parse(data, sanitize_html=False)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        # feedparser's own failures on broken XML (a name holding expat's namespace separator)
        raise SourceError(f"{name}: not a readable feed ({type(exc).__name__} in the feed "
                          "reader: the XML is broken)") from None
    exc = parsed.get("bozo_exception")
    if parsed.bozo and (not parsed.entries or isinstance(exc, xml.sax.SAXParseException)):
        line = getattr(exc, "getLineNumber", lambda: None)()
        where = f"{name}:{line}" if line else name
        raise SourceError(f"{where}: not a readable feed ({exc})")
    out = []
    for n, entry in enumerate(parsed.entries):
        content = entry.get("content")
        html = content[0].value if content else entry.get("summary", "")
        body = to_markdown(html) if html else ""  # empty: reported as skipped, not lost
        doubt = None
        link = entry.get("link") or ""
        if not body.strip() and link.startswith(("http://", "https://")) and entry.get("title"):
            body = f"<{link}>\n"  # a link post: its title and where it pointed
            doubt = "no text in the feed, only a link: the post is that link"
        media = _enclosures(entry)
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
        title = " ".join((entry.get("title") or "").split())
        out.append(Found(title or derive_title(body) or entry.get("id") or f"entry {n + 1}",
                         body, name, when, derived_title=not title, guid=entry.get("id") or None,
                         tags=[t.term for t in entry.get("tags", []) if t.get("term")],
                         order=(0, n), doubt=doubt,
                         date_text=str(written) if written and when is None else None))
    if not out:
        raise SourceError(f"{name}: the feed has no entries; nothing to import")
    if not any(f.body.strip() for f in out):
        raise SourceError(f"{name}: none of the feed's {len(out)} entries has any text")
    return out


def _enclosures(entry) -> list[tuple[str, str]]:
    """(address, type) of each http(s) enclosure of a blog entry (audio, video, a file)."""
    out = []
    for enc in entry.get("enclosures", []):
        url = (enc.get("href") or "").strip()
        if url.startswith(("http://", "https://")) and (url, enc.get("type")) not in out:
            out.append((url, (enc.get("type") or "").strip()[:60]))
    return out
