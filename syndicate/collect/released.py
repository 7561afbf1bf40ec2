"""Released items and their dates: a date edit never takes a released item down.

An item's own date is its release time only until it is released. Once out, a new date that is
still in the future (a year typo, or a ``site.timezone`` change that moves a date by hours) would
drop it from the feeds and delete its page and media; listeners who have it would see it vanish.
Such an item stays published under the date it was released with, and each collect says so,
naming the file and line of its ``date:``, until the date is corrected or its time comes. To take
a released item down is an explicit act: ``draft: true`` or deleting its file.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

from ..errors import ItemError, printable
from ..frontmatter import split_front_matter
from ..sourcefiles import read_source
from ..when import stored

_DATE_KEY = re.compile(r"date\s*:", re.I)


def keep_release_date(row: dict | None, dated, release: dict | None, now: dt.datetime,
                      path: Path, name: str, zone: str) -> str | None:
    """For a released item (catalog ``row``) whose file now gives a date in the future: set
    ``dated.date`` (a parsed post, episode or sidecar) back to the date it was released with and
    return the warning to print; else None. An item released at a queued time is dated by the
    queue, so its own date cannot hide it."""
    if row is None or not row["published_at"] or (release is not None and not release["held"]):
        return None
    if stored(dated.date) <= now:
        return None
    new, kept = dated.date, row["date"]
    if stored(kept) > now:  # taken down by an older syndicate: dated when it first went out
        kept = row["published_at"]
    dated.date = kept
    line = date_line(path, name)
    where = printable(name) + (f":{line}" if line else "")
    return (f"{where}: date {_shown(new, zone)} is in the future, but this {row['kind']} was "
            f"already released on {_shown(row['published_at'], zone)}; a future date does not "
            f"take it down: it stays published, dated {_shown(kept, zone)} (to take it down, "
            "set draft: true or delete the file)")


def _shown(iso: str, zone: str) -> str:
    return f"{stored(iso).astimezone(zoneinfo.ZoneInfo(zone)):%Y-%m-%d %H:%M %Z}"


def date_line(path: Path, name: str) -> int | None:
    """The line of the ``date:`` (or a text post's ``Date:`` line) in a source, if it has one
    (a date taken from the file name has none)."""
    try:
        text = read_source(path, name).decode("utf-8", errors="replace")
    except ItemError:
        return None
    first = 1
    if path.suffix.lower() == ".md":
        try:
            front, _, _ = split_front_matter(text, name)
        except ItemError:
            return None
        if front is None:
            return None
        text, first = front, 2
    lines = text.split("\n")
    if path.suffix.lower() == ".txt":
        lines = lines[:5]  # the title, then a Date: line among the next few
    for i, line in enumerate(lines):
        if _DATE_KEY.match(line if path.suffix.lower() != ".txt" else line.strip()):
            return i + first
    return None
