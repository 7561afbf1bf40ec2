"""Make ``schema0/``: a small project and the catalog that syndicate wrote for it BEFORE the
catalog had a schema version (commit edcc1c8, branch main of 2026-11-29; the catalog has
``PRAGMA user_version = 0`` and its queue, the ``releases`` table, is keyed on the guid).

Run from the repository root with that commit checked out (``git worktree add /tmp/old
edcc1c8``, then ``cd /tmp/old && .venv/bin/python tests/data/catalogs/make_schema0.py OUT``), and
copy OUT over tests/data/catalogs/schema0. The upgrade test (tests/test_catalog_schema.py) opens a
copy of it with today's code. Every command runs with a fixed ``--now``.

What the catalog holds:
- posts/hello.md, published; posts/renamed-later.md, published as posts/first-name.md and then
  renamed (its slug changed, its guid did not: a rebuild would derive another one);
- posts/imported.md, published, with a front matter ``guid:``;
- posts/queued.md, dated 2026-11-20, queued for 2026-12-01 10:00 Europe/London;
- posts/held.md, dated 2026-11-05, unqueued (held back);
- posts/draft.md, a draft;
- episodes/one.yaml + one.mp3, published; episodes/two.yaml + two.mp3, queued for
  2026-11-15 08:00;
- the outputs published to public/ (the catalog's manifest of the folder).
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from conftest import BASE_CONFIG, png_bytes, post, sidecar, tone
from syndicate.cli import main

NOW = "2026-11-01T12:00:00+00:00"


def run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--config", str(root / "config.yaml"), "--now", NOW],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def make(root: Path) -> None:
    files = {
        "config.yaml": BASE_CONFIG,
        "posts/hello.md": post("Hello", date="2026-10-01", body="The first post."),
        "posts/first-name.md": post("Renamed later", date="2026-10-02", body="Moved."),
        "posts/imported.md": post("Imported", date="2026-09-01", guid="https://old.example/?p=7"),
        "posts/queued.md": post("Queued post", date="2026-11-20", body="Waits."),
        "posts/held.md": post("Held post", date="2026-11-05", body="Held back."),
        "posts/draft.md": post("Draft post", date="2026-10-03", draft="true"),
        "episodes/one.yaml": sidecar("One", date="2026-10-01 08:00"),
        "episodes/one.mp3": tone(1.0),
        "episodes/two.yaml": sidecar("Two", date="2026-11-10 08:00"),
        "episodes/two.mp3": tone(1.0, freq=550),
    }
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    (root / "cover.png").write_bytes(png_bytes())
    run(root, "publish")
    (root / "posts/first-name.md").rename(root / "posts/renamed-later.md")
    (root / "posts/renamed-later.md").write_text(
        post("Renamed later", date="2026-10-02", body="Moved.", slug="renamed-later"))
    run(root, "publish")
    run(root, "queue", "posts/queued.md", "--at", "2026-12-01 10:00")
    run(root, "queue", "episodes/two.yaml", "--at", "2026-11-15 08:00")
    run(root, "unqueue", "posts/held.md")
    run(root, "publish")
    with sqlite3.connect(root / ".syndicate/catalog.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0


if __name__ == "__main__":
    out = Path(sys.argv[1])
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    make(out)
    print(f"made {out}")
