"""`syndicate new post` and `syndicate new episode`: a post file or an episode sidecar with
today's date (in ``site.timezone``) and the next episode number, ready to edit.

Both are written as drafts unless asked otherwise (``draft=False``): `syndicate run` collects
new files as they appear, and a half-written post must not go out while it is being typed.
Nothing is ever overwritten: a name already taken gets ``-2``, ``-3``... and every file is
created with O_EXCL, so a file made meanwhile is not replaced either.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import subprocess
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import yamlcheck
from .audio.probe import AUDIO_EXTENSIONS
from .errors import SyndicateError, printable
from .markup import INVISIBLE_TITLE, slugify, title_slug, visible, xml_safe
from .when import WhenError, parse_date

MAX_TITLE = 1000  # characters; a title is a line, not a paragraph
SIDECARS = (".yaml", ".yml")
POST_SUFFIXES = (".md", ".markdown", ".txt")


class NewItemError(SyndicateError):
    """What was asked for cannot be written; nothing was."""

    exit_code = 2


@dataclass
class NewItem:
    kind: str  # "post" or "episode"
    file: Path  # the post, or the episode's sidecar
    title: str
    date: str  # as written into the file
    draft: bool
    audio: Path | None = None  # an episode's audio (copied in, or where it was already)
    copied: bool = False  # the audio was copied into the episodes folder
    season: int | None = None
    number: int | None = None
    warnings: list[str] = field(default_factory=list)


def check_title(title: str, kind: str = "post") -> str:
    """The title as it will be read back: blank space around it goes; a title that is blank,
    longer than a line, or holding characters a feed cannot carry is refused."""
    text = title.strip()
    if not visible(text):
        what = INVISIBLE_TITLE if text else "the title is empty"
        example = ("syndicate new episode river.mp3 --title" if kind == "episode"
                   else "syndicate new post")  # the command that was given
        raise NewItemError(f"{what}; give one, e.g. {example} \"Notes from the river\"")
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or xml_safe(ch) != ch \
                or ch in "\ufffe\uffff":
            what = "a line break" if ch in "\n\r\x85\u2028\u2029" else \
                f"the control character U+{ord(ch):04X}"
            raise NewItemError(f"the title holds {what}, which a title cannot carry; "
                               "give it on one line of plain text")
    if len(text) > MAX_TITLE:
        raise NewItemError(f"the title is {len(text)} characters long; keep it under "
                           f"{MAX_TITLE} (the summary or body is the place for more)")
    return text


def _today(now: dt.datetime, zone: str) -> dt.date:
    return now.astimezone(zoneinfo.ZoneInfo(zone)).date()


def _date_text(value: str | None, now: dt.datetime, zone: str) -> tuple[str, dt.date]:
    """What goes in ``date:`` and the day the file name carries: today by default; a given
    date is checked by the one date parser and written as the author wrote it (trimmed)."""
    if value is None or not value.strip():
        day = _today(now, zone)
        return day.isoformat(), day
    try:
        when = parse_date(value.strip(), zone)
    except WhenError as exc:
        raise NewItemError(f"--date: {exc}") from None
    return value.strip(), when.astimezone(zoneinfo.ZoneInfo(zone)).date()


_PLAIN_DATE = re.compile(r"\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d)?"
                         r"(?:Z|[+-]\d\d:?\d\d)?)?")


def _front_matter(fields: dict) -> str:
    """YAML lines for ``fields``: values quoted where YAML needs it (any title reads back as
    written), a date left plain as a person writes it, notes as a block to write in."""
    lines = []
    for key, value in fields.items():
        if key == "date" and _PLAIN_DATE.fullmatch(value):
            lines.append(f"date: {value}\n")  # (the loader keeps dates as text)
        elif key == "notes":
            lines.append("notes: |\n" + "".join(f"  {ln}\n" for ln in value.splitlines()))
        else:
            lines.append(yaml.safe_dump({key: value}, allow_unicode=True, width=float("inf"),
                                        default_flow_style=False))
    return "".join(lines)


def _create(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` unless it exists; whether it was created. Any other
    failure (permissions, a full disk) is a NewItemError naming the file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    except OSError as exc:
        raise NewItemError(f"cannot write {printable(str(path))}: {exc.strerror or exc}") \
            from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise NewItemError(f"cannot write {printable(str(path))}: {exc.strerror or exc}") \
            from None
    return True


def _names_in(folder: Path, suffixes: tuple[str, ...]) -> set[str]:
    """The stems (lowercased) of the source files under ``folder``, as the collector sees
    them (hidden and ``_`` entries skipped)."""
    out: set[str] = set()
    for _dirpath, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        for f in files:
            stem, ext = os.path.splitext(f)
            if ext.lower() in suffixes and not f.startswith((".", "_")):
                out.add(stem.lower())
    return out


def _slug_of(stem: str) -> str:
    from .sourcefiles import split_name

    return slugify(split_name(stem)[1])


def _mkdir(folder: Path, key: str) -> None:
    """``folder`` (the config's ``key``) made if missing; anything else there is an error."""
    if os.path.lexists(folder) and not folder.is_dir():
        raise NewItemError(f"{printable(str(folder))} is not a folder; move it away, or point "
                           f"{key} at the folder to write in")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NewItemError(f"cannot make the folder {printable(str(folder))}: "
                           f"{exc.strerror or exc}") from None


def new_post(settings, title: str, *, now: dt.datetime, date: str | None = None,
             draft: bool = True) -> NewItem:
    """Write ``posts/YYYY-MM-DD-slug.md`` with the title, date (and ``draft: true``) in its
    front matter; returns what was written. Raises NewItemError, writing nothing."""
    title = check_title(title)
    zone = settings.config.site.timezone
    written, day = _date_text(date, now, zone)
    folder = settings.posts_dir
    _mkdir(folder, "paths.posts")
    fields: dict = {"title": title, "date": written}
    if draft:
        fields["draft"] = True
    text = f"---\n{_front_matter(fields)}---\n\nWrite here.\n"
    base = title_slug(title)
    taken = {_slug_of(s) for s in _names_in(folder, POST_SUFFIXES)}
    for n in range(1, 10_000):
        slug = base if n == 1 else f"{base}-{n}"
        if slug in taken:
            continue
        path = folder / f"{day.isoformat()}-{slug}.md"
        if _create(path, text.encode()):
            return NewItem("post", path, title, written, draft)
    raise NewItemError(f"every name for {base!r} is taken in {printable(str(folder))}")


# -- episodes -----------------------------------------------------------------------------
@dataclass
class _Sidecar:
    path: str
    season: int | None
    number: int | None
    audio: str | None  # the real path of the file its 'audio:' names, if any
    audio_line: int = 1


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _sidecars(folder: Path, warnings: list[str]) -> list[_Sidecar]:
    """Every episode sidecar under ``folder``: its season, number and the audio its
    ``audio:`` names; one that cannot be read is a warning (its number is not counted)."""
    from .sourcefiles import key_line

    out = []
    for dirpath, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for f in sorted(files):
            if f.startswith((".", "_")) or not f.lower().endswith(SIDECARS):
                continue
            path = Path(dirpath) / f
            try:
                text = path.read_text(encoding="utf-8-sig")
                data = yamlcheck.parse(text, str(path))
            except (OSError, UnicodeDecodeError, yamlcheck.YamlProblems):
                warnings.append(f"{printable(str(path))}: cannot be read; its episode number "
                                "(if any) was not counted")
                continue
            if not isinstance(data, dict):
                continue
            named = data.get("audio")
            audio = os.path.realpath(path.parent / named) \
                if isinstance(named, str) and named.strip() and "\0" not in named else None
            number = _int(data.get("number"))
            season = _int(data.get("season")) if number is not None else None
            out.append(_Sidecar(str(path), season, number, audio,
                                key_line(text, "audio") if audio else 1))
    return out


def _already_named(source: Path, sidecars: list[_Sidecar], root: Path) -> None:
    """Audio another sidecar's ``audio:`` already names gets no second sidecar: publish would
    release the one recording as two episodes."""
    from .sourcefiles import relative

    real = os.path.realpath(source)
    for s in sidecars:
        if s.audio == real or (s.audio is not None and _same_file(s.audio, real)):  # (or a
            # hard link to it: one recording under two names)
            raise NewItemError(f"{printable(str(source))} is already the audio of "
                               f"{printable(relative(Path(s.path), root))}:{s.audio_line}; "
                               "edit that sidecar "
                               "instead, or give this episode a recording of its own")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_audio(path: Path) -> list[str]:
    """A file ffmpeg can decode an audio stream from (its first second is read), as long as
    its header says (every packet is read, none decoded: a moment even for an hour)."""
    from .audio.ffmpeg import STREAM, ffmpeg_exe, reached, reason
    from .audio.measure import BLOCK
    from .audio.whole import packet_check

    shown = printable(str(path))
    if not path.is_file():
        raise NewItemError(f"{shown}: no such file" if not os.path.lexists(path)
                           else f"{shown}: not a plain file")
    if path.suffix.lower() not in AUDIO_EXTENSIONS:
        raise NewItemError(f"{shown}: not an audio file (by its name); give the episode's "
                           f"audio: {', '.join(sorted(AUDIO_EXTENSIONS))}")
    if path.stat().st_size == 0:
        raise NewItemError(f"{shown}: the audio file is empty; export the episode again")
    cut, _seconds = packet_check(path)  # the rule publish applies after its decode
    if cut:
        raise NewItemError(f"{shown}: {cut}; copy or export it again")
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-t", "1",
                           "-map", "0:a:0", "-f", "null", "-"], capture_output=True, text=True,
                          errors="replace")
    if proc.returncode != 0 or not STREAM.search(proc.stderr):
        raise NewItemError(f"{shown}: not readable audio ({reason(proc.stderr)}); export it "
                           "again as MP3, M4A, WAV or FLAC")
    seconds = reached(proc.stderr)  # decoded: the encoder's padding is left out
    if seconds is not None and seconds < BLOCK:
        return [f"{shown}: only {seconds:.2g} s long, too short for publish to measure its "
                "loudness (its level is left alone); is this the whole recording?"]
    return []


def _inside(path: Path, folder: Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real.startswith(top.rstrip(os.sep) + os.sep)


def new_episode(settings, audio: str | Path, title: str, *, now: dt.datetime,
                number: int | None = None, season: int | None = None,
                date: str | None = None, draft: bool = True) -> NewItem:
    """Write an episode's sidecar for ``audio``: audio already inside the episodes folder is
    referenced where it is (the sidecar beside it, of the same name); audio elsewhere is copied
    in as ``NNN-slug.ext`` (NNN its number). The number is the next one (highest + 1; in
    ``season``, or the latest season when the show uses seasons) unless given. Raises
    NewItemError, writing nothing."""
    title = check_title(title, "episode")
    for what, value in (("--number", number), ("--season", season)):
        if value is not None and not 1 <= value <= 1_000_000:
            raise NewItemError(f"{what} must be a whole number from 1 to 1000000, got {value}")
    source = Path(audio)
    warnings = _check_audio(source)
    folder = settings.episodes_dir
    _mkdir(folder, "paths.episodes")
    zone = settings.config.site.timezone
    written, _day = _date_text(date, now, zone)
    sidecars = _sidecars(folder, warnings)
    if _inside(source, folder):
        _already_named(source, sidecars, settings.root)
    known = [(s.season, s.number, s.path) for s in sidecars if s.number is not None]
    if season is None and any(s is not None for s, _, _ in known):
        season = max(s for s, _, _ in known if s is not None)
    same = [(n, f) for s, n, f in known if s == season]
    if number is None:
        number = max((n for n, _ in same), default=0) + 1
    else:
        for n, f in same:
            if n == number:
                where = f" of season {season}" if season is not None else ""
                raise NewItemError(f"episode {number}{where} is already {printable(f)}; give "
                                   "another --number, or leave it out for the next one")
    fields: dict = {"title": title, "date": written}
    if season is not None:
        fields["season"] = season
    fields["number"] = number
    if draft:
        fields["draft"] = True
    fields["notes"] = "Show notes, in Markdown.\n"
    sidecar_text = _front_matter(fields).encode()
    item = NewItem("episode", folder, title, written, draft, season=season, number=number,
                   warnings=warnings)
    if _inside(source, folder):
        sidecar = source.with_suffix(".yaml")
        if any(os.path.lexists(source.with_suffix(s)) for s in SIDECARS):
            raise NewItemError(f"{printable(str(source.with_suffix('.yaml')))} (or .yml) "
                               "already exists; edit it instead")
        if not _create(sidecar, sidecar_text):
            raise NewItemError(f"{printable(str(sidecar))} already exists; edit it instead")
        item.file, item.audio = sidecar, source
        return item
    item.copied = True
    ext = source.suffix.lower()
    base = f"{number:03d}-{title_slug(title)}"
    taken = _names_in(folder, (*SIDECARS, *AUDIO_EXTENSIONS))
    for n in range(1, 10_000):
        stem = base if n == 1 else f"{base}-{n}"
        if stem in taken:
            continue
        target, sidecar = folder / f"{stem}{ext}", folder / f"{stem}.yaml"
        if _copy_new(source, target):
            try:
                made = _create(sidecar, sidecar_text)
            except NewItemError:
                target.unlink()  # no audio left behind without its sidecar
                raise
            if made:
                item.file, item.audio = sidecar, target
                return item
            target.unlink()
    raise NewItemError(f"every name for {base!r} is taken in {printable(str(folder))}")


def _copy_new(source: Path, target: Path) -> bool:
    """Copy ``source`` to ``target`` unless it exists: into a hidden name first (the
    collector skips it), then linked into place, so no half-copied audio is ever seen."""
    part = target.with_name(f".{target.name}.part")
    try:
        shutil.copyfile(source, part)
        try:
            os.link(part, target)
        except FileExistsError:
            return False
        return True
    except OSError as exc:
        raise NewItemError(f"cannot copy {printable(str(source))} to "
                           f"{printable(str(target))}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(part)


