"""Is an audio file whole? The one truncation rule that `publish` (after decoding the whole
source) and `new episode` (after reading its packets, which takes a moment, not a decode)
both apply: a WAV whose data chunk claims more bytes than the file holds, or audio that ends
well before the length its header states (FLAC's STREAMINFO sample count, an MP3's Xing, Info
or VBRI frame count, an MP4's or AIFF's header), or an Ogg stream whose last page is not its
end."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

from .ffmpeg import ffmpeg_exe, header_duration, reached

TRUNCATED = "truncated: the file ends before its header says it should"
PARTIAL = ": partial file"  # ffmpeg's MP4 reader: the last packet runs past the end


def wav_shortfall(path: Path) -> int:
    """Bytes a WAV file's data chunk claims but does not hold (0 if complete or not a WAV)."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return 0
            size = path.stat().st_size
            pos = 12
            while pos + 8 <= size:
                f.seek(pos)
                cid, length = struct.unpack("<4sI", f.read(8))
                if cid == b"data":
                    if length in (0, 0xFFFFFFFF):  # streamed WAV: size unknown
                        return 0
                    return max(0, length - (size - pos - 8))
                pos += 8 + length + (length & 1)
    except OSError:
        return 0
    return 0


def ogg_unfinished(path: Path) -> bool:
    """Whether an Ogg file (Vorbis, Opus) stops before its stream's end: its last page lacks
    the end-of-stream flag every encoder sets on the last page it writes (such a file states
    no length, so a cut one is otherwise just a shorter one)."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"OggS":
                return False
            size = path.stat().st_size
            f.seek(max(0, size - 65536))
            tail = f.read()
    except OSError:
        return False
    at = tail.rfind(b"OggS")
    if at < 0 or len(tail) < at + 27:
        return True  # (the last page's header itself cut)
    segments = tail[at + 26]
    table = tail[at + 27:at + 27 + segments]
    if len(table) < segments or len(tail) - (at + 27 + segments) < sum(table):
        return True  # the last page's body cut short
    return not tail[at + 5] & 0x04


def ends_early(seconds: float, header: float | None) -> bool:
    """Whether audio of ``seconds`` falls short of the ``header``'s length by more than encoder
    delay and padding can explain (half a second, or 1 % of a long file)."""
    return bool(header) and seconds < header - max(0.5, header * 0.01)


def truncation(path: Path, seconds: float | None, header: float | None,
               log: str = "") -> str | None:
    """The message for a file that is not whole (``seconds`` of audio found in it, against
    its ``header``'s length; ``log`` ffmpeg's, where its MP4 reader says the file stops in
    the middle of a packet), or None."""
    known = header and seconds is not None
    if wav_shortfall(path) or PARTIAL in log or (known and ends_early(seconds, header)) \
            or ogg_unfinished(path):
        return TRUNCATED + (f" ({seconds:.1f} s of {header:.1f} s)" if known else "")
    return None


def packet_check(path: Path) -> tuple[str | None, float | None]:
    """Read every packet of the first audio stream without decoding it: (the truncation
    message or None, the seconds of audio the packets hold, None where ffmpeg did not say)."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path),
                           "-map", "0:a:0", "-c", "copy", "-f", "null", "-"],
                          capture_output=True, text=True, errors="replace")
    seconds = reached(proc.stderr) if proc.returncode == 0 else None
    return truncation(path, seconds, header_duration(proc.stderr), proc.stderr), seconds
