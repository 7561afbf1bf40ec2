"""Log readers: every generated line gives back the fields it was written from; any other line
is counted as skipped with its file and line, never a traceback."""

from __future__ import annotations

import datetime as dt
import gzip
import io

from hypothesis import given
from hypothesis import strategies as st

from statsgen import CF_HEADER, cloudfront_line, combined_line, s3_line
from syndicate.stats import cloudfront, combined, s3log
from syndicate.stats.hit import Skips

times = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31),
                     timezones=st.just(dt.UTC)).map(lambda t: t.replace(microsecond=0))
ips = st.one_of(st.ip_addresses(v=4).map(str), st.ip_addresses(v=6).map(str))
methods = st.sampled_from(["GET", "HEAD", "POST", "PUT"])
paths = st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                         min_size=1, max_size=12), min_size=1, max_size=3).map(
    lambda parts: "media/" + "/".join(parts) + ".mp3")
statuses = st.sampled_from([200, 206, 304, 404, 403, 416, 500])
sizes = st.integers(0, 10**12)
agents = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                 max_size=80).filter(lambda a: a.strip() == a and a not in ("-",))
fields = st.tuples(times, ips, methods, paths, statuses, sizes, agents)


def _one(reader, text: str):
    skips = Skips()
    hits = list(reader(io.StringIO(text), "x.log", skips))
    return hits, skips


@given(fields)
def test_an_s3_line_gives_back_its_fields(f):
    when, ip, method, path, status, sent, agent = f
    (hit,), skips = _one(s3log.read, s3_line(when, ip, method, path, status, sent, agent) + "\n")
    assert skips.count == 0
    assert (hit.time, hit.ip, hit.method, hit.path, hit.status, hit.sent) == \
        (when, ip, method, path, status, sent)
    assert hit.agent == agent.replace('"', "'") and hit.range is None


@given(fields)
def test_a_combined_line_gives_back_its_fields(f):
    when, ip, method, path, status, sent, agent = f
    (hit,), skips = _one(combined.read, combined_line(when, ip, method, "/" + path, status, sent,
                                                      agent))
    assert skips.count == 0
    assert (hit.time, hit.ip, hit.method, hit.path, hit.status, hit.sent, hit.agent) == \
        (when, ip, method, "/" + path, status, sent, agent)


@given(fields, st.one_of(st.none(), st.tuples(st.integers(0, 10**9), st.integers(0, 10**9))))
def test_a_cloudfront_line_gives_back_its_fields_and_range(f, rng):
    when, ip, method, path, status, sent, agent = f
    line = cloudfront_line(when, ip, method, "/" + path, status, sent, agent, rng)
    (hit,), skips = _one(cloudfront.read, CF_HEADER + line + "\n")
    assert skips.count == 0
    assert (hit.time, hit.ip, hit.method, hit.path, hit.status, hit.sent, hit.agent) == \
        (when, ip, method, "/" + path, status, sent, agent)
    assert hit.range == (f"bytes={rng[0]}-{rng[1]}" if rng else None)


garbage = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)


@given(st.lists(st.one_of(garbage, fields), min_size=1, max_size=12),
       st.sampled_from(["s3", "combined", "cloudfront"]))
def test_any_line_is_read_or_counted_as_skipped_with_its_line(lines, fmt):
    """Known lines mixed with garbage: every known line is read, every other line either read
    (it happens to be one) or skipped; the first skips name the file and their line."""
    text_lines = []
    known = 0
    for item in lines:
        if isinstance(item, tuple):
            when, ip, method, path, status, sent, agent = item
            known += 1
            if fmt == "s3":
                text_lines.append(s3_line(when, ip, method, path, status, sent, agent))
            elif fmt == "combined":
                text_lines.append(combined_line(when, ip, method, "/" + path, status, sent,
                                                agent))
            else:
                text_lines.append(cloudfront_line(when, ip, method, "/" + path, status, sent,
                                                  agent))
        else:
            text_lines.extend(item.splitlines() or [""])
    reader = {"s3": s3log.read, "combined": combined.read, "cloudfront": cloudfront.read}[fmt]
    hits, skips = _one(reader, "\n".join(text_lines) + "\n")
    content = [t for t in text_lines if t.strip() and not (fmt == "cloudfront"
                                                           and t.startswith("#"))]
    assert len(hits) >= known
    assert len(hits) + skips.count >= len(content)
    for example in skips.examples:
        name, line, why = example.split(":", 2)
        assert name == "x.log" and 1 <= int(line) <= len(text_lines) and why.strip()


def test_a_cloudfront_file_is_read_through_gzip_in_its_own_field_order():
    when = dt.datetime(2026, 3, 1, 10, 0, 0, tzinfo=dt.UTC)
    header = "#Version: 1.0\n#Fields: cs(User-Agent) sc-bytes date time c-ip cs-method " \
        "cs-uri-stem sc-status\n"
    data = gzip.compress((header + "AntennaPod/3.4\t5000\t2026-03-01\t10:00:00\t10.0.0.1\tGET\t"
                          "/media/a.mp3\t206\n").encode())
    (hit,), skips = _one(cloudfront.read, gzip.decompress(data).decode())
    assert skips.count == 0
    assert (hit.time, hit.agent, hit.sent, hit.path, hit.status) == \
        (when, "AntennaPod/3.4", 5000, "/media/a.mp3", 206)
