"""A feedgen extension for the iTunes and Podcast Index namespaces, as Apple reads them.

feedgen's own podcast extension writes ``itunes:explicit`` as yes/no/clean (Apple wants true/false)
and knows nothing of the ``podcast:`` namespace, so channel and item tags are written here.
"""

from __future__ import annotations

import lxml.etree  # noqa: F401  (feedgen.util uses lxml.etree without importing it)
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from ..markup import xml_safe
from ..mediatypes import CHAPTERS

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
NAMESPACES = {"itunes": ITUNES, "podcast": PODCAST}


def _add(parent, ns: str, tag: str, value=None, **attrs):
    """One element; lxml escapes text and attributes, characters XML cannot carry are removed."""
    elem = xml_elem(f"{{{ns}}}{tag}", parent)
    if value is not None:
        elem.text = xml_safe(str(value))
    for k, v in attrs.items():
        if v is not None:
            elem.attrib[k] = xml_safe(str(v))
    return elem


def _bool(value: bool) -> str:
    return "true" if value else "false"


class PodcastChannel(BaseExtension):
    """Channel tags. Set ``tags`` to a dict before rendering."""

    def __init__(self):
        self.tags: dict = {}

    def extend_ns(self):
        return NAMESPACES

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        t = self.tags
        _add(channel, ITUNES, "author", t["author"])
        owner = _add(channel, ITUNES, "owner")
        _add(owner, ITUNES, "name", t["owner_name"])
        _add(owner, ITUNES, "email", t["owner_email"])
        _add(channel, ITUNES, "image", href=t["image"])
        for top, sub in t["categories"]:
            cat = _add(channel, ITUNES, "category", **{"text": top})
            if sub:
                _add(cat, ITUNES, "category", **{"text": sub})
        _add(channel, ITUNES, "explicit", _bool(t["explicit"]))
        _add(channel, ITUNES, "type", t["type"])
        _add(channel, PODCAST, "guid", t["guid"])
        _add(channel, PODCAST, "locked", "yes" if t["locked"] else "no", owner=t["owner_email"])
        for url, text in t.get("funding", []):
            _add(channel, PODCAST, "funding", text, url=url)
        return rss_feed

    def extend_atom(self, atom_feed):
        return atom_feed


class PodcastItem(BaseEntryExtension):
    """Item tags. Set ``tags`` to a dict before rendering."""

    def __init__(self):
        self.tags: dict = {}

    def extend_rss(self, entry):
        t = self.tags
        if t["duration"] is not None:
            _add(entry, ITUNES, "duration", t["duration"])
        _add(entry, ITUNES, "explicit", _bool(t["explicit"]))
        if t.get("image"):
            _add(entry, ITUNES, "image", href=t["image"])
        if t.get("episode") is not None:
            _add(entry, ITUNES, "episode", t["episode"])
        if t.get("season") is not None:
            _add(entry, ITUNES, "season", t["season"])
        _add(entry, ITUNES, "episodeType", t["episode_type"])
        if t.get("season") is not None:
            _add(entry, PODCAST, "season", t["season"])
        if t.get("episode") is not None:
            _add(entry, PODCAST, "episode", t["episode"])
        if t.get("transcript"):
            url, mime, lang = t["transcript"]
            rel = "captions" if mime in ("text/vtt", "application/x-subrip") else None
            _add(entry, PODCAST, "transcript", url=url, type=mime, language=lang, rel=rel)
        if t.get("chapters"):
            _add(entry, PODCAST, "chapters", url=t["chapters"], type=CHAPTERS)
        return entry

    def extend_atom(self, entry):
        return entry
