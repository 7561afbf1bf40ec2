"""Web addresses we publish: http(s) only, with a host, and nothing that could break out of
where they land (an HTML or XML attribute, JSON, a header).

One checker for every address that reaches the site: the site and media base URLs, funding
links, WebSub hubs, chapter links, audio kept at its old host.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# whitespace, controls, quotes, angle brackets and the other characters RFC 3986 never allows
# unescaped, plus what XML cannot carry (surrogates, U+FFFE/U+FFFF)
_BAD = re.compile(r'[\x00-\x20\x7f-\x9f"<>\\^`{|}\ud800-\udfff\ufffe\uffff]')
_MAX = 2048


def web_url(value: object, example: str = "https://example.com/") -> str:
    """``value`` if it is an http:// or https:// address with a host; else ValueError saying
    what is expected (``javascript:``, ``data:``, ``file:`` and the like are never published)."""
    expected = f"expected an http(s) URL such as '{example}'"
    if not isinstance(value, str):
        raise ValueError(f"{expected}, got {value!r}")
    shown = value if len(value) <= 200 else value[:200] + "..."
    if len(value) > _MAX:
        raise ValueError(f"{expected} of at most {_MAX} characters, got {len(value)} characters")
    bad = _BAD.search(value)
    if bad:
        raise ValueError(f"{expected}, got {shown!r} (it holds {bad.group()!r}; "
                         "percent-encode it)")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise ValueError(f"{expected}, got {shown!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname \
            or not value.lower().startswith(("http://", "https://")):
        raise ValueError(f"{expected}, got {shown!r}")
    return value


def is_web_url(value: object) -> bool:
    try:
        web_url(value)
    except ValueError:
        return False
    return True
