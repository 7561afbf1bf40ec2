"""The tests' own PostgreSQL: a real server, a database of its own for each test."""

from __future__ import annotations


def test_each_test_gets_an_empty_database_of_its_own(pg_server, pg_url):
    import psycopg

    other = pg_server.database()
    assert other != pg_url
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE t (x integer)")
        conn.execute("INSERT INTO t VALUES (1)")
        assert conn.execute("SELECT version()").fetchone()[0].startswith("PostgreSQL 16")
    with psycopg.connect(other) as conn:
        tables = conn.execute("SELECT count(*) FROM information_schema.tables "
                              "WHERE table_schema = 'public'").fetchone()[0]
    assert tables == 0
