"""`syndicate run` (a real process) whose catalog is deleted or replaced under it: it says so;
a deleted or emptied catalog stops it with a clear error and nothing is released from a new,
queue-less one; a replaced catalog is reopened and its queue released."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import feedparser
import pytest

from conftest import BASE_CONFIG, post, wait_until

pytestmark = pytest.mark.sqlite_file  # a catalog file deleted or replaced: SQLite's own

EXE = Path(sys.executable).with_name("syndicate")
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "syndicate"]
FAST = "scheduler:\n  poll_seconds: 0.3\n  retry_seconds: 1\n"


class Run:
    """A `syndicate run` process whose output is read as it comes."""

    def __init__(self, proj):
        self.proc = subprocess.Popen(
            [*CMD, "run", "--config", str(proj.root / "config.yaml")], cwd=proj.root,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def saw(self, text: str, timeout: float = 15) -> bool:
        return wait_until(lambda: text in self.output, timeout=timeout)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"did not stop on SIGTERM:\n{self.output}") from None
        self.reader.join(timeout=10)
        return code


def _titles(proj) -> list[str]:
    return [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]


def _cli(proj, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args, "--config", str(proj.root / "config.yaml")],
                          cwd=proj.root, capture_output=True, text=True, timeout=120)


@pytest.fixture
def live(make_project):
    proj = make_project({"posts/old.md": post("Old post", date="2026-01-01"),
                         "posts/winter.md": post("Winter plans", date="2099-12-24")},
                        config=BASE_CONFIG + FAST)
    done = _cli(proj, "publish")
    assert done.returncode == 0, done.stderr
    return proj


def test_a_deleted_catalog_stops_the_scheduler_with_a_clear_error(live):
    catalog = live.root / ".syndicate/catalog.db"
    feed = live.read("feed.xml")
    run = Run(live)
    try:
        assert run.saw("next release"), run.output
        catalog.unlink()
        assert wait_until(lambda: run.proc.poll() is not None, timeout=20), run.output
    finally:
        code = run.stop()
    assert code == 1, run.output
    assert (f"Error: {catalog}: the catalog was deleted while the scheduler ran; nothing more "
            "is released. Restore it from a backup") in run.output
    assert "Traceback" not in run.output
    assert not catalog.exists()  # no new, queue-less catalog made behind the author's back
    assert live.read("feed.xml") == feed


def test_a_catalog_replaced_by_an_empty_one_stops_it(live):
    catalog = live.root / ".syndicate/catalog.db"
    run = Run(live)
    try:
        assert run.saw("next release"), run.output
        fresh = catalog.with_name("fresh.db")
        sqlite3.connect(fresh).close()
        os.replace(fresh, catalog)
        assert wait_until(lambda: run.proc.poll() is not None, timeout=20), run.output
    finally:
        code = run.stop()
    assert code == 1
    assert "the catalog was replaced by another file" in run.output
    assert f"Error: {catalog}: the catalog was replaced by an empty one" in run.output
    assert _titles(live) == ["Old post"]


def test_a_replaced_catalog_is_reopened_and_its_queue_released(live):
    catalog = live.root / ".syndicate/catalog.db"
    run = Run(live)
    try:
        assert run.saw("next release"), run.output
        # the author restores a copy in which winter is queued two seconds from now
        copy = catalog.with_name("restored.db")
        with sqlite3.connect(catalog) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
            (item_id,) = dst.execute("SELECT id FROM items WHERE source = 'posts/winter.md'"
                                     ).fetchone()
            at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).isoformat()
            dst.execute("INSERT INTO releases (item_id, at, zone, held, queued_at) "
                        "VALUES (?, ?, 'UTC', 0, ?)", (item_id, at, at))
        src.close()
        dst.close()
        os.replace(copy, catalog)
        assert run.saw("the catalog was replaced by another file"), run.output
        assert wait_until(lambda: "Winter plans" in _titles(live), timeout=20), run.output
        assert dt.datetime.now(dt.UTC) >= dt.datetime.fromisoformat(at)
    finally:
        code = run.stop()
    assert code == 0, run.output
    assert "released post 'Winter plans'" in run.output


def test_a_row_scribbled_on_after_a_release_is_refused_by_the_same_scheduler(make_project):
    """The damage check passes a row it found sound before only while every byte of it is the
    same: a released item's row scribbled on after the scheduler released it stops that same
    process from releasing the next item, with the catalog and the item named."""
    proj = make_project({"posts/old.md": post("Old post", date="2026-01-01"),
                         "posts/winter.md": post("Winter plans", date="2099-12-24"),
                         "posts/spring.md": post("Spring cleaning", date="2099-03-01")},
                        config=BASE_CONFIG + FAST)
    assert _cli(proj, "publish").returncode == 0
    run = Run(proj)
    try:
        assert run.saw("next release at 2099-03-01"), run.output
        at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).isoformat()
        assert _cli(proj, "queue", "winter", "--at", at).returncode == 0
        assert wait_until(lambda: "Winter plans" in _titles(proj), timeout=30), run.output
        assert run.saw("released post 'Winter plans'"), run.output  # its rows were checked
        catalog = sqlite3.connect(proj.root / ".syndicate/catalog.db")
        with catalog:
            catalog.execute("UPDATE items SET date = '2099-13-45' "
                            "WHERE source = 'posts/winter.md'")
        catalog.close()
        queued = _cli(proj, "queue", "spring", "--at", "now")
        assert queued.returncode == 0, queued.stderr
        assert run.saw("the catalog holds a damaged value", timeout=30), run.output
    finally:
        run.stop()
    assert "posts/winter.md" in run.output.split("the catalog holds a damaged value")[1]
    assert "released post 'Spring cleaning'" not in run.output
    assert "Spring cleaning" not in _titles(proj)
    assert "Winter plans" in _titles(proj)


def test_a_backup_moved_over_the_catalog_under_run_is_read_as_it_is(make_project):
    """The scheduler holds no connection to the catalog between its passes, so a backup moved
    over the catalog while it runs is read as the backup holds it: the live file's write-ahead
    log (a queue change made since the backup) is not laid over it."""
    proj = make_project({"posts/old.md": post("Old post", date="2026-01-01"),
                         "posts/winter.md": post("Winter plans", date="2099-12-24"),
                         "posts/spring.md": post("Spring plans", date="2099-03-20")},
                        config=BASE_CONFIG + FAST)
    assert _cli(proj, "publish").returncode == 0
    catalog = proj.root / ".syndicate/catalog.db"
    soon = dt.datetime.now(dt.UTC).replace(microsecond=0)
    spring_at, winter_at = soon + dt.timedelta(seconds=8), soon + dt.timedelta(seconds=10)
    run = Run(proj)
    try:
        assert run.saw("next release"), run.output
        backup = catalog.with_name("backup.db")  # winter queued in the backup only
        with sqlite3.connect(catalog) as src, sqlite3.connect(backup) as dst:
            src.backup(dst)
            (item_id,) = dst.execute("SELECT id FROM items WHERE source = 'posts/winter.md'"
                                     ).fetchone()
            dst.execute("INSERT INTO releases (item_id, at, zone, held, queued_at) "
                        "VALUES (?, ?, 'UTC', 0, ?)",
                        (item_id, winter_at.isoformat(), soon.isoformat()))
        src.close()
        dst.close()
        # then spring is queued in the live catalog only, and the scheduler hears of it
        assert _cli(proj, "queue", "spring", "--at", spring_at.isoformat()).returncode == 0
        assert run.saw(f"next release at {spring_at.isoformat()}"), run.output
        os.replace(backup, catalog)
        assert run.saw("the catalog was replaced by another file"), run.output
        assert run.saw(f"next release at {winter_at.isoformat()}"), run.output  # the backup's
        # at winter's time (after spring's), the pass holds winter back and says so: the backup
        # is older than the site (the queue change since counted a generation)
        assert run.saw("posts/winter.md: held back", timeout=30), run.output
    finally:
        run.stop()
    assert "Spring plans" not in _titles(proj) and "released post 'Spring" not in run.output
    assert "the catalog is older than the published site" in run.output, run.output
    with sqlite3.connect(catalog) as conn:
        queued = {r[0] for r in conn.execute(
            "SELECT i.source FROM releases r JOIN items i ON i.id = r.item_id "
            "WHERE NOT r.held")}  # (held back: the backup is older than the site)
    conn.close()
    assert "posts/spring.md" not in queued, queued
