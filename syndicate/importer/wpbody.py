"""The body of a WordPress post made readable Markdown's HTML: block-editor comments removed,
classic-editor paragraphs restored (WordPress stores them without ``<p>``), shortcodes and bare
embed addresses turned into images and links, the ``<!--more-->`` lead found, links made
absolute, and the old site's uploads a post shows found (and downloaded beside the post)."""

from __future__ import annotations

import html as htmlmod
import os
import re
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from ..markup import slugify
from ..mediatypes import IMAGE_SUFFIXES
from . import SourceError

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^<>]*?-->\s*", re.S)
_MORE = re.compile(r"<!--more(?:\s[^<>]*)?-->", re.I)
_NEXTPAGE = re.compile(r"<!--nextpage-->", re.I)
_BLOCK_TAGS = ("p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
               "pre", "table", "thead", "tbody", "tr", "td", "th", "figure", "figcaption",
               "hr", "dl", "dt", "dd", "section", "article", "aside", "header", "footer",
               "iframe", "form", "address", "details", "summary", "style", "script", "img",
               "video", "audio", "object", "embed")
_STARTS_BLOCK = re.compile(r"\s*<(?:" + "|".join(_BLOCK_TAGS) + r")\b", re.I)
# (no pattern crosses the start of another of its kind, nor an attribute list a bracket: a
# body of thousands of unclosed shortcodes or tags is read in linear time)
_PRE = re.compile(r"<pre\b(?:(?!<pre\b).)*?</pre>", re.I | re.S)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'\]]+))""")
_EMBED_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "twitter.com", "x.com",
                "soundcloud.com", "spotify.com", "flickr.com", "instagram.com", "tiktok.com",
                "wordpress.tv", "dailymotion.com", "slideshare.net", "ted.com", "mixcloud.com",
                "reddit.com", "tumblr.com", "imgur.com", "bsky.app", "mastodon.social")
_PLAYER = re.compile(r"\[(?:powerpress|ss_player|podcast_episode|podlove-(?:episode-)?"
                     r"web-player)\b[^\[\]]*\](?:\s*\[/(?:powerpress|ss_player)\])?", re.I)
_CAPTION = re.compile(r"\[caption\b([^\[\]]*)\]((?:(?!\[/?caption\b).)*?)\[/caption\]",
                      re.S | re.I)
_GALLERY = re.compile(r"\[gallery\b([^\[\]]*)\]", re.I)
_MEDIA = re.compile(r"\[(audio|video)\b([^\[\]]*)\]"
                    r"(?:((?:(?!\[/?(?:audio|video)\b).)*?)\[/\1\])?", re.S | re.I)
_EMBED = re.compile(r"\[embed\b[^\[\]]*\]((?:(?!\[/?embed\b).)*?)\[/embed\]", re.S | re.I)
_PLAYLIST = re.compile(r"\[playlist\b([^\[\]]*)\]", re.I)
_LINKED_IMAGE = re.compile(r"<a\b[^<>]*>\s*(<img\b[^<>]*>)\s*</a>", re.I)
_IMG = re.compile(r"<img\b[^<>]*>", re.I)
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


def link(url: str, label: str) -> str:
    return f'<p><a href="{htmlmod.escape(url)}">{htmlmod.escape(label)}</a></p>'


def label(url: str, what: str) -> str:
    name = unquote(os.path.basename(urlsplit(url).path)) or urlsplit(url).netloc
    return f"{what}: {name}"


class Shortcodes:
    """The shortcodes a WordPress body can hold, made into HTML a reader can follow."""

    def __init__(self, attachments: dict[str, dict], children: dict[str, list[str]],
                 post_id: str):
        self.attachments = attachments
        self.children = children
        self.post_id = post_id

    def run(self, body: str) -> str:
        body = _PLAYER.sub("", body)  # the episode's own player: its page has one
        body = _CAPTION.sub(self.caption, body)
        body = _GALLERY.sub(self.gallery, body)
        body = _MEDIA.sub(self.media, body)
        body = _EMBED.sub(self.embed, body)
        body = _PLAYLIST.sub(self.playlist, body)
        # (a line of its own is looked for only in a body with an address in it)
        return _BARE_URL.sub(self.bare, body) if "http" in body else body

    def caption(self, m: re.Match) -> str:
        inner = m.group(2)
        words = _LINKED_IMAGE.sub(r"\1", inner)
        image = _IMG.search(words)
        text = _attrs(m.group(1)).get("caption") or _IMG.sub("", words).strip()
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
        return link(url, label(url, "Audio" if kind == "audio" else "Video"))

    def playlist(self, m: re.Match) -> str:
        ids = [i for i in (_attrs(m.group(1)).get("ids") or "").split(",") if i.strip()]
        links = [link(att["url"], label(att["url"], att["title"] or "Audio"))
                 for i in ids if (att := self.attachments.get(i.strip())) and att["url"]]
        return "\n".join(links)

    def embed(self, m: re.Match) -> str:
        url = htmlmod.unescape(m.group(1).strip())
        return link(url, f"Embedded: {urlsplit(url).netloc or url}") if url else ""

    def bare(self, m: re.Match) -> str:
        url = m.group(1)
        host = urlsplit(url).netloc.lower().split(":")[0]
        if any(host == h or host.endswith("." + h) for h in _EMBED_HOSTS):
            return link(url, f"Embedded: {host}")
        return link(url, url)


_SIMPLE_TAG = re.compile(r"</?p>|<br ?/?>")
_SIMPLE = re.compile(r"[^<&]*(?:(?:</?p>|<br ?/?>)[^<&]*)*")


def plain(fragment: str) -> str:
    """The words of an HTML fragment (a summary), white space made single."""
    if _SIMPLE.fullmatch(fragment):  # most excerpts and leads: words in paragraphs
        return " ".join(_SIMPLE_TAG.sub(" ", fragment).split())
    from lxml import html as lxml_html

    if not fragment.strip():
        return ""
    try:
        text = lxml_html.fragment_fromstring(fragment, create_parent="div").text_content()
    except (ValueError, lxml_html.etree.ParserError):
        text = re.sub(r"<[^<>]*>", " ", fragment)
    return " ".join(text.split())


_COMMENT = re.compile(r"<!--(?:(?!<!--).)*?-->", re.S)


def _without_comments(body: str) -> str:
    """The body without its HTML comments (no reader sees them); one left open is text (an
    HTML parser would look for its end from every one: minutes for thousands)."""
    return _COMMENT.sub("", body).replace("<!--", "&lt;!--")


def prepare(body: str, shortcodes: Shortcodes) -> tuple[str, str]:
    """(the body as HTML to convert, the lead before ``<!--more-->`` as plain text or '')."""
    blocks = "<!-- wp:" in body
    body = _BLOCK_COMMENT.sub("", body)
    body = _NEXTPAGE.sub("\n\n", body)
    lead = ""
    more = _MORE.search(body)
    if more:
        lead = _without_comments(body[:more.start()])
        body = body[:more.start()] + "\n\n" + body[more.end():]
    body = _without_comments(body)
    body = shortcodes.run(body)
    if not blocks:
        body = autop(body)
    if lead:
        lead = plain(autop(shortcodes.run(lead)) if not blocks else shortcodes.run(lead))
    return body, lead




def relink(html: str, attachments: dict[str, dict], base: str) -> str:
    """Links to an attachment's own page on the old site (``?attachment_id=12`` on any of its
    addresses, or the page WordPress made for it) pointed at the file itself: that page does
    not move with the post."""
    pages = {}
    for a in attachments.values():
        if a["url"] and a["link"]:
            pages[_same_page(urljoin(base, a["link"]))] = a["url"]
    if not any(a["url"] for a in attachments.values()):
        return html
    home = _host(base)

    def swap(m: re.Match) -> str:
        url = urljoin(base, htmlmod.unescape(m.group(2)).strip())
        parts = urlsplit(url)
        ids = parse_qs(parts.query).get("attachment_id", [])
        target = None
        if ids and _host(url) == home:
            target = attachments.get(ids[0].strip(), {}).get("url") or None
        target = target or pages.get(_same_page(url))
        return m.group(0) if target is None else f'{m.group(1)}"{htmlmod.escape(target)}"'

    return re.sub(r"""(<a\b[^<>]*?\bhref\s*=\s*)["']([^"']+)["']""", swap, html, flags=re.I)


def _host(url: str) -> str:
    """A site's host as links to it vary: any case, with or without ``www.``, http or https."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _same_page(url: str) -> str:
    """An address as one page: host as in ``_host``, an empty path as ``/``, no fragment."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{_host(url)}{port}{parts.path or '/'}?{parts.query}"


_SIZED = re.compile(r"-\d+x\d+(?=\.\w+$)")


def attachment_urls(html: str, attachments: dict[str, dict], base: str) -> list[str]:
    """The images of the old site's media library a body shows (any of their sizes, and any
    file under its uploads folder: a large export comes in several files, an attachment's item
    perhaps in another): the files to download with the post."""
    library = {_SIZED.sub("", a["url"]) for a in attachments.values() if a["url"]}
    host = urlsplit(base).netloc.lower()
    found = []
    for m in re.finditer(r"""<(?:img|a)\b[^<>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", html,
                         re.I):
        url = urljoin(base, htmlmod.unescape(m.group(1)).strip())
        parts = urlsplit(url)
        uploaded = (parts.netloc.lower() == host and "/wp-content/uploads/" in parts.path
                    and os.path.splitext(parts.path)[1].lower() in IMAGE_SUFFIXES)
        if (uploaded or _SIZED.sub("", url) in library) and url not in found:
            found.append(url)
    return found


_LINKED = re.compile(r"""(<(?:a|img|source|audio|video|iframe)\b[^<>]*?\b(?:src|href)\s*=\s*)"""
                     r"""(["'])([^"']*)\2""", re.I)


def absolute(html: str, base: str) -> str:
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




def fetch_images(jobs: list, settings, report) -> None:
    """Download the images of the posts just written (``(found, stem, path, date, entry)``)
    into ``posts/<stem>/``, several at a time, and write each post again pointing at its
    files (relative to the post's file). An image that fails keeps its old address, and the
    post is flagged naming it."""
    from concurrent.futures import ThreadPoolExecutor

    from . import _write_atomic, post_text
    from .fetch import session
    from .podcast import download

    parts = settings.state_dir / "downloads"
    tasks = []
    for n, (found, stem, path, _, _) in enumerate(jobs):
        names: set[str] = set()
        for url in found.attachments:
            tasks.append((n, url, f"{stem}/{_file_name(url, names)}", path.parent))

    def fetch(task) -> str | None:
        _, url, rel, folder = task
        try:
            download(url, folder / rel, parts, expected=None, http=http, audio=False)
        except SourceError as exc:
            return (f"an image could not be downloaded ({exc}); it still points at the old "
                    "site")
        return None

    with session() as http, ThreadPoolExecutor(8) as pool:
        failures = list(pool.map(fetch, tasks))
    bodies = [found.body for found, *_ in jobs]
    again: set[int] = set()  # posts to write again for a new review: line
    for (n, url, rel, _), failure in zip(tasks, failures, strict=True):
        entry = jobs[n][4]
        if failure:
            report.flagged.append({**entry, "reason": failure})
            jobs[n][0].reviews.append(failure)  # and in the post's review:, written again
            again.add(n)
            continue
        # the address as a Markdown link's target: ](url) or ](url "title"), not within another
        bodies[n] = re.sub(r"\]\(" + re.escape(url) + r"(?=[\s)])",
                           lambda _m, t=f"]({rel}": t, bodies[n])
    for n, ((found, _, path, date, entry), body) in enumerate(zip(jobs, bodies, strict=True)):
        if body == found.body and n not in again:
            continue
        found.body = body
        try:
            _write_atomic(path, post_text(found, date))
        except OSError as exc:  # the post stays as written, pointing at the old site
            report.flagged.append({**entry, "reason": f"its images were downloaded but the "
                                   f"post could not be written again ({exc.strerror or exc})"})


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
