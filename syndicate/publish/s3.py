"""An S3 bucket (or any S3-compatible store) as the publish target, through boto3.

Credentials come only from boto3's standard chain (environment, profile, instance role). What the
bucket holds is tracked in a manifest stored beside the site (``.syndicate/manifest.json`` under
the prefix) and in the catalog; each object also carries its sha256 in its metadata. A manifest
that is missing or damaged is rebuilt from a listing (and the objects' metadata), never trusted
blindly. The manifest is written last, after every upload and delete succeeded.

Before a run changes anything it writes the manifest once more with every key it is about to
touch marked ``pending``. A run that dies half-way (a crash, SIGKILL, a lost network) thus leaves
a manifest that says which keys are uncertain; the next run asks the bucket about those keys
alone (a HEAD each), keeps what already arrived and sends only the rest.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from ..errors import PublishError
from .build import Output
from .keys import safe_key

MANIFEST_KEY = ".syndicate/manifest.json"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


def cache_control(key: str) -> str:
    """Media and hashed cover images never change under their key; the rest is short-lived."""
    if key.startswith("media/") or posixpath.basename(key).startswith("cover-"):
        return IMMUTABLE
    return SHORT


def parse_target(target: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` gives (bucket, 'prefix/'); the prefix may be empty."""
    url = urlparse(target)
    if url.scheme != "s3" or not url.netloc:
        raise PublishError(f"target {target!r}: expected s3://bucket/prefix")
    prefix = url.path.strip("/")
    if prefix:
        if any(part in ("", ".", "..") for part in prefix.split("/")):
            raise PublishError(f"target {target!r}: the prefix must not contain '..', '.' or "
                               "empty parts")
        prefix += "/"
    return url.netloc, prefix


def _explain(exc: Exception, bucket: str, key: str | None = None) -> PublishError:
    """A clear message for what went wrong talking to the store; never includes credentials."""
    where = f"bucket {bucket!r}" + (f", object {key!r}" if key else "")
    if isinstance(exc, EndpointConnectionError):
        return PublishError(f"cannot reach the S3 endpoint ({exc.kwargs.get('endpoint_url')}); "
                            "check s3.endpoint_url and the network")
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchBucket", "404"):
            return PublishError(f"bucket {bucket!r} does not exist; create it or fix the target")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403"):
            return PublishError(f"the S3 credentials were refused for bucket {bucket!r} ({code}); "
                                "check AWS_PROFILE or the AWS_* environment variables")
        meta = exc.response.get("ResponseMetadata", {})
        status, tries = meta.get("HTTPStatusCode"), meta.get("RetryAttempts", 0) + 1
        return PublishError(f"S3 error for {where}: {code or exc} (HTTP {status}, "
                            f"{tries} attempt{'s' if tries > 1 else ''})")
    return PublishError(f"S3 error for {where}: {exc}")


class S3Target:
    def __init__(self, target: str, cfg):
        self.bucket, self.prefix = parse_target(target)
        self.name = f"s3://{self.bucket}/{self.prefix}"
        self.cfg = cfg
        session = boto3.session.Session(region_name=cfg.region)
        self.client = session.client(
            "s3", endpoint_url=cfg.endpoint_url,
            config=BotoConfig(
                retries={"mode": "standard", "total_max_attempts": cfg.max_attempts},
                request_checksum_calculation=cfg.checksum,
                response_checksum_validation=cfg.checksum,
                max_pool_connections=max(10, cfg.workers * 2),
                connect_timeout=10, read_timeout=60,
            ),
        )
        part = cfg.multipart_threshold_mb * 2**20
        self.transfer = TransferConfig(multipart_threshold=part, multipart_chunksize=part,
                                       max_concurrency=4)
        self.state: dict[str, dict] = {}
        self._loaded: dict[str, dict] | None = None  # the manifest as read, if it was sound
        self.workers = cfg.workers

    def _key(self, key: str) -> str:
        return self.prefix + safe_key(key)

    # -- what the bucket holds ---------------------------------------------------------------
    def previous(self, catalog_rows: dict[str, dict]) -> dict[str, dict]:
        """The verified state of the bucket: its manifest if sound, else a rebuilt one."""
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_KEY)
            data = json.loads(body["Body"].read())
            rows = {r["key"]: r for r in data["objects"]}
            pending = [k for k, r in rows.items() if r.get("pending")]
            if all({"key", "sha256", "size"} <= r.keys() for k, r in rows.items()
                   if k not in pending):
                for key, row in zip(pending, self._heads(pending), strict=True):
                    if row is None:
                        del rows[key]
                    else:
                        rows[key] = row
                self.state = rows
                self._loaded = None if pending else {k: dict(v) for k, v in rows.items()}
                return rows
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code not in ("NoSuchKey", "404"):
                raise _explain(exc, self.bucket) from None
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # damaged: rebuild below
        except BotoCoreError as exc:
            raise _explain(exc, self.bucket) from None
        self.state = self._rebuild()
        return self.state

    def _rebuild(self) -> dict[str, dict]:
        """What the bucket holds of ours: listed objects that carry our sha256 metadata."""
        rows: dict[str, dict] = {}
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix)
            listed = [o for page in pages for o in page.get("Contents", [])]
        except (ClientError, BotoCoreError) as exc:
            raise _explain(exc, self.bucket) from None

        keys = [o["Key"][len(self.prefix):] for o in listed]
        keys = [k for k in keys if k != MANIFEST_KEY]
        for row in self._heads(keys):
            if row is not None:
                rows[row["key"]] = row
        return rows

    def _heads(self, keys: list[str]) -> list[dict | None]:
        """A manifest row for each key from the object's own headers; None where the object is
        missing or is not ours (put there by hand or by another tool: never touched)."""
        def head(key: str) -> dict | None:
            try:
                meta = self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code", "") in ("404", "NoSuchKey"):
                    return None
                raise _explain(exc, self.bucket) from None
            except BotoCoreError as exc:
                raise _explain(exc, self.bucket) from None
            sha = meta.get("Metadata", {}).get("sha256")
            if not sha:
                return None
            return {"key": key, "size": meta["ContentLength"], "sha256": sha,
                    "content_type": meta.get("ContentType", ""),
                    "cache_control": meta.get("CacheControl", ""), "input_hash": ""}

        with ThreadPoolExecutor(self.workers) as pool:
            return list(pool.map(head, keys))

    def has(self, key: str, size: int) -> bool:
        row = self.state.get(key)
        return row is not None and row["size"] == size

    # -- changes -----------------------------------------------------------------------------
    def write(self, out: Output, data: bytes | None, sent=None) -> None:
        extra = {"ContentType": out.content_type,
                 "CacheControl": cache_control(out.key),
                 "Metadata": {"sha256": out.sha256 or ""}}
        if self.cfg.acl:
            extra["ACL"] = self.cfg.acl
        try:
            if data is not None:
                extra["Metadata"]["sha256"] = hashlib.sha256(data).hexdigest()
                self.client.put_object(Bucket=self.bucket, Key=self._key(out.key), Body=data,
                                       **extra)
                if sent:
                    sent(len(data))
            elif out.path.stat().st_size <= self.transfer.multipart_threshold:
                with open(out.path, "rb") as body:  # one request: no transfer manager needed
                    self.client.put_object(Bucket=self.bucket, Key=self._key(out.key),
                                           Body=body, **extra)
                if sent:
                    sent(out.path.stat().st_size)
            else:
                self.client.upload_file(str(out.path), self.bucket, self._key(out.key),
                                        ExtraArgs=extra, Config=self.transfer, Callback=sent)
        except (ClientError, BotoCoreError) as exc:
            raise _explain(exc, self.bucket, out.key) from None
        except S3UploadFailedError as exc:  # upload_file wraps the ClientError in its text
            raise PublishError(f"S3 error for bucket {self.bucket!r}, object {out.key!r}: "
                               f"{exc}") from None

    def stale_headers(self, out: Output) -> bool:
        """Whether the object's content is right but its headers are not."""
        row = self.state.get(out.key)
        return row is not None and (row.get("content_type") != out.content_type
                                    or row.get("cache_control") != cache_control(out.key))

    def copy_headers(self, out: Output) -> None:
        """Fix an object's headers with a server-side copy onto itself: no re-upload."""
        key = self._key(out.key)
        extra = {"ACL": self.cfg.acl} if self.cfg.acl else {}
        try:
            meta = self.client.head_object(Bucket=self.bucket, Key=key).get("Metadata", {})
            self.client.copy_object(
                Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": key},
                MetadataDirective="REPLACE", ContentType=out.content_type,
                CacheControl=cache_control(out.key), Metadata=meta, **extra)
        except (ClientError, BotoCoreError) as exc:
            raise _explain(exc, self.bucket, out.key) from None

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise _explain(exc, self.bucket, key) from None

    def begin(self, plan) -> None:
        """Before the first change: the manifest as it stands, with every key this run will
        write, copy or delete marked pending (so a run that dies half-way is finished, not
        redone, by the next one)."""
        touched = ({w.output.key for w in plan.writes} | {o.key for o in plan.header_fixes}
                   | set(plan.deletes))
        rows = [r for k, r in self.state.items() if k not in touched]
        self._put_manifest(rows + [{"key": k, "pending": True} for k in sorted(touched)])

    def finish(self, manifest: list[dict]) -> None:
        """Record what the bucket holds now, last of all (nothing is sent if nothing changed)."""
        rows = [{**r, "cache_control": cache_control(r["key"])} for r in manifest]
        if self._loaded is not None and {r["key"]: r for r in rows} == self._loaded:
            return
        self._put_manifest(rows)

    def _put_manifest(self, rows: list[dict]) -> None:
        body = json.dumps({"version": 1, "objects": sorted(rows, key=lambda r: r["key"])},
                          indent=1).encode()
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_KEY, Body=body,
                                   ContentType="application/json", CacheControl="no-cache")
        except (ClientError, BotoCoreError) as exc:
            raise _explain(exc, self.bucket) from None
