"""The counts, kept in a DuckDB file beside the catalog (``.syndicate/stats.duckdb``).

Beside the catalog because it is the project's own state, never published (``paths.state``
lies outside the site) and rebuilt by nothing else; a file of its own, not tables in the
catalog, so that counting never holds the catalog's lock while a publish or a release waits,
and losing it loses only counts. It keeps:

- ``files``: each log file read (name, size, stamp, content hash): a second run reads only new
  files, a file seen again (under its name or another) is not counted again, a plain file that
  grew is read from where the last run stopped;
- ``downloads``: the counts per day, episode and app, for days whose window is closed;
- ``listens``: the bytes sent per hashed listener, episode and day, and ``salts``: each day's
  random salt, both only for the last ``rules.SALT_DAYS`` days (logs arrive late), then the
  day's downloads are settled into ``downloads`` and both are deleted.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import printable
from . import engine, logbytes, rules
from .hit import Skips
from .logfiles import (
    MAX_FILE,
    READERS,
    Bucket,
    StatsError,
    format_of,
    is_gzip,
    list_folder,
    plain_bytes,
    read_folder_file,
    text_of,
)

STATS_FILE = "stats.duckdb"
# a local log changed this recently is taken for one being written: a last line without its
# line end is left for the next run (which reads the log from that line)
WRITING_SECONDS = 600
ROTATED = 4  # logs read before that a new log sharing their first line is compared with
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS files (name VARCHAR PRIMARY KEY, size BIGINT, stamp VARCHAR, "
    "sha256 VARCHAR, read_at TIMESTAMPTZ)",
    "CREATE TABLE IF NOT EXISTS salts (day DATE PRIMARY KEY, salt BLOB)",
    "CREATE TABLE IF NOT EXISTS listens (day DATE, listener VARCHAR, episode VARCHAR, "
    "app VARCHAR, sent BIGINT)",
    "CREATE TABLE IF NOT EXISTS downloads (day DATE, episode VARCHAR, app VARCHAR, "
    "downloads BIGINT)",
    "CREATE OR REPLACE TABLE episodes (slug VARCHAR PRIMARY KEY, title VARCHAR, "
    "needed BIGINT)",
    # the hash of a log's first line (logbytes.head): a log rotated after it grew (renamed,
    # gzipped) is found by it as the log read, and read from where that one was read to
    "ALTER TABLE files ADD COLUMN IF NOT EXISTS head VARCHAR",
)


@dataclass
class Episode:
    slug: str
    title: str
    needed: int  # bytes a listener must be sent (rules.needed_bytes)
    date: str = ""


@dataclass
class ReadReport:
    files_read: int = 0
    files_known: int = 0  # seen before: not read again
    lines: int = 0  # requests read from the new files
    skips: Skips = field(default_factory=Skips)
    problems: list[str] = field(default_factory=list)  # files that could not be read at all


def episodes_of(settings) -> dict[str, Episode]:
    """The catalog's episodes, by slug, with what a download of each needs."""
    from ..catalog import loads, open_catalog

    out: dict[str, Episode] = {}
    if not settings.catalog_path.exists():
        return out
    with open_catalog(settings.catalog_path, commit=False) as cat:
        rows = cat.all_items("episode")
    for row in rows:
        if row["missing"]:
            continue
        data = loads(row["data"])
        media = data.get("media") or {}
        rate = media.get("sample_rate") or 0
        seconds = media["samples"] / rate if rate else media.get("stated_duration")
        needed = rules.needed_bytes(int(media.get("size") or 0), seconds, media.get("bitrate"))
        out[data["slug"]] = Episode(data["slug"], data.get("title", data["slug"]), needed,
                                    data.get("date", ""))
    return out


def _connect(path: Path):
    import duckdb

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
        for statement in _SCHEMA:
            con.execute(statement)
        engine.prepare(con)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StatsError(f"{printable(str(path))}: in use by another `syndicate stats`; "
                             "run it again when that one is done") from None
        raise StatsError(f"{printable(str(path))}: not a stats file syndicate can use ({exc}); "
                         "move it away and run `syndicate stats` again to count anew") from None
    except (duckdb.Error, OSError) as exc:
        raise StatsError(f"{printable(str(path))}: not a stats file syndicate can use ({exc}); "
                         "move it away and run `syndicate stats` again to count anew") from None
    return con


def _insert(con, table: str, *columns: list) -> None:
    """Rows given as one list per column, in one statement (DuckDB's executemany runs one
    statement per row: seconds for a few hundred)."""
    if columns and columns[0]:
        picks = ", ".join(f"unnest(${i + 1})" for i in range(len(columns)))
        con.execute(f"INSERT INTO {table} SELECT {picks}", list(columns))


class Stats:
    """One run: read the new log files, keep what they add, answer queries."""

    def __init__(self, settings, *, now: dt.datetime, episodes: dict | None = None):
        self.settings = settings
        self.now = now
        self.path = settings.state_dir / STATS_FILE
        self.con = _connect(self.path)
        self.episodes = episodes_of(settings) if episodes is None else episodes
        eps = list(self.episodes.values())
        _insert(self.con, "episodes", [e.slug for e in eps], [e.title for e in eps],
                [e.needed for e in eps])

    def close(self) -> None:
        self.con.close()

    # -- reading -------------------------------------------------------------------------------
    def read_logs(self, progress: Callable[[int, int], None] | None = None) -> ReadReport:
        cfg = self.settings.config.stats
        report = ReadReport()
        if not cfg.logs:
            return report
        folder = None
        if cfg.logs.startswith("s3://"):
            bucket = Bucket(cfg.logs, self.settings.config.s3)
            files, fetch = bucket.list(), lambda f, start: bucket.read(f)[start:]
        else:
            folder = self.settings.resolve(cfg.logs)
            files, fetch = list_folder(folder), lambda f, start: read_folder_file(folder, f,
                                                                                  start)
        rows = self.con.execute("SELECT name, size, stamp, sha256, head FROM files").fetchall()
        known = {r[0]: r[1:4] for r in rows}
        self._heads: dict[str, list[tuple[int, str]]] = {}  # head -> (size, hash) of logs read
        for _name, size, _stamp, digest, head in rows:
            if head:
                self._heads.setdefault(head, []).append((size, digest))
        hashes = {r[2] for r in known.values()}
        seen_files: list[tuple] = []
        batches = engine.Batches(self.con, report, self.path.parent, self._cutoff())
        self.con.execute("BEGIN")
        try:
            self._read(files, fetch, folder, known, hashes, batches, seen_files, progress)
            batches.finish()
            if progress:
                progress(len(files), len(files))
            self._keep(seen_files)
        except BaseException:
            batches.close()
            self.con.execute("ROLLBACK")
            raise
        return report

    def _read(self, files, fetch, folder, known, hashes, batches, seen_files,
              progress) -> None:
        for i, f in enumerate(files):
            if progress:
                progress(i, len(files))
            self._read_file(f, fetch, folder, known, hashes, batches, seen_files)

    def _read_file(self, f, fetch, folder, known, hashes, batches, seen_files) -> None:
        """One log file read, unless known (its bytes let go before the next is read)."""
        cfg = self.settings.config.stats
        report = batches.report
        key = _key(f.name)
        before = known.get(key)
        if before and before[0] == f.size and before[1] == f.stamp:
            report.files_known += 1
            return
        try:
            if folder is not None and engine.Scanner is not None and \
                    f.size > logbytes.LARGE and self._read_large(
                        f, folder / f.name, key, before, hashes, batches, seen_files):
                return
            data = fetch(f, 0)
            content = plain_bytes(data, f.name)
        except logbytes.CutShort:
            raise  # (part of it may be counted: the run counts nothing)
        except StatsError as exc:
            report.problems.append(str(exc))
            return
        gz = is_gzip(data)
        if folder is not None and not gz and data[-1:] not in (b"\n", b"\r") and \
                self._being_written(f):
            # a local log whose last line is being written: read up to it, and from it next time
            end = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            if end:
                data = content = data[:end]
        size = len(data)  # (what was read: lines written since the listing too)
        start = 0
        if before and not gz and len(data) > before[0] and \
                before[2] in logbytes.digests(data[:before[0]]):
            start = before[0]  # a plain log that grew: only its new lines
        digests = logbytes.digests(content, raw=data)
        digest, head = digests[0], logbytes.head(content)
        if _known(digests, before, hashes):
            report.files_known += 1
            seen_files.append((key, size, f.stamp, digest, head))
            return
        if start == 0 and folder is not None:  # a local log read before, rotated since it
            start = self._rotated(head, content)  # grew: only what it has more
        sample = text_of(content[start:start + 65536])
        if not sample.strip() and not content[start + 65536:].strip():
            seen_files.append((key, size, f.stamp, digest, head))  # (a log just rotated)
            return
        # (told from the log's first lines, even where only its end is read)
        fmt = cfg.format if cfg.format != "auto" else \
            format_of(sample if start == 0 else text_of(content[:65536]))
        if fmt is None:
            report.problems.append(f"{printable(f.name)}: not an access log syndicate can "
                                   "read (S3, CloudFront or combined format); set "
                                   "stats.format or move it out of the log folder")
            seen_files.append((key, size, f.stamp, digest, head))
            return
        self._remember(hashes, head, len(content), digest)
        report.files_read += 1
        first = content.count(b"\n", 0, start) + 1  # the number of the first line read
        if fmt == "s3" and batches.scanner is not None:
            batches.add_bytes(memoryview(content)[start:], f.name, first)
        elif fmt == "s3" and folder is not None and start == 0 and not gz and _utf8(data) \
                and not self._being_written(f):
            # a plain UTF-8 file of the folder, read whole: DuckDB reads it as it is (not one
            # being written: it may have grown since, and is handed over as text)
            batches.add_path(folder / f.name, f.name, data)
        else:
            text = text_of(content[start:])
            if fmt == "s3":
                batches.add_text(text, f.name, first)
            else:
                batches.add_hits(READERS[fmt](text.splitlines(), f.name, report.skips))
        seen_files.append((key, size, f.stamp, digest, head))

    def _read_large(self, f, path: Path, key: str, before, hashes, batches,
                    seen_files) -> bool:
        """A large local S3 log (not gzip) read a window at a time by the compiled reader, as
        ``_read_file`` reads one held whole; False where it is none (read whole then)."""
        report = batches.report
        cfg = self.settings.config.stats
        try:
            fh = path.open("rb")
        except OSError as exc:
            raise StatsError(f"{printable(str(path))}: cannot be read ({exc.strerror}); the "
                             "other log files were read") from None
        with fh:
            head_bytes = fh.read(65536)
            fmt = cfg.format if cfg.format != "auto" else format_of(text_of(head_bytes))
            size = os.fstat(fh.fileno()).st_size
            if is_gzip(head_bytes) or fmt != "s3" or size <= logbytes.LARGE:
                return False
            if size > MAX_FILE:
                raise StatsError(f"{printable(f.name)}: over {MAX_FILE // 2**30} GB; split it")
            end = logbytes.last_line_end(fh, size, f.name)
            stop = end if 0 < end < size and self._being_written(f) else size
            start = 0
            if before and stop > before[0] and \
                    before[2] in logbytes.window_digests(fh, before[0], f.name):
                start = before[0]  # a plain log that grew: only its new lines
            digests = logbytes.window_digests(fh, stop, f.name)
            digest, head = digests[0], logbytes.head(head_bytes)
            if _known(digests, before, hashes):
                report.files_known += 1
                seen_files.append((key, stop, f.stamp, digest, head))
                return True
            if start == 0:
                start = self._read_before(
                    head, stop, lambda n: logbytes.window_digests(fh, n, f.name))
            self._remember(hashes, head, stop, digest)
            report.files_read += 1
            first = logbytes.line_feeds(fh, start, f.name) + 1
            for piece, lines in logbytes.pieces(fh, start, stop, f.name):
                if piece:
                    batches.add_bytes(piece, f.name, first + lines)
                else:
                    report.skips.add(f.name, first + lines, "not an S3 access log line (over "
                                     f"{logbytes.WINDOW:,} bytes long)")
        seen_files.append((key, stop, f.stamp, digest, head))
        return True

    def _remember(self, hashes: set[str], head: str, length: int, digest: str) -> None:
        """A log read by this run, known to the logs read after it in the run."""
        hashes.add(digest)
        self._heads.setdefault(head, []).append((length, digest))

    def _rotated(self, head: str, content: bytes) -> int:
        """``_read_before`` for a log held whole, compared as text (CRLF as LF: a log converted
        to CRLF as it was rotated is still the log read): where in ``content`` it ends."""
        text = content.replace(b"\r\n", b"\n") if logbytes.crlf(content) else content
        n = self._read_before(head, len(text), lambda k: logbytes.digests(text[:k]))
        if n == 0 or text is content:
            return n
        at = n + text.count(b"\n", 0, n)  # (every line of that part ended CRLF: checked)
        return at if content[:at].replace(b"\r\n", b"\n") == text[:n] else 0

    def _read_before(self, head: str, length: int, digests_of: Callable[[int], list[str]]
                     ) -> int:
        """How much of a log of ``length`` bytes, whose first line hashes to ``head``, is a
        log read before (by this run or an earlier one) under another name or in another
        form: the size of the longest one it begins with, byte for byte; 0 if none. (The
        ROTATED longest that fit are looked at: logs sharing a first line are rare, and each
        costs a hash of that much of this one.)"""
        fits = sorted((c for c in self._heads.get(head, ()) if 0 < c[0] <= length),
                      reverse=True)
        for size, digest in fits[:ROTATED]:
            if digest in digests_of(size):
                return size
        return 0

    def _being_written(self, f) -> bool:
        """Whether a local log changed within the last WRITING_SECONDS (its stamp is its
        modification time, in ns)."""
        try:
            changed = int(f.stamp) / 1e9
        except ValueError:
            return False
        return 0 <= self.now.timestamp() - changed < WRITING_SECONDS  # (not a future stamp)

    def _keep(self, seen_files: list[tuple]) -> None:
        """What this run read, kept in the run's one transaction: a run stopped half-way
        counts nothing and marks no file read."""
        con = self.con
        if seen_files:
            names = [row[0] for row in seen_files]
            con.execute("DELETE FROM files WHERE list_contains(?, name)", [names])
            _insert(con, "files", names, [row[1] for row in seen_files],
                    [row[2] for row in seen_files], [row[3] for row in seen_files],
                    [self.now] * len(seen_files), [row[4] for row in seen_files])
        self._settle()
        con.execute("COMMIT")

    def _cutoff(self) -> dt.date:
        """The first day whose window is still open: the days before it are settled."""
        return self.now.astimezone(dt.UTC).date() - dt.timedelta(days=rules.SALT_DAYS)

    def _settle(self) -> None:
        """Days older than the salt's keeping: their downloads counted for good (from what the
        stats file kept and what this run read), their hashed listeners and salt deleted; the
        run's requests for the open days kept, summed per listener, episode and day."""
        cutoff = self._cutoff()
        self.con.execute(f"INSERT INTO downloads {rules.SETTLED}", {"cutoff": cutoff})
        self.con.execute("DELETE FROM listens WHERE day < ?", [cutoff])
        self.con.execute("DELETE FROM salts WHERE day < ?", [cutoff])
        self.con.execute(rules.KEEP_RUN, {"cutoff": cutoff})
        self.con.execute("DROP TABLE run_listens")

    # -- answering -----------------------------------------------------------------------------
    def counts(self, *, since: dt.date | None = None, until: dt.date | None = None,
               episode: str | None = None) -> list[tuple[dt.date, str, str, int]]:
        """(day, episode, app, downloads) rows, settled and open days together."""
        where, args = ["TRUE"], []
        if since:
            where.append("day >= ?")
            args.append(since)
        if until:
            where.append("day <= ?")
            args.append(until)
        if episode:
            where.append("episode = ?")
            args.append(episode)
        sql = (f"SELECT day, episode, app, sum(downloads)::BIGINT FROM (SELECT * FROM downloads "
               f"UNION ALL {rules.DOWNLOADS}) WHERE {' AND '.join(where)} "
               "GROUP BY day, episode, app ORDER BY day, episode, app")
        return [tuple(r) for r in self.con.execute(sql, args).fetchall()]


def _known(digests: list[str], before, hashes: set[str]) -> bool:
    """Whether a log with these hashes (logbytes.digests) was read before, under this name or
    another (a link to a log this run read too: grown, it is read once)."""
    return any(d in hashes for d in digests) or bool(before and before[2] in digests)


def _key(name: str) -> str:
    """A log's name as the stats file keeps it: as it is, but for bytes that are not UTF-8 (a
    file name's surrogate escapes), written as ``\\xNN``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _utf8(data: bytes) -> bool:
    if data.isascii():  # (a log's usual bytes: told at once)
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def open_stats(settings, *, now: dt.datetime, episodes: dict | None = None) -> Stats:
    """The stats of ``settings``' project; ``episodes`` (by slug) stand in for the catalog's
    where given (the benchmark's 500 episodes have no audio)."""
    return Stats(settings, now=now, episodes=episodes)

