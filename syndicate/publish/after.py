"""What follows a publish that changed the site: one ordered list of steps, run from one place
(the end of ``publish``), so ``syndicate publish``, ``release-due`` and the scheduler do the same.

First the CDN is told which paths changed (a CloudFront invalidation, a purge hook), then the
world which feeds changed (WebSub hubs, Podcast Index, Podping): whoever a ping sends to a feed
gets it fresh, not the CDN's old copy. A step is given the items it takes (changed paths, or
changed feeds' public addresses) and returns what it did and its warnings: the files are live
by then, so a step that fails never fails the publish. Each step's items are recorded in the
catalog as pending before it runs, and taken off only when it went through: a step that failed
(or a run killed meanwhile) is run again, for them, by the next publish; the steps that went
through are not repeated.

Nothing runs after a dry run, a publish that changed nothing, or a preview (a target that
records nothing, or settings built by `syndicate serve`: its feeds live at a local address
nobody else should be told of). This is the one place that decides it: serve's settings keep
the project's notify and cdn sections as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from ..config import Settings
from ..errors import SyndicateError
from ..notify import ping_hubs, ping_podcast_index, ping_podping


def _cloudfront(settings: Settings, paths: list[str]) -> tuple[list[str], list[str]]:
    from ..cdn import invalidate_cloudfront

    return invalidate_cloudfront(settings, paths)


def _purge(settings: Settings, paths: list[str]) -> tuple[list[str], list[str]]:
    from ..cdn import purge

    return purge(settings, paths)


def _ping(ping: Callable[[Settings, list[str]], list[str]]):
    return lambda settings, feeds: ([], ping(settings, feeds))


@dataclass(frozen=True)
class Step:
    name: str  # its name in the catalog's record of what is pending
    does: str
    takes: str  # "paths" (changed paths, for a CDN) or "feeds" (changed feeds' addresses)
    run: Callable[[Settings, list[str]], tuple[list[str], list[str]]]  # -> (done, warnings)
    on: Callable[[Settings], bool]  # whether config.yaml asks for it


STEPS: list[Step] = [  # in the order they run
    Step("cloudfront", "invalidate CloudFront", "paths", _cloudfront,
         lambda s: bool(s.config.cdn.cloudfront_distribution)),
    Step("purge", "call the CDN's purge hook", "paths", _purge,
         lambda s: bool(s.config.cdn.purge_url)),
    Step("websub", "ping WebSub hubs", "feeds", _ping(ping_hubs),
         lambda s: bool(s.config.notify.websub_hubs)),
    Step("pubnotify", "ping Podcast Index", "feeds", _ping(ping_podcast_index),
         lambda s: bool(s.config.notify.pubnotify)),
    Step("podping", "send a podping", "feeds", _ping(ping_podping),
         lambda s: bool(s.config.podcast.podping)),
]


def changed_feeds(settings: Settings, written: set[str], released: list[dict]) -> list[str]:
    """The public addresses of the feeds a publish changed: those it wrote, and those of the
    items it released (a release whose feed was written by a run killed before it recorded
    it still counts), in the config's order."""
    cfg = settings.config
    kinds = {r["kind"] for r in released}
    keys = [k for k, kind in ((cfg.blog.rss_path, "post"), (cfg.blog.atom_path, "post"),
                              (cfg.podcast.feed_path, "episode"))
            if k in written or kind in kinds]
    return [cfg.site.url + k for k in dict.fromkeys(keys)]


PENDING = "after_publish_pending"  # catalog meta: {step name: its items not yet gone through}


def _pending(cat) -> dict[str, list[str]]:
    """What the catalog records as pending; an older record (one list of feeds, pending for
    every ping) is read as such, anything unreadable as nothing."""
    try:
        data = json.loads(cat.get_meta(PENDING) or "{}")
    except ValueError:
        return {}
    if isinstance(data, list):
        data = {s.name: data for s in STEPS if s.takes == "feeds"}
    if not isinstance(data, dict):
        return {}
    names = {s.name for s in STEPS}
    return {k: [i for i in v if isinstance(i, str)] for k, v in data.items()
            if k in names and isinstance(v, list)}


def _save(cat, pending: dict[str, list[str]]) -> None:
    cat.set_meta(PENDING, json.dumps({k: v for k, v in pending.items() if v}, sort_keys=True))


def mark_pending(cat, *, feeds: list[str] = (), paths: list[str] = ()) -> dict[str, list[str]]:
    """The items each step is to run for now: the changed ``feeds`` and ``paths`` and those a
    previous publish did not finish (a ping that failed or timed out, an invalidation refused,
    a run killed while it waited), recorded in the catalog as pending (committed) before any
    step runs. ``publish`` gives paths only when a CDN is configured (``wanted``)."""
    pending = _pending(cat)
    given = {"feeds": list(feeds), "paths": list(paths)}
    todo = {s.name: list(dict.fromkeys([*given[s.takes], *pending.get(s.name, [])]))
            for s in STEPS}
    todo = {k: v for k, v in todo.items() if v}
    if todo != {k: v for k, v in pending.items() if v}:
        _save(cat, todo)
        cat.commit()
    return todo


def run_pending(settings: Settings, todo: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """Run the steps for ``todo`` (from ``mark_pending``), in order; returns (what they did,
    their warnings). The items of each step that went through are pending no more (those
    another publish added meanwhile stay); the rest are run again by the next publish."""
    from ..catalog import open_catalog

    if not todo or settings.preview:
        return [], []
    done: list[str] = []
    warnings: list[str] = []
    through: dict[str, list[str]] = {}
    for step in STEPS:
        items = todo.get(step.name)
        if not items:
            continue
        said, warned = step.run(settings, items)
        done += said
        warnings += warned
        if not warned:
            through[step.name] = items
    if through:
        try:
            with open_catalog(settings.catalog_path, immediate=True) as cat:
                pending = _pending(cat)
                left = {k: [i for i in v if i not in set(through.get(k, ()))]
                        for k, v in pending.items()}
                if left != pending:
                    _save(cat, left)
        except SyndicateError:  # still pending: the next publish runs them once more
            pass
    return done, warnings


def wanted(settings: Settings) -> bool:
    """Whether any step takes the changed paths (a CDN is configured)."""
    return settings.config.cdn.on


def pending_lines(settings: Settings) -> list[str]:
    """For `syndicate status`: one line for each step with items still pending (it failed or
    was cut short last time; the next publish runs it again)."""
    from ..catalog import open_catalog

    with open_catalog(settings.catalog_path, commit=False) as cat:
        pending = _pending(cat)
    return [f"Pending: {step.does} for {len(items)} {step.takes[:-1]}"
            f"{'s' if len(items) != 1 else ''} (not done by the last publish; the next one "
            "tries again)" for step in STEPS
            if (items := pending.get(step.name)) and step.on(settings)]
