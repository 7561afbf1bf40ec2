"""Files a body links beside its source (``![](marsh.jpg)``, ``[notes](notes.pdf)``): found
when the post or sidecar is read, so a link that would publish a file from elsewhere is an
error naming the file and line, as a sidecar's ``image:`` outside the folder is."""

from __future__ import annotations

import os
import posixpath
import re
import string
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import filestat, mediatypes
from ..activefiles import RUNNING_SUFFIXES, RUNNING_TYPES, active_in
from ..errors import CollectError, printable
from ..links import addresses, clean, has_scheme, loaded, local_path, remote_host
from ..mediatypes import main_type
from ..sourcefiles import confine, regular_file
from .scan import files_folder

# sources of other items: a link to one is not a file to publish (its page is)
SOURCE_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".yaml", ".yml"})
# pages under the site's own names: a relative link to one is a link to a page
PAGE_SUFFIXES = frozenset({".html", ".htm", ".xml", ".php", ".asp", ".aspx"})


def link_line(text: str, written: str, decoded: str, first_line: int, default: int | None,
              nth: int = 0) -> int | None:
    """The line of ``text`` (which starts at ``first_line``) where a link was written: its
    ``nth`` writing (0: the first) as a link or an attribute, in the order of the text."""
    quoted = [f"{a}{written}{b}" for a, b in (("(", ")"), ('"', '"'), ("'", "'"), ("=", ">"),
                                              ("=", " "), ("(", " "))]
    found = sorted({m.start() for q in quoted if written for m in re.finditer(re.escape(q), text)})
    if found:
        at = found[min(nth, len(found) - 1)]
        return text.count("\n", 0, at) + first_line
    return _line_of(text, (written, decoded, posixpath.basename(decoded)), first_line, default)


def _line_of(text: str, needles, first_line: int, default: int | None) -> int | None:
    """The line of ``text`` where the first of ``needles`` found is written (as it is, or
    with Markdown's backslash before any of its punctuation: ``..\\..`` is read ``....``)."""
    for needle in needles:
        at = text.find(needle) if needle else -1
        if at < 0 and needle:
            found = re.search("".join("\\\\?" + re.escape(c) if c in string.punctuation
                                      else re.escape(c) for c in needle), text)
            at = found.start() if found else -1
        if at >= 0:
            return text.count("\n", 0, at) + first_line
    return default


def linked_files(html: str, source: Path, name: str, folder: Path, text: str,
                 warnings: list[str], first_line: int = 1,
                 default_line: int | None = None) -> dict[str, str]:
    """{path as the body links it: the file's path in the project} for each file ``html``
    links relative to ``source`` (``name`` in messages). The file must lie inside ``folder``
    once links are resolved and be a regular file; else a CollectError naming the line of
    ``text`` (the source's text, starting at ``first_line``) where it is linked; every link
    refused is named in that one error, so one run tells them all. A link to a file that is
    not there, or to another item's source, is left as it is, with a warning."""
    out: dict[str, str] = {}
    refused: list[CollectError] = []
    base = posixpath.dirname(name)
    _remote_embeds(html, name, text, warnings, first_line, default_line)
    _file_addresses(text, name, warnings, first_line)
    embedded = {value for _tag, value in loaded(html)}  # loaded by the page: always files
    seen: dict[str, int] = {}  # address -> how many times it came before (for its line)
    for value in addresses(html):
        nth = seen[value] = seen.get(value, -1) + 1
        try:
            _one(value, source, name, folder, text, warnings, first_line, default_line, base,
                 out, value in embedded, nth)
        except CollectError as exc:
            refused.append(exc)
    if refused:
        raise CollectError.all_of(refused)
    return out


def _remote_embeds(html: str, name: str, text: str, warnings: list[str], first_line: int,
                   default_line: int | None) -> None:
    """One warning for each address on another host the page would load by itself (an image):
    every reader's browser asks that host for it as the page opens. A link is not warned."""
    said: set[str] = set()
    for tag, value in loaded(html):
        host = remote_host(value)
        address = clean(value)
        if host is None or address in said:
            continue
        said.add(address)
        # (an address published without its credential is found by its host and path)
        # (written as it is, or with the spaces a renderer encoded, or without a credential)
        line = _line_of(text, (address, unquote(address),
                               unquote(f"{host}{urlsplit(address).path}")),
                        first_line, default_line)
        where = f"{printable(name)}:{line}" if line else printable(name)
        what = "the image" if tag == "img" else f"the <{tag}> source"
        warnings.append(
            f"{where}: {what} {printable(address)!r} is loaded from {printable(host)}: every "
            "reader's browser fetches it from that host as the page opens (which tells that "
            "host who reads the page); the page is published as it is. To serve it from the "
            f"site, copy the file beside {printable(posixpath.basename(name))} and link it by "
            "its name")


def _one(value: str, source: Path, name: str, folder: Path, text: str, warnings: list[str],
         first_line: int, default_line: int | None, base: str, out: dict[str, str],
         embedded: bool = False, nth: int = 0) -> None:
    """One linked address of ``linked_files``: into ``out``, or a warning, or a CollectError."""
    address = clean(value)
    if address.startswith("/") and not address.startswith("//") \
            and not has_scheme(address):
        _refuse_absolute(address, name, text, first_line, default_line)
        return
    if embedded and _no_image(address, source):  # a browser would fetch the page itself,
        # or a folder, as the image
        if address:
            line = link_line(text, address, address, first_line, default_line, nth)
        else:  # an empty src: its own writing, found in the order of the text
            found = [m.start() for m in re.finditer(r"""src\s*=\s*(?:""|''|(?=[\s>]))""", text,
                                                     re.I)]
            line = text.count("\n", 0, found[min(nth, len(found) - 1)]) + first_line \
                if found else default_line
        where = f"{printable(name)}:{line}" if line else printable(name)
        warnings.append(f"{where}: the image {printable(address)!r} names no image file (an "
                        "empty address, only a fragment, or a folder); the link is left as it "
                        "is: name the image file")
        return
    local = local_path(value)
    if local is None or local[0] in out:
        return
    link = local[0]
    line = link_line(text, address, link, first_line, default_line, nth)
    where = f"{printable(name)}:{line}" if line else printable(name)
    suffix = posixpath.splitext(link)[1].lower()
    if "\0" in link or link.endswith("/"):
        return
    if "\\" in link:
        _warn_backslash(text, link, name, warnings, first_line, line, embedded)
        return
    named = _as_named(source.parent, link) or link  # (as the folder spells it)
    path = source.parent / named
    what = f"the link {printable(link)!r}"
    if not filestat.may_be_there(path, follow=False):  # (one it cannot tell of is read: an
        # unreadable folder is an error that keeps the item's last version, not a file gone)
        if (suffix and suffix not in PAGE_SUFFIXES) or embedded:  # (a page is no image)
            named = f"the image {printable(link)!r}" if embedded else what
            warnings.append(f"{where}: {named} names no file beside {printable(name)}; "
                            "the link is left as it is")
        return
    if os.path.isdir(path):
        return  # a folder: a link to a page, not a file
    confine(path, folder, name, line, what)
    regular_file(path, name, line, what)
    if any(s.startswith(".") and s not in (".", "..") for s in link.split("/")):
        warnings.append(f"{where}: {what} is not published (a hidden file); rename the file")
        return
    if suffix in SOURCE_SUFFIXES and not _in_files_folder(path, source):
        own = files_folder(source.name)
        warnings.append(
            f"{where}: {what} is not published (a source: a file of this kind here is read "
            f"as an item of its own); link the page it makes, or move the file into "
            f"{printable(own)}/ beside {printable(source.name)} (the folder of its files) to "
            "publish it as a file")
        return
    if suffix in RUNNING_SUFFIXES or main_type(mediatypes.of(suffix)) in RUNNING_TYPES:
        found = _active(path)
        if found:
            at = f" (line {found[1]})" if found[1] else ""
            warnings.append(
                f"{where}: {what} is not published: the file holds {found[0]}{at}, which a "
                "browser would run on the site's own address; remove it from the file (or "
                "link a copy without it)")
            return
    out[link] = posixpath.normpath(posixpath.join(base, named))


def _as_named(folder: Path, link: str) -> str | None:
    """``link`` with each name in it as the folder holds it when that is the same name in
    another Unicode form (``café.png`` linked composed, the file's name decomposed, as a Mac
    writes it); None when every name is there as written, or one is not there in any form."""
    parts = link.split("/")
    out, changed = [], False
    here = folder
    for part in parts:
        if part in ("", ".", "..") or os.path.lexists(here / part):
            out.append(part)
        else:
            want = unicodedata.normalize("NFC", part)
            try:
                found = [e for e in os.listdir(here) if unicodedata.normalize("NFC", e) == want]
            except OSError:
                return None
            if len(found) != 1:
                return None
            out.append(found[0])
            changed = True
        here = here / out[-1]
    return "/".join(out) if changed else None


# a file: address as a body writes it: a Markdown image or link, or an HTML attribute
_FILE_ADDRESS = re.compile(r"""(!?)\[[^\]\n]*\]\(\s*<?(file:[^\s)>]*)"""
                           r"""|<(\w+)[^>]*?\s(?:src|href|poster)\s*=\s*["']?(file:[^\s"'>]*)""",
                           re.IGNORECASE)


def _file_addresses(text: str, name: str, warnings: list[str], first_line: int) -> None:
    """A ``file:`` address names a file on the author's computer: it never loads for a reader
    (the page shows the Markdown as text, or the tag without it), and nothing of the file is
    published. One warning for each, with its line."""
    for found in _FILE_ADDRESS.finditer(text):
        address = found[2] or found[4]
        image = found[1] == "!" or (found[3] or "").lower() == "img"
        line = text.count("\n", 0, found.start()) + first_line
        warnings.append(
            f"{printable(name)}:{line}: the {'image' if image else 'link'} "
            f"{printable(address)!r} is a file on this computer (a file: address): it never "
            f"loads for a reader; copy the file beside {printable(posixpath.basename(name))} "
            "and link it by its name")


def _warn_backslash(text: str, link: str, name: str, warnings: list[str], first_line: int,
                    line: int | None, embedded: bool) -> None:
    """A path written with backslashes (``d\\..\\pic.png``, as Windows writes them) is no
    path on the web, and Markdown reads ``\\.`` as ``.``: one warning naming the line and the
    address as written (found in the text with the backslashes Markdown took), never
    published."""
    found = re.search("".join(r"\\?" + re.escape(ch) for ch in link), text)
    written = found[0] if found else link
    if found:
        line = text.count("\n", 0, found.start()) + first_line
    where = f"{printable(name)}:{line}" if line else printable(name)
    warnings.append(
        f"{where}: the {'image' if embedded else 'link'} '{printable(written)}' has "
        "backslashes: an address on the web separates folders with '/', so it names no file "
        f"and nothing is published; write it as '{printable(written.replace(chr(92), '/'))}'")


def _no_image(address: str, source: Path) -> bool:
    """Whether an image's address can name no file: empty, a fragment or query of the page
    itself, or a folder (``./``, ``sub/``)."""
    if not address or address.startswith(("#", "?")):
        return True
    local = local_path(address)
    if local is None:
        return False  # another host's, or a data: address
    link = local[0]
    return link.endswith("/") or link in (".", "..") or os.path.isdir(source.parent / link)


def _active(path: Path) -> tuple[str, int | None] | None:
    """What a browser would run in the HTML or SVG file at ``path`` (see activefiles)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"nothing that can be read ({exc.strerror})", None
    return active_in(data)


def _in_files_folder(path: Path, source: Path) -> bool:
    """Whether ``path`` (after links) lies in the folder of ``source``'s own files, which is
    never read for items: a text file there is an attachment, not another item's source."""
    own = os.path.realpath(source.parent / files_folder(source.name))
    return os.path.realpath(path).startswith(own.rstrip(os.sep) + os.sep)


def _refuse_absolute(address: str, name: str, text: str, first_line: int,
                     default_line: int | None) -> None:
    """A root-relative link is an address on the site (``/about/``), left as it is; one that
    names a file on this computer (``/home/me/marsh.jpg``) was meant as a file and would lead
    nowhere on the site: an error, so the author links the file by its relative name."""
    path = unquote(urlsplit(address).path)
    try:
        is_file = "\0" not in path and os.path.isfile(path)
    except (OSError, ValueError):
        is_file = False
    if is_file:
        line = link_line(text, address, path, first_line, default_line)
        raise CollectError(name, f"the link {printable(path)!r} is an absolute path to a file "
                           "on this computer; it is never published", line,
                           hint=f"copy the file beside {printable(posixpath.basename(name))} "
                           "and link it by its name")
