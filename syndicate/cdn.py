"""Tell the CDN in front of the site which paths a publish changed, so listeners stop getting
its cached copies: a CloudFront invalidation (through boto3, credentials from its usual chain),
or one request to the purge hook of another CDN carrying the paths.

Both are steps of the list run after every publish (``publish/after.py``), before the pings, so
a hub or an app told of a release fetches the new feed, not the CDN's old copy. The files are
live by then: a call that fails is a warning (the next publish makes it again), never a failed
publish, and no warning shows a credential.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from urllib.parse import urlsplit

from .config import PURGE_TOKEN, Settings
from .notify import call, header_unfit
from .urls import origin, redact_text

log = logging.getLogger("syndicate.cdn")
BATCH = 3000  # CloudFront takes at most this many paths in one invalidation
LATER = ("the files are live, the CDN serves its cached copies until they expire; the next "
         "publish tries again")


def to_send(settings: Settings, paths: list[str]) -> tuple[list[str], str]:
    """The paths to send for ``paths``: themselves, or past ``cdn.wildcard_over`` the one
    wildcard of the site (and the words saying so)."""
    from .publish.cdnpaths import wildcard

    most = settings.config.cdn.wildcard_over
    if len(paths) <= most:
        return paths, ""
    star = wildcard(settings)
    return [star], f"{star}: {len(paths)} changed paths, more than cdn.wildcard_over ({most})"


def caller_reference(now: dt.datetime | None = None) -> str:
    """A CallerReference no other publish uses (CloudFront refuses a batch sent twice under
    one)."""
    now = now or dt.datetime.now(dt.UTC)
    return f"syndicate-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:12]}"


def invalidate_cloudfront(settings: Settings, paths: list[str]) -> tuple[list[str], list[str]]:
    """Invalidate ``paths`` in the configured CloudFront distribution (in batches of at most
    ``BATCH``); returns (what was done, warnings)."""
    cfg = settings.config.cdn
    dist = cfg.cloudfront_distribution
    if not dist or not paths:
        return [], []
    sent, wide = to_send(settings, paths)
    where = f"CloudFront {dist}"
    ids: list[str] = []
    try:
        ids = _create(dist, sent, cfg.timeout)
    except Exception as exc:  # boto3's many kinds, each one warning: the files are live
        return [], [f"{where}: {_why(exc, cfg.timeout)}; {LATER}"]
    what = wide or (f"{len(sent)} path" + ("s" if len(sent) != 1 else ""))
    return [f"{where}: invalidated {what} (invalidation {', '.join(ids)})"], []


def _create(dist: str, paths: list[str], timeout: float) -> list[str]:
    import boto3
    from botocore.config import Config

    # a session of its own: credentials and endpoint read from the chain now, not cached
    client = boto3.session.Session().client("cloudfront", region_name="us-east-1", config=Config(
        connect_timeout=timeout, read_timeout=timeout,
        retries={"total_max_attempts": 2, "mode": "standard"}))  # the first and one more
    ref = caller_reference()
    ids = []
    for n, at in enumerate(range(0, len(paths), BATCH)):
        batch = paths[at:at + BATCH]
        resp = client.create_invalidation(DistributionId=dist, InvalidationBatch={
            "Paths": {"Quantity": len(batch), "Items": batch},
            "CallerReference": f"{ref}-{n}"})
        ids.append(resp["Invalidation"]["Id"])
        log.info("CloudFront %s: invalidation %s of %d paths", dist, ids[-1], len(batch))
    return ids


def _why(exc: Exception, timeout: float) -> str:
    """What went wrong with a CloudFront call, and what to do, in words that hold no
    credential."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        ReadTimeoutError,
    )

    from .config import CREDENTIALS_BELONG

    if isinstance(exc, NoCredentialsError):
        return f"no AWS credentials found ({CREDENTIALS_BELONG})"
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", "error"))
        if code == "NoSuchDistribution":
            return ("no such distribution: check cdn.cloudfront_distribution (the ID column of "
                    "the CloudFront console)")
        if code in ("AccessDenied", "InvalidClientTokenId", "SignatureDoesNotMatch"):
            return (f"refused ({code}): the credentials need cloudfront:CreateInvalidation on "
                    "this distribution")
        if code == "TooManyInvalidationsInProgress":
            return "too many invalidations in progress"
        message = exc.response.get("Error", {}).get("Message", "")
        return redact_text(f"{code}: {message}"[:300])
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return f"no answer within {timeout:g} s (twice), so it was not made"
    if isinstance(exc, EndpointConnectionError):
        return "cannot connect"
    return redact_text(f"{type(exc).__name__}: {exc}"[:300])


def purge(settings: Settings, paths: list[str]) -> tuple[list[str], list[str]]:
    """Send ``paths`` to the purge hook (``cdn.purge_url``): one request with the JSON
    {"paths": [...], "urls": [...]} (each path as a full address), the token from
    SYNDICATE_PURGE_TOKEN, if set, as its Authorization header; returns (what was done,
    warnings)."""
    cfg = settings.config.cdn
    if not cfg.purge_url or not paths:
        return [], []
    sent, wide = to_send(settings, paths)
    site = urlsplit(settings.config.site.url)
    body = {"paths": sent, "urls": [f"{site.scheme}://{site.netloc}{p}" for p in sent]}
    where = f"purge {origin(cfg.purge_url)}"
    token = os.environ.get(PURGE_TOKEN, "").strip()  # a CRLF file's line end: trimmed
    if token and (unfit := header_unfit(token, PURGE_TOKEN)):
        return [], [f"{where}: not sent: {unfit}"]
    warnings = call([(cfg.purge_method, cfg.purge_url,
                      {"json": body, "headers": {"Authorization": token} if token else {}})],
                    cfg.timeout, secrets=(token,) if token else (), what="purge", later=LATER,
                    token_var=PURGE_TOKEN)
    if warnings:  # (a refusal says what to do; that the files are live, it says here)
        return [], [w if LATER in w else f"{w}; {LATER}" for w in warnings]
    what = wide or (f"{len(sent)} path" + ("s" if len(sent) != 1 else ""))
    return [f"{where}: purged {what}"], []
