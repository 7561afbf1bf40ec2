"""A guid follows the item's content before its file name: two files swapped by name keep
their own guids, a released post renamed over a draft's or a queued post's name stays released
under its guid, and the queued post renamed away keeps its place in the queue (T2, T4, T8 of
the hostile re-test)."""

from __future__ import annotations

import io

import feedparser
import podcastparser

from conftest import post, sidecar, tone

AT = "2030-01-01T09:00:00+00:00"
SECRET = "Embargoed words about the new bridge plans, not before Friday."


def _guids(proj) -> dict[str, str]:
    return {e.title: e.id for e in feedparser.parse(proj.read("feed.xml")).entries}


def _swap(root, a: str, b: str) -> None:
    tmp = root / (a + ".swap")
    (root / a).rename(tmp)
    (root / b).rename(root / a)
    tmp.rename(root / b)


def test_two_posts_swapped_by_name_keep_their_own_guids(make_project):
    proj = make_project({
        "posts/2026-10-05-alpha.md": post("Alpha", date="2026-10-05 10:00",
                                          body="Curlews over the marsh at dawn."),
        "posts/2026-10-05-beta.md": post("Beta", date="2026-10-05 11:00",
                                         body="The harbour master's log, read aloud.")})
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    _swap(proj.root, "posts/2026-10-05-alpha.md", "posts/2026-10-05-beta.md")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _guids(proj) == before


def test_two_episodes_swapped_by_name_keep_their_own_guids(make_project):
    proj = make_project({"episodes/000-trailer.yaml": sidecar("Trailer", date="2026-10-01 08:00"),
                         "episodes/000-trailer.mp3": tone(1.0, freq=300),
                         "episodes/002-tides.yaml": sidecar("Tides", date="2026-10-02 08:00"),
                         "episodes/002-tides.mp3": tone(1.0, freq=500)})
    assert proj.run("publish").exit_code == 0

    def guids():
        feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
        return {e["title"]: e["guid"] for e in feed["episodes"]}

    before = guids()
    _swap(proj.root, "episodes/000-trailer.yaml", "episodes/002-tides.yaml")
    _swap(proj.root, "episodes/000-trailer.mp3", "episodes/002-tides.mp3")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert guids() == before


def test_a_released_post_renamed_over_a_drafts_name_keeps_its_guid(make_project):
    proj = make_project({"posts/2026-10-02-kit.md": post("Kit", date="2026-10-02",
                                                          body="The field recording kit."),
                         "posts/ideas.md": post("Ideas", date="2026-10-03", draft="true",
                                                body="Half an idea.")})
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    (proj.root / "posts/2026-10-02-kit.md").replace(proj.root / "posts/ideas.md")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _guids(proj) == before


def test_a_released_post_renamed_over_a_queued_posts_name_stays_released(make_project):
    proj = make_project({"posts/2026-10-02-kit.md": post("Kit", date="2026-10-02",
                                                          body="The field recording kit."),
                         "posts/2026-11-06-queued.md": post("Secret queued", date="2026-10-15",
                                                            body=SECRET)})
    assert proj.run("queue", "posts/2026-11-06-queued.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    assert list(before) == ["Kit"]
    (proj.root / "posts/2026-11-06-queued.md").rename(proj.root / "posts/2026-11-06-elsewhere.md")
    (proj.root / "posts/2026-10-02-kit.md").rename(proj.root / "posts/2026-11-06-queued.md")
    result = proj.run("publish")
    assert "Traceback" not in result.output
    assert _guids(proj) == before  # still released, same guid; the queued one still held
    (entry,) = feedparser.parse(proj.read("feed.xml")).entries
    page = proj.public(entry.link.removeprefix("https://example.test/") + "index.html")
    assert "The field recording kit." in page.read_text(encoding="utf-8")
    assert SECRET not in proj.read("feed.xml").decode()
