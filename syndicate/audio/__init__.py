"""Episode audio: exact facts about any source, and the podcast-ready MP3 made from it."""

from .ffmpeg import ffmpeg_exe
from .measure import Loudness, measure_source, verify
from .pipeline import AudioSettings, Clip, Processed, process, shift_chapters
from .probe import AUDIO_EXTENSIONS, PROBE_WORKERS, AudioInfo, probe, sha256_file
from .tags import Tags

# Published as they are when audio.process is off: extension, enclosure type, codecs it must hold.
PASSTHROUGH = {
    ".mp3": ("audio/mpeg", {"mp3"}),
    ".m4a": ("audio/x-m4a", {"aac", "alac"}),
}

__all__ = [
    "AUDIO_EXTENSIONS", "PASSTHROUGH", "PROBE_WORKERS", "AudioInfo", "AudioSettings", "Clip",
    "Loudness", "Processed", "Tags", "ffmpeg_exe", "measure_source", "probe", "process",
    "sha256_file", "shift_chapters", "verify",
]
