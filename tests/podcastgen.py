"""Podcast feeds written the ways real hosts write them, with known answers: each namespace
in each spelling podcast apps accept, season and episode numbers in either namespace and
order, the show's explicit flag inherited, ``podcast:locked`` in any case, items that are no
episodes, items sharing a guid, art before the audio, and every kind of bytes before the root
(byte order marks of UTF-8, UTF-16 and UTF-32, declarations, comments, processing
instructions, a document type, blank space)."""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass, field
from html import escape

from hypothesis import strategies as st

ITUNES_URIS = ["http://www.itunes.com/dtds/podcast-1.0.dtd",
               "http://www.itunes.com/DTDs/Podcast-1.0.dtd",
               "https://www.itunes.com/dtds/podcast-1.0.dtd",
               "HTTP://WWW.ITUNES.COM/DTDS/PODCAST-1.0.DTD",
               "https://www.itunes.com/DTDs/Podcast-1.0.dtd"]
PODCAST_URIS = ["https://podcastindex.org/namespace/1.0",
                "http://podcastindex.org/namespace/1.0",
                "https://podcastindex.org/namespace/1.0/",
                "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
                "http://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
                "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md/"]
# (python codec, what the declaration says or None for no declaration)
ENCODINGS = [("utf-8", None), ("utf-8", "UTF-8"), ("utf-8-sig", None), ("utf-8-sig", "utf-8"),
             ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
             ("utf-32", "UTF-32"), ("utf-32-le", "UTF-32"), ("utf-32-be", None)]
WORDS = ["plot", "beans", "frost", "spade", "compost", "leek", "marrow", "shed", "rain",
         "Ærø", "Größe", "señal", "żółw"]


@dataclass
class Item:
    """What an item must become: 'created' (an episode, with these fields) or 'skipped'."""

    outcome: str
    guid: str
    title: str
    date: dt.datetime | None = None
    url: str = ""
    length: int = 0
    duration: int | None = None
    season: int | None = None
    number: int | None = None
    type: str = "full"
    explicit: bool | None = None
    new_guid: bool = False  # the feed gave an earlier item this guid: this one gets its own
    episode: bool = True  # read as an episode (one with no date is then skipped)


@dataclass
class Show:
    guid: str | None
    locked: bool
    owner: str | None
    items: list[Item] = field(default_factory=list)


def clock(seconds: int, style: str) -> str:
    if style == "seconds":
        return str(seconds)
    if style == "mm:ss" and seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


dates = st.datetimes(dt.datetime(1995, 1, 1), dt.datetime(2030, 12, 31),
                     timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-5)),
                                                dt.timezone(dt.timedelta(hours=9))])
                     ).map(lambda d: d.replace(microsecond=0))


@st.composite
def prolog(draw, declared: str | None, root: str) -> str:
    parts = [draw(st.sampled_from(["", "\n", "  \n\t", "\r\n"]))] if declared is None else []
    if declared is not None:
        parts.append(f'<?xml version="1.0" encoding="{declared}"?>')
    for _ in range(draw(st.integers(0, 4))):
        parts.append(draw(st.sampled_from([
            "\n", "  ", f"<!-- {root} exported by the old host -->",
            "<!--<item><title>not an item</title></item>-->",
            '<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>', "<?php-marker done?>",
            f"<!DOCTYPE {root}>"])))
        if parts[-1].startswith("<!DOCTYPE"):  # (one document type at most, as XML allows)
            parts[-1] = f"<!DOCTYPE {root}>" if "<!DOCTYPE" not in "".join(parts[:-1]) else ""
    return "".join(parts) + draw(st.sampled_from(["", "\n", "\r\n"]))


def _lock_text(draw) -> tuple[str, bool]:
    word = draw(st.sampled_from(["yes", "YES", "Yes", "no", "No", "NO"]))
    pad = draw(st.sampled_from(["", " ", "\n  ", "\t"]))
    return pad + word + pad[::-1], word.lower() == "yes"


@st.composite
def shows(draw, *, lockable: bool = True):
    """(bytes, Show): a podcast feed and what its import must give."""
    codec, declared = draw(st.sampled_from(ENCODINGS))
    it = draw(st.sampled_from(["itunes", "it", "i"]))
    pc = draw(st.sampled_from(["podcast", "pc", "pi"]))
    it_uri, pc_uri = draw(st.sampled_from(ITUNES_URIS)), draw(st.sampled_from(PODCAST_URIS))
    show_explicit = draw(st.sampled_from([None, True, False]))
    owner = draw(st.sampled_from([None, "owner@example.test", "someone@else.test"]))
    show_guid = str(draw(st.uuids())) if draw(st.booleans()) else None
    locked, lock_xml = False, ""
    if lockable and draw(st.booleans()):
        text, locked = _lock_text(draw)
        attr = f' owner="{owner}"' if owner and draw(st.booleans()) else ""
        lock_xml = f"<{pc}:locked{attr}>{text}</{pc}:locked>"
    show = Show(show_guid, locked, owner)
    items, guids = [], []
    for i in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["audio", "audio", "audio", "art+audio", "video", "none",
                                     "twin", "nodate"] if i else ["audio", "art+audio",
                                                                  "nodate"]))
        if kind == "twin" and guids:
            guid = draw(st.sampled_from(guids))
        else:
            guid = f"ep-{i}-{draw(st.integers(0, 10**6))}"
        guids.append(guid)
        title = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)))
        title = f"{title} {i}"
        when = draw(dates)
        ext = draw(st.sampled_from([".mp3", ".m4a"]))
        url = f"https://old-host.example/a/{i}-{draw(st.integers(0, 999))}{ext}"
        length = draw(st.integers(1, 10**9))
        duration = draw(st.integers(1, 5 * 3600))
        season = draw(st.none() | st.integers(1, 40))
        number = draw(st.none() | st.integers(1, 900))
        etype = draw(st.sampled_from([None, "full", "Trailer", "bonus"]))
        explicit = draw(st.sampled_from([None, True, False]))
        mime = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a"}[ext]
        parts = [f"<title>{escape(title)}</title>", f"<guid isPermaLink=\"false\">{guid}</guid>"]
        parts.append(f"<pubDate>{email.utils.format_datetime(when)}</pubDate>"
                     if kind != "nodate" else "<pubDate>Mon, 31 Feb 2020 10:00:00 GMT</pubDate>")
        # numbers in either namespace (or both, in either order)
        for value, names in ((season, ("season",)), (number, ("episode",))):
            if value is None:
                continue
            spots = draw(st.sampled_from([[pc], [it], [pc, it], [it, pc]]))
            for prefix in spots:
                parts.append(f"<{prefix}:{names[0]}>{value}</{prefix}:{names[0]}>")
        if etype:
            parts.append(f"<{it}:episodeType>{etype}</{it}:episodeType>")
        if explicit is not None:
            word = draw(st.sampled_from(["yes", "true"] if explicit else ["no", "false", "clean"]))
            parts.append(f"<{it}:explicit>{word}</{it}:explicit>")
        style = draw(st.sampled_from(["seconds", "mm:ss", "h:mm:ss"]))
        parts.append(f"<{it}:duration>{clock(duration, style)}</{it}:duration>")
        if kind == "art+audio":
            parts.append('<enclosure url="https://old-host.example/art.jpg" length="100" '
                         'type="image/jpeg"/>')
        if kind == "video":
            parts.append(f'<enclosure url="https://old-host.example/v{i}.mp4" length="{length}" '
                         'type="video/mp4"/>')
        elif kind != "none":
            parts.append(f'<enclosure url="{url}" length="{length}" type="{mime}"/>')
        draw(st.randoms()).shuffle(parts)
        items.append("<item>" + "".join(parts) + "</item>")
        twin = any(x.guid == guid and x.episode for x in show.items)
        if kind in ("video", "none", "nodate"):
            show.items.append(Item("skipped", guid, title, episode=kind == "nodate"))
            continue
        show.items.append(Item(
            "created", guid, title, when, url, length, duration, season, number,
            (etype or "full").lower(), explicit if explicit is not None else show_explicit,
            new_guid=twin))
    channel = ["<title>Old show</title>", "<link>https://old-host.example/</link>",
               "<description>An old show</description>",
               f"<{it}:author>Someone</{it}:author>"]
    if owner:
        channel.append(f"<{it}:owner><{it}:name>O</{it}:name><{it}:email>{owner}</{it}:email>"
                       f"</{it}:owner>")
    if show_explicit is not None:
        channel.append(f"<{it}:explicit>{'true' if show_explicit else 'false'}</{it}:explicit>")
    if show_guid:
        channel.append(f"<{pc}:guid>{show_guid}</{pc}:guid>")
    if lock_xml:
        channel.append(lock_xml)
    draw(st.randoms()).shuffle(channel)
    doc = (draw(prolog(declared, "rss"))
           + f'<rss version="2.0" xmlns:{it}="{it_uri}" xmlns:{pc}="{pc_uri}"><channel>'
           + "".join(channel) + "\n" + "\n".join(items) + "\n</channel></rss>\n")
    return doc.encode(codec), show
