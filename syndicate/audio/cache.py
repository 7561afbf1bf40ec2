"""The media cache's names and its pruning: encodes are kept by (source content, settings),
tagged copies by their own hash. Loaded without the encoder (a publish prunes the cache after
every run, most of which encode nothing)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AudioError
from ..space import mount_of

if TYPE_CHECKING:
    from .settings import AudioSettings


def cache_key(source_sha: str, settings: AudioSettings) -> str:
    """Encoded audio is cached by (source content, settings)."""
    return hashlib.sha256(f"{source_sha}:{settings.key()}".encode()).hexdigest()


_CACHED = re.compile(r"(?:audio-(?P<key>[0-9a-f]{64})\.(?:mp3|json|opus|m4a)"
                     r"|(?P<sha>[0-9a-f]{64})\.mp3)")
_PARTIAL = re.compile(r"\.(?:encode|tag)-.*\.(?:mp3|opus|m4a)|audio-[0-9a-f]{64}\.\d+\.part")
_SCRATCH = re.compile(r"\.encode-parts-\w+")  # a long episode's parts (audio.parts)


def prune_cache(cache_dir: Path, *, tagged: set[str], encoded: set[str] | None,
                before: float) -> list[Path]:
    """Remove what nothing needs from the media cache; returns what was removed.

    Kept: tagged copies whose hash is in ``tagged`` (what a live enclosure or a current episode
    publishes), encodes whose key is in ``encoded`` (None keeps every encode), files not of the
    cache's own making, and anything touched at or after ``before`` (the run's start, as a file
    time: another process may be writing it now). Left-over partial files of killed encodes and
    tags go once they are older than that.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(cache_dir))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        m = _CACHED.fullmatch(name)
        if m:
            if (m["sha"] and m["sha"] in tagged) or (
                    m["key"] and (encoded is None or m["key"] in encoded)):
                continue
        elif _SCRATCH.fullmatch(name):
            try:  # left by a killed encode once nothing in it has been written since the start
                if entry.is_dir(follow_symlinks=False) and _newest(entry.path) < before:
                    shutil.rmtree(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                pass  # a later run tries again
            continue
        elif not _PARTIAL.fullmatch(name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not entry.is_file(follow_symlinks=False) or st.st_mtime >= before:
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove: a later run tries again
        removed.append(Path(entry.path))
    return removed


def _newest(folder: str) -> float:
    """The latest modification time of a folder and the files in it (an encode writing there
    keeps touching its files)."""
    times = [os.stat(folder, follow_symlinks=False).st_mtime]
    with os.scandir(folder) as entries:
        times += [e.stat(follow_symlinks=False).st_mtime for e in entries]
    return max(times)


def out_of_room(text: str) -> bool:
    """Whether ffmpeg's log says the disk (or the user's quota) was full."""
    return "No space left on device" in text or "Disk quota exceeded" in text


def no_room(name: str, folder: Path) -> AudioError:
    """The episode ``name``'s error when ``folder`` (the media cache) has no room for its
    audio."""
    return AudioError(name, f"no space left on {mount_of(folder)} for its audio in {folder}",
                      hint="free some and publish again")
