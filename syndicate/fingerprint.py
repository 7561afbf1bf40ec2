"""Fingerprints of syndicate's own code, so an upgrade re-parses and re-renders what it changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def code_fingerprint(*patterns: str) -> str:
    """A short hash of the package files matching ``patterns`` (globs relative to the package)."""
    h = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(_PACKAGE.glob(pattern)):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]
