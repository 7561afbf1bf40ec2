"""Audio facts: exact sample counts from decoding the whole file, and content hashes.

``probe`` decodes the file once and counts its samples, so the duration is exact (ffmpeg honours
the encoder delay and padding that tag readers miss) and anything that is not playable audio is
refused with ffmpeg's own reason.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import AudioError
from .ffmpeg import STREAM, channels_of, ffmpeg_exe, reason

AUDIO_EXTENSIONS = {".mp3", ".m4a", ".wav", ".flac", ".aif", ".aiff", ".ogg", ".oga", ".opus"}
AUDIO_EXTENSIONS |= {".aac", ".wma", ".m4b"}

# ffmpeg start-up dominates short files, so a few more probes than cores keep the cores busy.
PROBE_WORKERS = 2 * (os.cpu_count() or 1)


@dataclass(frozen=True)
class AudioInfo:
    samples: int
    sample_rate: int
    channels: int
    codec: str

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0


SAMPLES = re.compile(r"n_samples: (\d+)")


def probe(path: Path, name: str | None = None) -> AudioInfo:
    """Decode ``path`` fully and return its exact sample count, rate, channels and codec."""
    name = name or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AudioError(name, "audio file not found", hint="check the sidecar's 'audio'") from None
    if size == 0:
        raise AudioError(name, "audio file is empty", hint="export the episode's audio again")
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a:0",
           "-af", "volumedetect", "-f", "null", "-"]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    stream = STREAM.search(proc.stderr)
    counts = SAMPLES.findall(proc.stderr)
    if proc.returncode != 0 or not stream or not counts:
        raise AudioError(
            name, f"not readable audio: {reason(proc.stderr)}",
            hint="export it again as MP3, M4A, WAV or FLAC",
        )
    codec, rate, layout = stream.group(1), int(stream.group(2)), stream.group(3)
    channels = channels_of(layout)
    samples = int(counts[-1]) // channels
    if samples == 0:
        raise AudioError(name, "audio file holds no sound samples", hint="export it again")
    return AudioInfo(samples=samples, sample_rate=rate, channels=channels, codec=codec)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
