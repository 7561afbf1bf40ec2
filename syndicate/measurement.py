"""The measurement prefix (``podcast.measurement_prefix``): a redirect service put before every
enclosure address of the podcast feeds, so that it counts the downloads it passes on (OP3's
``https://op3.dev/e/``, Podtrac's ``https://dts.podtrac.com/redirect.mp3/``).

Such a service takes the file's address after its own, without the ``https://``, and answers
with a redirect to it. Only the feeds' enclosures carry it (the RSS enclosure, its
podcast:alternateEnclosure renditions and trailers, the JSON Feed's attachments); a guid never
does, nor does a link or a page's download link. Taking the key away gives the direct
addresses back, and the guids are the same either way."""

from __future__ import annotations

from urllib.parse import urlsplit

from .urls import credential_in, redact

EXAMPLE = "https://op3.dev/e/"


def check_prefix(value: str) -> str:
    """A measurement prefix as config.yaml may give it: an https address with a host, no
    credential, no query and no fragment; ending with one '/' (added where it is left out),
    for the file's address goes after it. ValueError saying what is expected otherwise."""
    found = credential_in(value)
    if found:
        raise ValueError(f"{redact(value)} holds {found}, and every enclosure address would "
                         "publish it; give the service's public prefix, such as "
                         f"'{EXAMPLE}'")
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() != "https" or not parts.hostname or \
            any(c.isspace() for c in value.strip()):
        raise ValueError(f"expected an https address such as '{EXAMPLE}' (the service's "
                         f"prefix), got {redact(value)!r}")
    if "?" in value or "#" in value:
        raise ValueError(f"expected a prefix without '?' or '#' (the file's address goes after "
                         f"it), such as '{EXAMPLE}', got {redact(value)!r}")
    return value.strip().rstrip("/") + "/"


def measured(url: str, prefix: str | None) -> str:
    """``url`` as the podcast feeds give it: after ``prefix`` without its ``https://`` (an
    address of another scheme whole), or as it is without a prefix."""
    if not prefix:
        return url
    return prefix + (url[len("https://"):] if url.lower().startswith("https://") else url)


def direct(url: str, prefix: str | None) -> str:
    """The file's own address behind ``url`` as ``measured`` made it (``url`` when it does not
    start with ``prefix``): what ``check`` asks, so that checking counts no download."""
    if not prefix or not url.startswith(prefix):
        return url
    rest = url[len(prefix):]
    return rest if rest.lower().startswith(("http://", "https://")) else "https://" + rest
