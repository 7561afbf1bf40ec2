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


def _num(value: float) -> str:
    """Seconds as the namespace writes them: a decimal, no exponent, no trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _remote(parent, item: dict, tag: str = "remoteItem"):
    return _add(parent, PODCAST, tag, feedGuid=item["feed_guid"], feedUrl=item.get("feed_url"),
                itemGuid=item.get("item_guid"), medium=item.get("medium"))


def shared_tags(parent, t: dict) -> None:
    """The tags a channel and an item both may carry (see podcast_tags._Tags)."""
    for p in t.get("persons", []):
        _add(parent, PODCAST, "person", p["name"], role=p.get("role"), group=p.get("group"),
             img=p.get("img"), href=p.get("href"))
    if loc := t.get("location"):
        _add(parent, PODCAST, "location", loc["name"], rel=loc.get("rel"), geo=loc.get("geo"),
             osm=loc.get("osm"), country=loc.get("country"))
    if lic := t.get("license"):
        _add(parent, PODCAST, "license", lic["name"], url=lic.get("url"))
    for txt in t.get("txt", []):
        _add(parent, PODCAST, "txt", txt["text"], purpose=txt.get("purpose"))
    for img in t.get("images", []):
        _add(parent, PODCAST, "image", href=img["href"], alt=img.get("alt"),
             **{"aspect-ratio": img.get("aspect_ratio")}, width=img.get("width"),
             height=img.get("height"), type=img.get("type"), purpose=img.get("purpose"))
    for si in t.get("social_interact", []):
        _add(parent, PODCAST, "socialInteract", protocol=si["protocol"], uri=si.get("uri"),
             accountId=si.get("account_id"), accountUrl=si.get("account_url"),
             priority=si.get("priority"))
    if value := t.get("value"):
        v = _add(parent, PODCAST, "value", type=value["type"], method=value["method"],
                 suggested=value.get("suggested"))
        for r in value["recipients"]:
            _add(v, PODCAST, "valueRecipient", name=r.get("name"), type=r["type"],
                 address=r["address"], split=r["split"],
                 # written always: the docs' default is false, the XSD's true
                 fee=_bool(r.get("fee", False)), customKey=r.get("custom_key"),
                 customValue=r.get("custom_value"))


def channel_tags(channel, t: dict) -> None:
    """The show's own Podcast Index and iTunes tags (see podcast_tags.ChannelTags)."""
    shared_tags(channel, t)
    if t.get("medium"):
        _add(channel, PODCAST, "medium", t["medium"])
    if t.get("block"):
        _add(channel, ITUNES, "block", "Yes")
        _add(channel, PODCAST, "block", "yes")
    for b in t.get("block_services", []):
        _add(channel, PODCAST, "block", "yes" if b.get("block", True) else "no", id=b.get("id"))
    if t.get("complete"):
        _add(channel, ITUNES, "complete", "Yes")
    if uf := t.get("update_frequency"):
        _add(channel, PODCAST, "updateFrequency", uf["text"], rrule=uf.get("rrule"),
             dtstart=uf.get("dtstart"), complete=_bool(True) if uf.get("complete") else None)
    if pub := t.get("publisher"):
        _remote(_add(channel, PODCAST, "publisher"), {"medium": "publisher", **pub})
    if t.get("podroll"):
        roll = _add(channel, PODCAST, "podroll")
        for item in t["podroll"]:
            _remote(roll, item)
    if chat := t.get("chat"):
        _add(channel, PODCAST, "chat", server=chat["server"], protocol=chat["protocol"],
             accountId=chat.get("account_id"), space=chat.get("space"))
    if t.get("podping"):
        _add(channel, PODCAST, "podping", usesPodping="true")
    for tr in t.get("trailers", []):
        _add(channel, PODCAST, "trailer", tr["title"], url=tr["url"], pubdate=tr["pubdate"],
             length=tr["length"], type=tr["type"], season=tr.get("season"))
    if t.get("new_feed_url"):
        _add(channel, ITUNES, "new-feed-url", t["new_feed_url"])


def item_tags(entry, t: dict) -> None:
    """An episode's own Podcast Index tags (see podcast_tags.EpisodeTags)."""
    shared_tags(entry, t)
    for bite in t.get("soundbites", []):
        _add(entry, PODCAST, "soundbite", bite.get("title"), startTime=_num(bite["start"]),
             duration=_num(bite["duration"]))
    for link in t.get("content_links", []):
        _add(entry, PODCAST, "contentLink", link["text"], href=link["href"])


class PodcastChannel(BaseExtension):
    """Channel tags. Set ``tags`` to a dict before rendering."""

    def __init__(self):
        self.tags: dict = {}

    def extend_ns(self):
        return NAMESPACES

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        t = self.tags
        if t.get("archive_page"):  # the show's identity only (paging.PODCAST_HEAD)
            _add(channel, PODCAST, "guid", t["guid"])
            return rss_feed
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
        channel_tags(channel, t.get("more", {}))
        return rss_feed

    def extend_atom(self, atom_feed):
        return atom_feed


class PodcastItem(BaseEntryExtension):
    """Item tags. Set ``tags`` to a dict before rendering."""

    def __init__(self):
        self.tags: dict = {}

    def extend_rss(self, entry):
        t = self.tags
        if t.get("subtitle"):
            _add(entry, ITUNES, "subtitle", t["subtitle"])
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
        for alt in t.get("alternates", []):
            enc = _add(entry, PODCAST, "alternateEnclosure", type=alt["type"],
                       length=alt["length"], bitrate=alt["bitrate"], title=alt["title"],
                       codecs=alt["codecs"], default="true" if alt["default"] else None)
            _add(enc, PODCAST, "source", uri=alt["url"])
            if alt.get("sri"):
                integrity = _add(enc, PODCAST, "integrity", type="sri")
                integrity.attrib["value"] = alt["sri"]  # (``value`` is _add's text)
        item_tags(entry, t.get("more", {}))
        return entry

    def extend_atom(self, entry):
        return entry
