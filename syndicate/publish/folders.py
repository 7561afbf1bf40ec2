"""Which source folders the last publish read, and whether they changed since.

A live entry whose file is not in the folder read now, because ``paths.posts`` or
``paths.episodes`` names another folder (or a linked folder leads elsewhere), was not deleted by
the author: the config moved under it. The guard holds such removals until ``--force``. Each
folder is recorded relative to the project, so a moved project is no change, and by where it
leads, so ``./posts/`` is the same folder as ``posts``.
"""

from __future__ import annotations

import json

from ..catalog import Catalog
from ..config import Settings

META_KEY = "source_folders"
SETTING = {"post": "paths.posts", "episode": "paths.episodes"}


def _spelled(settings: Settings, kind: str) -> str:
    paths = settings.config.paths
    return paths.posts if kind == "post" else paths.episodes


def _leads_to(settings: Settings, kind: str) -> str:
    folder = settings.posts_dir if kind == "post" else settings.episodes_dir
    try:
        resolved, root = folder.resolve(), settings.root.resolve()
    except (OSError, RuntimeError):  # a link loop: the collect names it
        return str(folder)
    try:
        return resolved.relative_to(root).as_posix() or "."
    except ValueError:
        return str(resolved)


def now_used(settings: Settings) -> dict[str, dict[str, str]]:
    """kind -> {"spelled": as config.yaml writes it, "at": where it leads in the project}."""
    return {kind: {"spelled": _spelled(settings, kind), "at": _leads_to(settings, kind)}
            for kind in SETTING}


def _recorded(cat: Catalog) -> dict:
    try:
        value = json.loads(cat.get_meta(META_KEY) or "{}")
    except ValueError:
        return {}  # unreadable: as if none was recorded (the other guards still hold)
    return value if isinstance(value, dict) else {}


def changes(settings: Settings, cat: Catalog) -> dict[str, str]:
    """kind -> what changed about its folder since the last publish, in words; kinds whose
    folder is the same (or was never recorded) are left out."""
    old = _recorded(cat)
    out = {}
    for kind, now in now_used(settings).items():
        was = old.get(kind)
        if not isinstance(was, dict) or not isinstance(was.get("at"), str) \
                or was["at"] == now["at"]:
            continue
        name = SETTING[kind]
        if was.get("spelled") != now["spelled"] and isinstance(was.get("spelled"), str):
            out[kind] = (f"{name} changed from {was['spelled']!r} to {now['spelled']!r} since "
                         "the last publish")
        else:
            out[kind] = (f"{name} ({now['spelled']!r}) leads to {now['at']!r} now, not "
                         f"{was['at']!r} as at the last publish")
    return out


def record(settings: Settings, cat: Catalog, kinds: list[str]) -> None:
    """Record the folders of ``kinds`` as the ones the publish just made used."""
    if not kinds:
        return
    value = _recorded(cat)
    now = now_used(settings)
    value.update({kind: now[kind] for kind in kinds})
    cat.set_meta(META_KEY, json.dumps(value, sort_keys=True))



def feeds_of(settings: Settings) -> dict[str, list[str]]:
    """kind -> the keys of the feeds that list its items."""
    cfg = settings.config
    return {"post": list(dict.fromkeys([cfg.blog.rss_path, cfg.blog.atom_path,
                                        cfg.blog.json_path])),
            "episode": list(dict.fromkeys([cfg.podcast.feed_path, cfg.podcast.json_path]))}
