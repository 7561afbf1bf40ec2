"""A process that reads the catalog again and again (the scheduler) keeps a copy of the items and
the queue and reads back only the rows whose revision changed (syndicate/mirror.py): whatever
another client writes (a `queue` from another host, a hand edit, a row deleted), the next read
gives exactly what a fresh read of the tables gives, and a row damaged since is refused."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import post
from syndicate.catalog import open_catalog
from syndicate.config import load_config
from syndicate.errors import SyndicateError
from syndicate.schema import COLUMNS

ITEMS = [c.strip() for c in COLUMNS["items"].split(",")]
QUEUE = [c.strip() for c in COLUMNS["releases"].split(",")]

_slot = st.integers(0, 5)  # an item by its place among the rows there now
_at = st.integers(0, 10 ** 8).map(lambda s: f"2027-{1 + s % 12:02d}-{1 + s % 28:02d}T"
                                            f"{s % 24:02d}:{s % 60:02d}:00+00:00")
OPS = st.one_of(
    st.tuples(st.just("title"), _slot, st.text(max_size=12)),
    st.tuples(st.just("draft"), _slot, st.booleans()),
    st.tuples(st.just("queue"), _slot, _at),
    st.tuples(st.just("unqueue"), _slot),
    st.tuples(st.just("drop"), _slot),
    st.tuples(st.just("add"), _slot),
    st.tuples(st.just("ours"), _slot, _at),  # a write through the library, in this process
    st.tuples(st.just("scribble"), _slot),  # a value syndicate never writes, then put back
    # a trigger dropped (SQLite) or disabled (PostgreSQL) by hand, then a row written
    st.tuples(st.just("untrigger"), _slot, st.text(max_size=12)),
)


class Raw:
    """Another client of the catalog: a plain connection of the engine's own driver."""

    def __init__(self, where):
        self.pg = not hasattr(where, "suffix")
        if self.pg:
            import psycopg

            self.conn = psycopg.connect(str(where), autocommit=True)
        else:
            self.conn = sqlite3.connect(where, isolation_level=None)

    def run(self, sql: str, args=()):
        return self.conn.execute(sql.replace("?", "%s") if self.pg else sql, args).fetchall() \
            if sql.lstrip().upper().startswith("SELECT") else \
            self.conn.execute(sql.replace("?", "%s") if self.pg else sql, args)

    def items(self) -> list[dict]:
        rows = [dict(zip(ITEMS, r, strict=True)) for r in self.run(
            f"SELECT {COLUMNS['items']} FROM items ORDER BY id")]
        for r in rows:
            r["draft"], r["missing"] = bool(r["draft"]), bool(r["missing"])
        return rows

    def queue(self) -> dict[int, dict]:
        rows = [dict(zip(QUEUE, r, strict=True))
                for r in self.run(f"SELECT {COLUMNS['releases']} FROM releases")]
        return {r["item_id"]: {**r, "held": bool(r["held"])} for r in rows}

    def close(self) -> None:
        self.conn.close()


def _apply(raw: Raw, op: tuple, where) -> bool:
    """Carry out ``op``; whether it left a damaged row (to be refused, then mended)."""
    rows = raw.items()
    if not rows:
        return False
    row = rows[op[1] % len(rows)]
    kind = op[0]
    if kind == "title":
        data = json.loads(row["data"]) | {"title": op[2]}
        raw.run("UPDATE items SET data = ? WHERE id = ?", (json.dumps(data), row["id"]))
    elif kind == "draft":
        raw.run("UPDATE items SET draft = ? WHERE id = ?", (op[2], row["id"]))
    elif kind == "queue":
        raw.run("INSERT INTO releases (item_id, at, zone, held, queued_at) VALUES (?, ?, 'UTC', "
                "FALSE, ?) ON CONFLICT (item_id) DO UPDATE SET at = excluded.at",
                (row["id"], op[2], op[2]))
    elif kind == "unqueue":
        raw.run("DELETE FROM releases WHERE item_id = ?", (row["id"],))
    elif kind == "drop":
        raw.run("DELETE FROM releases WHERE item_id = ?", (row["id"],))
        raw.run("DELETE FROM items WHERE id = ?", (row["id"],))
    elif kind == "add":
        fresh = {k: v for k, v in row.items() if k != "id"}
        n = max(r["id"] for r in rows) + 1
        fresh.update(guid=f"{row['guid']}-{n}",
                     source=f"posts/added-{n}.md")
        raw.run(f"INSERT INTO items ({', '.join(fresh)}) VALUES "
                f"({', '.join('?' * len(fresh))})", tuple(fresh.values()))
    elif kind == "ours":
        with open_catalog(where) as cat:
            cat.set_release(row["id"], op[2], "UTC", op[2])
            assert cat.releases()[row["id"]]["at"] == op[2]  # its own write, read back
    elif kind == "untrigger":
        raw.run("ALTER TABLE items DISABLE TRIGGER items_rev" if raw.pg
                else "DROP TRIGGER items_rev_update")
        data = json.loads(row["data"]) | {"title": op[2]}
        raw.run("UPDATE items SET data = ? WHERE id = ?", (json.dumps(data), row["id"]))
    elif kind == "scribble":
        raw.run("UPDATE items SET date = 'not a date' WHERE id = ?", (row["id"],))
        return True
    return False


def _mend(raw: Raw) -> None:
    raw.run("UPDATE items SET date = first_seen WHERE date = 'not a date'")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_every_read_gives_what_any_client_wrote_since(engine, make_project, request):
    proj = make_project({f"posts/p{i}.md": post(f"Post {i}", date=f"2026-10-0{i + 1}")
                         for i in range(4)})
    if engine == "postgresql":
        url = request.getfixturevalue("pg_url")
        text = (proj.root / "config.yaml").read_text()
        text = "\n".join(x for x in text.splitlines() if not x.startswith("catalog:"))
        (proj.root / "config.yaml").write_text(text + f"\ncatalog: {url}\n")
    assert proj.run("collect").exit_code == 0
    where = load_config(proj.root / "config.yaml").catalog_path
    raw = Raw(where)

    @given(ops=st.lists(OPS, max_size=10))
    @settings(max_examples=60 if engine == "sqlite" else 25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    def reads(ops):
        for op in ops:
            damaged = _apply(raw, op, where)
            with open_catalog(where) as cat:
                if damaged:
                    with pytest.raises(SyndicateError, match="damaged value"):
                        cat.check()
                else:
                    cat.check()
                assert cat.all_items() == raw.items(), op
                assert cat.releases() == raw.queue(), op
            if damaged:
                _mend(raw)

    try:
        reads()
    finally:
        raw.close()
