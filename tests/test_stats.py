"""`syndicate stats`: downloads counted from generated access logs with known answers, each
counting rule alone and all together, through the CLI on a project that published episodes."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil

import pytest
from click.testing import CliRunner

from conftest import BASE_CONFIG, Project, png_bytes, sidecar, tone
from statsgen import CF_HEADER, cloudfront_line, combined_line, s3_line
from syndicate.cli import main
from syndicate.config import load_config
from syndicate.stats import engine
from syndicate.stats.store import STATS_FILE, episodes_of

NOW = "2026-11-01T12:00:00+00:00"
DAY = dt.datetime(2026, 10, 31, 9, 0, tzinfo=dt.UTC)  # inside the salt's keeping
OLD_DAY = dt.datetime(2026, 10, 3, 9, 0, tzinfo=dt.UTC)  # settled at once
APPLE = "AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; en_us)"
OVERCAST = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
STATS_CONFIG = "stats:\n  logs: logs\n"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A project that published a 90 s episode (a download needs less than the whole file)
    and a 20 s one (a download needs all of it)."""
    root = tmp_path_factory.mktemp("published") / "proj"
    root.mkdir()
    proj = Project(root)
    proj.write("config.yaml", BASE_CONFIG + STATS_CONFIG)
    proj.write("cover.png", png_bytes())
    (root / "posts").mkdir()
    proj.write("episodes/long.yaml", sidecar("Long one"))
    proj.write("episodes/long.mp3", tone(90.0))
    proj.write("episodes/short.yaml", sidecar("Short one", date="2026-10-02 08:00"))
    proj.write("episodes/short.mp3", tone(20.0, freq=660))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    return root


class Show:
    """A copy of the published project, its media's keys and sizes, and what a download of
    each episode needs (from the catalog's media facts)."""

    def __init__(self, root):
        self.root = root
        self.settings = load_config(root / "config.yaml")
        self.needed = {slug: e.needed for slug, e in episodes_of(self.settings).items()}
        self.key = {}
        self.size = {}
        for f in (root / "public" / "media").iterdir():
            slug = f.name.rsplit("-", 1)[0]
            self.key[slug] = f"site/media/{f.name}"
            self.size[slug] = f.stat().st_size

    def log(self, name: str, lines: list[str], gz: bool = False, header: str = "") -> None:
        path = self.root / "logs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = (header + "\n".join(lines) + "\n").encode()
        path.write_bytes(gzip.compress(data) if gz else data)

    def stats(self, *args: str) -> tuple[int, dict, str]:
        result = CliRunner().invoke(main, ["--config", str(self.root / "config.yaml"), "stats",
                                           "--json", "--now", NOW, *args],
                                    catch_exceptions=False)
        assert "Traceback" not in result.output
        doc = json.loads(result.stdout)
        return result.exit_code, doc, result.stderr

    def downloads(self, *args: str) -> dict[str, int]:
        code, doc, err = self.stats(*args)
        assert code == 0, (doc, err)
        return {e["episode"]: e["downloads"] for e in doc["stats"]["episodes"]}


def compiled_reader(monkeypatch, reader: str) -> None:
    """The S3 logs read by the compiled reader, or as where it could not be built (DuckDB's
    string functions): both count alike. The compiled one must be there where a C compiler
    is."""
    if reader == "duckdb":
        monkeypatch.setattr(engine, "Scanner", None)
    elif engine.Scanner is None:
        if shutil.which("cc") or shutil.which("gcc"):
            pytest.fail("a C compiler is here but syndicate.stats._s3scan was not built: "
                        "pip install -e . again")
        pytest.skip("no C compiler here: the compiled reader was not built")


@pytest.fixture(params=["compiled", "duckdb"])
def show(published, tmp_path, monkeypatch, request):
    compiled_reader(monkeypatch, request.param)
    root = tmp_path / "proj"
    shutil.copytree(published, root)
    return Show(root)


def s3(show, slug, ip, agent=APPLE, *, when=DAY, method="GET", status=200, sent=None):
    sent = show.size[slug] if sent is None else sent
    return s3_line(when, ip, method, show.key[slug], status, sent, agent, show.size[slug])


def test_a_whole_get_is_one_download_and_the_json_says_the_window(show):
    show.log("a.log", [s3(show, "long", "203.0.113.5")])
    code, doc, _ = show.stats()
    assert code == 0
    assert doc["stats"]["window"] == "UTC day"
    (ep,) = doc["stats"]["episodes"]
    assert (ep["episode"], ep["title"], ep["downloads"]) == ("long", "Long one", 1)
    assert ep["by"] == {"2026-10-31": 1}
    assert doc["stats"]["read"]["files_read"] == 1


def test_with_a_measurement_prefix_the_stores_own_logs_count_alike(show):
    """With podcast.measurement_prefix the feed's enclosures go through the redirect, and the
    listeners' requests reach the store at the same files after it: the same keys are
    published, and their log lines count as before."""
    config = (show.root / "config.yaml").read_text()
    (show.root / "config.yaml").write_text(config.replace(
        "  explicit: false\n", "  explicit: false\n  measurement_prefix: https://op3.dev/e/\n"))
    before = sorted(p.name for p in (show.root / "public" / "media").iterdir())
    result = Project(show.root).run("publish")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (show.root / "public" / "media").iterdir()) == before
    feed = (show.root / "public" / "podcast.xml").read_text()
    assert 'url="https://op3.dev/e/example.test/media/long-' in feed
    show.log("a.log", [s3(show, "long", "203.0.113.5"), s3(show, "short", "203.0.113.6")])
    assert show.downloads() == {"long": 1, "short": 1}


@pytest.mark.parametrize("method,status", [("HEAD", 200), ("GET", 304), ("GET", 404),
                                           ("GET", 403), ("GET", 500), ("POST", 200)])
def test_a_head_a_304_or_an_error_is_no_download(show, method, status):
    show.log("a.log", [s3(show, "long", "203.0.113.5", method=method, status=status)])
    assert show.downloads() == {}


def test_a_probe_for_two_bytes_is_no_download(show):
    show.log("a.log", [s3(show, "short", "203.0.113.5", status=206, sent=2)])
    show.log("b.log", [cloudfront_line(DAY, "203.0.113.6", "GET", "/" + show.key["short"],
                                       206, 2, APPLE, (0, 1))], header=CF_HEADER)
    assert show.downloads() == {}


def test_ranges_are_summed_until_a_minute_of_audio(show):
    """Three ranges that together pass the header and one minute: one download; two that stay
    under it: none (each listener alone)."""
    need = show.needed["long"]
    assert need < show.size["long"]  # the 90 s episode: less than the whole file counts
    third = need // 3 + 1
    passing = [s3(show, "long", "203.0.113.7", status=206, sent=third) for _ in range(3)]
    under = [s3(show, "long", "203.0.113.8", status=206, sent=third) for _ in range(2)]
    show.log("a.log", passing + under)
    assert show.downloads() == {"long": 1}


def test_a_short_episode_counts_only_once_sent_whole(show):
    size = show.size["short"]
    assert show.needed["short"] == size
    show.log("a.log", [s3(show, "short", "203.0.113.9", status=206, sent=size - 1),
                       s3(show, "short", "203.0.113.10", status=206, sent=size // 2),
                       s3(show, "short", "203.0.113.10", status=206, sent=size - size // 2)])
    assert show.downloads() == {"short": 1}


def test_the_same_listener_counts_once_a_day_and_again_the_next_day(show):
    later = DAY + dt.timedelta(hours=5)
    next_day = DAY + dt.timedelta(days=1, hours=-8)  # 2026-11-01 01:00
    show.log("a.log", [s3(show, "long", "203.0.113.5"), s3(show, "long", "203.0.113.5",
                                                           when=later),
                       s3(show, "long", "203.0.113.5", when=next_day)])
    _code, doc, _ = show.stats()
    (ep,) = doc["stats"]["episodes"]
    assert ep["by"] == {"2026-10-31": 1, "2026-11-01": 1}


def test_ipv6_addresses_in_one_slash_64_are_one_listener(show):
    show.log("a.log", [s3(show, "long", "2001:db8:1:2::1"),
                       s3(show, "long", "2001:db8:1:2:ffff::9"),
                       s3(show, "long", "2001:db8:1:3::1")])
    assert show.downloads() == {"long": 2}


def test_the_same_address_with_another_app_is_another_listener(show):
    show.log("a.log", [s3(show, "long", "203.0.113.5"),
                       s3(show, "long", "203.0.113.5", agent=OVERCAST)])
    assert show.downloads("--by", "app") == {"long": 2}
    _code, doc, _ = show.stats("--by", "app")
    assert doc["stats"]["totals"] == {"Apple Podcasts": 1, "Overcast": 1}


@pytest.mark.parametrize("agent", ["Googlebot/2.1 (+http://www.google.com/bot.html)",
                                   "curl/8.5.0", "python-requests/2.31", "-", "",
                                   "facebookexternalhit/1.1", "iTMS"])
def test_a_bot_or_a_server_side_fetcher_is_no_download(show, agent):
    show.log("a.log", [s3(show, "long", "203.0.113.5", agent=agent)])
    assert show.downloads() == {}


def test_every_rule_together_in_three_formats(show):
    """One log of each format for the same day; the answer is the sum of the rules' answers."""
    need = show.needed["long"]
    half = need // 2 + 1
    path_long, path_short = "/" + show.key["long"], "/" + show.key["short"]
    s3_lines = [s3(show, "long", "198.51.100.1"),  # 1
                s3(show, "long", "198.51.100.1"),  # same listener, same day: 0
                s3(show, "long", "198.51.100.2", method="HEAD"),  # 0
                s3(show, "long", "198.51.100.3", status=304, sent=0),  # 0
                s3(show, "long", "198.51.100.4", agent="AhrefsBot/7.0"),  # 0
                s3(show, "short", "2001:db8:9::1"), s3(show, "short", "2001:db8:9::2"),  # 1
                s3(show, "long", "198.51.100.5", when=OLD_DAY)]  # 1, another (settled) day
    combined = [combined_line(DAY, "198.51.100.6", "GET", path_long, 206, half,
                              "AntennaPod/3.4.0"),
                combined_line(DAY, "198.51.100.6", "GET", path_long, 206, half,
                              "AntennaPod/3.4.0"),  # the two pass the mark: 1
                combined_line(DAY, "198.51.100.7", "GET", path_long, 206, half,
                              "AntennaPod/3.4.0"),  # one half: 0
                combined_line(DAY, "198.51.100.8", "GET", "/index.html", 200, 9000,
                              APPLE)]  # not an episode's audio: 0
    cf = [cloudfront_line(DAY, "198.51.100.9", "GET", path_short, 206, 2, APPLE, (0, 1)),  # 0
          cloudfront_line(DAY, "198.51.100.9", "GET", path_short, 200, show.size["short"],
                          "PocketCasts/1.0")]  # 1
    show.log("s3/2026-10-31-09-00-00-ABC", s3_lines)
    show.log("web/access.log", combined)
    show.log("cf/E123.2026-10-31-09.abc.gz", cf, gz=True, header=CF_HEADER)
    code, doc, err = show.stats("--by", "app")
    assert code == 0, err
    got = {e["episode"]: e["downloads"] for e in doc["stats"]["episodes"]}
    assert got == {"long": 3, "short": 2}
    assert doc["stats"]["totals"] == {"Apple Podcasts": 3, "AntennaPod": 1, "Pocket Casts": 1}
    assert doc["stats"]["read"]["files_read"] == 3
    # the same counts by month, and only what --since/--until/--episode ask for
    assert show.downloads("--by", "month") == {"long": 3, "short": 2}
    assert show.downloads("--since", "2026-10-30") == {"long": 2, "short": 2}
    assert show.downloads("--until", "2026-10-30") == {"long": 1}
    assert show.downloads("--episode", "episodes/short.yaml") == {"short": 2}


def test_a_log_file_read_twice_counts_once_and_new_files_are_read(show):
    show.log("a.log", [s3(show, "long", "203.0.113.5")])
    assert show.downloads() == {"long": 1}
    code, doc, _ = show.stats()
    assert code == 0
    assert doc["stats"]["read"] == {**doc["stats"]["read"], "files_read": 0, "files_known": 1}
    shutil.copy(show.root / "logs" / "a.log", show.root / "logs" / "copy-of-a.log")
    (show.root / "logs" / "a.log").touch()
    assert show.downloads() == {"long": 1}
    show.log("b.log", [s3(show, "long", "203.0.113.6")])
    _code, doc, _ = show.stats()
    assert doc["stats"]["read"]["files_read"] == 1
    assert {e["episode"]: e["downloads"] for e in doc["stats"]["episodes"]} == {"long": 2}


def test_a_growing_access_log_is_read_from_where_it_stopped(show):
    path_long = "/" + show.key["long"]
    first = combined_line(DAY, "203.0.113.5", "GET", path_long, 200, show.size["long"], APPLE)
    show.log("access.log", [first])
    assert show.downloads() == {"long": 1}
    second = combined_line(DAY, "203.0.113.6", "GET", path_long, 200, show.size["long"], APPLE)
    with (show.root / "logs" / "access.log").open("a") as fh:
        fh.write(second + "\n")
    _code, doc, _ = show.stats()
    assert doc["stats"]["read"]["requests"] == 1
    assert doc["stats"]["episodes"][0]["downloads"] == 2


def test_malformed_lines_are_skipped_and_named_never_a_traceback(show):
    good = s3(show, "long", "203.0.113.5")
    show.log("a.log", [good, "this is not a log line", good.replace("[", "(", 1), "\x00\xff"])
    code, doc, err = show.stats()
    assert code == 0
    assert doc["stats"]["episodes"][0]["downloads"] == 1
    read = doc["stats"]["read"]
    assert read["skipped_lines"] == 3
    assert read["skipped_examples"][0].startswith("a.log:2: ")
    assert "a.log:2:" in err and "skipped" in err


def test_no_address_is_kept_or_printed(show):
    ips = ["203.0.113.77", "2001:db8:77::1"]
    show.log("a.log", [s3(show, "long", ip) for ip in ips])
    _code, doc, err = show.stats()
    text = json.dumps(doc) + err
    stored = (show.root / ".syndicate" / STATS_FILE).read_bytes()
    for ip in ips:
        assert ip not in text
        assert ip.encode() not in stored and ip.encode("utf-16-le") not in stored
    assert b"2001:db8:77::" not in stored


def test_without_stats_logs_the_command_says_what_to_set(show):
    (show.root / "config.yaml").write_text(BASE_CONFIG)
    code, _doc, err = show.stats()
    assert code == 1 and "'stats.logs' is not set" in err


@pytest.mark.parametrize("value,expected", [
    ("logs: http://example.test/logs", "'stats.logs'"),
    ("logs: s3://bucket/a/../b", "'stats.logs'"),
    ("format: w3c", "'stats.format'"),
])
def test_a_wrong_stats_setting_is_refused_with_its_line(show, value, expected):
    (show.root / "config.yaml").write_text(BASE_CONFIG + "stats:\n  " + value + "\n")
    code, _doc, err = show.stats()
    line = BASE_CONFIG.count("\n") + 2
    assert code == 2
    assert f"config.yaml:{line}: {expected}" in err


def test_a_bad_day_or_episode_is_one_clear_error(show):
    show.log("a.log", [s3(show, "long", "203.0.113.5")])
    result = CliRunner().invoke(main, ["--config", str(show.root / "config.yaml"), "stats",
                                       "--since", "yesterday"])
    assert result.exit_code == 2 and "'--since'" in result.output
    code, _doc, err = show.stats("--episode", "no-such-episode")
    assert code == 1 and "no-such-episode" in err


def test_a_days_salt_and_hashed_listeners_go_once_its_window_is_closed(show):
    """Hashes are kept only while late logs may still come (rules.SALT_DAYS): an old day's
    downloads are settled, its salt and its hashed listeners deleted; the counts stay."""
    import duckdb

    show.log("a.log", [s3(show, "long", "203.0.113.5", when=OLD_DAY),
                       s3(show, "long", "203.0.113.5")])
    assert show.downloads() == {"long": 2}
    con = duckdb.connect(str(show.root / ".syndicate" / STATS_FILE), read_only=True)
    try:
        salts = [str(r[0]) for r in con.execute("SELECT day FROM salts ORDER BY day").fetchall()]
        listens = [str(r[0]) for r in con.execute("SELECT day FROM listens").fetchall()]
    finally:
        con.close()
    assert salts == ["2026-10-31"] and listens == ["2026-10-31"]
    _one_a_day_and_nothing_kept(show)

def _one_a_day_and_nothing_kept(show) -> None:
    """Counted once both days' windows have closed: one download a day, and of either day
    nothing kept but its downloads (no salt, no hashed listener)."""
    import duckdb

    later = CliRunner().invoke(main, ["--config", str(show.root / "config.yaml"), "stats",
                                      "--json", "--now", "2026-11-20T00:00:00+00:00"])
    assert later.exit_code == 0, later.output
    doc = json.loads(later.stdout)
    assert doc["stats"]["episodes"][0]["by"] == {"2026-10-03": 1, "2026-10-31": 1}
    con = duckdb.connect(str(show.root / ".syndicate" / STATS_FILE), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM salts").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM listens").fetchone()[0] == 0
    finally:
        con.close()


def test_ranges_of_a_day_read_before_and_after_its_window_closed_make_one_download(show):
    """A listener's two ranges of one day, one read while the day is open (its listener kept
    hashed) and one read once it has closed: one download. Two ranges of a day already closed
    when its logs are first read (no listener of it ever kept), in two files of one run: one
    download. Nothing of either day is kept but its downloads."""

    half = show.needed["long"] // 2 + 1
    show.log("a.log", [s3(show, "long", "203.0.113.5", status=206, sent=half)])
    assert show.downloads() == {}
    # (the second range not the first's very line: a log beginning with the whole of one read
    # before is that log, rotated)
    show.log("b.log", [s3(show, "long", "203.0.113.5", status=206, sent=half + 1),
                       s3(show, "long", "203.0.113.6", status=206, sent=half, when=OLD_DAY)])
    show.log("c.log", [s3(show, "long", "203.0.113.6", status=206, sent=half, when=OLD_DAY)])
    _one_a_day_and_nothing_kept(show)


def test_an_open_days_requests_are_kept_summed_per_listener(show):
    """Two ranges of one listener and one of another read in a run, then one more of each in
    the next: the stats file keeps, for an open day, one summed row per listener and episode
    for each run, and the counts are those of all the requests."""
    import duckdb

    def kept() -> list[tuple]:
        con = duckdb.connect(str(show.root / ".syndicate" / STATS_FILE), read_only=True)
        try:
            return con.execute("SELECT sent FROM listens ORDER BY sent").fetchall()
        finally:
            con.close()

    third = show.needed["long"] // 3 + 1
    show.log("a.log", [s3(show, "long", "203.0.113.7", status=206, sent=third)] * 2
             + [s3(show, "long", "203.0.113.8", status=206, sent=third)])
    assert show.downloads() == {}
    assert kept() == [(third,), (2 * third,)]
    show.log("b.log", [s3(show, "long", "203.0.113.7", status=206, sent=third),
                       s3(show, "long", "203.0.113.8", status=206, sent=3)])
    assert show.downloads() == {"long": 1}
    assert kept() == [(3,), (third,), (third,), (2 * third,)]


def test_the_html_report_is_one_self_contained_page_with_a_chart_and_a_table_per_episode(show):
    from lxml import html as lxml_html

    show.log("a.log", [s3(show, "long", "203.0.113.5"), s3(show, "short", "203.0.113.5"),
                       s3(show, "long", "203.0.113.6", when=OLD_DAY)])
    report = show.root / "report.html"
    code, doc, _ = show.stats("--html", str(report))
    assert code == 0
    tree = lxml_html.fromstring(report.read_bytes())
    assert [h.text_content() for h in tree.iter("h2")] == ["Long one", "Short one"]
    tables = tree.findall(".//table")
    assert len(tables) == 2
    first = [[c.text_content() for c in r.iter("td")] for r in tables[0].iter("tr")][1:]
    assert first == [["2026-10-03", "1"], ["2026-10-31", "1"]]
    svg = tree.xpath("//*[local-name()='svg']")
    assert len(svg) == 1 and len(svg[0].xpath(".//*[local-name()='rect']")) == 2
    assert doc["stats"]["days"] == {"2026-10-03": 1, "2026-10-31": 2}
    # nothing is loaded from anywhere: no script, no linked file
    assert not tree.xpath("//script | //link | //img | //*[@src] | //*[@href]")
    bad = show.stats("--html", str(show.root / "no-such-folder" / "r.html"))
    assert bad[0] == 1 and "the report cannot be written" in bad[2]


def test_a_damaged_stats_file_is_one_error_naming_it(show):
    show.log("a.log", [s3(show, "long", "203.0.113.5")])
    (show.root / ".syndicate" / STATS_FILE).write_bytes(b"not a database at all" * 100)
    code, _doc, err = show.stats()
    assert code == 1
    assert f"{STATS_FILE}: not a stats file syndicate can use" in err and "move it away" in err


def _closed(show, slug: str, n: int, **kw) -> list[str]:
    """``n`` whole GETs of ``slug`` by ``n`` listeners on a day settled at once (a request read
    twice there would be a second download)."""
    return [s3(show, slug, f"198.51.100.{i + 1}", when=OLD_DAY + dt.timedelta(minutes=i), **kw)
            for i in range(n)]


def _stamp(path, seconds_before_now: float) -> None:
    at = dt.datetime.fromisoformat(NOW).timestamp() - seconds_before_now
    os.utime(path, (at, at))


def test_a_gzipped_or_crlf_copy_of_a_log_read_counts_once(show):
    """logrotate's compress (a.log -> a.log.1 -> a.log.1.gz) and a log converted to CRLF are
    the log already read: known, nothing counted twice."""
    lines = _closed(show, "long", 3)
    show.log("a.log", lines)
    assert show.downloads() == {"long": 3}
    logs = show.root / "logs"
    (logs / "a.log").rename(logs / "a.log.1")
    assert show.downloads() == {"long": 3}
    (logs / "a.log.1.gz").write_bytes(gzip.compress((logs / "a.log.1").read_bytes()))
    (logs / "a.log.1").unlink()
    code, doc, _ = show.stats()
    assert code == 0 and doc["stats"]["read"]["files_read"] == 0
    (logs / "b.log").write_bytes(("\r\n".join(lines) + "\r\n").encode())
    assert show.downloads() == {"long": 3}


def test_a_last_line_being_written_is_read_once_whole(show):
    """A local log changed a moment ago whose last line has no line end yet: its whole lines
    are counted, the last one left for the next run, which reads the log from it: every
    request once, nothing skipped. A log without a last line end that nobody writes any more
    is read whole at once."""
    lines = _closed(show, "long", 3)
    path = show.root / "logs" / "a.log"
    path.parent.mkdir()
    path.write_text(lines[0] + "\n" + lines[1][:200])
    _stamp(path, 5)
    code, doc, _ = show.stats()
    assert (code, doc["stats"]["read"]["requests"], doc["stats"]["read"]["skipped_lines"]) == \
        (0, 1, 0)
    with path.open("a") as fh:
        fh.write(lines[1][200:] + "\n" + lines[2] + "\n")
    _stamp(path, 3)
    _code, doc, _ = show.stats()
    assert (doc["stats"]["read"]["requests"], doc["stats"]["read"]["skipped_lines"]) == (2, 0)
    assert doc["stats"]["episodes"][0]["downloads"] == 3
    old = show.root / "logs" / "b.log"
    old.write_text("\n".join(_closed(show, "short", 2)))
    _stamp(old, 3600)
    assert show.downloads() == {"long": 3, "short": 2}


def test_a_log_that_grows_while_it_is_read_is_read_from_there_next_time(show, monkeypatch):
    """Lines written between the listing of the logs and the reading of one are read with it,
    and the next run starts after them: none read twice."""
    from syndicate.stats import store

    lines = _closed(show, "long", 4)
    show.log("a.log", lines[:2])
    listed = store.list_folder

    def list_then_write(folder):
        found = listed(folder)
        with (folder / "a.log").open("a") as fh:
            fh.write(lines[2] + "\n")
        return found

    monkeypatch.setattr(store, "list_folder", list_then_write)
    assert show.downloads() == {"long": 3}
    monkeypatch.setattr(store, "list_folder", listed)
    with (show.root / "logs" / "a.log").open("a") as fh:
        fh.write(lines[3] + "\n")
    _code, doc, _ = show.stats()
    assert doc["stats"]["read"]["requests"] == 1
    assert doc["stats"]["episodes"][0]["downloads"] == 4


def test_lines_of_a_grown_log_are_named_by_their_line_in_the_file(show):
    lines = _closed(show, "long", 3)
    show.log("a.log", lines[:2])
    assert show.downloads() == {"long": 2}
    with (show.root / "logs" / "a.log").open("a") as fh:
        fh.write(f"garbage\n{lines[2]}\nmore garbage\n")
    _code, doc, _ = show.stats()
    assert doc["stats"]["read"]["skipped_examples"] == [
        "a.log:3: not an S3 access log line (1 fields where an S3 access log line has at least "
        "17)", "a.log:5: not an S3 access log line (2 fields where an S3 access log line has at "
        "least 17)"]


def test_carriage_returns_alone_end_lines(show):
    """A log whose lines end with a carriage return alone (or mixed with line feeds): every
    line read, none glued to the one before."""
    lines = _closed(show, "long", 5)
    path = show.root / "logs" / "a.log"
    path.parent.mkdir()
    path.write_bytes((lines[0] + "\r" + lines[1] + "\n" + "\r".join(lines[2:]) + "\r").encode())
    _code, doc, _ = show.stats()
    assert (doc["stats"]["read"]["requests"], doc["stats"]["read"]["skipped_lines"]) == (5, 0)
    assert doc["stats"]["episodes"][0]["downloads"] == 5


def test_a_log_named_with_bytes_that_are_not_utf8_is_read_and_known(show):
    """A log copied from a system naming files in Latin-1: read, named with its byte escaped,
    and known the next time (no traceback)."""
    show.log("good.log", [s3(show, "long", "203.0.113.5")])
    bad = os.path.join(os.fsencode(show.root / "logs"), b"caf\xe9.log")
    with open(bad, "wb") as fh:
        fh.write(f"{s3(show, 'short', '203.0.113.6')}\nnot a line\n".encode())
    code, doc, _ = show.stats()
    assert code == 0, doc
    assert {e["episode"]: e["downloads"] for e in doc["stats"]["episodes"]} == \
        {"long": 1, "short": 1}
    assert doc["stats"]["read"]["skipped_examples"][0].startswith("caf\\xe9.log:2: ")
    _code, doc, _ = show.stats()
    assert doc["stats"]["read"]["files_known"] == 2 and doc["stats"]["read"]["files_read"] == 0


def test_a_byte_count_of_nineteen_digits_is_named_as_such(show):
    line = s3(show, "long", "203.0.113.5").replace(f" {show.size['long']} ",
                                                   " 1000000000000000000 ", 1)
    show.log("a.log", [line])
    _code, doc, _ = show.stats()
    assert "more digits than a byte count" in doc["stats"]["read"]["skipped_examples"][0]


def test_a_large_log_read_a_window_at_a_time_counts_as_one_read_whole(show, monkeypatch):
    """A local log larger than a few windows is read a window at a time by the compiled reader
    (never whole in memory): the same downloads, lines, skips and line numbers as read whole,
    CRLF line ends and a line longer than a window (skipped as such) among them; known by the
    same hash (its gzipped copy is the log read); grown, read from where it stopped."""
    from syndicate.stats import logbytes

    lines = _closed(show, "long", 40)
    body = []
    for i, line in enumerate(lines):
        body.append(line)
        if i % 7 == 3:
            body.append(f"garbage {i}")
        if i == 20:
            body.append("x" * 5000)  # (longer than a window)
    text = "\n".join(body[:30]) + "\r\n" + "\r\n".join(body[30:]) + "\n"
    docs = []
    for window in (2**30, 1024):
        monkeypatch.setattr(logbytes, "WINDOW", window)
        monkeypatch.setattr(logbytes, "LARGE", 2 * window)
        root = show.root.parent / f"w{window}"
        shutil.copytree(show.root, root)
        (root / "logs").mkdir()
        (root / "logs" / "a.log").write_text(text)
        _stamp(root / "logs" / "a.log", 3600)
        other = Show(root)
        code, doc, _ = other.stats()
        assert code == 0
        docs.append(doc["stats"])
        (root / "logs" / "a.log.gz").write_bytes(gzip.compress(text.encode()))
        code, doc, _ = other.stats()
        assert doc["stats"]["read"]["files_known"] == 2
        with (root / "logs" / "a.log").open("a") as fh:
            fh.write("\n".join([*_closed(show, "short", 3), "bad"]) + "\n")
        _stamp(root / "logs" / "a.log", 3600)
        code, doc, _ = other.stats()
        docs.append(doc["stats"])
    for whole, windows in ((docs[0], docs[2]), (docs[1], docs[3])):
        examples = [e.split(": ", 1) for e in whole["read"].pop("skipped_examples")]
        assert [e.split(": ", 1) for e in windows["read"].pop("skipped_examples")] == [
            [where, why if where != f"a.log:{body.index('x' * 5000) + 1}" or not engine.Scanner
             else
             "not an S3 access log line (over 1,024 bytes long)"] for where, why in examples]
        assert whole == windows
    assert docs[0]["downloads"] == 40 and docs[0]["read"]["skipped_lines"] == 7
    assert docs[1]["read"]["requests"] == 3 and docs[1]["read"]["skipped_lines"] == 1


def test_a_large_log_cut_short_while_it_is_read_counts_nothing(published, tmp_path,
                                                               monkeypatch):
    """A log truncated under the compiled reader (logrotate's copytruncate) half-way: one error,
    nothing counted, nothing marked read; the next run counts it whole."""
    from syndicate.stats import logbytes

    compiled_reader(monkeypatch, "compiled")
    shutil.copytree(published, tmp_path / "proj")
    show = Show(tmp_path / "proj")
    monkeypatch.setattr(logbytes, "WINDOW", 1024)
    monkeypatch.setattr(logbytes, "LARGE", 2048)
    lines = _closed(show, "long", 20)
    show.log("a.log", lines)
    path = show.root / "logs" / "a.log"
    _stamp(path, 3600)
    whole = path.read_bytes()
    pieces = logbytes.pieces

    def truncating(fh, start, stop, name):
        for n, piece in enumerate(pieces(fh, start, stop, name)):
            yield piece
            if n == 0:
                path.write_bytes(whole[:3000])

    monkeypatch.setattr(logbytes, "pieces", truncating)
    code, _doc, err = show.stats()
    assert code == 1 and "cut short" in err and "nothing was counted" in err
    monkeypatch.setattr(logbytes, "pieces", pieces)
    path.write_bytes(whole)
    _stamp(path, 3600)
    assert show.downloads() == {"long": 20}


def test_a_skipped_line_is_named_without_an_address_it_holds(show):
    """A damaged line with an address where its time or status should be: the warning and
    the JSON name the line and what is wrong, the address masked (IPv4 and IPv6)."""
    good = s3(show, "long", "203.0.113.5")
    clock = good[good.index("[") + 1:good.index("]")]
    show.log("a.log", [good.replace(clock, "198.51.100.77"),
                       good.replace(clock, "2001:db8:4:5::77"),
                       good.replace(" 200 ", " 10.1.2.3 ")])
    _code, doc, err = show.stats()
    out = json.dumps(doc) + err
    assert doc["stats"]["read"]["skipped_lines"] == 3 and "<address>" in out
    for address in ("198.51.100.77", "2001:db8:4:5::77", "10.1.2.3"):
        assert address not in out


def test_a_time_written_in_other_digits_is_skipped_as_a_status_would_be(show):
    good = s3(show, "long", "203.0.113.5")
    year = str(DAY.year)
    fullwidth = "".join(chr(0xFF10 + int(c)) for c in year)
    show.log("a.log", [good.replace(f"/{year}:", f"/{fullwidth}:", 1), good])
    _code, doc, _ = show.stats()
    assert doc["stats"]["read"]["skipped_lines"] == 1 and doc["stats"]["downloads"] == 1


@pytest.mark.parametrize("rotate", ["rename", "gzip", "crlf"])
def test_a_log_rotated_after_it_grew_is_read_from_where_it_was_read(show, rotate):
    """A log read, then grown, then rotated (renamed as logrotate does, gzipped, or converted to
    CRLF) while a new log starts under its name: the rotated one is known by its first line
    and read only past what was read of it; nothing counted twice."""
    lines = _closed(show, "long", 6)
    logs = show.root / "logs"
    show.log("access.log", lines[:3])
    assert show.downloads() == {"long": 3}
    with (logs / "access.log").open("a") as fh:
        fh.write("\n".join(lines[3:5]) + "\ngarbage\n")
    text = (logs / "access.log").read_bytes()
    (logs / "access.log").unlink()
    if rotate == "rename":
        (logs / "access.log.1").write_bytes(text)
    elif rotate == "gzip":
        (logs / "access.log.1.gz").write_bytes(gzip.compress(text))
    else:
        (logs / "access.log.1").write_bytes(text.replace(b"\n", b"\r\n"))
    show.log("access.log", lines[5:])
    _code, doc, _ = show.stats()
    assert doc["stats"]["read"]["requests"] == 3
    assert doc["stats"]["read"]["skipped_examples"][0].startswith("access.log.1")
    assert doc["stats"]["read"]["skipped_examples"][0].split(":")[1] == "6"
    assert {e["episode"]: e["downloads"] for e in doc["stats"]["episodes"]} == {"long": 6}


def test_a_large_log_whose_lines_end_with_carriage_returns_is_read_a_window_at_a_time(
        show, monkeypatch):
    from syndicate.stats import logbytes

    monkeypatch.setattr(logbytes, "WINDOW", 1024)
    monkeypatch.setattr(logbytes, "LARGE", 2048)
    lines = _closed(show, "long", 30)
    path = show.root / "logs" / "a.log"
    path.parent.mkdir()
    path.write_bytes(("\r".join(lines) + "\r").encode())
    _stamp(path, 3600)
    _code, doc, _ = show.stats()
    assert (doc["stats"]["read"]["requests"], doc["stats"]["read"]["skipped_lines"]) == (30, 0)
    assert doc["stats"]["downloads"] == 30


def test_a_log_and_a_link_to_it_are_read_once_as_it_grows(show):
    """A log reached under two names (a symbolic link beside it): read once, and once more
    for the lines it gains, not once a name."""
    lines = _closed(show, "long", 4)
    show.log("a.log", lines[:2])
    (show.root / "logs" / "b.log").symlink_to("a.log")
    assert show.downloads() == {"long": 2}
    with (show.root / "logs" / "a.log").open("a") as fh:
        fh.write("\n".join(lines[2:]) + "\n")
    _code, doc, _ = show.stats()
    assert doc["stats"]["read"]["requests"] == 2 and doc["stats"]["downloads"] == 4


def test_linked_and_deep_log_folders_are_read_each_once(show):
    """A log folder linked in (as a host's logs often are), a link back to the folder itself
    (read once, no loop), and a folder a thousand deep: every log read once, no traceback."""
    logs = show.root / "logs"
    show.log("a.log", [s3(show, "long", "203.0.113.5")])
    elsewhere = show.root.parent / "host-logs"
    elsewhere.mkdir()
    (elsewhere / "b.log").write_text(s3(show, "long", "203.0.113.6") + "\n")
    (logs / "host").symlink_to(elsewhere)
    (logs / "again").symlink_to(logs)
    chain = [logs]
    for _ in range(1200):  # (made and removed a level at a time: os.makedirs recurses)
        chain.append(chain[-1] / "d")
        chain[-1].mkdir()
    (chain[-1] / "c.log").write_text(s3(show, "long", "203.0.113.7") + "\n")
    try:
        _code, doc, _ = show.stats()
    finally:
        (chain[-1] / "c.log").unlink()
        for folder in reversed(chain[1:]):
            folder.rmdir()
    assert (doc["stats"]["read"]["files_read"], doc["stats"]["downloads"]) == (3, 3)
