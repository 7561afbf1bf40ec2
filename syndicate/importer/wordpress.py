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
- A post with a podcast plugin's audio (PowerPress ``enclosure``, Seriously Simple
  Podcasting's ``audio_file``) becomes an episode, with the plugin's duration, season, number
  and type, and keeps its guid.
- Bodies are made readable Markdown: block-editor comments removed, classic-editor paragraphs
  (blank lines) restored, shortcodes ([caption], [gallery], [audio], [video], [embed]) and bare
  embed URLs turned into images and links. Comments are counted and left behind.
"""

from __future__ import annotations

import datetime as dt
import html as htmlmod
import os
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from ..markup import SLUG_RE, slugify
from ..mediatypes import AUDIO_EXTENSION_OF
from . import Found, SourceError
from .podcast import MAX_LENGTH, FeedEpisode, PodcastFeed
from .textexport import YEARS

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
    flagged: dict[str, list[str]] = field(default_factory=dict)  # guid: reasons (episodes)
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

_WP_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*$")


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


# -- bodies ---------------------------------------------------------------------------------

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^>]*?-->\s*", re.S)
_MORE = re.compile(r"<!--more(?:\s[^>]*)?-->", re.I)
_NEXTPAGE = re.compile(r"<!--nextpage-->", re.I)
_BLOCK_TAGS = ("p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
               "pre", "table", "thead", "tbody", "tr", "td", "th", "figure", "figcaption",
               "hr", "dl", "dt", "dd", "section", "article", "aside", "header", "footer",
               "iframe", "form", "address", "details", "summary", "style", "script", "img",
               "video", "audio", "object", "embed")
_STARTS_BLOCK = re.compile(r"\s*<(?:" + "|".join(_BLOCK_TAGS) + r")\b", re.I)
_PRE = re.compile(r"<pre\b.*?</pre>", re.I | re.S)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'\]]+))""")
_EMBED_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "twitter.com", "x.com",
                "soundcloud.com", "spotify.com", "flickr.com", "instagram.com", "tiktok.com",
                "wordpress.tv", "dailymotion.com", "slideshare.net", "ted.com", "mixcloud.com",
                "reddit.com", "tumblr.com", "imgur.com", "bsky.app", "mastodon.social")
_PLAYER = re.compile(r"\[(?:powerpress|ss_player|podcast_episode|podlove-(?:episode-)?"
                     r"web-player)\b[^\]]*\](?:\s*\[/(?:powerpress|ss_player)\])?", re.I)
_BARE_URL = re.compile(r"^[ \t]*(https?://[^\s<>\"']+)[ \t]*$", re.M)


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): htmlmod.unescape(next(g for g in m.groups()[1:] if g is not None))
            for m in _ATTR.finditer(text)}


def autop(text: str) -> str:
    """Paragraphs as WordPress shows a classic-editor body: blank lines part paragraphs, a
    single line break is a ``<br>``; block elements and ``<pre>`` stay as they are."""
    kept: list[str] = []

    def hold(m: re.Match) -> str:
        kept.append(m.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = _PRE.sub(hold, text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _STARTS_BLOCK.match(chunk) or re.fullmatch(r"\x00\d+\x00", chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br />\n") + "</p>")
    joined = "\n\n".join(out)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], joined)


def _link(url: str, label: str) -> str:
    return f'<p><a href="{htmlmod.escape(url)}">{htmlmod.escape(label)}</a></p>'


def _label(url: str, what: str) -> str:
    name = unquote(os.path.basename(urlsplit(url).path)) or urlsplit(url).netloc
    return f"{what}: {name}"


class _Shortcodes:
    """The shortcodes a WordPress body can hold, made into HTML a reader can follow."""

    def __init__(self, attachments: dict[str, dict], children: dict[str, list[str]],
                 post_id: str):
        self.attachments = attachments
        self.children = children
        self.post_id = post_id

    def run(self, body: str) -> str:
        body = _PLAYER.sub("", body)  # the episode's own player: its page has one
        body = re.sub(r"\[caption\b([^\]]*)\](.*?)\[/caption\]", self.caption, body,
                      flags=re.S | re.I)
        body = re.sub(r"\[gallery\b([^\]]*)\]", self.gallery, body, flags=re.I)
        body = re.sub(r"\[(audio|video)\b([^\]]*)\](?:(.*?)\[/\1\])?", self.media, body,
                      flags=re.S | re.I)
        body = re.sub(r"\[embed\b[^\]]*\]\s*(.*?)\s*\[/embed\]", self.embed, body,
                      flags=re.S | re.I)
        body = re.sub(r"\[playlist\b([^\]]*)\]", self.playlist, body, flags=re.I)
        return _BARE_URL.sub(self.bare, body)

    def caption(self, m: re.Match) -> str:
        inner = m.group(2)
        words = re.sub(r"<a\b[^>]*>\s*(<img\b[^>]*>)\s*</a>", r"\1", inner, flags=re.I)
        image = re.search(r"<img\b[^>]*>", words, re.I)
        text = _attrs(m.group(1)).get("caption") or re.sub(r"<img\b[^>]*>", "", words,
                                                             flags=re.I).strip()
        shown = image.group(0) if image else ""
        return f"<figure>{shown}<figcaption>{text}</figcaption></figure>" if text else shown

    def _images(self, ids: list[str]) -> str:
        out = []
        for i in ids:
            att = self.attachments.get(i.strip())
            if att and att["url"]:
                alt = htmlmod.escape(att["title"] or "", quote=True)
                out.append(f'<p><img src="{htmlmod.escape(att["url"])}" alt="{alt}" /></p>')
        return "\n".join(out)

    def gallery(self, m: re.Match) -> str:
        a = _attrs(m.group(1))
        ids = [i for i in (a.get("ids") or a.get("include") or "").split(",") if i.strip()]
        if not ids:
            ids = list(self.children.get(a.get("id") or self.post_id, []))
        return self._images(ids) or ""

    def media(self, m: re.Match) -> str:
        kind = m.group(1).lower()
        a = _attrs(m.group(2))
        url = (a.get("src") or next((a[k] for k in ("mp3", "m4a", "ogg", "wav", "mp4", "m4v",
                                                    "webm", "mov", "flv", "ogv") if a.get(k)),
                                    "") or (m.group(3) or "").strip())
        if not url.startswith(("http://", "https://", "/")):
            return ""
        return _link(url, _label(url, "Audio" if kind == "audio" else "Video"))

    def playlist(self, m: re.Match) -> str:
        ids = [i for i in (_attrs(m.group(1)).get("ids") or "").split(",") if i.strip()]
        links = [_link(att["url"], _label(att["url"], att["title"] or "Audio"))
                 for i in ids if (att := self.attachments.get(i.strip())) and att["url"]]
        return "\n".join(links)

    def embed(self, m: re.Match) -> str:
        url = htmlmod.unescape(m.group(1).strip())
        return _link(url, f"Embedded: {urlsplit(url).netloc or url}") if url else ""

    def bare(self, m: re.Match) -> str:
        url = m.group(1)
        host = urlsplit(url).netloc.lower().split(":")[0]
        if any(host == h or host.endswith("." + h) for h in _EMBED_HOSTS):
            return _link(url, f"Embedded: {host}")
        return _link(url, url)


def _plain(fragment: str) -> str:
    from lxml import html as lxml_html

    if not fragment.strip():
        return ""
    try:
        text = lxml_html.fragment_fromstring(fragment, create_parent="div").text_content()
    except (ValueError, lxml_html.etree.ParserError):
        text = re.sub(r"<[^>]*>", " ", fragment)
    return " ".join(text.split())


def prepare(body: str, shortcodes: _Shortcodes) -> tuple[str, str]:
    """(the body as HTML to convert, the lead before ``<!--more-->`` as plain text or '')."""
    blocks = "<!-- wp:" in body
    body = _BLOCK_COMMENT.sub("", body)
    body = _NEXTPAGE.sub("\n\n", body)
    lead = ""
    more = _MORE.search(body)
    if more:
        lead = body[:more.start()]
        body = body[:more.start()] + "\n\n" + body[more.end():]
    body = shortcodes.run(body)
    if not blocks:
        body = autop(body)
    if lead:
        lead = _plain(autop(shortcodes.run(lead)) if not blocks else shortcodes.run(lead))
    return body, lead


# -- podcast plugins ------------------------------------------------------------------------

_PHP_PAIR = re.compile(r's:\d+:"([\w-]+)";(?:s:\d+:"([^"]*)"|i:(-?\d+)|b:([01]))')
_NUMBER_KEYS = ("episode_no", "episode_number", "itunes_episode_number", "itunes_episode")
_SEASON_KEYS = ("season", "season_number", "itunes_season_number", "itunes_season")
_TYPE_KEYS = ("itunes_episode_type", "episode_type", "itunes_type")


def _php_extras(text: str) -> dict[str, str]:
    """The string and number values of PowerPress's serialized PHP array (duration, season,
    episode_no...), read by pattern: a damaged one gives what can be read, never an error."""
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
            for m in _PHP_PAIR.finditer(text)}


@dataclass
class _Audio:
    url: str
    length: int | None
    type: str
    fields: dict[str, str]


def _audio_of(meta: list[tuple[str, str]]) -> _Audio | None:
    """The episode's audio and fields from a podcast plugin's custom fields, or None."""
    values = {k.lower(): v for k, v in reversed(meta)}  # the first of a key wins
    for key, value in meta:  # PowerPress: 'enclosure' (or '_<feed>:enclosure')
        if key.lower() == "enclosure" or key.lower().endswith(":enclosure"):
            lines = value.replace("\r\n", "\n").split("\n")
            url = lines[0].strip()
            if not url:
                continue
            length = lines[1].strip() if len(lines) > 1 else ""
            kind = lines[2].strip() if len(lines) > 2 else ""
            extras = _php_extras("\n".join(lines[3:]))
            return _Audio(url, _int(length, MAX_LENGTH), kind, {**values, **extras})
    url = (values.get("audio_file") or values.get("episode_mp3_url") or "").strip()
    if url:  # Seriously Simple Podcasting and its kin
        return _Audio(url, _int(values.get("filesize_raw"), MAX_LENGTH), "", values)
    return None


def _int(value: str | None, limit: int = 10**6) -> int | None:
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 15:
        return None
    n = int(value)
    return n if 0 < n <= limit else None


def _duration(value: str | None) -> float | None:
    from ..model import parse_timestamp

    try:
        return parse_timestamp(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


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
        if (f.get("post_password") or "").strip():
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
        sc = _Shortcodes(attachments, children, post_id)
        html, lead = prepare(f.get("content") or "", sc)
        html = _relink(_absolute(html, base), attachments, base)
        for att_id in children.get(post_id, []):
            used.add(att_id)
        author = authors.get(f.get("creator") or "", f.get("creator") or "")
        tags = []
        for domain, nicename, label in it.categories:
            label = " ".join(htmlmod.unescape(label).split())
            if domain in ("category", "post_tag") and label and label not in tags and not (
                    domain == "category" and nicename == "uncategorized"):
                tags.append(label)
        excerpt = _plain(f.get("excerpt") or "")
        audio = _audio_of(it.meta)
        if audio is not None and kind != "page":
            ep, why = _episode(audio, title, guid, when, html, base, draft)
            if ep is not None:
                episodes.append(ep)
                if ep.date.tzinfo is None:  # no item of the export tells the site's zone
                    ep.date = ep.date.replace(tzinfo=dt.UTC)
                    doubt = doubt or ("its time is the old site's local time (the export "
                                      "gives no UTC time to learn the zone from), read as UTC")
                if doubt:
                    export.flagged.setdefault(ep.guid, []).append(doubt)
                continue
            if when is None:
                export.skipped.append({**entry, "reason": why})
                continue
            # not audio syndicate can publish (a video): the post, linking to the file
            doubt = f"{why}; imported as a post that links to it"
            if urlsplit(audio.url).scheme in ("http", "https"):
                html += "\n" + _link(audio.url, _label(audio.url, "Media"))
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
        files = _attachment_urls(html, attachments, base)
        found = Found(title or "", body, name, when, derived_title=not title, guid=guid,
                      tags=tags, order=(0, n), doubt=doubt,
                      date_text=(f.get("post_date_gmt") or f.get("post_date"))
                      if when is None and (f.get("post_date") or "").strip() else None)
        if not title:
            from .textexport import derive_title

            found.title = derive_title(body) or guid or f"item {n + 1}"
        found.slug = _slug(f.get("post_name"))
        found.extra = extra
        found.attachments = files
        export.posts.append(found)
    for att_id, att in attachments.items():
        if att_id not in used and att["parent"] in ("", "0"):
            continue  # in the media library only: shown by no post
        if att_id not in used:
            export.skipped.append({"title": att["title"] or att["url"], "source": name,
                                   "guid": att["url"], "reason": "an attachment of an item "
                                   "that was not imported"})
    if episodes:
        export.podcast = PodcastFeed(title=export.title, guid=None, locked=False,
                                     owner_email=None, episodes=episodes)
    if not export.posts and not episodes and not export.skipped:
        raise SourceError(f"{name}: the WordPress export has no posts, pages or episodes")
    return export


def _slug(post_name: str | None) -> str | None:
    name = unquote((post_name or "").strip())
    if not name:
        return None
    if SLUG_RE.match(name):
        return name[:80].rstrip("-")
    slug = slugify(name)
    return None if slug == "item" else slug


def _relink(html: str, attachments: dict[str, dict], base: str) -> str:
    """Links to an attachment's own page on the old site (``?attachment_id=12``, or the page
    WordPress made for it) pointed at the file itself: that page does not move with the post."""
    pages = {}
    for att_id, a in attachments.items():
        if a["url"]:
            pages[urljoin(base, f"?attachment_id={att_id}")] = a["url"]
            if a["link"]:
                pages[urljoin(base, a["link"])] = a["url"]
    if not pages:
        return html

    def swap(m: re.Match) -> str:
        target = pages.get(urljoin(base, htmlmod.unescape(m.group(2)).strip()))
        return m.group(0) if target is None else f'{m.group(1)}"{htmlmod.escape(target)}"'

    return re.sub(r"""(<a\b[^>]*?\bhref\s*=\s*)["']([^"']+)["']""", swap, html, flags=re.I)


_SIZED = re.compile(r"-\d+x\d+(?=\.\w+$)")


def _attachment_urls(html: str, attachments: dict[str, dict], base: str) -> list[str]:
    """The images of the old site's media library a body shows (any of their sizes, and any
    file under its uploads folder: a large export comes in several files, an attachment's item
    perhaps in another): the files to download with the post."""
    library = {_SIZED.sub("", a["url"]) for a in attachments.values() if a["url"]}
    host = urlsplit(base).netloc.lower()
    found = []
    for m in re.finditer(r"""<(?:img|a)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", html,
                         re.I):
        url = urljoin(base, htmlmod.unescape(m.group(1)).strip())
        parts = urlsplit(url)
        uploaded = (parts.netloc.lower() == host and "/wp-content/uploads/" in parts.path
                    and os.path.splitext(parts.path)[1].lower() in _IMAGE_SUFFIXES)
        if (uploaded or _SIZED.sub("", url) in library) and url not in found:
            found.append(url)
    return found


_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
_LINKED = re.compile(r"""(<(?:a|img|source|audio|video|iframe)\b[^>]*?\b(?:src|href)\s*=\s*)"""
                     r"""(["'])([^"']*)\2""", re.I)


def _absolute(html: str, base: str) -> str:
    """Addresses relative to the old site (``/about``, ``img.png``) made absolute: on the new
    site they would lead nowhere."""
    if not base.startswith(("http://", "https://")):
        return html

    def fix(m: re.Match) -> str:
        url = htmlmod.unescape(m.group(3)).strip()
        if not url or url.startswith("#") or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", url):
            return m.group(0)
        return f'{m.group(1)}"{htmlmod.escape(urljoin(base, url))}"'

    return _LINKED.sub(fix, html)


def _title(raw: str) -> str:
    """A WordPress title is HTML (themes print it as it is): its entities decoded, its tags
    (an <em>) left out, its white space made single."""
    text = re.sub(r"</?[A-Za-z][^<>]*>", "", raw)
    return " ".join(htmlmod.unescape(text).split())


def _episode(audio: _Audio, title: str, guid: str | None, when, notes_html: str, base: str,
             draft: bool) -> tuple[FeedEpisode | None, str]:
    """(the episode, '') or (None, why it cannot be one)."""
    if when is None:
        return None, "no date in the export (post_date_gmt and post_date empty or 0000-00-00)"
    url = urljoin(base, audio.url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None, f"its podcast file {url[:200]!r} is not an http(s) address"
    kind = audio.type.split(";")[0].strip().lower()
    ext = AUDIO_EXTENSION_OF.get(kind) or os.path.splitext(parts.path)[1].lower()
    if ext not in (".mp3", ".m4a"):
        shown = kind or "of unknown type"
        return None, (f"its podcast file is {shown} ({url[:200]}); syndicate publishes MP3 "
                      "and M4A audio only")
    v = audio.fields
    ep_type = next((v[k].strip().lower() for k in _TYPE_KEYS
                    if (v.get(k) or "").strip().lower() in ("full", "trailer", "bonus")), "full")
    explicit = (v.get("explicit") or v.get("itunes_explicit") or "").strip().lower()
    ep = FeedEpisode(
        title=title or guid or url, guid=guid or url, date=when,
        draft=draft,
        notes_html=notes_html, audio_url=url, audio_length=audio.length, audio_ext=ext,
        season=next((n for k in _SEASON_KEYS if (n := _int(v.get(k)))), None),
        number=next((n for k in _NUMBER_KEYS if (n := _int(v.get(k)))), None),
        type=ep_type,
        explicit=True if explicit in ("yes", "true", "on", "1", "explicit") else
        False if explicit in ("no", "false", "clean", "off", "2") else None,
        duration=_duration(v.get("duration") or v.get("itunes_duration")))
    return ep, ""


def fetch_attachments(found: Found, stem: str, folder, parts, http) -> tuple[str, list[str]]:
    """Download the images ``found`` shows into ``folder/stem/`` and point its body at them
    (relative to the post's file). (the body, what could not be fetched): an image that fails
    stays at its old address, named for review; the post is still written."""
    from .podcast import download

    body, failed, names = found.body, [], set()
    for url in found.attachments:
        name = _file_name(url, names)
        try:
            download(url, folder / stem / name, parts, expected=None, http=http)
        except SourceError as exc:
            failed.append(f"an image could not be downloaded ({exc}); it still points at the "
                          "old site")
            continue
        body = body.replace(url, f"{stem}/{name}")
    return body, failed


def _file_name(url: str, taken: set[str]) -> str:
    base = unquote(os.path.basename(urlsplit(url).path)) or "image"
    stem, ext = os.path.splitext(base)
    stem = slugify(stem)
    ext = ext.lower() if re.fullmatch(r"\.[a-z0-9]{1,5}", ext.lower()) else ""
    name, n = f"{stem}{ext}", 2
    while name in taken:
        name, n = f"{stem}-{n}{ext}", n + 1
    taken.add(name)
    return name


def add_export(settings, export: WordPressExport, source: str, report, *, dry_run: bool,
               keep_url: bool) -> list[Found]:
    """Report what the export leaves out, import its episodes; the posts it holds, to be
    written with those of the other sources."""
    report.skipped += export.skipped
    if export.comments:
        report.left_behind.append({
            "source": source, "what": "comments", "count": export.comments,
            "reason": "syndicate publishes no comments; they stay in the old site's database"})
    if export.podcast is not None:
        from .episodes import import_podcast

        before = len(report.created)
        import_podcast(settings, export.podcast, source, report, dry_run=dry_run,
                       keep_url=keep_url)
        for entry in report.created[before:]:
            for reason in export.flagged.get(entry.get("guid"), []):
                report.flagged.append({**entry, "reason": reason})
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
