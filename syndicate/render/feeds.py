"""Render the blog feeds (RSS 2.0 and Atom 1.0) and the podcast feed (RSS 2.0 + iTunes + Podcast
Index) with feedgen. Output is a pure function of its inputs: the same items give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from .. import __version__
from ..links import absolute_urls
from ..markup import sanitize, xml_safe
from ..model import Episode, Post
from ..when import stored

if TYPE_CHECKING:  # feedgen (and lxml) load when a feed is rendered, not before
    from feedgen.feed import FeedGenerator

GENERATOR = ("syndicate", __version__, "https://pypi.org/project/syndicate/")


@dataclass
class Entry:
    """An item as a feed shows it: the item plus what the site decided about it."""

    guid: str
    item: Post | Episode
    link: str
    updated: dt.datetime  # when it last changed, for Atom <updated>

    @property
    def published(self) -> dt.datetime:
        return stored(self.item.date)


def atom_id(guid: str) -> str:
    """Atom ids must be IRIs: a bare UUID becomes urn:uuid:, anything else a urn of its own."""
    if ":" in guid:
        return guid
    try:
        return f"urn:uuid:{uuid.UUID(guid)}"
    except ValueError:
        return f"urn:syndicate:{quote(guid, safe='')}"


def _links(fg: FeedGenerator, self_url: str, self_type: str, site_url: str,
           hubs: list[str] = ()) -> None:
    """feedgen uses the last link as RSS <link>: the self link goes first, the site last."""
    fg.link(href=self_url, rel="self", type=self_type, replace=True)
    for hub in hubs:
        fg.link(href=hub, rel="hub")
    fg.link(href=site_url, rel="alternate")


def _rss_hubs(rss: bytes, hubs: list[str]) -> bytes:
    """feedgen writes only the self link into RSS; WebSub subscribers find the hubs here."""
    if not hubs:
        return rss
    from lxml import etree

    atom = "http://www.w3.org/2005/Atom"
    root = etree.fromstring(rss)
    self_link = root.find(f"channel/{{{atom}}}link[@rel='self']")
    for hub in reversed(hubs):
        link = etree.Element(f"{{{atom}}}link", href=hub, rel="hub")
        self_link.addnext(link)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _atom_related(atom: bytes, entries: list[Entry]) -> bytes:
    """feedgen writes no rel on an entry's links, so a link post would show two alternates:
    its permalink is marked rel="related" here (the target stays the alternate)."""
    permalinks = {e.link for e in entries if getattr(e.item, "link", None)}
    if not permalinks:
        return atom
    from lxml import etree

    ns = "http://www.w3.org/2005/Atom"
    root = etree.fromstring(atom)
    for entry, e in zip(root.iterfind(f"{{{ns}}}entry"), entries, strict=True):
        if getattr(e.item, "link", None):
            for link in entry.iterfind(f"{{{ns}}}link"):
                if link.get("href") == e.link and link.get("href") != e.item.link:
                    link.set("rel", "related")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def channel_text(text: str | None) -> str:
    """A configured description: plain text as it is; with markup, only safe markup kept."""
    text = xml_safe(text)
    return sanitize(text).strip() if "<" in text else text


def _base(title: str, description: str, language: str, updated: dt.datetime,
          author: str) -> FeedGenerator:
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.title(xml_safe(title))
    # readers take a channel description for HTML: markup in it is sanitised like a post's
    fg.description(channel_text(description) or xml_safe(title))
    fg.language(language)
    fg.lastBuildDate(updated)
    fg.updated(updated)
    fg.generator(*GENERATOR)
    if author:
        fg.author({"name": xml_safe(author)})
    return fg


def render_blog(*, title: str, description: str, site_url: str, language: str, author: str,
                rss_url: str, atom_url: str, entries: list[Entry],
                updated: dt.datetime, hubs: list[str] = (),
                home_url: str | None = None) -> tuple[bytes, bytes]:
    """Return (RSS 2.0 bytes, Atom 1.0 bytes) for the given entries, newest first.

    ``site_url`` is the feed's id; ``home_url`` (default: the same) is where its link to the
    site leads, the home page in the configured link style."""
    home_url = home_url or site_url
    fg = _base(title, description, language, updated, author)
    fg.id(site_url)
    for e in entries:
        post = e.item
        fe = fg.add_entry(order="append")
        fe.guid(e.guid, permalink=False)
        fe.title(xml_safe(post.title))
        if getattr(post, "link", None):  # a link post: readers go to what it points at
            fe.link(href=post.link, rel="alternate")
            fe.link(href=e.link, rel="related")
        else:
            fe.link(href=e.link, rel="alternate")
        fe.published(e.published)
        fe.updated(e.updated)
        fe.summary(xml_safe(post.summary) or xml_safe(post.title))
        # a body leaves its page in a feed: its addresses are made absolute against the page
        fe.content(absolute_urls(post.html, e.link), type="html")
        for tag in post.tags:
            fe.category(term=xml_safe(tag))
    # Each feed names only itself as 'self'.
    _links(fg, rss_url, "application/rss+xml", home_url, hubs)
    rss = _rss_hubs(fg.rss_str(pretty=True), hubs)
    # feedgen keeps one id per entry for both formats: RSS gets the GUID as stored, Atom an IRI.
    for fe, e in zip(fg.entry(), entries, strict=True):
        fe.id(atom_id(e.guid))
    _links(fg, atom_url, "application/atom+xml", home_url, hubs)
    atom = _atom_related(fg.atom_str(pretty=True), entries)
    return rss, atom


@dataclass
class EpisodeEntry(Entry):
    enclosure_url: str = ""
    image_url: str | None = None
    transcript: tuple[str, str, str | None] | None = None  # url, type, language
    chapters_url: str | None = None
    alternates: list[dict] = field(default_factory=list)  # renditions published, with url


def _average_bps(alt: dict, media) -> int:
    """A rendition's average bitrate (bits per second) from its size and the audio's length;
    the rate asked for where the length is not known."""
    seconds = media.known_duration
    return round(alt["size"] * 8 / seconds) if seconds else alt["bitrate"] * 1000


def _alternates(e: EpisodeEntry) -> list[dict]:
    """podcast:alternateEnclosure values: the MP3 (default="true", as the namespace's example
    marks the file of the enclosure) and then each rendition; none without renditions. The
    bitrate is the one each was encoded at in bits per second: constant for the MP3, the average
    for the others (their size over the episode's duration: what a player streams, which for
    quiet or narrow sources is well below the rate asked for)."""
    media = e.item.media
    if not e.alternates:
        return []
    found = [{"url": e.enclosure_url, "type": media.content_type, "length": media.size,
              "bitrate": media.bitrate * 1000 if media.bitrate else None, "title": "MP3",
              "codecs": "mp3",
              "sri": media.sri, "default": True}]
    for alt in e.alternates:
        found.append({"url": alt["url"], "type": alt["content_type"], "length": alt["size"],
                      "bitrate": _average_bps(alt, media), "title": alt["title"],
                      "codecs": alt["codecs"], "sri": alt["sri"], "default": False})
    return found


def render_podcast(*, channel: dict, entries: list[EpisodeEntry], updated: dt.datetime) -> bytes:
    """The podcast feed. ``channel`` holds the channel values (see publish.build), or, for an
    archive page, only those of ``paging.PODCAST_HEAD`` with ``archive_page`` set: then the
    channel says no more than RSS 2.0 requires and the show's podcast:guid (the title stands
    for the description), and ``explicit`` is only the items' default."""
    from .podcast_ext import PodcastChannel, PodcastItem

    c = channel
    archive = bool(c.get("archive_page"))
    fg = _base(c["title"], "" if archive else c["description"], c["language"], updated,
               "" if archive else c["author"])
    fg.register_extension("podcast", PodcastChannel, PodcastItem, atom=False, rss=True)
    fg.podcast.tags = c
    if not archive:
        fg.image(url=c["image"], title=xml_safe(c["title"]), link=c["link"])
    if c.get("copyright") and not archive:
        fg.rights(xml_safe(c["copyright"]))
    for e in entries:
        ep: Episode = e.item
        fe = fg.add_entry(order="append")
        fe.guid(e.guid, permalink=False)
        fe.title(xml_safe(ep.title))
        fe.link(href=e.link)
        fe.published(e.published)
        notes = absolute_urls(ep.html, e.link)  # as a post's body (see render_blog)
        fe.description(notes)
        fe.content(notes, type="html")
        fe.enclosure(e.enclosure_url, str(ep.media.size), ep.media.content_type)
        fe.podcast.tags = {
            # whole seconds, halves round up; none for audio kept at a URL with none stated
            "duration": ep.media.whole_seconds,
            # the short summary (the author's, or the notes' opening) where podcast apps read one
            "subtitle": ep.summary,
            "explicit": c["explicit"] if ep.explicit is None else ep.explicit,
            "image": e.image_url,
            "episode": ep.number,
            "season": ep.season,
            "episode_type": ep.type,
            "transcript": e.transcript,
            "chapters": e.chapters_url,
            "alternates": _alternates(e),
            "more": ep.tags,  # the sidecar's Podcast Index tags
        }
    _links(fg, c["feed_url"], "application/rss+xml", c["link"])
    return _rss_hubs(fg.rss_str(pretty=True), c.get("hubs", []))
