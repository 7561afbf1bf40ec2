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

from ..mediatypes import AUDIO_EXTENSION_OF
from ..model import parse_timestamp
from .sources import parse_date

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
MAX_LENGTH = 2**40  # bytes: an enclosure said to be larger is no episode's audio


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
    date_text: str | None = None  # the pubDate as written, when it is no date
    draft: bool = False  # never published (a WordPress draft)


@dataclass
class PodcastFeed:
    title: str
    guid: str | None
    locked: bool
    owner_email: str | None
    episodes: list[FeedEpisode] = field(default_factory=list)
    left_out: list[dict] = field(default_factory=list)  # items that are not audio episodes


def _text(node, path: str, ns: dict | None = None) -> str | None:
    found = node.find(path, ns or {})
    return found.text.strip() if found is not None and found.text else None


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


def _is_audio(enc) -> bool:
    return ((enc.get("type") or "").startswith("audio/")
            or os.path.splitext(urlsplit(enc.get("url") or "").path)[1].lower()
            in (".mp3", ".m4a"))


def is_podcast(root) -> bool:
    """A show, not a blog: iTunes channel tags, or audio in at least half of the items (a
    blog feed with the odd post carrying a recording stays a blog feed)."""
    ch = root.find("channel")
    if ch is None:
        return False
    if ch.find(f"{{{ITUNES}}}author") is not None or ch.find(f"{{{ITUNES}}}category") is not None \
            or ch.find(f"{{{ITUNES}}}owner") is not None:
        return any(_is_audio(enc) for enc in ch.iterfind("item/enclosure"))
    items = ch.findall("item")
    audio = sum(1 for it in items if (enc := it.find("enclosure")) is not None and _is_audio(enc))
    return bool(items) and audio * 2 >= len(items)


def parse_podcast(root, base_url: str | None = None) -> PodcastFeed:
    """The show and its episodes from a parsed RSS document (``lxml`` root element)."""
    ch = root.find("channel")
    ns = {"itunes": ITUNES, "podcast": PODCAST, "content": CONTENT}
    locked = ch.find("podcast:locked", ns)
    owner = (locked.get("owner") if locked is not None else None) or _text(
        ch, "itunes:owner/itunes:email", ns)
    feed = PodcastFeed(title=_text(ch, "title") or "", guid=_text(ch, "podcast:guid", ns),
                       locked=locked is not None and (locked.text or "").strip().lower() == "yes",
                       owner_email=owner)
    for item in ch.iterfind("item"):
        enc = item.find("enclosure")
        title = _text(item, "title") or _text(item, "itunes:title", ns)
        if enc is None or not enc.get("url"):
            feed.left_out.append({"title": title or _text(item, "guid") or "(untitled)",
                                  "guid": _text(item, "guid"),
                                  "reason": "no enclosure: not an episode"})
            continue
        url = urljoin(base_url or "", enc.get("url").strip())
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            feed.left_out.append({
                "title": title or _text(item, "guid") or url[:200],
                "guid": _text(item, "guid") or url[:200],
                "reason": f"its enclosure URL {url[:200]!r} is not an http(s) address"})
            continue
        kind = (enc.get("type") or "").split(";")[0].strip().lower()
        ext = AUDIO_EXTENSION_OF.get(kind) or os.path.splitext(urlsplit(url).path)[1].lower()
        if ext not in (".mp3", ".m4a"):
            feed.left_out.append({
                "title": title or _text(item, "guid") or url, "guid": _text(item, "guid") or url,
                "reason": f"its enclosure is {kind or 'of unknown type'} ({url}); syndicate "
                          "publishes MP3 and M4A audio only"})
            continue
        guid = _text(item, "guid") or url
        explicit = (_text(item, "itunes:explicit", ns) or "").lower()
        feed.episodes.append(FeedEpisode(
            title=title or guid,
            guid=guid, date=parse_date(_text(item, "pubDate")),
            date_text=_text(item, "pubDate"),
            notes_html=_text(item, "content:encoded", ns) or _text(item, "description") or "",
            audio_url=url, audio_length=_int(enc.get("length"), MAX_LENGTH), audio_ext=ext,
            season=_int(_text(item, "itunes:season", ns)),
            number=_int(_text(item, "itunes:episode", ns)),
            type=(_text(item, "itunes:episodeType", ns) or "full").lower(),
            explicit=True if explicit in ("yes", "true", "explicit") else
            False if explicit in ("no", "false", "clean") else None,
            duration=_duration(_text(item, "itunes:duration", ns))))
    return feed


def download(url: str, dest: Path, parts_dir: Path, *, expected: int | None,
             http=None) -> Path:
    """Stream ``url`` to ``dest``; resume a previous partial download; check the size."""
    import requests

    from . import SourceError
    from .fetch import TIMEOUT, session

    parts_dir.mkdir(parents=True, exist_ok=True)
    part = parts_dir / (hashlib.sha256(url.encode()).hexdigest()[:16] + ".part")
    own = http is None
    http = http or session()
    try:
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            resp = http.get(url, stream=True, timeout=TIMEOUT, headers=headers)
        except requests.ConnectionError as exc:
            raise SourceError(f"{url}: cannot reach the old host ({type(exc).__name__}); "
                              "check the address, or run the import again later") from None
        if resp.status_code == 416 and expected and have == expected:
            resp.close()
        else:
            if resp.status_code >= 400:
                raise SourceError(f"{url}: the server answered HTTP {resp.status_code} for the "
                                  "episode's audio")
            mode = "ab" if have and resp.status_code == 206 else "wb"
            total = resp.headers.get("Content-Length")
            total = int(total) + (have if mode == "ab" else 0) if total and total.isdigit() \
                else None
            with open(part, mode) as f:
                written = have if mode == "ab" else 0
                for chunk in resp.iter_content(1 << 16):
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
    except requests.RequestException as exc:
        raise SourceError(f"{url}: {type(exc).__name__}: {exc}") from None
    finally:
        if own:
            http.close()
