"""Released items and source changes: a date edit or a time zone change never takes a released
item down (it stays published under the date it was released with, and the run warns naming the
file and line of its date); draft: true does, and counts against max_deletes like a removal."""

from __future__ import annotations

import datetime as dt
import io
import re
import time

import feedparser
import podcastparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, post, sidecar, tone

URL = "https://example.test/"


def _live(proj) -> dict[str, dict]:
    """What the live site holds, read back as a listener's app would: title -> entry details.
    Every entry's page is there, and every enclosure is present at its stated length."""
    rss = feedparser.parse(proj.read("feed.xml"))
    atom = feedparser.parse(proj.read("atom.xml"))
    assert not rss.bozo and not atom.bozo
    assert [e.title for e in rss.entries] == [e.title for e in atom.entries]
    out = {}
    for e in rss.entries:
        assert proj.public(e.link.removeprefix(URL) + "index.html").is_file()
        out[e.title] = {"published": dt.datetime(*e.published_parsed[:6], tzinfo=dt.UTC)}
    pod = podcastparser.parse(URL + "podcast.xml", io.BytesIO(proj.read("podcast.xml")))
    for ep in pod["episodes"]:
        enclosure = ep["enclosures"][0]
        media = proj.public(enclosure["url"].removeprefix(URL))
        assert media.stat().st_size == enclosure["file_size"]
        assert proj.public(ep["link"].removeprefix(URL) + "index.html").is_file()
        out[ep["title"]] = {"published": dt.datetime.fromtimestamp(ep["published"], dt.UTC),
                            "media": media.name}
    return out


def _status(proj) -> dict[str, tuple[str, str]]:
    """title -> (state, release time in UTC) from `syndicate status`."""
    result = proj.run("status")
    assert result.exit_code == 0, result.output
    rows = {}
    for line in result.output.splitlines()[1:]:
        fields = re.split(r"\s{2,}", line.rsplit("  [", 1)[0].strip())
        if fields[0] in ("post", "episode"):
            rows[fields[-1]] = (fields[1], fields[3])
    return rows


def _project(make_project, config: str = BASE_CONFIG):
    return make_project({
        "posts/kept.md": post("Kept post", date="2026-10-01 09:00"),
        "posts/other.md": post("Other post", date="2026-10-05"),
        "episodes/kept.yaml": sidecar("Kept episode", date="2026-10-02 08:00"),
        "episodes/kept.mp3": tone(1.0),
    }, config=config)


def test_a_future_date_on_a_released_item_keeps_it_published(make_project):
    proj = _project(make_project)
    assert proj.run("publish").exit_code == 0
    before = _live(proj)
    assert {"Kept post", "Kept episode", "Other post"} <= before.keys()

    # a year typo on both
    proj.write("posts/kept.md", post("Kept post", date="2027-10-01 09:00"))
    proj.write("episodes/kept.yaml", sidecar("Kept episode", date="2027-10-02 08:00"))
    result = proj.run("publish")
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert "deleted 0" in result.output
    for name, line in (("posts/kept.md", 3), ("episodes/kept.yaml", 2)):
        assert re.search(rf"Warning: {re.escape(name)}:{line}: date 2027-10-0\d 0\d:00 \S+ is "
                         r"in the future, but this (post|episode) was already released on "
                         r".*set draft: true or delete the file", result.output), result.output
    after = _live(proj)
    # still live, under the date it was released with (a future pubDate confuses podcast apps),
    # with the same MP3 (its tags were not rewritten with the future year)
    assert after == before
    assert after["Kept post"]["published"] == dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)
    states = _status(proj)
    assert states["Kept post"] == ("released", "2026-10-01 08:00")
    assert states["Kept episode"] == ("released", "2026-10-02 07:00")

    # every run says so until the date is fixed, and changes nothing
    again = proj.run("publish")
    assert "posts/kept.md:3: date 2027-10-01 09:00" in again.output
    assert "wrote 0 files" in again.output and "deleted 0" in again.output
    assert _live(proj) == before

    # a past date is an ordinary edit: taken, no warning
    proj.write("posts/kept.md", post("Kept post", date="2026-09-20 09:00"))
    fixed = proj.run("publish")
    assert fixed.exit_code == 0, fixed.output
    assert "posts/kept.md:3" not in fixed.output
    assert _live(proj)["Kept post"]["published"] == dt.datetime(2026, 9, 20, 8, 0, tzinfo=dt.UTC)
    assert _status(proj)["Kept post"] == ("released", "2026-09-20 08:00")


def test_a_zone_change_does_not_take_a_released_item_down(make_project):
    # 06:00 in London is 06:00 UTC; in Etc/GMT+12 it is 18:00 UTC, after "now" (12:00 UTC)
    proj = make_project({
        "posts/today.md": post("Today", date="2026-11-01 06:00"),
        "episodes/today.yaml": sidecar("Today's episode", date="2026-11-01 06:30"),
        "episodes/today.mp3": tone(1.0),
    })
    assert proj.run("publish").exit_code == 0
    before = _live(proj)
    assert {"Today", "Today's episode"} <= before.keys()

    proj.write("config.yaml", BASE_CONFIG.replace("Europe/London", "Etc/GMT+12"))
    result = proj.run("publish")
    assert result.exit_code in (0, 1), result.output
    assert "deleted 0" in result.output
    assert "Warning: posts/today.md:3: date 2026-11-01 06:00 -12 is in the future" \
        in result.output
    assert "Warning: episodes/today.yaml:2: date 2026-11-01 06:30 -12 is in the future" \
        in result.output
    assert _live(proj) == before
    states = _status(proj)
    assert states["Today"] == ("released", "2026-11-01 06:00")
    assert states["Today's episode"] == ("released", "2026-11-01 06:30")


def test_an_item_released_later_than_its_date_is_not_affected(make_project):
    """An item not yet released whose date moves into the future simply waits (no warning)."""
    proj = make_project({"posts/soon.md": post("Soon", date="2026-12-01")})
    assert proj.run("publish").exit_code == 0
    proj.write("posts/soon.md", post("Soon", date="2027-01-01"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "already released" not in result.output
    assert "Soon" not in _live(proj)
    assert _status(proj)["Soon"][0] == "queued"


def test_draft_true_takes_a_released_item_down(make_project):
    proj = _project(make_project)
    assert proj.run("publish").exit_code == 0
    media = _live(proj)["Kept episode"]["media"]
    proj.write("posts/kept.md", post("Kept post", date="2026-10-01 09:00", draft="true"))
    proj.write("episodes/kept.yaml", sidecar("Kept episode", date="2026-10-02 08:00",
                                             draft="true"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    live = _live(proj)
    assert "Kept post" not in live and "Kept episode" not in live and "Other post" in live
    assert not proj.public("posts/kept").exists()
    assert not proj.public(f"media/{media}").exists()
    assert _status(proj)["Kept post"][0] == "draft"


def test_drafts_of_released_items_count_against_max_deletes(make_project):
    config = BASE_CONFIG + "max_deletes: 1\n"
    proj = make_project({f"posts/p{i}.md": post(f"P{i}") for i in range(3)}, config=config)
    assert proj.run("publish").exit_code == 0
    for i in range(3):
        proj.write(f"posts/p{i}.md", post(f"P{i}", draft="true"))
    held = proj.run("publish")
    assert held.exit_code == 1
    assert "3 published items are gone from their sources, more than max_deletes (1)" \
        in held.output
    # kept live, feed entries and pages alike, until --force
    assert {"P0", "P1", "P2"} <= _live(proj).keys()
    forced = proj.run("publish", "--force")
    assert forced.exit_code == 0, forced.output
    assert not {"P0", "P1", "P2"} & _live(proj).keys()
    assert not proj.public("posts/p0").exists()


_BLOG_ONLY = BASE_CONFIG.replace("  timezone: Europe/London\n", "  timezone: {zone}\n")


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(when=st.datetimes(min_value=dt.datetime(2026, 11, 3), max_value=dt.datetime(9998, 12, 31)),
       with_time=st.booleans(),
       zone=st.sampled_from(["Europe/London", "Etc/GMT+12", "Etc/GMT-14", "America/St_Johns"]))
def test_any_future_date_or_zone_keeps_a_released_post(tmp_path_factory, when,
                                                       with_time, zone):
    import conftest

    started = time.monotonic()
    proj = conftest.Project(tmp_path_factory.mktemp("p"))
    proj.write("config.yaml", BASE_CONFIG)
    proj.write("cover.png", conftest.png_bytes(1400, 1400))
    proj.write("posts/a.md", post("A", date="2026-10-31 23:30"))
    assert proj.run("publish").exit_code == 0
    before = _live(proj)
    text = f"{when:%Y-%m-%d %H:%M}" if with_time else f"{when:%Y-%m-%d}"
    proj.write("posts/a.md", post("A", date=text))
    proj.write("config.yaml", _BLOG_ONLY.format(zone=zone))
    result = proj.run("publish")
    assert result.exit_code in (0, 1), result.output
    assert "deleted 0" in result.output
    assert _live(proj) == before
    assert _status(proj)["A"][0] == "released"
    assert time.monotonic() - started < 30


def test_a_released_item_an_older_version_took_down_comes_back(make_project):
    """A catalog where a released item already holds a future date (an older syndicate took it
    down on such an edit) brings it back, dated when it first went out."""
    import sqlite3

    proj = _project(make_project)
    assert proj.run("publish").exit_code == 0
    proj.write("posts/kept.md", post("Kept post", date="2027-10-01 09:00"))
    conn = sqlite3.connect(proj.root / ".syndicate/catalog.db")
    with conn:  # what the older version recorded: the new date, read already
        conn.execute("UPDATE items SET date = '2027-10-01T08:00:00+00:00', sig = 'old' "
                     "WHERE source = 'posts/kept.md'")
    conn.close()
    result = proj.run("publish")
    assert "Warning: posts/kept.md:3: date 2027-10-01 09:00 BST is in the future" \
        in result.output
    live = _live(proj)
    assert live["Kept post"]["published"] == dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    assert _status(proj)["Kept post"] == ("released", "2026-11-01 12:00")
