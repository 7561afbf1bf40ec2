"""The doubts an import raises about a new item (it may be one already here) come from an index
of the items here (by title, and by day for the items gone from a source), so that importing
thousands of items into a site of thousands stays linear. The index must say exactly what
comparing the new item with every item here says: checked against that plain pairwise
comparison, written out below, on generated sites and items."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.importer.twins import NEAR_DAYS, Here, Twins

_WORD = re.compile(r"\w+")


def _key(title: str) -> str:
    return " ".join(_WORD.findall(title.lower()))


def _day(when):
    if when is None:
        return None
    return (when.astimezone(dt.UTC) if when.tzinfo is not None else when).date()


def pairwise(title, when, origin, here, vanished, own=None) -> list[str]:
    """The rule, item by item: every item here looked at for each new one."""
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
    for file in sorted(near - {own} - set(out))[:3]:
        out[file] = ("the item an earlier import wrote it from is gone from this source, "
                     "and this one, dated near it, is new to it")
    return [f"may be the same as {file} ({why}); delete one" for file, why in out.items()]


# few titles, spelled several ways (case, punctuation, spaces), so that many items share one
_TITLES = st.sampled_from(["Mending a fence", "mending  a FENCE!", "Mending a fence?",
                           "The tide", "the Tide.", "", "...", "Bees", "bees, again"])
_ORIGINS = st.sampled_from([None, "https://old.example/feed", "https://old.example/other",
                            "/home/a/export.xml"])
_ZONES = st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=-11)),
                          dt.timezone(dt.timedelta(hours=13, minutes=45))])


@st.composite
def _when(draw):
    if draw(st.integers(0, 5)) == 0:
        return None
    # a few weeks, so that "within a week" and "the same day" both happen often, and now and
    # then the calendar's ends
    base = draw(st.sampled_from([dt.datetime(2020, 3, 1), dt.datetime(1, 1, 1),
                                 dt.datetime(9999, 12, 31)]))
    hours = draw(st.integers(0, 24 * 30))
    try:
        when = base + dt.timedelta(hours=hours) if base.year < 9999 \
            else base - dt.timedelta(hours=hours)
    except OverflowError:
        when = base
    zone = draw(_ZONES)
    if zone is not None and 1 < when.year < 9999:
        when = when.replace(tzinfo=zone)
    return when


@st.composite
def _site(draw):
    n = draw(st.integers(0, 40))
    files = [f"posts/{k % 30}.md" for k in range(n)]  # now and then one file twice
    here = [Here(f, draw(_TITLES), draw(_when()), draw(_ORIGINS)) for f in files]
    vanished = set(draw(st.lists(st.sampled_from([*files, "posts/gone.md"]), max_size=12)
                        if files else st.just([])))
    items = draw(st.lists(st.tuples(_TITLES, _when(), _ORIGINS,
                                    st.sampled_from([None, *files[:5]])), max_size=8))
    return here, vanished, items


@settings(max_examples=400, deadline=None)
@given(_site())
def test_the_index_says_what_comparing_with_every_item_says(site):
    here, vanished, items = site
    twins = Twins(here)
    for title, when, origin, own in items:
        assert twins.doubts(title, when, origin, vanished, own=own) == \
            pairwise(title, when, origin, here, vanished, own=own)
        # another source's gone items, asked of the same index
        assert twins.doubts(title, when, origin, set(), own=own) == \
            pairwise(title, when, origin, here, set(), own=own)


def test_a_site_of_thousands_gets_the_pairwise_answers():
    """4,000 items here, 4,000 new ones, every title distinct but one, a third of the items
    gone from their source: the same day's namesake and the near vanished ones are found."""
    start = dt.datetime(2015, 1, 1, 8, tzinfo=dt.UTC)
    here = [Here(f"posts/{n}.md", f"Post {n}", start + dt.timedelta(hours=7 * n),
                 "https://old.example/feed") for n in range(4000)]
    vanished = {f"posts/{n}.md" for n in range(0, 4000, 3)}
    twins = Twins(here)
    said = [twins.doubts(f"Item {n}" if n != 17 else "post 17", start + dt.timedelta(
        hours=7 * n), "https://old.example/feed", vanished) for n in range(4000)]
    for n in (0, 17, 1999, 3999):
        assert said[n] == pairwise(f"Item {n}" if n != 17 else "post 17",
                                   start + dt.timedelta(hours=7 * n),
                                   "https://old.example/feed", here, vanished)
    assert said[17][0] == ("may be the same as posts/17.md (the same title and date); "
                           "delete one")
    assert all(1 <= len(s) <= 4 for s in said)  # each near some vanished item, at most 3
