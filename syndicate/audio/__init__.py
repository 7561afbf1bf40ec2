"""Episode audio: exact facts about any source, and the podcast-ready MP3 made from it."""

import importlib

from .. import mediatypes
from .ffmpeg import ffmpeg_exe
from .probe import AUDIO_EXTENSIONS, PROBE_WORKERS, AudioInfo, probe, sha256_file

# The encoder, the meter and the tagger (mutagen, pydub) load on first use, so commands with no
# audio to make start quickly.
_LAZY = {
    "Loudness": "measure", "measure_source": "measure", "verify": "measure",
    "AudioSettings": "settings", "Clip": "settings", "Processed": "pipeline",
    "process": "pipeline", "shift_chapters": "pipeline", "Tags": "tags",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Published as they are when audio.process is off: extension, enclosure type, codecs it must hold.
PASSTHROUGH = {
    ".mp3": (mediatypes.of(".mp3"), {"mp3"}),
    ".m4a": (mediatypes.of(".m4a"), {"aac", "alac"}),
}

__all__ = [
    "AUDIO_EXTENSIONS", "PASSTHROUGH", "PROBE_WORKERS", "AudioInfo", "AudioSettings", "Clip",
    "Loudness", "Processed", "Tags", "ffmpeg_exe", "measure_source", "probe", "process",
    "sha256_file", "shift_chapters", "verify",
]
