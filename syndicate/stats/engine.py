"""Log lines summed by the engine (DuckDB): S3 access logs read by the compiled reader
(``_s3scan``, built from setup.py) into rows of integers, or where it was not built by DuckDB
itself, several files a query so that its threads share them; the other formats' requests
handed over by their Python readers; the rules (rules.batch_sql, rules.SCANNED_BATCH) applied
in SQL, and only the sums kept.

A line the S3 readers do not take comes back here, to ``s3log.parse``: read after all (an
unusual spelling), or counted as skipped with its file and line."""

from __future__ import annotations

import array
import secrets
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

from ..errors import printable
from ..when import MAX_YEAR, MIN_YEAR, WhenError
from . import rules, s3log
from .hit import Hit
from .logfiles import StatsError

try:
    from ._s3scan import Scanner
except ImportError:  # installed without a C compiler (setup.py): DuckDB reads the S3 logs
    Scanner = None

BATCH_BYTES = 256 * 2**20  # log text one query reads
# log text whose rows (those of the compiled reader) one query sums: at 10,000,000 lines,
# 512 MB takes 21 s and 27 s of CPU against 24 s and 29 s for 256 MB (each query's planning
# costs 0.15 s), the same peak
SCANNED_BATCH_BYTES = 512 * 2**20
NUMPY_ROWS = 100_000  # rows of the compiled reader handed over as NumPy arrays, not lists
BATCH_HITS = 200_000  # requests read by Python handed over at once
LINE_MAX = 2_000_000  # the longest line DuckDB's CSV reader takes (its max_line_size)
_GLOB = "*?[]{}"  # a path holding one of these is read from a private copy
_CUT = "\x01\x02"  # the CSV reader's field delimiter: a file holding it is read as text
# Lines, DuckDB's CSV reader splitting several files at once between its threads (each line
# one field, no quotes); it does not number them: a line handed back is found in its file.
_LINES = f"""
SELECT filename AS file, NULL::BIGINT AS n, line
FROM read_csv($paths, delim = '{_CUT}', quote = '', escape = '', header = false,
              columns = {{'line': 'VARCHAR'}}, auto_detect = false, filename = true,
              new_line = '\\n', max_line_size = {LINE_MAX + 16})"""
# Lines numbered, for a file the CSV reader is not given (one with a carriage return, a NUL,
# its delimiter or a line too long for it)
_FILES = """
SELECT file, generate_subscripts(l, 1) AS n, unnest(l) AS line
FROM (SELECT filename AS file, string_split(replace(content, chr(13) || chr(10), chr(10)),
                                            chr(10)) AS l
      FROM read_text($paths))"""
_SCANNED_LISTS = ("CREATE OR REPLACE TEMP TABLE scanned AS SELECT "
                  + ", ".join(f"unnest(${c}::{'BIGINT' if c == 'sent' else 'INTEGER'}[]) AS {c}"
                              for c in ("day", "ip", "method", "name", "status", "agent", "sent")))
_HITS = ("SELECT NULL::VARCHAR AS file, NULL::BIGINT AS n, NULL::VARCHAR AS line, TRUE AS ok, "
         "unnest($day::DATE[]) AS day, unnest($ip::VARCHAR[]) AS ip, "
         "unnest($method::VARCHAR[]) AS method, unnest($path::VARCHAR[]) AS path, "
         "unnest($status::INTEGER[]) AS status, unnest($sent::BIGINT[]) AS sent, "
         "unnest($range::VARCHAR[]) AS range, unnest($agent::VARCHAR[]) AS agent")


MEMORY = "512MB"  # what DuckDB may hold; beyond it, the stats file's pages are written out
# what it may hold where the compiled reader reads the S3 logs: the query reads no log text
# then, and the reader's rows and texts are held beside it (at 10,000,000 lines, 256 MB: a
# peak of 820 MB against 1,050 MB, in the same time)
SCANNED_MEMORY = "256MB"


def prepare(con) -> None:
    """The rules' SQL functions, on a new connection, and its memory bounded."""
    con.execute(f"SET memory_limit = '{MEMORY}'")
    for statement in rules.MACROS:
        con.execute(statement)


class Batches:
    """The files and requests of one run, summed into ``run_listens`` a batch at a time."""

    def __init__(self, con, report, workdir: Path, cutoff):
        self.con = con
        self.cutoff = cutoff  # the first day still open (rules.batch_sql)
        self.report = report
        self.workdir = workdir  # where a log's text that is no plain local file is put for DuckDB
        self.tmp: Path | None = None
        self.nonce = secrets.token_hex(32)  # a new day's salt is made from it; never kept
        # path DuckDB reads -> the log file's name, by how it is read: (by the CSV reader,
        # else as text; lean, else matched whole; all ASCII: s3log.requests_sql)
        self.files: dict[tuple[bool, bool, bool], dict[str, str]] = {}
        self.size = 0
        self.hits: list[Hit] = []
        self.offsets: dict[str, int] = {}  # a log's name -> lines before the text read of it
        self.scanner = Scanner(MIN_YEAR, MAX_YEAR) if Scanner is not None else None
        if self.scanner is not None:
            con.execute(f"SET memory_limit = '{SCANNED_MEMORY}'")
        # the engine sums a batch of files in a thread of its own while Python reads the next
        # files (DuckDB lets go of the GIL): one batch at a time, waited for before the
        # connection is used again; what it finds is taken in here, in the reading thread
        self.pool: ThreadPoolExecutor | None = None
        self.pending: Future | None = None
        con.execute(rules.RUN_LISTENS)

    def add_path(self, path: Path, name: str, data: bytes) -> None:
        """An S3 access log DuckDB can read as it is (plain UTF-8, whole): ``data`` (where
        the compiled reader was not built: else ``add_bytes``)."""
        if any(c in str(path) for c in _GLOB) or not _encodable(str(path)):
            # (DuckDB would take its path for a pattern, or cannot be given it)
            self.add_text(data.decode("utf-8"), name)
            return
        plain = b"\r" not in data and b"\x00" not in data and not _long_line(data) and \
            (b"\x01" not in data or _CUT.encode() not in data)  # (one byte looked for first)
        lean = s3log.lean(data)
        self.files.setdefault((plain, lean, lean and data.isascii()), {})[str(path)] = name
        self.size += len(data)
        if self.size >= BATCH_BYTES:
            self._read_files()

    def add_text(self, text: str, name: str, first: int = 1) -> None:
        """An S3 access log's text (from a bucket, gunzipped, the new end of a growing file,
        bad bytes replaced), ``first`` the number of its first line in its file: put in a
        private file for DuckDB to read (where the compiled reader was not built)."""
        if first != 1:
            self.offsets[name] = first - 1
        if self.tmp is None:
            self.tmp = Path(tempfile.mkdtemp(prefix=".stats-", dir=self.workdir))
        path = self.tmp / f"{sum(map(len, self.files.values()))}-{secrets.token_hex(4)}.log"
        data = text.encode("utf-8")
        path.write_bytes(data)
        self.add_path(path, name, data)

    def add_bytes(self, data: bytes, name: str, first: int = 1) -> None:
        """Whole lines of an S3 access log (a whole log, its new end, a window of a large
        one), ``first`` the number of the first in its file, read by the compiled reader (the
        engine may be summing the batch before meanwhile: the reader lets go of the GIL);
        the lines it does not take read by ``s3log.parse`` at once (bytes that are not UTF-8
        replaced in them)."""
        self.offsets[name] = first - 1
        taken, handed = self.scanner.scan(data)
        self.report.lines += taken
        for n, line in handed:
            self._look_again(name, n, line)
        self.size += len(data)
        if self.size >= SCANNED_BATCH_BYTES:
            self._read_files()

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
            self._wait()
            self._sum_hits()
            self.con.execute(rules.NEW_SALTS, {"nonce": self.nonce})
        finally:
            self.close()

    def close(self) -> None:
        """The engine's thread done (a batch it was summing finished or failed: the run is
        ending either way) and stopped; the private files removed."""
        if self.pending is not None:
            wait([self.pending])
            self.pending = None
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def _read_files(self) -> None:
        """The files gathered (or the rows the compiled reader read), handed to the engine's
        thread (after the batch before)."""
        groups, self.files, self.size = self.files, {}, 0
        scanned = self.scanner.take() if self.scanner is not None else None
        if not groups and not (scanned and scanned[0]):
            return
        self._wait()
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="stats-engine")
        if scanned and scanned[0]:
            self.pending = self.pool.submit(self._sum_scanned, scanned)
        else:
            self.pending = self.pool.submit(self._sum_groups, groups)

    def _sum_scanned(self, scanned: tuple) -> list[tuple[int, list[tuple]]]:
        """(In the engine's thread) the rows the compiled reader read, summed (their lines are
        counted already, and those it did not take read by Python). Many rows are handed to
        DuckDB as NumPy arrays over the reader's bytes; a few (a run after one new log) as
        lists, which needs no NumPy loaded."""
        rows, columns, ips, methods, names, agents = scanned
        con = self.con
        if rows >= NUMPY_ROWS:
            import numpy

            con.register("scanned", {
                column: numpy.frombuffer(data, numpy.int64 if column == "sent" else numpy.int32)
                for column, data in columns.items()})
        else:
            con.execute(_SCANNED_LISTS, {
                column: array.array("q" if column == "sent" else "i", data).tolist()
                for column, data in columns.items()})
        try:
            con.execute(rules.SCANNED_BATCH, {
                "ips": ips, "methods": methods, "names": names, "agents": agents,
                "nonce": self.nonce, "cutoff": self.cutoff})
        finally:
            if rows >= NUMPY_ROWS:
                con.unregister("scanned")
            else:
                con.execute("DROP TABLE scanned")
        return []

    def _sum_groups(self, groups: dict) -> list[tuple[int, list[tuple]]]:
        """(In the engine's thread) each group of files summed: its lines read and the
        lines handed back, with their files' names."""
        return [self._sum_files(s3log.requests_sql(_LINES if plain else _FILES, lean, ascii),
                                batch)
                for (plain, lean, ascii), batch in sorted(groups.items(), reverse=True)]

    def _wait(self) -> None:
        """The batch the engine is summing, finished: its lines counted, the lines it
        handed back read by Python (or counted as skipped)."""
        if self.pending is None:
            return
        pending, self.pending = self.pending, None
        for lines, handed in pending.result():
            self.report.lines += lines
            for name, n, line in handed:
                self._look_again(name, n, line)

    def _sum_files(self, requests: str, files: dict[str, str]) -> tuple[int, list[tuple]]:
        import duckdb

        con = self.con
        try:
            con.execute(rules.batch_sql(requests),
                        {"paths": list(files), "nonce": self.nonce, "cutoff": self.cutoff})
        except duckdb.Error as exc:  # (a file gone since it was listed): the run counts nothing
            raise StatsError(f"the access logs could not be read ({printable(str(exc))}); "
                             "nothing was counted: run `syndicate stats` again") from None
        con.execute(rules.KEEP_BATCH)
        lines, = con.execute("SELECT coalesce(sum(lines), 0) FROM batch").fetchone()
        others = con.execute("SELECT file, n, line FROM batch WHERE file IS NOT NULL").fetchall()
        con.execute("DROP TABLE batch")
        if others and others[0][1] is None:
            others = _numbered(others)
        order = {path: i for i, path in enumerate(files)}
        return int(lines), [(files.get(path, path), n, line) for path, n, line in
                            sorted(others, key=lambda r: (order.get(r[0], 0), r[1]))]

    def _look_again(self, name: str, n: int, line: str) -> None:
        """A line the engine's reader did not take, read by Python; a carriage return in it
        ends a line, as it does for Python's readers of text (the engine's readers end lines
        at line feeds alone, and hand back every line that holds one)."""
        n += self.offsets.get(name, 0)
        for part in line.split("\r"):
            if not part.strip():
                continue
            try:
                hit = s3log.parse(part)
            except (ValueError, WhenError) as exc:
                self.report.skips.add(name, n, f"not an S3 access log line ({exc})")
                continue
            self.add_hits([hit])

    def _sum_hits(self) -> None:
        if not self.hits:
            return
        self._wait()  # (the connection is free again)
        hits, self.hits = self.hits, []
        self.con.execute(rules.batch_sql(_HITS), {
            "day": [h.time.date() for h in hits], "ip": [h.ip for h in hits],
            "method": [h.method for h in hits], "path": [h.path for h in hits],
            "status": [h.status for h in hits], "sent": [h.sent for h in hits],
            "range": [h.range for h in hits], "agent": [h.agent for h in hits],
            "nonce": self.nonce, "cutoff": self.cutoff})
        self.con.execute(rules.KEEP_BATCH)
        self.con.execute("DROP TABLE batch")


def _numbered(others: list[tuple]) -> list[tuple]:
    """Lines the CSV reader handed back, numbered: found in their files (every line of a file
    with the same text was handed back alike)."""
    wanted: dict[str, set[str]] = {}
    for path, _n, line in others:
        wanted.setdefault(path, set()).add(line)
    out = []
    for path, texts in wanted.items():
        for n, line in enumerate(Path(path).read_bytes().decode("utf-8").split("\n"), 1):
            if line in texts:
                out.append((path, n, line))
    return out


def _encodable(text: str) -> bool:
    """Whether ``text`` is UTF-8 once encoded (a file name's surrogate escapes are not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _long_line(data: bytes) -> bool:
    """Whether a line of ``data`` is longer than the CSV reader takes (a window of that many
    bytes without a newline), looked for a window at a time."""
    at = 0
    while len(data) - at > LINE_MAX:
        newline = data.rfind(b"\n", at, at + LINE_MAX + 1)
        if newline < 0:
            return True
        at = newline + 1
    return False
