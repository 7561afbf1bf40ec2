"""F20: an imported episode or post dated after the import's now (and a day) would wait, in
silence, until that date to be published. It is flagged, in the text report, in --json and in
the file's review:, as a WordPress post scheduled on the old site already is."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, DATA, bare_settings
from syndicate.importer import import_sources

IMPORT = DATA / "import"
NOW = "2026-11-01T12:00:00+00:00"
LATER = ("dated 2099-06-01, after today: it will not be published until then; fix the date")


def _import(proj, name, *extra):
    return proj.run("import", str(IMPORT / name), *extra, "--now", NOW,
                    "--config", str(proj.root / "config.yaml"))


def test_a_far_future_episode_is_flagged_in_the_report_json_and_sidecar(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    text = _import(proj, "podcast-future.xml", "--audio", "keep-url")
    assert text.exit_code == 0, text.output
    assert f"review   episodes/2099-06-01-episode-1.yaml: {LATER}" in text.output
    car = yaml.safe_load((proj.root / "episodes/2099-06-01-episode-1.yaml").read_text())
    assert LATER in car["review"]
    for other in (proj.root / "episodes").glob("2020-*.yaml"):
        assert "review" not in yaml.safe_load(other.read_text())
    for path in (proj.root / "episodes").iterdir():  # again, as JSON, afresh: without the
        path.unlink()  # catalog's record, deleted episodes would stay deleted
    (proj.root / ".syndicate/catalog.db").unlink()
    result = _import(proj, "podcast-future.xml", "--audio", "keep-url", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["created"]) == 4
    assert [(f["title"], f["reason"]) for f in report["flagged"]] == [("Episode 1", LATER)]


def test_a_far_future_feed_post_is_flagged_and_one_later_today_is_not(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    result = _import(proj, "blog-future.rss", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["created"]) == 3
    assert [(f["title"], f["reason"]) for f in report["flagged"]] == [
        ("Letter to the year ahead", LATER)]
    (path,) = (proj.root / "posts").glob("2099-*.md")
    assert f"review: '{LATER}'" in path.read_text() or f"review: {LATER}" in path.read_text()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(minutes=st.integers(-60 * 24 * 400, 60 * 24 * 400),
       zone=st.integers(-12 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m))),
       episode=st.booleans())
def test_an_item_is_flagged_exactly_when_dated_more_than_a_day_ahead(minutes, zone, episode):
    now = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    when = (now + dt.timedelta(minutes=minutes)).astimezone(zone)
    written = email.utils.format_datetime(when)
    item = (f"<item><title>Item</title><guid>urn:x</guid><pubDate>{written}</pubDate>"
            "<description>Some words of the item, enough of them to be a post.</description>"
            + ('<enclosure url="https://old.example/a.mp3" length="1000" type="audio/mpeg"/>'
               "<itunes:duration>60</itunes:duration>" if episode else "") + "</item>")
    doc = ('<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
           "<channel><title>Old</title><link>https://old.example/</link>"
           f"<description>x</description>{item}</channel></rss>")
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = bare_settings(tmp)
        src = Path(tmp) / "feed.xml"
        src.write_text(doc, encoding="utf-8")
        report = import_sources(settings_, [str(src)], audio="keep-url", now=now)
        assert report.errors == [] and len(report.created) == 1
        ahead = when.replace(second=0) > now + dt.timedelta(days=1)
        reasons = [f["reason"] for f in report.flagged if "after today" in f["reason"]]
        assert bool(reasons) == ahead, (written, reasons)
        if ahead:
            assert reasons == [f"dated {when.astimezone(dt.UTC):%Y-%m-%d}, after today: it will "
                               "not be published until then; fix the date"]
