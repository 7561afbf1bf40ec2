"""The keys an import records for each item (its source and its guid, link, enclosure, title
and date) are spelled as earlier versions spelled them, JSON ``[source, key]``: a catalog
written before still names its items. Checked on generated sources and fields, any text."""

from __future__ import annotations

import datetime as dt
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG
from syndicate.catalog import open_catalog
from syndicate.config import load_config
from syndicate.importer.record import Records, identities, identity, source_of

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


_GUIDS = st.one_of(st.none(), st.text(min_size=1, max_size=20))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=20), _GUIDS), min_size=1,
                max_size=6))
def test_records_are_stored_as_before_and_read_back(tmp_path_factory, items):
    """What one import records (each item's keys -> its file and guid) is stored as JSON
    written as before, and the next import's records give each item's file back."""
    root = tmp_path_factory.mktemp("proj")
    (root / "config.yaml").write_text(BASE_CONFIG, encoding="utf-8")
    cfg = load_config(root / "config.yaml")
    records = Records(cfg)
    written = {}
    for n, (source, title, guid) in enumerate(items):
        keys = records.once_all(identities(source, guid=guid, title=title))
        records.put_all(keys, f"posts/{n}.md", guid)
        written[n] = (keys, source, guid)
    records.save()
    with open_catalog(cfg.catalog_path, commit=False) as cat:
        stored = cat.meta_under("imported:")
    again = Records(cfg)
    for n, (keys, source, guid) in written.items():
        row = {"file": f"posts/{n}.md", **({"guid": guid} if guid else {})}
        for key in keys:
            assert stored[key] == json.dumps(row, ensure_ascii=False)
        assert again.find(keys) == row
        assert f"posts/{n}.md" in again.files_of(source)
