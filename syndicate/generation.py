"""The publish generation: a stale catalog (restored from a backup, copied from elsewhere) told
apart from the one that last published the site.

Each successful publish counts one generation up and records it twice: in the catalog's meta
and in the target's reserved area, with the catalog's id: ``.syndicate/state.json`` in a site
folder; inside the manifest of an S3 site (``.syndicate/manifest.json``, which every publish reads
anyway, so knowing the site's generation costs no request of its own). Neither is an output, so
no plan writes or deletes them. A site published by an earlier syndicate keeps the generation in
``.syndicate/state.json`` under its prefix: it is read when the manifest carries none, and the
next publish moves it into the manifest. A catalog
whose generation is lower than the site's does not know what was queued since its copy was made:
the items the live site does not show yet are held back until queued again, as for a catalog
made anew. Nothing goes out early because an old catalog came back. Queue and unqueue count a
generation too, and record it on the site at once (an S3 site's manifest is rewritten), so a
backup taken before a queue is older than the site. A site whose record is gone or unreadable is
"unknown", not "trusted": a catalog that has published before holds what the site does not show
(collect's ``_hold_if_behind``); one that never published (a new site) has nothing to be behind.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
import uuid
from pathlib import Path

from .publish.keys import RESERVED

STATE_KEY = RESERVED + "state.json"
GENERATION = "publish_generation"
CATALOG_ID = "catalog_id"
QUEUE_CHANGED = "queue_changed"  # set by queue and unqueue, cleared by the next generation
MAX_STATE_BYTES = 4096


def ours(cat) -> int:
    text = cat.get_meta(GENERATION)
    try:
        return max(int(text or 0), 0)
    except ValueError:
        return 0


def catalog_id(cat) -> str:
    """This catalog's id, made once."""
    found = cat.get_meta(CATALOG_ID)
    if not found:
        found = str(uuid.uuid4())
        cat.set_meta(CATALOG_ID, found)
    return found


MAX_GENERATION = 2 ** 53  # one publish a second would take 285 million years to reach it


def parse_state(data: bytes | None) -> dict | None:
    """The site's recorded generation, or None (none recorded, or not one syndicate wrote)."""
    if not data or len(data) > MAX_STATE_BYTES:
        return None
    try:
        state = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return checked(state)


def checked(state) -> dict | None:
    """A recorded generation as ``{"generation": n, "catalog": id}``, or None if ``state`` is
    not one (the one check for state.json and the S3 manifest's copy)."""
    if not isinstance(state, dict):
        return None
    gen, owner, site = state.get("generation"), state.get("catalog"), state.get("site")
    if type(gen) is not int or not 0 <= gen <= MAX_GENERATION or not isinstance(owner, str) \
            or len(owner) > 200:
        return None
    out = {"generation": gen, "catalog": owner}
    if isinstance(site, str) and len(site) <= 2000:  # (a folder's state names its site too)
        out["site"] = site
    return out


def current(cat) -> tuple[int, str]:
    """The catalog's generation and id, as ``record`` and the S3 manifest keep them."""
    return ours(cat), catalog_id(cat)


def behind(cat, state: dict | None) -> tuple[int, int] | None:
    """(ours, the site's) when the site was published by a later generation than this catalog
    knows, else None."""
    if state is None:
        return None
    mine = ours(cat)
    return (mine, state["generation"]) if state["generation"] > mine else None


def queue_changed(cat) -> None:
    """The queue changed: the next publish counts a generation even if the site does not."""
    cat.set_meta(QUEUE_CHANGED, "1")


def pending(cat) -> bool:
    """Whether the next publish must count a generation though it changes no file."""
    return not ours(cat) or bool(cat.get_meta(QUEUE_CHANGED))


def bump(cat) -> tuple[int, str]:
    """One generation up in the catalog, in the transaction that records a publish (or a
    change of the queue); returns it with the catalog's id, for ``record``."""
    gen = ours(cat) + 1
    cat.set_meta(GENERATION, str(gen))
    cat.delete_meta(QUEUE_CHANGED)
    return gen, catalog_id(cat)


def record(settings, stamp: tuple[int, str]) -> None:
    """After the catalog committed a generation: the site folder records it too (a crash
    before this leaves the site behind the catalog, which is harmless). An S3 site records it
    in its manifest instead (``S3Target.finish``; a queue change: ``record_s3``)."""
    record_local(settings.target_dir, stamp, settings.config.site.url)


def record_s3(settings, stamp: tuple[int, str], site_id: str | None) -> bool:
    """A queue change's generation in an S3 site's manifest (a publish records its own in
    ``S3Target.finish``); False if the site could not be told (the next publish does)."""
    from .publish.s3 import S3Target

    target = S3Target(settings.config.target, settings.config.s3,
                      site_url=settings.config.site.url)
    return target.record_generation(stamp, site_id)


def record_local(folder: Path, stamp: tuple[int, str], site: str | None) -> None:
    """Write the folder's ``.syndicate/state.json``: the generation, the catalog's id and the
    site's address (a folder naming another site is refused)."""
    gen, owner = stamp
    body = json.dumps({"generation": gen, "catalog": owner, "site": site}).encode()
    _write_local(folder / STATE_KEY, body)


def after_queue(cat, settings) -> tuple[int, str] | None:
    """The queue changed (queue, unqueue): a backup taken before is older. The site records
    the new generation at once (``record``: state.json in a folder, the manifest of an S3
    site); should that fail, the next publish records it."""
    stamp = bump(cat)
    queue_changed(cat)  # if the folder cannot be written now, the next publish records it
    return stamp


def _write_local(path, body: bytes) -> None:
    from .publish.local import FILE_MODE

    if path.parent.is_symlink():  # (its records would land wherever the link leads)
        raise OSError(errno.ELOOP, "a link where syndicate keeps its record of the site",
                      str(path.parent))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), FILE_MODE)  # as every published file
            f.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
