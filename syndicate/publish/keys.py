"""Keys of the site's objects: checked to stay inside the site (their content types are the
outputs' own, from the one table: ``mediatypes``)."""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from ..errors import PublishError

RESERVED = ".syndicate/"  # syndicate's own records under the site (the S3 manifest)
FEED_KEYS = ("blog.rss_path", "blog.atom_path", "blog.json_path", "podcast.feed_path",
             "podcast.json_path")
_SAFE = re.compile(r"^[A-Za-z0-9._~\-/%]+$")


@lru_cache(maxsize=1 << 16)  # each key is checked in the manifest, the plan and the target
def safe_key(key: str) -> str:
    """Refuse a key that could escape the site's folder or prefix."""
    norm = posixpath.normpath(key)
    if key and "\\" not in key and not _SAFE.match(key):
        bad = next(ch for ch in key if not _SAFE.match(ch))
        raise PublishError(f"refusing the output key {key!r}: it holds {bad!r}, which a key "
                           "may not (letters, digits, '.', '-', '_', '~', '%' and '/' only)")
    if (not key or key.startswith("/") or "\\" in key or norm != key.rstrip("/")
            or norm.startswith("..") or "/../" in f"/{key}/" or not _SAFE.match(key)):
        raise PublishError(f"refusing the output key {key!r}: it would leave the site's folder")
    if f"{key}/".startswith(RESERVED):
        raise PublishError(f"refusing the output key {key!r}: {RESERVED} is reserved for "
                           "syndicate's own records (the manifest)")
    return key


def feed_keys(config) -> list[str]:
    """The keys of the feeds the config names (``FEED_KEYS``' values)."""
    return [getattr(getattr(config, section), name)
            for section, name in (dotted.split(".") for dotted in FEED_KEYS)]


def check_feed_keys(config, config_path) -> None:
    """The feed keys the config names are checked before anything is built or sent, so the
    message names the config key to change."""
    for dotted in FEED_KEYS:
        section, name = dotted.split(".")
        part = getattr(config, section)
        value = getattr(part, name)
        try:
            safe_key(value)
        except PublishError as exc:
            default = type(part).model_fields[name].default
            raise PublishError(f"{config_path}: {dotted!r}: {exc}; choose another key, such as "
                               f"{default!r}") from None
