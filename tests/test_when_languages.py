"""Feed dates written in other languages (RFC 822 style, as a Portuguese, Spanish, French,
German, Italian or Dutch blog's feed writes them) are read back exactly, through the one date
parser, and a garbled one is no date."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.when import feed_date

# how each language writes its weekdays (Monday first) and months in a feed's dates: our own
# table for the test, with the spellings real blogs use (abbreviated with or without a dot,
# full names, accents)
LOCALES = {
    "pt": ("Seg Ter Qua Qui Sex Sáb Dom",
           "Jan Fev Mar Abr Mai Jun Jul Ago Set Out Nov Dez"),
    "pt-full": ("segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado "
                "domingo", "janeiro fevereiro março abril maio junho julho agosto "
                "setembro outubro novembro dezembro"),
    "es": ("lun mar mié jue vie sáb dom",
           "ene feb mar abr may jun jul ago sep oct nov dic"),
    "fr": ("lun. mar. mer. jeu. ven. sam. dim.",
           "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc."),
    "de": ("Mo Di Mi Do Fr Sa So",
           "Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez."),
    "it": ("lun mar mer gio ven sab dom",
           "gen feb mar apr mag giu lug ago set ott nov dic"),
    "nl": ("ma di wo do vr za zo",
           "jan feb mrt apr mei jun jul aug sep okt nov dec"),
}

instants = st.datetimes(min_value=dt.datetime(1901, 1, 2), max_value=dt.datetime(2998, 12, 30))
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: m - m % 15)


def _rfc822(when: dt.datetime, locale: str, minutes: int, *, case=str) -> str:
    days, months = (names.split() for names in LOCALES[locale])
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    day = f"{when.day}." if locale == "de" else f"{when.day:02d}"
    return (f"{case(days[when.weekday()])}, {day} {case(months[when.month - 1])} {when.year} "
            f"{when:%H:%M:%S} {zone}")


@settings(deadline=None)
@given(instants, st.sampled_from(sorted(LOCALES)), offsets,
       st.sampled_from([str, str.lower, str.upper, str.title]))
def test_rfc822_dates_in_each_language_read_back_exactly(when, locale, minutes, case):
    when = when.replace(microsecond=0)
    zone = dt.timezone(dt.timedelta(minutes=minutes))
    written = _rfc822(when, locale, minutes, case=case)
    assert feed_date(written) == when.replace(tzinfo=zone).astimezone(dt.UTC), written


def test_the_portuguese_date_of_the_issue():
    assert feed_date("Seg, 24 Set 2018 19:42:40 -0300") == dt.datetime(2018, 9, 24, 22, 42, 40,
                                                                      tzinfo=dt.UTC)
    assert feed_date("Montag, 24. September 2018 19:42 MESZ") == dt.datetime(
        2018, 9, 24, 17, 42, tzinfo=dt.UTC)
    assert feed_date("dom, 3 de mayo de 2020 10:00:00 GMT") == dt.datetime(
        2020, 5, 3, 10, tzinfo=dt.UTC)
    assert feed_date("Seg, 24 Set 2018 19:42:40 QQQ") is None  # a zone we do not know: no guess
    assert feed_date("Seg, 24 Xyz 2018 19:42:40 -0300") is None
    assert feed_date("24 jui 2018") is None  # juin or juillet: no guess


@settings(deadline=None)
@given(st.sampled_from(sorted(LOCALES)), st.integers(1, 12))
def test_no_calendar_day_and_no_known_zone_are_no_date(locale, month):
    months = LOCALES[locale][1].split()
    assert feed_date(f"32 {months[month - 1]} 2018 10:00:00 +0000") is None
    assert feed_date(f"01 {months[month - 1]} 2018 25:00:00 +0000") is None
    assert feed_date(f"01 {months[month - 1]} 0999 10:00:00 +0000") is None  # out of range


@settings(deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_date_or_none_never_an_error(text):
    got = feed_date(text)
    assert got is None or (got.tzinfo is not None and 1900 <= got.year <= 9998)
