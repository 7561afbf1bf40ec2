"""Write a migrated podcast feed's episodes into episodes/: the audio (downloaded whole) and a
YAML sidecar beside it keeping the episode's guid, date, notes, season and number."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from ..catalog import open_catalog
from ..config import Settings
from . import ImportReport, SourceError, _rel, _write_atomic, free_stem
from .html import to_markdown
from .podcast import PodcastFeed, download

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's, where PyYAML has it


def _known_guids(folder: Path) -> dict[str, Path]:
    known: dict[str, Path] = {}
    if not folder.is_dir():
        return known
    for path in sorted(folder.glob("*.y*ml")):
        try:
            meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(meta, dict) and meta.get("guid"):
            known[str(meta["guid"])] = path
    return known


def import_podcast(settings: Settings, feed: PodcastFeed, source: str, report: ImportReport,
                   *, dry_run: bool = False) -> None:
    owner = settings.config.podcast.owner.email
    if feed.locked and (feed.owner_email or "").lower() != owner.lower():
        report.errors.append(
            f"{source}: the feed is locked (podcast:locked yes) to its owner "
            f"{feed.owner_email or '(no email given)'}, and podcast.owner.email in "
            f"{settings.path.name} is {owner}; only the owner may move it")
        return
    folder = settings.episodes_dir
    known = _known_guids(folder)
    taken = {p.stem for p in folder.glob("*")} if folder.is_dir() else set()
    parts = settings.state_dir / "downloads"
    todo = []
    for ep in feed.episodes:
        entry = {"title": ep.title, "source": source, "guid": ep.guid}
        if ep.guid in known:
            report.merged.append({**entry, "file": _rel(known[ep.guid], settings)})
            continue
        if ep.date is None:
            report.skipped.append({**entry, "reason": "no pubDate in the feed"})
            continue
        stem = free_stem(ep.date, ep.title, taken)
        known[ep.guid] = folder / f"{stem}.yaml"
        todo.append((ep, entry, stem))

    def fetch(job):
        ep, _, stem = job
        if dry_run:
            return None
        try:
            download(ep.audio_url, folder / f"{stem}{ep.audio_ext}", parts,
                     expected=ep.audio_length, http=http)
        except SourceError as exc:
            return f"{ep.title!r}: {exc}"
        return None

    from .fetch import session

    with session() as http, ThreadPoolExecutor(8) as pool:
        failures = list(pool.map(fetch, todo))
    for (ep, entry, stem), failure in zip(todo, failures, strict=True):
        if failure:
            report.errors.append(failure)  # no sidecar: the episode is not half there
            continue
        meta = {"title": ep.title, "date": ep.date.astimezone(dt.UTC).isoformat(),
                "guid": ep.guid,
                "type": ep.type if ep.type in ("full", "trailer", "bonus") else "full"}
        if ep.season:
            meta["season"] = ep.season
        if ep.number:
            meta["number"] = ep.number
        if ep.explicit is not None:
            meta["explicit"] = ep.explicit
        if ep.notes_html:
            meta["notes"] = to_markdown(ep.notes_html)
        meta["imported_from"] = source
        if not dry_run:
            _write_atomic(folder / f"{stem}.yaml", yaml.dump(
                meta, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=1000))
        report.created.append({**entry, "file": _rel(folder / f"{stem}{ep.audio_ext}",
                                                      settings)})
    if feed.guid and not dry_run:
        with open_catalog(settings.catalog_path) as cat:
            cat.set_meta("podcast_guid", feed.guid)
        report.podcast_guid = feed.guid
