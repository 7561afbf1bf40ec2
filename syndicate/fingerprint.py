"""Fingerprints of syndicate's own code, so an upgrade re-parses and re-renders what it changed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def code_fingerprint(*patterns: str) -> str:
    """A short hash of the package files matching ``patterns`` (globs relative to the package)."""
    h = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(_PACKAGE.glob(pattern)):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def code_signature() -> str:
    """A short hash of every file of the package as stat gives it (name, size, mtime): any
    other syndicate, or any edit of its code or its default theme, gives another (compiled
    bytecode left out). Cheaper than ``code_fingerprint``: nothing is read."""
    h = hashlib.sha256()
    for base, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            st = os.stat(os.path.join(base, name))
            h.update(f"{base[len(str(_PACKAGE)):]}/{name}:{st.st_size}:{st.st_mtime_ns}\0"
                     .encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:16]
