"""Random catalogs copied SQLite -> PostgreSQL -> SQLite, compared row for row at each step:
nothing lost or changed (ids, guids, release times, published state, sizes past 2 GiB), or, for
a value PostgreSQL cannot hold (a NUL character in a text), one clear error naming the
destination, which is left empty."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syndicate.catalog import connect
from syndicate.catalogcopy import copy_catalog
from syndicate.engines import location
from syndicate.errors import SyndicateError

TABLES = {
    "items": ("id", "kind, guid, slug, source, sig, content_hash, data, date, draft, first_seen, "
                    "changed_at, published_at, missing, error"),
    "releases": ("item_id", "at, zone, held, queued_at"),
    "outputs": ("target, key", "sha256, size, content_type, input_hash"),
    "meta": ("key", "value"),
}
BOOLS = {"draft", "missing", "held"}

text = st.text(max_size=40)
stamp = st.one_of(st.datetimes().map(lambda d: d.isoformat() + "+00:00"), text)


@st.composite
def catalogs(draw) -> dict[str, list[tuple]]:
    ids = draw(st.lists(st.integers(1, 2**62), unique=True, max_size=12))
    guids = draw(st.lists(text, unique=True, min_size=len(ids), max_size=len(ids)))
    items = [(i, draw(st.sampled_from(["post", "episode"])), g, draw(text), draw(text),
              draw(text), draw(text), draw(text), draw(stamp), draw(st.booleans()), draw(stamp),
              draw(stamp), draw(st.none() | stamp), draw(st.booleans()), draw(st.none() | text))
             for i, g in zip(ids, guids, strict=True)]
    queued = draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
    releases = [(i, draw(stamp), draw(text), draw(st.booleans()), draw(stamp)) for i in queued]
    keys = draw(st.lists(st.tuples(text, text), unique=True, max_size=10))
    outputs = [(t, k, draw(text), draw(st.integers(0, 2**62)), draw(text), draw(text))
               for t, k in keys]
    meta = [(k, draw(text)) for k in draw(st.lists(text.filter(lambda k: k != "schema_version"),
                                                   unique=True, max_size=10))]
    return {"items": items, "releases": releases, "outputs": outputs, "meta": meta}


def _read(conn, table: str) -> list[tuple]:
    key, rest = TABLES[table]
    cols = [c.strip() for c in f"{key}, {rest}".split(",")]
    sql = f"SELECT {', '.join(cols)} FROM {table}"
    if table == "meta":
        sql += " WHERE key <> 'schema_version'"
    rows = [tuple(bool(v) if c in BOOLS else v for c, v in zip(cols, r, strict=True))
            for r in conn.execute(sql).fetchall()]
    return sorted(rows, key=repr)


def _write_sqlite(path: Path, rows: dict[str, list[tuple]]) -> None:
    connect(path).close()  # a catalog of this schema
    with sqlite3.connect(path) as conn:
        for table, (key, rest) in TABLES.items():
            n = len(f"{key}, {rest}".split(","))
            conn.executemany(f"INSERT INTO {table} ({key}, {rest}) VALUES "
                             f"({', '.join('?' * n)})", rows[table])


def _pg_rows(url: str) -> dict[str, list[tuple]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return {t: _read(conn, t) for t in TABLES}


def _sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        return {t: _read(conn, t) for t in TABLES}


@pytest.mark.slow
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                   HealthCheck.too_slow])
@given(rows=catalogs())
@example(rows={"items": [], "releases": [], "outputs": [], "meta": [("k", "a\x00b")]})
def test_random_catalogs_cross_both_engines_row_for_row(pg_server, rows):
    url = pg_server.database()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "catalog.db"
        _write_sqlite(source, rows)
        expected = _sqlite_rows(source)
        has_nul = any("\x00" in v for table in rows.values() for row in table for v in row
                      if isinstance(v, str))
        try:
            counts = copy_catalog(source, location(url))
        except SyndicateError as exc:
            assert has_nul, exc  # the only value PostgreSQL refuses
            assert url.split("?")[0].rsplit("/", 1)[1] in str(exc)
            assert "nothing of this run was committed" in str(exc)
            assert all(not v for v in _pg_rows(url).values())
            return
        assert not has_nul
        assert counts == {t: len(expected[t]) for t in ("items", "releases", "outputs",
                                                         "meta")}
        assert _pg_rows(url) == expected
        back = Path(tmp) / "back.db"
        copy_catalog(location(url), back)
        assert _sqlite_rows(back) == expected
