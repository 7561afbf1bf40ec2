"""Alternate renditions of an episode's audio (``audio.alternates``): how each codec is encoded,
what file it makes, and the cache key of a rendition.

Plain data, no ffmpeg: the config schema reads the codecs and their bitrate ranges from here.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import mediatypes


@dataclass(frozen=True)
class Codec:
    encoder: str  # ffmpeg's encoder
    muxer: str  # ffmpeg's output format
    extension: str  # the published file's extension (its type is mediatypes.of(extension))
    rfc6381: str  # the codecs string feeds and players are given
    kbps: tuple[int, int]  # the bitrates allowed, in kbps (both ends included)
    rate: int | None  # the sample rate the encoder needs (None: the MP3's)
    options: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return mediatypes.of(self.extension)


CODECS = {
    # Ogg Opus at 48 kHz (the only full-band rate libopus takes); constrained VBR keeps the
    # average near the bitrate asked for. The Ogg muxer draws a random stream serial number
    # unless told to be bit-exact: pinned, the same source gives the same bytes (and so the
    # same key and SRI) on every encode, as the MP3 and AAC do
    "opus": Codec("libopus", "ogg", ".opus", "opus", (6, 256), 48000,
                  ("-vbr", "constrained", "-application", "audio", "-fflags", "+bitexact",
                   "-serial_offset", "1")),
    # AAC-LC in an MP4 file, its index at the front so players can start before the end arrives
    "aac": Codec("aac", "ipod", ".m4a", "mp4a.40.2", (24, 320), None,
                 ("-movflags", "+faststart")),
}
VERSION = "2"  # bump when an encoder's options change: every rendition is made again


def parse_bitrate(value: object) -> int:
    """``48k`` (or 48) as kbps; ValueError saying what is expected otherwise."""
    text = str(value).strip().lower() if isinstance(value, str | int) and not isinstance(
        value, bool) else ""
    digits = text.removesuffix("k")
    if not digits.isdecimal() or len(digits) > 4:
        raise ValueError(f"expected a bitrate in kbps such as 48k, got {value!r}")
    return int(digits)


def rendition_key(encode_key: str, codec: str, kbps: int) -> str:
    """A rendition is cached by the MP3's encode key (source content and sound settings), its
    codec and bitrate: adding one alternate makes only that one."""
    return hashlib.sha256(f"{encode_key}:{codec}:{kbps}:{VERSION}".encode()).hexdigest()


def file_hashes(path: Path) -> tuple[str, str, int]:
    """(sha256 hex, SRI sha384 string, size) of a file, read once."""
    h256, h384 = hashlib.sha256(), hashlib.sha384()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h256.update(chunk)
            h384.update(chunk)
            size += len(chunk)
    return h256.hexdigest(), "sha384-" + base64.b64encode(h384.digest()).decode(), size


def default_title(codec: str, kbps: int) -> str:
    return f"{'Opus' if codec == 'opus' else codec.upper()} {kbps} kbps"
