"""WordPress export files (WXR: Tools > Export), read into posts and podcast episodes.

A WXR file is an RSS 2.0 document carrying WordPress's own ``wp:`` namespace (export 1.0, 1.1
or 1.2). Each ``item`` is a post, a page, an attachment or something WordPress keeps for itself
(menus, revisions, blocks); every one of them is either imported or reported with the reason.

- Posts keep their guid (``?p=123``), date (``post_date_gmt``; a draft's ``post_date`` read in
  the zone the export's dated posts show), author's display name, categories and tags (as
  tags), slug (``post_name``) and manual excerpt or ``<!--more-->`` lead (as the summary).
- Drafts, pending and scheduled posts, and published pages, are written as drafts (never
  published). Private and password-protected items are not written at all, only reported:
  their text stays on the old site. Trash and auto-drafts are reported and left out.
- A post (or a page, as a draft) with a podcast plugin's audio (``wpepisodes``: PowerPress,
  Seriously Simple Podcasting) becomes an episode, with the plugin's duration, season, number
  and type, and keeps its guid.
- Bodies are made readable (``wpbody``): block-editor comments removed, classic-editor
  paragraphs restored, shortcodes and bare embed URLs turned into images and links; the images
  of the old site's uploads a post shows are downloaded beside it. Comments are counted and
  left behind.
"""

from __future__ import annotations

import datetime as dt
import html as htmlmod
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from ..markup import SLUG_RE, slugify
from . import Found, SourceError
from .fields import Fields
from .podcast import FeedEpisode, PodcastFeed
from .textexport import YEARS
from .wpbody import (
    _SIZED,
    Shortcodes,
    absolute,
    attachment_urls,
    label,
    link,
    plain,
    prepare,
    relink,
)
from .wpepisodes import audio_of, episode

_WP = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/?$")
_EXCERPT = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/?$")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
CREATOR = "{http://purl.org/dc/elements/1.1/}creator"

POST_TYPES = ("post", "podcast")  # podcast: the post type SSP and Podlove give episodes
SKIPPED_STATUS = {
    "trash": "in the trash on the old site",
    "auto-draft": "an empty auto-draft WordPress made",
    "inherit": "a revision kept by WordPress",
}
HIDDEN_STATUS = {
    "private": "private on the old site: not imported, so nothing private is published",
}


@dataclass
class WordPressExport:
    """What a WXR file holds: the posts, the podcast episodes, and what was left out."""

    title: str
    posts: list[Found] = field(default_factory=list)
    podcast: PodcastFeed | None = None
    skipped: list[dict] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)  # attachments brought along or left
    comments: int = 0  # comments left behind


def wp_namespace(root) -> str | None:
    """The export's ``wp:`` namespace, whatever its version, if ``root`` is a WordPress export:
    an RSS document whose channel has WordPress's own elements (``wp:wxr_version``, or items
    with a ``wp:post_type``), not one that only declares the namespace."""
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        return None
    uris = {uri for uri in root.nsmap.values() if uri and _WP.match(uri)}
    for child in channel:
        if isinstance(child.tag, str) and child.tag.startswith("{"):
            uri = child.tag[1:].split("}", 1)[0]
            if _WP.match(uri):
                uris.add(uri)
    for uri in sorted(uris, reverse=True):  # the newest version first
        if (channel.find(f"{{{uri}}}wxr_version") is not None
                or channel.find(f"item/{{{uri}}}post_type") is not None):
            return uri
    return None


def is_wxr(root, name: str = "") -> bool:
    """Whether ``root`` is a WordPress export. One whose WordPress elements stand in another
    namespace (a damaged or hand-edited export) is refused, not read as a blog feed: as a feed
    its private and draft posts would look published."""
    if wp_namespace(root) is not None:
        return True
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is not None:
        odd = channel.find("{*}wxr_version")
        odd = odd if odd is not None else channel.find("item/{*}post_type")
        if odd is not None and "}" in odd.tag:
            uri = odd.tag[1:].split("}", 1)[0]
            raise SourceError(f"{name}: a WordPress export whose 'wp' namespace is "
                              f"{uri[:100]!r}, not WordPress's (http://wordpress.org/export/"
                              "1.2/); export it again from the old site (Tools > Export)")
    return False


def _text(el) -> str:
    return (el.text or "") if el is not None else ""


@dataclass
class _Item:
    fields: dict[str, str]
    meta: list[tuple[str, str]]
    categories: list[tuple[str, str, str]]  # (domain, nicename, name)
    comments: int


def _read_item(item, wp: str) -> _Item:
    fields: dict[str, str] = {}
    meta: list[tuple[str, str]] = []
    cats: list[tuple[str, str, str]] = []
    comments = 0
    prefix = "{" + wp + "}"
    for ch in item:
        tag = ch.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            continue
        if tag.startswith(prefix):
            name = tag[len(prefix):]
            if name == "postmeta":
                meta.append((_text(ch.find(prefix + "meta_key")).strip(),
                             _text(ch.find(prefix + "meta_value"))))
            elif name == "comment":
                if _text(ch.find(prefix + "comment_approved")).strip() in ("1", ""):
                    comments += 1
            else:
                fields.setdefault(name, _text(ch))
        elif tag == "category":
            cats.append((ch.get("domain") or "", ch.get("nicename") or "", _text(ch)))
        elif tag == CONTENT:
            fields.setdefault("content", _text(ch))
        elif tag == CREATOR:
            fields.setdefault("creator", _text(ch).strip())
        elif tag.startswith("{") and _EXCERPT.match(tag[1:].split("}", 1)[0]):
            fields.setdefault("excerpt", _text(ch))
        elif not tag.startswith("{"):
            fields.setdefault(tag, _text(ch))
    return _Item(fields, meta, cats, comments)


# -- dates ----------------------------------------------------------------------------------

_SHOWN = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""")  # what a body shows
_WP_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*$")


@lru_cache(maxsize=4096)  # each item's dates are asked for twice
def _wall(value: str | None) -> dt.datetime | None:
    """A WordPress ``YYYY-MM-DD HH:MM:SS`` (no zone); None for ``0000-00-00`` or no date."""
    m = _WP_DATE.match(value or "")
    if not m:
        return None
    try:
        when = dt.datetime(*(int(g or 0) for g in m.groups()))
    except ValueError:  # month 13, 31 February
        return None
    return when if YEARS[0] <= when.year <= YEARS[1] else None


class _Zone:
    """The old site's UTC offset, learned from the items that give both their local and their
    UTC time: a draft's local time is read with the offset of the dated item nearest to it
    (so summer and winter time each come out right); with none to learn from, the local time
    is kept as it is and read in ``site.timezone``."""

    def __init__(self, pairs: list[tuple[dt.datetime, dt.timedelta]]):
        self.pairs = sorted(pairs)

    def at(self, local: dt.datetime) -> dt.datetime:
        if not self.pairs:
            return local
        from bisect import bisect_left

        i = bisect_left(self.pairs, (local, dt.timedelta.min))
        near = [p for p in self.pairs[max(i - 1, 0):i + 1]]
        _, offset = min(near, key=lambda p: abs(p[0] - local))
        try:
            return local.replace(tzinfo=dt.timezone(offset))
        except ValueError:  # not a whole offset a zone can have
            return local


def _offset(local: dt.datetime | None, utc: dt.datetime | None) -> dt.timedelta | None:
    if local is None or utc is None:
        return None
    off = local - utc
    minutes = round(off.total_seconds() / 60)
    if abs(minutes) >= 24 * 60 or minutes % 15:
        return None
    return dt.timedelta(minutes=minutes)


# -- the export -----------------------------------------------------------------------------


def parse_wxr(root, name: str) -> WordPressExport:
    """The posts, episodes and left-out items of a WordPress export (an ``lxml`` root)."""
    wp = wp_namespace(root)
    channel = root.find("channel")
    if wp is None or channel is None:
        raise SourceError(f"{name}: not a WordPress export (no channel in the wp namespace)")
    export = WordPressExport(title=" ".join(_text(channel.find("title")).split()))
    prefix = "{" + wp + "}"
    base = (_text(channel.find(prefix + "base_blog_url")).strip()
            or _text(channel.find("link")).strip())
    authors = {}
    for a in channel.iterfind(prefix + "author"):
        login = _text(a.find(prefix + "author_login")).strip()
        shown = " ".join(_text(a.find(prefix + "author_display_name")).split())
        if login:
            authors[login] = shown or login
    items = [_read_item(it, wp) for it in channel.iterfind("item")]
    if not items:
        raise SourceError(f"{name}: the WordPress export has no items; nothing to import "
                          "(export 'All content' in Tools > Export)")
    attachments: dict[str, dict] = {}
    children: dict[str, list[str]] = {}
    pairs = []
    for it in items:
        f = it.fields
        if f.get("post_type") == "attachment":
            url = (f.get("attachment_url") or f.get("guid") or "").strip()
            attachments[f.get("post_id", "").strip()] = {
                "url": urljoin(base, url) if url else "", "title": " ".join(
                    (f.get("title") or "").split()), "parent": f.get("post_parent", "").strip(),
                "link": (f.get("link") or "").strip()}
            children.setdefault(f.get("post_parent", "").strip(), []).append(
                f.get("post_id", "").strip())
        off = _offset(_wall(f.get("post_date")), _wall(f.get("post_date_gmt")))
        if off is not None:
            pairs.append((_wall(f.get("post_date")), off))
    zone = _Zone(pairs)
    used: set[str] = set()
    holders: dict[str, list[str]] = {}  # attachment id: the imported items it belongs to
    shown: dict[str, list[str]] = {}  # a file's address (any size): the items showing it
    episodes: list[FeedEpisode] = []
    for n, it in enumerate(items):
        f = it.fields
        kind = (f.get("post_type") or "post").strip()
        status = (f.get("status") or "").strip()
        title = _title(f.get("title") or "")
        guid = " ".join((f.get("guid") or "").split()) or None
        post_id = (f.get("post_id") or "").strip()
        entry = {"title": title or guid or f"item {n + 1}", "source": name, "guid": guid}
        if kind == "attachment":
            continue  # accounted for below, with the post that shows it
        export.comments += it.comments
        if kind not in (*POST_TYPES, "page"):
            export.skipped.append({**entry, "reason": f"a WordPress {kind!r} item, not a post "
                                   "or a page (menus, revisions, blocks and the like stay "
                                   "behind)"})
            continue
        if status in SKIPPED_STATUS:
            export.skipped.append({**entry, "reason": SKIPPED_STATUS[status]})
            continue
        if status in HIDDEN_STATUS:
            export.skipped.append({**entry, "reason": HIDDEN_STATUS[status]})
            continue
        if f.get("post_password"):  # blank space too: WordPress asks for any non-empty one
            export.skipped.append({**entry, "reason": "password-protected on the old site: "
                                   "not imported, so nothing private is published"})
            continue
        draft_reason = {
            "draft": None,  # a draft stays a draft, as it was
            "pending": "pending review on the old site: imported as a draft",
            "future": "scheduled on the old site, not yet published: imported as a draft",
        }
        if status not in ("publish", *draft_reason):
            export.skipped.append({**entry, "reason": f"its status {status[:40]!r} is not one "
                                   "WordPress publishes; not imported" if status else
                                   "no wp:status in the export, so whether it was published "
                                   "or private cannot be told; not imported"})
            continue
        draft = status != "publish"
        doubt = draft_reason.get(status)
        if kind == "page":
            draft = True
            doubt = ("a WordPress page, not a post: imported as a draft post (syndicate "
                     "publishes no standalone pages); publish it by removing 'draft: true'")
        when = _wall(f.get("post_date_gmt"))
        when = when.replace(tzinfo=dt.UTC) if when is not None else None
        if when is None:
            local = _wall(f.get("post_date")) or _wall(f.get("post_modified"))
            when = zone.at(local) if local is not None else None
        sc = Shortcodes(attachments, children, post_id)
        html, lead = prepare(f.get("content") or "", sc)
        html = relink(absolute(html, base), attachments, base)
        for att_id in children.get(post_id, []):
            used.add(att_id)
            holders.setdefault(att_id, []).append(guid or title or f"item {n + 1}")
        author = authors.get(f.get("creator") or "", f.get("creator") or "")
        tags = []
        for domain, nicename, term in it.categories:
            term = " ".join(htmlmod.unescape(term).split())
            # (exports of WordPress 2.x: domain "tag", and each category once more bare)
            if domain in ("category", "post_tag", "tag", "") and term and term not in tags and not (
                    domain == "category" and nicename == "uncategorized"):
                tags.append(term)
        excerpt = plain(f.get("excerpt") or "")
        audio = audio_of(it.meta)
        if audio is not None and kind == "page":  # a page a podcast plugin gave audio
            doubt = ("a WordPress page carrying podcast audio: imported as a draft episode "
                     "(syndicate publishes no standalone pages); publish it by removing "
                     "'draft: true' if it is one")
        if audio is not None:
            for other in audio.others:  # one audio file an episode: the rest linked
                if urlsplit(urljoin(base, other)).scheme in ("http", "https"):
                    html += "\n" + link(urljoin(base, other), label(other, "Audio"))
            unread = "; ".join(d["why"] for d in audio.dropped)
            ep, why = episode(audio, title, guid, when, html, base, draft)
            if ep is not None:
                episodes.append(ep)
                if unread:
                    ep.reviews.append(unread)
                if ep.date.tzinfo is None:  # no item of the export tells the site's zone
                    ep.date = ep.date.replace(tzinfo=dt.UTC)
                    doubt = doubt or ("its time is the old site's local time (the export "
                                      "gives no UTC time to learn the zone from), read as UTC")
                if doubt:
                    ep.reviews.append(doubt)
                continue
            if when is None:
                export.skipped.append({**entry, "reason": why})
                continue
            # not audio syndicate can publish (a video): the post, linking to the file
            doubt = "; ".join(filter(None, (f"{why}; imported as a post that links to it",
                                            unread)))
            if urlsplit(audio.url).scheme in ("http", "https"):
                html += "\n" + link(audio.url, label(audio.url, "Media"))
        if kind == "podcast":
            doubt = doubt or ("an episode with no audio in the export (Podlove keeps its "
                              "media in its own tables): imported as a post; import the "
                              "show's podcast feed for the audio")
        from .html import to_markdown

        body = to_markdown(html) if html.strip() else ""
        extra: dict = {}
        if draft:
            extra["draft"] = True
        if excerpt or lead:
            extra["summary"] = excerpt or lead
        if author:
            extra["author"] = author
        files = attachment_urls(html, attachments, base)
        found = Found(title or "", body, name, when, derived_title=not title, guid=guid,
                      tags=tags, order=(0, n), doubt=doubt,
                      date_text=(f.get("post_date_gmt") or f.get("post_date"))
                      if when is None and (f.get("post_date") or "").strip() else None)
        if not title:
            from .textexport import derive_title

            found.title = derive_title(body) or guid or f"item {n + 1}"
        found.fields = _post_fields(found, bool(title), f, author, excerpt or lead, audio)
        found.slug = _slug(f.get("post_name"))
        found.old_link = _old_link(f.get("link"), post_id, base)
        found.extra = extra
        found.attachments = files
        for url in _SHOWN.findall(html) if "src" in html or "href" in html else ():
            shown.setdefault(_SIZED.sub("", urljoin(base, htmlmod.unescape(url).strip())),
                             []).append(guid or found.title)
        export.posts.append(found)
    for att_id, att in attachments.items():  # each accounted for once
        entry = {"title": att["title"] or att["url"] or f"attachment {att_id}",
                 "source": name, "guid": att["url"]}
        showing = shown.get(_SIZED.sub("", att["url"]), []) if att["url"] else []
        by = list(dict.fromkeys([*showing, *holders.get(att_id, [])]))
        if by:
            export.media.append({**entry, "shown_by": by, "reason": (
                "a media-library file of the imported items that show or hold it: its images "
                "come along with a post (downloaded beside it, or kept at their address with "
                "--audio keep-url); other files stay on the old site, linked")})
        elif att["parent"] in ("", "0"):
            export.media.append({**entry, "shown_by": [], "reason": (
                "in the media library only, shown by no imported item: not imported; it stays "
                "on the old site")})
        else:
            export.skipped.append({**entry, "reason": "an attachment of an item that was "
                                   "not imported"})
    if episodes:
        export.podcast = PodcastFeed(title=export.title, guid=None, locked=False,
                                     owner_email=None, episodes=episodes,
                                     kind="WordPress export")
    if not export.posts and not episodes and not export.skipped:
        raise SourceError(f"{name}: the WordPress export has no posts, pages or episodes")
    return export


def _old_link(link: str | None, post_id: str, base: str) -> str | None:
    """The item's own address on the old site, part of its identity (two items the export
    gave one guid are still two): its permalink, else its post id's ``?p=`` address; never
    one holding a credential."""
    from ..urls import credential_in

    link = (link or "").strip()
    address = urljoin(base, link) if link else (urljoin(base, f"?p={post_id}") if post_id
                                                else None)
    return None if address is None or credential_in(address) else address


def _post_fields(found: Found, titled: bool, f: dict, author: str, summary: str,
                 audio) -> Fields:
    """What became of the export's fields of an item written as a post, for the report."""
    fields = Fields()
    if titled:
        fields.keep("title")
    else:
        fields.change("title", "no title in the export: made from the opening sentence")
    if found.date is not None:
        fields.keep("post_date_gmt" if (f.get("post_date_gmt") or "").strip(" 0-:")
                    else "post_date")
    for name, there in (("guid", found.guid), ("content", found.body.strip()),
                        ("author", author), ("tags", found.tags), ("summary", summary),
                        ("post_name", (f.get("post_name") or "").strip())):
        if there:
            fields.keep(name)
    if audio is not None:
        fields.change("enclosure", "not audio an episode can carry: the post links to it")
        for d in audio.dropped:
            fields.drop(d["field"], d["why"])
    return fields


def _slug(post_name: str | None) -> str | None:
    name = unquote((post_name or "").strip())
    if not name:
        return None
    if SLUG_RE.match(name):
        return name[:80].rstrip("-")
    slug = slugify(name)
    return None if slug == "item" else slug


def _title(raw: str) -> str:
    """A WordPress title is HTML (themes print it as it is): its entities decoded, its tags
    (an <em>) left out, its white space made single."""
    text = re.sub(r"</?[A-Za-z][^<>]*>", "", raw)
    return " ".join(htmlmod.unescape(text).split())


def add_export(settings, export: WordPressExport, source: str, report, *, dry_run: bool,
               keep_url: bool, now=None) -> list[Found]:
    """Report what the export leaves out, import its episodes; the posts it holds, to be
    written with those of the other sources."""
    report.skipped += export.skipped
    report.media += export.media
    if export.comments:
        report.left_behind.append({
            "source": source, "what": "comments", "count": export.comments,
            "reason": "syndicate publishes no comments; they stay in the old site's database"})
    if export.podcast is not None:
        from .episodes import import_podcast

        import_podcast(settings, export.podcast, source, report, dry_run=dry_run,
                       keep_url=keep_url, now=now)
    return export.posts


_XML_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def read_broken(data: bytes, name: str, error: Exception):
    """A WordPress export lxml refused: read again without the control characters old
    WordPress versions let into exports (they carry nothing); any other fault is named with
    its line. Raises SourceError."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True)
    cleaned = _XML_FORBIDDEN.sub(b"", data)
    if cleaned != data:
        try:
            return etree.fromstring(cleaned, parser)
        except (etree.XMLSyntaxError, ValueError) as exc:
            error = exc
    line = getattr(error, "lineno", None)
    where = f"{name}:{line}" if line else name
    why = getattr(error, "msg", None) or str(error)
    raise SourceError(f"{where}: the WordPress export is not well-formed XML ({why[:200]}); "
                      "export it again from the old site (Tools > Export), or correct that "
                      "line")
