"""`syndicate run` as a real process: releases on the wall clock, refuses a second instance,
stops on SIGTERM, and releases exactly once through SIGKILL before or during a release."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import podcastparser
import pytest

from conftest import BASE_CONFIG, BUCKET, guard, post, s3_config, sidecar, tone, wait_until
from faultproxy import FaultProxy

EXE = Path(sys.executable).with_name("syndicate")
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "syndicate"]
FAST = "scheduler:\n  poll_seconds: 0.3\n  retry_seconds: 1\n"


def _start(proj, env=None) -> subprocess.Popen:
    return subprocess.Popen([*CMD, "run", "--config", str(proj.root / "config.yaml")],
                            cwd=proj.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)


def _cli(proj, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args, "--config", str(proj.root / "config.yaml")],
                          cwd=proj.root, capture_output=True, text=True, timeout=120, env=env)


def _iso_in(seconds: float) -> str:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return when.replace(microsecond=0).isoformat()


def _titles(proj) -> list[str]:
    path = proj.public("feed.xml")
    return [e.title for e in feedparser.parse(path.read_bytes()).entries] if path.exists() else []


def _stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    return out


@pytest.fixture
def live(make_project):
    """A project published once with the real clock, whose 'winter' post waits for its date."""
    proj = make_project({"posts/old.md": post("Old post", date="2026-01-01"),
                         "posts/winter.md": post("Winter plans", date="2099-12-24")},
                        config=BASE_CONFIG + FAST)
    done = _cli(proj, "publish")
    assert done.returncode == 0, done.stderr
    return proj


def test_run_releases_an_item_queued_two_seconds_ahead(live):
    proc = _start(live)
    lock = live.root / ".syndicate/scheduler.lock"
    try:
        assert wait_until(lambda: lock.exists() and lock.read_text(), timeout=20)  # it is up
        at = _iso_in(5)  # room for a slow `syndicate queue` on a busy machine
        queued = _cli(live, "queue", "winter", "--at", at)
        assert queued.returncode == 0, queued.stderr
        if dt.datetime.now(dt.UTC) < dt.datetime.fromisoformat(at):
            assert _titles(live) == ["Old post"]  # before: not there
            assert not live.public("posts/winter/index.html").exists()
        assert wait_until(lambda: "Winter plans" in _titles(live), timeout=20)
        released = dt.datetime.now(dt.UTC)
        assert released >= dt.datetime.fromisoformat(at)
    finally:
        out = _stop(proc)
    assert proc.returncode == 0, out
    assert re.search(r"released post 'Winter plans' \(posts/winter.md\), due .*, \d+\.\d s after",
                     out), out
    assert "stopping (SIGTERM)" in out and out.rstrip().endswith("stopped")
    assert _titles(live).count("Winter plans") == 1


def test_a_second_scheduler_refuses_and_names_the_first(live):
    first = _start(live)
    try:
        assert wait_until(lambda: (live.root / ".syndicate/scheduler.lock").exists()
                     and (live.root / ".syndicate/scheduler.lock").read_text(), timeout=10)
        second = _cli(live, "run")
        assert second.returncode == 1
        assert (f"the scheduler (syndicate run) is already in progress, held by pid {first.pid} "
                "(syndicate run, since") in second.stderr
    finally:
        _stop(first)


def test_killed_a_second_before_a_release_it_releases_once_on_restart(live, recorder):
    hub = f"notify:\n  websub_hubs: [{recorder.url}/hub]\n"
    live.write("config.yaml", BASE_CONFIG + FAST + hub)
    proc = _start(live)
    at = _iso_in(6)  # room for a slow `syndicate queue` on a busy machine
    assert _cli(live, "queue", "winter", "--at", at).returncode == 0
    left = (dt.datetime.fromisoformat(at) - dt.datetime.now(dt.UTC)).total_seconds()
    time.sleep(left - 1.0)  # a second before the release
    proc.kill()
    proc.wait()
    assert "Winter plans" not in _titles(live)
    time.sleep(max(0.0, (dt.datetime.fromisoformat(at) - dt.datetime.now(dt.UTC))
                   .total_seconds()) + 1)  # restarted later: the release time has passed
    assert "Winter plans" not in _titles(live)
    again = _start(live)
    try:
        assert wait_until(lambda: "Winter plans" in _titles(live), timeout=10)
        time.sleep(1)
    finally:
        out = _stop(again)
    assert out.count("released post 'Winter plans'") == 1
    assert _titles(live).count("Winter plans") == 1
    # each changed feed told once: rss and atom (the release), the podcast feed (it gained the
    # hub's link when the config named the hub)
    told = sorted(b.decode().rsplit("%2F", 1)[-1] for _, p, b in recorder.requests if p == "/hub")
    assert told == ["atom.xml", "feed.xml", "podcast.xml"]


def test_killed_in_the_middle_of_a_release_it_releases_once_on_restart(
        make_project, s3_endpoint, bucket, recorder):
    """The release's publish goes to S3 through a proxy that SIGKILLs the scheduler when the
    episode's audio arrives; the restarted scheduler finishes the release."""
    files = {"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(2.0),
             "episodes/two.yaml": sidecar("Two", date="2099-01-01 08:00"),
             "episodes/two.mp3": tone(2.0, freq=550)}
    proc: list[subprocess.Popen] = []
    killed = []

    def schedule(n, method, path):
        if method == "PUT" and "/media/two-" in path and not killed:
            killed.append(path)
            return lambda: os.kill(proc[0].pid, signal.SIGKILL)
        return None

    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    with FaultProxy(s3_endpoint, schedule) as proxy:
        config = (s3_config(proxy.url) + FAST
                  + f"notify:\n  websub_hubs: [{recorder.url}/hub]\n")
        proj = make_project(files, config=config)
        assert _cli(proj, "publish", env=env).returncode == 0
        recorder.requests.clear()
        proc.append(_start(proj, env=env))
        assert _cli(proj, "queue", "two", "--at", _iso_in(1), env=env).returncode == 0
        assert wait_until(lambda: proc[0].poll() is not None, timeout=30), "not killed"
        assert killed and proc[0].returncode == -signal.SIGKILL
        feed = podcastparser.parse("x", io.BytesIO(bucket.get_object(
            Bucket=BUCKET, Key="site/podcast.xml")["Body"].read()))
        assert [e["title"] for e in feed["episodes"]] == ["One"]  # not half-released
        status = json.loads(_cli(proj, "status", "--json", env=env).stdout)
        assert {o["title"]: o["state"] for o in status}["Two"] == "queued"  # still due

        again = _start(proj, env=env)
        try:
            def released() -> bool:
                body = bucket.get_object(Bucket=BUCKET, Key="site/podcast.xml")["Body"].read()
                return b"<title>Two</title>" in body
            assert wait_until(released, timeout=20)
            time.sleep(1)
        finally:
            out = _stop(again)
    assert out.count("released episode 'Two'") == 1, out
    feed = podcastparser.parse("x", io.BytesIO(bucket.get_object(
        Bucket=BUCKET, Key="site/podcast.xml")["Body"].read()))
    assert sorted(e["title"] for e in feed["episodes"]) == ["One", "Two"]
    media_puts = [p for p in proxy.puts(outcome=None) if "/media/two-" in p]
    assert len(media_puts) == 2  # the one cut off by the kill, and the one that finished
    assert len([r for r in recorder.requests if r[1] == "/hub"]) == 1  # the podcast feed, once


def test_run_logs_why_a_file_it_collects_is_held_back(live):
    """h21 U18: a copy of the dated-later post dropped in while the scheduler runs is held, and
    its log says so, with the command that releases it."""
    words = " ".join(f"w{i}" for i in range(40))
    live.write("posts/winter.md", post("Winter plans", date="2099-12-24", body=words))
    assert _cli(live, "publish").returncode == 0
    proc = _start(live)
    seen: list[str] = []
    try:
        with guard(60):  # a scheduler that never says it is up fails here, not in CI's limit
            for line in proc.stdout:  # up: its jobs set ("next release at"), sources looked at
                seen.append(line)
                if "next release at" in line or "nothing queued" in line:
                    break
        live.write("posts/copy.md", post("Copy", date="2026-01-02", body=words))

        def held() -> bool:
            rows = json.loads(_cli(live, "status", "--json").stdout or "[]")
            return any(r["source"] == "posts/copy.md" and r["state"] == "draft" for r in rows)

        ok = wait_until(held, timeout=30)
    finally:
        out = "".join(seen) + _stop(proc)
    assert ok, (out, _cli(live, "status").stdout)
    assert "posts/copy.md: held back: it holds the words of the queued posts/winter.md" in out, out
    assert "Copy" not in _titles(live)



def test_items_falling_due_during_a_release_are_released_by_the_next_pass_at_once(
        make_project):
    """A release pass that publishes looks again at once: items that fell due while it ran go
    out right after it, not at the next look for changes (a minute here)."""
    names = [f"n{i}" for i in range(8)]
    proj = make_project({"posts/old.md": post("Old post", date="2026-01-01"),
                         **{f"posts/{n}.md": post(f"Post {n}", date="2099-01-01")
                            for n in names}},
                        config=BASE_CONFIG + "scheduler:\n  poll_seconds: 60\n")
    assert _cli(proj, "publish").returncode == 0
    first = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=8)
    for i, name in enumerate(names):  # each one due during the pass of the one before
        at = first + dt.timedelta(milliseconds=150 * i)
        done = _cli(proj, "queue", name, "--at", at.isoformat(timespec="milliseconds"))
        assert done.returncode == 0, done.stderr
    proc = _start(proj)
    try:
        wanted = {f"Post {n}" for n in names}
        assert wait_until(lambda: wanted <= set(_titles(proj)), timeout=40)
    finally:
        out = _stop(proc)
    assert f"next release at {first.isoformat()}" in out, out  # it was up before any
    assert all(out.count(f"released post 'Post {n}'") == 1 for n in names), out


@pytest.mark.parametrize("kind", ["post", "episode"])
def test_an_item_dated_ahead_and_released_now_is_never_updated_in_the_future(make_project,
                                                                             kind):
    """An item whose file gives a date months ahead, queued for now: its Atom <updated> (and
    the podcast's) is its release time, not a date to come (readers sorting by it would keep
    it on top for months)."""
    files = {"posts/old.md": post("Old", date="2026-01-01"),
             "posts/q.md": post("Queued", date="2027-06-01 10:00"),
             "episodes/ep.yaml": sidecar("Queued episode", date="2027-06-01 10:00"),
             "episodes/ep.mp3": tone(1.0)}
    proj = make_project(files)
    assert proj.run("publish", now="2026-11-30T10:00:00+00:00").exit_code == 0
    ref = "posts/q.md" if kind == "post" else "episodes/ep.yaml"
    assert proj.run("queue", ref, "--at", "2026-11-30 11:00",
                    now="2026-11-30T10:00:00+00:00").exit_code == 0
    done = proj.run("release-due", now="2026-11-30T11:00:01+00:00")
    assert done.exit_code == 0, done.output
    now = dt.datetime(2026, 11, 30, 11, 0, 1, tzinfo=dt.UTC)
    for name in (("atom.xml", "feed.xml") if kind == "post" else ("podcast.xml",)):
        feed = feedparser.parse(proj.read(name))
        entry = next(e for e in feed.entries if e.title.startswith("Queued"))
        for when in (entry.get("updated_parsed"), entry.published_parsed,
                     feed.feed.get("updated_parsed")):  # (Atom <updated>, RSS lastBuildDate)
            assert when and dt.datetime(*when[:6], tzinfo=dt.UTC) <= now, (name, when)
