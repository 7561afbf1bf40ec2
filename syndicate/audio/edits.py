"""Short edits with pydub: decode a clip or the edges of a long file into memory, find silence.

pydub holds decoded audio in memory, so it only ever sees short pieces here: intro and outro
clips and the first and last minutes of an episode. The bundled ffmpeg decodes them to raw PCM,
which pydub takes directly (pydub's own loaders would call ffprobe, which is not shipped).
"""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path

with warnings.catch_warnings():  # pydub looks for ffmpeg on PATH at import; we use the bundled one
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)  # audioop, on Python 3.11-3.12
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

from ..errors import AudioError
from .ffmpeg import ffmpeg_exe, reason

EDGE_SECONDS = 120.0
KEEP_SILENCE = 0.25  # seconds of the silence kept at a trimmed edge, so speech does not start cold
RATE = 22050  # enough to judge silence; halves the work


def load_segment(path: Path, name: str, *, seconds: float | None = None,
                 from_end: bool = False, rate: int = RATE) -> AudioSegment:
    """Decode a file (or its first/last ``seconds``) to a mono 16-bit pydub segment."""
    ffmpeg_exe()  # also points pydub at the bundled ffmpeg
    cmd = [ffmpeg_exe(), "-v", "error", "-nostdin"]
    if seconds is not None and from_end:
        cmd += ["-sseof", f"-{seconds:.3f}"]
    cmd += ["-i", str(path)]
    if seconds is not None and not from_end:
        cmd += ["-t", f"{seconds:.3f}"]
    cmd += ["-map", "0:a:0", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"]
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0:
        why = reason(proc.stderr.decode(errors="replace"))
        raise AudioError(name, f"not readable audio: {why}")
    return AudioSegment(data=proc.stdout, sample_width=2, frame_rate=rate, channels=1)


def silent_edges(path: Path, name: str, duration: float,
                 threshold_db: float) -> tuple[float, float]:
    """Seconds of silence to cut at the start and at the end (a little is kept at each edge)."""
    span = min(EDGE_SECONDS, duration)
    head = load_segment(path, name, seconds=span)
    lead = detect_leading_silence(head, silence_threshold=threshold_db, chunk_size=10) / 1000
    if lead >= len(head) / 1000 - 0.01:  # nothing but silence here: leave the file alone
        return 0.0, 0.0
    tail = load_segment(path, name, seconds=span, from_end=True)
    trail = detect_leading_silence(tail.reverse(), silence_threshold=threshold_db,
                                   chunk_size=10) / 1000
    return max(0.0, lead - KEEP_SILENCE), max(0.0, trail - KEEP_SILENCE)
