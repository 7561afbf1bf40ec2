"""Log lines summed by the engine (DuckDB): S3 access logs read by DuckDB itself, several files
a query so that its threads share them, the other formats' requests handed over by their
Python readers; the rules (rules.batch_sql) applied in SQL, and only the sums kept.

A line the engine's S3 reader does not take comes back here, to ``s3log.parse``: read after
all (an unusual spelling), or counted as skipped with its file and line."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

from ..when import WhenError
from . import rules, s3log
from .hit import Hit

BATCH_BYTES = 128 * 2**20  # log text one query reads
BATCH_HITS = 200_000  # requests read by Python handed over at once
_FILES = """
SELECT file, generate_subscripts(l, 1) AS n, unnest(l) AS line
FROM (SELECT filename AS file, string_split(replace(content, chr(13) || chr(10), chr(10)),
                                            chr(10)) AS l
      FROM read_text($paths))"""
_HITS = ("SELECT NULL::VARCHAR AS file, NULL::BIGINT AS n, NULL::VARCHAR AS line, TRUE AS ok, "
         "unnest($day::DATE[]) AS day, unnest($ip::VARCHAR[]) AS ip, "
         "unnest($method::VARCHAR[]) AS method, unnest($path::VARCHAR[]) AS path, "
         "unnest($status::INTEGER[]) AS status, unnest($sent::BIGINT[]) AS sent, "
         "unnest($range::VARCHAR[]) AS range, unnest($agent::VARCHAR[]) AS agent")


MEMORY = "512MB"  # what DuckDB may hold; beyond it, the stats file's pages are written out


def prepare(con) -> None:
    """The rules' SQL functions, on a new connection, and its memory bounded."""
    con.execute(f"SET memory_limit = '{MEMORY}'")
    for statement in rules.MACROS:
        con.execute(statement)


class Batches:
    """The files and requests of one run, summed into ``listens`` a batch at a time."""

    def __init__(self, con, report, workdir: Path):
        self.con = con
        self.report = report
        self.workdir = workdir  # where a log's text that is no plain local file is put for DuckDB
        self.tmp: Path | None = None
        self.nonce = secrets.token_hex(32)  # a new day's salt is made from it; never kept
        self.files: dict[str, str] = {}  # path DuckDB reads -> the log file's name
        self.size = 0
        self.hits: list[Hit] = []

    def add_path(self, path: Path, name: str, size: int) -> None:
        """An S3 access log DuckDB can read as it is (plain UTF-8, whole)."""
        self.files[str(path)] = name
        self.size += size
        if self.size >= BATCH_BYTES:
            self._read_files()

    def add_text(self, text: str, name: str) -> None:
        """An S3 access log's text (from a bucket, gunzipped, the new end of a growing file,
        bad bytes replaced): put in a private file for DuckDB to read."""
        if self.tmp is None:
            self.tmp = Path(tempfile.mkdtemp(prefix=".stats-", dir=self.workdir))
        path = self.tmp / f"{len(self.files)}-{secrets.token_hex(4)}.log"
        path.write_text(text, encoding="utf-8", newline="")
        self.add_path(path, name, len(text))

    def add_hits(self, hits) -> None:
        """Requests a Python reader read (CloudFront, combined, unusual S3 lines)."""
        for hit in hits:
            self.hits.append(hit)
            self.report.lines += 1
            if len(self.hits) >= BATCH_HITS:
                self._sum_hits()

    def finish(self) -> None:
        """The last batches summed, the new days' salts kept, the private files removed."""
        try:
            self._read_files()
            self._sum_hits()
            self.con.execute(rules.NEW_SALTS, {"nonce": self.nonce})
        finally:
            self.close()

    def close(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def _read_files(self) -> None:
        if not self.files:
            return
        files, self.files, self.size = self.files, {}, 0
        con = self.con
        con.execute(rules.batch_sql(s3log.requests_sql(_FILES)),
                    {"paths": list(files), "nonce": self.nonce})
        con.execute(rules.KEEP_BATCH)
        lines, = con.execute("SELECT coalesce(sum(lines), 0) FROM batch").fetchone()
        self.report.lines += int(lines)
        others = con.execute("SELECT file, n, line FROM batch WHERE file IS NOT NULL").fetchall()
        con.execute("DROP TABLE batch")
        order = {path: i for i, path in enumerate(files)}
        for path, n, line in sorted(others, key=lambda r: (order.get(r[0], 0), r[1])):
            self._look_again(files.get(path, path), n, line)

    def _look_again(self, name: str, n: int, line: str) -> None:
        if not line.strip():
            return
        try:
            hit = s3log.parse(line)
        except (ValueError, WhenError) as exc:
            self.report.skips.add(name, n, f"not an S3 access log line ({exc})")
            return
        self.add_hits([hit])

    def _sum_hits(self) -> None:
        if not self.hits:
            return
        hits, self.hits = self.hits, []
        self.con.execute(rules.batch_sql(_HITS), {
            "day": [h.time.date() for h in hits], "ip": [h.ip for h in hits],
            "method": [h.method for h in hits], "path": [h.path for h in hits],
            "status": [h.status for h in hits], "sent": [h.sent for h in hits],
            "range": [h.range for h in hits], "agent": [h.agent for h in hits],
            "nonce": self.nonce})
        self.con.execute(rules.KEEP_BATCH)
        self.con.execute("DROP TABLE batch")
