"""Episodes: an audio file and a YAML sidecar beside it (title, notes, date, chapters...)."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .. import audio, yamlcheck
from ..audio import AUDIO_EXTENSIONS, sha256_file
from ..audio.tags import ID3_CHAPTERS
from ..check_limits import FILE_BYTES
from ..errors import CollectError, printable
from ..images import check_art
from ..markup import (
    INVISIBLE_TITLE,
    markdown_to_html,
    plain_summary,
    public_data,
    public_text,
    render_markdown,
    summarize,
    visible,
    xml_safe,
)
from ..mediatypes import TRANSCRIPT_SUFFIXES, TRANSCRIPT_TYPES
from ..model import Chapter, Episode, EpisodeMeta, Media
from ..podcast_tags import (
    DESCRIPTION_BYTES,
    ITEM_TAGS,
    TITLE_CHARS,
    description_bytes,
    person_warnings,
    tags_of,
    too_long,
)
from ..sourcefiles import (
    confine,
    default_slug,
    key_line,
    read_source,
    read_text,
    regular_file,
    relative,
    split_name,
    strip_where,
    why_unreadable,
)
from ..transcripts import cues_within, read_transcript
from ..urls import addresses_with_credentials
from ..when import parse_date
from .linked import linked_files

SIDECAR_SUFFIXES = {".yaml", ".yml"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


@dataclass
class EpisodeSource:
    """A sidecar that parsed, with the files it names resolved and checked to exist."""

    name: str
    sidecar: Path
    meta: EpisodeMeta
    audio: Path | None  # None: kept at meta.audio_url
    image: Path | None
    transcript: Path | None
    date: str
    linked: dict[str, str]  # files the notes link beside it (see Episode.files)
    soundbites_line: int = 1  # where 'soundbites:' is, for a soundbite past the audio's end
    chapter_lines: list[int] = field(default_factory=list)  # each chapter's 'start:' line

    def files(self) -> list[Path | None]:
        return [self.sidecar, self.audio, self.image, self.transcript]


def _find_audio(sidecar: Path) -> Path | None:
    for ext in sorted(AUDIO_EXTENSIONS):
        for candidate in (sidecar.with_suffix(ext), sidecar.with_suffix(ext.upper())):
            if os.path.lexists(candidate):
                return candidate
    return None


def shared_audio(claimed: dict[str, set[str]], root: Path) -> list[str]:
    """A warning for each audio file two or more sidecars name (``claimed``: real path -> the
    sidecars): publish releases each sidecar as an episode, so one recording goes out twice."""
    out = []
    for real, names in sorted(claimed.items()):
        if len(names) > 1:
            shown = printable(relative(Path(real), root))
            out.append(f"{shown}: the audio of {len(names)} episodes "
                       f"({', '.join(printable(n) for n in sorted(names))}); each is published "
                       "with this one recording: give each its own audio, or remove the extra "
                       "sidecar")
    return out


def named_file(path: Path, folder: Path, name: str, line: int | None, what: str) -> Path:
    """A file a sidecar names (or the audio beside it): inside the episodes folder once links
    are resolved, a regular file, and readable; else a CollectError naming the sidecar, the
    line of its key and the file."""
    confine(path, folder, name, line, what)
    regular_file(path, name, line, what)
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)))
    except OSError as exc:
        reason, hint = why_unreadable(exc, path)
        raise CollectError(name, f"{what} {reason}", line, hint=hint) from None
    return path


def _all_confined(path: Path, folder: Path, name: str, text: str, meta: EpisodeMeta) -> None:
    """Every file the sidecar names that leads outside ``folder``, in one error (each with its
    line), so one run names them all; one alone is left to the checks of its key."""
    refused = []
    for key in ("audio", "image", "transcript"):
        value = getattr(meta, key)
        if value is None or (key == "audio" and meta.audio_url):
            continue
        try:
            confine(path.parent / value, folder, name, key_line(text, key), f"'{key}': {value!r}")
        except CollectError as exc:
            refused.append(exc)
    if len(refused) > 1:
        raise CollectError.all_of(refused)


def read_sidecar(path: Path, name: str, zone: str, warnings: list[str],
                 folder: Path | None = None,
                 identity: tuple[int, int] | None = None) -> EpisodeSource:
    """Parse one sidecar; the files it names must lie inside ``folder`` (default: its own).
    ``identity``: the (device, inode) the folder scan saw (see read_source)."""
    folder = folder if folder is not None else path.parent
    text = read_text(path, name, read_source(path, name, identity=identity))
    try:
        data = yamlcheck.parse(text, name)
        if not isinstance(data, dict):
            raise yamlcheck.YamlProblems([f"{name}:1: expected key: value lines"], 1)
        meta = yamlcheck.validate(EpisodeMeta, data, text, name)
    except yamlcheck.YamlProblems as exc:
        raise CollectError(name, strip_where(exc.problems, name), exc.first_line) from None
    warnings += yamlcheck.unknown_keys(meta, text, name)
    if not meta.title:
        raise CollectError(name, "missing title", 1, hint="add 'title: ...'")
    if not visible(xml_safe(meta.title)):
        raise CollectError(name, INVISIBLE_TITLE, key_line(text, "title"),
                           hint="give the episode a title that can be read")
    name_date, _ = split_name(path.stem)
    when = meta.date if meta.date is not None else name_date
    if when is None:
        raise CollectError(
            name, "missing date", 1,
            hint="add 'date: 2024-05-01 09:00' or name the file 2024-05-01-slug.yaml",
        )
    try:
        date = parse_date(when, zone).isoformat()
    except ValueError as exc:
        raise CollectError(name, f"'date': {exc}", key_line(text, "date")) from None
    text_limits(name, text, meta, warnings)
    warnings += person_warnings(meta, text, name)

    _all_confined(path, folder, name, text, meta)
    if meta.audio_url:
        audio = None
        beside = _find_audio(path)
        if meta.audio:
            raise CollectError(name, "both 'audio' and 'audio_url' are given",
                               key_line(text, "audio_url"),
                               hint="keep 'audio:' for a file of ours, 'audio_url:' for audio "
                                    "left where it is, not both")
        if beside is not None:
            raise CollectError(name, f"'audio_url' is given but {beside.name} is beside it",
                               key_line(text, "audio_url"),
                               hint=f"remove 'audio_url' (and its audio_* keys) to publish "
                                    f"{beside.name}, or move the file away")
        if meta.audio_length is None:
            raise CollectError(name, "'audio_url' needs 'audio_length', the file's size in bytes "
                               "(podcast apps need it for the enclosure)",
                               key_line(text, "audio_url"), hint="add 'audio_length: 12345678'")
        if meta.duration is None:
            warnings.append(f"{name}: no 'duration' for the audio at its URL; podcast apps show "
                            "none until it plays (add 'duration: 31:20')")
            if meta.soundbites:
                warnings.append(
                    f"{name}:{key_line(text, 'soundbites')}: 'soundbites' cannot be checked "
                    "against the audio's length without 'duration' (a soundbite past the end "
                    "plays nothing): add 'duration: 31:20' for the audio at its URL")
    elif meta.audio:
        audio = path.parent / meta.audio
        line = key_line(text, "audio")
        what = f"'audio': {meta.audio!r}"
        confine(audio, folder, name, line, what)
        if "\0" not in meta.audio and not os.path.lexists(audio):
            raise CollectError(
                name, f"audio file {meta.audio!r} not found", line,
                hint="put the audio beside the sidecar or fix 'audio:'",
            )
        named_file(audio, folder, name, line, what)
    else:
        audio = _find_audio(path)
        if audio is None:
            raise CollectError(
                name, "no audio file for this sidecar", 1,
                hint=f"add {path.stem}.mp3 (or .m4a, .wav, .flac) beside it or an 'audio:' key",
            )
        named_file(audio, folder, name, None, f"audio {audio.name!r}")

    def companion(key: str, value: str | None, allowed: set[str]) -> Path | None:
        if value is None:
            return None
        p = path.parent / value
        if p.suffix.lower() not in allowed:
            raise CollectError(
                name, f"'{key}': {value!r} must be one of {', '.join(sorted(allowed))}",
                key_line(text, key),
            )
        line = key_line(text, key)
        confine(p, folder, name, line, f"'{key}': {value!r}")
        if "\0" not in value and not os.path.lexists(p):
            raise CollectError(name, f"'{key}': file {value!r} not found", line)
        return named_file(p, folder, name, line, f"'{key}': {value!r}")

    kept_at_urls(name, text, meta, warnings)
    image = companion("image", meta.image, IMAGE_SUFFIXES)
    transcript = companion("transcript", meta.transcript, set(TRANSCRIPT_SUFFIXES))
    check_companions(name, text, meta, image, transcript, warnings)
    for line, found in addresses_with_credentials(text):  # notes, title, summary, chapters
        warnings.append(f"{name}:{line}: an address holds {found}; it is published without "
                        "it (pages and feeds are public): remove it from the file")
    linked = linked_files(notes_html(meta), path, name, folder, text, warnings,
                          default_line=key_line(text, "notes", default=None))
    _notes_said(name, text, meta, warnings)
    chapter_lines = []
    if len(meta.chapters) > ID3_CHAPTERS:
        warnings.append(f"{name}:{key_line(text, 'chapters')}: 'chapters': {len(meta.chapters)} "
                        f"chapters; the MP3's own chapter table holds the first {ID3_CHAPTERS} "
                        "(apps reading chapters from the feed's chapters file get them all)")
    if meta.chapters:
        lines = yamlcheck.line_map(yamlcheck.compose(text))
        chapter_lines = [yamlcheck.line_of(lines, ("chapters", i, "start")) + 1
                         for i in range(len(meta.chapters))]
    return EpisodeSource(name, path, meta, audio, image, transcript, date, linked,
                         key_line(text, "soundbites"), chapter_lines)


def text_limits(name: str, text: str, meta: EpisodeMeta, warnings: list[str]) -> None:
    """Apple's limits on an episode's title and description, said where the sidecar breaks
    them (a warning: an imported show's old texts are published as they were)."""
    title = xml_safe(meta.title or "")
    if len(title) > TITLE_CHARS:
        warnings.append(f"{name}:{key_line(text, 'title')}: 'title': "
                        + too_long(TITLE_CHARS, len(title), "Apple Podcasts"))
    for key in ("notes", "summary"):
        size = description_bytes(getattr(meta, key))
        if size > DESCRIPTION_BYTES:
            warnings.append(f"{name}:{key_line(text, key)}: '{key}': "
                            + too_long(DESCRIPTION_BYTES, size, "Apple Podcasts",
                                       "bytes of UTF-8"))


def kept_at_urls(name: str, text: str, meta: EpisodeMeta, warnings: list[str]) -> None:
    """Art, a transcript or chapters kept at an address: one source for each, and a transcript's
    type stated (the feed must give it; nothing is fetched to find it)."""
    if meta.image_url and posixpath.splitext(urlsplit(meta.image_url).path)[1].lower() \
            not in IMAGE_SUFFIXES:
        warnings.append(f"{name}:{key_line(text, 'image_url')}: 'image_url' does not end in "
                        ".jpg or .png; Apple Podcasts shows episode art only as JPEG or PNG")
    for local, remote in (("image", "image_url"), ("transcript", "transcript_url"),
                          ("chapters", "chapters_url")):
        if getattr(meta, local) and getattr(meta, remote):
            raise CollectError(name, f"both '{local}' and '{remote}' are given",
                               key_line(text, remote),
                               hint=f"keep '{local}:' for a file of ours, '{remote}:' for one "
                                    "left where it is, not both")
    if meta.transcript_url and not meta.transcript_type:
        raise CollectError(name, "'transcript_url' needs 'transcript_type', the transcript's "
                           "media type (podcast apps need it)", key_line(text, "transcript_url"),
                           hint=f"add 'transcript_type:' with one of "
                                f"{', '.join(TRANSCRIPT_TYPES)}")
    if meta.transcript_type and not meta.transcript_url:
        raise CollectError(name, "'transcript_type' is given without 'transcript_url'",
                           key_line(text, "transcript_type"),
                           hint="add 'transcript_url:' or remove 'transcript_type:' (a "
                                "transcript file's type follows from its name)")


def check_companions(name: str, text: str, meta: EpisodeMeta, image: Path | None,
                     transcript: Path | None, warnings: list[str]) -> None:
    """Episode art and transcript are checked by their content, as the cover is: a failing one
    is an error (the episode keeps its last good version), never published as it is."""
    def shown(value: str) -> str:
        return posixpath.normpath(posixpath.join(posixpath.dirname(name), value))

    art_error = None  # (both are checked: one run names what is wrong with each)
    if image is not None:
        wrong, notes = check_art(image, shown(meta.image))
        if wrong:
            art_error = CollectError(name, f"'image': {wrong}", key_line(text, "image"))
        warnings += notes
    if transcript is not None:
        try:
            read_transcript(transcript, shown(meta.transcript))
            size = transcript.stat().st_size
        except CollectError as exc:
            line = key_line(text, "transcript")
            if art_error is not None:
                raise CollectError.all_of([art_error, CollectError(
                    name, f"'transcript': {exc}", line)]) from None
            named = f"named in {name}:{line}"
            raise CollectError(exc.path, exc.reason, exc.line,
                               hint=f"{exc.hint}; {named}" if exc.hint else named) from None
        except OSError:
            size = 0  # (gone since it was read: the publish that follows says so)
        if size > FILE_BYTES:
            warnings.append(f"{shown(meta.transcript)}: {size / (1 << 20):.1f} MB, more than "
                            f"syndicate check reads of a transcript ({FILE_BYTES >> 20} MB): "
                            "published, but check cannot read it back")
    if art_error is not None:
        raise art_error


def notes_html(meta: EpisodeMeta) -> str:
    return markdown_to_html(meta.notes or meta.summary or meta.title or "")


def _notes_said(name: str, text: str, meta: EpisodeMeta, warnings: list[str]) -> None:
    """What the show notes' text was kept from (a tag that would hide the rest shown as text,
    lists nested too deep), said at the line of the key they are written under."""
    key = "notes" if meta.notes else "summary" if meta.summary else "title"
    line = key_line(text, key, default=1)
    _html, removed, notes = render_markdown(getattr(meta, key) or "")
    for _, note in notes:
        warnings.append(f"{name}:{line}: in the show notes, {note}")
    for what, _written in removed:  # (as a post's body says it: h24 A8)
        warnings.append(f"{name}:{line}: in the show notes, {what} is removed from the page "
                        "and the feeds (only text, links and images with one src are kept); "
                        "link the file instead")


def episode_summary(meta: EpisodeMeta, html: str) -> str:
    return plain_summary(meta.summary) or summarize(html)


def _sha256(path: Path, name: str, what: str) -> str:
    """A companion file's hash; a file gone or unreadable since it was checked is an error."""
    try:
        return sha256_file(path)
    except OSError as exc:
        reason, hint = why_unreadable(exc, path)
        raise CollectError(name, f"{what} {path.name!r} {reason}", hint=hint) from None


def _transcript_within(src: EpisodeSource, shown: str, length: float) -> None:
    """A transcript whose cues start after the audio ends is an error, not a page of timed
    text that cannot seek."""
    cues_within(read_transcript(src.transcript, shown), src.transcript.suffix, shown, length,
                hint=f"named in {src.name}; fix the cue times or the 'transcript:' it names")


def build_episode(src: EpisodeSource, audio_sha: str, media: Media, root: Path) -> Episode:
    meta = src.meta
    duration = media.known_duration or float("inf")
    late = [CollectError(src.name, f"'chapters[{i}]' starts at {ch.start:g} s, after the audio "
                                    f"ends ({duration - media.offset:.1f} s)",
                         src.chapter_lines[i] if i < len(src.chapter_lines) else None)
            for i, ch in enumerate(meta.chapters) if ch.start + media.offset >= duration]
    if late:  # every one of them, each at its line
        raise CollectError.all_of(late)
    if src.transcript is not None and media.known_duration:
        _transcript_within(src, relative(src.transcript, root), duration - media.offset)
    for i, bite in enumerate(meta.soundbites):
        if bite.start + bite.duration > duration - media.offset + 0.5:
            raise CollectError(
                src.name,
                f"'soundbites[{i}]' runs from {bite.start:g} s to "
                f"{bite.start + bite.duration:g} s, past the audio's end "
                f"({duration - media.offset:.1f} s)", src.soundbites_line,
                hint="fix its start or duration")
    html = notes_html(meta)
    chapters = audio.shift_chapters([(c.start, public_text(c.title), c.url)
                                     for c in meta.chapters], media.offset, duration)
    return Episode(
        source=src.name,
        audio=relative(src.audio, root) if src.audio else None,
        audio_sha256=audio_sha,
        media=media,
        slug=meta.slug or default_slug(src.sidecar),
        title=public_text(meta.title).strip(),
        date=src.date,
        html=html,
        summary=episode_summary(meta, html),
        season=meta.season,
        number=meta.number,
        type=meta.type,
        explicit=meta.explicit,
        image=relative(src.image, root) if src.image else None,
        image_sha256=_sha256(src.image, src.name, "'image'") if src.image else None,
        transcript=relative(src.transcript, root) if src.transcript else None,
        transcript_sha256=_sha256(src.transcript, src.name, "'transcript'")
        if src.transcript else None,
        transcript_language=meta.transcript_language,
        chapters=[Chapter(start, title, url) for start, title, url in chapters],
        draft=meta.draft,
        guid=meta.guid,
        image_url=meta.image_url,
        transcript_url=meta.transcript_url,
        transcript_type=meta.transcript_type,
        chapters_url=meta.chapters_url,
        files=src.linked,
        tags=item_tags(meta, media.offset),
    )


def item_tags(meta: EpisodeMeta, offset: float) -> dict:
    """The sidecar's Podcast Index tags as the feed gives them; soundbites move with the
    audio's timeline as chapters do (an intro before it)."""
    tags = public_data(tags_of(meta, ITEM_TAGS))  # a person's name, a soundbite's title...
    for bite in tags.get("soundbites", []):
        bite["start"] = round(bite["start"] + offset, 3)
    return tags
