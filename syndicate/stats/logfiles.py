"""Where the access logs are: a local folder, or a bucket and prefix read through boto3; and
which reader each file needs (the format set in config, or told from its first line)."""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import SyndicateError, printable
from . import cloudfront, combined, s3log

READERS = {"s3": s3log.read, "cloudfront": cloudfront.read, "combined": combined.read}
MAX_FILE = 2 * 2**30  # a log file larger than this (after decompression) is refused by name


class StatsError(SyndicateError):
    """The logs cannot be read (a folder gone, a bucket refusing us) or the counts kept."""


@dataclass(frozen=True)
class LogFile:
    name: str  # relative to the folder, or the object's key
    size: int
    stamp: str  # mtime or ETag: with the size, how a file is known unchanged without reading


def list_folder(folder: Path) -> list[LogFile]:
    """The log files under ``folder``, however deep (a folder's files by name, then its
    folders'): hidden ones left out, linked folders followed (each folder once, whatever
    links lead to it again)."""
    if not folder.is_dir():
        raise StatsError(f"{printable(str(folder))}: the log folder does not exist or is not a "
                         "folder; set stats.logs to the folder (or s3://bucket/prefix) that "
                         "holds the access logs")
    found, seen, stack = [], set(), [""]
    while stack:  # (not recursion: a folder thousands deep is a folder too)
        rel = stack.pop()
        here = folder / rel if rel else folder
        try:
            st = here.stat()
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError:
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            name = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir():
                    folders.append(name)
                elif entry.is_file():
                    st = entry.stat()
                    found.append(LogFile(name, st.st_size, str(st.st_mtime_ns)))
            except OSError:
                continue
        stack.extend(reversed(folders))
    return found


def read_folder_file(folder: Path, f: LogFile, start: int = 0) -> bytes:
    path = folder / f.name
    try:
        with path.open("rb") as fh:
            fh.seek(start)
            return fh.read(MAX_FILE + 1)
    except OSError as exc:
        raise StatsError(f"{printable(str(path))}: cannot be read ({exc.strerror}); the other "
                         "log files were read") from None


class Bucket:
    """The logs under a bucket's prefix, through boto3 (the s3: section's endpoint and
    region; credentials from boto3's usual chain)."""

    def __init__(self, target: str, s3cfg):
        from ..publish.s3 import parse_target

        try:
            self.bucket, self.prefix = parse_target(target)
        except SyndicateError as exc:
            raise StatsError(str(exc).replace("target", "stats.logs", 1)) from None
        import boto3
        from botocore.config import Config as BotoConfig

        from ..publish.s3 import STORE_ERRORS

        try:  # (a profile, credential source, region or endpoint boto3 cannot use fails here)
            self.client = boto3.client(
                "s3", endpoint_url=s3cfg.endpoint_url, region_name=s3cfg.region,
                config=BotoConfig(retries={"mode": "standard",
                                           "total_max_attempts": s3cfg.max_attempts},
                                  connect_timeout=10, read_timeout=60))
        except STORE_ERRORS as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> StatsError:
        from ..publish.s3 import error_text

        return StatsError(f"s3://{self.bucket}/{self.prefix}: the access logs cannot be read "
                          f"({error_text(exc)}); check stats.logs and the s3: settings")

    def list(self) -> list[LogFile]:
        from ..publish.s3 import STORE_ERRORS

        found = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix)
            for page in pages:
                for obj in page.get("Contents", []):
                    if not obj["Key"].endswith("/"):
                        found.append(LogFile(obj["Key"], obj["Size"],
                                             obj.get("ETag", "").strip('"')))
        except STORE_ERRORS as exc:
            raise self._error(exc) from None
        return found

    def read(self, f: LogFile) -> bytes:
        from ..publish.s3 import STORE_ERRORS

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=f.name)["Body"]
            return body.read(MAX_FILE + 1)
        except STORE_ERRORS as exc:
            raise self._error(exc) from None


def plain_bytes(data: bytes, name: str) -> bytes:
    """A log file's bytes, gunzipped when it is gzip (by its first bytes, whatever its name);
    one over MAX_FILE refused by name."""
    if is_gzip(data):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                data = gz.read(MAX_FILE + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise StatsError(f"{printable(name)}: a damaged gzip file ({exc}); replace it or "
                             "move it out of the log folder") from None
    if len(data) > MAX_FILE:
        raise StatsError(f"{printable(name)}: over {MAX_FILE // 2**30} GB; split it")
    return data


def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


def text_of(data: bytes) -> str:
    """A log's text: bytes that are not UTF-8 are replaced, never fatal."""
    return data.decode("utf-8", "replace")


_S3_START = re.compile(r"^\S+ \S+ \[\d{2}/")
_COMBINED_START = re.compile(r"^\S+ \S+ \S+ \[\d{2}/")


def format_of(text: str) -> str | None:
    """The format the first recognisable of a log's first lines shows, or None."""
    for line in text.splitlines()[:20]:
        if line.startswith(("#Version", "#Fields")) or line.count("\t") >= 7:
            return "cloudfront"
        if _S3_START.match(line):
            return "s3"
        if _COMBINED_START.match(line):
            return "combined"
    return None
