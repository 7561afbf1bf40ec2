"""The engine's side of `syndicate stats`: DuckDB reads S3 access logs itself and applies the
rules in SQL. Its S3 reader takes a line only where the Python reader reads the same fields
(anything else is handed back with its line), its listener networks are those Python's
ipaddress gives, and batches of any size count alike."""

from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import shutil
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_stats import APPLE, DAY, NOW, OVERCAST, Show, published  # noqa: F401
from test_stats_readers import fields, garbage

from statsgen import combined_line, s3_line
from syndicate.config import load_config
from syndicate.stats import engine, rules, s3log
from syndicate.stats.count import count


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


def test_batches_of_any_size_count_alike_and_leave_no_file_behind(published, tmp_path,  # noqa: F811
                                                                   monkeypatch):
    """S3 logs read by DuckDB from the folder and from a private copy (a gzipped one), by its
    CSV reader or as text (CRLF, a line too long, a name DuckDB would take for a pattern), a
    combined log read by Python, bad lines
    among them: read in one batch or one file (and one request) a batch, the same counts, lines
    and skips (named with their lines); no private copy is left."""
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
        monkeypatch.setattr(engine, "BATCH_HITS", batch_hits)
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
