"""What a queued item keeps back is its content: a copy of its words, its audio or its
transcript under any name, title or date, new or written over a released item's file, is not
published before the queued item's time (h19 Z2, Z3, Z13, Z10, Z16)."""

from __future__ import annotations

import json
import random
import shutil

import feedparser
import podcastparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_safety_collect import _unprivileged

from conftest import post, sidecar, tone

AT = "2026-12-31T09:00:00+00:00"
SECRET = "Golfsecret"
VOCAB = ["estuary", "tide", "heron", "mud", "boat", "rope", "wind", "salt", "gull", "marsh",
         "reed", "river", "dawn", "fog", "shell", "crab", "net", "oar", "pier", "sand"]


def _live_mentions(proj, needle: str) -> list[str]:
    public = proj.root / "public"
    return [p.relative_to(public).as_posix() for p in public.rglob("*")
            if p.is_file() and needle.encode() in p.read_bytes()]


def _status(proj) -> dict[str, dict]:
    return {o["source"]: o for o in json.loads(proj.run("status", "--json").output)}


def _clean(result) -> None:
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output, result.output


def _queued_post(make_project, body: str, title: str = "Post Golf", date: str = "2026-11-01"):
    proj = make_project({"posts/old.md": post("Why I still blog", date="2026-09-14",
                                              body="An old post, live for weeks.")})
    proj.write("posts/golf.md", post(title, date=date, body=body))
    assert proj.run("queue", "posts/golf.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    assert _live_mentions(proj, SECRET) == []
    return proj


def _body(rng: random.Random, n: int) -> str:
    words = [rng.choice(VOCAB) for _ in range(n)]
    words.insert(rng.randrange(n), SECRET)
    return " ".join(words)


def test_a_copy_given_a_new_title_and_date_is_held(make_project):
    """Z2: the queued post copied as the template of the next one, its title and date changed
    and not a word of its body yet: held, with the command that releases it."""
    proj = _queued_post(make_project, _body(random.Random(7), 250))
    text = (proj.root / "posts/golf.md").read_text()
    proj.write("posts/next-week.md", text.replace("title: Post Golf", "title: Next week")
               .replace("date: 2026-11-01", "date: 2026-11-20"))
    result = proj.run("publish")
    _clean(result)
    assert "posts/next-week.md: held back: it holds the words of the queued posts/golf.md" \
        in result.output, result.output
    assert "published as a new item" not in result.output  # (it is not: no word says so)
    assert _live_mentions(proj, SECRET) == []
    status = _status(proj)
    assert status["posts/next-week.md"]["state"] == "draft"
    assert "syndicate queue posts/next-week.md --at" in status["posts/next-week.md"]["reason"]
    assert "syndicate queue posts/next-week.md --at" in proj.run("status").output
    assert status["posts/golf.md"]["state"] == "queued"  # the queued one keeps its slot
    # released on purpose, it goes out
    assert proj.run("queue", "posts/next-week.md", "--at", "now").exit_code == 0
    assert proj.run("publish").exit_code == 0
    assert "Next week" in [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10**6), n=st.integers(30, 300), edits=st.integers(0, 100),
       wrap=st.sampled_from(["", "prefix", "suffix", "both"]),
       title=st.sampled_from(["Next week", "Post Golf", "Draft 2"]),
       date=st.sampled_from(["2026-11-01", "2026-10-20", "2025-01-01 06:00"]),
       name=st.sampled_from(["posts/copy.md", "posts/2026/11/x.md", "posts/copy.txt"]))
def test_a_copy_of_a_queued_post_under_any_name_title_or_date_is_held(
        tmp_path_factory, seed, n, edits, wrap, title, date, name):
    """Generated copies: any body long enough to tell (30 words or more, few distinct ones as
    in a real text's common words), up to a tenth of its words changed, a line added before or
    after, any title, any date, any name: the queued words never go out early."""
    from conftest import BASE_CONFIG, Project, png_bytes

    root = tmp_path_factory.mktemp("copy") / "proj"
    root.mkdir()
    proj = Project(root)
    proj.write("config.yaml", BASE_CONFIG)
    proj.write("cover.png", png_bytes())
    rng = random.Random(seed)
    body = _body(rng, n)
    proj.write("posts/golf.md", post("Post Golf", date="2026-11-01", body=body))
    assert proj.run("queue", "posts/golf.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    words = body.split()
    for _ in range(min(edits, n // 10)):
        i = rng.randrange(len(words))
        if words[i] != SECRET:
            words[i] = rng.choice(["kayak", "lighthouse", "storm", "harbour"])
    copy = " ".join(words)
    if wrap in ("prefix", "both"):
        copy = "A new start for this one.\n\n" + copy
    if wrap in ("suffix", "both"):
        copy += "\n\nAnd a new ending, written today."
    text = post(title, date=date, body=copy)
    if name.endswith(".txt"):
        text = f"{title}\nDate: {date[:10]}\n\n{copy}\n"
    proj.write(name, text)
    result = proj.run("publish")
    _clean(result)
    assert _live_mentions(proj, SECRET) == [], (result.output, name)
    assert f"{name}: held back" in result.output, result.output
    shutil.rmtree(root)


def test_a_short_copy_is_held_with_its_title_or_date_and_a_short_text_alike_by_chance_is_not(
        make_project):
    """Under 30 words, a copy is told by its title or date as well; a short new post with other
    title and date that happens to share a few words is an ordinary post."""
    proj = _queued_post(make_project, f"{SECRET} tide at dawn, heron on the mud")
    proj.write("posts/a.md", post("Post Golf", date="2026-11-25",
                                  body=f"{SECRET} tide at dawn, heron on the mud"))
    result = proj.run("publish")
    _clean(result)
    assert "posts/a.md: held back" in result.output
    assert _live_mentions(proj, SECRET) == []
    proj.write("posts/b.md", post("Morning", date="2026-10-26",
                                  body="tide at dawn, heron on the mud again"))
    result = proj.run("publish")
    assert "posts/b.md: held back" not in result.output, result.output
    assert "Morning" in [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]


def test_a_short_announcement_copied_whole_under_a_new_title_and_date_is_held(make_project):
    """h21 U13: all of a short queued text (8 words or more) in a body not much longer is a
    copy whatever its title and date; the same words with a third more of the author's own go
    out as an ordinary post."""
    text = f"{SECRET}: season two starts with the tide and a heron"
    proj = _queued_post(make_project, text)
    proj.write("posts/a.md", post("Big news", date="2026-10-20", body=f"{text}!"))
    result = proj.run("publish")
    _clean(result)
    assert "posts/a.md: held back" in result.output, result.output
    assert _live_mentions(proj, SECRET) == []
    longer = f"{text}. " + " ".join(VOCAB[:8])
    proj.write("posts/a.md", post("Big news", date="2026-10-20", body=longer))
    result = proj.run("publish")
    _clean(result)
    assert "Big news" in [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]


def test_an_unpunctuated_cjk_post_copied_with_an_edit_is_held(make_project):
    """h21 U15: in scripts written without spaces each character is a word, so a queued
    Japanese or Chinese paragraph copied with a character changed is still found."""
    secret = "新しい季節は来月の第一週に始まりゲストは三人で最初の回は河口の鳥について話します" \
             "録音はもう終わっていて編集も半分ほど済んでいます"
    proj = _queued_post(make_project, f"{SECRET} {secret}")
    copy = secret.replace("三人", "四人")
    proj.write("posts/next.md", post("来週", date="2026-10-20", body=f"{SECRET} {copy}"))
    result = proj.run("publish")
    _clean(result)
    assert "posts/next.md: held back" in result.output, result.output
    assert _live_mentions(proj, SECRET) == []


def test_words_a_live_post_already_shows_keep_nothing_back(make_project):
    """Z10: a weekly photo post with the same caption as last week's live one and as next week's
    queued one is published, and said to repeat the live one (not held)."""
    proj = make_project({"posts/w.md": post("Weekend", date="2026-10-20",
                                            body="Taken at the harbour.")})
    proj.write("posts/next.md", post("Photo of the week", date="2026-12-06",
                                     body="Taken at the harbour."))
    assert proj.run("queue", "posts/next.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    proj.write("posts/this.md", post("Photo of the week", date="2026-10-29",
                                     body="Taken at the harbour."))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "held back" not in result.output
    assert "posts/this.md: published as a new item" in result.output
    titles = [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]
    assert titles.count("Photo of the week") == 1


INTRO = ("Welcome back to the weekly letter from the valley where I write about walking, "
         "birds, weather and the small things that happen between the hills and the sea "
         "every single week of the year.")


@pytest.mark.parametrize("own", [1, 3, 6, 9, 20])
def test_a_copy_of_a_queued_post_whose_new_words_follow_a_live_intro_is_held(
        make_project, own):
    """h25 B1: a queued weekly post is a standing intro a live post shows plus a few words of
    its own; a new file holding the same body under a new title and date puts those words out
    early, however few: held. h21 U10: this week's post, the same intro and words of its own,
    is not held by next week's queued one."""
    line = " ".join([SECRET, *VOCAB[:own - 1]]) if own > 1 else SECRET
    proj = make_project({"posts/w1.md": post("Weekly one", date="2026-10-01",
                                             body=f"{INTRO}\n\nThis week the swallows left.")})
    proj.write("posts/w3.md", post("Weekly three", date="2026-10-15", body=f"{INTRO}\n\n{line}"))
    assert proj.run("queue", "posts/w3.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    proj.write("posts/w2.md", post("Weekly two", date="2026-10-08",
                                   body=f"{INTRO}\n\nThe river rose over the ford."))
    proj.write("posts/w4.md", post("Weekly four", date="2026-10-22", body=f"{INTRO}\n\n{line}"))
    result = proj.run("publish")
    _clean(result)
    assert "posts/w4.md: held back" in result.output, result.output
    assert "posts/w2.md: held back" not in result.output, result.output
    assert _live_mentions(proj, SECRET) == []
    titles = [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]
    assert "Weekly two" in titles and "Weekly four" not in titles


def test_a_queued_post_copied_over_a_released_one_keeps_the_released_one(make_project):
    """Z13: a slip of cp puts the queued post over a released post's file: the released entry
    keeps its last published version (an error says why), the queued words stay back."""
    proj = _queued_post(make_project, _body(random.Random(3), 120))
    before = feedparser.parse(proj.read("feed.xml"))
    old = next(e for e in before.entries if e.title == "Why I still blog")
    shutil.copy(proj.root / "posts/golf.md", proj.root / "posts/old.md")
    for _ in range(2):  # and again: the same, no change slips through
        result = proj.run("publish")
        assert result.exit_code == 1, result.output
        assert ("Error: posts/old.md: it now holds the words of the queued posts/golf.md, kept "
                "back until that one's release; its last published version is kept") \
            in result.output
        assert _live_mentions(proj, SECRET) == []
        after = feedparser.parse(proj.read("feed.xml"))
        entry = next(e for e in after.entries if e.id == old.id)
        assert entry.title == "Why I still blog"


def test_a_queued_posts_body_put_into_a_released_post_under_its_own_title_is_kept_back(
        make_project):
    """Z13's second shape: only the body replaced, title and date kept."""
    proj = _queued_post(make_project, _body(random.Random(4), 80))
    secret_body = (proj.root / "posts/golf.md").read_text().split("---\n", 2)[2]
    proj.write("posts/old.md", post("Why I still blog", date="2026-09-14", body=secret_body))
    result = proj.run("publish")
    assert result.exit_code == 1 and "posts/old.md: it now holds the words" in result.output
    assert _live_mentions(proj, SECRET) == []


def _queued_episode(make_project):
    proj = make_project({"episodes/001-tides.mp3": tone(1.0, 330),
                         "episodes/001-tides.yaml": sidecar("Tides", notes="Live notes.")})
    proj.write("episodes/005-secret.mp3", tone(1.5, 523))
    proj.write("episodes/005-secret.yaml", sidecar("Secret episode", date="2026-11-05 10:00",
                                                   notes=f"{SECRET} about things"))
    assert proj.run("queue", "episodes/005-secret.yaml", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    return proj


def _episode_titles(proj) -> list[str]:
    import io
    feed = podcastparser.parse("http://x/podcast.xml", io.BytesIO(proj.read("podcast.xml")))
    return [e["title"] for e in feed["episodes"]]


def test_a_queued_episodes_audio_beside_a_new_sidecar_or_named_by_one_is_held(make_project):
    """Z3: the audio of a queued episode is its content: a byte copy beside a new sidecar (other
    title, date and notes), or a sidecar naming it with `audio:`, is held back."""
    proj = _queued_episode(make_project)
    shutil.copy(proj.root / "episodes/005-secret.mp3", proj.root / "episodes/006-other.mp3")
    proj.write("episodes/006-other.yaml", sidecar("Other episode", date="2026-11-21 10:00",
                                                  notes="New notes."))
    proj.write("episodes/007-named.yaml", sidecar("Named", date="2026-11-22 10:00",
                                                  audio="005-secret.mp3", notes="More."))
    result = proj.run("publish")
    _clean(result)
    assert "episodes/006-other.yaml: held back: it holds the audio of the queued " \
        "episodes/005-secret.yaml" in result.output, result.output
    assert "episodes/007-named.yaml: held back: it holds the audio" in result.output
    assert _episode_titles(proj) == ["Tides"]
    media = sorted(p.name for p in (proj.root / "public").rglob("*.mp3"))
    assert len(media) == 1, media


def test_a_queued_transcript_saved_again_as_srt_beside_a_new_episode_is_held(make_project):
    """h21 U7: a transcript is its words, whatever its format: the queued episode's WebVTT
    saved again as SRT for a new episode (other audio, title and date) is held back; the same
    new episode with a transcript of its own goes out."""
    said = [" ".join(VOCAB[(i * 7 + j) % len(VOCAB)] for j in range(6)) for i in range(10)]
    vtt = "WEBVTT\n\n" + "".join(f"00:00:0{i // 10}.{i % 10}00 --> 00:00:0{i // 10}.{i % 10}90"
                                  f"\n{line}\n\n" for i, line in enumerate(said))
    srt = "".join(f"{i + 1}\n00:00:00,{i}00 --> 00:00:00,{i}90\n{line}\n\n"
                  for i, line in enumerate(said))
    proj = make_project({"episodes/001-tides.mp3": tone(1.0, 330),
                         "episodes/001-tides.yaml": sidecar("Tides", notes="Live notes.")})
    proj.write("episodes/005-secret.mp3", tone(1.5, 523))
    proj.write("episodes/005-secret.vtt", vtt)
    proj.write("episodes/005-secret.yaml", sidecar("Secret episode", date="2026-10-05 10:00",
                                                   transcript="005-secret.vtt"))
    assert proj.run("queue", "episodes/005-secret.yaml", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    proj.write("episodes/006-other.mp3", tone(1.2, 440))
    proj.write("episodes/006-other.srt", srt)
    proj.write("episodes/006-other.yaml", sidecar("Other episode", date="2026-10-20 10:00",
                                                  transcript="006-other.srt"))
    result = proj.run("publish")
    _clean(result)
    assert "episodes/006-other.yaml: held back: it holds the transcript of the queued " \
        "episodes/005-secret.yaml" in result.output, result.output
    assert _episode_titles(proj) == ["Tides"]
    own = "".join(f"{i + 1}\n00:00:00,{i}00 --> 00:00:00,{i}90\nline {i} of its own words\n\n"
                  for i in range(10))
    proj.write("episodes/006-other.srt", own)
    result = proj.run("publish")
    _clean(result)
    assert sorted(_episode_titles(proj)) == ["Other episode", "Tides"], result.output


def test_the_audio_of_a_live_episode_keeps_nothing_back(make_project):
    """A queued episode re-using a live episode's audio (a re-run with new notes) holds nothing
    the site does not show: a third sidecar naming that audio is published."""
    proj = _queued_episode(make_project)
    proj.write("episodes/008-rerun.yaml", sidecar("Rerun", date="2026-11-01 10:00",
                                                  audio="001-tides.mp3", notes="Again."))
    proj.write("episodes/009-queued-rerun.yaml", sidecar("Queued rerun", date="2026-11-02",
                                                         audio="001-tides.mp3", notes="Soon."))
    assert proj.run("queue", "episodes/009-queued-rerun.yaml", "--at", AT).exit_code == 0
    proj.write("episodes/010-third.yaml", sidecar("Third", date="2026-10-28 10:00",
                                                  audio="001-tides.mp3", notes="Thrice."))
    result = proj.run("publish")
    assert result.exit_code == 0 and "held back" not in result.output, result.output
    assert set(_episode_titles(proj)) == {"Tides", "Rerun", "Third"}


def test_a_queued_sidecar_copied_over_a_released_episode_keeps_the_released_one(make_project):
    """Z13, episodes: the released "Tides" entry is not replaced by the queued notes."""
    proj = _queued_episode(make_project)
    shutil.copy(proj.root / "episodes/005-secret.yaml", proj.root / "episodes/001-tides.yaml")
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    assert "episodes/001-tides.yaml: it now holds the words of the queued " \
        "episodes/005-secret.yaml" in result.output
    assert _live_mentions(proj, SECRET) == []
    assert _episode_titles(proj) == ["Tides"]


def test_a_queued_post_unreadable_for_a_run_keeps_its_slot_from_its_held_copy(make_project):
    """Z16: the queued file unreadable for one run while a retitled copy (held) exists: the
    queue slot stays with the queued file; deleting the copy later loses nothing."""
    proj = _queued_post(make_project, _body(random.Random(5), 60))
    text = (proj.root / "posts/golf.md").read_text()
    proj.write("posts/golf-copy.md", text.replace("title: Post Golf", "title: Copy Golf"))
    assert "posts/golf-copy.md: held back" in proj.run("publish").output
    target = proj.root / "posts/golf.md"
    target.chmod(0)
    try:
        result = _unprivileged(proj, "publish")
        assert result.returncode == 1 and "posts/golf.md" in result.stderr, result.stderr
    finally:
        target.chmod(0o644)
    assert proj.run("publish").exit_code in (0, 1)
    (proj.root / "posts/golf-copy.md").unlink()
    assert proj.run("publish").exit_code == 0
    status = _status(proj)
    assert status["posts/golf.md"]["state"] == "queued"
    assert status["posts/golf.md"]["release_utc"] == AT
    assert _live_mentions(proj, SECRET) == []


def test_a_copy_of_a_post_dated_later_is_held_as_a_queued_ones_is(make_project):
    """A post dated later goes out at its date without being queued: its words are kept back
    the same way (a copy dated today is held)."""
    body = _body(random.Random(9), 90)
    proj = make_project({"posts/old.md": post("Old", date="2026-09-14"),
                         "posts/future.md": post("Future", date="2026-12-25", body=body)})
    assert proj.run("publish").exit_code == 0
    proj.write("posts/copy.md", post("Copy", date="2026-10-20", body=body))
    result = proj.run("publish")
    _clean(result)
    assert "posts/copy.md: held back: it holds the words of the queued posts/future.md" \
        in result.output, result.output
    assert _live_mentions(proj, SECRET) == []


def test_a_held_copy_rewritten_from_the_template_goes_out_at_its_date(make_project):
    """h21 U16: the queued post copied as the next one's template is held while it holds the
    queued words; rewritten, its hold is lifted and it is published (said), and a second
    held copy does not keep the first one held once the original is released."""
    proj = _queued_post(make_project, _body(random.Random(11), 80))
    text = (proj.root / "posts/golf.md").read_text()
    proj.write("posts/next.md", text.replace("title: Post Golf", "title: Next"))
    proj.write("posts/other.md", text.replace("title: Post Golf", "title: Other"))
    result = proj.run("publish")
    assert "posts/next.md: held back" in result.output and "posts/other.md: held back" \
        in result.output
    proj.write("posts/next.md", post("Next", date="2026-10-20",
                                     body="All new words about the ferry and the fog."))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "posts/next.md: no longer holds anything a queued item keeps back" in result.output
    titles = [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]
    assert "Next" in titles and _live_mentions(proj, SECRET) == []
    assert _status(proj)["posts/other.md"]["state"] == "draft"  # still a copy: still held
    # the original released on purpose: the other copy keeps nothing back any more
    assert proj.run("queue", "posts/golf.md", "--at", "now").exit_code == 0
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "posts/other.md: no longer holds anything" in proj.run("publish").output + \
        result.output
    titles = [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]
    assert {"Post Golf", "Other"} <= set(titles)


def test_a_hold_the_author_gave_is_never_lifted(make_project):
    """A copy held, then unqueued by the author on purpose (held by them), rewritten: the
    author's hold stands."""
    proj = _queued_post(make_project, _body(random.Random(12), 80))
    text = (proj.root / "posts/golf.md").read_text()
    proj.write("posts/next.md", text.replace("title: Post Golf", "title: Next"))
    assert "held back" in proj.run("publish").output
    assert proj.run("unqueue", "posts/next.md").exit_code == 0
    proj.write("posts/next.md", post("Next", date="2026-10-20", body="Other words now."))
    result = proj.run("publish")
    assert "no longer holds" not in result.output
    assert _status(proj)["posts/next.md"]["state"] == "draft"


@pytest.mark.parametrize("kind", ["post", "episode"])
@pytest.mark.parametrize("move", ["renamed", "subfolder"])
def test_an_item_dated_later_renamed_keeps_its_date_release(make_project, kind, move):
    """h21 U9: a post (or episode) dated later, not queued, only renamed or moved: it still goes
    out at its date (no hold against its own old name)."""
    if kind == "post":
        proj = make_project({"posts/2027-future.md": post("Future", date="2027-02-01",
                                                          body=_body(random.Random(1), 60))})
        old, new = ["posts/2027-future.md"], ["posts/2027-the-future.md"]
    else:
        proj = make_project({"episodes/007-fut.mp3": tone(0.7, 610),
                             "episodes/007-fut.yaml": sidecar("Future ep", date="2027-03-01",
                                                              notes=f"{SECRET} notes")})
        old = ["episodes/007-fut.mp3", "episodes/007-fut.yaml"]
        new = ["episodes/007-future.mp3", "episodes/007-future.yaml"]
    if move == "subfolder":
        new = [n.replace("/", "/2027/", 1) for n in new]
    assert proj.run("publish").exit_code == 0
    for a, b in zip(old, new, strict=True):
        (proj.root / b).parent.mkdir(parents=True, exist_ok=True)
        (proj.root / a).rename(proj.root / b)
    result = proj.run("publish")
    assert result.exit_code == 0 and "held back" not in result.output, result.output
    state = _status(proj)[new[-1]]
    assert state["state"] == "queued" and state["release_utc"].startswith("2027-0")


def test_an_item_dated_later_edited_as_its_held_copy_is_deleted_keeps_its_date(make_project):
    """h21 U12: the held copy deleted in the run the original (dated later) is edited: the
    original keeps its date release."""
    body = _body(random.Random(13), 70)
    proj = make_project({"posts/future.md": post("Future", date="2027-02-01", body=body)})
    assert proj.run("publish").exit_code == 0
    proj.write("posts/now.md", post("Now", date="2026-10-22", body=body))
    assert "posts/now.md: held back" in proj.run("publish").output
    (proj.root / "posts/now.md").unlink()
    proj.write("posts/future.md", post("Future", date="2027-02-01", body=body + " edited"))
    result = proj.run("publish")
    assert result.exit_code == 0 and "held back" not in result.output, result.output
    assert _status(proj)["posts/future.md"]["state"] == "queued"


def test_a_queued_post_renamed_as_a_copy_goes_over_a_released_one_keeps_both(make_project):
    """h21 U20: the queued post renamed in the same run as a copy of it is put over a released
    post's file: the released entry keeps its last version, the queued one stays queued."""
    proj = _queued_post(make_project, _body(random.Random(21), 90))
    (proj.root / "posts/golf.md").rename(proj.root / "posts/golf-2.md")
    shutil.copy(proj.root / "posts/golf-2.md", proj.root / "posts/old.md")
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    assert "posts/old.md: it now holds the words of the queued" in result.output
    assert _live_mentions(proj, SECRET) == []
    titles = [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]
    assert titles == ["Why I still blog"]
    assert _status(proj)["posts/golf-2.md"]["state"] == "queued"


def test_a_queued_episode_renamed_as_its_audio_is_copied_beside_a_new_sidecar(make_project):
    """h21 U21: the queued episode renamed in the same run as its audio is copied beside a new
    sidecar: the new episode is held."""
    proj = _queued_episode(make_project)
    for ext in ("mp3", "yaml"):
        (proj.root / f"episodes/005-secret.{ext}").rename(proj.root / f"episodes/005-r.{ext}")
    shutil.copy(proj.root / "episodes/005-r.mp3", proj.root / "episodes/006-o.mp3")
    proj.write("episodes/006-o.yaml", sidecar("Other", date="2026-10-21 10:00", notes="New."))
    result = proj.run("publish")
    _clean(result)
    assert "episodes/006-o.yaml: held back: it holds the audio" in result.output, result.output
    assert _episode_titles(proj) == ["Tides"]
    assert _status(proj)["episodes/005-r.yaml"]["state"] == "queued"


def test_a_queued_post_copied_over_a_released_one_while_edited_keeps_both(make_project):
    """h21 U22: the queued post copied over a released post's file in the run the queued one is
    edited: the released post stays live (its last version), the queued one stays queued with
    its own file; nothing is removed."""
    body = _body(random.Random(22), 90)
    proj = _queued_post(make_project, body)
    shutil.copy(proj.root / "posts/golf.md", proj.root / "posts/old.md")
    proj.write("posts/golf.md", post("Post Golf", date="2026-11-01", body=body + " edited"))
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    assert "removed" not in result.output.split("\n")[0] or " 0 removed" in result.output
    assert "posts/old.md: it now holds the words of the queued posts/golf.md" in result.output
    titles = [e.title for e in feedparser.parse(proj.read("feed.xml")).entries]
    assert titles == ["Why I still blog"] and _live_mentions(proj, SECRET) == []
    status = _status(proj)
    assert status["posts/golf.md"]["state"] == "queued"
    assert status["posts/old.md"]["state"] == "released"


def test_a_queued_episode_given_a_new_take_as_its_old_audio_is_copied_keeps_its_slot(
        make_project):
    """h21 U23: the queued episode's sidecar keeps its title and date while its audio is a new
    take, and the old take is copied beside a new sidecar: the queued episode stays itself (and
    queued); the new sidecar is an episode of its own."""
    proj = _queued_episode(make_project)
    shutil.copy(proj.root / "episodes/005-secret.mp3", proj.root / "episodes/006-o.mp3")
    proj.write("episodes/006-o.yaml", sidecar("Other", date="2026-10-21 10:00", notes="New."))
    proj.write("episodes/005-secret.mp3", tone(1.5, 700))  # the new take
    result = proj.run("publish")
    _clean(result)
    status = _status(proj)
    assert status["episodes/005-secret.yaml"]["state"] == "queued"
    assert status["episodes/005-secret.yaml"]["release_utc"] == AT
    assert "Secret episode" not in _episode_titles(proj)


def test_a_queued_post_given_a_released_posts_guid_is_named_as_such(make_project):
    """h25 L9: the queued file given the guid of a released post whose file was deleted: the
    error names the released post whose guid it took (it said the file held its own words),
    and nothing queued goes out."""
    proj = _queued_post(make_project, _body(random.Random(3), 60))
    old = _status(proj)["posts/old.md"]
    (proj.root / "posts/old.md").unlink()
    golf = proj.root / "posts/golf.md"
    golf.write_text(golf.read_text().replace("---\n", f"---\nguid: {old['guid']}\n", 1))
    result = proj.run("publish")
    _clean(result)
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(
        "Error: posts/golf.md: it is queued, and now names the guid of the released "
        "posts/old.md"), result.output
    assert _live_mentions(proj, SECRET) == []
    assert "taken off the queue" not in result.output, result.output  # h26 C7
    assert _status(proj)["posts/golf.md"]["state"] != "removed"
