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


# query parameters that carry a secret: a token, a key, a signature (S3's X-Amz-Signature...)
_SECRET_PARAM = re.compile(
    r"(secret|passw(or)?d|pwd|token|credential|api_?key|access_?key|auth|signature|^sig$"
    r"|^key$|session)", re.IGNORECASE)


def credential_in(url: str) -> str | None:
    """What in ``url`` looks like a credential (a user name or password, a query parameter
    such as ``token=`` or ``X-Amz-Signature=``), said without its value; None if nothing does.
    An address we publish is read by every listener: it must not carry one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if "@" in parts.netloc:
        return "a user name or password before '@'"
    for pair in parts.query.split("&"):
        name = pair.split("=", 1)[0]
        if name and _SECRET_PARAM.search(name):
            return f"the query parameter {name[:60]!r}"
    return None


def public_url(value: object, example: str = "https://example.com/") -> str:
    """``value`` if it is a web address (see ``web_url``) that carries no credential."""
    secret = credential_in(value) if isinstance(value, str) else None
    if secret:  # said first, and without the address: no message shows the credential
        raise ValueError(f"the address carries a credential ({secret}) and would be published "
                         "to every listener; give an address that needs none")
    return web_url(value, example)


def is_web_url(value: object) -> bool:
    try:
        web_url(value)
    except ValueError:
        return False
    return True


# -- addresses in messages: never show a credential ---------------------------------------------
_HIDDEN = "***"
# an address as it may appear in running text (a message, an exception's words)
_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>)]*[^\s'\"<>).,;:!?]")
# a query string as it may appear without its address (requests: "with url: /hub?token=...")
_QUERY_IN_TEXT = re.compile(
    r"(?<=[?&])([^=&\s'\"<>)#]+)=(?:[^&\s'\"<>)#]*[^&\s'\"<>)#.,;:!?])?")


def redact(url: object) -> str:
    """``url`` fit for a message: a user name and password become ``***``, as does the value of
    every query parameter (a hub's ``?token=``, a signed address), so no credential is shown.
    Used by every message that names an address (pings, the S3 endpoint, checks, imports)."""
    text = str(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return _QUERY_IN_TEXT.sub(lambda m: f"{m.group(1)}={_HIDDEN}", text)
    netloc = parts.netloc
    if "@" not in netloc and not parts.query:
        return text  # nothing to hide
    if "@" in netloc:
        netloc = _HIDDEN + "@" + netloc.rsplit("@", 1)[1]
    query = _QUERY_IN_TEXT.sub(lambda m: f"{m.group(1)}={_HIDDEN}", "?" + parts.query)[1:] \
        if parts.query else ""
    if query and "=" not in parts.query:
        query = _HIDDEN  # a bare ?SECRET
    scheme = text[:len(parts.scheme)]
    out = f"{scheme}://{netloc}{parts.path}" if parts.scheme else f"{netloc}{parts.path}"
    if not parts.scheme and not netloc:
        out = parts.path
    return out + (f"?{query}" if parts.query else "")


def redact_text(text: object) -> str:
    """``text`` (a message, an exception's words) with every address in it redacted, and every
    query string's values hidden, wherever they appear."""
    out = _IN_TEXT.sub(lambda m: redact(m.group()), str(text))
    return _QUERY_IN_TEXT.sub(lambda m: f"{m.group(1)}={_HIDDEN}", out)
