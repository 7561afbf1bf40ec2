"""Release times as the author types them, checked against the calendar of their time zone.

``now``, ISO 8601 with an offset (``2026-12-01T09:00+01:00``, ``...Z``), or a wall-clock time
``YYYY-MM-DD HH:MM`` in the site's zone. A wall-clock time the zone skips (clocks go forward) or
shows twice (clocks go back) is refused with the valid choices spelled out, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

UTC = dt.UTC
_WALL = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})(?::(\d{2}))?$")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
EXAMPLES = "'now', '2026-12-01 09:00' (in the site's time zone) or '2026-12-01T09:00+01:00'"


class WhenError(ValueError):
    """A release time that cannot be used; the message says why and what would do."""


def _fmt(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M%z")[:-2] + ":" + when.strftime("%z")[-2:]


def parse_release_time(text: str, zone: str, now: dt.datetime) -> dt.datetime:
    """The UTC instant ``text`` names; wall-clock times are read in ``zone``."""
    value = text.strip()
    if value.lower() == "now":
        return now.astimezone(UTC)
    tz = zoneinfo.ZoneInfo(zone)
    if _OFFSET.search(value) and "T" in value.upper():
        try:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise WhenError(f"{text!r} is not a date and time; use {EXAMPLES}") from None
        return when.astimezone(UTC)
    match = _WALL.match(value)
    if not match:
        raise WhenError(f"{text!r} is not a date and time; use {EXAMPLES}")
    try:
        day = dt.date.fromisoformat(match.group(1))
        hh, mm = (int(x) for x in match.group(2).split(":"))
        wall = dt.datetime(day.year, day.month, day.day, hh, mm, int(match.group(3) or 0))
    except ValueError as exc:
        raise WhenError(f"{text!r} is not a valid date and time ({exc}); use {EXAMPLES}") from None
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        back_first = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if back_first == wall:  # it exists twice: the clocks went back over it
            a, b = first.astimezone(tz), second.astimezone(tz)
            raise WhenError(
                f"{wall:%Y-%m-%d %H:%M} happens twice in {zone} (the clocks go back that night); "
                f"write {_fmt(a)} for the first ({a.tzname()}) or {_fmt(b)} for the second "
                f"({b.tzname()})")
        # it does not exist: the clocks jumped over it; find the minute they jumped
        lo, hi = sorted((first.astimezone(UTC), second.astimezone(UTC)))
        jump = next(lo + dt.timedelta(minutes=m) for m in range(int((hi - lo).seconds // 60) + 1)
                    if (lo + dt.timedelta(minutes=m)).astimezone(tz).utcoffset()
                    != lo.astimezone(tz).utcoffset())
        old, new = lo.astimezone(tz).utcoffset(), jump.astimezone(tz).utcoffset()
        start, end = (jump + old).replace(tzinfo=None), (jump + new).replace(tzinfo=None)
        later = wall + (new - old)
        raise WhenError(
            f"{wall:%Y-%m-%d %H:%M} does not exist in {zone}: that night the clocks go forward "
            f"from {start:%H:%M} to {end:%H:%M}; choose a time before {start:%H:%M} or from "
            f"{end:%H:%M}, e.g. {later:%Y-%m-%d %H:%M}")
    return first.astimezone(UTC)
