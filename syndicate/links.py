"""The addresses inside an item's body (``src``, ``href``, ``poster``): found, resolved and
rewritten in one place.

A body is written as its source file sees the world: ``![](marsh.jpg)`` names a file beside
the post, ``/about/`` the site's root, ``#fn1`` a place on the page. The feeds carry the body
away from its page, so there every address is made absolute against the item's page URL; the
pages keep relative addresses, with those of files published beside the item pointed at where
they were published. Only the attribute values change: every other byte is kept as it was.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

LINK_ATTRIBUTES = ("href", "src", "poster")

# a start tag, its attributes quoted either way or not at all (a '>' may sit inside quotes)
_TAG = re.compile(r"""<[A-Za-z][^\s/>]*"""
                  r"""(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?|\s*/)*\s*>""")
# one attribute of a start tag (its name, then its value in one of three spellings), or a '/'
_ATTR = re.compile(r"""(\s+)([^\s"'>/=]+)(?:(\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
                   r"""|\s*/""")
_NAME = re.compile(r"<[A-Za-z][^\s/>]*")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_STRIP = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15" \
         "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "


def clean(value: str) -> str:
    """An attribute's address as a browser reads it: outer spaces and controls stripped, tabs
    and line breaks inside dropped."""
    return re.sub(r"[\t\n\r]", "", value.strip(_STRIP))


def has_scheme(value: str) -> bool:
    """Whether the address names its own scheme (``https:``, ``mailto:``, ``data:``...)."""
    return bool(_SCHEME.match(value))


def rewrite(fragment: str, change: Callable[[str], str]) -> str:
    """``fragment`` with ``change`` applied to every href, src and poster (the address is given
    decoded; what it returns is escaped and double-quoted back). Values it leaves alone keep
    their bytes."""
    if "=" not in fragment:
        return fragment

    def tag(t: re.Match) -> str:
        text = t.group(0)
        pos = _NAME.match(text).end()
        out = [text[:pos]]
        while (m := _ATTR.match(text, pos)) is not None:  # attribute after attribute, so a
            pos = m.end()                                   # value is never read as one
            raw = next((g for g in m.group(4, 5, 6) if g is not None), None)
            if raw is None or m.group(2).lower() not in LINK_ATTRIBUTES:
                out.append(m.group(0))
                continue
            value = html.unescape(raw)
            new = change(value)
            out.append(m.group(0) if new == value else
                       f'{m.group(1)}{m.group(2)}{m.group(3)}"{html.escape(new, quote=True)}"')
        out.append(text[pos:])
        return "".join(out)

    return _TAG.sub(tag, fragment)


def addresses(fragment: str) -> list[str]:
    """Every href, src and poster in ``fragment``, decoded, in document order."""
    found: list[str] = []
    rewrite(fragment, lambda v: found.append(v) or v)
    return found


LOADED_ATTRIBUTES = ("src", "poster", "srcset")  # what a browser fetches as the page opens


def loaded(fragment: str) -> list[tuple[str, str]]:
    """(tag name, address) of everything in ``fragment`` a browser fetches by itself when the
    page opens (an image's src and srcset candidates, a poster), decoded, in document order;
    links a reader has to follow (href) are not here."""
    found: list[tuple[str, str]] = []
    for t in _TAG.finditer(fragment):
        text = t.group(0)
        pos = _NAME.match(text).end()
        name = text[1:pos].lower()
        while (m := _ATTR.match(text, pos)) is not None:
            pos = m.end()
            raw = next((g for g in m.group(4, 5, 6) if g is not None), None)
            attr = (m.group(2) or "").lower()
            if raw is None or attr not in LOADED_ATTRIBUTES:
                continue
            value = html.unescape(raw)
            if attr == "srcset":
                found += [(name, c.split()[0]) for c in value.split(",") if c.split()]
            else:
                found.append((name, value))
    return found


def remote_host(value: str) -> str | None:
    """The host an address is fetched from when it names one (``https://host/x``, ``//host/x``),
    else None (a path on the site, a ``data:`` address). A backslash counts as the slash
    browsers read it as in a web address (``https:\\\\host\\x`` is fetched from ``host``)."""
    address = clean(value).replace("\\", "/")
    if not (address.startswith("//") or address.lower().startswith(("http:", "https:"))):
        return None
    try:
        return urlsplit(address).hostname or None
    except ValueError:
        return None


def absolute(value: str, page_url: str) -> str:
    """``value`` as the page at ``page_url`` resolves it: an address with a scheme as it is,
    any other (relative, root-relative, protocol-relative, fragment or query only) joined."""
    address = clean(value)
    if has_scheme(address):
        return value
    return urljoin(page_url, address)


def absolute_urls(fragment: str, page_url: str) -> str:
    """An item's body for a feed: every address in it absolute, resolved against the item's
    page URL, so it leads where it led on the page wherever a reader shows it."""
    return rewrite(fragment, lambda v: absolute(v, page_url))


def local_path(value: str) -> tuple[str, str] | None:
    """(path, the query and fragment after it) of an address that may name a file beside the
    source (``marsh.jpg``, ``img/a.png?x#y``, ``../shared/notes.pdf``); None for one with a
    scheme, a host, a root-relative path, or no path at all. The path is percent-decoded."""
    address = clean(value)
    if not address or has_scheme(address) or address.startswith(("/", "\\", "#", "?")):
        return None
    parts = urlsplit(address)
    if parts.netloc or not parts.path:
        return None
    rest = (f"?{parts.query}" if parts.query else "") + \
        (f"#{parts.fragment}" if parts.fragment else "")
    return unquote(parts.path), rest


def relative_url(target: str, page_url: str) -> str:
    """The address of ``target`` (absolute) as written on the page at ``page_url``: relative
    when both are on one host, so it works wherever the site is served; ``target`` otherwise.
    The page's own folder is that of its URL ('posts/a/' and 'posts/a/index.html' alike)."""
    t, p = urlsplit(target), urlsplit(page_url)
    if (t.scheme, t.netloc) != (p.scheme, p.netloc):
        return target
    here = p.path[: p.path.rfind("/") + 1] or "/"
    folder, _, name = (t.path or "/").rpartition("/")
    up = posixpath.relpath(folder + "/", here)  # '.', '..', '../b', 'sub'...
    rel = ("" if up == "." else up + "/") + name
    if not rel or ":" in rel.split("/", 1)[0]:  # 'a:b.png' would read as having a scheme
        rel = "./" + rel
    return urlunsplit(("", "", rel, t.query, t.fragment))


def moved_urls(fragment: str, page_url: str, moved: dict[str, str]) -> str:
    """An item's body for its page: each address naming a file beside the source (a key of
    ``moved``, the decoded path as ``local_path`` gives it) points at where that file was
    published (the value, absolute), written relative to the page's URL."""
    if not moved:
        return fragment

    def change(value: str) -> str:
        local = local_path(value)
        if local is None or local[0] not in moved:
            return value
        target = moved[local[0]]
        return relative_url(target, page_url) + local[1]

    return rewrite(fragment, change)
