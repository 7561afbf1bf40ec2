"""Where the project's folders may lie relative to each other, and that each path is usable.

The tool must never read back what it writes, nor publish what it keeps for itself: a local
target may not overlap the sources (posts, episodes), the state folder or the catalog, and the
state folder and the catalog may not lie among the sources. The project root holds them all by
default, so it only counts when the target would be the root itself or hold it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .engines import is_postgres, password_in

if TYPE_CHECKING:
    from .config import Settings

OWN_FOLDER = "publish to a folder of its own, such as 'public'"


def _inside(a: Path, b: Path) -> bool:
    """``a`` is ``b`` or lies inside it."""
    return a == b or b in a.parents


def _overlap(a: Path, b: Path) -> bool:
    return _inside(a, b) or _inside(b, a)


def layout_problems(settings: Settings) -> list[str]:
    """Every overlap that would make the tool eat its own output or publish its state, and
    every source that lies outside the project, each as ``config.yaml:LINE: 'key': what is
    wrong and what to do``."""
    cfg = settings.config
    lines = settings.lines
    name = str(settings.path)

    def at(*keys: tuple) -> int:
        for key in keys:
            if key in lines:
                return lines[key] + 1
        return 1

    problems: list[str] = []
    if problem := _target_problem(cfg.target):
        return [f"{name}:{at(('target',))}: 'target': {problem}"]
    on_server = is_postgres(cfg.catalog)  # a PostgreSQL catalog: no file to check
    if on_server and (problem := _address_problem(cfg.catalog)):
        return [f"{name}:{at(('catalog',))}: 'catalog': {problem}"]
    # every path in the config must be one the system can look up at all
    paths = {("target",): None if cfg.target.startswith("s3://") else cfg.target,
             ("paths", "posts"): cfg.paths.posts, ("paths", "episodes"): cfg.paths.episodes,
             ("paths", "state"): cfg.paths.state,
             ("catalog",): None if on_server else cfg.catalog,
             ("podcast", "image"): cfg.podcast.image, ("audio", "intro"): cfg.audio.intro,
             ("audio", "outro"): cfg.audio.outro, ("theme",): cfg.theme}
    for key, value in paths.items():
        if value is None:
            continue
        try:
            settings.resolve(value).resolve()
        except (OSError, ValueError, RuntimeError) as exc:
            reason = "it holds a NUL character" if "\0" in value else str(exc) or "unusable"
            problems.append(f"{name}:{at(key)}: '{'.'.join(key)}': {value!r} is not a usable "
                            f"path ({reason}); give a plain relative or absolute path")
    if problems:
        return problems
    if cfg.theme and _kind(settings.resolve(cfg.theme)) != "folder":
        shown = repr(cfg.theme) if len(cfg.theme) <= 300 else repr(cfg.theme[:300]) + "..."
        where = "" if len(cfg.theme) > 300 else f" ({settings.resolve(cfg.theme)})"
        problems.append(f"{name}:{at(('theme',))}: 'theme': {shown} is not a folder"
                        f"{where}; make it, with templates/ and static/ "
                        "holding the files that replace the default theme's, or remove the "
                        "setting")
    root = settings.root.resolve()
    problems += _outside_problems(settings, at, root)
    if cfg.theme and not _inside(settings.resolve(cfg.theme).resolve(), root):
        problems.append(f"{name}:{at(('theme',))}: 'theme': {cfg.theme!r} lies outside the "
                        f"project folder ({root}), and nothing is published from outside it; "
                        f"copy it into the project and give its path relative to "
                        f"{settings.path.name}")
    problems += _clip_problems(settings, at) + _feed_key_problems(settings, at, lines)

    posts = ("paths.posts", ("paths", "posts"), settings.posts_dir.resolve())
    episodes = ("paths.episodes", ("paths", "episodes"), settings.episodes_dir.resolve())
    state = ("paths.state", ("paths", "state"), settings.state_dir.resolve())
    # the state folder, or the nearest of its parents that exists, must be a folder
    for place in (state[2], *state[2].parents):
        if (what := _not_a_folder(place)) is not None:
            shown = "" if place == state[2] else f" (through {place})"
            return [
                *problems,
                f"{name}:{at(state[1])}: 'paths.state': {cfg.paths.state!r}{shown} is {what}, "
                "not a folder; syndicate keeps its catalog, locks and media cache there: "
                "point 'paths.state' at a folder of its own, such as '.syndicate' (it is made "
                "if missing)"]
        if os.path.lexists(place):
            break
    if on_server:
        catalog_file, own_catalog = Path(), False
    else:
        catalog_file = settings.catalog_path.resolve()
        # a catalog in the state folder is judged with that folder
        own_catalog = not _inside(catalog_file, state[2])
    if on_server:
        pass
    elif cfg.catalog and (what := _not_a_catalog(settings, catalog_file)) is not None:
        return [*problems, f"{name}:{at(('catalog',))}: 'catalog': {what}"]
    if not on_server and (what := _not_a_file(catalog_file)) is not None:
        where = at(("catalog",)) if cfg.catalog else at(state[1])
        setting = "'catalog'" if cfg.catalog else "'paths.state'"
        problems.append(
            f"{name}:{where}: {setting}: the catalog {catalog_file} is {what}, not a file; "
            "SQLite would write its journal beside it; point 'catalog' at a file of its own, "
            "such as '.syndicate/catalog.db' (it is made if missing)")
        return problems

    if not cfg.target.startswith("s3://"):
        target = settings.target_dir.resolve()
        if what := _not_a_folder(target):
            problems.append(f"{name}:{at(('target',))}: 'target': {cfg.target!r} is {what}, "
                            "not a folder; publish to a folder of its own, such as 'public' "
                            "(it is made if missing), or to s3://bucket/prefix")
            return problems
        shown = f"'target' ({cfg.target!r}, {target})"
        where = at(("target",))
        if _inside(root, target):
            problems.append(f"{name}:{where}: {shown} holds the whole project; {OWN_FOLDER}")
        else:
            # of a theme only templates/ and static/ are read (a theme at the project, say,
            # may hold the target beside them)
            theme = settings.resolve(cfg.theme).resolve() if cfg.theme else None
            read = [(f"the theme's {part}/", ("theme",), theme / part)
                    for part in ("templates", "static") if theme is not None]
            for label, key, folder in (posts, episodes, state, *read):
                if _overlap(target, folder):
                    how = ("is" if target == folder else "is inside" if _inside(target, folder)
                           else "holds")
                    if key == state[1]:
                        where, fix = at(key, ('target',)), ("move the state folder out of the "
                                                            "site, such as '.syndicate'")
                    else:
                        where, fix = at(('target',), key), _own_folder(target, root)
                    problems.append(
                        f"{name}:{where}: {shown} {how} {label} ({folder}); "
                        f"the site would be read back or its state published; {fix}")
            if own_catalog and _inside(catalog_file, target):
                problems.append(
                    f"{name}:{at(('catalog',), ('target',))}: {shown} holds the catalog "
                    f"({catalog_file}); the catalog would be published; move the catalog out "
                    "of the site, such as '.syndicate/catalog.db'")

    if _overlap(posts[2], episodes[2]):
        how = "is" if posts[2] == episodes[2] else "overlaps"
        problems.append(
            f"{name}:{at(posts[1], episodes[1])}: 'paths.posts' ({posts[2]}) {how} "
            f"'paths.episodes' ({episodes[2]}); each would read the other's files (an "
            "episode's notes as a post, say): give each a folder of its own, such as 'posts' "
            "and 'episodes'")
    for label, key, folder in (posts, episodes):
        if _overlap(state[2], folder):
            fix = ("keep the state folder apart from the sources, such as '.syndicate'"
                   if not _inside(state[2], folder) or state[2] == folder else
                   f"give {label} a folder of its own beside it, such as "
                   f"'{key[-1]}'")
            problems.append(
                f"{name}:{at(state[1], key)}: 'paths.state' ({state[2]}) overlaps {label} "
                f"({folder}); {fix}")
        if own_catalog and _inside(catalog_file, folder):
            problems.append(
                f"{name}:{at(('catalog',), key)}: 'catalog' ({catalog_file}) is inside {label} "
                f"({folder}); keep the catalog apart from the sources, such as "
                "'.syndicate/catalog.db'")
    return problems


# what is read from these is published (posts, episodes, the cover) or mixed into every
# episode's audio (intro, outro): only what lies inside the project is
PUBLISHED_SOURCES = (("paths", "posts"), ("paths", "episodes"), ("podcast", "image"),
                     ("audio", "intro"), ("audio", "outro"))


def _kind(path: Path) -> str | None:
    """'file', 'folder' or 'other' for what stands at ``path``; None where nothing can be
    found (absent, or a name the system refuses: too long, a NUL)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return "file" if stat.S_ISREG(mode) else "folder" if stat.S_ISDIR(mode) else "other"


def _outside_problems(settings: Settings, at, root: Path) -> list[str]:
    """Nothing is published from outside the project: a source path in config.yaml that
    resolves (through ``..``, an absolute path or a link) outside the config's folder is
    refused."""
    problems = []
    for key in PUBLISHED_SOURCES:
        section, attr = key
        value = getattr(getattr(settings.config, section), attr)
        if value is None:
            continue
        place = settings.resolve(value).resolve()
        if section == "audio" and _kind(place) not in (None, "file"):
            continue  # a pipe, a device, a folder: said by _clip_problems
        if not _inside(place, root):
            problems.append(
                f"{settings.path}:{at(key)}: '{section}.{attr}': {value!r} lies outside the "
                f"project folder ({root}), and nothing is published from outside it; copy "
                "it into the project and give its path relative to "
                f"{settings.path.name}")
    return problems


def _kind_of(path: Path) -> str | None:
    """What ``path`` is ("a folder", "a file", "a device"...), or None when it is missing (made
    by the first run)."""
    from .sourcefiles import file_kind

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return "a file" if stat.S_ISREG(mode) else file_kind(mode)


def _not_a_folder(path: Path) -> str | None:
    """What ``path`` is when it exists and is not a folder (a file, a device...), else None."""
    kind = _kind_of(path)
    return None if kind in (None, "a folder") else kind


def _own_folder(target: Path, root: Path) -> str:
    """The advice to publish elsewhere, never naming the folder that already is the target."""
    if target == root / "public":
        return "publish to a folder of its own, such as 'site'"
    return OWN_FOLDER


SQLITE_HEADER = b"SQLite format 3\0"


def _address_problem(url: str) -> str | None:
    """What is wrong with a ``postgresql://`` catalog address (never quoting a password)."""
    if password_in(url):
        return ("the address holds a password, which does not belong in config.yaml (the "
                "address is not shown here); remove it (and change the password if the file "
                "was ever shared or committed): give it in PGPASSWORD or ~/.pgpass, as for "
                "psql, and write the address as postgresql://USER@HOST:PORT/DATABASE")
    try:
        urlsplit(url).port  # noqa: B018 (a port that is not a number raises)
    except ValueError:
        return ("not a usable PostgreSQL address (its host or port cannot be read; the address "
                "is not shown, in case it holds a password); write it as "
                "postgresql://USER@HOST:PORT/DATABASE")
    return None


def _not_a_catalog(settings: Settings, path: Path) -> str | None:
    """What is wrong with the file 'catalog' names when it cannot be one: config.yaml itself, a
    link to nowhere, or a file that does not begin as every SQLite database does (a post, some
    audio: a file that was never a catalog). An empty file is a new catalog."""
    given = settings.resolve(settings.config.catalog)
    fix = ("point 'catalog' at the catalog file, or at a path where none is yet, such as "
           "'.syndicate/catalog.db' (it is made there)")
    if path == settings.path.resolve():
        return f"{settings.config.catalog!r} names {settings.path.name} itself; {fix}"
    if os.path.islink(given) and not os.path.exists(given):
        return (f"{settings.config.catalog!r} is a link to {os.readlink(given)}, which does "
                f"not exist; {fix}")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None  # a folder, a device, a pipe: said below
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError:
        return None  # missing (made by the first run) or unreadable (said when opened)
    if head and head != SQLITE_HEADER:
        return (f"{path} is not a catalog (it does not begin as an SQLite database does); "
                f"{fix}")
    return None


def _not_a_file(path: Path) -> str | None:
    """What ``path`` is when it exists and is not a regular file (a folder, a device...)."""
    kind = _kind_of(path)
    return None if kind in (None, "a file") else kind


def _clip_problems(settings: Settings, at) -> list[str]:
    """audio.intro and audio.outro must be plain files where they exist: a pipe or a device
    would block or never end (a missing clip is named by each encode that needs it)."""
    from .sourcefiles import file_kind  # what a file is, in the words collect uses

    problems = []
    for role in ("intro", "outro"):
        value = getattr(settings.config.audio, role)
        if value is None:
            continue
        path = settings.resolve(value)
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            problems.append(f"{settings.path}:{at(('audio', role))}: 'audio.{role}': "
                            f"{value!r} is {file_kind(mode)}, not a file; point it at an audio "
                            "file or remove it")
    return problems


def _feed_key_problems(settings: Settings, at, lines: dict) -> list[str]:
    """The feeds' keys must stay inside the site, out of syndicate's own records, and apart."""
    from .errors import PublishError
    from .publish.keys import FEED_KEYS, safe_key
    from .sitekeys import reserved_owner

    problems, seen = [], {}
    for dotted in FEED_KEYS:
        section, name = dotted.split(".")
        part = getattr(settings.config, section)
        value = getattr(part, name)
        where = f"{settings.path}:{at((section, name))}: '{dotted}'"
        reserved = reserved_owner(value)
        if reserved:
            default = type(part).model_fields[name].default
            problems.append(f"{where}: {value!r} is {reserved}; give the feed a key of its own, "
                            f"such as {default!r}")
            continue
        try:
            safe_key(value)
        except PublishError as exc:
            default = type(part).model_fields[name].default
            problems.append(f"{where}: {exc}; choose another key, such as {default!r}")
            continue
        if value.endswith("/"):  # a folder's address: a server answers it with its index page
            default = type(part).model_fields[name].default
            problems.append(f"{where}: {value!r} ends in '/', the address of a folder, not of "
                            f"a file; name the feed's file, such as {default!r}")
            continue
        owner = _site_key_owner(value, [getattr(getattr(settings.config, d.split(".")[0]),
                                                d.split(".")[1]) for d in FEED_KEYS if d != dotted])
        if owner:
            default = type(part).model_fields[name].default
            problems.append(f"{where}: {value!r} is {owner}; give the feed a key of its own, "
                            f"such as {default!r}")
            continue
        if value in seen:
            other = seen[value]
            if (section, name) not in lines and tuple(other.split(".")) in lines:
                # name the key the file sets, not the one left at its default
                where, other = f"{settings.path}:{at(tuple(other.split('.')))}: '{other}'", \
                    dotted
            problems.append(f"{where}: {value!r} is also {other}: two outputs would be "
                            f"written to the same key: {value}; give each feed its own key")
        seen.setdefault(value, dotted)
    return problems


def _site_key_owner(key: str, feeds: list[str]) -> str | None:
    """What else of the site the key ``key`` belongs to (a page, a folder of pages or files,
    the favicon, an archive page of another feed), or None."""
    import re

    from .render.paging import is_archive_of
    from .sitekeys import reserved_owner

    owner = reserved_owner(key)
    if owner:
        return owner
    if re.fullmatch(r"favicon-[0-9a-f]{12}\.png", key):
        return "the favicon's key"
    if re.fullmatch(r"cover-[0-9a-f]{12}(\.[^/]*)?", key):
        return "the key of the show's cover"
    for feed in feeds:
        if is_archive_of(feed, key):
            return f"the key of an archive page of the feed {feed!r}"
        if key.startswith(feed.rstrip("/") + "/"):
            return f"under {feed}, another feed's key (a file, not a folder)"
    return None


def _target_problem(target: str) -> str | None:
    """What is wrong with ``target`` as an address: only s3://bucket/prefix is one; any other
    scheme (file://, http://...) is refused rather than taken for a folder of that name."""
    import re

    if target.startswith("s3://"):
        from .errors import PublishError
        from .publish.s3 import parse_target  # (with boto3's modules: only for a bucket)

        try:
            parse_target(target)
        except PublishError as exc:
            return str(exc).removeprefix(f"target {target!r}: ").join(
                (f"{target!r}: ", "; fix the target"))
        return None
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", target)
    if scheme and scheme.group(1).lower() == "s3":
        return f"{target!r}: expected s3://bucket/prefix (s3 in lower case, then //)"
    if scheme and target[scheme.end():].startswith("//"):
        return (f"{target!r}: only s3://bucket/prefix or a local folder can be published to; "
                f"for a folder give its path without {scheme.group(1)}://")
    return None
