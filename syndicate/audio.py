"""Audio facts and preparation with the ffmpeg that imageio-ffmpeg ships (no system ffmpeg needed).

``probe`` decodes the whole file once and counts its samples, so the duration is exact (ffmpeg
honours the encoder delay and padding that tag readers miss) and anything that is not playable
audio is refused with ffmpeg's own reason. ``prepare`` gives the file the feed's enclosure points
to: MP3 and M4A are published as they are; other formats are encoded to MP3.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import AudioError

# Enclosure types by extension, and the codecs a file of that extension must really hold.
PASSTHROUGH = {
    ".mp3": ("audio/mpeg", {"mp3"}),
    ".m4a": ("audio/x-m4a", {"aac", "alac"}),
}
AUDIO_EXTENSIONS = {".mp3", ".m4a", ".wav", ".flac", ".aif", ".aiff", ".ogg", ".oga", ".opus"}
AUDIO_EXTENSIONS |= {".aac", ".wma", ".m4b"}

# ffmpeg start-up dominates short files, so a few more probes than cores keep the cores busy.
PROBE_WORKERS = 2 * (os.cpu_count() or 1)

MP3_BITRATE = "128k"
MP3_RATE = 44100


@cache
def ffmpeg_exe() -> str:
    """The bundled ffmpeg binary (pydub is pointed at it too)."""
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    with warnings.catch_warnings():
        # pydub warns at import when no ffmpeg is on PATH; we point it at the bundled one.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # audioop, on Python 3.11-3.12
        from pydub import AudioSegment
    AudioSegment.converter = exe
    return exe


@dataclass(frozen=True)
class AudioInfo:
    samples: int
    sample_rate: int
    channels: int
    codec: str

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0


_STREAM = re.compile(r"Stream #0:\d+.*?: Audio: (\w+)[^,]*, (\d+) Hz, ([^,]+)")
_SAMPLES = re.compile(r"n_samples: (\d+)")
_LAYOUTS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "5.0": 5, "5.1": 6, "7.1": 8}


def _channels(layout: str) -> int:
    layout = layout.strip()
    if layout in _LAYOUTS:
        return _LAYOUTS[layout]
    m = re.match(r"(\d+) channels", layout)
    return int(m.group(1)) if m else 2


def _ffmpeg_reason(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Error" in ln or "Invalid" in ln or "does not contain" in ln or "matches no" in ln:
            return re.sub(r"^\[[^\]]+\]\s*", "", ln)
    return lines[-1] if lines else "ffmpeg failed"


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
    stream = _STREAM.search(proc.stderr)
    counts = _SAMPLES.findall(proc.stderr)
    if proc.returncode != 0 or not stream or not counts:
        raise AudioError(
            name, f"not readable audio: {_ffmpeg_reason(proc.stderr)}",
            hint="export it again as MP3, M4A, WAV or FLAC",
        )
    codec, rate, layout = stream.group(1), int(stream.group(2)), stream.group(3)
    channels = _channels(layout)
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


@dataclass(frozen=True)
class PreparedAudio:
    path: Path  # the file to publish
    sha256: str
    size: int
    content_type: str
    extension: str
    info: AudioInfo


def _encode_mp3(source: Path, dest: Path, channels: int, name: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, suffix=".mp3.part")
    os.close(fd)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-y", "-i", str(source),
           "-map", "0:a:0", "-vn", "-c:a", "libmp3lame", "-b:a", MP3_BITRATE,
           "-ar", str(MP3_RATE), "-ac", str(min(channels, 2)), "-id3v2_version", "3",
           "-f", "mp3", tmp]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        Path(tmp).unlink(missing_ok=True)
        raise AudioError(name, f"could not encode to MP3: {_ffmpeg_reason(proc.stderr)}")
    os.replace(tmp, dest)


def prepare(source: Path, sha256: str, cache_dir: Path, name: str) -> tuple[PreparedAudio, bool]:
    """The publishable file for ``source`` (whose content hash is ``sha256``).

    Returns the prepared audio and whether it is the source itself (True) or an encoded copy
    kept in ``cache_dir`` by source hash, so publishing again never re-encodes.
    """
    info = probe(source, name)
    ext = source.suffix.lower()
    if ext in PASSTHROUGH and info.codec in PASSTHROUGH[ext][1]:
        return PreparedAudio(source, sha256, source.stat().st_size, PASSTHROUGH[ext][0], ext,
                             info), True
    cached = cache_dir / f"{sha256}-mp3-{MP3_BITRATE}-{MP3_RATE}.mp3"
    if not cached.exists():
        _encode_mp3(source, cached, info.channels, name)
    out_info = probe(cached, name)
    return PreparedAudio(cached, sha256_file(cached), cached.stat().st_size, "audio/mpeg", ".mp3",
                         out_info), False
