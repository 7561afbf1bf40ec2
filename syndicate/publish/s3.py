"""An S3 bucket (or any S3-compatible store) as the publish target, through boto3.

Credentials come only from boto3's standard chain (environment, profile, instance role). What the
bucket holds is tracked in a manifest stored beside the site (``.syndicate/manifest.json`` under
the prefix) and in the catalog; each object also carries its sha256 in its metadata. A manifest
that is missing or damaged is rebuilt from a listing (and the objects' metadata), never trusted
blindly. The manifest is written last, after every upload and delete succeeded.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import boto3
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


def _explain(exc: Exception, bucket: str) -> PublishError:
    """A clear message for what went wrong talking to the store; never includes credentials."""
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
        return PublishError(f"S3 error for bucket {bucket!r}: {code or exc}")
    return PublishError(f"S3 error for bucket {bucket!r}: {exc}")


class S3Target:
    def __init__(self, target: str, cfg):
        self.bucket, self.prefix = parse_target(target)
        self.name = f"s3://{self.bucket}/{self.prefix}"
        self.cfg = cfg
        session = boto3.session.Session(region_name=cfg.region)
        self.client = session.client(
            "s3", endpoint_url=cfg.endpoint_url,
            config=BotoConfig(
                retries={"mode": "standard", "max_attempts": cfg.max_attempts},
                request_checksum_calculation=cfg.checksum,
                response_checksum_validation=cfg.checksum,
                max_pool_connections=max(10, cfg.workers * 2),
                connect_timeout=10, read_timeout=60,
            ),
        )
        self.transfer = TransferConfig(multipart_threshold=cfg.multipart_threshold_mb * 2**20,
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
            if all({"key", "sha256", "size"} <= r.keys() for r in rows.values()):
                self.state = rows
                self._loaded = {k: dict(v) for k, v in rows.items()}
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

        def head(obj):
            key = obj["Key"][len(self.prefix):]
            if key == MANIFEST_KEY:
                return None
            try:
                meta = self.client.head_object(Bucket=self.bucket, Key=obj["Key"])
            except ClientError:
                return None
            sha = meta.get("Metadata", {}).get("sha256")
            if not sha:  # not ours (put there by hand or by another tool): never touched
                return None
            return {"key": key, "size": obj["Size"], "sha256": sha,
                    "content_type": meta.get("ContentType", ""),
                    "cache_control": meta.get("CacheControl", ""), "input_hash": ""}

        with ThreadPoolExecutor(self.workers) as pool:
            for row in pool.map(head, listed):
                if row is not None:
                    rows[row["key"]] = row
        return rows

    def has(self, key: str, size: int) -> bool:
        row = self.state.get(key)
        return row is not None and row["size"] == size

    # -- changes -----------------------------------------------------------------------------
    def write(self, out: Output, data: bytes | None) -> None:
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
            else:
                self.client.upload_file(str(out.path), self.bucket, self._key(out.key),
                                        ExtraArgs=extra, Config=self.transfer)
        except (ClientError, BotoCoreError) as exc:
            raise _explain(exc, self.bucket) from None

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
            raise _explain(exc, self.bucket) from None

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise _explain(exc, self.bucket) from None

    def finish(self, manifest: list[dict]) -> None:
        """Record what the bucket holds now, last of all (nothing is sent if nothing changed)."""
        rows = [{**r, "cache_control": cache_control(r["key"])} for r in manifest]
        if self._loaded is not None and {r["key"]: r for r in rows} == self._loaded:
            return
        body = json.dumps({"version": 1, "objects": sorted(rows, key=lambda r: r["key"])},
                          indent=1).encode()
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_KEY, Body=body,
                                   ContentType="application/json", CacheControl="no-cache")
        except (ClientError, BotoCoreError) as exc:
            raise _explain(exc, self.bucket) from None
