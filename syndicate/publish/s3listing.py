"""Reading the pages of an S3 listing (ListObjectsV2) for the S3 target's own client.

botocore reads every response through its model-driven XML reader, which walks each object of a
listing field by field: for a site of 1,400 objects that is about as much work as the rest of a
no-change publish does on its own side. A listing's page has a small fixed shape, so here it is
read with ElementTree alone: the page's own fields (the continuation token, whether it is
truncated, the prefix, the encoding ...) and, for each object, its key, size, ETag, date (as the
store's text, as the target asks of botocore for every date) and storage class; other details of
an object (its owner, its checksum algorithms), which syndicate never reads, are left out. A
page it does not recognise, an error, and every other response go through botocore's reader as
before; requests, signing, retries and errors stay botocore's, and so does the decoding of
URL-encoded keys (which runs on what either reader gives).

A listing is asked for a page at a time, each after the last key of the one before; here the
pages are asked for together instead, each starting after a key the manifest names
(``page_starts``), and ``stitch`` makes one listing of them, asking for more only where they do
not meet (a bucket holding other keys than its manifest says): what is listed is the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from xml.etree import ElementTree

from botocore.parsers import ResponseParserFactory, RestXMLParser

OUTPUT = "ListObjectsV2Output"
_ROOT = "ListBucketResult"
_PAGE = {"Name", "Prefix", "Delimiter", "MaxKeys", "EncodingType", "KeyCount", "IsTruncated",
         "ContinuationToken", "NextContinuationToken", "StartAfter"}
_OBJECT = {"Key", "LastModified", "ETag", "Size", "StorageClass"}
_NUMBERS = {"MaxKeys", "KeyCount", "Size"}


class NotAListing(ValueError):
    """The body is not a listing page this reader knows: botocore's reader takes it."""


def _name(tag: str) -> str:
    return tag.rpartition("}")[2]  # with or without S3's namespace


def _value(name: str, text: str | None):
    text = text or ""
    if name in _NUMBERS:
        return int(text)
    if name == "IsTruncated":
        if text not in ("true", "false"):
            raise NotAListing(f"IsTruncated {text[:20]!r}")
        return text == "true"
    return text


def read_page(body: bytes) -> dict:
    """The fields of one page of a listing, as botocore's reader names them."""
    root = ElementTree.fromstring(body)
    if _name(root.tag) != _ROOT:
        raise NotAListing(root.tag[:80])
    page: dict = {}
    objects: list[dict] = []
    prefixes: list[dict] = []
    for node in root:
        name = _name(node.tag)
        if name == "Contents":
            objects.append({_name(f.tag): _value(_name(f.tag), f.text) for f in node
                            if _name(f.tag) in _OBJECT})
        elif name == "CommonPrefixes":
            prefixes.append({"Prefix": _value("Prefix", node.findtext("*"))})
        elif name in _PAGE:
            page[name] = _value(name, node.text)
    if objects:
        page["Contents"] = objects
    if prefixes:
        page["CommonPrefixes"] = prefixes
    return page


class _Reader(RestXMLParser):
    def _parse_payload(self, response, shape, member_shapes, final_parsed):
        body = response.get("body")
        if getattr(shape, "name", None) == OUTPUT and body:
            try:
                final_parsed.update(read_page(body))
                return
            except (ElementTree.ParseError, ValueError):
                pass  # botocore's reader says what is wrong with it
        super()._parse_payload(response, shape, member_shapes, final_parsed)


class ListingReaders(ResponseParserFactory):
    """botocore's readers, with listing pages read as above (S3 speaks rest-xml)."""

    def create_parser(self, protocol_name):
        if protocol_name == "rest-xml":
            return _Reader(**self._defaults)
        return super().create_parser(protocol_name)


PAGE_SIZE = 1000  # objects in a page of a listing (the store's most, and its default)
Page = tuple[list[tuple[str, int, str]], bool]  # ([(key, size, ETag)], whether more follow)


def page_starts(manifest: bytes | None, prefix: str, manifest_key: str) -> list[str]:
    """The keys after which the second and later pages of a listing of ``prefix`` start, if
    the bucket holds what the manifest (its body) names: every 1,000th of its keys (with the
    manifest's own), in the store's order (by their UTF-8 bytes: Python orders strings by code
    point, which is the same). Nothing where there is no manifest, or it cannot be read."""
    if not manifest:
        return []
    try:
        rows = json.loads(manifest).get("objects", [])
        keys = sorted({prefix + r["key"] for r in rows if isinstance(r.get("key"), str)}
                      | {prefix + manifest_key})
    except (ValueError, AttributeError, TypeError):
        return []
    return [keys[n - 1] for n in range(PAGE_SIZE, len(keys), PAGE_SIZE)]


def stitch(pages: list[tuple[str, Page]], more: Callable[[str], Page]
           ) -> list[tuple[str, int, str]]:
    """One listing, in order and each key once, of ``pages`` (each as (the key it starts
    after, '' for the first; the page)); where they leave a gap, or the last one is truncated,
    ``more(key)`` gives the page after ``key``. The first page must start from the start."""
    first = pages[0][1]
    out = list(first[0])
    truncated = first[1]
    rest = sorted(pages[1:], key=lambda p: p[0])
    while truncated:
        if not out:  # a truncated page without a key: ask again from the start
            page = more("")
            out, truncated = list(page[0]), page[1]
            continue
        last = out[-1][0]
        # a page that starts at or before the last key seen meets the listing so far
        usable = next((p for p in rest if p[0] <= last), None)
        if usable is not None:
            rest.remove(usable)
            objects, more_after = usable[1]
            out += [o for o in objects if o[0] > last]
            if more_after and (not objects or objects[-1][0] <= last):
                continue  # it ended before the last key seen: no progress, try another
            truncated = more_after
        else:
            page = more(last)
            out += [o for o in page[0] if o[0] > last]
            truncated = page[1] and bool(page[0])
    return out
