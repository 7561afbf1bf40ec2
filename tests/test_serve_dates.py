"""`serve --drafts` shows every draft, queued and future item under its own date (or the time
it is queued for), as the preview's feeds do and as the published page will: never the moment
the preview was built; the lists are in that order."""

from __future__ import annotations

import datetime as dt

import feedparser
import lxml.html
from test_serve import project_files, request, served  # noqa: F401  (served: a fixture)

from conftest import post, sidecar, tone
from syndicate.when import stored


def _utc(parsed) -> str:
    return dt.datetime(*parsed[:6], tzinfo=dt.UTC).isoformat()


def test_drafts_queued_and_future_items_show_their_own_dates_in_the_preview(make_project,
                                                                           served):  # noqa: F811
    project = make_project({
        **project_files(),
        "posts/2026-10-02-sketch.md": post("A sketch", "2026-10-02 10:00", "Draft.",
                                           draft="true"),
        "posts/2099-12-31-later.md": post("Far later", "2099-12-31 09:00", "Future."),
        "posts/2026-10-03-queued.md": post("Waiting", "2026-10-03", "Queued words."),
        "episodes/rough.yaml": sidecar("Rough cut", date="2098-06-01 08:00", draft="true"),
        "episodes/rough.mp3": tone(1.0),
    })
    assert project.run("queue", "posts/2026-10-03-queued.md", "--at",
                       "2099-02-01 09:00").exit_code == 0
    server = served(project, drafts=True)
    assert server.last.ok, server.last.errors
    feed = feedparser.parse(request(server.url, "/feed.xml")[2])
    in_feed = {e.title: _utc(e.published_parsed) for e in feed.entries}
    pod = feedparser.parse(request(server.url, "/podcast.xml")[2])
    in_feed.update({e.title: _utc(e.published_parsed) for e in pod.entries})
    expected = {"A sketch": "2026-10-02T09:00:00+00:00", "Far later": "2099-12-31T09:00:00+00:00",
                "Waiting": "2099-02-01T09:00:00+00:00", "Rough cut": "2098-06-01T07:00:00+00:00"}
    for title, when in expected.items():
        assert in_feed[title] == when, (title, in_feed)
    for slug, title in (("posts/sketch/", "A sketch"), ("posts/later/", "Far later"),
                        ("posts/queued/", "Waiting"), ("episodes/rough/", "Rough cut")):
        page = lxml.html.document_fromstring(request(server.url, "/" + slug)[2])
        shown = page.xpath("//main//time/@datetime")
        assert shown and stored(shown[0]).isoformat() == expected[title], (slug, shown)
    home = lxml.html.document_fromstring(request(server.url, "/posts/")[2])
    listed = home.xpath("//main//ul[@class='listing']/li/a/text()")
    assert listed == ["Far later", "Waiting", "A sketch", "Hello there"], listed


def test_the_preview_feeds_give_each_draft_and_queued_item_a_sane_updated(make_project,
                                                                         served):  # noqa: F811
    """Each entry is updated at or after it is published, never at the moment of the build
    (a draft has no edit after its own date unless its 'updated' says so, and that one is
    shown)."""
    import json

    project = make_project({
        **project_files(),
        "posts/2026-10-02-sketch.md": post("A sketch", "2026-10-02 10:00", "Draft.",
                                           draft="true"),
        "posts/2026-10-01-edited.md": post("Edited", "2026-10-01", "Draft.", draft="true",
                                           updated="2026-10-20"),
        "posts/2099-12-31-later.md": post("Far later", "2099-12-31 09:00", "Future."),
        "posts/2026-10-03-queued.md": post("Waiting", "2026-10-03", "Queued words."),
    })
    assert project.run("queue", "posts/2026-10-03-queued.md", "--at",
                       "2099-02-01 09:00").exit_code == 0
    server = served(project, drafts=True)
    assert server.last.ok, server.last.errors
    atom = feedparser.parse(request(server.url, "/atom.xml")[2])
    items = json.loads(request(server.url, "/feed.json")[2])["items"]
    got = {e.title: (_utc(e.published_parsed), _utc(e.updated_parsed)) for e in atom.entries}
    assert got == {t: (stored(i["date_published"]).isoformat(),
                       stored(i["date_modified"]).isoformat()) for i in items
                   for t in [i["title"]]}
    expected = {"A sketch": ("2026-10-02T09:00:00+00:00", "2026-10-02T09:00:00+00:00"),
                "Edited": ("2026-09-30T23:00:00+00:00", "2026-10-19T23:00:00+00:00"),
                "Far later": ("2099-12-31T09:00:00+00:00", "2099-12-31T09:00:00+00:00"),
                "Waiting": ("2099-02-01T09:00:00+00:00", "2099-02-01T09:00:00+00:00")}
    for title, (published, updated) in expected.items():
        assert got[title] == (published, updated), (title, got[title])
    for published, updated in got.values():
        assert updated >= published
    assert _utc(atom.feed.updated_parsed) == max(u for _, u in got.values())
