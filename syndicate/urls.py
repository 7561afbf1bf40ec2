"""Web addresses we publish: http(s) only, with a host, and nothing that could break out of
where they land (an HTML or XML attribute, JSON, a header).

One checker for every address that reaches the site: the site and media base URLs, funding
links, WebSub hubs, chapter links, audio kept at its old host.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit, urlunsplit

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
    shown = redact(value)  # a message never repeats a credential the address holds
    shown = shown if len(shown) <= 200 else shown[:200] + "..."
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


# -- addresses that would publish a credential ---------------------------------------------------
# query parameters whose value is (or signs with) a secret: a token, a signature, a key, a
# password, an S3 presigned address's X-Amz-* fields; judged by the words of the name, so
# ``access_token`` and ``apiKey`` count and ``design`` or ``page`` do not
_SECRET_WORDS = {"token", "sig", "signature", "key", "apikey", "pass", "password", "passwd",
                 "pwd", "secret", "auth", "authorization", "credential", "credentials",
                 "session", "sessionid", "private", "jwt", "otp"}
_SECRET_ENDS = ("token", "key", "secret", "password", "passwd", "signature", "credential")


@lru_cache(maxsize=1024)  # an import asks about the same few names for every item
def _secret_name(name: str) -> bool:
    lower = name.lower()
    if lower.startswith(("x-amz-", "x_amz_")):
        return True
    words = re.findall(r"[a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).lower())
    return any(w in _SECRET_WORDS or w.endswith(_SECRET_ENDS) for w in words) or \
        lower.replace("-", "").replace("_", "") in _SECRET_WORDS


# user:password@host written without a scheme (a connection string, a config value pasted into
# a text): a user name, a colon, a password, an @, then a host name with a dot, an IPv4 or IPv6
# address or localhost (a port and a path may follow). Ordinary text has the shape too, and is
# no credential: an address after a label or scheme ("mailto:me@example.org", "Email:me@...",
# a tag: guid), and a time ("10:30@home.example")
_HOST = (r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
         r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?|\d{1,3}(?:\.\d{1,3}){3}|localhost|\[[0-9A-Fa-f:.]+\]")
_BARE_USERINFO = re.compile(
    r"(?<![A-Za-z0-9._~%+\-/:@])(?P<user>[A-Za-z0-9._~%+\-]+):"
    r"(?P<password>[^\s@/?#'\"<>()\[\]`]+)@"
    rf"(?P<host>{_HOST})(?![A-Za-z0-9-])(?::\d{{1,5}})?"
    r"(?:[/?#][^\s'\"<>)\]`]*[^\s'\"<>)\]`.,;:!?])?")
_NOT_USERS = frozenset((
    "mailto", "sip", "sips", "xmpp", "acct", "im", "pres", "tag", "mid", "cid", "news",
    "nntp", "snews", "email", "e-mail", "mail", "contact", "from", "to", "cc", "bcc",
    "reply-to", "re", "fw", "fwd"))
_TIME = re.compile(r"\d{1,2}")
_MINUTES = re.compile(r"\d{2}(?::\d{2})?(?:am|pm)?", re.I)
USERINFO = "a user name or password (user:password@)"


def _bare(match: re.Match) -> bool:
    """Whether a ``_BARE_USERINFO`` match is a credential rather than ordinary text."""
    user = match.group("user")
    if user.lower() in _NOT_USERS:
        return False
    return not (_TIME.fullmatch(user) and _MINUTES.fullmatch(match.group("password")))


def bare_userinfo(text: str) -> list[re.Match]:
    """Each ``user:password@host`` written in ``text`` without a scheme (see _BARE_USERINFO)."""
    if "@" not in text:
        return []
    return [m for m in _BARE_USERINFO.finditer(text) if _bare(m)]


def credential_in(url: str) -> str | None:
    """What credential ``url`` carries, in words ("a user name and password", "the query
    parameter 'token'"), or None. The one test of whether an address may be published: every
    address config.yaml or a sidecar puts in a feed or a page, and every one the importer
    would write into a sidecar, goes through it."""
    from urllib.parse import parse_qsl

    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.netloc.rpartition("@")[0]:  # (an empty one, https://@host, holds nothing)
        return USERINFO
    if "//" not in url and (bare := bare_userinfo(url.strip())) and \
            bare[0].span() == (0, len(url.strip())):  # user:password@host, no scheme
        return USERINFO
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        if _secret_name(name):
            return f"the query parameter {name[:40]!r}"
    for name, _ in parse_qsl(parts.fragment, keep_blank_values=True):  # #access_token=...
        if _secret_name(name):
            return f"the fragment parameter {name[:40]!r}"
    return None


def without_credentials(url: str) -> str:
    """``url`` with its user name and password taken out and the value of each query parameter
    that is a credential (``credential_in``'s test) made ``***``; the rest as it was, so two
    addresses differing elsewhere stay two. For an address kept where no secret belongs (the
    catalog's record of an import)."""
    if credential_in(url) is None:
        return url
    if "//" not in url and (bare := bare_userinfo(url)):  # user:password@host, no scheme
        return url[:bare[0].start()] + url[bare[0].start("host"):]
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    def hidden(params: str) -> str:
        return "&".join(f"{name}={_HIDDEN}" if _secret_name(unquote(name)) else pair
                        for pair in params.split("&")
                        for name in [pair.split("=", 1)[0]]) if params else ""

    return urlunsplit((parts.scheme, netloc, parts.path, hidden(parts.query),
                       hidden(parts.fragment)))


def public_url(value: object, example: str = "https://example.com/") -> str:
    """``web_url(value)``, and also free of credentials: for an address that is published."""
    found = credential_in(value) if isinstance(value, str) else None
    if found:  # said before any other check, and never with the credential itself
        raise ValueError(
            f"{redact(value)} holds {found}, and this address is published in the feeds and "
            "pages for anyone to read; remove the credential (a public address needs none), "
            "and change it if it was ever published or shared")
    return web_url(value, example)


# -- addresses in messages: never show a credential ---------------------------------------------
_HIDDEN = "***"
# an address as it may appear in running text (a message, an exception's words)
# (or with its scheme left out: //user:password@host/...)
_IN_TEXT = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^\s'\"<>)]*[^\s'\"<>).,;:!?]")
# a query string as it may appear without its address (requests: "with url: /hub?token=...")
_QUERY_IN_TEXT = re.compile(
    r"(?<=[?&])([^=&\s'\"<>)#]+)=(?:[^&\s'\"<>)#]*[^&\s'\"<>)#.,;:!?])?")


def redact(url: object) -> str:
    """``url`` fit for a message: a user name and password become ``***``, as does the value of
    every query parameter (a hub's ``?token=``, a signed address), so no credential is shown.
    Used by every message that names an address (pings, the S3 endpoint, checks, imports)."""
    text = str(url)
    head = re.split(r"[?#]", text, maxsplit=1)[0]
    try:
        parts = urlsplit(text)
    except ValueError:  # (a broken [IPv6 host)
        parts = None
    if "@" in head and (parts is None or "//" not in head.split("@")[0]):
        # a user name (and password) with no // before it (the scheme left out or misspelt:
        # "AKIA:pw@host", "http:/u:pw@host"), or in an address that cannot be read: all
        # before the @ is hidden but a scheme
        scheme = head.partition("://")[0] + "://" if "://" in head.split("@")[0] else ""
        rest = head.rpartition("@")[2] + text[len(head):]
        return f"{scheme}{_HIDDEN}@" + _QUERY_IN_TEXT.sub(
            lambda m: f"{m.group(1)}={_HIDDEN}", rest)
    if parts is None:
        return _QUERY_IN_TEXT.sub(lambda m: f"{m.group(1)}={_HIDDEN}", text)
    netloc = parts.netloc
    if "@" not in netloc and not parts.query and "=" not in parts.fragment:
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
    fragment = _QUERY_IN_TEXT.sub(lambda m: f"{m.group(1)}={_HIDDEN}", "?" + parts.fragment)[1:]
    return out + (f"?{query}" if parts.query else "") + (f"#{fragment}" if parts.fragment else "")


def origin(url: object) -> str:
    """``url`` reduced to its scheme and host (and port), the rest shown as ``***``: for an
    address whose path itself may be the secret (a webhook, a pubnotify token)."""
    text = str(url)
    try:
        parts = urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return _HIDDEN
    if not parts.scheme or not host:
        return _HIDDEN
    host = f"[{host}]" if ":" in host else host
    shown = f"{parts.scheme}://{host}{f':{port}' if port else ''}"
    rest = parts.path.strip("/") or parts.query or parts.fragment
    return shown + ("/***" if rest else "/")


def origins_only(text: object) -> str:
    """``text`` with every address in it reduced to its scheme and host (see ``origin``), and
    any other quoted value holding a '/' (an address whose scheme is missing or misspelt:
    ``hooks.example/T0/SECRET``, ``https:/hooks...``) hidden whole."""
    out = _IN_TEXT.sub(lambda m: origin(m.group()), str(text))
    return _QUOTED_PATH.sub(lambda m: m.group() if "://" in m.group(2) else
                            f"{m.group(1)}{_HIDDEN}{m.group(1)}", out)


_QUOTED_PATH = re.compile(r"""(['"])([^'"\s]*/[^'"\s]*)\1""")


def redact_text(text: object) -> str:
    """``text`` (a message, an exception's words) with every address in it redacted, and every
    query string's values hidden, wherever they appear."""
    out = redact_credentials(_IN_TEXT.sub(lambda m: redact(m.group()), str(text)))
    return _QUERY_IN_TEXT.sub(lambda m: f"{m.group(1)}={_HIDDEN}", out)


def page_address(base: str, folder: str, links: str) -> str:
    """The address of the page in ``folder`` ('' for home, else ending in '/') under ``base``, in
    the ``site.links`` style: ``directory`` ends at the folder, ``file`` names its index.html
    (what a plain S3 endpoint, with no index documents, answers)."""
    return base + quote(folder) + ("index.html" if links == "file" else "")


def redact_credentials(text: object, replace=None) -> str:
    """``text`` with every address in it that carries a credential (see ``credential_in``)
    redacted, and the others left as they are (an old post's ``?p=123`` is no secret): for
    reports that name many addresses, such as an import's. ``replace`` (default ``redact``)
    turns such an address into what is shown instead (``without_credentials`` for a page)."""
    text = str(text)
    replace = replace or redact
    if "//" in text and ("@" in text or "?" in text or "#" in text):
        text = _IN_TEXT.sub(lambda m: replace(m.group()) if credential_in(m.group())
                            else m.group(), text)
    for m in reversed(bare_userinfo(text)):  # user:password@host with no scheme
        text = text[:m.start()] + replace(m.group()) + text[m.end():]
    return text


def addresses_with_credentials(text: str) -> list[tuple[int, str]]:
    """(line, what) of each address written in ``text`` that carries a credential (one whose
    credentials are ``***`` already, as syndicate writes an import's address, carries none)."""
    found = [(m.start(), USERINFO) for m in bare_userinfo(text)]  # (no scheme)
    if "//" in text and ("@" in text or "?" in text or "#" in text):
        found += [(m.start(), what) for m in _IN_TEXT.finditer(text)
                  if (what := credential_in(m.group())) and redact(m.group()) != m.group()]
    return [(text.count("\n", 0, at) + 1, what) for at, what in sorted(found)]


def site_base(value: object, example: str = "https://example.com/") -> str:
    """``value`` if it can be a site's address (``web_url`` with no query and no fragment:
    the site's files are named under it); else ValueError saying what is expected."""
    url = web_url(value, example)
    if "?" in url or "#" in url:
        raise ValueError(f"expected a site address such as '{example}', without '?' or '#', "
                         f"got {redact(url)!r}")
    return url


def rebase(url: str, old: str, new: str) -> str:
    """``url`` moved from under ``old`` to the same place under ``new`` (a copy of a site at
    another address: its links to ``old`` are its own); any other address as it is."""
    o = urlsplit(old)
    try:
        u = urlsplit(url)
    except ValueError:
        return url
    prefix = o.path or "/"
    if (u.scheme.lower(), u.netloc.lower()) != (o.scheme.lower(), o.netloc.lower()) or \
            not (u.path or "/").startswith(prefix):
        return url
    rest = (u.path or "/")[len(prefix):]
    tail = (f"?{u.query}" if u.query else "") + (f"#{u.fragment}" if u.fragment else "")
    return new.rstrip("/") + "/" + rest + tail
