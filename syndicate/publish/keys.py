"""Keys of the site's objects: checked to stay inside the site, typed from an explicit table.

Python's ``mimetypes`` depends on the machine's tables and misses several podcast types, so the
table is ours.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from ..errors import PublishError

CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".xml": "application/rss+xml; charset=utf-8",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".txt": "text/plain; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
}
ATOM_TYPE = "application/atom+xml; charset=utf-8"
_SAFE = re.compile(r"^[A-Za-z0-9._~\-/%]+$")


def content_type(key: str) -> str:
    suffix = PurePosixPath(key).suffix.lower()
    if suffix == ".xml" and PurePosixPath(key).stem.startswith("atom"):
        return ATOM_TYPE
    if suffix == ".atom":
        return ATOM_TYPE
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def safe_key(key: str) -> str:
    """Refuse a key that could escape the site's folder or prefix."""
    norm = posixpath.normpath(key)
    if (not key or key.startswith("/") or "\\" in key or norm != key.rstrip("/")
            or norm.startswith("..") or "/../" in f"/{key}/" or not _SAFE.match(key)):
        raise PublishError(f"refusing the output key {key!r}: it would leave the site's folder")
    return key
