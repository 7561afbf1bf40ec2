"""The keys an import records for each item (its source and its guid, link, enclosure, title
and date) are spelled as earlier versions spelled them, JSON ``[source, key]``: a catalog
written before still names its items. Checked on generated sources and fields, any text."""

from __future__ import annotations

import datetime as dt
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.importer.record import identities, identity, source_of

_WORD = re.compile(r"\w+")
_TEXT = st.one_of(st.none(), st.text(max_size=30),
                  st.sampled_from(["", "  ", "?p=123", 'a "quoted" guid', "tab\there", "é ✓ 🎧"]))


def spelled_before(source, *, guid=None, link=None, enclosure=None, title="", date=None):
    keys = [f"guid:{guid.strip()}" if guid and guid.strip() else None,
            f"link:{link.strip()}" if link and link.strip() else None,
            f"enclosure:{enclosure.strip()}" if enclosure and enclosure.strip() else None]
    when = date.isoformat() if date is not None else ""
    keys.append(f"title:{' '.join(_WORD.findall(title.lower()))}@{when}")
    return [json.dumps([source, k], ensure_ascii=False) for k in keys if k]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), _TEXT, _TEXT, _TEXT, st.text(max_size=30),
       st.one_of(st.none(), st.datetimes(timezones=st.just(dt.UTC))))
def test_recorded_keys_are_spelled_as_before(source, guid, link, enclosure, title, date):
    keys = identities(source, guid=guid, link=link, enclosure=enclosure, title=title, date=date)
    assert keys == spelled_before(source, guid=guid, link=link, enclosure=enclosure,
                                  title=title, date=date)
    assert all(source_of(k) == source for k in keys)
    assert identity(source, title=title, date=date) == keys[-1]
