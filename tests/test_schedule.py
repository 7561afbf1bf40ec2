"""Queueing releases and releasing them: the CLI, the release pass and the scheduler, with the
clock injected (no long sleeps)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest

from conftest import BASE_CONFIG, NOW, NOW_DT, post, sidecar, tone, wait_until
from syndicate.config import load_config
from syndicate.runner import Runner


def _titles(proj, feed="feed.xml") -> list[str]:
    path = proj.public(feed)
    if not path.exists():
        return []
    return [e.title for e in feedparser.parse(path.read_bytes()).entries]


def _status(proj, now=NOW) -> dict[str, dict]:
    result = proj.run("status", "--json", now=now)
    assert result.exit_code == 0, result.output
    return {o["source"]: o for o in json.loads(result.output)}


def _at(minutes: float) -> str:
    return (NOW_DT + dt.timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def proj(make_project):
    p = make_project({"posts/old.md": post("Old post", date="2026-10-01"),
                      "posts/winter.md": post("Winter plans", date="2026-12-24")})
    assert p.run("publish").exit_code == 0  # the old post is out; winter waits for its date
    return p


def test_a_queued_post_stays_unpublished_until_its_time(proj):
    result = proj.run("queue", "posts/winter.md", "--at", "2026-11-02 09:30")
    assert result.exit_code == 0, result.output
    assert "Queued post 'Winter plans' [posts/winter.md] for 2026-11-02 09:30 GMT" in result.output
    assert proj.run("publish").exit_code == 0
    assert _titles(proj) == ["Old post"]
    assert not proj.public("posts/winter/index.html").exists()
    state = _status(proj)["posts/winter.md"]
    assert state["state"] == "queued" and state["release_utc"] == "2026-11-02T09:30:00+00:00"
    assert state["seconds_left"] == 21 * 3600 + 30 * 60
    assert proj.run("release-due", now=_at(60)).output.strip() == "Nothing is due"
    done = proj.run("release-due", now="2026-11-02T09:30:00+00:00")
    assert done.exit_code == 0 and "Released post 'Winter plans'" in done.output
    assert _titles(proj) == ["Winter plans", "Old post"]
    entry = feedparser.parse(proj.read("feed.xml")).entries[0]
    assert entry.published_parsed[:5] == (2026, 11, 2, 9, 30)  # dated when it was released
    assert _status(proj, now="2026-11-02T10:00:00+00:00")["posts/winter.md"]["state"] == \
        "released"


def test_releasing_twice_publishes_once(proj):
    proj.run("queue", "winter", "--at", "2026-11-01 13:00")
    first = proj.run("release-due", now="2026-11-01T13:00:05+00:00")
    assert "Released post 'Winter plans'" in first.output
    stamp = proj.public("feed.xml").stat().st_mtime_ns
    again = proj.run("release-due", now="2026-11-01T13:00:06+00:00")
    assert again.output.strip() == "Nothing is due"
    assert proj.public("feed.xml").stat().st_mtime_ns == stamp
    assert _titles(proj).count("Winter plans") == 1


def test_queueing_again_moves_and_unqueue_holds_back(proj):
    proj.run("queue", "posts/winter.md", "--at", "2026-11-05 09:00")
    moved = proj.run("queue", "posts/winter.md", "--at", "2026-11-03T08:00:00Z")
    assert "(moved from 2026-11-05 09:00 UTC)" in moved.output
    assert _status(proj)["posts/winter.md"]["release_utc"] == "2026-11-03T08:00:00+00:00"
    held = proj.run("unqueue", "posts/winter.md")
    assert held.exit_code == 0 and "held back until queued again" in held.output
    assert _status(proj)["posts/winter.md"]["state"] == "draft"
    assert proj.run("release-due", now="2026-11-04T00:00:00+00:00").output.strip() == \
        "Nothing is due"
    proj.run("publish", now="2026-11-04T00:00:00+00:00")
    assert "Winter plans" not in _titles(proj)
    proj.run("queue", "posts/winter.md", "--at", "now", now="2026-11-04T00:00:00+00:00")
    proj.run("release-due", now="2026-11-04T00:00:00+00:00")
    assert "Winter plans" in _titles(proj)


def test_a_future_dated_item_is_queued_by_its_date(proj):
    proj.write("posts/later.md", post("Later", date="2026-11-20 07:00"))
    proj.run("publish")
    later = _status(proj)["posts/later.md"]
    assert later["state"] == "queued" and later["release_utc"] == "2026-11-20T07:00:00+00:00"
    assert "Later" not in _titles(proj)
    assert "Released post 'Later'" in proj.run("release-due", now="2026-11-20T07:00:00Z").output


@pytest.mark.parametrize("item,when,message", [
    ("posts/nope.md", "2026-11-02 09:00", "no post or episode is known as 'posts/nope.md'"),
    ("winter", "2026-10-30 09:00", "is in the past; nothing was queued. Use --at now"),
    ("winter", "next tuesday", "'next tuesday' is not a date and time; use 'now'"),
    ("winter", "2026-11-31 09:00", "is not a valid date and time (day is out of range"),
    ("winter", "2027-03-28 01:30", "2027-03-28 01:30 does not exist in Europe/London: that night "
     "the clocks go forward from 01:00 to 02:00; choose a time before 01:00 or from 02:00"),
    ("winter", "2027-10-31 01:30", "2027-10-31 01:30 happens twice in Europe/London (the clocks "
     "go back that night); write 2027-10-31T01:30+01:00 for the first (BST) or "
     "2027-10-31T01:30+00:00 for the second (GMT)"),
    ("old", "2026-11-02 09:00", "was already released on 2026-11-01 12:00 UTC"),
])
def test_bad_queue_requests_are_refused_and_change_nothing(proj, item, when, message):
    proj.run("publish")
    before = _status(proj)
    result = proj.run("queue", item, "--at", when)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert _status(proj) == before


def test_an_explicit_offset_picks_one_side_of_the_autumn_change(proj):
    result = proj.run("queue", "winter", "--at", "2027-10-31T01:30+00:00")
    assert result.exit_code == 0
    assert "for 2027-10-31 01:30 GMT (2027-10-31 01:30 UTC)" in result.output


def test_a_failed_release_stays_due_shows_why_and_backs_off(proj, make_project):
    proj.run("queue", "winter", "--at", "2026-11-01 13:00")
    good = (proj.root / "config.yaml").read_text()
    proj.write("public/posts/winter", "a file where the post's folder must go")
    first = proj.run("release-due", now="2026-11-01T13:00:00Z")
    assert first.exit_code == 1
    assert "Error: release failed:" in first.output
    assert "next attempt at 2026-11-01 13:00:30 UTC" in first.output
    state = _status(proj, now="2026-11-01T13:00:10Z")["posts/winter.md"]
    assert state["state"] == "failed" and state["next_attempt"].startswith("2026-11-01T13:00:30")
    assert state["reason"]
    text = proj.run("status", now="2026-11-01T13:00:10Z").output
    assert "failed: " in text and "next attempt 2026-11-01T13:00:30 UTC" in text
    second = proj.run("release-due", now="2026-11-01T13:00:30Z")
    assert "next attempt at 2026-11-01 13:01:30 UTC" in second.output  # 60 s: doubled
    (proj.root / "public/posts/winter").unlink()
    assert (proj.root / "config.yaml").read_text() == good
    third = proj.run("release-due", now="2026-11-01T13:01:30Z")
    assert third.exit_code == 0 and "Released post 'Winter plans'" in third.output
    assert _status(proj, now="2026-11-01T13:02:00Z")["posts/winter.md"]["state"] == "released"


def test_a_corrupt_catalog_is_a_clean_error_for_every_release_command(proj):
    proj.write(".syndicate/catalog.db", b"not a database at all" * 100)
    for args in (("queue", "winter", "--at", "now"), ("unqueue", "winter"), ("release-due",),
                 ("status",), ("run",)):
        result = proj.run(*args)
        assert result.exit_code == 1, args
        assert "the catalog cannot be opened" in result.output, args
        assert "Traceback" not in result.output


def test_a_publish_in_progress_elsewhere_is_named(proj):
    import subprocess
    import sys

    proj.run("queue", "winter", "--at", "now")
    lock = proj.root / ".syndicate/publish.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from syndicate.locks import process_lock\n"
         f"with process_lock(Path({str(lock)!r}), 'a publish'):\n"
         "    print('held', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = proj.run("release-due")
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert f"a publish is already in progress, held by pid {holder.pid}" in result.output
    assert "Winter plans" not in _titles(proj)
    assert _status(proj)["posts/winter.md"]["state"] == "failed"  # recorded, retried later
    assert "Released post 'Winter plans'" in proj.run("release-due").output


# -- pings -------------------------------------------------------------------------------------
def test_a_release_pings_the_hubs_and_pubnotify(make_project, recorder):
    config = BASE_CONFIG + (f"notify:\n  websub_hubs: [{recorder.url}/hub]\n"
                            f"  pubnotify: {recorder.url}/pubnotify\n")
    proj = make_project({"posts/a.md": post("A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(2.0)}, config=config)
    assert proj.run("publish").exit_code == 0
    assert b'rel="hub"' in proj.read("feed.xml") and b'rel="hub"' in proj.read("podcast.xml")
    assert f'href="{recorder.url}/hub"'.encode() in proj.read("atom.xml")
    calls = [(m, urlsplit(p).path, parse_qs(urlsplit(p).query), parse_qs(b.decode()))
             for m, p, b in recorder.requests]
    hub_urls = sorted(c[3]["hub.url"][0] for c in calls if c[1] == "/hub")
    assert hub_urls == ["https://example.test/atom.xml", "https://example.test/feed.xml",
                        "https://example.test/podcast.xml"]
    assert all(c[3]["hub.mode"] == ["publish"] for c in calls if c[1] == "/hub")
    assert [c[2] for c in calls if c[1] == "/pubnotify"] == [
        {"url": ["https://example.test/podcast.xml"]}]
    recorder.requests.clear()
    assert proj.run("publish").exit_code == 0
    assert recorder.requests == []  # nothing released, nobody told


def test_a_failing_hub_is_a_warning_not_a_failed_release(make_project, recorder):
    recorder.status = 500
    config = BASE_CONFIG + f"notify:\n  websub_hubs: [{recorder.url}/hub]\n"
    proj = make_project({"posts/a.md": post("A", date="2026-11-01 12:30")}, config=config)
    result = proj.run("release-due", now="2026-11-01T12:30:00Z")
    assert result.exit_code == 0
    assert f"Warning: ping {recorder.url}/***: answered HTTP 500" in result.output
    assert _titles(proj) == ["A"]


# -- the scheduler, with the clock injected --------------------------------------------------------
class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_scheduler_rebuilds_from_the_catalog_and_releases_at_the_time(proj):
    proj.run("queue", "winter", "--at", "2026-11-01 15:00")
    settings = load_config(proj.root / "config.yaml")
    clock = Clock(NOW_DT)
    runner = Runner(settings, clock=clock, blocking=False)
    runner.reschedule()
    assert runner.next_at == dt.datetime(2026, 11, 1, 15, 0, tzinfo=dt.UTC)
    clock.now = dt.datetime(2026, 11, 1, 15, 0, 0, 200000, tzinfo=dt.UTC)
    runner.release()
    assert "Winter plans" in _titles(proj)
    assert runner.next_at is None and runner.releases == 1
    runner.release()  # woken again by mistake: nothing is due, nothing is published
    assert runner.releases == 1


def test_missed_releases_go_out_at_start_in_one_publish(proj):
    for i, minute in enumerate((5, 10, 20)):
        proj.write(f"posts/p{i}.md", post(f"Missed {i}"))
        assert proj.run("queue", f"posts/p{i}.md", "--at", _at(minute)).exit_code == 0
    proj.run("publish")
    settings = load_config(proj.root / "config.yaml")
    runner = Runner(settings, clock=Clock(NOW_DT + dt.timedelta(hours=3)), blocking=False)
    runner.start()
    try:
        assert wait_until(lambda: runner.releases >= 1)
        assert wait_until(lambda: runner.next_at == dt.datetime(2026, 12, 24, tzinfo=dt.UTC))
    finally:
        runner.stop()
    assert runner.releases == 1
    assert {"Missed 0", "Missed 1", "Missed 2"} <= set(_titles(proj))


def test_a_queue_change_while_running_takes_effect_within_seconds(proj):
    proj.write("config.yaml", (proj.root / "config.yaml").read_text()
               + "scheduler:\n  poll_seconds: 0.5\n")
    settings = load_config(proj.root / "config.yaml")
    clock = Clock(NOW_DT)
    runner = Runner(settings, clock=clock, blocking=False)
    runner.start()
    try:
        assert runner.next_at == dt.datetime(2026, 12, 24, tzinfo=dt.UTC)  # winter's own date
        proj.run("queue", "winter", "--at", _at(30))
        assert wait_until(lambda: runner.next_at == NOW_DT + dt.timedelta(minutes=30), timeout=5)
        proj.run("queue", "winter", "--at", _at(45))
        assert wait_until(lambda: runner.next_at == NOW_DT + dt.timedelta(minutes=45), timeout=5)
        proj.run("unqueue", "winter")
        assert wait_until(lambda: runner.next_at is None, timeout=5)
        # a new file with a future date, dropped into posts/ with no command run
        proj.write("posts/dropped.md", post("Dropped in", date=_at(50)[:16].replace("T", " ")))
        assert wait_until(lambda: runner.next_at == NOW_DT + dt.timedelta(minutes=50), timeout=5)
    finally:
        runner.stop()


def test_a_failed_release_is_retried_by_the_scheduler(proj):
    proj.run("queue", "winter", "--at", _at(1))
    proj.write("public/posts/winter", "in the way")
    settings = load_config(proj.root / "config.yaml")
    clock = Clock(NOW_DT + dt.timedelta(minutes=1))
    runner = Runner(settings, clock=clock, blocking=False)
    runner.release()
    assert runner.next_at == clock.now + dt.timedelta(seconds=30)
    (proj.root / "public/posts/winter").unlink()
    clock.now += dt.timedelta(seconds=30)
    runner.release()
    assert "Winter plans" in _titles(proj)


def test_two_release_passes_at_once_publish_once(proj, recorder):
    proj.write("config.yaml", (proj.root / "config.yaml").read_text()
               + f"notify:\n  websub_hubs: [{recorder.url}/hub]\n")
    proj.run("queue", "winter", "--at", _at(1))
    settings = load_config(proj.root / "config.yaml")
    from syndicate.release import release_due

    outcomes = []
    when = NOW_DT + dt.timedelta(minutes=1)
    threads = [threading.Thread(target=lambda: outcomes.append(
        release_due(settings, now=when))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(o.released) for o in outcomes) == 1
    assert not any(o.error for o in outcomes)
    told = [parse_qs(b.decode())["hub.url"][0] for _, _, b in recorder.requests]
    # each changed feed told once: rss and atom (the release), the podcast feed (the config
    # added the hub, which its channel now names)
    assert sorted(told) == ["https://example.test/atom.xml", "https://example.test/feed.xml",
                            "https://example.test/podcast.xml"]


def test_several_items_are_queued_together_or_not_at_all(proj):
    proj.write("posts/spring.md", post("Spring plans", date="2027-03-01"))
    bad = proj.run("queue", "winter", "posts/spring.md", "posts/nope.md", "--at",
                   "2026-11-03 09:00")
    assert bad.exit_code == 1 and "'posts/nope.md'" in bad.output
    states = _status(proj)
    assert states["posts/winter.md"]["release_utc"].startswith("2026-12-24")
    assert states["posts/spring.md"]["release_utc"].startswith("2027-03-01")
    good = proj.run("queue", "winter", "posts/spring.md", "--at", "2026-11-03 09:00")
    assert good.exit_code == 0 and good.output.count("Queued post") == 2
    assert {s["release_utc"] for s in _status(proj).values() if s["state"] == "queued"} == {
        "2026-11-03T09:00:00+00:00"}


def test_a_release_never_goes_out_a_fraction_of_a_second_early(proj):
    assert proj.run("queue", "winter", "--at", "2026-11-02T09:30:00.700+00:00").exit_code == 0
    early = proj.run("release-due", now="2026-11-02T09:30:00.200+00:00")
    assert early.output.strip() == "Nothing is due"
    proj.run("publish", now="2026-11-02T09:30:00.200+00:00")
    assert "Winter plans" not in _titles(proj)
    on_time = proj.run("release-due", now="2026-11-02T09:30:00.700+00:00")
    assert "Released post 'Winter plans'" in on_time.output


def test_queue_reads_a_file_whose_draft_line_the_author_removed(proj):
    """N4: the catalog still knows the post as a draft (a publish ran while it was one); the
    author removes `draft: true` and queues it: queued, and a publish keeps to that time."""
    proj.write("posts/later.md", post("Later words", date="2026-11-01", draft="true"))
    assert proj.run("publish").exit_code == 0
    assert _status(proj)["posts/later.md"]["state"] == "draft"
    proj.write("posts/later.md", post("Later words", date="2026-11-01"))
    queued = proj.run("queue", "posts/later.md", "--at", "2026-12-24 08:00")
    assert queued.exit_code == 0, queued.output
    assert "Queued post 'Later words' [posts/later.md] for 2026-12-24 08:00" in queued.output
    assert proj.run("publish").exit_code == 0
    assert "Later words" not in _titles(proj)
    state = _status(proj)["posts/later.md"]
    assert state["state"] == "queued" and state["release_utc"] == "2026-12-24T08:00:00+00:00"
    assert proj.run("release-due", now="2026-12-24T08:00:00+00:00").exit_code == 0
    assert "Later words" in _titles(proj)


def test_queue_still_refuses_a_file_that_is_a_draft(proj):
    proj.write("posts/later.md", post("Later words", date="2026-11-01", draft="true"))
    assert proj.run("publish").exit_code == 0
    refused = proj.run("queue", "posts/later.md", "--at", "2026-12-24 08:00")
    assert refused.exit_code != 0
    assert "posts/later.md is a draft (draft: true); remove that line first" in refused.output
    assert _status(proj)["posts/later.md"]["state"] == "draft"
