"""Migrate a podcast feed: every episode keeps its guid, date, show notes, season and episode
numbers; the channel keeps its ``podcast:guid``; the audio is downloaded into episodes/.

Downloads are streamed to ``<state>/downloads/`` and resumed with a Range request after a
break; a file moves into episodes/ only once its size matches what the server promised (and
the feed's enclosure length, where the feed gives one). A feed locked with ``podcast:locked``
is refused unless its owner email is the one in config.yaml.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..markup import plain_summary
from ..mediatypes import AUDIO_EXTENSION_OF, IMAGE_SUFFIX_OF, TRANSCRIPT_SUFFIX_OF
from ..model import parse_timestamp
from ..urls import is_web_url, without_credentials
from .namespaces import CONTENT, ITUNES, NS, PODCAST
from .podtags import CHANNEL_READERS, read_tags
from .podtags import READ as TAGS_READ
from .sources import parse_date

MAX_LENGTH = 2**40  # bytes: an enclosure said to be larger is no episode's audio

# item fields an imported sidecar keeps (the rest are reported as dropped, with the reason)
_READ = {"title", "guid", "pubDate", "description", "enclosure", f"{{{CONTENT}}}encoded",
         *(f"{{{ITUNES}}}{n}" for n in ("title", "duration", "season", "episode", "episodeType",
                                          "explicit", "summary", "subtitle")),
         *(f"{{{PODCAST}}}{n}" for n in ("season", "episode")), *TAGS_READ}
# why what syndicate does not publish (yet) is left behind; other unknown tags: a generic reason
_WHY_DROPPED = {
    "image": "syndicate publishes an episode's art as a JPEG or PNG image, from a file beside "
             "its sidecar ('image:') or at its address ('image_url:')",
    "transcript": "syndicate publishes a transcript of a type it knows (WebVTT, SRT, JSON, "
                  "HTML or plain text), from a file beside the sidecar ('transcript:') or at "
                  "its address ('transcript_url:')",
    "chapters": "syndicate publishes chapters written in the sidecar ('chapters:') or a "
                "chapters file at its address ('chapters_url:')",
    "funding": "syndicate publishes funding for the whole show only (podcast.funding)",
    "block": "syndicate publishes every episode to every directory; drop the episode or mark "
             "it draft to keep it out",
    "alternateEnclosure": "syndicate makes alternate renditions from the episode's own "
                          "audio (audio.alternates); another host's are not kept",
    "author": "the published feed names the show's author (podcast.author) on every episode",
    "keywords": "Apple no longer reads itunes:keywords; syndicate does not publish them",
}


# channel tags the published feed writes from config.yaml (or keeps: podcast:guid) or the
# import itself reads (podcast:locked); every other iTunes or Podcast Index tag of the channel
# is reported once, with the reason
_CHANNEL_READ = {*(f"{{{ITUNES}}}{n}" for n in ("author", "owner", "image", "category",
                                                 "explicit", "type", "title")),
                 *(f"{{{PODCAST}}}{n}" for n in ("guid", "locked"))}
_WHY_CHANNEL = {
    "funding": "syndicate publishes the show's funding links from podcast.funding in "
               "config.yaml, not from the old feed: add them there",
    "person": "the show's people come from podcast.persons in config.yaml: add them there",
    "value": "the show's value-for-value splits come from podcast.value in config.yaml: add "
             "them there",
    "block": "whether directories list the show is podcast.block in config.yaml",
    "complete": "a show that has ended is podcast.complete in config.yaml",
    "new-feed-url": "the published feed is at the address syndicate gives it; to move "
                    "subscribers, have the old host redirect (or name the new feed in "
                    "itunes:new-feed-url)",
    "summary": "the show's description comes from podcast.description in config.yaml",
    "subtitle": "the show's description comes from podcast.description in config.yaml",
    "keywords": "Apple no longer reads itunes:keywords; syndicate does not publish them",
    "trailer": "syndicate publishes podcast:trailer from an episode of type: trailer; this "
               "trailer is not one of the feed's episodes: add it as one to publish it",
}


@dataclass
class FeedEpisode:
    title: str
    guid: str
    date: dt.datetime | None
    notes_html: str
    audio_url: str
    audio_length: int | None
    audio_ext: str
    season: int | None = None
    number: int | None = None
    type: str = "full"
    explicit: bool | None = None
    duration: float | None = None  # as the feed states it, in seconds
    summary: str | None = None  # its short summary (itunes:subtitle), as plain text
    date_text: str | None = None  # the pubDate as written, when it is no date
    duration_text: str | None = None  # the itunes:duration as written, when it is no duration
    duration_line: int | None = None  # ... and its line in the feed
    # what became of the item's fields, for the report: names kept; {"field", "why"} changed
    # or dropped
    kept: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)  # to flag, and to write as review:
    # files at other addresses an import that downloads can bring beside the sidecar: each
    # {"kind": "image" | "transcript" | "chapters", "url", "ext", "language", "entry": its
    # entry in ``dropped``, taken out once the file is in}
    companions: list[dict] = field(default_factory=list)
    line: int | None = None  # the item's line in the feed, for messages
    draft: bool = False  # never published (a WordPress draft)
    tags: dict = field(default_factory=dict)  # Podcast Index tags as sidecar keys (podtags)


@dataclass
class PodcastFeed:
    title: str
    guid: str | None
    locked: bool
    owner_email: str | None
    episodes: list[FeedEpisode] = field(default_factory=list)
    left_out: list[dict] = field(default_factory=list)  # items that are not audio episodes
    # the channel's tags syndicate does not publish from an import: {"field", "why"}, each once
    channel_dropped: list[dict] = field(default_factory=list)
    # the channel's podcast:trailer addresses, and the audio of the items of episodeType
    # trailer on every page read: the first all among the second are published again
    channel_trailers: set[str] = field(default_factory=set)
    trailer_audio: set[str] = field(default_factory=set)
    items: int = 0  # items in the feed: every one an episode or left out
    kind: str = "feed"  # what the source is, for messages: "feed", "WordPress export"

    def channel_left(self) -> list[dict]:
        """``channel_dropped`` less the podcast:trailer published again from the trailer
        episodes imported (read from any page of the feed)."""
        if self.channel_trailers and self.channel_trailers <= self.trailer_audio:
            return [d for d in self.channel_dropped if d["field"] != "podcast:trailer"]
        return self.channel_dropped


def _text(node, path: str, ns: dict | None = None) -> str | None:
    found = node.find(path, ns or NS)
    return found.text.strip() if found is not None and found.text else None


def _raw_text(node, path: str) -> str | None:
    """The text of ``path`` as written ('' when the element is there but empty); None only
    when there is no such element."""
    found = node.find(path)
    return None if found is None else "".join(found.itertext()).strip()


def _int(value: str | None, limit: int = 10**6) -> int | None:
    """A whole number from 1 to ``limit``; None when absent, unreadable or out of range."""
    try:
        number = int(value) if value and len(value) < 40 else None
    except ValueError:
        return None
    return number if number is not None and 0 < number <= limit else None


def _duration(value: str | None) -> float | None:
    """itunes:duration (seconds, MM:SS or H:MM:SS) in seconds; None when absent or unreadable."""
    try:
        return parse_timestamp(value.strip()) if value else None
    except ValueError:
        return None


def _explicit(value: str | None) -> bool | None:
    value = (value or "").strip().lower()
    return True if value in ("yes", "true", "explicit") else \
        False if value in ("no", "false", "clean") else None


def _is_audio(enc) -> bool:
    return ((enc.get("type") or "").strip().lower().startswith("audio/")
            or os.path.splitext(urlsplit((enc.get("url") or "").strip()).path)[1].lower()
            in (".mp3", ".m4a"))


class _Alternate(dict):
    """A ``podcast:alternateEnclosure`` read as the item's enclosure: its source's ``url``, its
    ``type``, ``length`` and ``bitrate``, and the element itself."""

    def __init__(self, el, uri: str):
        super().__init__(url=uri, type=el.get("type") or "", length=el.get("length"),
                         bitrate=el.get("bitrate"))
        self.element = el


def _alternate_audio(item):
    """The audio an item gives only in ``podcast:alternateEnclosure`` (MP3 or M4A before any
    other type, then the one marked default first), as an enclosure; None when it has none."""
    found = []
    for alt in item.iterfind(f"{{{PODCAST}}}alternateEnclosure"):
        uri = next(((s.get("uri") or "").strip() for s in alt.iterfind(f"{{{PODCAST}}}source")
                    if (s.get("uri") or "").strip()), "")
        kind = (alt.get("type") or "").strip().lower()
        if uri and (not kind or kind.startswith("audio/")) \
                and _is_audio({"type": kind, "url": uri}):  # (a video's type is kept to)
            found.append(_Alternate(alt, uri))
    found.sort(key=lambda a: (_audio_ext(a) not in (".mp3", ".m4a"),
                              (a.element.get("default") or "").strip().lower() != "true"))
    return found[0] if found else None


def _audio_ext(enc) -> str:
    kind = (enc.get("type") or "").split(";")[0].strip().lower()
    return AUDIO_EXTENSION_OF.get(kind) or \
        os.path.splitext(urlsplit((enc.get("url") or "").strip()).path)[1].lower()


def _item_audio(item) -> bool:
    return any(_is_audio(enc) for enc in item.iterfind("enclosure")) \
        or _alternate_audio(item) is not None


def is_podcast(root) -> bool:
    """A show, not a blog: iTunes channel tags, or audio in at least half of the items (a
    blog feed with the odd post carrying a recording stays a blog feed); audio given only in
    ``podcast:alternateEnclosure`` counts. ``root`` has its namespaces normalised
    (namespaces.normalise)."""
    ch = root.find("channel")
    if ch is None:
        return False
    items = ch.findall("item")
    if ch.find(f"{{{ITUNES}}}author") is not None or ch.find(f"{{{ITUNES}}}category") is not None \
            or ch.find(f"{{{ITUNES}}}owner") is not None:
        return any(_item_audio(it) for it in items)
    audio = sum(1 for it in items if _item_audio(it))
    return bool(items) and audio * 2 >= len(items)


def is_locked(ch) -> bool:
    """podcast:locked says yes (in any case, with any blank space around it)."""
    locked = ch.find("podcast:locked", NS)
    return locked is not None and (locked.text or "").strip().lower() in ("yes", "true")


def _name(el) -> str:
    """An element's name as a report shows it: ``itunes:`` and ``podcast:`` whatever prefix
    the feed used, other namespaces with the feed's own prefix."""
    tag = el.tag
    if not tag.startswith("{"):
        return tag
    local = tag.split("}")[1]
    for uri, prefix in ((ITUNES, "itunes"), (PODCAST, "podcast")):
        if tag.startswith(f"{{{uri}}}"):
            return f"{prefix}:{local}"
    return f"{el.prefix}:{local}" if el.prefix else local


def _fields_left(item, audio_enc, ep: FeedEpisode, base_url: str | None) -> None:
    """The item's fields an imported episode does not keep, each with the reason, into
    ``ep.dropped``; art, a transcript and chapters at other addresses also into
    ``ep.companions``, for an import that downloads."""
    for child in item:
        tag = child.tag
        if not isinstance(tag, str) or tag in _READ or tag == "enclosure" \
                or child is getattr(audio_enc, "element", None):
            continue
        name = _name(child)
        local = tag.split("}")[1] if tag.startswith("{") else tag
        if tag.startswith(f"{{{ITUNES}}}") or tag.startswith(f"{{{PODCAST}}}"):
            why = _WHY_DROPPED.get(local, f"syndicate does not publish {name}")
        elif tag in ("link", "comments"):
            why = f"an episode's page is on the new site; syndicate does not publish <{name}>"
        else:
            why = f"syndicate does not publish <{name}>"
        url = (child.get("href") if name == "itunes:image" else
               child.get("href") or child.get("url") if name == "podcast:image" else
               child.get("url")) or ""
        url = urljoin(base_url or "", url.strip()) if url.strip() else ""
        entry = {"field": name, "why": f"{why} ({url[:200]})" if url else why}
        ep.dropped.append(entry)
        if not url.startswith(("http://", "https://")):
            continue
        kind = (child.get("type") or "").split(";")[0].strip().lower()
        path_ext = os.path.splitext(urlsplit(url).path)[1].lower()
        if name in ("itunes:image", "podcast:image"):
            ext = IMAGE_SUFFIX_OF.get(kind) or (path_ext if path_ext in (".jpg", ".jpeg", ".png")
                                                else None)
            if ext:
                ep.companions.append({"kind": "image", "url": url, "ext": ext, "entry": entry})
        elif name == "podcast:transcript" and kind in TRANSCRIPT_SUFFIX_OF:
            ep.companions.append({"kind": "transcript", "url": url,
                                  "ext": TRANSCRIPT_SUFFIX_OF[kind], "entry": entry,
                                  "language": (child.get("language") or "").strip() or None})
        elif name == "podcast:chapters":
            ep.companions.append({"kind": "chapters", "url": url, "ext": ".json",
                                  "entry": entry})
    for enc in item.iterfind("enclosure"):
        if enc is not audio_enc:
            ep.dropped.append({"field": "enclosure",
                               "why": f"an episode has one enclosure, its audio; this one is "
                                      f"{(enc.get('type') or 'of unknown type').strip()} "
                                      f"({(enc.get('url') or '').strip()[:200]})"})


def _channel_left(ch, base_url: str | None) -> list[dict]:
    """The channel's iTunes and Podcast Index tags syndicate does not publish from an import,
    each name once with the reason and the addresses or texts it had (so a funding link can
    be copied into config.yaml)."""
    found: dict[str, list[str]] = {}
    for child in ch:
        tag = child.tag
        if not isinstance(tag, str) or tag in _CHANNEL_READ or not (
                tag.startswith(f"{{{ITUNES}}}") or tag.startswith(f"{{{PODCAST}}}")):
            continue
        said = (child.get("url") or child.get("href") or "").strip()
        said = urljoin(base_url or "", said) if said else " ".join((child.text or "").split())
        found.setdefault(_name(child), [])
        if said and len(found[_name(child)]) < 5:
            found[_name(child)].append(said[:200])
    config, _kept, _dropped = read_tags(ch, channel=True)
    out = []
    for name, said in found.items():
        local = name.split(":", 1)[1]
        keys = _config_keys(name, config, ch)
        if keys:  # syndicate publishes it from config.yaml: what to write there
            lines = "; ".join(as_yaml(k, v) for k, v in keys.items())
            entry = {"field": name, "why": f"the show's {name} comes from "
                                           f"{', '.join(f'podcast.{k}' for k in keys)} in "
                                           f"config.yaml: add it there ({lines})",
                     "config": {f"podcast.{k}": v for k, v in keys.items()}}
        else:
            why = _WHY_CHANNEL.get(local, f"syndicate does not publish {name}")
            entry = {"field": name, "why": f"{why} ({'; '.join(said)})" if said else why}
        out.append(entry)
    return out


def _trailer_audio(ch, base_url: str | None) -> set[str]:
    """The audio addresses of the feed's items of itunes:episodeType trailer."""
    out = set()
    for item in ch.iterfind("item"):
        kind = (item.findtext(f"{{{ITUNES}}}episodeType") or "").strip().lower()
        enc = item.find("enclosure")
        if kind == "trailer" and enc is not None and (enc.get("url") or "").strip():
            out.add(urljoin(base_url or "", enc.get("url").strip())[:200])
    return out


def _config_keys(name: str, config: dict, ch) -> dict:
    """The config.yaml podcast keys that publish the channel's tag ``name`` again (none: it is
    not published from config.yaml, or its value would not be)."""
    prefix, local = name.split(":", 1)
    if prefix == "itunes" and local in ("block", "complete"):  # Apple's yes, any case
        said = (ch.findtext(f"{{{ITUNES}}}{local}") or "").strip().lower()
        return {local: True} if said == "yes" else {}
    if prefix != "podcast" or local not in CHANNEL_READERS:
        return {}
    names = ("block_services", "block") if local == "block" else (CHANNEL_READERS[local][0],)
    return {k: config[k] for k in names if k in config}


def as_yaml(key: str, value) -> str:
    """One config key as a line of YAML, to be copied into config.yaml's podcast section."""
    import yaml

    return f"{key}: " + yaml.safe_dump(value, default_flow_style=True, width=10**6,
                                       allow_unicode=True).strip().removesuffix("...").strip()


def _base_of(item, base_url: str | None) -> str | None:
    """What an item's relative addresses are resolved against: the ``xml:base`` in effect on
    it (itself relative to ``base_url``), else ``base_url``."""
    try:
        written = item.base
    except ValueError:
        written = None
    if not written or not written.strip():
        return base_url
    try:
        return urljoin(base_url or "", written.strip())
    except ValueError:
        return base_url


def parse_podcast(root, base_url: str | None = None) -> PodcastFeed:
    """The show and its episodes from a parsed RSS document (``lxml`` root element); relative
    addresses are resolved against the ``xml:base`` in effect, else ``base_url`` (where the feed
    was fetched), else the channel's link. ``root`` has its namespaces normalised
    (namespaces.normalise), as the reader of a source gives it."""
    ch = root.find("channel")
    locked = ch.find("podcast:locked", NS)
    owner = " ".join((locked.get("owner") or "").split()) if locked is not None else None
    owner = owner or _text(ch, "itunes:owner/itunes:email")  # (_text trims it too)
    feed = PodcastFeed(title=_text(ch, "title") or "", guid=_text(ch, "podcast:guid"),
                       locked=is_locked(ch), owner_email=owner)
    show_explicit = _explicit(_text(ch, "itunes:explicit"))
    link = _text(ch, "link")
    if base_url is None and is_web_url(link):  # a feed read from a file: its own link
        base_url = link
    feed.channel_dropped = _channel_left(ch, base_url)
    feed.channel_trailers = {urljoin(base_url or "", t.get("url").strip())[:200]
                             for t in ch.iterfind(f"{{{PODCAST}}}trailer")
                             if (t.get("url") or "").strip()}
    feed.trailer_audio = _trailer_audio(ch, base_url)
    for item in ch.iterfind("item"):
        feed.items += 1
        encs = item.findall("enclosure")
        enc = next((e for e in encs if _is_audio(e) and (e.get("url") or "").strip()), None)
        enc = enc if enc is not None else _alternate_audio(item)
        enc = enc if enc is not None else (encs[0] if encs else None)
        title = _text(item, "title") or _text(item, "itunes:title")
        if enc is None or not (enc.get("url") or "").strip():
            feed.left_out.append({"title": title or _text(item, "guid") or "(untitled)",
                                  "guid": _text(item, "guid"),
                                  "reason": "no enclosure: not an episode"})
            continue
        item_base = _base_of(item, base_url)
        url = urljoin(item_base or "", enc.get("url").strip())
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            feed.left_out.append({
                "title": title or _text(item, "guid") or url[:200],
                "guid": _text(item, "guid") or url[:200],
                "reason": f"its enclosure URL {url[:200]!r} is not an http(s) address" + (
                    "" if urlsplit(url).scheme else ", and the feed gives no address to resolve "
                    "it against (no xml:base or channel link): import the feed by its own "
                    "http(s) address")})
            continue
        kind = (enc.get("type") or "").split(";")[0].strip().lower()
        ext = AUDIO_EXTENSION_OF.get(kind) or os.path.splitext(urlsplit(url).path)[1].lower()
        if ext not in (".mp3", ".m4a"):
            feed.left_out.append({
                "title": title or _text(item, "guid") or url, "guid": _text(item, "guid") or url,
                "reason": f"its enclosure is {kind or 'of unknown type'} ({url}); syndicate "
                          "publishes MP3 and M4A audio only"})
            continue
        ep = _episode(item, url, enc, ext, title, show_explicit)
        if isinstance(enc, _Alternate):
            ep.kept.remove("enclosure")
            facts = ", ".join(x for x in (kind, enc["length"] and f"length {enc['length']}",
                                          enc["bitrate"] and f"bitrate {enc['bitrate']}") if x)
            ep.changed.append({"field": "enclosure", "why": (
                "the item has no audio <enclosure>: its podcast:alternateEnclosure is the "
                f"episode's audio ({facts})")})
        ep.tags, kept, dropped = read_tags(item, ep.duration)
        ep.kept += kept
        ep.dropped += dropped
        _fields_left(item, enc, ep, item_base)
        feed.episodes.append(ep)
    return feed


def _episode(item, url: str, enc, ext: str, title: str | None,
             show_explicit: bool | None) -> FeedEpisode:
    kept, changed = ["enclosure"], []
    guid = _text(item, "guid")
    if guid:
        kept.append("guid")
    else:
        guid = without_credentials(url)  # (a guid is published: never with a password)
        changed.append({"field": "guid", "why": "the item has none: its enclosure URL is the "
                                                "guid, as podcast apps take it" + (
                                                    ", without the credential it holds"
                                                    if guid != url else "")})
    if title:
        kept.append("title")
    else:
        changed.append({"field": "title", "why": "the item has none: its guid is the title"})
    number_text = _text(item, "podcast:episode") or _text(item, "itunes:episode")
    season_text = _text(item, "podcast:season") or _text(item, "itunes:season")
    number, season = _int(number_text), _int(season_text)
    for name, text, value in (("number", number_text, number), ("season", season_text, season)):
        if value is not None:
            kept.append(name)
        elif text is not None:
            changed.append({"field": name, "why": f"{text[:40]!r} is not a whole number from "
                                                  "1 to 1000000: left out"})
    dropped = []
    for local, attr in (("season", "name"), ("episode", "display")):
        node = item.find(f"podcast:{local}", NS)
        if node is not None and (node.get(attr) or "").strip():
            dropped.append({"field": f"podcast:{local} {attr}",
                            "why": f"syndicate publishes the {local}'s number only, not its "
                                   f"{attr} {node.get(attr).strip()[:100]!r}"})
    explicit = _explicit(_text(item, "itunes:explicit"))
    if explicit is not None:
        kept.append("explicit")
    elif show_explicit is not None:
        explicit = show_explicit
        changed.append({"field": "explicit", "why": "the item has none: the show's "
                                                    "itunes:explicit is written on it"})
    duration_text = _text(item, "itunes:duration")
    duration = _duration(duration_text)
    if duration is not None:
        kept.append("duration")
    elif duration_text is not None:
        changed.append({"field": "duration", "why": f"{duration_text[:40]!r} is no duration: "
                                                    "left out"})
    kind = (_text(item, "itunes:episodeType") or "full").lower()
    if kind in ("full", "trailer", "bonus"):
        kept.append("type")
    else:
        changed.append({"field": "type", "why": f"{kind[:40]!r} is no episode type: full"})
        kind = "full"
    notes = _text(item, "content:encoded") or _text(item, "description") or \
        _text(item, "itunes:summary") or ""
    if notes:
        kept.append("notes")
    summary = plain_summary(_text(item, "itunes:subtitle"))
    if summary:
        kept.append("summary")
    date_text = _raw_text(item, "pubDate")
    date = parse_date(date_text)
    if date is not None:
        kept.append("date")
    return FeedEpisode(
        title=title or guid, guid=guid, date=date, date_text=date_text, line=item.sourceline,
        notes_html=notes, audio_url=url, audio_length=_int(enc.get("length"), MAX_LENGTH),
        audio_ext=ext, season=season, number=number, type=kind, explicit=explicit,
        duration=duration, summary=summary or None, kept=kept, changed=changed, dropped=dropped,
        duration_text=duration_text if duration is None else None,
        duration_line=getattr(item.find("itunes:duration", NS), "sourceline", None))


def download(url: str, dest: Path, parts_dir: Path, *, expected: int | None,
             http=None, audio: bool = True) -> Path:
    """Stream ``url`` to ``dest``; resume a previous partial download; check the size. For
    ``audio``, a page or document served in its place is refused (companions, such as a
    transcript or chapters, are text themselves: they are checked by their own readers)."""
    import requests

    from .. import http as bounded
    from . import SourceError
    from . import fetch as fetching
    from .fetch import TIMEOUT, session, unreachable

    parts_dir.mkdir(parents=True, exist_ok=True)
    part = parts_dir / (hashlib.sha256(url.encode()).hexdigest()[:16] + ".part")
    own = http is None
    http = http or session()
    try:
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with bounded.within(fetching.DEADLINE):  # its headers, however slowly they come
                resp = http.get(url, stream=True, timeout=TIMEOUT, headers=headers)
        except bounded.TimedOut:
            raise SourceError(f"{url}: no answer within {fetching.DEADLINE} s (its headers "
                              "trickle in); run the import again later") from None
        except requests.ConnectionError as exc:
            raise SourceError(f"{url}: {unreachable(urlsplit(url).hostname or url, exc)}; "
                              "check the address, or run the import again later") from None
        if resp.status_code == 416 and expected and have == expected:
            resp.close()
        else:
            if resp.status_code >= 400:
                raise SourceError(f"{url}: the server answered HTTP {resp.status_code} for the "
                                  "episode's audio")
            if audio:
                _refuse_a_page(resp, url)
            mode = "ab" if have and resp.status_code == 206 else "wb"
            total = resp.headers.get("Content-Length")
            total = int(total) + (have if mode == "ab" else 0) if total and total.isdecimal() \
                else None
            with open(part, mode) as f:
                written = have if mode == "ab" else 0
                for chunk in _chunks(resp):
                    if audio and not written and _looks_like_markup(chunk):
                        f.close()
                        part.unlink(missing_ok=True)
                        raise SourceError(f"{url}: {_NOT_AUDIO.format('a web page or XML')}")
                    written += len(chunk)
                    if expected and written > expected:  # never more than the feed says
                        f.close()
                        part.unlink(missing_ok=True)
                        raise SourceError(f"{url}: the server sends more than the {expected} "
                                          "bytes the feed says; check the feed")
                    f.write(chunk)
            size = part.stat().st_size
            if total is not None and size != total:
                raise SourceError(f"{url}: the download was cut short ({size} of {total} "
                                  "bytes); run the import again to resume it")
        size = part.stat().st_size
        if expected and size != expected:
            raise SourceError(f"{url}: {size} bytes downloaded, the feed says {expected}; run "
                              "the import again to resume it, or check the feed")
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, dest)
        return dest
    except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError):
        raise SourceError(f"{url}: the download was cut short at "
                          f"{part.stat().st_size if part.exists() else 0} bytes; run the "
                          "import again to resume it") from None
    except requests.TooManyRedirects:
        raise SourceError(f"{url}: the old host redirects in a loop (more than 10 redirects); "
                          "check the address at the old host") from None
    except requests.RequestException as exc:
        raise SourceError(f"{url}: {type(exc).__name__}: {exc}") from None
    finally:
        if own:
            http.close()


def _chunks(resp):
    """The body's bytes as they come, each read giving what has arrived, so that a download
    cut short keeps every byte received for the next run to resume from."""
    import requests
    from urllib3.exceptions import ProtocolError, ReadTimeoutError

    read1 = getattr(resp.raw, "read1", None)
    if read1 is None:
        yield from resp.iter_content(1 << 16)
        return
    while True:
        try:
            chunk = read1(1 << 16, decode_content=True)
        except ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from None
        except ReadTimeoutError as exc:
            raise requests.ConnectionError(exc) from None
        if not chunk:
            return
        yield chunk


_NOT_AUDIO = ("the old host sent {} in place of the episode's audio; nothing was written: "
              "check the address (the file may have moved), then run the import again")
# types no audio is served as: a page, an error document, a feed
# (text/plain is not among them: misconfigured hosts serve MP3s so; the first bytes decide)
_PAGE_TYPES = ("text/html", "text/xml", "application/xhtml", "application/xml",
               "application/json", "application/rss", "application/atom")


def _refuse_a_page(resp, url: str) -> None:
    """SourceError if the answer says it is a page or a document, not audio."""
    from . import SourceError

    kind = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if kind.startswith(_PAGE_TYPES):
        resp.close()
        raise SourceError(f"{url}: {_NOT_AUDIO.format(kind)}")


def _looks_like_markup(head: bytes) -> bool:
    """Whether the first bytes of a download are a page or XML (``<``), which no MP3 or M4A
    file begins with."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"
