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
"""

from __future__ import annotations

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
