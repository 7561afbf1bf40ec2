"""Media types: the one table of what each kind of file syndicate publishes or reads is.

Python's ``mimetypes`` depends on the machine's tables and misses several podcast types, so the
table is ours. Publishing (Content-Type headers, the feeds' enclosure and transcript types),
passthrough audio, sidecars and the podcast importer all read it here.

Beside it, the cache policy each published file is served with (``cache_policy``): what may be
kept how long by browsers, CDNs and podcast apps. Every output of a publish is given both when it
is built (``publish/build.py``), and every target serves them as given.
"""

from __future__ import annotations

# extension: the type an object is served with (text types with their charset)
TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".opus": "audio/opus",  # Ogg Opus, as the Podcast Index namespace types it
    ".xml": "application/rss+xml; charset=utf-8",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".txt": "text/plain; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".html": "text/html; charset=utf-8",
    # a theme's static files
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
    ".woff2": "font/woff2",
    # files a post or an episode links beside it (its attachments): typed, so a browser opens
    # them (a PDF at its #page=, a video in its player) rather than saving them
    ".htm": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".markdown": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".pdf": "application/pdf",
    ".epub": "application/epub+zip",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".rtf": "application/rtf",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".avif": "image/avif",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".aac": "audio/aac",
    ".mjs": "text/javascript; charset=utf-8",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}
RSS = TYPES[".xml"]
SITEMAP = "application/xml; charset=utf-8"  # sitemap.xml (every other .xml the site has is a feed)
ATOM = "application/atom+xml; charset=utf-8"
JSON_FEED = "application/feed+json"  # JSON Feed 1.1 (feed.json, podcast.json)
UNKNOWN = "application/octet-stream"

# the types podcast feeds give audio under, and the extension such audio is published with
AUDIO_EXTENSION_OF = {"audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/x-m4a": ".m4a",
                      "audio/mp4": ".m4a", "audio/m4a": ".m4a", "audio/aac": ".m4a"}
# the types a sidecar may state for audio kept at its URL
ENCLOSURE_TYPES = ("audio/mpeg", "audio/x-m4a", "audio/mp4", "audio/aac")
# the images a post may show from the folder beside it (published beside its page)
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})
# the files an episode's transcript may be
TRANSCRIPT_SUFFIXES = frozenset({".vtt", ".srt", ".txt", ".html", ".json"})
# the types a sidecar may state for a transcript kept at its URL (``transcript_type:``): those
# of the files a transcript may be, as they are served
TRANSCRIPT_TYPES = tuple(sorted({TYPES[s].split(";")[0] for s in TRANSCRIPT_SUFFIXES}))
# transcripts whose cues carry times
TIMED_TRANSCRIPT_TYPES = ("application/json", "application/x-subrip", "text/vtt")
# a Podcast Index chapters file, as podcast:chapters names its type
CHAPTERS = "application/json+chapters"
# the types feeds give transcripts under (podcast:transcript), and the file each becomes, best
# first: captions with timings before plain text
TRANSCRIPT_SUFFIX_OF = {"text/vtt": ".vtt", "application/x-subrip": ".srt",
                        "application/srt": ".srt", "text/srt": ".srt",
                        "application/json": ".json", "text/html": ".html", "text/plain": ".txt"}
# what a host may serve a file under, by the type a feed declares it with (podcast:transcript,
# podcast:chapters), for apps and browsers to read it as that: WebVTT only as text/vtt (browsers
# load a <track> of no other type); SRT, which has no registered type, under any of its
# spellings or as plain text; a chapters file as JSON
SERVED_AS = {"text/vtt": ("text/vtt",), "application/json": ("application/json",),
             "text/html": ("text/html",), "text/plain": ("text/plain",),
             CHAPTERS: (CHAPTERS, "application/json")}
for _srt in ("application/x-subrip", "application/srt", "text/srt"):
    SERVED_AS[_srt] = ("application/x-subrip", "application/srt", "text/srt", "text/plain")
# the types a page is served as, for browsers to show it
PAGE_TYPES = ("text/html", "application/xhtml+xml")
# the types episode art comes in, and the file each becomes
IMAGE_SUFFIX_OF = {"image/jpeg": ".jpg", "image/jpg": ".jpg", "image/png": ".png"}


def of(suffix: str) -> str:
    """The type a file with this extension is served with."""
    return TYPES.get(suffix.lower(), UNKNOWN)


def main_type(header: str | None) -> str:
    """The type a Content-Type header names, without its parameters, lower case ('' for none)."""
    return (header or "").split(";")[0].strip().lower()


def of_key(key: str) -> str:
    """The type a published key is served with, by its extension (the Atom feed, whatever its
    name, is typed by the one who builds it: ``ATOM``)."""
    if key == "sitemap.xml":
        return SITEMAP
    name = key.rsplit("/", 1)[-1]
    return of(name[name.rfind("."):]) if "." in name else UNKNOWN


# Cache-Control, by what a file is. A file whose key names its content (audio and art carry
# their sha256 in the name) never changes under that key: kept for a year, never asked again.
# Everything else may change at any publish: feeds so podcast apps and hubs see a release within
# minutes, pages and the rest alike.
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
# a full archive page of a paged feed (render/paging.py): it changes only when one of its items
# is edited, so apps may keep it a week, not a year. Media such a page named is kept this long
# beyond its grace period (publish/grace.py), so no cached page leads to a removed file.
ARCHIVE_MAX_AGE = 604800  # seconds
ARCHIVED = f"public, max-age={ARCHIVE_MAX_AGE}"
CACHE_POLICY = {"feed": SHORT, "page": SHORT, "asset": SHORT, "media": SHORT,
                "archive": ARCHIVED}


def cache_policy(kind: str, addressed: bool = False) -> str:
    """The Cache-Control of an output of this kind (feed, page, asset, media, archive: a full
    archive page of a paged feed); ``addressed``:
    its key changes whenever its content does."""
    return IMMUTABLE if addressed else CACHE_POLICY[kind]
