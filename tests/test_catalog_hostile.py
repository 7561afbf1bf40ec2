"""Property tests of the catalog as a reader of outside input: a catalog file of generated
garbage, a truncated or scribbled-on catalog, a SQLite file with the wrong tables or version.
Every command ends in success or one clear error naming the catalog file; never a traceback,
never a hang."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, NOW, png_bytes, post
from syndicate.cli import main
from syndicate.schema import COLUMNS, LATEST

COMMANDS = [("publish",), ("collect",), ("status",), ("status", "--json"),
            ("queue", "b", "--at", "2026-12-01 10:00"), ("unqueue", "b"), ("release-due",)]
COMMAND = st.sampled_from(COMMANDS)
FAST = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Site:
    """One project for the whole module; each example puts its catalog file in place."""

    def __init__(self, root: Path):
        self.root = root
        (root / "posts").mkdir(parents=True)
        (root / "config.yaml").write_text(BASE_CONFIG)
        (root / "cover.png").write_bytes(png_bytes())
        (root / "posts/a.md").write_text(post("First", date="2026-10-01"))
        (root / "posts/b.md").write_text(post("Later", date="2026-12-24", body="w" * 9000))
        self.catalog = root / ".syndicate/catalog.db"
        assert self.invoke("publish").exit_code == 0
        self.good = self.catalog.read_bytes()

    def invoke(self, *args: str):
        return CliRunner().invoke(main, [*args, "--config", str(self.root / "config.yaml"),
                                         "--now", NOW], catch_exceptions=False)

    def put(self, data: bytes) -> None:
        for suffix in ("-wal", "-shm"):
            Path(f"{self.catalog}{suffix}").unlink(missing_ok=True)
        self.catalog.write_bytes(data)

    def check(self, args: tuple[str, ...]) -> None:
        """Run one command on the catalog in place: success, or one error naming it."""
        result = self.invoke(*args)  # an exception here is a traceback: the test fails
        # nothing of the catalog stays open after the command (a cursor stopped by a value that
        # does not decode once kept the file, and its lock, open: every later command waited)
        assert not open_catalog_files(self.catalog), (args, result.output)
        if result.exit_code == 0:
            return
        errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert result.exit_code == 1, (args, result.output)
        assert len(errors) == 1, (args, result.output)
        # the catalog's own error, or a release failure that quotes it
        assert f"{self.catalog}: " in errors[0] or f"catalog {self.catalog} " in errors[0], \
            (args, errors)
        assert "Traceback" not in result.output


def open_catalog_files(catalog: Path) -> list[str]:
    """The files of ``catalog`` (itself, -wal, -shm) this process holds open (Linux's /proc)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return []
    out = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(catalog)):
            out.append(target)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "proj"
    yield Site(root)
    shutil.rmtree(root, ignore_errors=True)


@FAST
@given(command=COMMAND, garbage=st.one_of(
    st.binary(min_size=1, max_size=3000),
    st.binary(max_size=3000).map(lambda b: b"SQLite format 3\0" + b),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
))
def test_a_catalog_of_garbage(site, command, garbage):
    site.put(garbage)
    site.check(command)


@FAST
@given(command=COMMAND, cut=st.floats(0.0, 0.999))
def test_a_truncated_catalog(site, command, cut):
    site.put(site.good[:int(len(site.good) * cut)])
    site.check(command)


@FAST
@given(command=COMMAND, changes=st.lists(
    st.tuples(st.floats(0.0, 0.999), st.binary(min_size=1, max_size=64)), min_size=1, max_size=6))
def test_a_scribbled_on_catalog(site, command, changes):
    data = bytearray(site.good)
    for where, chunk in changes:
        at = int(len(data) * where)
        data[at:at + len(chunk)] = chunk
    site.put(bytes(data[:len(site.good)]))
    site.check(command)


_NAMES = st.sampled_from([*COLUMNS, "posts", "items_old", "stats"])
_COLS = st.lists(st.sampled_from(
    sorted({c.strip() for cols in COLUMNS.values() for c in cols.split(",")} | {"x", "guid2"})),
    min_size=1, max_size=8, unique=True)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("column", ["data", "slug", "guid", "source"])
def test_a_value_that_does_not_decode_leaves_the_catalog_closed(site, command, column):
    """A row whose text is not UTF-8 fails the command with one error naming the catalog, and
    the next command (here: on the good catalog put back) finds it unlocked."""
    site.put(site.good)
    conn = sqlite3.connect(site.catalog)
    conn.execute(f"UPDATE items SET {column} = CAST(x'7b22ff22' AS TEXT) "
                 "WHERE id = (SELECT max(id) FROM items)")
    conn.commit()
    conn.close()
    site.check(command)
    site.put(site.good)
    site.check(("status",))


@settings(FAST, max_examples=50)
@given(command=COMMAND, tables=st.dictionaries(_NAMES, _COLS, max_size=5),
       version=st.integers(-3, LATEST + 3), meta_version=st.one_of(
           st.none(), st.integers(-2, LATEST + 3).map(str), st.text(max_size=8)))
def test_a_sqlite_file_with_the_wrong_tables(site, tmp_path_factory, command, tables,
                                            version, meta_version):
    scratch = tmp_path_factory.mktemp("wrong") / "c.db"
    conn = sqlite3.connect(scratch)
    for name, cols in tables.items():
        conn.execute(f"CREATE TABLE {name} ({', '.join(cols)})")
    if meta_version is not None and "meta" in tables and {"key", "value"} <= set(tables["meta"]):
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                     (meta_version,))
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    site.put(scratch.read_bytes())
    site.check(command)
