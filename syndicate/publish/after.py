"""What follows a publish that changed feeds: one ordered list of steps, run from one place (the
end of ``publish``), so ``syndicate publish``, ``release-due`` and the scheduler do the same.

A step is told which feeds changed (their public addresses) and returns warnings: a feed is live
by then, so a step that fails never fails the publish. Nothing runs after a dry run, a publish
that changed no feed, or a preview (a target that records nothing, or settings built by
`syndicate serve`: its feeds live at a local address nobody else should be told of). This is
the one place that decides it: serve's settings keep the project's notify section as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Settings
from ..errors import SyndicateError
from ..notify import ping_hubs, ping_podcast_index, ping_podping

# (what it does, the step), in the order they run
STEPS: list[tuple[str, Callable[[Settings, list[str]], list[str]]]] = [
    ("ping WebSub hubs", ping_hubs),
    ("ping Podcast Index", ping_podcast_index),
    ("send a podping", ping_podping),
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


PENDING = "after_publish_pending"  # catalog meta: feeds whose steps have not all gone through


def mark_pending(cat, feeds: list[str]) -> list[str]:
    """The feeds whose steps are to run now: the changed ``feeds`` and those a previous publish
    did not finish (a ping that failed or timed out, a run killed while it waited), recorded
    in the catalog as pending (committed) before any step runs."""
    import json

    try:
        pending = [f for f in json.loads(cat.get_meta(PENDING) or "[]") if isinstance(f, str)]
    except ValueError:
        pending = []
    todo = list(dict.fromkeys([*feeds, *pending]))
    if todo != pending:
        cat.set_meta(PENDING, json.dumps(todo))
        cat.commit()
    return todo


def run_pending(settings: Settings, todo: list[str]) -> list[str]:
    """Run the steps for ``todo`` (from ``mark_pending``); when every one went through, they
    are pending no more (unless another publish added some meanwhile), else the next publish
    runs them again."""
    import json

    from ..catalog import open_catalog

    warnings = after_publish(settings, todo)
    if todo and not warnings:
        try:
            with open_catalog(settings.catalog_path, immediate=True) as cat:
                if cat.get_meta(PENDING) == json.dumps(todo):
                    cat.set_meta(PENDING, "[]")
        except SyndicateError:  # still pending: the next publish pings once more, no harm
            pass
    return warnings


def after_publish(settings: Settings, feeds: list[str]) -> list[str]:
    """Run every step, in order, for the changed ``feeds``; returns their warnings. None
    runs for a preview."""
    if not feeds or settings.preview:
        return []
    warnings: list[str] = []
    for _name, step in STEPS:
        warnings += step(settings, feeds)
    return warnings
