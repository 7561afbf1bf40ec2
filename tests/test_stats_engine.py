"""The engine's side of `syndicate stats`: DuckDB reads S3 access logs itself and applies the
rules in SQL. Its S3 reader takes a line only where the Python reader reads the same fields
(anything else is handed back with its line), its listener networks are those Python's
ipaddress gives, and batches of any size count alike."""

from __future__ import annotations

import array
import datetime as dt
import gzip
import ipaddress
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_stats import APPLE, DAY, NOW, OVERCAST, Show, compiled_reader, published  # noqa: F401
from test_stats_readers import fields, garbage

from statsgen import combined_line, s3_line
from syndicate.config import load_config
from syndicate.stats import engine, rules, s3log
from syndicate.stats.count import count
from syndicate.when import MAX_YEAR, MIN_YEAR


def _connection():
    con = duckdb.connect()
    engine.prepare(con)
    return con


def _s3(f) -> str:
    when, ip, method, path, status, sent, agent = f
    return s3_line(when, ip, method, path, status, sent, agent)


@st.composite
def mutated(draw):
    """A good line with one character changed or put in, where the readers may disagree."""
    line = _s3(draw(fields))
    at = draw(st.integers(0, len(line)))
    char = draw(st.sampled_from([" ", '"', "%", "[", "]", "-", "x", "0", "\xa0", "\t", "é",
                                 "\r", "?", ":", "/", "\x01", "\x7f", "\x1f", "\x0b", "+",
                                 "a", "9"]))
    cut = draw(st.booleans())
    return line[:at] + char + line[at + (1 if cut else 0):]


def _rows(source: str, text: str, way: tuple[bool, bool] = (False, False)) -> list[tuple]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.log"
        path.write_bytes(text.encode("utf-8"))
        con = _connection()
        try:
            return con.execute(s3log.requests_sql(source, *way),
                               {"paths": [str(path)]}).fetchall()
        finally:
            con.close()


def _ways(data: bytes) -> list[tuple[bool, bool]]:
    """How the engine may be given a text: matched whole always, the lean way where
    ``lean`` passes it, and the lean way for all-ASCII text where it is that too."""
    lean = s3log.lean(data)
    return [(False, False), *([(True, False)] if lean else []),
            *([(True, True)] if lean and data.isascii() else [])]


def _agrees(rows: list[tuple]) -> None:
    for _file, _n, line, ok, day, ip, method, path, status, sent, rng, agent in rows:
        if ok:
            hit = s3log.parse(line)
            assert (day, ip, method, path, status, sent, rng, agent) == \
                (hit.time.date(), hit.ip, hit.method, hit.path, hit.status, hit.sent, None,
                 hit.agent)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(fields.map(_s3), mutated(), garbage), min_size=1, max_size=10))
def test_the_engine_takes_an_s3_line_only_as_the_python_reader_reads_it(lines):
    """Every line that is not blank comes out once (numbered, where read as text; by its
    text where the CSV reader splits the file); one the engine takes has the fields the Python
    reader gives (the others go to it). So too the lean ways, for a text each is given (no
    whitespace but spaces; that, and all ASCII); there they take every line the whole match
    takes."""
    text = "\n".join(lines) + "\n"
    expected = text.replace("\r\n", "\n").split("\n")
    data = text.encode()
    for way in _ways(data):
        rows = _rows(engine._FILES, text, way)
        assert sorted(r[1] for r in rows) == [i + 1 for i, t in enumerate(expected) if t != ""]
        for row in rows:
            assert row[2] == expected[row[1] - 1]
        _agrees(rows)
        if way[0]:
            whole = {r[1]: r[3] for r in _rows(engine._FILES, text)}
            assert all(r[3] for r in rows if whole[r[1]])
        if b"\r" not in data and b"\x00" not in data and b"\x01\x02" not in data:
            rows = _rows(engine._LINES, text, way)
            assert sorted(r[2] for r in rows) == sorted(t for t in text.split("\n") if t != "")
            _agrees(rows)


ODD = [" ", '"', "%", "%4", "%zz", "[", "]", "-", "x", "0", "\xa0", "\u2028", "é", "?", ":",
       "/", "\x01", "\x7f", "+", "a", "9", "\t", "\x0b", "\x1f"]


@settings(max_examples=3, deadline=None)
@given(fields)
def test_every_line_one_character_off_is_taken_only_as_the_python_reader_reads_it(f):
    """A generated line with each odd character put in, or put in the place of another, at
    every place of the line: the engine takes it (every way: the lean ones where the file
    holds no whitespace but spaces, the one for all-ASCII text where it is that too) only
    with the fields the Python reader gives."""
    line = _s3(f)
    ascii_odd = [c for c in ODD[:-3] if c.isascii()]
    # (the last three make a file the lean ways are not given, the others not ASCII one the
    # ASCII way is not given)
    for chars, ways in ((ascii_odd, 3 if line.isascii() else 2), (ODD[:-3], 2), (ODD, 1)):
        lines = [line[:at] + c + line[at + cut:] for c in chars for at in range(len(line))
                 for cut in (0, 1)]
        text = "\n".join(lines) + "\n"
        assert len(_ways(text.encode())) == ways
        for way in _ways(text.encode()):
            rows = _rows(engine._FILES, text, way)
            assert len(rows) == len(lines)
            _agrees(rows)


@settings(max_examples=60, deadline=None)
@given(st.lists(fields, min_size=1, max_size=8))
def test_a_generated_s3_line_is_taken_by_the_engine(items):
    lines = [_s3(f) for f in items]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.log"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        con = _connection()
        ways = [con.execute(s3log.requests_sql(engine._FILES, *way), {"paths": [str(path)]})
                .fetchall() for way in _ways(path.read_bytes())]
        con.close()
    for rows in ways:
        assert [r[3] for r in rows] == [True] * len(lines)
        for (when, ip, method, path, status, sent, agent), row in zip(items, rows, strict=True):
            assert row[4:] == (when.date(), ip, method, path, status, sent, None,
                               agent.replace('"', "'"))


@pytest.fixture
def scanner(monkeypatch):
    compiled_reader(monkeypatch, "compiled")
    return engine.Scanner


def _scanned(scanner, text: str) -> tuple[list[tuple], list[tuple]]:
    """What the compiled reader gives for ``text``: the taken lines' rows (day, address,
    method, the last part of the key, status, bytes sent, user agent), in order, and the lines
    it hands back, numbered."""
    reader = scanner(MIN_YEAR, MAX_YEAR)
    taken, handed = reader.scan(text.encode("utf-8"))
    n, columns, *texts = reader.take()
    assert taken == n and reader.take()[0] == 0
    ips, methods, names, agents = (t.split("\n") for t in texts)
    c = {k: array.array("q" if k == "sent" else "i", v) for k, v in columns.items()}
    epoch = dt.date(1970, 1, 1)
    rows = [(epoch + dt.timedelta(days=c["day"][i]), ips[c["ip"][i]], methods[c["method"][i]],
             names[c["name"][i]], c["status"][i], c["sent"][i], agents[c["agent"][i]])
            for i in range(n)]
    return rows, handed


def _scan_agrees(scanner, text: str) -> list[bool]:
    """Every line that is not empty is taken or handed back, once, in order (a CRLF ending is
    a line's end); a taken one has the fields s3log.parse gives it. Whether each was taken."""
    lines = text.replace("\r\n", "\n").split("\n")
    rows, handed = _scanned(scanner, text)
    back = dict(handed)
    assert len(back) == len(handed)
    for n, line in handed:
        assert line == lines[n - 1] != ""
    taken = [line for n, line in enumerate(lines, 1) if line and n not in back]
    assert len(taken) == len(rows)
    for line, row in zip(taken, rows, strict=True):
        hit = s3log.parse(line)
        assert row == (hit.time.date(), hit.ip, hit.method, hit.path.rsplit("/", 1)[-1],
                       hit.status, hit.sent, hit.agent)
    return [n not in back for n, line in enumerate(lines, 1) if line]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(fields.map(_s3), mutated(), garbage), min_size=1, max_size=10),
       st.sampled_from(["\n", "\r\n"]))
def test_the_compiled_reader_takes_an_s3_line_only_as_the_python_reader_reads_it(scanner, lines,
                                                                                 end):
    _scan_agrees(scanner, end.join(lines) + end)
    _scan_agrees(scanner, end.join(lines))  # (no line end at the end)


@settings(max_examples=5, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(fields)
def test_every_line_one_character_off_is_taken_by_the_compiled_reader_only_as_python_reads_it(
        scanner, f):
    """Each odd character (and %41, %2F, %7F, %C3%A9, a quote in the key...) put in, or put
    in the place of another, at every place of a generated line."""
    line = _s3(f)
    odd = [*ODD, "%41", "%2F", "%2f", "%7F", "%C3%A9", "%%", '"x', "\x00", "\x80", "\ufeff"]
    lines = [line[:at] + c + line[at + cut:] for c in odd for at in range(len(line))
             for cut in (0, 1)]
    _scan_agrees(scanner, "\n".join(lines) + "\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(st.lists(fields, min_size=1, max_size=8))
def test_a_generated_printable_s3_line_is_taken_by_the_compiled_reader(scanner, items):
    """The usual line in printable ASCII, its key too once URL-decoded, is taken (the reader
    hands no usual line to the slower path)."""
    lines = [_s3(f) for f in items]
    taken = _scan_agrees(scanner, "\n".join(lines) + "\n")
    assert taken == [all(t.isascii() and t.isprintable() for t in (line, f[3]))
                     for line, f in zip(lines, items, strict=True)]


def test_the_compiled_reader_tells_days_as_the_calendar_does(scanner):
    """29 February only in leap years (2000 yes, 1900 and 2100 no), the 31st only in long
    months, hours to 23, the years the catalog carries, offsets up to 18:59 either way moving
    the UTC day: each taken with its day or handed back, never another day."""
    base = _s3((dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "192.0.2.1", "GET", "m/a.mp3", 200, 5,
                "app"))
    clock = "01/Jan/2026:00:00:00"
    assert clock in base
    cases = {"29/Feb/2000:12:00:00": dt.date(2000, 2, 29), "29/Feb/1900:12:00:00": None,
             "29/Feb/2100:12:00:00": None, "29/Feb/2024:23:59:59": dt.date(2024, 2, 29),
             "31/Apr/2026:00:00:00": None, "31/Dec/2026:00:00:00": dt.date(2026, 12, 31),
             "00/Jan/2026:00:00:00": None, "01/Jan/2026:24:00:00": None,
             "01/Jan/2026:00:60:00": None, "01/Jan/2026:00:00:60": None,
             "01/jan/2026:00:00:00": None, "01/Jan/1899:00:00:00": None,
             f"31/Dec/{MAX_YEAR}:23:59:59": dt.date(MAX_YEAR, 12, 31),
             f"01/Jan/{MAX_YEAR + 1}:00:00:00": None, "01/Jan/0000:00:00:00": None,
             "1/Jan/2026:00:00:00": None, "01/Jan/2026:0:00:000": None,
             # the clock's offset: the UTC day is the one before or after near midnight
             "01/Jan/2026:00:30:00 +0100": dt.date(2025, 12, 31),
             "31/Dec/2025:23:30:00 -0100": dt.date(2026, 1, 1),
             "01/Mar/2024:01:00:00 +0130": dt.date(2024, 2, 29),
             "01/Jan/2026:18:59:00 +1859": dt.date(2026, 1, 1),
             "01/Jan/2026:18:58:00 +1859": dt.date(2025, 12, 31),
             "01/Jan/2026:05:00:00 -1859": dt.date(2026, 1, 1),
             "01/Jan/2026:05:01:00 -1859": dt.date(2026, 1, 2),
             "01/Jan/2026:00:00:00 -0000": dt.date(2026, 1, 1),
             "01/Jan/2026:00:00:00 +1900": None, "01/Jan/2026:00:00:00 +0060": None,
             "01/Jan/2026:00:00:00 +00:00": None, "01/Jan/2026:00:00:00 0000": None,
             f"01/Jan/{MIN_YEAR}:00:30:00 +0100": None,
             f"31/Dec/{MAX_YEAR}:23:30:00 -0100": None,
             f"01/Jan/{MIN_YEAR}:01:30:00 +0100": dt.date(MIN_YEAR, 1, 1)}
    text = "\n".join(base.replace(clock + " +0000", c if " " in c else c + " +0000")
                     for c in cases) + "\n"
    taken = _scan_agrees(scanner, text)
    rows, _ = _scanned(scanner, text)
    assert taken == [day is not None for day in cases.values()]
    assert [r[0] for r in rows] == [d for d in cases.values() if d is not None]


def _model(address: str) -> str | None:
    """A listener's network as Python's ipaddress tells it, spelt as the rules spell it."""
    try:
        addr = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped:
            return str(addr.ipv4_mapped)
        return ":".join(f"{int(h, 16):x}" for h in addr.exploded.split(":")[:4]) + "::/64"
    return str(addr)


v6 = st.ip_addresses(v=6)
spellings = st.one_of(
    st.ip_addresses(v=4).map(str), v6.map(str), v6.map(lambda a: a.exploded),
    v6.map(lambda a: str(a).upper()), st.ip_addresses(v=4).map(lambda a: f"::ffff:{a}"),
    st.ip_addresses(v=4).map(lambda a: f"0:0:0:0:0:FFFF:{a}"),
    st.tuples(v6, st.text("abcdeth0123", min_size=1, max_size=5)).map(lambda t: f"{t[0]}%{t[1]}"),
    st.text("0123456789abcdefABCDEF:.", max_size=45),
    st.tuples(v6.map(str), st.integers(0, 40), st.sampled_from(["::", ":", ".", "0", "00000",
                                                                 "1.2.3.4", "g"])).map(
        lambda t: t[0][:t[1]] + t[2] + t[0][t[1]:]))


@settings(max_examples=300, deadline=None)
@given(st.lists(spellings, min_size=1, max_size=20))
def test_the_network_of_any_address_is_the_one_ipaddress_gives(addresses):
    con = _connection()
    got = con.execute(f"SELECT {rules.NETWORK} FROM (SELECT a, i, {rules.HEXES} AS hexes FROM "
                      "(SELECT address(x) AS a, i FROM (SELECT unnest($1) AS x, "
                      "unnest(range(len($1))) AS i))) ORDER BY i", [addresses]).fetchall()
    con.close()
    assert [g for (g,) in got] == [_model(a) for a in addresses]


@pytest.mark.parametrize("reader", ["compiled", "duckdb"])
def test_batches_of_any_size_count_alike_and_leave_no_file_behind(published, tmp_path,  # noqa: F811
                                                                   monkeypatch, reader):
    """S3 logs read by the compiled reader, or by DuckDB from the folder and from a private
    copy (a gzipped one), by its CSV reader or as text (CRLF, a line too long, a name DuckDB
    would take for a pattern), a combined log read by Python, bad lines among them: read in
    one batch (the compiled reader's rows handed over as NumPy arrays) or one file (and one
    request) a batch (as lists), the same counts, lines and skips (named with their lines);
    no private copy is left."""
    compiled_reader(monkeypatch, reader)
    show = Show(published)
    lines = []
    for i in range(60):
        slug = "long" if i % 3 else "short"
        ip = f"198.51.100.{i % 7}" if i % 4 else f"2001:db8:{i % 5}::{i}"
        agent = APPLE if i % 2 else OVERCAST
        sent = show.size[slug] // (1 + i % 3)
        lines.append(s3_line(DAY + dt.timedelta(hours=i % 30), ip, "GET", show.key[slug],
                             206, sent, agent, show.size[slug]))
    docs = []
    long = "x" * 3000
    for name, batch_bytes, batch_hits, line_max in (("one", 2**30, 10**6, 10**6),
                                                    ("many", 1, 1, 1000)):
        root = tmp_path / name
        shutil.copytree(published, root)
        logs = root / "logs"
        logs.mkdir()
        (logs / "a.log").write_text("\n".join([*lines[:20], "not a line", long]) + "\n")
        (logs / "b [1].log").write_text("\r\n".join(lines[20:40]) + "\r\n")
        (logs / "c.log.gz").write_bytes(gzip.compress(("\n".join(lines[40:])).encode()))
        (logs / "d.log").write_text("\n".join(
            combined_line(DAY, "203.0.113.9", "GET", "/" + show.key["short"], 200,
                          show.size["short"], APPLE) for _ in range(3)) + "\nbad line\n")
        monkeypatch.setattr(engine, "BATCH_BYTES", batch_bytes)
        monkeypatch.setattr(engine, "SCANNED_BATCH_BYTES", batch_bytes)
        monkeypatch.setattr(engine, "BATCH_HITS", batch_hits)
        monkeypatch.setattr(engine, "NUMPY_ROWS", 0 if name == "one" else 10**9)
        monkeypatch.setattr(engine, "LINE_MAX", line_max)  # a.log read as text, lines numbered
        doc, report = count(load_config(root / "config.yaml"),
                            now=dt.datetime.fromisoformat(NOW))
        assert report.problems == []
        assert report.lines == 63 and report.skips.count == 3
        assert sorted(e.split(":")[:2] for e in report.skips.examples) == \
            [["a.log", "21"], ["a.log", "22"], ["d.log", "4"]]
        assert not [p for p in (root / ".syndicate").iterdir() if p.name.startswith(".stats-")]
        docs.append(doc)
    assert docs[0] == docs[1] and docs[0]["downloads"] > 0
