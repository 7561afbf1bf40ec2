"""Episode audio during collection: process (or, with audio.process off, check) new and changed
audio, several episodes at once."""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import audio, filestat, mediatypes
from ..audio.renditions import CODECS, default_title
from ..config import Settings
from ..errors import AudioError, ItemError
from ..filehashes import FileHashes
from ..model import Media
from ..sourcefiles import relative, why_unreadable
from .episodes import EpisodeSource, build_episode, episode_summary, notes_html


def audio_settings(settings: Settings, check: bool = True) -> audio.AudioSettings:
    """The audio settings with intro and outro resolved and (``check``) decoded once. A clip
    that is missing or not audio raises one AudioError naming config.yaml's line for it."""
    from ..yamlcheck import line_of

    cfg = settings.config.audio
    clips = {}
    for role in ("intro", "outro"):
        value = getattr(cfg, role)
        if value is None:
            clips[role] = None
            continue
        path = settings.resolve(value)
        line = line_of(settings.lines, ("audio", role)) + 1
        fix = f"fix audio.{role} or remove it; episodes keep their last published version"
        if not filestat.may_be_there(path) or os.path.isdir(path):
            raise AudioError(str(settings.path), f"'audio.{role}': {value!r} not found",
                             line=line, hint=fix)
        try:
            if check:
                audio.probe(path, value)  # once here, not once for every episode it would join
            clips[role] = audio.Clip(path, audio.sha256_file(path))
        except AudioError as exc:
            raise AudioError(str(settings.path), f"'audio.{role}': {value!r}: {exc.reason}",
                             line=line,
                             hint="point it at MP3, M4A, WAV or FLAC audio, or remove it; "
                                  "episodes keep their last published version") from None
        except OSError as exc:
            reason, hint = why_unreadable(exc, path)
            raise AudioError(str(settings.path), f"'audio.{role}': {value!r} {reason}",
                             line=line, hint=f"{hint}; episodes keep their last published "
                                             "version") from None
    return audio.AudioSettings(cfg, clips["intro"], clips["outro"])


def audio_fingerprint(settings: Settings, hashes: FileHashes) -> str:
    """What, besides an episode's own files, its published audio depends on (the content of
    the cover, intro and outro: cheap, ``hashes`` reads a file only when its stat changed).
    A change re-collects every episode (``audio.process`` included: switched off, every episode
    goes back to its source as it is); the encode cache keeps that cheap unless the sound
    settings changed."""
    c = settings.config
    parts = [c.podcast.title, c.podcast.author or c.site.author,
             audio.AudioSettings(c.audio).key(), f"process={c.audio.process}"]
    if c.audio.alternates:  # (none: as before alternates were)
        parts.append(repr([(a.codec, a.bitrate, a.title) for a in c.audio.alternates]))
    paths = [settings.resolve(p) for p in (c.podcast.image, c.audio.intro, c.audio.outro) if p]
    parts.append(hashes.sig(*paths))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def prepare_audio(pending: list, settings: Settings, report, progress=None,
                  dry_run: bool = False) -> None:
    """Fill each pending (parsed, source) pair's item, or its error."""
    if not pending:
        return
    cfg = settings.config
    root = settings.root
    cache_dir = settings.state_dir / "media"
    lock = threading.Lock()
    shared_error: AudioError | None = None
    sound = None
    if cfg.audio.process:
        try:
            sound = audio_settings(settings)
        except AudioError as exc:
            shared_error = exc
            report.errors.append(exc)
    show_cover = settings.resolve(cfg.podcast.image)
    cover_problem = _cover_problem(show_cover)
    # an episode MP3 carries the show's cover: re-tagged without it, its page and media would
    # disagree with the podcast feed, which keeps its last version. One error for the cover,
    # however many episodes it stops (counted once)
    stopped = [p.name for p, src in pending if src.audio is not None and src.image is None]
    shown = ", ".join(stopped[:3]) + (f" and {len(stopped) - 3} more" if len(stopped) > 3
                                      else "")
    effect = (f"the episodes carrying it ({shown}) are not re-tagged and keep their last "
              "published versions (new ones wait)")
    cover_error = AudioError(
        cfg.podcast.image, f"the show's cover is unusable ({cover_problem}); {effect}",
        hint=f"fix podcast.image in {settings.path.name}") \
        if cover_problem and sound is not None and stopped else None
    if cover_error is not None:  # (said with the build's error of the same cover, if any:
        cover_error.cover_effect = effect  # publish/__init__.py, one_cover_error)

    def work(entry: tuple) -> None:
        p, src = entry
        try:
            if src.audio is None:
                p.item = build_episode(src, p.content_hash, remote_media(src, p.content_hash),
                                       root)
                return
            name = relative(src.audio, root)
            if shared_error is not None:  # said once, for every episode it stops
                p.error = shared_error
                return
            if sound is not None and src.image is None and cover_error is not None:
                p.error = cover_error
                return
            if sound is not None:
                media = _process(src, p.content_hash, name, sound, cache_dir, show_cover,
                                 settings, progress, lock, report, dry_run)
            else:
                media = _passthrough(src, p.content_hash, name)
            p.item = build_episode(src, p.content_hash, media, root)
        except ItemError as exc:
            p.error = exc

    remote = [e for e in pending if e[1].audio is None]
    for entry in remote:  # nothing to process or probe: no thread needed
        work(entry)
    pending = [e for e in pending if e[1].audio is not None]
    if not pending:
        return
    workers = (cfg.audio.workers or os.cpu_count() or 1) if cfg.audio.process \
        else audio.PROBE_WORKERS
    workers = max(1, min(len(pending), workers))
    if workers == 1:
        for entry in pending:
            work(entry)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(work, pending))


def _readable_file(path: Path) -> bool:
    """Whether ``path`` is a file this process may read (the show's cover, for the tags: one
    that is not is named by the build, which reads it for the feed)."""
    try:
        return path.is_file() and os.access(path, os.R_OK)
    except OSError:
        return False


def _cover_problem(path: Path) -> str:
    """What is wrong with the show's cover ('' when it is good), as the build judges it."""
    from ..publish.build import read_cover  # the one reader of the cover

    return read_cover(path)[1]


def _process(src: EpisodeSource, sha: str, name: str, sound, cache_dir: Path, show_cover: Path,
             settings: Settings, progress, lock, report, dry_run: bool = False) -> Media:
    cfg = settings.config
    meta = src.meta
    cover = src.image or (show_cover if _readable_file(show_cover) else None)
    tags = audio.Tags(
        title=meta.title, artist=cfg.podcast.author or cfg.site.author, album=cfg.podcast.title,
        date=src.date[:10], comment=episode_summary(meta, notes_html(meta)), track=meta.number,
        cover=cover, chapters=[(c.start, c.title, c.url) for c in meta.chapters],
    )
    wanted = tuple(cfg.audio.alternates)
    out = audio.process(src.audio, sha, name, sound, cache_dir, tags, progress, dry_run, wanted)
    with lock:
        report.warnings.extend(out.warnings)
    alternates = []
    for alt, made in zip(wanted, out.alternates, strict=True):
        codec = CODECS[alt.codec]
        alternates.append({
            "codec": alt.codec, "bitrate": alt.bitrate,
            "title": alt.title or default_title(alt.codec, alt.bitrate), "key": made["key"],
            "extension": codec.extension, "content_type": codec.content_type,
            "codecs": codec.rfc6381, "sha256": made["sha256"], "sri": made["sri"],
            "size": made["size"]})
    return Media(sha256=out.sha256, size=out.size, content_type=mediatypes.of(".mp3"),
                 extension=".mp3", samples=out.samples, sample_rate=out.sample_rate,
                 channels=out.channels, passthrough=False, offset=out.offset, gain=out.gain,
                 before=out.before.to_dict(), after=out.after.to_dict(),
                 # the MP3's own alternateEnclosure needs these; without alternates the stored
                 # episode stays as it was (no edit is seen where there was none)
                 bitrate=sound.config.kbps if alternates else None,
                 sri=out.sri if alternates else None,
                 alternates=alternates)


def _passthrough(src: EpisodeSource, sha: str, name: str) -> Media:
    info = audio.probe(src.audio, name)
    ext = src.audio.suffix.lower()
    if ext not in audio.PASSTHROUGH or info.codec not in audio.PASSTHROUGH[ext][1]:
        raise AudioError(name, f"{info.codec} audio in a {ext} file cannot be published as it is",
                         hint="set audio.process: true, or export MP3 or M4A")
    return Media(sha256=sha, size=src.audio.stat().st_size,
                 content_type=audio.PASSTHROUGH[ext][0], extension=ext, samples=info.samples,
                 sample_rate=info.sample_rate, channels=info.channels, passthrough=True)


def remote_media(src: EpisodeSource, sha: str) -> Media:
    """Audio kept at its URL: published as the sidecar describes it, not downloaded."""
    meta = src.meta
    ext = os.path.splitext(meta.audio_url.split("?")[0])[1].lower()
    ext = ext if ext in audio.PASSTHROUGH else ".mp3"
    return Media(sha256=sha, size=meta.audio_length,
                 content_type=meta.audio_type or audio.PASSTHROUGH[ext][0],
                 extension=ext, samples=0, sample_rate=0,
                 channels=0, passthrough=True, url=meta.audio_url,
                 stated_duration=meta.duration)
