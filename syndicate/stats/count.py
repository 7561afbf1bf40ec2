"""`syndicate stats` as a library call: read the new logs, then the counts asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from . import rules, tables
from .logfiles import StatsError
from .store import ReadReport, open_stats


def episode_slug(settings, ref: str) -> str:
    """The slug of the episode ``ref`` names (its file, slug or guid)."""
    from ..catalog import loads, open_catalog
    from ..release import ReleaseError, _one_item

    if not settings.catalog_path.exists():
        raise StatsError("no episode is known yet: publish first (`syndicate publish`)")
    with open_catalog(settings.catalog_path, commit=False) as cat:
        try:
            row = _one_item(cat, ref, settings)
        except ReleaseError as exc:
            raise StatsError(str(exc)) from None
    if row["kind"] != "episode":
        raise StatsError(f"{ref!r} is a post, not an episode; downloads are counted for "
                         "episodes")
    return loads(row["data"])["slug"]


def count(settings, *, now: dt.datetime, since: dt.date | None = None,
          until: dt.date | None = None, episode: str | None = None, by: str = "day",
          progress: Callable[[int, int], None] | None = None) -> tuple[dict, ReadReport]:
    """Read the log files not read before, then the downloads counted: the summary document
    (see tables.summary) and what reading found."""
    if by not in tables.BY:
        raise StatsError(f"--by {by!r}: expected one of {', '.join(tables.BY)}")
    if since and until and since > until:
        raise StatsError(f"--since {since} is after --until {until}; nothing could be counted")
    slug = episode_slug(settings, episode) if episode else None
    if not settings.config.stats.logs:
        raise StatsError(f"{settings.path}: 'stats.logs' is not set; set it to the folder or "
                         "s3://bucket/prefix that holds the access logs")
    stats = open_stats(settings, now=now)
    try:
        report = stats.read_logs(progress)
        rows = stats.counts(since=since, until=until, episode=slug)
        doc = tables.summary(rows, stats.episodes, by)
    finally:
        stats.close()
    doc["window"] = rules.WINDOW
    return doc, report
