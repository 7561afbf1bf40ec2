"""The catalog's file in trouble: a full disk under paths.state, a read-only catalog, a file
that is not SQLite, a truncated one. Each is one clear error naming the file and what to do;
the catalog and the live site stay as they were."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import feedparser
import pytest

from conftest import BASE_CONFIG, post

pytestmark = pytest.mark.sqlite_file  # the SQLite file itself: scribbled on, its disk filled

STATE = "paths:\n  state: state\n"


def _mount(point: Path, size: str) -> None:
    point.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                        str(point)], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot mount a small tmpfs here ({exc}): needs root and mount(2)")


@pytest.fixture
def small_state(make_project, tmp_path):
    """A published project whose paths.state is a tmpfs of its own (4 MiB)."""
    state = tmp_path / "proj" / "state"
    proj = make_project({"posts/a.md": post("First", date="2026-10-01")},
                        config=BASE_CONFIG + STATE)
    _mount(state, "4m")
    try:
        result = proj.run("publish")
        assert result.exit_code == 0, result.output
        yield proj, state
    finally:
        subprocess.run(["umount", "-l", str(state)], check=False, capture_output=True)


def _fill(folder: Path) -> Path:
    """Fill the filesystem of ``folder`` to the last byte; returns the filler file."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        for size in (1 << 16, 4096, 512, 1):
            try:
                while f.write(b"\0" * size):
                    pass
            except OSError:
                pass
    return filler


def _titles(proj) -> list[str]:
    return [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]


def _one_error(output: str) -> str:
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    assert "Traceback" not in output
    return errors[0]


def test_a_full_disk_under_paths_state_is_no_space_left(small_state):
    proj, state = small_state
    feed = proj.read("feed.xml")
    for n in range(40):  # enough new posts that the catalog must grow
        proj.write(f"posts/new-{n}.md", post(f"New {n}", date="2026-10-02", body="x" * 3000))
    filler = _fill(state)
    for args in (("publish",), ("collect",), ("queue", "new-1", "--at", "2026-12-01 10:00")):
        result = proj.run(*args)
        assert result.exit_code == 1, (args, result.output)
        line = _one_error(result.output)
        assert f"no space left on {state}" in line, line
        assert "free some space there, then run again" in line
        assert "backup" not in line and "rebuild" not in line
    assert proj.read("feed.xml") == feed  # the live site as it was

    filler.unlink()
    with sqlite3.connect(state / "catalog.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert len(_titles(proj)) == 20 and "First" in proj.public("posts/a/index.html").read_text()


def test_a_read_only_catalog_is_named_as_such(small_state):
    proj, state = small_state
    feed = proj.read("feed.xml")
    subprocess.run(["mount", "-o", "remount,ro", str(state)], check=True, capture_output=True)
    proj.write("posts/b.md", post("Second", date="2026-10-02"))
    for args in (("publish",), ("collect",), ("release-due",), ("status",),
                 ("queue", "a", "--at", "2026-12-01 10:00")):
        result = proj.run(*args)
        assert result.exit_code == 1, (args, result.output)
        line = _one_error(result.output)
        assert str(state) in line and "read-only" in line, line
        assert "backup" not in line
    assert proj.read("feed.xml") == feed


@pytest.mark.parametrize("damage", ["not-sqlite", "truncated", "empty-header"])
def test_a_damaged_catalog_is_one_clear_error_and_never_a_rebuild(make_project, damage):
    proj = make_project({"posts/a.md": post("First", date="2026-10-01"),
                         "posts/b.md": post("Second", date="2026-10-02", body="y" * 20000)})
    assert proj.run("publish").exit_code == 0
    feed = proj.read("feed.xml")
    path = proj.root / ".syndicate/catalog.db"
    data = path.read_bytes()
    damaged = {"not-sqlite": b"PK\x03\x04 this is a zip file, not a catalog" * 50,
               "truncated": data[:len(data) // 3],
               "empty-header": b"SQLite format 3\0" + b"\xff" * 200}[damage]
    path.write_bytes(damaged)
    for args in (("publish",), ("collect",), ("status",), ("queue", "a", "--at", "now"),
                 ("unqueue", "a"), ("release-due",), ("run",)):
        result = proj.run(*args)
        assert result.exit_code == 1, (args, result.output)
        line = _one_error(result.output)
        assert line.startswith(f"Error: {path}: "), line
        assert "restore it from a backup" in line and "do not delete it" in line
    assert path.read_bytes() == damaged  # nothing written over it
    assert proj.read("feed.xml") == feed


def test_a_file_size_limit_is_named_not_called_damage(make_project):
    """RLIMIT_FSIZE (ulimit -f) below what the catalog needs: EFBIG, no signal, one line."""
    import resource
    import sys

    proj = make_project({"posts/a.md": post("First", date="2026-10-01")})
    assert proj.run("publish").exit_code == 0
    feed = proj.read("feed.xml")
    catalog = proj.root / ".syndicate/catalog.db"
    for n in range(30):
        proj.write(f"posts/new-{n}.md", post(f"New {n}", date="2026-10-02", body="z" * 4000))
    limit = max(catalog.stat().st_size, 64 * 1024)

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    exe = Path(sys.executable).with_name("syndicate")
    done = subprocess.run([str(exe), "publish", "--config", str(proj.root / "config.yaml")],
                          cwd=proj.root, capture_output=True, text=True, timeout=120,
                          preexec_fn=small_files)
    assert done.returncode == 1, done.stdout + done.stderr
    line = _one_error(done.stderr)
    assert f"{catalog}: the catalog cannot grow" in line and "ulimit -f" in line, line
    assert proj.read("feed.xml") == feed
    with sqlite3.connect(catalog) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 1
    conn.close()


@pytest.mark.sqlite_file
def test_a_read_only_file_left_beside_the_catalog_is_the_one_named(make_project):
    """h25 B11: a run against a read-only catalog leaves its shared-memory file read-only too;
    with the catalog writable again, the error names the file that is not (and "cannot be
    read" is said of a file that cannot be read, not "read-only")."""
    from test_safety_collect import _unprivileged

    proj = make_project({"posts/a.md": post("First", date="2026-10-01")})
    assert proj.run("publish").exit_code == 0
    db = proj.root / ".syndicate/catalog.db"
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    db.chmod(0o444)
    proj.write("posts/b.md", post("Second", date="2026-10-02"))
    first = _unprivileged(proj, "publish")
    assert first.returncode == 1 and "Traceback" not in first.stderr, first.stderr
    db.chmod(0o644)
    left = [Path(f"{db}{extra}") for extra in ("-wal", "-shm")
            if Path(f"{db}{extra}").exists() and not Path(f"{db}{extra}").stat().st_mode & 0o200]
    if left:  # (as SQLite made it: with the catalog's own mode)
        again = _unprivileged(proj, "publish")
        assert again.returncode == 1, again.stderr
        line = _one_error(again.stderr)
        assert any(line.startswith(f"Error: {path}: read-only") for path in left), line
        for path in left:
            path.chmod(0o644)
    db.chmod(0)
    unreadable = _unprivileged(proj, "publish")
    db.chmod(0o644)
    line = _one_error(unreadable.stderr)
    assert f"{db}: cannot be read" in line, line
    done = _unprivileged(proj, "publish")
    assert done.returncode == 0, done.stderr
    assert "Second" in _titles(proj)
    shm = Path(f"{db}-shm")  # h26 C6: a folder in its place is named, not the catalog
    shm.unlink(missing_ok=True)
    shm.mkdir()
    folder = proj.run("publish")
    shm.rmdir()
    line = _one_error(folder.output)
    assert line.startswith(f"Error: {shm}: not a file"), line


def test_a_release_the_catalog_cannot_record_waits_doubling_not_every_poll(small_state):
    """Under `syndicate run`, a release failing where the catalog cannot even record the
    failure (its disk full) is tried again after retry_seconds, then twice that...
    as a recorded failure is, not at every poll; once the catalog can be written it goes out."""
    import datetime as dt
    import time

    from test_catalog_run import Run

    from conftest import wait_until

    proj, state = small_state
    proj.write("config.yaml", BASE_CONFIG + STATE
               + "scheduler:\n  poll_seconds: 0.3\n  retry_seconds: 2\n")
    proj.write("posts/q.md", post("Queued", date="2026-10-03"))
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)).replace(microsecond=0)
    assert proj.run("queue", "posts/q.md", "--at", at.isoformat(), now=None).exit_code == 0
    run = Run(proj)
    try:
        assert run.saw("next release at"), run.output
        filler = _fill(state)
        failures = lambda: run.output.count("release failed")  # noqa: E731
        assert wait_until(lambda: failures() >= 1, timeout=20), run.output
        first = time.monotonic()
        assert wait_until(lambda: failures() >= 2, timeout=20), run.output
        assert time.monotonic() - first >= 1.5, run.output  # (2 s, not the 0.3 s poll)
        assert "next attempt at" in run.output
        assert run.output.count("no space left") <= 2 * failures() + 1, run.output  # (no
        # error logged at every poll between the attempts)
        filler.unlink()
        assert run.saw("released post 'Queued'", timeout=30), run.output
    finally:
        run.stop()
    assert "Traceback" not in run.output
    assert "Queued" in _titles(proj)
