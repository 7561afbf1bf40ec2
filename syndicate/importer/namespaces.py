"""The one place that knows how real feeds spell the namespaces an import reads.

Podcast apps accept the iTunes namespace in any case and over https, and the Podcast Index
namespace under its older GitHub address and over http, with or without a trailing slash.
``normalise`` renames every element and attribute of a parsed feed to the one spelling the
readers use, so no reader needs to know the others.
"""

from __future__ import annotations

import re

from ..render.podcast_ext import ITUNES, PODCAST  # the spellings syndicate itself writes

CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS = {"itunes": ITUNES, "podcast": PODCAST, "content": CONTENT}

# a namespace URI with its scheme and trailing slashes taken off, in lower case -> its spelling
_SAME = {
    "www.itunes.com/dtds/podcast-1.0.dtd": ITUNES,
    "itunes.com/dtds/podcast-1.0.dtd": ITUNES,
    "podcastindex.org/namespace/1.0": PODCAST,
    "github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md": PODCAST,
    "purl.org/rss/1.0/modules/content": CONTENT,
}


def canonical(uri: str) -> str:
    """The spelling the readers use for namespace ``uri`` (``uri`` itself when unknown)."""
    key = uri.strip().lower()
    for scheme in ("https://", "http://"):
        if key.startswith(scheme):
            key = key[len(scheme):]
            break
    else:
        return uri
    return _SAME.get(key.rstrip("/"), uri)


def _renamed(name: str, seen: dict[str, str]) -> str:
    if not name.startswith("{"):
        return name
    uri, _, local = name[1:].partition("}")
    spelled = seen.get(uri)
    if spelled is None:
        spelled = seen[uri] = canonical(uri)
    return name if spelled == uri else f"{{{spelled}}}{local}"


def normalise(root) -> None:
    """Rename, in place, every element and attribute of ``root`` (an lxml element) in a known
    namespace to that namespace's one spelling."""
    seen: dict[str, str] = {}
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):  # a comment or a processing instruction
            continue
        new = _renamed(tag, seen)
        if new is not tag:
            el.tag = new
        for key in [k for k in el.attrib if k.startswith("{")]:
            new = _renamed(key, seen)
            if new != key:
                el.attrib[new] = el.attrib.pop(key)


# a namespace declaration as it is written: xmlns="..." or xmlns:prefix='...'
_DECLARED = re.compile(rb"""xmlns(?::[^\s=>]*)?\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def spelled_as_read(data: bytes) -> bool:
    """Whether every namespace the feed ``data`` declares is spelled as the readers spell it
    (or is one they do not read), so that ``normalise`` would rename nothing and need not
    visit every element. False wherever the bytes cannot tell: a declaration holding an
    entity or a character reference, a URI that is not ASCII, bytes that are not
    ASCII-compatible (UTF-16, UTF-32)."""
    if b"\x00" in data:
        return False
    for m in _DECLARED.finditer(data):
        raw = m.group(1) if m.group(1) is not None else m.group(2)
        if b"&" in raw or not raw.isascii():
            return False
        uri = raw.decode("ascii")
        if canonical(uri) != uri:
            return False
    return True


# element names of the two podcast namespaces as feeds write them: a reader that folds names
# to lower case (feedparser's ``podcast_alternateenclosure``) is reported in these spellings
_SPELLED = {n.lower(): n for n in (
    "alternateEnclosure", "block", "chapters", "chat", "contentLink", "episode", "funding",
    "guid", "image", "images", "integrity", "license", "liveItem", "location", "locked",
    "medium", "person", "podping", "podroll", "publisher", "remoteItem", "season",
    "socialInteract", "soundbite", "source", "trailer", "transcript", "txt", "updateFrequency",
    "value", "valueRecipient", "valueTimeSplit", "author", "category", "complete", "duration",
    "episodeType", "explicit", "isClosedCaptioned", "keywords", "new-feed-url", "order",
    "owner", "subtitle", "summary", "title", "type")}


def tag_name(key: str) -> str:
    """A feed reader's key (``podcast_alternateenclosure``, ``itunes_explicit``) as the tag the
    feed wrote (``podcast:alternateEnclosure``); other keys as they are."""
    prefix, _, local = key.partition("_")
    if prefix not in ("podcast", "itunes") or not local:
        return key
    return f"{prefix}:{_SPELLED.get(local.lower(), local)}"
