"""The catalog: the truth about every item, its GUID, its last good version and what was published.

SQLAlchemy Core over SQLite by default (any SQLAlchemy URL works). One publish runs in one
transaction: a failure, or a dry run, leaves the catalog as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .errors import SyndicateError

metadata = sa.MetaData()

items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("guid", sa.String, nullable=False, unique=True),
    sa.Column("slug", sa.String, nullable=False),
    sa.Column("source", sa.String, nullable=False, index=True),
    sa.Column("sig", sa.String, nullable=False, default=""),  # stat signature of the sources
    sa.Column("content_hash", sa.String, nullable=False, default=""),
    sa.Column("data", sa.Text, nullable=False),  # JSON of the last good version
    sa.Column("date", sa.String, nullable=False),  # release date, ISO 8601 UTC
    sa.Column("draft", sa.Boolean, nullable=False, default=False),
    sa.Column("first_seen", sa.String, nullable=False),
    sa.Column("changed_at", sa.String, nullable=False),
    sa.Column("published_at", sa.String),  # first time it reached a published feed
    sa.Column("missing", sa.Boolean, nullable=False, default=False),  # source file gone
    sa.Column("error", sa.Text),  # the current problem with its source, if any
)

outputs = sa.Table(
    "outputs",
    metadata,
    sa.Column("target", sa.String, primary_key=True),
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("sha256", sa.String, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content_type", sa.String, nullable=False),
    sa.Column("input_hash", sa.String, nullable=False),  # what it was made from
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


class Catalog:
    """A connection to the catalog inside one transaction."""

    def __init__(self, conn: Connection):
        self.conn = conn

    # -- meta --------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        return self.conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()

    def set_meta(self, key: str, value: str) -> None:
        if self.get_meta(key) is None:
            self.conn.execute(meta.insert().values(key=key, value=value))
        else:
            self.conn.execute(meta.update().where(meta.c.key == key).values(value=value))

    # -- items -------------------------------------------------------------------------------
    def all_items(self, kind: str | None = None) -> list[dict]:
        q = sa.select(items).order_by(items.c.id)
        if kind:
            q = q.where(items.c.kind == kind)
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def insert_items(self, rows: list[dict]) -> None:
        if rows:
            self.conn.execute(items.insert(), rows)

    def update_item(self, item_id: int, **values) -> None:
        self.conn.execute(items.update().where(items.c.id == item_id).values(**values))

    # -- outputs (the manifest of what a target holds) ----------------------------------------
    def outputs(self, target: str) -> dict[str, dict]:
        q = sa.select(outputs).where(outputs.c.target == target)
        return {r.key: dict(r._mapping) for r in self.conn.execute(q)}

    def replace_outputs(self, target: str, rows: list[dict]) -> None:
        """Record what ``target`` holds now (only rows that changed are written)."""
        current = self.outputs(target)
        wanted = {r["key"]: r for r in rows}
        for key in current.keys() - wanted.keys():
            self.conn.execute(
                outputs.delete().where(outputs.c.target == target, outputs.c.key == key)
            )
        fresh = []
        for key, row in wanted.items():
            old = current.get(key)
            if old is not None and all(old[c] == row[c] for c in row):
                continue
            if old is not None:
                self.conn.execute(
                    outputs.delete().where(outputs.c.target == target, outputs.c.key == key)
                )
            fresh.append({**row, "target": target})
        if fresh:
            self.conn.execute(outputs.insert(), fresh)

    def mark_published(self, ids: list[int], now) -> None:
        """Stamp items the first time they reach a published feed."""
        stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat()
        for chunk in range(0, len(ids), 500):
            self.conn.execute(
                items.update()
                .where(items.c.id.in_(ids[chunk : chunk + 500]), items.c.published_at.is_(None))
                .values(published_at=stamp)
            )


def loads(text: str) -> dict:
    return json.loads(text)


def dumps(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _engine(url: str) -> sa.Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.execute("PRAGMA busy_timeout = 10000")
            dbapi_conn.execute("PRAGMA foreign_keys = ON")

    return engine


@contextmanager
def open_catalog(url: str, *, commit: bool = True) -> Iterator[Catalog]:
    """Open the catalog in one transaction; commit when the block succeeds and ``commit`` holds."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            try:
                metadata.create_all(conn)
                conn.commit()
            except sa.exc.DatabaseError as exc:
                raise SyndicateError(
                    f"{url}: the catalog cannot be opened ({exc.orig}); restore it from a backup "
                    "or move it aside to rebuild it from the sources"
                ) from None
            trans = conn.begin()
            try:
                yield Catalog(conn)
            except BaseException:
                trans.rollback()
                raise
            if commit:
                trans.commit()
            else:
                trans.rollback()
    finally:
        engine.dispose()
