"""Generated: a released post or episode renamed, with any one more of its title, slug, date (in
its file name) or body changed in the same edit, keeps its guid, as long as the rest tells which
item it is; the other items keep theirs, and none is taken for another (S5)."""

from __future__ import annotations

import io
import tempfile

import feedparser
import podcastparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Project, bare_project, sidecar, tone

# two vocabularies that share no word: the other items never share the renamed one's words
MINE = ["borrow", "lifetime", "trait", "crate", "cargo", "macro", "unsafe", "slice", "tokio"]
THEIRS = ["garden", "tomato", "basil", "compost", "spade", "seed", "rain", "hedge", "mulch"]
CHANGES = ("name", "title", "slug", "date", "body")


def _words(vocab: list[str], lo: int, hi: int):
    return st.lists(st.sampled_from(vocab), min_size=lo, max_size=hi).map(" ".join)


def _post(title: str, body: str, date: str | None = None, slug: str | None = None) -> str:
    lines = ["---", f"title: {title}"]
    lines += [f"date: {date}"] if date else []
    lines += [f"slug: {slug}"] if slug else []
    return "\n".join([*lines, "---", "", body.capitalize() + ".", ""])


def _guids(proj: Project, feed: str = "feed.xml") -> dict[str, str]:
    if feed == "podcast.xml":
        parsed = podcastparser.parse("x", io.BytesIO(proj.read(feed)))
        return {e["title"]: e["guid"] for e in parsed["episodes"]}
    return {e.title: e.id for e in feedparser.parse(proj.read(feed)).entries}


def _publish(proj: Project) -> str:
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    return result.output


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(change=st.sampled_from(CHANGES), body=_words(MINE, 1, 40), day=st.integers(1, 9),
       others=st.lists(_words(THEIRS, 1, 12), max_size=2, unique=True),
       dated_name=st.booleans())
def test_a_renamed_post_keeps_its_guid_with_one_more_change(change, body, day, others,
                                                             dated_name):
    with tempfile.TemporaryDirectory() as tmp:
        proj = Project(bare_project(tmp))
        dated_name = dated_name or change == "date"  # its date is the one in its name
        date = f"2026-10-0{day}"
        name = f"posts/{date}-first.md" if dated_name else "posts/first.md"
        proj.write(name, _post("First words", body, None if dated_name else date))
        for i, words in enumerate(others):
            proj.write(f"posts/other{i}.md", _post(f"Other {i}", words, f"2026-09-1{i}"))
        _publish(proj)
        before = _guids(proj)
        (proj.root / name).unlink()
        title, slug, new_body, new_date = "First words", None, body, date
        if change == "title":
            title = "First words, retitled"
        elif change == "slug":
            slug = "moved-here"
        elif change == "body":
            new_body = "an altogether new body"
        elif change == "date":
            new_date = f"2026-10-{day + 10}"
        new_name = f"posts/{new_date}-renamed.md" if dated_name else "posts/renamed.md"
        proj.write(new_name, _post(title, new_body, None if dated_name else new_date, slug))
        output = _publish(proj)
        after = _guids(proj)
        assert after.pop(title) == before.pop("First words"), output
        assert after == before  # the others: untouched
        assert "0 new" in output


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(change=st.sampled_from(("name", "title", "notes")), notes=_words(MINE, 1, 20))
def test_a_renamed_episode_keeps_its_guid_with_one_more_change(change, notes):
    with tempfile.TemporaryDirectory() as tmp:
        root = bare_project(tmp)
        (root / "config.yaml").write_text(BASE_CONFIG + "audio:\n  process: false\n",
                                          encoding="utf-8")
        proj = Project(root)
        proj.write("episodes/one.yaml", sidecar("One", notes=repr(notes)))
        proj.write("episodes/one.mp3", tone(1.0))
        proj.write("episodes/two.yaml", sidecar("Two", date="2026-09-01 08:00"))
        proj.write("episodes/two.mp3", tone(1.0, freq=550))
        _publish(proj)
        before = _guids(proj, "podcast.xml")
        for ext in ("yaml", "mp3"):  # sidecar and audio renamed together
            (root / f"episodes/one.{ext}").unlink()
        title = "One, retitled" if change == "title" else "One"
        proj.write("episodes/first.yaml", sidecar(
            title, notes=repr("other notes" if change == "notes" else notes)))
        proj.write("episodes/first.mp3", tone(1.0))
        output = _publish(proj)
        after = _guids(proj, "podcast.xml")
        assert after.pop(title) == before.pop("One"), output
        assert after == before
