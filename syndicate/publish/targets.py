"""Where a site is published: a small interface, and the one place that picks a target by the
scheme of the configured ``target``.

- a folder (``public``, ``/srv/www/site``; ``file:///srv/www/site`` for a library caller):
  ``local.LocalTarget``;
- ``s3://bucket/prefix``: ``s3.S3Target``;
- ``preview://FOLDER``: ``local.PreviewTarget``, a folder that shows the site before it goes
  live. It never records published state: the catalog learns nothing of it, no item counts as
  released, no hub is pinged, no guard reads the live site.

Every output brings its own content type and cache policy (``build.Output``, from the table in
``mediatypes``); a target serves them as given and infers nothing from key names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

from ..errors import PublishError

if TYPE_CHECKING:
    from ..config import Settings
    from .outputs import Output
    from .plan import Plan


class Target(Protocol):
    name: str  # how the catalog records this target's outputs
    workers: int  # writes at once within a phase
    records: bool  # a real publish: the catalog keeps what it holds and what was released
    warnings: list[str]
    site_state: Callable[[], dict | None] | None  # the site's publish generation, if it keeps it

    def start(self) -> None:
        """Start reading what the target holds (while the rest of the publish loads)."""

    def bind(self, cat) -> None:
        """Before collect: take what the catalog knows of this target (an S3 site's id)."""

    def adopt(self, cat, settings: Settings) -> None:
        """After collect: decide whose the target's files are (a folder's state.json)."""

    def remember(self, cat) -> None:
        """After ``previous``: keep in the catalog what was learnt of the target."""

    def previous(self, catalog_rows: dict[str, dict]) -> dict[str, dict]: ...
    def has(self, key: str, size: int) -> bool: ...
    def claim(self, plan: Plan) -> None: ...
    def stale_headers(self, out: Output) -> bool: ...
    def begin(self, plan: Plan) -> None: ...
    def write(self, out: Output, data: bytes | None,
              sent: Callable[[int], None] | None = None) -> None: ...
    def copy_headers(self, out: Output) -> None: ...
    def delete(self, key: str) -> None: ...
    def finish(self, manifest: list[dict], stamp: tuple[int, str]) -> None: ...


class TargetBase:
    """What a target that needs no such step does at each of them: nothing."""

    records = True
    site_state = None
    rehash = False  # publish --force: check the live files by their content (a folder)
    # while a plan is written: asked before each request that writes (a scheduler's lease, a
    # publish's lock on the server; see publish._guarded); what it raises stops the writing
    guard: Callable[..., None] | None = None

    def start(self) -> None:
        pass

    def bind(self, cat) -> None:
        pass

    def adopt(self, cat, settings: Settings) -> None:
        pass

    def remember(self, cat) -> None:
        pass

    def claim(self, plan: Plan) -> None:
        pass

    def stale_headers(self, out: Output) -> bool:
        return False


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def scheme_of(target: str) -> str:
    """The scheme of a target: ``s3``, ``file``, ``preview``, or '' for a folder's path."""
    m = _SCHEME.match(target)
    return m.group(1).lower() if m else ""


def _folder(address: str) -> Path:
    """The folder a ``file://`` or ``preview://`` address names (absolute, no host)."""
    parts = urlsplit(address)
    if parts.netloc not in ("", "localhost") or parts.query or parts.fragment \
            or not parts.path.startswith("/"):
        raise PublishError(f"target {address!r}: expected {parts.scheme}:///absolute/folder")
    return Path(unquote(parts.path))


def _s3(settings: Settings, force: bool, verify: bool):
    from .s3 import S3Target  # boto3: loaded only for an S3 target

    target = S3Target(settings.config.target, settings.config.s3,
                      site_url=settings.config.site.url)
    target.verify = verify
    return target


def _folder_target(settings: Settings, force: bool, verify: bool):
    from .keys import feed_keys
    from .local import LocalTarget

    target = settings.config.target
    root = _folder(target) if scheme_of(target) == "file" else settings.target_dir
    # config.yaml was refused if the folder overlaps the sources or the state
    local = LocalTarget(root, force=force, site_url=settings.config.site.url)
    local.refuse_other_sites(feed_keys(settings.config))  # before anything is read or written
    return local


def _preview(settings: Settings, force: bool, verify: bool):
    from .local import PreviewTarget

    return PreviewTarget(_folder(settings.config.target), site_url=settings.config.site.url)


# scheme -> how its target is made from the settings (force: overwrite files the site did not
# publish; verify: read every object's headers)
SCHEMES: dict[str, Callable[[Settings, bool, bool], Target]] = {
    "": _folder_target, "file": _folder_target, "s3": _s3, "preview": _preview}


def open_target(settings: Settings, *, force: bool = False, verify: bool = False) -> Target:
    """The target ``settings.config.target`` names, chosen by its scheme."""
    target = settings.config.target
    make = SCHEMES.get(scheme_of(target))
    if make is None:
        raise PublishError(f"target {target!r}: cannot publish to {scheme_of(target)}://; "
                           "give a folder or s3://bucket/prefix")
    return make(settings, force, verify)
