"""Readers of YAML, dates and config (issue 12): every hostile input ends in success or one
clear error naming the file and line; the rest publishes; nothing hangs; credentials never show."""

from __future__ import annotations

import io
import subprocess
import sys

import feedparser
import podcastparser
import pytest

from conftest import BASE_CONFIG, post, sidecar, tone


def _bomb(levels: int = 9, width: int = 9, indent: str = "") -> str:
    """The 'billion laughs': each level a list of ``width`` aliases of the level before."""
    lines = [f"{indent}l0: &l0 [{', '.join(['lol'] * width)}]"]
    for n in range(1, levels):
        lines.append(f"{indent}l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _io(raw: bytes):
    return io.BytesIO(raw)


def _published(proj) -> tuple[list[str], list[str]]:
    """Titles of the blog feed's entries and of the podcast's episodes, after checking that
    every feed parses and every enclosure is present at its stated length."""
    rss = feedparser.parse(proj.read("feed.xml"))
    atom = feedparser.parse(proj.read("atom.xml"))
    pod = proj.read("podcast.xml")
    assert not rss.bozo and not atom.bozo and not feedparser.parse(pod).bozo
    episodes = podcastparser.parse("https://example.test/podcast.xml", _io(pod))["episodes"]
    for ep in episodes:
        enc = ep["enclosures"][0]
        media = proj.public(enc["url"].removeprefix("https://example.test/"))
        assert media.stat().st_size == enc["file_size"]
    return [e.title for e in rss.entries], [e["title"] for e in episodes]


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# -- front matter, sidecars and txt posts: one publish, every bad file named --------------------
BAD_POSTS = {
    # file: (content, the error line expected)
    "posts/bomb.md": ("---\ntitle: Bomb\ndate: 2026-10-01\n" + _bomb() + "---\nbody\n",
                      "Error: posts/bomb.md:7: aliases (*l2) would expand to more than"),
    "posts/nul.md": ("---\ntitle: A\x00B\ndate: 2026-10-01\n---\nbody\n",
                     "Error: posts/nul.md:2: a NUL character at column 9"),
    "posts/bell.md": ("---\ntitle: Fine\nsummary: ring \x07 ring\ndate: 2026-10-01\n---\nbody\n",
                      "Error: posts/bell.md:3: a control character (U+0007) at column 15"),
    "posts/feb30.md": ("---\ntitle: X\ndate: 2026-02-30\n---\nbody\n",
                       "Error: posts/feb30.md:3: 'date': '2026-02-30' is not a valid date "
                       "(day is out of range for month)"),
    "posts/year1east.md": ("---\ntitle: X\ndate: 0001-01-01 00:00:00+05:00\n---\nbody\n",
                           "Error: posts/year1east.md:3: 'date': the year 1 is out of range; "
                           "dates run from 1900 to 9998"),
    "posts/year1.md": ("---\ntitle: X\ndate: 0001-01-01\n---\nbody\n",
                       "Error: posts/year1.md:3: 'date': the year 1 is out of range"),
    "posts/edge.md": ("---\ntitle: X\ndate: 9998-12-31T23:59-14:00\n---\nbody\n",
                      "Error: posts/edge.md:3: 'date': 9999-01-01 13:59 UTC is out of range"),
    "posts/year10000.md": ("---\ntitle: X\ndate: 10000-01-01\n---\nbody\n",
                           "Error: posts/year10000.md:3: 'date': expected a date such as "
                           "2024-05-01"),
    "posts/negative.md": ("---\ntitle: X\ndate: -2026-01-01\n---\nbody\n",
                          "Error: posts/negative.md:3: 'date': expected a date such as"),
    "posts/huge.md": ("---\ntitle: X\ndate: " + "9" * 400 + "\n---\nbody\n",
                      "Error: posts/huge.md:3: 'date': expected a date such as"),
    "posts/inf.md": ("---\ntitle: X\ndate: .inf\n---\nbody\n",
                     "Error: posts/inf.md:3: 'date': expected a date such as 2024-05-01 or "
                     "2024-05-01 09:30 or 2024-05-01T09:30:00+01:00, got inf"),
    "posts/list.md": ("---\ntitle: X\ndate: [2026-10-01]\n---\nbody\n",
                      "Error: posts/list.md:3: 'date': expected a date such as"),
    "posts/dict.md": ("---\ntitle: X\ndate: {y: 2026}\n---\nbody\n",
                      "Error: posts/dict.md:3: 'date': expected a date such as"),
    "posts/gap.md": ("---\ntitle: X\ndate: 2026-03-29 01:30\n---\nbody\n",
                     "Error: posts/gap.md:3: 'date': 2026-03-29 01:30 does not exist in "
                     "Europe/London: that night the clocks go forward from 01:00 to 02:00"),
    "posts/fold.md": ("---\ntitle: X\ndate: 2026-10-25 01:30\n---\nbody\n",
                      "Error: posts/fold.md:3: 'date': 2026-10-25 01:30 happens twice in "
                      "Europe/London"),
    "posts/upd.md": ("---\ntitle: X\ndate: 2026-10-01\nupdated: 2026-13-01\n---\nbody\n",
                     "Error: posts/upd.md:4: 'updated': '2026-13-01' is not a valid date "
                     "(month must be in 1..12)"),
    "posts/selfref.md": ("---\ntitle: X\ndate: 2026-10-01\ntags: &t [a, *t]\n---\nbody\n",
                         "Error: posts/selfref.md:4: the alias *t refers to a value that "
                         "contains it"),
    "posts/deep.md": ("---\ntitle: X\ndate: 2026-10-01\ntags: " + "[" * 60 + "]" * 60
                      + "\n---\nbody\n",
                      "Error: posts/deep.md:4: nested more than 40 levels deep"),
    "posts/txtdate.txt": ("Title line\nDate: 2026-02-29\n\nBody.\n",
                          "Error: posts/txtdate.txt:2: 'date': '2026-02-29' is not a valid date"),
    "posts/2026-02-30-named.md": ("# Named\n\nbody\n",
                                  "Error: posts/2026-02-30-named.md:1: missing date"),
    "episodes/bomb.yaml": (sidecar("Bomb ep") + "chapters:\n  - &c {start: 0, title: a}\n"
                           + _bomb(levels=9, width=9),
                           "Error: episodes/bomb.yaml:8: aliases (*l2) would expand"),
    "episodes/nul.yaml": (sidecar("Nul ep") + "notes: a\x00b\n",
                          "Error: episodes/nul.yaml:3: a NUL character at column 9"),
    "episodes/feb30.yaml": ("title: Feb ep\ndate: 2026-02-30\n",
                            "Error: episodes/feb30.yaml:2: 'date': '2026-02-30' is not a valid "
                            "date"),
    "episodes/chap.yaml": (sidecar("Chap ep", audio_url="https://old.example/a.mp3",
                                   audio_length=10, duration="1:00")
                           + "chapters:\n  - {start: .inf, title: a}\n",
                           "Error: episodes/chap.yaml:7: 'chapters[0].start': expected a time "
                           "under 277 hours, got inf"),
}


def test_each_bad_front_matter_sidecar_and_date_is_named_and_the_rest_published(make_project):
    files = {name: content for name, (content, _) in BAD_POSTS.items()}
    files.update({"posts/good.md": post("Good post", date="2026-10-01 09:00"),
                  "posts/2026-09-01-txt.txt": "Good text\n\nPlain words.\n",
                  "posts/offset.md": post("Far offset", date="2026-10-01T09:00-14:00"),
                  "posts/old.md": post("Old post", date="1900-01-01"),
                  "episodes/good.yaml": sidecar("Good episode"),
                  "episodes/good.mp3": tone(1.0)})
    proj = make_project(files)
    result = proj.run("publish")
    _no_traceback(result)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    for name, (_, expected) in BAD_POSTS.items():
        mine = [e for e in errors if e.startswith(f"Error: {name}:")]
        assert len(mine) == 1, (name, mine)  # one line per bad file
        assert mine[0].startswith(expected), (name, mine[0])
    posts, episodes = _published(proj)
    assert sorted(posts) == ["Far offset", "Good post", "Good text", "Old post"]
    assert episodes == ["Good episode"]


def test_a_yaml_bomb_is_refused_quickly_in_a_separate_process(make_project):
    """The reported case, run as a user runs it; the timeout is the hang guard (it took 68 s
    and 3.7 GB before)."""
    proj = make_project({"posts/bomb.md": "---\ntitle: Bomb\ndate: 2026-10-01\n"
                         + _bomb(levels=9) + "---\nbody\n",
                         "posts/good.md": post("Good post")})
    run = subprocess.run([sys.executable, "-m", "syndicate", "publish", "--config",
                          str(proj.root / "config.yaml"), "--now", "2026-11-01T12:00:00Z"],
                         capture_output=True, text=True, timeout=60, cwd=proj.root)
    assert run.returncode == 1
    assert "Error: posts/bomb.md:7: aliases (*l2) would expand to more than 2000 values" \
        in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert [e.title for e in feedparser.parse(proj.read("feed.xml")).entries] == ["Good post"]


def test_a_post_that_turns_hostile_keeps_its_last_published_version(make_project):
    proj = make_project({"posts/kept.md": post("Kept", date="2026-10-01", body="First.")})
    assert proj.run("publish").exit_code == 0
    proj.write("posts/kept.md", "---\ntitle: Kept\ndate: 2026-02-30\n" + _bomb() + "---\nNew.\n")
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Error: posts/kept.md:" in result.output
    entry = feedparser.parse(proj.read("feed.xml")).entries[0]
    assert entry.title == "Kept" and "First." in entry.content[0].value


# -- config.yaml ----------------------------------------------------------------------------------
@pytest.mark.parametrize("extra,expected", [
    (_bomb(), "config.yaml:21: aliases (*l2) would expand to more than 2000 values"),
    ("blog:\n  title: A\x00B\n", "config.yaml:19: a NUL character at column 11"),
    ("blog:\n  title: \x1b[31mred\n", "config.yaml:19: a control character (U+001B)"),
    ("blog:\n  feed_items: " + "9" * 5000 + "\n", "config.yaml:1: invalid YAML: Exceeds the "
                                                 "limit"),
    ("blog:\n  feed_items: 1e400\n", "config.yaml:19: 'blog.feed_items': expected a whole number"),
    ("scheduler: &s {poll_seconds: *s}\n", "config.yaml:18: the alias *s refers to a value"),
])
def test_hostile_config_is_one_clear_error_and_nothing_is_published(make_project, extra, expected):
    proj = make_project({"posts/good.md": post("Good post")}, config=BASE_CONFIG + extra)
    result = proj.run("publish")
    _no_traceback(result)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0]
    assert not (proj.root / "public").exists()


SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq3x7SECRETVALUE"


@pytest.mark.parametrize("extra,key,line", [
    (f"s3:\n  aws_secret_access_key: {SECRET}\n", "s3.aws_secret_access_key", 19),
    (f"s3:\n  region: eu-west-1\n  aws_access_key_id: {SECRET}\n", "s3.aws_access_key_id", 20),
    (f"s3:\n  aws_session_token: '{SECRET}'\n", "s3.aws_session_token", 19),
    (f"notify:\n  pubnotify_token: {SECRET}\n", "notify.pubnotify_token", 19),
    (f"site_password: {SECRET}\n", "site_password", 18),
    (f"podcast_extra:\n  - {{api-key: {SECRET}}}\n", "podcast_extra[0].api-key", 19),
    # a credential beside a real mistake: both reported, the value still never shown
    (f"s3:\n  workers: many\n  secret: {SECRET}\n", "s3.secret", 20),
    (f"blog:\n  feed_items: {{secret: {SECRET}}}\n", "blog.feed_items.secret", 19),
])
def test_credentials_in_config_are_refused_and_never_echoed(make_project, extra, key, line):
    proj = make_project({"posts/good.md": post("Good post")}, config=BASE_CONFIG + extra)
    result = proj.run("publish")
    _no_traceback(result)
    assert result.exit_code == 2
    assert (f"Error: {proj.root / 'config.yaml'}:{line}: '{key}': a credential does not belong "
            "in config.yaml") in result.output
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in result.output
    assert "AWS_PROFILE" in result.output and "instance role" in result.output
    assert SECRET not in result.output and SECRET[:12] not in result.output
    assert not (proj.root / "public").exists()
    for args in (["--help"], ["publish", "--help"], ["status"], ["collect"], ["queue", "x",
                                                                              "--at", "now"]):
        other = proj.run(*args)
        assert SECRET not in other.output


# -- syndicate queue --at -------------------------------------------------------------------------
@pytest.mark.parametrize("at,expected", [
    ("9999-12-31T23:59-14:00", "the year 9999 is out of range; dates run from 1900 to 9998"),
    ("9998-12-31T23:59-14:00", "9999-01-01 13:59 UTC is out of range"),
    ("0001-01-01T00:00+05:00", "the year 1 is out of range"),
    ("2027-01-01T09:00+99:00", "the offset +99:00 is not a time zone offset"),
    ("2027-02-30 09:00", "'2027-02-30 09:00' is not a valid date and time (day is out of range"),
    ("2027-01-01 24:00", "'2027-01-01 24:00' is not a valid date and time (hour must be in"),
    ("\x00", "is not a date and time; use 'now'"),
    ("२०२७-०१-०१", "is not a date and time; use 'now'"),  # h25 L3: digits of another script
    ("２０２７-０１-０１ ０９:００", "is not a date and time; use 'now'"),
])
def test_queue_at_extreme_times_is_refused_clearly(make_project, at, expected):
    proj = make_project({"posts/winter.md": post("Winter", date="2026-12-01")})
    assert proj.run("collect").exit_code == 0
    result = proj.run("queue", "winter", "--at", at)
    _no_traceback(result)
    assert result.exit_code == 1
    assert expected in result.output
    assert len(result.output.strip().splitlines()) == 1


# -- the importer's dates go through the same parser and range ----------------------------------
def _feed(items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{title}</title><guid>g-{n}</guid><pubDate>{date}</pubDate>"
        f"<description>Words of {title}.</description></item>" for n, (title, date) in
        enumerate(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Old</title>'
            f"<link>https://old.example/</link><description>d</description>{body}"
            "</channel></rss>")


def test_imported_feed_dates_out_of_range_are_reported_not_written(make_project):
    import json

    proj = make_project({"old.xml": _feed([
        ("Good entry", "Tue, 10 Jun 2003 04:00:00 GMT"),
        ("Iso entry", "2004-02-03T10:00:00+01:00"),
        ("Far future", "Fri, 31 Dec 9999 23:59:59 -1400"),
        ("Ancient", "1066-10-14T09:00:00Z"),
        ("Nonsense", "the thirtieth of February"),
    ])})
    result = proj.run("import", str(proj.root / "old.xml"), "--json",
                      "--config", str(proj.root / "config.yaml"))
    _no_traceback(result)
    report = json.loads(result.output)
    assert sorted(e["title"] for e in report["created"]) == ["Good entry", "Iso entry"]
    undated = {e["title"] for e in report["skipped"]}
    assert undated == {"Far future", "Ancient", "Nonsense"}
    assert proj.run("publish").exit_code == 0
    entries = feedparser.parse(proj.read("feed.xml")).entries
    assert {e.title: e.published_parsed[:4] for e in entries} == {
        "Good entry": (2003, 6, 10, 4), "Iso entry": (2004, 2, 3, 9)}


def test_a_bad_now_is_a_usage_error_not_a_traceback(make_project):
    proj = make_project({"posts/good.md": post("Good post")})
    result = proj.run("status", now="2026-02-30")
    _no_traceback(result)
    assert result.exit_code == 2
    assert "Invalid value for '--now': '2026-02-30' is not a valid date" in result.output
