"""The main job, readable top to bottom: collect, build, plan, apply, record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..catalog import open_catalog
from ..collect import CollectReport, collect
from ..config import Settings
from ..errors import ItemError, PublishError
from ..locks import process_lock
from .build import build_site
from .keys import check_feed_keys
from .local import LocalTarget
from .plan import Plan, apply_plan, make_plan
from .s3 import S3Target

if TYPE_CHECKING:
    from ..audio.pipeline import Progress


@dataclass
class PublishResult:
    collected: CollectReport
    plan: Plan
    dry_run: bool
    errors: list[ItemError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    released: list[dict] = field(default_factory=list)  # items that reached the feeds just now

    @property
    def ok(self) -> bool:
        return not self.errors and not self.plan.held_deletes


def _check_target(settings: Settings) -> None:
    """The site folder must be a folder of its own, holding none of the project's sources."""
    target = settings.target_dir.resolve()
    for name, folder in (("the project", settings.root), ("paths.posts", settings.posts_dir),
                         ("paths.episodes", settings.episodes_dir),
                         ("paths.state", settings.state_dir)):
        folder = folder.resolve()
        if target == folder or target in folder.parents:
            raise PublishError(
                f"{settings.path}: 'target' ({settings.config.target}) holds {name}; "
                "publish to a folder of its own, such as 'public'"
            )


def publish(settings: Settings, *, now: dt.datetime, dry_run: bool = False,
            force: bool = False, progress: Progress | None = None,
            uploaded: Callable[[int, int], None] | None = None,
            lock_wait: float = 5.0, collected: CollectReport | None = None) -> PublishResult:
    """Collect the sources, render the site and bring the target up to date.

    Items dated after ``now`` are not published. Items that fail keep their last good version.
    With ``dry_run`` the plan is computed and returned, and neither the target nor the catalog
    changes. ``progress`` is called as (name, seconds done, seconds in all) during encodes,
    ``uploaded`` as (bytes just sent, bytes to send in all) while the target is written.

    ``collected`` is the report of a collect the caller just ran under the publish lock (the
    sources are then not scanned twice).

    One publish runs at a time per catalog (a lock beside it; another waits up to ``lock_wait``
    seconds, then fails naming the holder). What collect found is committed before the target is
    written, so the catalog is not locked against ``syndicate queue`` during long uploads; what
    the target holds, and which items were released, is committed after it succeeded.
    """
    check_feed_keys(settings.config, settings.path)
    if settings.config.target.startswith("s3://"):
        target = S3Target(settings.config.target, settings.config.s3,
                          site_url=settings.config.site.url)
    else:
        _check_target(settings)
        target = LocalTarget(settings.target_dir)
    released: list[dict] = []
    with (process_lock(settings.state_dir / "publish.lock", "a publish", wait=lock_wait),
          open_catalog(settings.catalog_path, commit=not dry_run) as cat):
        if isinstance(target, S3Target):  # the site's id, made once and kept in the catalog;
            target.site_id = cat.get_meta("site_id")  # the bucket is read while collect runs
            target.start()
        if cat.get_meta("created_at") is None:
            cat.set_meta("created_at", now.astimezone(dt.UTC).replace(microsecond=0).isoformat())
        report = collected or collect(settings, cat, now=now, progress=progress)
        if not dry_run:
            cat.commit()
        previous = target.previous(cat.outputs(target.name))
        if isinstance(target, S3Target) and not dry_run \
                and cat.get_meta("site_id") != target.site_id:
            cat.set_meta("site_id", target.site_id)  # kept before anything carries it
            cat.commit()
        site = build_site(settings, cat, now=now,
                          target_has=lambda k: k in previous and target.has(k, previous[k]["size"]))
        plan = make_plan(site.outputs, previous, target,
                         max_deletes=settings.config.max_deletes, force=force)
        if not dry_run:
            total = plan.bytes
            try:
                apply_plan(plan, target, workers=target.workers,
                           sent=(lambda n: uploaded(n, total)) if uploaded else None)
            except PublishError as exc:
                raise PublishError(f"{exc}. Feeds go last, so what is live still points only "
                                   "at files that exist; run publish again to finish") from None
            target.finish(plan.manifest)
            cat.commit(immediate=True)
            cat.replace_outputs(target.name, plan.manifest)
            released = cat.mark_published(site.visible_ids, now)
    return PublishResult(
        collected=report, plan=plan, dry_run=dry_run,
        errors=[*report.errors, *site.errors],
        warnings=[*settings.warnings, *report.warnings, *site.warnings,
                  *getattr(target, "warnings", [])],
        released=released,
    )
