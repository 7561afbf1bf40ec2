"""What an encode depends on: the audio settings, the intro/outro clips and the pipeline's code.

Kept apart from the pipeline so that checking whether episodes need re-encoding does not load
the encoder, the meter or the tagger.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..config import AudioConfig
from ..fingerprint import code_fingerprint

PIPELINE_VERSION = code_fingerprint("audio/pipeline.py", "audio/measure.py", "audio/edits.py",
                                    "audio/parts.py", "audio/splice.py")


@dataclass(frozen=True)
class Clip:
    """An intro or outro clip, resolved and hashed."""

    path: Path
    sha256: str


@dataclass(frozen=True)
class AudioSettings:
    config: AudioConfig
    intro: Clip | None = None
    outro: Clip | None = None

    def key(self) -> str:
        c = self.config
        data = [c.channels, c.kbps, c.sample_rate, c.loudness, c.true_peak, c.max_gain,
                c.crossfade, c.trim_silence, c.silence_threshold,
                self.intro.sha256 if self.intro else None,
                self.outro.sha256 if self.outro else None, PIPELINE_VERSION]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()


