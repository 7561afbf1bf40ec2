"""The S3 target reads listing pages with a reader of its own (publish/s3listing.py): what it
gives must be what botocore's own reader gives, for keys nobody here chose, page by page.
Against moto's S3 server on 127.0.0.1 through the real botocore; and any body that is not a
listing page is left to botocore's reader (an error it names, never a traceback of ours)."""

from __future__ import annotations

import random

import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BUCKET
from syndicate.publish.s3listing import ListingReaders, NotAListing, read_page

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
