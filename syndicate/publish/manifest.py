"""The S3 manifest: the record, kept beside the site in the bucket, of what the site published.

``.syndicate/manifest.json`` under the prefix holds the site's identity (an id made once and kept
in the catalog too, and the site's public URL) and one row per object: key, sha256, size,
content type, cache control, the ETag the store gave it and what it was made from. A run that is
about to change keys first records them as ``pending`` rows. It also carries the site's publish
generation (``generation`` and ``catalog``; see generation.py), absent in manifests written before
it moved here from ``.syndicate/state.json``.

The manifest is outside input: anyone with write access to the bucket can change it. ``read``
checks every field's type and range and raises ``DamagedManifest`` for anything else, so the
caller rebuilds it from the objects that are provably the site's own instead of trusting it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .. import generation as generations
from ..errors import PublishError
from .keys import RESERVED, safe_key

VERSION = 2
SITE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SHA256 = re.compile(r"^(?:[0-9a-f]{64})?$")
_MAX_SIZE = 5 * 2**40  # S3's largest object
_TEXT_FIELDS = ("content_type", "cache_control", "input_hash", "etag")


class DamagedManifest(PublishError):
    """The manifest is not one syndicate wrote: rebuild it rather than trust it."""


class NewerManifest(PublishError):
    """The manifest was written by a newer syndicate: nothing of the site is touched."""


NEWEST_PLAUSIBLE = 1000  # a version past this is a scribble (rebuilt), not a newer syndicate


@dataclass
class Manifest:
    site: str | None  # None: written by a syndicate before sites had an identity
    site_url: str | None
    rows: dict[str, dict] = field(default_factory=dict)  # key -> row (pending rows included)
    state: dict | None = None  # the publish generation, if the manifest carries it

    @property
    def pending(self) -> list[str]:
        return [k for k, r in self.rows.items() if r.get("pending")]


def read(body: bytes, name: str) -> Manifest:
    """Parse and check a manifest; ``name`` (its s3:// address) is used in the messages."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise DamagedManifest(f"{name}: not JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise DamagedManifest(f"{name}: expected a JSON object, got {_kind(data)}")
    version = data.get("version")
    if type(version) is int and VERSION < version <= NEWEST_PLAUSIBLE:
        raise NewerManifest(
            f"{name}: written by a newer syndicate (manifest version {version}; this one "
            f"reads up to {VERSION}); upgrade syndicate to publish this site (nothing was "
            "changed)")
    if type(version) is not int or version not in (1, VERSION):
        raise DamagedManifest(f"{name}: unknown version {_short(version)}")
    site, site_url = data.get("site"), data.get("site_url")
    if version == 1:
        site = site_url = None
    elif not (isinstance(site, str) and SITE_ID.match(site)):
        raise DamagedManifest(f"{name}: 'site' must be a site id, got {_short(site)}")
    elif not isinstance(site_url, str):
        raise DamagedManifest(f"{name}: 'site_url' must be text, got {_kind(site_url)}")
    state = None
    if data.get("generation") is not None or data.get("catalog") is not None:
        # (the manifest's own "site" is the site's id, not a folder state's address)
        state = generations.checked({"generation": data.get("generation"),
                                     "catalog": data.get("catalog")})
        if state is None:
            raise DamagedManifest(f"{name}: 'generation' must be a whole number from 0 to "
                                  f"{generations.MAX_GENERATION} and 'catalog' "
                                  f"text, got {_short(data.get('generation'))} and "
                                  f"{_short(data.get('catalog'))}")
    objects = data.get("objects")
    if not isinstance(objects, list):
        raise DamagedManifest(f"{name}: 'objects' must be a list, got {_kind(objects)}")
    rows: dict[str, dict] = {}
    for n, row in enumerate(objects, 1):
        problem = _row_problem(row)
        if problem is None and row["key"] in rows:
            problem = f"key {row['key']!r} appears twice"
        if problem:
            raise DamagedManifest(f"{name}: object {n}: {problem}")
        rows[row["key"]] = _clean(row)
    return Manifest(site=site, site_url=site_url, rows=rows, state=state)


def _row_problem(row) -> str | None:
    if not isinstance(row, dict):
        return f"expected an object, got {_kind(row)}"
    key = row.get("key")
    if not isinstance(key, str):
        return f"'key' must be text, got {_kind(key)}"
    try:
        safe_key(key)
    except PublishError:
        return f"'key' {key[:80]!r} is not a key of the site"
    if key.startswith(RESERVED):
        return f"'key' {key[:80]!r} is in the reserved area {RESERVED}"
    if row.get("pending") is not None:
        return None if row["pending"] is True else "'pending' must be true"
    sha, size = row.get("sha256"), row.get("size")
    if not (isinstance(sha, str) and _SHA256.match(sha)):
        return f"'sha256' must be a hex SHA-256, got {_short(sha)}"
    if type(size) is not int or not 0 <= size <= _MAX_SIZE:
        return f"'size' must be a whole number of bytes, got {_short(size)}"
    for name in _TEXT_FIELDS:
        if not isinstance(row.get(name, ""), str):
            return f"{name!r} must be text, got {_kind(row[name])}"
    return None


def _clean(row: dict) -> dict:
    if row.get("pending"):
        return {"key": row["key"], "pending": True}
    return {"key": row["key"], "sha256": row["sha256"], "size": row["size"],
            **{name: row.get(name, "") for name in _TEXT_FIELDS}}


def dump(site: str, site_url: str, rows: list[dict], state: dict | None = None) -> bytes:
    """The manifest's bytes; ``state`` is the publish generation to carry, if known."""
    head = {"version": VERSION, "site": site, "site_url": site_url}
    if state is not None:
        head.update(generation=state["generation"], catalog=state["catalog"])
    return json.dumps({**head, "objects": sorted(rows, key=lambda r: r["key"])},
                      indent=1).encode()


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _short(value) -> str:
    if isinstance(value, dict | list):
        return _kind(value)
    text = repr(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."
