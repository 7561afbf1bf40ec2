"""The counting rules, all of them, after the IAB Podcast Measurement Technical Guidelines (v2).

Each rule and its reason is in the README ("Counting downloads"). A request is looked at alone
first (``request_of``): what it asked for, how it was answered, who asked. Then the requests of
one listener for one episode in one window are taken together (``DOWNLOADS``, SQL run by the
engine): their bytes summed, one download if they reach ``needed_bytes``.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import re
from dataclasses import dataclass

from .hit import Hit

WINDOW = "UTC day"  # one download per listener per episode per calendar day in UTC
KEPT_STATUSES = frozenset((200, 206))  # 304, redirects and errors delivered no audio
METHODS = frozenset(("GET",))  # HEAD asks about a file without taking it
PROBE = "bytes=0-1"  # players ask for two bytes to learn a file's size: not a listen
PROBE_BYTES = 2  # where a log does not say the range: a 206 of at most this many bytes
AUDIO_SECONDS = 60  # a download is the file's header plus one minute of audio (or all of it)
SALT_DAYS = 2  # a day's salt is kept this many days after it ends (logs arrive late), then gone

# Bots, crawlers and server-side fetchers, by user agent (searched anywhere in it, ignoring
# case). An empty user agent is no listening app either.
BOTS: tuple[tuple[str, str], ...] = (
    (r"^-?$", "no user agent"),
    (r"bot\b|bot/|crawl|spider|slurp", "crawlers (Googlebot, bingbot, Applebot, ...)"),
    (r"facebookexternalhit|embedly|preview", "link previews"),
    (r"^itms|itunes-feed|feedfetcher|feedburner|podcastindex|podnews|feedly", "feed checkers"),
    (r"curl/|wget/|python-requests|python-urllib|aiohttp|httpx|go-http-client|java/|"
     r"libwww-perl|okhttp/\S+$|axios/|node-fetch|scrapy|httpclient|guzzle",
     "libraries and command-line tools"),
    (r"headlesschrome|phantomjs|lighthouse|pingdom|uptime|monitor|ia_archiver|archive\.org",
     "monitors, archivers and headless browsers"),
)
# Listening apps by user agent, first match wins (specific apps before Apple's shared player
# and before browsers); no match is "other".
APPS: tuple[tuple[str, str], ...] = (
    (r"spotify", "Spotify"),
    (r"overcast", "Overcast"),
    (r"pocket ?casts", "Pocket Casts"),
    (r"antennapod", "AntennaPod"),
    (r"castro", "Castro"),
    (r"podcast ?addict", "Podcast Addict"),
    (r"castbox", "Castbox"),
    (r"podverse", "Podverse"),
    (r"fountain", "Fountain"),
    (r"podcast ?guru", "Podcast Guru"),
    (r"player ?fm", "Player FM"),
    (r"^podcasts/|applecoremedia|itunes/|apple ?podcasts|watchos", "Apple Podcasts"),
    (r"vlc|mpv|foobar2000|winamp", "media players"),
    (r"mozilla/|chrome/|safari/|firefox/|edg/|opera", "web browsers"),
)
OTHER = "other"
_BOT = re.compile("|".join(f"(?:{p})" for p, _ in BOTS), re.I)
_APPS = [(re.compile(p, re.I), name) for p, name in APPS]


@functools.lru_cache(maxsize=4096)  # (a log holds few user agents, each many times)
def is_bot(agent: str) -> bool:
    return _BOT.search(agent.strip()) is not None


@functools.lru_cache(maxsize=4096)
def app_of(agent: str) -> str:
    for pattern, name in _APPS:
        if pattern.search(agent):
            return name
    return OTHER


@functools.lru_cache(maxsize=65536)
def network_of(ip: str) -> str | None:
    """The part of an address that names a listener: an IPv4 address whole, an IPv6 address's
    /64 (one household or phone network takes a /64 and changes the rest at will)."""
    try:
        addr = ipaddress.ip_address(ip.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped:
            return str(addr.ipv4_mapped)
        return str(ipaddress.IPv6Network((addr, 64), strict=False).network_address) + "/64"
    return str(addr)


def listener_of(salt: bytes, network: str, agent: str) -> str:
    """What stands for a listener: a hash of their network and user agent keyed with the day's
    salt. The address itself is never kept; once the salt is gone, nobody can tell whose hash
    it was, nor match it with another day's."""
    digest = hashlib.blake2b(f"{network}\n{agent}".encode("utf-8", "surrogatepass"), key=salt,
                             digest_size=12)
    return digest.hexdigest()


def is_probe(hit: Hit) -> bool:
    if hit.range is not None:
        return hit.range.replace(" ", "").lower() == PROBE
    return hit.status == 206 and hit.sent <= PROBE_BYTES


@dataclass(frozen=True, slots=True)
class Request:
    """One request that may count: the listener (hashed), the app, the bytes sent."""

    day: str  # YYYY-MM-DD (UTC)
    listener: str
    episode: str  # the episode's slug
    app: str
    sent: int


def request_of(hit: Hit, episode: str | None, salt_of) -> Request | None:
    """``hit`` as a request that may count toward a download, or None if it cannot.
    ``episode`` is the episode whose published file it asked for (None: not an episode's
    file); ``salt_of(day)`` gives that day's salt."""
    if episode is None or hit.method not in METHODS or hit.status not in KEPT_STATUSES:
        return None
    if is_probe(hit) or hit.sent <= 0 or is_bot(hit.agent):
        return None
    network = network_of(hit.ip)
    if network is None:
        return None
    day = hit.time.date().isoformat()
    return Request(day, listener_of(salt_of(day), network, hit.agent), episode,
                   app_of(hit.agent), hit.sent)


def needed_bytes(size: int, seconds: float | None, kbps: int | None = None) -> int:
    """Bytes a listener must have been sent for a download: the file's header (what is not
    audio: the ID3 tag with its art) and one minute of audio, or the whole file if shorter.
    The audio's rate is the bitrate syndicate encoded at where known, else the file's size
    over its duration (a header of 0)."""
    if size <= 0:
        return 1
    if not seconds or seconds <= 0:
        return size
    rate = kbps * 125 if kbps else size / seconds  # bytes per second of audio
    header = max(0.0, size - rate * seconds)
    return max(1, min(size, math.ceil(header + AUDIO_SECONDS * rate)))


# The requests of one listener for one episode in one day, summed; a download when they reach
# the episode's needed bytes. The app is the one the listener's user agent names (the same
# user agent for every request of a listener, so one app).
DOWNLOADS = """
SELECT l.day, l.episode, l.app, count(*) AS downloads
FROM (SELECT day, listener, episode, any_value(app) AS app, sum(sent) AS sent
      FROM listens GROUP BY day, listener, episode) l
JOIN episodes e ON e.slug = l.episode
WHERE l.sent >= e.needed
GROUP BY l.day, l.episode, l.app
"""
