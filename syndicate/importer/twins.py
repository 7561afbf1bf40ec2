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
from bisect import bisect_left
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


def _around(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day within NEAR_DAYS of ``day`` (the calendar's ends aside)."""
    week = dt.timedelta(days=NEAR_DAYS)
    first = day - week if day > dt.date.min + week else dt.date.min
    last = day + week if day < dt.date.max - week else dt.date.max
    return first, last


class Twins:
    """The items already here, found by title key and, for the items gone from a source, by
    day: each new item is compared with the few that share its title or lie within a week of
    it, not with every item here (an import of thousands into a site of thousands stays
    linear). ``doubts`` says what comparing it with each of them would say."""

    def __init__(self, here: list[Here]):
        self.by_key: dict[str, list[Here]] = {}
        self.by_file: dict[str, list[dt.date]] = {}
        for h in here:
            self.by_key.setdefault(_key(h.title), []).append(h)
            day = _day(h.when)
            if day is not None:
                self.by_file.setdefault(h.file, []).append(day)
        self._gone: dict[frozenset[str], list[tuple[dt.date, str]]] = {}

    def _vanished(self, vanished: set[str]) -> list[tuple[dt.date, str]]:
        """(day, file) of the dated items here whose file is in ``vanished``, by day."""
        frozen = frozenset(vanished)
        if frozen not in self._gone:
            self._gone[frozen] = sorted((day, file) for file in frozen
                                        for day in self.by_file.get(file, ()))
        return self._gone[frozen]

    def doubts(self, title: str, when: dt.datetime | None, origin: str | None,
               vanished: set[str], own: str | None = None) -> list[str]:
        """Why the new item (titled ``title``, dated ``when``, from ``origin``) may be one
        already here, one reason per file; ``vanished``: files recorded for items gone from
        its source."""
        out: dict[str, str] = {}
        key, day = _key(title), _day(when)
        for h in self.by_key.get(key, ()) if key else ():
            if h.file == own:
                continue
            if day is not None and _day(h.when) == day:
                out.setdefault(h.file, "the same title and date")
            elif origin is not None and h.origin == origin:
                out.setdefault(h.file, "the same title, imported from the same source")
        near: set[str] = set()
        if day is not None and vanished:
            gone = self._vanished(vanished)
            first, last = _around(day)
            for other, file in gone[bisect_left(gone, (first, "")):]:
                if other > last:
                    break
                near.add(file)
        for file in sorted(near - {own} - set(out))[:3]:  # a feed that only rolls on: not near
            out[file] = ("the item an earlier import wrote it from is gone from this source, "
                         "and this one, dated near it, is new to it")
        return [f"may be the same as {file} ({why}); delete one" for file, why in out.items()]

