"""Property tests of the readers of YAML and dates (issue 12): config.yaml, front matter,
sidecars (chapters included), dates. Generated hostile input (control characters, NULs, wrong
types at every key, impossible and extreme dates, deep nesting, aliases, huge values, odd
encodings) must end in success or one clear error naming the file; no other exception; the
hypothesis deadline is the hang guard."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG
from syndicate import yamlcheck
from syndicate.collect.episodes import read_sidecar
from syndicate.collect.posts import parse_post
from syndicate.config import ConfigError, load_config
from syndicate.errors import CollectError
from syndicate.when import MAX_YEAR, MIN_YEAR, WhenError, feed_date, parse_date

FAST = settings(max_examples=120, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

TRICKY = [
    ".inf", "-.inf", ".nan", "~", "null", "yes", "no", "on", "0x1F", "0o17", "1e400", "-1", "0",
    "9" * 400, "9" * 5000, "-" + "9" * 30, "2026-02-30", "2026-13-01", "0001-01-01",
    "0001-01-01 00:00:00+05:00", "9999-12-31T23:59:59-14:00", "9998-12-31 23:59 -14",
    "10000-01-01", "-2026-01-01", "2026-03-29 01:30", "2026-10-25 01:30", "2026-10-25",
    "2026-01-01T10:00+25:00", "2026-01-01 24:00", "!!binary AAAA", "!!float x", "!!int 1e3",
    "!!timestamp 2026-13-01", "!!python/object:os.system x", "!!set {a, b}", "[a, [b, [c]]]",
    "{a: {b: 1}}", "*undefined", "&a [*a]", "'unterminated", '"\\x00"', '"\\u0007"', "[1, 2",
    "{start: 0, title: x}", "[{start: 0, title: a}, {start: .nan, title: b}]",
    "[{start: '0:00', title: a, url: 'javascript:x'}]", "\ufeff", "@", "`", "%YAML 1.1",
    "A" * 20000, "a-" * 5000,
]
CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f",
                           "\x85", "\x9b", "\u2028", "\ufeff", "\ufffe", "\uffff"])
DATES = st.from_regex(r"\A-?\d{1,6}-\d{1,2}-\d{1,2}([ Tt]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,9})?)?"
                      r"( ?(Z|[+-]\d{1,2}(:?\d{2})?))?)?\Z")
TEXT = st.text(st.one_of(st.characters(exclude_categories=("Cs",)), CONTROL), max_size=40)
SCALAR = st.one_of(st.sampled_from(TRICKY), DATES, TEXT, st.integers().map(str),
                   st.floats().map(repr), st.builds(lambda n: "[" * n + "]" * n,
                                                    st.integers(1, 200)))


@st.composite
def documents(draw, keys: list[str]) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        key = draw(st.one_of(st.sampled_from(keys), TEXT.filter(lambda t: t.strip())))
        lines.append(f"{key}: {draw(SCALAR)}")
    if draw(st.booleans()):
        levels, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
        lines.append(f"b0: &b0 [{', '.join(['x'] * width)}]")
        lines += [f"b{n}: &b{n} [{', '.join([f'*b{n - 1}'] * width)}]" for n in range(1, levels)]
    if draw(st.booleans()):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(TEXT))  # a stray line: anything at all
    return "\n".join(lines) + "\n"


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"])


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace" if encoding in ("latin-1", "cp1252")
                       else "surrogatepass")


def _one_clear_error(exc: Exception, name: str) -> None:
    text = str(exc)
    assert text.startswith(f"{name}:") or text.startswith(f"{name} "), text
    assert "\n" not in text and "Traceback" not in text
    assert len(text) < 2000


def _in_range(iso: str) -> None:
    when = dt.datetime.fromisoformat(iso)
    assert when.tzinfo is not None and MIN_YEAR <= when.year <= MAX_YEAR


POST_KEYS = ["title", "date", "slug", "summary", "guid", "draft", "tags", "updated", "review",
             "imported_from"]


@FAST
@given(doc=documents(POST_KEYS), encoding=ENCODINGS, zone=st.sampled_from(
    ["UTC", "Europe/London", "America/Santiago", "Pacific/Kiritimati", "Pacific/Pago_Pago"]))
def test_front_matter_of_any_kind_is_a_post_or_one_error_naming_the_file(doc, encoding, zone):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2026-10-01-post.md"
        path.write_bytes(_encode(f"---\n{doc}---\nThe body.\n", encoding))
        try:
            got = parse_post(path, "posts/2026-10-01-post.md", zone, [])
        except CollectError as exc:
            _one_clear_error(exc, "posts/2026-10-01-post.md")
            return
        _in_range(got.date)
        if got.updated:
            _in_range(got.updated)
        assert isinstance(got.title, str) and got.title


EPISODE_KEYS = ["title", "date", "audio", "audio_url", "audio_length", "audio_type", "duration",
                "notes", "season", "number", "type", "explicit", "image", "transcript",
                "transcript_language", "chapters", "summary", "guid", "draft", "slug"]


@FAST
@given(doc=documents(EPISODE_KEYS), encoding=ENCODINGS, remote=st.booleans())
def test_sidecars_and_chapters_of_any_kind_read_or_fail_naming_the_file(doc, encoding, remote):
    head = ("audio_url: https://old.example/ep.mp3\naudio_length: 1000\nduration: 60\n"
            if remote else "")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2026-10-01-ep.yaml"
        path.write_bytes(_encode(head + doc, encoding))
        try:
            got = read_sidecar(path, "episodes/2026-10-01-ep.yaml", "Europe/London", [])
        except CollectError as exc:
            _one_clear_error(exc, "episodes/2026-10-01-ep.yaml")
            return
        _in_range(got.date)
        starts = [c.start for c in got.meta.chapters]
        assert starts == sorted(starts) and all(0 <= s <= 1_000_000 for s in starts)


CONFIG_KEYS = ["site", "blog", "podcast", "audio", "paths", "catalog", "target", "s3",
               "max_deletes", "sources", "import_audio", "notify", "scheduler"]
SECTION_KEYS = {"site": ["title", "url", "timezone", "language", "email"],
                "podcast": ["title", "image", "categories", "explicit", "guid", "funding"],
                "blog": ["feed_items", "rss_path"], "audio": ["bitrate", "loudness", "intro"],
                "s3": ["workers", "endpoint_url", "aws_secret_access_key"],
                "scheduler": ["poll_seconds"]}


@st.composite
def configs(draw) -> str:
    """The tests' base config with hostile values put in at any key, or a hostile doc added."""
    lines = BASE_CONFIG.splitlines()
    for _ in range(draw(st.integers(0, 4))):
        section = draw(st.sampled_from(sorted(SECTION_KEYS)))
        key = draw(st.sampled_from(SECTION_KEYS[section]))
        lines += [f"{section}:", f"  {key}: {draw(SCALAR)}"]
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text += draw(documents(CONFIG_KEYS))
    return text


@FAST
@given(text=configs(), encoding=ENCODINGS)
def test_any_config_loads_or_reports_every_problem_naming_the_file(text, encoding):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_bytes(_encode(text, encoding))
        try:
            got = load_config(path)
        except ConfigError as exc:
            assert exc.problems
            for problem in exc.problems:
                _one_clear_error(problem, str(path))
            return
        assert got.config.site.title and got.config.blog.feed_items >= 1
        for warning in got.warnings:
            _one_clear_error(warning, str(path))


@settings(max_examples=60, deadline=2000)
@given(levels=st.integers(1, 30), width=st.integers(1, 30), merge=st.booleans())
def test_alias_structures_expand_only_within_the_bound(levels, width, merge):
    lines = [f"a0: &a0 {{{', '.join(f'k{i}: v' for i in range(width))}}}" if merge
             else f"a0: &a0 [{', '.join(['x'] * width)}]"]
    for n in range(1, levels):
        if merge:
            lines.append(f"a{n}: &a{n} {{<<: *a{n - 1}, " + ", ".join(
                f"m{i}: *a{n - 1}" for i in range(width)) + "}")
        else:
            lines.append(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]")
    text = "\n".join(lines) + "\n"
    try:
        data = yamlcheck.parse(text, "f.yaml")
    except yamlcheck.YamlProblems as exc:
        assert len(exc.problems) == 1 and "would expand to more than" in exc.problems[0]
        assert exc.problems[0].startswith("f.yaml:")
        assert levels > 1
        return
    assert set(data) == {f"a{n}" for n in range(levels)}
    # what was accepted is small enough to walk whole
    def size(v):
        if isinstance(v, dict):
            return 1 + sum(size(x) for x in v.values())
        if isinstance(v, list):
            return 1 + sum(size(x) for x in v)
        return 1
    assert size(data) <= 2 * yamlcheck.MAX_ALIAS_VALUES + 2 * len(text)


ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, DATES,
                      st.sampled_from(TRICKY), st.lists(st.integers(), max_size=3),
                      st.dictionaries(TEXT, st.integers(), max_size=2),
                      st.dates(), st.datetimes(),
                      st.datetimes(timezones=st.timezones()))


@settings(max_examples=300, deadline=1000)
@given(value=ANY_VALUE, zone=st.sampled_from(["UTC", "Europe/London", "Pacific/Kiritimati",
                                              "America/Santiago", "Australia/Lord_Howe"]))
@example("9998-12-31 23:59 -14", "UTC")
@example("1900-01-01T00:00+14:00", "UTC")
@example(dt.datetime(9998, 12, 31, 23, 59), "Pacific/Pago_Pago")
@example(dt.datetime(1900, 1, 1, 0, 1), "Pacific/Kiritimati")
@example(dt.date(1900, 1, 1), "Asia/Tokyo")
def test_the_date_parser_gives_an_instant_in_range_or_says_why(value, zone):
    try:
        when = parse_date(value, zone)
    except WhenError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert when.tzinfo is not None and when.utcoffset() == dt.timedelta(0)
    assert MIN_YEAR <= when.year <= MAX_YEAR
    when.astimezone(dt.timezone(dt.timedelta(hours=14)))  # no later conversion overflows
    when.astimezone(dt.timezone(dt.timedelta(hours=-14)))


@settings(max_examples=200, deadline=1000)
@given(value=st.one_of(TEXT, DATES, st.sampled_from([
    *TRICKY, "Mon, 01 Jan 0001 00:00:00 +0500", "Fri, 31 Dec 9999 23:59:59 -1400",
    "Tue, 30 Feb 2026", "Tue, 10 Jun 2003 04:00:00 GMT"]),
    st.tuples(st.integers(-10**6, 10**6), *[st.integers(-100, 100)] * 8)))
def test_imported_feed_dates_are_in_range_or_none(value):
    # text as a feed writes it, or feedparser's reading of a text naming that year
    when = feed_date(value) if isinstance(value, str) else feed_date(f"{value[0]}", value)
    assert when is None or (when.tzinfo is not None and MIN_YEAR <= when.year <= MAX_YEAR)


@pytest.mark.parametrize("text", ["2026-03-29 01:30", "2026-03-29 01:00", "2026-03-29 01:59"])
def test_a_wall_time_the_clocks_skip_is_refused_like_queue_at(text):
    with pytest.raises(WhenError, match="does not exist in Europe/London"):
        parse_date(text, "Europe/London")


@pytest.mark.parametrize("key", ["audio:\n  intro", "audio:\n  outro", "theme"])
def test_a_path_too_long_for_the_system_is_loaded_or_one_clear_error(key):
    """A name longer than the file system takes (found by the generated configs above) is not
    an OSError out of a check that only asks what stands there."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(BASE_CONFIG + f"{key}: {'A' * 5000}\n", encoding="utf-8")
        try:
            load_config(path)
        except ConfigError as exc:
            for problem in exc.problems:
                _one_clear_error(problem, str(path))
