"""A Podcast Index chapters file (``podcast:chapters``, type application/json+chapters) read as
a podcast app reads it: UTF-8 JSON, an object with a ``version`` and a ``chapters`` list, each
chapter an object whose ``startTime`` is a number of seconds, in order of their start times.

syndicate writes these files itself (publish/build.py); ``check`` reads them back from the site.
"""

from __future__ import annotations

from .errors import CollectError
from .transcripts import CUE_SLACK, decode, is_seconds, json_document


def check_chapters(data: bytes, shown: str, length: float | None = None) -> int:
    """The number of chapters in a chapters file's bytes, or a CollectError naming what is
    wrong (``shown`` names the file) and, for JSON that does not parse, the line; with the
    episode's ``length`` (seconds), a chapter starting after the audio ends is wrong too."""
    doc = json_document(decode(data, shown), shown, "not JSON ({})")
    if not isinstance(doc, dict) or not isinstance(doc.get("version"), str) \
            or not isinstance(doc.get("chapters"), list):
        raise CollectError(shown, "not a chapters file: expected an object with a 'version' "
                                  "and a 'chapters' list")
    last = 0.0
    for i, chapter in enumerate(doc["chapters"]):
        where = f"'chapters[{i}]'"
        start = chapter.get("startTime") if isinstance(chapter, dict) else None
        if not is_seconds(start) or start < 0:
            raise CollectError(shown, f"{where}: expected 'startTime' as seconds, got "
                                      f"{str(start)[:40]!r}")
        if start < last:
            raise CollectError(shown, f"{where}: starts before the chapter above it; chapters "
                                      "must be in order of their start times")
        if length is not None and start > length + CUE_SLACK:  # (a duration in whole seconds)
            raise CollectError(shown, f"{where}: starts at {start:g} s, after the audio ends "
                                      f"({length:.1f} s, the feed's itunes:duration)")
        last = start
    return len(doc["chapters"])
