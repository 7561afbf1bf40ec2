"""Front matter: the ``---`` fenced YAML at the top of a post. The one place that splits it off.

Used by the collector (which reports a problem) and by the importer (which only looks for the
title and guid of posts it may meet again, and passes over a file it cannot read).
"""

from __future__ import annotations

import re

from .errors import CollectError

_FENCE = re.compile(r"^(?:---|\.\.\.)\s*$", re.M)


def split_front_matter(text: str, name: str) -> tuple[str | None, str, int]:
    """Return (front matter YAML or None, body, number of lines before the body).

    The front matter opens with a first line holding only ``---`` and closes with the next line
    holding only ``---`` (or ``...``); one left open is a CollectError naming the file.
    """
    if not text.startswith("---"):
        return None, text, 0
    first_nl = text.find("\n")
    if first_nl == -1 or text[:first_nl].strip() != "---":
        return None, text, 0
    end = _FENCE.search(text, first_nl + 1)
    if end is None:
        raise CollectError(
            name, "front matter is not closed", 1, hint="end it with a line holding only ---"
        )
    fm = text[first_nl + 1 : end.start()]
    body_start = text.find("\n", end.end())
    body = "" if body_start == -1 else text[body_start + 1 :]
    return fm, body, text[: end.end()].count("\n") + 1
