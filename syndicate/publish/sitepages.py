"""The site's pages as outputs: home, a page per episode and per post, paginated archives, a page
per tag, 404, sitemap.xml, robots.txt, the theme's static files and the favicon.

Each page is rendered only when its input hash changes; the hash holds everything the page
shows: the templates in effect, the site's settings, the item, and its neighbours (prev/next,
the rows of an archive or tag page).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..check_limits import PAGE_BYTES
from ..config import Settings
from ..errors import ItemError
from ..images import DAMAGED
from ..markup import paired_bidi_html, tag_key, text_direction
from ..model import Episode, Post
from ..render.pages import Item, Theme, clean
from ..sitekeys import EPISODES, HOME, NOT_FOUND, POSTS, ROBOTS, SITEMAP, STATIC, TAGS
from ..sourcefiles import read_source
from ..transcripts import cues, decode
from ..urls import page_address

PER_PAGE = 20  # rows of an archive page
LATEST = 10  # episodes and posts on the home page
# every page (each may list an item or link to it as a neighbour): kept at its last version
# while a removal of items is held, or while the cover every page shows is broken
PAGE_KEYS = ("*.html", "sitemap.xml")
SUBSCRIBE = (("apple", "Apple Podcasts"), ("spotify", "Spotify"),
             ("pocket_casts", "Pocket Casts"), ("overcast", "Overcast"),
             ("antennapod", "AntennaPod"), ("youtube_music", "YouTube Music"))
FAVICON_PX = 64
STATIC_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*")
STATIC_LIMIT = 64 << 20  # bytes: a theme's font or image, never a whole video


_SPELLED = (("++", " plus plus "), ("+", " plus "), ("#", " sharp "), ("&", " and "),
            ("@", " at "))


def _tag_base(key: str) -> str:
    from anyascii import anyascii

    text = key
    for sign, word in _SPELLED:  # C, C++ and C# are three languages
        text = text.replace(sign, word)
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-")[:60].strip("-")
    return slug or "tag-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def tag_slugs(tags: list[str], known: dict[str, str] | None = None) -> dict[str, str]:
    """The folder of each tag's page (lowercase ASCII letters, digits and dashes): one per tag,
    the same for tags differing only in case, never shared by two distinct tags. ``known``
    (tag key -> slug) are the folders earlier publishes gave: each keeps its tag, and no other
    tag ever takes it. Of the other tags whose names make the same slug (``Über``, ``Uber``)
    the one spelled as its slug keeps it (else the first in order) and the others add a hash of
    their name; so does one whose slug is known as another tag's. A blank tag has none."""
    known = known or {}
    keys = {t: tag_key(t) for t in tags if tag_key(t)}
    slug_of = {k: known[k] for k in set(keys.values()) if k in known}
    taken = set(known.values())
    by_base: dict[str, list[str]] = {}
    for key in sorted(set(keys.values()) - set(slug_of)):
        by_base.setdefault(_tag_base(key), []).append(key)
    for base, group in by_base.items():
        plain = [k for k in group if re.sub(r"[\s_]+", "-", k) == base] or group
        for key in group:
            slug_of[key] = base if key == plain[0] and base not in taken else \
                f"{base}-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
    return {t: slug_of[k] for t, k in keys.items()}


@dataclass
class EpisodePage:
    row: dict
    episode: Episode
    enclosure_url: str
    enclosure_type: str
    image_url: str
    transcript_url: str
    chapters_url: str
    transcript_file: Path | None = None  # a local caption file: its cues are shown
    transcript_data: bytes | None = None  # its checked bytes, where already read
    offset: float = 0.0  # seconds the audio moved by (cue times follow it)
    alternates: list[dict] = field(default_factory=list)  # renditions published (with url)


class SitePages:
    def __init__(self, settings: Settings, *, base: str, feeds: dict[str, str],
                 cover_url: str | None, favicon: bytes | None = None, preview: bool = False,
                 warnings: list[str] | None = None, unlinked: frozenset[str] = frozenset(),
                 tag_slugs: dict[str, str] | None = None):
        """``favicon``: the favicon made of the cover, where the target does not hold it yet.
        ``unlinked``: keys of tag pages that could not be made (never published): no page links
        them, and they are not made again (the tag is left off the posts' pages).
        ``tag_slugs``: the tag pages' folders published before (tag key -> slug): kept."""
        self._urls: dict[str, str] = {}  # folder -> its page's address (asked ~15 times each)
        cfg = settings.config
        self.settings = settings
        self.warnings = warnings if warnings is not None else []
        self.base = base
        self.file_links = cfg.site.links == "file"
        folder = settings.resolve(cfg.theme) if cfg.theme else None
        self.theme = Theme(folder, cfg.site.timezone, settings.root)
        subscribe = [(label, getattr(cfg.podcast.subscribe, name)) for name, label in SUBSCRIBE
                     if getattr(cfg.podcast.subscribe, name)]
        if feeds["podcast"]:  # empty while the podcast feed was never written
            subscribe.append(("RSS", feeds["podcast"]))
        self.site = {
            "title": clean(cfg.site.title), "description": clean(cfg.site.description),
            "url": self.page_url(""), "base": base, "language": cfg.site.language,
            "dir": text_direction(cfg.site.language),
            "author": clean(cfg.site.author), "timezone": cfg.site.timezone,
            "show": clean(cfg.podcast.title), "show_description": clean(cfg.podcast.description),
            "cover": cover_url or "", "favicon": "", "rss": feeds["rss"], "atom": feeds["atom"],
            "podcast": feeds["podcast"], "json": feeds.get("json", ""),
            "podcast_json": feeds.get("podcast_json", ""), "subscribe": subscribe,
            "preview": preview,
            "static": base + "static/", "episodes_url": self.page_url("episodes/"),
            "posts_url": self.page_url("posts/"), "sitemap": base + "sitemap.xml",
        }
        self.episodes: list[tuple[Item, EpisodePage]] = []
        self.posts: list[tuple[Item, dict, Post]] = []
        self.icon = favicon
        self.unlinked = unlinked
        self.known_tags = tag_slugs or {}
        self.tag_folders: dict[str, str] = {}  # tag key -> the folder of its page, as made
        self._page_of: dict[str, str] = {}  # an item's address -> the key of its page

    def page_url(self, folder: str) -> str:
        """The address of the page in ``folder`` ('' for home) in the configured link style."""
        url = self._urls.get(folder)
        if url is None:
            url = self._urls[folder] = page_address(self.base, folder,
                                                    "file" if self.file_links else "directory")
        return url

    # -- what build_site hands over ------------------------------------------------------------
    def add_episode(self, page: EpisodePage, url: str) -> None:
        ep, r = page.episode, page.row
        item = Item(title=clean(ep.title), date=r["date"], url=url, kind="episode",
                    summary=clean(ep.summary), preview=r.get("preview") or ep.preview,
                    season=ep.season, number=ep.number)
        self.episodes.append((item, page))
        self._page_of[url] = f"episodes/{ep.slug}/index.html"

    def add_post(self, r: dict, post: Post, url: str) -> None:
        item = Item(title=clean(post.title), date=r["date"], url=url, kind="post",
                    summary=clean(post.summary), preview=r.get("preview") or post.preview)
        self.posts.append((item, r, post))
        self._page_of[url] = f"posts/{post.slug}/index.html"

    def _tag_pages(self) -> dict[str, tuple[str, list[Item]]]:
        """slug -> (the name its page is headed by, the posts with the tag, newest first); each
        post's tags (name, address) set, one per tag however often or in which case given."""
        slugs = tag_slugs([t for _, _, post in self.posts for t in post.tags], self.known_tags)
        by_tag: dict[str, tuple[str, list[Item]]] = {}
        for item, _r, post in self.posts:
            item.tags = []
            for name in post.tags:
                slug = slugs.get(name)
                if slug is None or f"tags/{slug}/index.html" in self.unlinked \
                        or any(u == self.page_url(f"tags/{slug}/") for _, u in item.tags):
                    continue
                item.tags.append((clean(name), self.page_url(f"tags/{slug}/")))
                self.tag_folders[tag_key(name)] = slug
                by_tag.setdefault(slug, (clean(name), []))[1].append(item)
        return by_tag

    # -- outputs --------------------------------------------------------------------------------
    def outputs(self, make: Callable, h: Callable[..., str]) -> None:
        """Call ``make(key, kind, input_hash, render=..., path=..., sha256=..., size=...)`` for
        every page and static file (newest items first in the lists handed over). A page that
        lists items is made with ``lists``: the keys of their pages (an item new to the site
        waits while a page that must list it cannot be made)."""
        theme = self.theme
        by_tag = self._tag_pages()  # (before any page's hash: the posts' tags are set here)
        self._favicon(make)
        for name, path in theme.files("static", self.warnings).items():
            shown = theme._shown(path)
            if not STATIC_NAME.fullmatch(name):
                self.warnings.append(f"{shown}: not published: name a theme's static file with "
                                     "letters, digits, dots, dashes, underscores and slashes")
                continue
            try:
                data = read_source(path, shown, limit=STATIC_LIMIT)
            except ItemError as exc:
                if not os.access(path, os.R_OK):  # not gone: its live copy must not go
                    raise theme.unreadable(path, PermissionError(errno.EACCES, "denied")) \
                        from None
                self.warnings.append(f"{exc}; not published")
                continue
            sha = hashlib.sha256(data).hexdigest()
            make(f"{STATIC}/{name}", "asset", sha, render=lambda d=data: d, sha256=sha,
                 size=len(data))
        site_hash = h(theme.fingerprint(), json.dumps(self.site, sort_keys=True))
        site = self.site

        def page(key: str, template: str, shown: object, context: Callable[[], dict] | None = None,
                 listed: list[Item] = (), **fixed) -> None:
            """``context`` is called when the page is rendered (never while planning)."""
            def render() -> bytes:
                out = theme.render(template, site=site, **fixed, **(context() if context else {}))
                if len(out) > PAGE_BYTES:
                    self.warnings.append(
                        f"{key}: the page is {len(out) / (1 << 20):.1f} MB, more than syndicate "
                        f"check reads of a page ({PAGE_BYTES >> 20} MB); its links will not be "
                        "checked")
                return out

            make(key, "page", h(site_hash, template, *map(_part, shown)), render=render,
                 lists=self._keys(listed))

        episodes = [i for i, _ in self.episodes]
        posts = [i for i, _, _ in self.posts]
        for n, (item, ep_page) in enumerate(self.episodes):
            newer = episodes[n - 1] if n else None
            older = episodes[n + 1] if n + 1 < len(episodes) else None
            ep = ep_page.episode
            shown = [ep_page.row["data"], item, ep_page.enclosure_url, ep_page.image_url,
                     ep_page.transcript_url, ep_page.chapters_url, ep_page.offset,
                     newer, older]
            folder = f"{EPISODES}/{ep.slug}/"
            page(folder + HOME, "episode.html", shown,
                 lambda i=item, p=ep_page, a=newer, b=older: self._episode_context(i, p, a, b))
        for n, (item, _r, post) in enumerate(self.posts):
            if _r.get("foreign"):
                continue  # another checkout's post (publish/foreign.py): its page stays as it is
            newer = posts[n - 1] if n else None
            older = posts[n + 1] if n + 1 < len(posts) else None
            shown = [_r["data"], item, newer, older]
            page(f"{POSTS}/{post.slug}/{HOME}", "post.html", shown,
                 lambda i=item, p=post, a=newer, b=older: self._post_context(i, p, a, b))
        latest_e, latest_p = episodes[:LATEST], posts[:LATEST]
        page(HOME, "home.html", [len(latest_e), *latest_e, len(latest_p), *latest_p,
                                 len(episodes), len(posts)],
             page_meta=self._meta(site["title"], site["description"] or site["show_description"],
                                  site["url"], "website", self._series()),
             episodes=latest_e, posts=latest_p, listed=latest_e + latest_p)
        archives = self._archive(page, f"{EPISODES}/", episodes, site["show"], "Episodes")
        archives += self._archive(page, f"{POSTS}/", posts, site["title"], "Posts")
        tagged = []  # a tag's pages, PER_PAGE posts each, as the archives are
        for slug, (name, items) in sorted(by_tag.items()):
            tagged += self._archive(page, f"{TAGS}/{slug}/", items, site["title"],
                                    f"Tagged “{name}”", [name], f"Posts tagged “{name}”.")
        # served at any missing address: it claims none (no canonical, no og:url) and asks
        # not to be indexed
        page(NOT_FOUND, "404.html", [],
             page_meta={**self._meta(f"Not found · {site['title']}", site["description"],
                                     "", "website", None), "noindex": True})
        every = [(site["url"], None)] + [(url, None) for url in archives]
        every += [(i.url, i.date) for i in episodes + posts]
        every += [(url, None) for url in tagged]
        make(SITEMAP, "page", h(site_hash, "sitemap", json.dumps(every)),
             render=lambda: theme.render("sitemap.xml", site=site, urls=every),
             lists=self._keys(episodes + posts))
        make(ROBOTS, "page", h(site_hash, "robots"),
             render=lambda: theme.render("robots.txt", site=site))

    # -- pieces ---------------------------------------------------------------------------------
    def _keys(self, items: list[Item]) -> tuple[str, ...]:
        return tuple(self._page_of[i.url] for i in items)

    def _favicon(self, make: Callable) -> None:
        cover = self.site["cover"]
        if not cover:
            return
        path = self.settings.resolve(self.settings.config.podcast.image)
        key = favicon_key(cover)
        icon = self.icon
        sha = hashlib.sha256(f"{cover}|{FAVICON_PX}".encode()).hexdigest()
        make(key, "asset", sha, render=lambda: icon if icon is not None else favicon(path))
        self.site["favicon"] = self.base + key

    def _meta(self, title: str, description: str, canonical: str, og_type: str,
              ld: dict | None, image: str = "", audio: tuple[str, str] | None = None) -> dict:
        desc = " ".join(description.split())
        if len(desc) > 300:
            desc = desc[:297].rsplit(" ", 1)[0] + "…"
        return {"title": title, "description": desc, "canonical": canonical, "type": og_type,
                "image": image or self.site["cover"], "audio": audio, "jsonld": ld}

    def _series(self) -> dict:
        site = self.site
        return {"@context": "https://schema.org", "@type": "PodcastSeries", "name": site["show"],
                "description": site["show_description"], "url": site["url"],
                **({"webFeed": site["podcast"]} if site["podcast"] else {}),
                "inLanguage": site["language"],
                "author": {"@type": "Person", "name": site["author"]},
                **({"image": site["cover"]} if site["cover"] else {})}

    def _episode_context(self, item: Item, pg: EpisodePage, newer, older) -> dict:
        ep, site = pg.episode, self.site
        duration = ep.media.known_duration
        ld = {"@context": "https://schema.org", "@type": "PodcastEpisode", "name": item.title,
              "url": item.url, "datePublished": item.date, "description": item.summary,
              "associatedMedia": {"@type": "MediaObject", "contentUrl": pg.enclosure_url,
                                  "encodingFormat": pg.enclosure_type},
              "partOfSeries": {"@type": "PodcastSeries", "name": site["show"],
                               "url": site["url"]}}
        if ep.number:
            ld["episodeNumber"] = ep.number
        if duration:
            ld["timeRequired"] = f"PT{ep.media.whole_seconds}S"
        if pg.image_url or site["cover"]:
            ld["image"] = pg.image_url or site["cover"]
        chapters = [{"start": c.start, "title": clean(c.title), "href": f"#t={c.start:g}"}
                    for c in ep.chapters]
        meta = self._meta(f"{item.title} · {site['show']}", item.summary, item.url, "article",
                          ld, image=pg.image_url, audio=(pg.enclosure_url, pg.enclosure_type))
        size = ep.media.size if not ep.media.url else None
        # audio or art kept at another host (the old site's): no page view asks that host
        # anything (the audio loads when played; the show's cover stands in for the art)
        remote_art = bool(ep.image_url) and pg.image_url == ep.image_url
        lines, cut = _cues(pg, self.warnings)
        return {"page_meta": meta, "item": item, "episode": ep, "notes": paired_bidi_html(ep.html),
                "duration": duration, "audio_url": pg.enclosure_url,
                "audio_type": pg.enclosure_type, "audio_size": size, "renditions": pg.alternates,
                "preload": "none" if ep.media.url else "metadata",
                "art": site["cover"] if remote_art else (pg.image_url or site["cover"]),
                "chapters": chapters,
                "chapters_url": pg.chapters_url, "transcript_url": pg.transcript_url,
                "cues": lines, "cues_cut": cut, "newer": newer, "older": older}

    def _post_context(self, item: Item, post: Post, newer, older) -> dict:
        ld = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": item.title,
              "url": item.url, "datePublished": item.date, "description": item.summary,
              "author": {"@type": "Person", "name": self.site["author"]},
              "keywords": [t for t, _ in item.tags]}
        if post.updated:
            ld["dateModified"] = post.updated
        meta = self._meta(f"{item.title} · {self.site['title']}", item.summary, item.url,
                          "article", ld)
        return {"page_meta": meta, "item": item, "post": post, "body": paired_bidi_html(post.html),
                "link": post.link, "newer": newer, "older": older}

    def _archive(self, page: Callable, folder: str, items: list[Item], name: str,
                 heading: str, shown: list | None = None,
                 description: str | None = None) -> list[str]:
        """Make the archive pages of ``items`` (``shown``: what else the pages show, for their
        hash); returns their addresses."""
        count = max(1, -(-len(items) // PER_PAGE))
        urls = [self.page_url(folder if n == 1 else f"{folder}page/{n}/")
                for n in range(1, count + 1)]
        for n in range(1, count + 1):
            rows = items[(n - 1) * PER_PAGE: n * PER_PAGE]
            key = f"{folder}index.html" if n == 1 else f"{folder}page/{n}/index.html"
            title = f"{heading} · {name}" + (f" · page {n} of {count}" if count > 1 else "")
            nav = {"number": n, "count": count, "urls": urls,
                   "newer": urls[n - 2] if n > 1 else None,
                   "older": urls[n] if n < count else None}
            page(key, "archive.html", [*(shown or []), n, count, *rows],
                 page_meta=self._meta(title, description or f"{heading} of {name}.",
                                      urls[n - 1], "website", None),
                 heading=heading, items=rows, pages=nav, listed=rows)
        return urls


def _part(value: object) -> str:
    """One value a page shows, as a part of its input hash: text as it is (an item's stored
    JSON, kilobytes long, is not encoded again), a listed item as its key (made once), anything
    else as JSON; the first character tells them apart."""
    if isinstance(value, str):
        return "s" + value
    if isinstance(value, Item):
        return "i" + value.hashed()
    return "j" + json.dumps(value, sort_keys=True, default=str)


def _cues(pg: EpisodePage, warnings: list[str]) -> tuple[list[dict], float | None]:
    """The transcript's lines as the page shows them (times moved with the audio), each with
    its speaker where the voice changes, and where the page stops short of the transcript's
    end (None where it shows it all; a warning says so)."""
    if pg.transcript_file is None:
        return [], None
    from ..captions import shift_transcript
    from ..render.pages import clock
    from ..render.transcript_lines import MAX_TEXT, page_lines

    shown = str(pg.episode.transcript)
    data = pg.transcript_data if pg.transcript_data is not None else \
        _read(pg.transcript_file, shown)
    suffix = pg.transcript_file.suffix.lower()
    text = shift_transcript(decode(data, shown), suffix, pg.offset)
    found = page_lines(cues(text, suffix))
    out, last = [], ""
    for line in found.lines:
        # the speaker named where the voice changes (a cue naming none names nobody)
        out.append({"start": line.start, "end": line.end, "text": clean(line.text),
                    "href": f"#t={line.start:g}",
                    "speaker": clean(line.speaker) if line.speaker != last else ""})
        last = line.last
    if found.cut_at is not None:
        warnings.append(f"{shown}: more words than an episode page shows ({MAX_TEXT >> 20} "
                        f"MB): its page shows the transcript up to "
                        f"{clock(found.cut_at)} and links the file for the rest")
    return out, found.cut_at


def _read(path: Path, shown: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ItemError(shown, f"cannot be read ({exc.strerror or exc})") from None


def favicon_key(cover_url: str) -> str:
    """The key of the favicon made of the cover at ``cover_url``."""
    sha = hashlib.sha256(f"{cover_url}|{FAVICON_PX}".encode()).hexdigest()
    return f"favicon-{sha[:12]}.png"


def favicon(cover: Path) -> bytes:
    """A small PNG of the show's cover, made with the bundled ffmpeg (which decodes the whole
    image: a cover whose data is damaged fails here, in words)."""
    from ..audio import ffmpeg_exe

    try:
        done = subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-i", str(cover), "-vf",
             f"scale={FAVICON_PX}:{FAVICON_PX}", "-frames:v", "1", "-f", "image2pipe",
             "-c:v", "png", "-"], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ItemError(str(cover), f"cannot make the favicon ({exc})") from None
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        raise ItemError(str(cover), DAMAGED)
    return done.stdout
