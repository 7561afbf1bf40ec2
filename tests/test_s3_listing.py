"""The S3 target reads listing pages with a reader of its own (publish/s3listing.py): what it
gives must be what botocore's own reader gives, for keys nobody here chose, page by page.
Against moto's S3 server on 127.0.0.1 through the real botocore; and any body that is not a
listing page is left to botocore's reader (an error it names, never a traceback of ours)."""

from __future__ import annotations

import json
import random

import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BUCKET
from syndicate.publish.s3listing import (
    ListingReaders,
    NotAListing,
    page_starts,
    read_page,
    stitch,
)

FIELDS = ("Key", "Size", "ETag", "LastModified", "StorageClass")


def _client(endpoint: str, ours: bool):
    session = botocore.session.get_session()
    readers = ListingReaders() if ours else session.get_component("response_parser_factory")
    readers.set_parser_defaults(timestamp_parser=str)
    if ours:
        session.register_component("response_parser_factory", readers)
    return session.create_client("s3", region_name="us-east-1", endpoint_url=endpoint)


def _pages(client, prefix: str, page_size: int, delimiter: str | None = None) -> list[dict]:
    args = {"Bucket": BUCKET, "Prefix": prefix, **({"Delimiter": delimiter} if delimiter else {})}
    pages = []
    for page in client.get_paginator("list_objects_v2").paginate(
            **args, PaginationConfig={"PageSize": page_size}):
        page.pop("ResponseMetadata")
        page["Contents"] = [{f: o[f] for f in FIELDS if f in o} for o in page.get("Contents", [])]
        pages.append(page)
    return pages


def _keys(seed: int, n: int) -> list[str]:
    """Keys a site or a person might make: any printable text, spaces, markup characters,
    percent signs, non-Latin scripts, deep folders, and a control character now and then (which
    only the URL encoding of a listing can carry)."""
    rng = random.Random(seed)
    pieces = ["a", "Z", "0", " ", "&", "<", ">", "'", '"', "%", "%20", "+", "=", "?", "#", "é",
              "日本", "🎙", ".", "-", "_", "~", "\u00a0", "\t", "\x01", "\\", "//", "/"]
    keys = set()
    while len(keys) < n:
        depth = rng.randint(0, 3)
        parts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
                 for _ in range(depth + 1)]
        keys.add("list/" + "/".join(parts).lstrip("/"))
    return sorted(keys)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_our_reader_gives_what_botocores_gives(s3_endpoint, bucket, seed):
    keys = _keys(seed, 60)
    for n, key in enumerate(keys):
        bucket.put_object(Bucket=BUCKET, Key=key, Body=b"x" * (n % 7))
    theirs, ours = _client(s3_endpoint, False), _client(s3_endpoint, True)
    for size, delimiter in ((1000, None), (7, None), (1, None), (9, "/")):
        expected = _pages(theirs, "list/", size, delimiter)
        got = _pages(ours, "list/", size, delimiter)
        assert got == expected
        if delimiter is None:
            listed = [o["Key"] for p in got for o in p["Contents"]]
            assert listed == keys  # nothing lost, every key decoded as it was written
    assert len(expected) > 1 and any(p.get("CommonPrefixes") for p in expected)


@settings(max_examples=300, deadline=1000)
@given(st.binary(max_size=400) | st.text(max_size=200).map(str.encode) | st.sampled_from([
    b"<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
    b"<ListBucketResult><KeyCount>x</KeyCount></ListBucketResult>",
    b"<Error><Code>NoSuchBucket</Code></Error>", b"<ListBucketResult>", b""]))
def test_a_body_that_is_not_a_listing_page_is_refused_not_misread(body):
    try:
        page = read_page(body)
    except (NotAListing, ValueError, SyntaxError):  # ElementTree's ParseError is a SyntaxError
        return
    assert isinstance(page, dict)
    assert set(page) <= {"Name", "Prefix", "Delimiter", "MaxKeys", "EncodingType", "KeyCount",
                         "IsTruncated", "ContinuationToken", "NextContinuationToken",
                         "StartAfter", "Contents", "CommonPrefixes"}
    assert page.get("IsTruncated", False) in (True, False)


# -- a listing's pages asked for together (s3listing.stitch) ----------------------------------
def _store(keys: list[str], size: int):
    """A store's listing as pages of ``size`` (the page after a key), counting the requests."""
    asked: list[str] = []

    def page(after: str):
        asked.append(after)
        rest = [k for k in keys if k > after]
        return [(k, len(k), f'"{k}"') for k in rest[:size]], len(rest) > size

    return page, asked


_names = st.text(alphabet="ab/.é日0", min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(_names, unique=True, max_size=40).map(sorted),
       hints=st.lists(_names, max_size=6), size=st.integers(1, 7))
def test_pages_asked_for_together_list_every_key_once_in_order(keys, hints, size):
    """Whatever the pages start after (keys of the bucket or not, stale, out of order), the
    stitched listing is the bucket's: nothing lost, nothing twice, in the store's order."""
    page, asked = _store(keys, size)
    pages = [("", page(""))] + [(h, page(h)) for h in hints]
    listed = stitch(pages, page)
    assert [o[0] for o in listed] == keys
    assert len(asked) <= 1 + len(hints) + len(keys) // size + 1  # no request loops


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(_names, unique=True, min_size=1, max_size=60).map(sorted),
       size=st.integers(1, 7))
def test_pages_starting_where_the_manifest_says_need_no_other_request(keys, size):
    """Where the bucket holds what its manifest names, the pages asked for together are the
    whole listing: one request per page, as many as a listing page by page makes."""
    page, asked = _store(keys, size)
    starts = [keys[n - 1] for n in range(size, len(keys), size)]
    listed = stitch([("", page(""))] + [(h, page(h)) for h in starts], page)
    assert [o[0] for o in listed] == keys
    assert len(asked) == -(-len(keys) // size)


def test_the_pages_start_after_every_thousandth_key_the_manifest_names():
    rows = [{"key": f"k{n:05d}"} for n in range(2500)] + [{"key": 5}, {"nokey": 1}]
    body = json.dumps({"version": 3, "objects": rows}).encode()
    starts = page_starts(body, "site/", ".syndicate/manifest.json")
    keys = sorted([f"site/k{n:05d}" for n in range(2500)] + ["site/.syndicate/manifest.json"])
    assert starts == [keys[999], keys[1999]]
    assert page_starts(body[:-3], "site/", ".syndicate/manifest.json") == []  # unreadable
    assert page_starts(None, "site/", ".syndicate/manifest.json") == []
    assert page_starts(b"[1, 2]", "", ".syndicate/manifest.json") == []
