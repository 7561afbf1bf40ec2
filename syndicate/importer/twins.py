"""Doubt about an item an import is about to create: it may be one already here.

Whatever the record and the words could not match, an item created with the title (case,
spaces and punctuation aside) and the day of an existing one (any source), or with the title
of one imported from the same source, or from a source one of whose recorded items has gone
from it (its file still here, dated within a week of the new one), is created but flagged,
naming the file it may be; the author deletes one of the two.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
NEAR_DAYS = 7  # a vanished item's file this close in date to a new item may be that item


@dataclass(frozen=True)
class Here:
    """An item already here: its file (relative), title, date and imported_from."""
    file: str
    title: str
    when: dt.datetime | None
    origin: str | None


def _key(title: str) -> str:
    return " ".join(_WORD.findall(title.lower()))


def _day(when: dt.datetime | None) -> dt.date | None:
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.date()


def doubts(title: str, when: dt.datetime | None, origin: str | None, here: list[Here],
           vanished: set[str], own: str | None = None) -> list[str]:
    """Why the new item (titled ``title``, dated ``when``, from ``origin``) may be one already
    here, one reason per file; ``vanished``: files recorded for items gone from its source."""
    out: dict[str, str] = {}
    key, day = _key(title), _day(when)
    for h in here:
        if h.file == own or not key or _key(h.title) != key:
            continue
        if day is not None and _day(h.when) == day:
            out.setdefault(h.file, "the same title and date")
        elif origin is not None and h.origin == origin:
            out.setdefault(h.file, "the same title, imported from the same source")
    near = {h.file for h in here if h.file in vanished and day is not None
            and _day(h.when) is not None and abs((_day(h.when) - day).days) <= NEAR_DAYS}
    for file in sorted(near - {own} - set(out))[:3]:  # a feed that only rolls on: not near
        out[file] = ("the item an earlier import wrote it from is gone from this source, "
                     "and this one, dated near it, is new to it")
    return [f"may be the same as {file} ({why}); delete one" for file, why in out.items()]
