"""`syndicate stats` on generated mixes of listeners and requests (the count equals a plain
model of the rules), and on logs read from a bucket (moto's S3 server, real boto3)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_stats import APPLE, DAY, NOW, OVERCAST, STATS_CONFIG, Show, published  # noqa: F401

from conftest import BASE_CONFIG, BUCKET
from statsgen import s3_line
from syndicate.config import load_config
from syndicate.stats.count import count

# (address, the listener's network): the two 2001:db8:5:: addresses share a /64
ADDRESSES = [("198.51.100.1", 0), ("198.51.100.2", 1), ("2001:db8:5::1", 2),
             ("2001:db8:5:0:aaaa::2", 2), ("2001:db8:6::1", 3)]
AGENTS = [(APPLE, False), (OVERCAST, False), ("AntennaPod/3.4", False),
          ("Mozilla/5.0 (compatible; bingbot/2.0)", True)]
requests = st.lists(st.tuples(
    st.integers(0, len(ADDRESSES) - 1), st.integers(0, len(AGENTS) - 1),
    st.sampled_from(["long", "short"]), st.integers(0, 2),  # day
    st.sampled_from(["GET", "GET", "GET", "HEAD"]), st.sampled_from([200, 206, 206, 304, 404]),
    st.integers(0, 5)), max_size=40)  # sent, in quarters of what a download needs (0: a probe)


def _model(reqs, needed, size) -> dict[str, int]:
    """The rules, written out plainly: which (listener, episode, day) reach their bytes."""
    sums: dict[tuple, int] = {}
    for a, g, slug, day, method, status, quarters in reqs:
        sent = _sent(quarters, needed[slug], size[slug])
        if method != "GET" or status not in (200, 206) or AGENTS[g][1]:
            continue
        if (sent <= 2 and status == 206) or sent == 0:
            continue
        key = (ADDRESSES[a][1], g, slug, day)
        sums[key] = sums.get(key, 0) + sent
    out: dict[str, int] = {}
    for (_, _, slug, _), total in sums.items():
        if total >= needed[slug]:
            out[slug] = out.get(slug, 0) + 1
    return out


def _sent(quarters: int, needed: int, size: int) -> int:
    return 2 if quarters == 0 else min(size, needed * quarters // 4)


def _bare_copy(src: Path, dest: Path, extra: str = "") -> Path:
    """The published project without its media: its config, cover and catalog."""
    dest.mkdir()
    (dest / "config.yaml").write_text(BASE_CONFIG + extra)
    shutil.copy(src / "cover.png", dest / "cover.png")
    for sub in ("posts", "episodes", ".syndicate"):
        (dest / sub).mkdir()
    shutil.copy(src / ".syndicate" / "catalog.db", dest / ".syndicate" / "catalog.db")
    return dest


@settings(max_examples=40)
@given(reqs=requests)
def test_generated_requests_count_as_the_plain_model_says(published, reqs):  # noqa: F811
    show = Show(published)
    with tempfile.TemporaryDirectory() as tmp:
        root = _bare_copy(published, Path(tmp) / "p", STATS_CONFIG)
        lines = []
        for a, g, slug, day, method, status, quarters in reqs:
            sent = _sent(quarters, show.needed[slug], show.size[slug])
            lines.append(s3_line(DAY + dt.timedelta(days=day - 2), ADDRESSES[a][0], method,
                                 show.key[slug], status, sent, AGENTS[g][0], show.size[slug]))
        (root / "logs").mkdir()
        (root / "logs" / "a.log").write_text("\n".join(lines) + "\n")
        doc, report = count(load_config(root / "config.yaml"),
                            now=dt.datetime.fromisoformat(NOW))
        assert report.skips.count == 0 and report.lines == len(lines)
        got = {e["episode"]: e["downloads"] for e in doc["episodes"]}
        assert got == _model(reqs, show.needed, show.size)
        # read again: nothing new, the same counts
        again, report = count(load_config(root / "config.yaml"),
                              now=dt.datetime.fromisoformat(NOW))
        assert report.files_read == 0 and again["episodes"] == doc["episodes"]


def test_logs_in_a_bucket_are_read_through_boto3_and_only_new_ones_again(
        published, tmp_path, s3_endpoint, bucket):  # noqa: F811
    show = Show(published)
    config = (f"stats:\n  logs: s3://{BUCKET}/logs\n  format: s3\n"
              f"s3:\n  endpoint_url: {s3_endpoint}\n  region: us-east-1\n  max_attempts: 2\n")
    root = _bare_copy(published, tmp_path / "p", config)
    body = "\n".join(s3_line(DAY, ip, "GET", show.key["long"], 200, show.size["long"], APPLE)
                     for ip in ("203.0.113.1", "203.0.113.2")) + "\nnot a line\n"
    bucket.put_object(Bucket=BUCKET, Key="logs/2026-10-31-09-00-00-AAAA", Body=body.encode())
    bucket.put_object(Bucket=BUCKET, Key="other/2026-10-31-09-00-00-BBBB", Body=body.encode())
    now = dt.datetime.fromisoformat(NOW)
    doc, report = count(load_config(root / "config.yaml"), now=now)
    assert doc["downloads"] == 2 and report.files_read == 1
    assert report.skips.examples == ["logs/2026-10-31-09-00-00-AAAA:3: not an S3 access log "
                                     "line (3 fields where an S3 access log line has at least "
                                     "17)"]
    body2 = s3_line(DAY, "203.0.113.3", "GET", show.key["short"], 200, show.size["short"],
                    OVERCAST)
    bucket.put_object(Bucket=BUCKET, Key="logs/2026-10-31-10-00-00-CCCC", Body=body2.encode())
    doc, report = count(load_config(root / "config.yaml"), now=now)
    assert (report.files_read, report.files_known) == (1, 1)
    assert {e["episode"]: e["downloads"] for e in doc["episodes"]} == {"long": 2, "short": 1}


def test_a_bucket_that_cannot_be_read_is_one_error_naming_it(
        published, tmp_path, s3_endpoint):  # noqa: F811
    import pytest

    from syndicate.errors import SyndicateError

    config = (f"stats:\n  logs: s3://no-such-bucket/logs\n"
              f"s3:\n  endpoint_url: {s3_endpoint}\n  region: us-east-1\n  max_attempts: 1\n")
    root = _bare_copy(published, tmp_path / "p", config)
    with pytest.raises(SyndicateError, match="s3://no-such-bucket/logs/: the access logs cannot"):
        count(load_config(root / "config.yaml"), now=dt.datetime.fromisoformat(NOW))


garbage_line = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)
a_file = st.tuples(
    st.sampled_from(["plain", "gzip", "broken-gzip", "binary", "empty"]),
    st.lists(st.tuples(st.integers(0, len(ADDRESSES) - 1), st.sampled_from(["long", "short"])),
             max_size=6),
    st.lists(garbage_line, max_size=4))


@settings(max_examples=25)
@given(files=st.lists(a_file, min_size=1, max_size=5))
def test_any_folder_of_log_files_counts_the_good_ones_and_names_the_bad(published,  # noqa: F811
                                                                        files):
    """Whatever a log folder holds (good logs, garbage lines among them, gzip whole or cut
    short, binary files, empty files), `syndicate stats` ends with the downloads of the good
    lines, and one error naming each file it could not read; never a traceback."""
    import gzip
    import json

    from click.testing import CliRunner

    from syndicate.cli import main

    show = Show(published)
    with tempfile.TemporaryDirectory() as tmp:
        root = _bare_copy(published, Path(tmp) / "p", STATS_CONFIG)
        logs = root / "logs"
        logs.mkdir()
        expected: dict[str, set] = {}
        bad = set()
        for i, (kind, reqs, junk) in enumerate(files):
            lines = [s3_line(DAY, ADDRESSES[a][0], "GET", show.key[slug], 200,
                             show.size[slug], APPLE, show.size[slug]) for a, slug in reqs]
            text = "\n".join(lines + [j.replace("\n", " ") for j in junk]) + "\n"
            name = f"f{i}"
            if kind == "gzip":
                (logs / name).write_bytes(gzip.compress(text.encode()))
            elif kind == "broken-gzip":
                (logs / name).write_bytes(gzip.compress(text.encode())[:12])
                bad.add(name)
                continue
            elif kind == "binary":
                (logs / name).write_bytes(bytes(range(256)) * 4)
                bad.add(name)
                continue
            elif kind == "empty":
                (logs / name).write_bytes(b"")
                continue
            else:
                (logs / name).write_text(text)
            if not lines and text.strip():
                bad.add(name)  # garbage only: no access log
            for a, slug in reqs:
                expected.setdefault(slug, set()).add(ADDRESSES[a][1])
        result = CliRunner().invoke(main, ["--config", str(root / "config.yaml"), "stats",
                                           "--json", "--now", NOW], catch_exceptions=False)
        doc = json.loads(result.stdout)
        got = {e["episode"]: e["downloads"] for e in doc["stats"]["episodes"]}
        assert got == {slug: len(nets) for slug, nets in expected.items()}
        named = {e.split(":", 1)[0] for e in doc["errors"]}
        assert named <= {f"f{i}" for i in range(len(files))}
        assert result.exit_code == (1 if doc["errors"] else 0)
        # each file that held no usable line is named; an empty one has nothing to count yet
        assert named == bad
