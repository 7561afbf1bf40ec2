"""Write a migrated podcast feed's episodes into episodes/: the audio (downloaded whole) and a
YAML sidecar beside it keeping the episode's guid, date, notes, season and number."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import yamlcheck
from ..audio import PASSTHROUGH
from ..catalog import open_catalog
from ..config import Settings
from ..urls import credential_in, redact
from . import (
    ImportReport,
    SourceError,
    _rel,
    _write_atomic,
    dump_yaml,
    free_stem,
    taken_slugs,
)
from .html import to_markdown
from .podcast import FeedEpisode, PodcastFeed, download


def _known_guids(folder: Path) -> dict[str, Path]:
    known: dict[str, Path] = {}
    if not folder.is_dir():
        return known
    for path in sorted(folder.glob("*.y*ml")):
        try:
            meta = yamlcheck.parse(path.read_text(encoding="utf-8"), path.name)
        except (OSError, UnicodeDecodeError, yamlcheck.YamlProblems):
            continue
        if isinstance(meta, dict) and meta.get("guid"):
            known[str(meta["guid"])] = path
    return known


def import_podcast(settings: Settings, feed: PodcastFeed, source: str, report: ImportReport,
                   *, dry_run: bool = False, keep_url: bool = False) -> None:
    """Write the feed's new episodes into episodes/. ``keep_url``: leave the audio on the old
    host (the sidecar names its URL, size and duration) instead of downloading it."""
    owner = settings.config.podcast.owner.email
    if feed.locked and (feed.owner_email or "").lower() != owner.lower():
        report.errors.append(
            f"{source}: the feed is locked (podcast:locked yes) to its owner "
            f"{feed.owner_email or '(no email given)'}, and podcast.owner.email in "
            f"{settings.path.name} is {owner}; only the owner may move it")
        return
    folder = settings.episodes_dir
    known = _known_guids(folder)
    taken = taken_slugs(folder.glob("*")) if folder.is_dir() else set()
    parts = settings.state_dir / "downloads"
    todo = []
    report.skipped += [{**left, "source": source} for left in feed.left_out]
    for ep in feed.episodes:
        entry = {"title": ep.title, "source": source, "guid": ep.guid}
        if ep.guid in known:
            report.merged.append({**entry, "file": _rel(known[ep.guid], settings)})
            continue
        if ep.date is None:
            report.skipped.append({**entry, "reason": "no pubDate in the feed" if not ep.date_text
                                   else f"its pubDate {ep.date_text[:60]!r} is not a date "
                                   "between 1900 and 2999; correct it in the old feed"})
            continue
        secret = credential_in(ep.audio_url) if keep_url else None
        if secret:  # kept at its URL, the address would be published: refused, never written
            report.errors.append(
                f"{ep.title!r}: its audio address {redact(ep.audio_url)} holds {secret}; kept "
                "at its URL it would be published in the podcast feed, so the episode was not "
                "imported; import it with --audio download (the credential then only fetches "
                "the file), or give the old host's public address")
            continue
        stem = free_stem(ep.date, ep.title, taken)
        known[ep.guid] = folder / f"{stem}.yaml"
        todo.append((ep, entry, stem))

    def fetch(job) -> tuple[str | None, str | None]:
        """(error, what a person should check) for one episode that needs the old host: its
        audio downloaded, or its size asked for. Several at once: the host's latency overlaps.
        """
        ep, _, stem = job
        if keep_url:  # the enclosure needs a size
            ep.audio_length = _remote_size(ep.audio_url, http)
            if ep.audio_length is None:
                return (f"{ep.title!r}: the feed gives no enclosure length and the old host "
                        f"gave none for {ep.audio_url}; import with --audio download"), None
            return None, None
        dest = folder / f"{stem}{ep.audio_ext}"
        try:
            download(ep.audio_url, dest, parts, expected=ep.audio_length, http=http)
        except SourceError as exc:
            return f"{ep.title!r}: {exc}", None  # no sidecar: the episode is not half there
        return None, _check_duration(dest, ep.duration)

    remote = [job for job in todo if (job[0].audio_length is None if keep_url else not dry_run)]
    outcomes: dict[int, tuple[str | None, str | None]] = {}
    if remote:
        from .fetch import session

        with session() as http, ThreadPoolExecutor(8) as pool:
            outcomes = dict(zip(map(id, remote), pool.map(fetch, remote), strict=True))
    for job in todo:  # the sidecars: CPU work, in this thread (threads would only contend)
        ep, entry, stem = job
        failure, doubt = outcomes.get(id(job), (None, None))
        if failure:
            report.errors.append(failure)
            continue
        if keep_url and ep.duration is None:
            doubt = ("no itunes:duration in the feed for audio kept at its URL; add "
                     "'duration:' to the sidecar")
        if not dry_run:
            try:
                _write_atomic(folder / f"{stem}.yaml",
                              dump_yaml(_sidecar(ep, source, keep_url, doubt)))
            except OSError as exc:  # a full disk, a read-only folder: named, the rest goes on
                report.errors.append(f"{_rel(folder / f'{stem}.yaml', settings)}: cannot write "
                                     f"it ({exc.strerror or exc}); {ep.title!r} was not "
                                     "imported")
                continue
        entry["file"] = _rel(folder / f"{stem}{'.yaml' if keep_url else ep.audio_ext}",
                             settings)
        if keep_url:
            entry["audio_url"] = ep.audio_url
        report.created.append(entry)
        if doubt:
            report.flagged.append({**entry, "reason": doubt})
    if feed.guid and not dry_run:
        with open_catalog(settings.catalog_path) as cat:
            cat.set_meta("podcast_guid", feed.guid)
        report.podcast_guid = feed.guid


def _sidecar(ep: FeedEpisode, source: str, keep_url: bool, doubt: str | None) -> dict:
    meta = {"title": ep.title, "date": ep.date.astimezone(dt.UTC).isoformat(), "guid": ep.guid,
            "type": ep.type if ep.type in ("full", "trailer", "bonus") else "full"}
    if keep_url:
        meta["audio_url"] = ep.audio_url
        meta["audio_length"] = ep.audio_length
        meta["audio_type"] = PASSTHROUGH[ep.audio_ext][0]
        if ep.duration is not None:
            meta["duration"] = round(ep.duration, 3)
    if ep.season:
        meta["season"] = ep.season
    if ep.number:
        meta["number"] = ep.number
    if ep.explicit is not None:
        meta["explicit"] = ep.explicit
    if ep.notes_html:
        meta["notes"] = to_markdown(ep.notes_html)
    meta["imported_from"] = redact(source)  # a sidecar never keeps a credential
    if doubt:
        meta["review"] = doubt
    return meta


def _remote_size(url: str, http) -> int | None:
    import requests

    from .fetch import TIMEOUT

    try:
        resp = http.head(url, timeout=TIMEOUT, allow_redirects=True)
    except requests.RequestException:
        return None
    size = resp.headers.get("Content-Length", "")
    return int(size) if resp.ok and size.isdigit() and int(size) > 0 else None


DURATION_SLACK = 2.0  # seconds the feed's stated duration may be off before it is flagged


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def _check_duration(path: Path, stated: float | None) -> str | None:
    """What to review when the downloaded audio's length is not what the old feed said."""
    import mutagen

    try:
        info = mutagen.File(path)
        length = info.info.length if info is not None else None
    except (mutagen.MutagenError, OSError):
        length = None
    if not length:
        return (f"{path.name}: not audio that can be read (no duration found); check the "
                "file the old host sent")
    if stated is not None and abs(length - stated) > max(DURATION_SLACK, stated * 0.01):
        return (f"the old feed said {_clock(stated)}, the audio lasts {_clock(length)}; the "
                "published feed gives the audio's own duration")
    return None
