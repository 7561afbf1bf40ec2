"""Dates and times as people write them: the one parser every reader of dates goes through.

Front matter and sidecars (``date:``, ``updated:``), dated file names, a text post's ``Date:``
line, ``syndicate queue --at`` and the importer's feed and page dates all come here, so each is
read the same way:

- ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM[:SS[.ffffff]]`` (or with a ``T``), optionally followed by an
  offset (``Z``, ``+01:00``, ``+0100``, ``-5``): ISO 8601 and YAML's own timestamps;
- a time without an offset is a wall-clock time in the site's zone. One the zone skips (clocks
  go forward) or shows twice (clocks go back) is refused with the valid choices spelled out,
  never guessed; a date alone is the start of that day;
- an imported feed's date may be RFC 822 (``Mon, 24 Sep 2018 19:42:40 -0300``) with its month and
  weekday in Portuguese, Spanish, French, German, Italian or Dutch (``Seg, 24 Set 2018``,
  ``lun., 3 févr. 2020``, ``Mo, 24. Sep 2018``); those are read only after the strict readers fail;
- an instant must fall in the years ``MIN_YEAR`` to ``MAX_YEAR`` (in UTC and in the zone), so
  no later conversion, sort or feed date can overflow.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
import zoneinfo
from email.utils import parsedate_to_datetime
from typing import Any

from .yamlcheck import shown

UTC = dt.UTC
MIN_YEAR, MAX_YEAR = 1900, 9998
_TEXT = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?"
    r"(?:[ \t]*(?P<z>[Zz]|[+-]\d{1,2}(?::?\d{2})?))?)?$", re.ASCII)  # (٢٠٢٦ is no year)
EXAMPLES = ("'now', '2026-12-01 09:00' (in the site's time zone), '2026-12-01' (the start of "
            "that day) or '2026-12-01T09:00+01:00'")
DATE_EXAMPLES = "a date such as 2024-05-01 or 2024-05-01 09:30 or 2024-05-01T09:30:00+01:00"


class WhenError(ValueError):
    """A date or time that cannot be used; the message says why and what would do."""


def _fmt(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M%z")[:-2] + ":" + when.strftime("%z")[-2:]


def _offset(text: str) -> dt.timezone:
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 18 or minutes > 59:
        raise WhenError(f"the offset {text} is not a time zone offset (at most ±18:00)")
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _in_range(when: dt.datetime) -> dt.datetime:
    """``when`` in UTC, refused if it (or its wall-clock form) leaves the years we can carry."""
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise WhenError(f"the year {when.year} is out of range; dates run from {MIN_YEAR} to "
                        f"{MAX_YEAR}")
    # both years are in range, so an offset under a day cannot overflow
    utc = when.astimezone(UTC)
    if not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise WhenError(f"{utc:%Y-%m-%d %H:%M} UTC is out of range; dates run from {MIN_YEAR} "
                        f"to {MAX_YEAR}")
    return utc


def _local(wall: dt.datetime, zone: str) -> dt.datetime:
    """A wall-clock time in ``zone`` as an aware datetime; skipped or doubled times refused."""
    tz = zoneinfo.ZoneInfo(zone)
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
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


def _start_of_day(day: dt.date, zone: str) -> dt.datetime:
    """The first instant of ``day`` in ``zone``: midnight, or the moment the clocks jumped past
    it (PEP 495: fold 0 reads a skipped time with the offset before the jump)."""
    wall = dt.datetime(day.year, day.month, day.day)
    return wall.replace(tzinfo=zoneinfo.ZoneInfo(zone), fold=0).astimezone(UTC)


def _parse_text(text: str) -> tuple[dt.datetime, bool]:
    """(the date and time written, has a time); LookupError for no date, ValueError for one
    the calendar does not have."""
    m = _TEXT.match(text.strip())
    if m is None:
        raise LookupError(text)
    year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
    if m["H"] is None:
        return dt.datetime(year, month, day), False
    micro = int((m["f"] or "0")[:6].ljust(6, "0"))
    when = dt.datetime(year, month, day, int(m["H"]), int(m["M"]), int(m["S"] or 0), micro)
    if m["z"]:
        return when.replace(tzinfo=_offset(m["z"])), True
    return when, True


def _resolve(when: dt.datetime, has_time: bool, zone: str) -> dt.datetime:
    if not MIN_YEAR <= when.year <= MAX_YEAR:  # before the zone's rules are asked about it
        raise WhenError(f"the year {when.year} is out of range; dates run from {MIN_YEAR} to "
                        f"{MAX_YEAR}")
    if when.tzinfo is None:
        when = _local(when, zone) if has_time else _start_of_day(when.date(), zone)
    return _in_range(when)


def _read(text: str, unreadable: str, invalid: str) -> tuple[dt.datetime, bool]:
    """``_parse_text`` with its failures said in the caller's words (``{why}``: the reason)."""
    try:
        return _parse_text(text)
    except LookupError:
        raise WhenError(unreadable) from None
    except ValueError as exc:
        raise WhenError(invalid.format(why=exc)) from None


def parse_date(value: Any, zone: str) -> dt.datetime:
    """A date from front matter, a sidecar, a file name or a ``Date:`` line, as an aware UTC
    datetime; a value without an offset is read in ``zone``. Raises WhenError saying why."""
    if isinstance(value, dt.datetime):
        return _resolve(value, True, zone)
    if isinstance(value, dt.date):
        return _resolve(dt.datetime(value.year, value.month, value.day), False, zone)
    unreadable = f"expected {DATE_EXAMPLES}, got {shown(value)}"
    if not isinstance(value, str):
        raise WhenError(unreadable)
    when, has_time = _read(value, unreadable, f"{shown(value)} is not a valid date ({{why}})")
    return _resolve(when, has_time, zone)


def stored(text: str) -> dt.datetime:
    """An instant syndicate itself wrote into the catalog (ISO 8601 with its offset); not for
    anything a person typed: that goes through ``parse_date`` or ``parse_release_time``."""
    return dt.datetime.fromisoformat(text)


def stored_utc(text: str) -> dt.datetime:
    """``stored``, of an instant the catalog compares as text (a release time, an item's
    date): only in the one spelling syndicate writes, ISO 8601 in UTC (``+00:00``), whose text
    order is time order; any other (another offset, none, a space for the T) is a ValueError."""
    when = stored(text)
    if when.utcoffset() != dt.timedelta(0) or when.isoformat() != text:
        raise ValueError(f"{text[:40]!r} is not an instant in UTC as syndicate writes it")
    return when


def local(text: str, zone: str) -> dt.datetime:
    """A stored instant as the clock in ``zone`` (an IANA name, checked by the config) read
    then: what pages show, so a post of 20 October in London never shows 19 October."""
    import zoneinfo

    return stored(text).astimezone(zoneinfo.ZoneInfo(zone))


def parse_day(text: str) -> dt.date | None:
    """The date a file name starts with (``2024-05-01``), if it is a real one in range."""
    try:
        when, has_time = _parse_text(text)
    except (LookupError, ValueError):
        return None
    if has_time or not MIN_YEAR <= when.year <= MAX_YEAR:
        return None
    return when.date()


def parse_release_time(text: str, zone: str, now: dt.datetime) -> dt.datetime:
    """The UTC instant ``text`` names (``syndicate queue --at``); wall-clock times are read
    in ``zone``, and a date alone is the start of that day there (as everywhere dates are read)."""
    value = text.strip()
    if value.lower() == "now":
        return now.astimezone(UTC)
    unreadable = f"{shown(text)} is not a date and time; use {EXAMPLES}"
    when, has_time = _read(value, unreadable, f"{shown(text)} is not a valid date and time "
                                              f"({{why}}); use {EXAMPLES}")
    return _resolve(when, has_time, zone)


_YEAR_WRITTEN = re.compile(r"(?<![\d+-])(\d{3,})(?![\d:])")  # a year as written out
_ISO_LIKE = re.compile(r"\s*[+-]?\d{4,}-\d")


def feed_date(written: str | None, stamp: time.struct_time | tuple | None = None
              ) -> dt.datetime | None:
    """An imported feed's or page's date as an aware UTC datetime; None when it is missing,
    unreadable, no date of the calendar (31 February, month 13) or out of range (the importer
    then reports the entry as undated).

    ``written`` is the date as the source gives it (RFC 822 or ISO 8601; UTC where it names no
    zone). ``stamp`` is feedparser's reading of it (a UTC struct_time), which knows more
    spellings and is used when ``written`` cannot be read, but never for an ISO-like date
    (feedparser moves an overflowing field on: 2026-13-45 became 2027-01-01) nor when no year
    near the one it gives is written in the text (0001 +1400 became 1400)."""
    if written and _unknown_zone(str(written)):
        return None  # "10:00 XYZ", "10:00 GMT+1": a zone we cannot read is no date, no guess
    when = _written_date(written)
    if when is not None or stamp is None or not written or _ISO_LIKE.match(written):
        return when
    try:
        fallback = dt.datetime(*stamp[:5], min(stamp[5], 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError, IndexError):  # year 0, month 13...
        return None
    years = [int(y) for y in _YEAR_WRITTEN.findall(written)]
    if not any(abs(y - fallback.year) <= 1 for y in years):
        return None
    try:
        return _in_range(fallback)
    except WhenError:
        return None


_ZONE_WRITTEN = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*([^\W\d_][\w+\-:.]*)\s*$")


def _unknown_zone(text: str) -> bool:
    """Whether ``text`` ends its time with a zone written in letters that is not one we know
    (``XYZ``, ``GMT+1``: an offset after a zone's name is read by no parser alike)."""
    m = _ZONE_WRITTEN.search(text.strip())
    return bool(m) and m[1].upper() not in _ZONES


def _written_date(value: str | None) -> dt.datetime | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        try:
            when = _parse_text(text)[0]
        except LookupError:
            year = _YEAR_WRITTEN.search(text)
            if year and int(year.group(1)) < 1000:  # not email's two-digit years: year 1 is 1
                return None
            try:
                when = parsedate_to_datetime(text)
            except (ValueError, TypeError, IndexError):
                when = _foreign_date(text)  # its month in another language: looked at last
                if when is None:
                    return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return _in_range(when)
    except (ValueError, TypeError, OverflowError, OSError, IndexError):
        return None


# Month names of the languages old blogs are written in, for the RFC 822 style dates their
# feeds carry ("Seg, 24 Set 2018 19:42:40 -0300"). A written month matches a month when it is
# the start (three letters at least) of one of that month's names here, or one of its extra
# spellings; it must match exactly one month. Accents are optional, case does not matter.
_MONTHS = (
    ("january januar janvier janeiro enero gennaio januari", "jan ene gen"),
    ("february februar fevrier fevereiro febrero febbraio februari", "feb fev"),
    ("march marz maerz mars marco marzo maart", "mrz mrt mae"),
    ("april avril abril aprile", "avr abr"),
    ("may mai maio mayo maggio mei", "mag"),
    ("june juni juin junho junio giugno", "jun giu"),
    ("july juli juillet julho julio luglio", "jul juil lug"),
    ("august aout agosto augustus", "aug ago"),
    ("september septembre setembro septiembre settembre", "sep set sept"),
    ("october oktober octobre outubro octubre ottobre", "oct okt out ott"),
    ("november novembre novembro noviembre", "nov"),
    ("december dezember decembre dezembro diciembre dicembre", "dec dez dic"),
)
# the words a date may have between its parts ("24. September 2018 um 19:42", "24 de
# setembro de 2018 às 19:42", "24 settembre 2018 alle 19:42")
_FILLER = r"(?:(?:de|del|di|um|à|às|as|a|alle|om|le|the|at)\s+|,\s*)*"
_FOREIGN = re.compile(
    rf"^(?:[^\W\d_]+(?:-[^\W\d_]+)?\.?,?\s+)?(?P<d>\d{{1,2}})\.?\s*{_FILLER}(?P<mon>[^\W\d_]{{3,}})\.?,?\s*"
    rf"{_FILLER}(?P<y>\d{{4}}),?\s*{_FILLER}"
    r"(?:(?P<H>\d{1,2})[:h.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?\s*)?"
    r"(?P<z>[+-]\d{2}:?\d{2}|[^\W\d_]{1,5})?$", re.I)
_ZONES = {"Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "CET": 1, "CEST": 2,
          "MEZ": 1, "MESZ": 2, "EET": 2, "EEST": 3, "BRT": -3, "EST": -5, "EDT": -4,
          "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}
_month_index: list[tuple[str, int]] | None = None


def _plain_letters(word: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", word.lower())
                   if not unicodedata.combining(c))


def _month(word: str) -> int | None:
    """The month ``word`` names in one of the languages above; None if none, or several."""
    global _month_index
    if _month_index is None:
        _month_index = [(name, n) for n, (full, extra) in enumerate(_MONTHS, 1)
                        for name in (*full.split(), *extra.split())]
    word = _plain_letters(word)
    found = {n for name, n in _month_index if name == word or name.startswith(word)}
    return found.pop() if len(found) == 1 else None


def _foreign_date(text: str) -> dt.datetime | None:
    """An RFC 822 style date with its month (and weekday) in another language; naive when it
    names no zone. None when it is not one."""
    m = _FOREIGN.match(" ".join(text.split()))
    month = _month(m["mon"]) if m else None
    if month is None:
        return None
    when = dt.datetime(int(m["y"]), month, int(m["d"]), int(m["H"] or 0), int(m["M"] or 0),
                       int(m["S"] or 0))
    zone = (m["z"] or "").upper()
    if zone[:1] in "+-":
        return when.replace(tzinfo=_offset(zone)) if zone else when
    if zone not in _ZONES:  # a zone we do not know: no guess
        return None
    return when.replace(tzinfo=dt.timezone(dt.timedelta(hours=_ZONES[zone])))


def rfc2822(text: str) -> str:
    """A stored date as RSS writes dates (RFC 2822), e.g. for podcast:trailer's pubdate."""
    from email.utils import format_datetime

    return format_datetime(stored(text))


# -- access logs ------------------------------------------------------------------------------
_LOG_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
# (ASCII digits: logs write no others, and a status or a byte count takes none either)
_LOG_CLOCK = re.compile(r"([0-9]{2})/([A-Z][a-z]{2})/([0-9]{4}):([0-9]{2}):([0-9]{2}):([0-9]{2}) "
                        r"([+-][0-9]{4})$")
_W3C_CLOCK = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[ \t]([0-9]{2}):([0-9]{2}):([0-9]{2})"
                        r"(?:\.[0-9]+)?$")


@functools.lru_cache(maxsize=64)
def _log_offset(text: str) -> dt.timezone:
    return UTC if text == "+0000" else _offset(text)


def log_clock(text: str) -> dt.datetime:
    """The UTC instant of an access log's clock (``06/Feb/2026:00:00:38 +0000``, as S3 server
    logs and the combined format write it, without the brackets)."""
    m = _LOG_CLOCK.match(text)
    if not m or m[2] not in _LOG_MONTHS:
        raise WhenError(f"{shown(text)} is not a log time such as 06/Feb/2026:00:00:38 +0000")
    try:
        when = dt.datetime(int(m[3]), _LOG_MONTHS[m[2]], int(m[1]), int(m[4]), int(m[5]),
                           int(m[6]), tzinfo=_log_offset(m[7]))
    except ValueError as exc:
        raise WhenError(f"{shown(text)} is not a valid log time ({exc})") from None
    return _in_range(when)


def log_clock_day_sql(text: str) -> str:
    """The UTC day of a log clock as the engine (DuckDB) reads it, for SQL that reads access logs
    without Python: ``text`` is an SQL expression giving the clock in its usual UTC spelling,
    without its brackets and offset, already matched as ``NN/Mon/NNNN:NN:NN:NN`` in ASCII
    digits by the caller (its offset as ``+0000``); NULL where that is no valid time from
    MIN_YEAR to MAX_YEAR, which leaves the line to ``log_clock``."""
    return (f"CASE WHEN substr({text}, 8, 4) BETWEEN '{MIN_YEAR:04d}' AND '{MAX_YEAR:04d}' "
            f"THEN try_strptime({text}, '%d/%b/%Y:%H:%M:%S')::DATE END")


def w3c_clock(day: str, clock: str) -> dt.datetime:
    """The UTC instant of a W3C extended log's ``date`` and ``time`` fields (CloudFront's
    standard logs: always UTC)."""
    m = _W3C_CLOCK.match(f"{day} {clock}")
    if not m:
        raise WhenError(f"{shown(day + ' ' + clock)} is not a date and time such as "
                        "2026-02-06 00:00:38")
    try:
        when = dt.datetime(*(int(m[i]) for i in range(1, 7)), tzinfo=UTC)
    except ValueError as exc:
        raise WhenError(f"{shown(day + ' ' + clock)} is not a valid date and time ({exc})") \
            from None
    return _in_range(when)
