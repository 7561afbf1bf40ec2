"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) for the blog and the podcast: the same
entries as the XML feeds, every address absolute, episodes with their audio as attachments.
The same entries give the same bytes."""

from __future__ import annotations

import datetime as dt
import json

from ..links import absolute_urls
from ..markup import xml_safe
from .feeds import Entry, EpisodeEntry

VERSION = "https://jsonfeed.org/version/1.1"


def _date(when: dt.datetime) -> str:
    return when.isoformat()  # RFC 3339: every stored date carries its offset


def _item(e: Entry) -> dict:
    item = e.item
    out = {"id": e.guid, "url": e.link, "title": xml_safe(item.title),
           "content_html": absolute_urls(item.html, e.link),
           "date_published": _date(e.published), "date_modified": _date(e.updated)}
    summary = xml_safe(getattr(item, "summary", None) or "")
    if summary:
        out["summary"] = summary
    if getattr(item, "link", None):  # a link post: what it points at
        out["external_url"] = item.link
    tags = [xml_safe(t) for t in getattr(item, "tags", ())]
    if tags:
        out["tags"] = tags
    if isinstance(e, EpisodeEntry):
        media = item.media
        attachment = {"url": e.enclosure_url, "mime_type": media.content_type.split(";")[0]}
        if media.size:
            attachment["size_in_bytes"] = int(media.size)
        if media.whole_seconds is not None:
            attachment["duration_in_seconds"] = media.whole_seconds
        out["attachments"] = [attachment]
        if e.alternates:  # the same title marks attachments as renditions of one another
            attachment["title"] = out["title"]
            for alt in e.alternates:
                out["attachments"].append({
                    "url": alt["url"], "mime_type": alt["content_type"],
                    "title": out["title"], "size_in_bytes": int(alt["size"]),
                    **({"duration_in_seconds": attachment["duration_in_seconds"]}
                       if "duration_in_seconds" in attachment else {})})
        if e.image_url:
            out["image"] = e.image_url
    return out


def render_json_feed(*, title: str, description: str, home_page_url: str, feed_url: str,
                     language: str, author: str, entries: list[Entry],
                     icon: str | None = None, next_url: str | None = None) -> bytes:
    """A JSON Feed 1.1 document of ``entries`` (newest first), as UTF-8 bytes; ``next_url``:
    the page holding the entries just older than these (a feed in pages, see paging.py)."""
    doc = {"version": VERSION, "title": xml_safe(title), "home_page_url": home_page_url,
           "feed_url": feed_url}
    if description:
        doc["description"] = xml_safe(description)
    if icon:
        doc["icon"] = icon
    doc["language"] = language
    if author:
        doc["authors"] = [{"name": xml_safe(author)}]
    if next_url:
        doc["next_url"] = next_url
    doc["items"] = [_item(e) for e in entries]
    return json.dumps(doc, ensure_ascii=False, indent=2).encode() + b"\n"
