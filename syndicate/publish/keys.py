"""Keys of the site's objects: checked to stay inside the site, typed from our own table
(``mediatypes``)."""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from .. import mediatypes
from ..errors import PublishError

CONTENT_TYPES = mediatypes.TYPES
ATOM_TYPE = mediatypes.ATOM
_SAFE = re.compile(r"^[A-Za-z0-9._~\-/%]+$")


def content_type(key: str) -> str:
    suffix = PurePosixPath(key).suffix.lower()
    if suffix == ".xml" and PurePosixPath(key).stem.startswith("atom"):
        return ATOM_TYPE
    if suffix == ".atom":
        return ATOM_TYPE
    return mediatypes.of(suffix)


def safe_key(key: str) -> str:
    """Refuse a key that could escape the site's folder or prefix."""
    norm = posixpath.normpath(key)
    if (not key or key.startswith("/") or "\\" in key or norm != key.rstrip("/")
            or norm.startswith("..") or "/../" in f"/{key}/" or not _SAFE.match(key)):
        raise PublishError(f"refusing the output key {key!r}: it would leave the site's folder")
    return key
