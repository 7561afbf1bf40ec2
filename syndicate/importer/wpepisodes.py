"""Podcast episodes recorded by WordPress podcast plugins in a post's custom fields:
PowerPress/Blubrry's ``enclosure`` (URL, length, type, then a serialized PHP array with the
duration, season, episode number and type) and Seriously Simple Podcasting's ``audio_file``,
``duration``, ``filesize_raw``, ``itunes_*`` fields and ``explicit``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ..mediatypes import AUDIO_EXTENSION_OF
from .podcast import MAX_LENGTH, FeedEpisode

_PHP_PAIR = re.compile(r's:\d+:"([\w-]+)";(?:s:\d+:"([^"]*)"|i:(-?\d+)|b:([01]))')
_NUMBER_KEYS = ("episode_no", "episode_number", "itunes_episode_number", "itunes_episode")
_SEASON_KEYS = ("season", "season_number", "itunes_season_number", "itunes_season")
_TYPE_KEYS = ("itunes_episode_type", "episode_type", "itunes_type")


def php_extras(text: str) -> dict[str, str]:
    """The string and number values of PowerPress's serialized PHP array (duration, season,
    episode_no...), read by pattern: a damaged one gives what can be read, never an error."""
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
            for m in _PHP_PAIR.finditer(text)}


_PHP_SCALAR = re.compile(rb'i:-?\d+;|b:[01];|d:-?[\d.eE+-]+;|N;')


def php_whole(text: str) -> bool:
    """Whether ``text`` is one whole serialized PHP value (``a:2:{...}``) whose string lengths
    (in bytes, as PHP counts them) and element counts are right: a damaged one is read by
    pattern, and the report says so."""
    data = text.strip().encode("utf-8")

    def value(i: int, depth: int = 0) -> int | None:
        m = _PHP_SCALAR.match(data, i)
        if m:
            return m.end()
        if data.startswith(b"s:", i):
            head = re.compile(rb's:(\d{1,9}):"').match(data, i)
            if not head:
                return None
            end = head.end() + int(head.group(1))
            return end + 2 if data[end:end + 2] == b'";' else None
        head = re.compile(rb"a:(\d{1,6}):\{").match(data, i)
        if not head or depth > 20:
            return None
        i = head.end()
        for _ in range(int(head.group(1)) * 2):  # key, value
            i = value(i, depth + 1)
            if i is None:
                return None
        return i + 1 if data[i:i + 1] == b"}" else None

    return value(0) == len(data)


# the PowerPress fields read into an episode; any other is reported as dropped
_READ = {"duration", "itunes_duration", "explicit", "itunes_explicit", *_NUMBER_KEYS,
         *_SEASON_KEYS, *_TYPE_KEYS}


@dataclass
class Audio:
    url: str
    length: int | None
    type: str
    fields: dict[str, str]
    others: list[str] = field(default_factory=list)  # more enclosures of the same post
    dropped: list[dict] = field(default_factory=list)  # {"field", "why"}: plugin data unread


def audio_of(meta: list[tuple[str, str]]) -> Audio | None:
    """The episode's audio and fields from a podcast plugin's custom fields, or None. A second
    enclosure, a PowerPress field syndicate does not read and damaged serialized data are
    named in the audio's ``dropped``."""
    values = {k.lower(): v for k, v in reversed(meta)}  # the first of a key wins
    found: Audio | None = None
    for key, value in meta:  # PowerPress: 'enclosure' (or '_<feed>:enclosure')
        if key.lower() == "enclosure" or key.lower().endswith(":enclosure"):
            lines = value.replace("\r\n", "\n").split("\n")
            url = lines[0].strip()
            if not url:
                continue
            if found is not None:
                if url != found.url and url not in found.others:
                    found.others.append(url)
                continue
            length = lines[1].strip() if len(lines) > 1 else ""
            kind = lines[2].strip() if len(lines) > 2 else ""
            serialized = "\n".join(lines[3:])
            extras = php_extras(serialized)
            found = Audio(url, _int(length, MAX_LENGTH), kind, {**values, **extras})
            if serialized.strip() and not php_whole(serialized):
                found.dropped.append({
                    "field": "powerpress fields", "why": "PowerPress's serialized fields are "
                    f"damaged ({serialized.strip()[:80]!r}): what could be read was kept; "
                    "check the duration, season and number"})
            for name, got in extras.items():
                if name not in _READ:
                    found.dropped.append({"field": f"powerpress {name}", "why": (
                        f"a PowerPress field syndicate does not read ({name} = {got[:60]!r})")})
    if found is not None:
        for url in found.others:
            found.dropped.append({"field": "enclosure", "why": (
                f"a second enclosure ({url[:200]}): an episode has one audio file; the notes "
                "link to it")})
        return found
    url = (values.get("audio_file") or values.get("episode_mp3_url") or "").strip()
    if url:  # Seriously Simple Podcasting and its kin
        return Audio(url, _int(values.get("filesize_raw"), MAX_LENGTH), "", values)
    return None


def _int(value: str | None, limit: int = 10**6) -> int | None:
    value = (value or "").strip()
    if not value.isdecimal() or len(value) > 15:
        return None
    n = int(value)
    return n if 0 < n <= limit else None


def _duration(value: str | None) -> float | None:
    from ..model import parse_timestamp

    try:
        return parse_timestamp(value.strip()) if value and value.strip() else None
    except ValueError:
        return None




def episode(audio: Audio, title: str, guid: str | None, when, notes_html: str, base: str,
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
    ep.kept = [name for name, there in (
        ("title", title), ("guid", guid), ("date", True), ("enclosure", True),
        ("duration", ep.duration is not None), ("season", ep.season is not None),
        ("number", ep.number is not None), ("type", any(v.get(k) for k in _TYPE_KEYS)),
        ("explicit", ep.explicit is not None), ("notes", notes_html.strip())) if there]
    ep.dropped = [dict(d) for d in audio.dropped]
    return ep, ""
