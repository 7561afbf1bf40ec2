"""Identity through renames, content before name, whatever else fails in the same publish (V1,
V2, V5, V6, V7, V10, V12, V13 of the hostile re-test h15):

- a file holding exactly one item's bytes (an episode: its audio) is that item, even when a new
  file, or a file that fails to read, now stands at the item's old name;
- any file that fails to read holds the removal of every vanished released item of its kind
  (it may be one of them renamed), whether its name is new or known;
- the catalog never holds two live items on one file, and a publish is never stuck;
- a body and date shared with exactly one other item outweigh a name when titles changed;
- look-alike items renamed together are held, not replaced, until the author names them.
"""

from __future__ import annotations

import io
import json

import feedparser
import podcastparser
import pytest

from conftest import post, sidecar, tone

BROKEN = "---\ntitle: [oops\n---\nx\n"
AT = "2030-01-01T09:00:00+00:00"


def _guids(proj) -> dict[str, str]:
    """title -> guid of every entry of the published blog feed (a title twice fails)."""
    entries = feedparser.parse(proj.read("feed.xml")).entries
    titles = [e.title for e in entries]
    assert len(titles) == len(set(titles)), titles
    return {e.title: e.id for e in entries}


def _episodes(proj) -> dict[str, str]:
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    titles = [e["title"] for e in feed["episodes"]]
    assert len(titles) == len(set(titles)), titles
    return {e["title"]: e["guid"] for e in feed["episodes"]}


def _status(proj) -> list[dict]:
    result = proj.run("status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _one_item_a_file(proj) -> None:
    live = [o["source"] for o in _status(proj) if o["state"] != "removed"]
    assert len(live) == len(set(live)), live


def _mv(proj, old: str, new: str) -> None:
    (proj.root / old).rename(proj.root / new)


def _texts(proj) -> dict[str, str]:
    """The three posts' files, by name."""
    return {n: (proj.root / f"posts/{n}").read_text() for n in
            ("2026-10-05-alpha.md", "2026-10-06-beta.md", "2026-10-07-gamma.md")}


def _three_posts(make_project):
    return make_project({
        "posts/2026-10-05-alpha.md": post("Alpha", date="2026-10-05 10:00",
                                          body="Curlews over the marsh, and the tide was late."),
        "posts/2026-10-06-beta.md": post("Beta", date="2026-10-06 10:00",
                                         body="The harbour master's log, read aloud at dusk."),
        "posts/2026-10-07-gamma.md": post("Gamma", date="2026-10-07 10:00",
                                          body="Salt on the window and a kettle on the stove.")})


@pytest.mark.parametrize("onto", ["draft", "moved-away"])
def test_a_released_post_moved_onto_a_known_name_where_it_fails_stays_live(make_project, onto):
    proj = make_project({"posts/2026-10-02-kit.md": post("Kit", date="2026-10-02",
                                                          body="The field recording kit."),
                         "posts/2026-09-14-blog.md": post("Blog", date="2026-09-14",
                                                          body="Why I still keep a blog."),
                         "posts/ideas.md": post("Ideas", date="2026-10-03", draft="true",
                                                body="Half an idea.")})
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    page = proj.public("posts/kit/index.html").read_bytes()
    kit = (proj.root / "posts/2026-10-02-kit.md").read_text()
    target = "posts/ideas.md" if onto == "draft" else "posts/2026-09-14-blog.md"
    if onto == "moved-away":
        _mv(proj, "posts/2026-09-14-blog.md", "posts/2026-09-14-blog-moved.md")
    (proj.root / "posts/2026-10-02-kit.md").unlink()
    proj.write(target, kit.replace("title: Kit", "title: [Kit"))  # a typo on the way
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "posts/2026-10-02-kit.md" in result.output  # named as kept, and why
    assert _guids(proj) == before
    assert proj.public("posts/kit/index.html").read_bytes() == page
    proj.write(target, kit)  # the typo fixed: the same item, its own guid
    fixed = proj.run("publish")
    assert fixed.exit_code == 0, fixed.output
    assert _guids(proj) == before
    _one_item_a_file(proj)


def test_a_rename_and_a_new_post_at_the_old_name_keep_each_its_own_guid(make_project):
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    _mv(proj, "posts/2026-10-05-alpha.md", "posts/2026-10-05-curlews.md")
    proj.write("posts/2026-10-05-alpha.md",
               post("Fresh", date="2026-10-21 10:00", body="A new thing about oystercatchers."))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    after = _guids(proj)
    assert {t: after[t] for t in before} == before
    assert after["Fresh"] not in before.values()
    _one_item_a_file(proj)


def test_an_episode_renamed_and_a_new_one_at_its_old_name_keep_each_its_own_guid(make_project):
    proj = make_project({"episodes/002-tides.yaml": sidecar("Tides", date="2026-10-02 08:00"),
                         "episodes/002-tides.mp3": tone(1.0, freq=500)})
    assert proj.run("publish").exit_code == 0
    before = _episodes(proj)
    _mv(proj, "episodes/002-tides.yaml", "episodes/002-turning.yaml")
    _mv(proj, "episodes/002-tides.mp3", "episodes/002-turning.mp3")
    proj.write("episodes/002-tides.yaml", sidecar("Storm night", date="2026-10-20 06:00"))
    proj.write("episodes/002-tides.mp3", tone(1.0, freq=300))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    after = _episodes(proj)
    assert after["Tides"] == before["Tides"]
    assert after["Storm night"] != before["Tides"]


def test_a_post_renamed_while_a_broken_file_is_started_at_its_name_is_not_doubled(make_project):
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    _mv(proj, "posts/2026-10-05-alpha.md", "posts/2026-10-05-curlews.md")
    proj.write("posts/2026-10-05-alpha.md", BROKEN)
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert _guids(proj) == before  # Alpha once, under its guid
    proj.write("posts/2026-10-05-alpha.md",
               post("Fresh", date="2026-10-21 10:00", body="A new thing about oystercatchers."))
    fixed = proj.run("publish")
    assert fixed.exit_code == 0, fixed.output
    after = _guids(proj)
    assert {t: after[t] for t in before} == before and after["Fresh"] not in before.values()


def test_a_rotation_of_three_posts_with_one_failing_loses_none_and_never_sticks(make_project):
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    texts = _texts(proj)
    proj.write("posts/2026-10-06-beta.md", texts["2026-10-05-alpha.md"])
    proj.write("posts/2026-10-05-alpha.md", texts["2026-10-07-gamma.md"])
    proj.write("posts/2026-10-07-gamma.md",
               texts["2026-10-06-beta.md"].replace("title: Beta", "title: [Beta"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert _guids(proj) == before  # none removed, none doubled
    _one_item_a_file(proj)
    proj.write("posts/2026-10-07-gamma.md", texts["2026-10-06-beta.md"])
    for _ in range(2):  # fixed: publishes, and again (never stuck)
        fixed = proj.run("publish")
        assert fixed.exit_code == 0, fixed.output
        assert _guids(proj) == before
    _one_item_a_file(proj)


def test_an_episode_moved_away_and_another_moved_in_failing_loses_neither(make_project):
    proj = make_project({"episodes/000-trailer.yaml": sidecar("Trailer", date="2026-10-01 08:00"),
                         "episodes/000-trailer.mp3": tone(1.0, freq=300),
                         "episodes/002-tides.yaml": sidecar("Tides", date="2026-10-02 08:00"),
                         "episodes/002-tides.mp3": tone(1.0, freq=500)})
    assert proj.run("publish").exit_code == 0
    before = _episodes(proj)
    media = sorted(p.name for p in proj.public("media").iterdir())
    for ext in ("yaml", "mp3"):
        _mv(proj, f"episodes/000-trailer.{ext}", f"episodes/000-hello.{ext}")
        _mv(proj, f"episodes/002-tides.{ext}", f"episodes/000-trailer.{ext}")
    with (proj.root / "episodes/000-trailer.yaml").open("a") as f:
        f.write("season: [\n")
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert _episodes(proj) == before  # Tides kept live, the trailer once
    assert set(media) <= {p.name for p in proj.public("media").iterdir()}
    lines = (proj.root / "episodes/000-trailer.yaml").read_text().splitlines()[:-1]
    proj.write("episodes/000-trailer.yaml", "\n".join(lines) + "\n")
    fixed = proj.run("publish")
    assert fixed.exit_code == 0, fixed.output
    assert _episodes(proj) == before
    _one_item_a_file(proj)


def test_two_posts_swapped_with_their_titles_touched_keep_their_guids(make_project):
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    a = (proj.root / "posts/2026-10-05-alpha.md").read_text()
    b = (proj.root / "posts/2026-10-06-beta.md").read_text()
    proj.write("posts/2026-10-05-alpha.md", b.replace("title: Beta", "title: Beta!"))
    proj.write("posts/2026-10-06-beta.md", a.replace("title: Alpha", "title: Alpha!"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    after = _guids(proj)
    assert after["Alpha!"] == before["Alpha"] and after["Beta!"] == before["Beta"]


def test_a_queued_post_renamed_away_keeps_its_slot_and_a_new_post_at_its_name_does_not(
        make_project):
    secret = "Embargoed words about the new bridge plans, not before Friday."
    proj = make_project({"posts/2026-10-02-kit.md": post("Kit", date="2026-10-02"),
                         "posts/2026-10-06-queued.md": post("Secret", date="2026-10-06 10:00",
                                                            body=secret)})
    assert proj.run("queue", "posts/2026-10-06-queued.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    queued_guid = next(o["guid"] for o in _status(proj) if o["title"] == "Secret")
    _mv(proj, "posts/2026-10-06-queued.md", "posts/2026-10-06-elsewhere.md")
    proj.write("posts/2026-10-06-queued.md",
               post("A fresh note", date="2026-10-08 10:00",
                    body="Something entirely different about rowing boats."))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    state = {o["title"]: o for o in _status(proj) if o["state"] != "removed"}
    assert state["Secret"]["guid"] == queued_guid
    assert state["Secret"]["source"] == "posts/2026-10-06-elsewhere.md"
    assert state["Secret"]["state"] in ("queued", "held"), state["Secret"]
    assert state["A fresh note"]["guid"] != queued_guid
    assert "A fresh note" in _guids(proj) and "Secret" not in _guids(proj)
    assert secret not in proj.read("feed.xml").decode()


def test_look_alike_posts_renamed_together_are_held_until_named_then_keep_their_guids(
        make_project):
    body = "Morning on the estuary: a grey heron, two egrets and the ferry running late."
    proj = make_project({"posts/2026-11-07-one.md": post("Morning one", date="2026-10-07 09:00",
                                                         body=body),
                         "posts/2026-11-07-two.md": post("Morning two", date="2026-10-07 09:00",
                                                         body=body)})
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    one = proj.public("posts/one/index.html").read_bytes()
    for old, new in (("one", "a"), ("two", "b")):
        text = (proj.root / f"posts/2026-11-07-{old}.md").read_text()
        (proj.root / f"posts/2026-11-07-{old}.md").unlink()
        proj.write(f"posts/2026-11-07-{new}.md", text.replace("title: Morning", "title: Dawn"))
    result = proj.run("publish")
    assert "Traceback" not in result.output
    assert _guids(proj) == before  # nothing taken down, nothing published as new
    assert proj.public("posts/one/index.html").read_bytes() == one
    assert "guid" in result.output
    # the author names them, as the warning says: each keeps its guid, with its new title
    for new, old in (("a", "Morning one"), ("b", "Morning two")):
        path = proj.root / f"posts/2026-11-07-{new}.md"
        path.write_text(path.read_text().replace("---\n", f"---\nguid: {before[old]}\n", 1))
    named = proj.run("publish")
    assert named.exit_code == 0, named.output
    assert _guids(proj) == {"Dawn one": before["Morning one"], "Dawn two": before["Morning two"]}
    _one_item_a_file(proj)


def test_status_says_no_error_of_a_file_that_is_gone_after_a_clean_publish(make_project):
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    proj.write("posts/2026-10-05-alpha.md", BROKEN)
    assert proj.run("publish").exit_code == 1
    assert "(error: see publish)" in proj.run("status").output
    (proj.root / "posts/2026-10-05-alpha.md").unlink()
    clean = proj.run("publish")
    assert clean.exit_code == 0, clean.output
    assert "(error: see publish)" not in proj.run("status").output  # h15 V11


def test_two_episodes_whose_audio_files_alone_were_exchanged_keep_their_guids(make_project):
    """Only the audio moved (each sidecar keeps its title and date): each episode got other
    audio; its guid stays with its sidecar (h15 V9)."""
    proj = make_project({"episodes/000-trailer.yaml": sidecar("Trailer", date="2026-10-01 08:00"),
                         "episodes/000-trailer.mp3": tone(1.0, freq=300),
                         "episodes/002-tides.yaml": sidecar("Tides", date="2026-10-02 08:00"),
                         "episodes/002-tides.mp3": tone(1.0, freq=500)})
    assert proj.run("publish").exit_code == 0
    before = _episodes(proj)
    _mv(proj, "episodes/000-trailer.mp3", "episodes/swap.mp3")
    _mv(proj, "episodes/002-tides.mp3", "episodes/000-trailer.mp3")
    _mv(proj, "episodes/swap.mp3", "episodes/002-tides.mp3")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _episodes(proj) == before


def test_a_short_post_renamed_retitled_and_edited_at_once_is_new_but_said(make_project):
    """Too short to be told by its words alone: published as new, with a warning that names
    the gone post and its guid to give it back (h15 V8); giving it keeps the guid."""
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    text = (proj.root / "posts/2026-10-05-alpha.md").read_text()
    (proj.root / "posts/2026-10-05-alpha.md").unlink()
    text = text.replace("title: Alpha", "title: Curlews").replace("was late", "was very late")
    proj.write("posts/2026-10-05-curlews.md", text)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert f"guid: {before['Alpha']}" in result.output and "posts/2026-10-05-alpha.md" in \
        result.output
    proj.write("posts/2026-10-05-curlews.md",
               text.replace("---\n", f"---\nguid: {before['Alpha']}\n", 1))
    again = proj.run("publish")
    assert again.exit_code == 0, again.output
    assert _guids(proj)["Curlews"] == before["Alpha"]


FRESH = post("Fresh", date="2026-10-21 10:00", body="A new thing about oystercatchers.")


@pytest.mark.parametrize("draft", [False, True])
def test_a_renamed_post_failing_while_a_new_one_takes_its_name_keeps_its_guid(make_project,
                                                                                draft):
    """h16 W1: the new file at the old name does not take the old guid while the renamed one
    fails; once it reads, each has its own (and the live one never went down)."""
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    page = proj.public("posts/alpha/index.html").read_bytes()
    text = (proj.root / "posts/2026-10-05-alpha.md").read_text()
    (proj.root / "posts/2026-10-05-alpha.md").unlink()
    proj.write("posts/2026-10-05-curlews.md", text.replace("title: Alpha", "title: [Alpha"))
    proj.write("posts/2026-10-05-alpha.md",
               FRESH.replace("---\n\n", "draft: true\n---\n\n") if draft else FRESH)
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert _guids(proj) == before
    assert proj.public("posts/alpha/index.html").read_bytes() == page
    proj.write("posts/2026-10-05-curlews.md", text)
    fixed = proj.run("publish")
    assert fixed.exit_code == 0, fixed.output
    after = _guids(proj)
    assert after["Alpha"] == before["Alpha"]
    assert draft or after["Fresh"] not in before.values()
    _one_item_a_file(proj)


@pytest.mark.parametrize("shape", ["new-post", "released-moved-in"])
def test_a_queued_post_renamed_with_a_typo_is_never_released_early(make_project, shape):
    """h16 W2: a queued post renamed with a typo while its old name is taken (by a new post, or
    a released one moved there) keeps its slot; fixed, it is still queued, not released."""
    secret = "Embargoed words about the new bridge plans, not before Friday."
    proj = make_project({"posts/2026-09-14-why.md": post("Why", date="2026-09-14",
                                                         body="Why I still keep a blog."),
                         "posts/2026-10-06-queued.md": post("Secret", date="2026-10-06 10:00",
                                                            body=secret)})
    assert proj.run("queue", "posts/2026-10-06-queued.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    text = (proj.root / "posts/2026-10-06-queued.md").read_text()
    (proj.root / "posts/2026-10-06-queued.md").unlink()
    proj.write("posts/2026-10-06-elsewhere.md", text.replace("title: Secret", "title: [Secret"))
    if shape == "new-post":
        proj.write("posts/2026-10-06-queued.md", FRESH)
    else:
        _mv(proj, "posts/2026-09-14-why.md", "posts/2026-10-06-queued.md")
    assert "Traceback" not in proj.run("publish").output
    proj.write("posts/2026-10-06-elsewhere.md", text)
    for _ in range(2):
        result = proj.run("publish")
        assert "Traceback" not in result.output
        assert not [p for p in (proj.root / "public").rglob("*")
                    if p.is_file() and b"bridge plans" in p.read_bytes()], result.output
    state = {o["title"]: o for o in _status(proj) if o["state"] != "removed"}
    assert state["Secret"]["state"] in ("queued", "held"), state
    if shape == "new-post":
        assert state["Fresh"]["state"] not in ("queued", "held"), state


def test_a_queued_post_renamed_and_edited_and_a_new_post_at_its_name_keep_apart(make_project):
    """h16 W13: the queued slot and guid follow the queued words (renamed, a line added), not
    the name a different new post now has."""
    secret = ("Embargoed words about the new bridge plans, not before Friday: the council "
              "meets on Thursday, the vote is on Friday, the press is told on Monday, and the "
              "builders start in the spring if the money comes through.")
    proj = make_project({"posts/2026-10-06-queued.md": post("Secret", date="2026-10-06 10:00",
                                                            body=secret)})
    assert proj.run("queue", "posts/2026-10-06-queued.md", "--at", AT).exit_code == 0
    assert proj.run("publish").exit_code == 0
    guid = next(o["guid"] for o in _status(proj) if o["title"] == "Secret")
    (proj.root / "posts/2026-10-06-queued.md").unlink()
    proj.write("posts/2026-10-06-elsewhere.md",
               post("Secret", date="2026-10-06 10:00", body=secret + " One line more."))
    proj.write("posts/2026-10-06-queued.md", FRESH)
    result = proj.run("publish")
    assert "Traceback" not in result.output
    state = {o["title"]: o for o in _status(proj) if o["state"] != "removed"}
    assert state["Secret"]["guid"] == guid and state["Secret"]["state"] in ("queued", "held")
    assert state["Fresh"]["guid"] != guid and state["Fresh"]["state"] not in ("queued", "held")
    assert "bridge plans" not in proj.read("feed.xml").decode()


def test_a_near_copy_of_a_post_kept_live_by_a_failing_file_is_not_published_beside_it(
        make_project):
    """h16 W11: renamed, retitled and one word changed (too short to be told) while another
    file fails: the old one is kept live, so the new one waits rather than doubling it."""
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    text = (proj.root / "posts/2026-10-05-alpha.md").read_text()
    (proj.root / "posts/2026-10-05-alpha.md").unlink()
    proj.write("posts/2026-10-05-curlews.md",
               text.replace("title: Alpha", "title: Curlews").replace("was late", "was very late"))
    proj.write("posts/zz-broken.md", BROKEN)
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert _guids(proj) == before  # Alpha kept, Curlews not beside it


def test_a_post_kept_live_by_a_failing_file_comes_down_when_named_by_remove(make_project):
    """h16 W12: the author can take a post down now (`publish --remove`), whatever else fails."""
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    (proj.root / "posts/2026-10-05-alpha.md").unlink()
    proj.write("posts/zz-broken.md", BROKEN)
    held = proj.run("publish")
    assert held.exit_code == 1 and "Alpha" in _guids(proj)
    assert "--remove posts/2026-10-05-alpha.md" in held.output
    gone = proj.run("publish", "--remove", "posts/2026-10-05-alpha.md")
    assert "Traceback" not in gone.output
    assert "Alpha" not in _guids(proj) and not proj.public("posts/alpha/index.html").exists()
    assert set(_guids(proj)) == {"Beta", "Gamma"}


def test_a_file_fixed_while_another_still_fails_drops_its_old_error_and_says_it_waits(
        make_project):
    # h16 W5: three posts rotated, two of them broken; one is fixed while the other still fails:
    # status must not keep the fixed file's YAML error, only why its item waits
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    texts = _texts(proj)
    proj.write("posts/2026-10-06-beta.md", texts["2026-10-05-alpha.md"])
    proj.write("posts/2026-10-05-alpha.md",
               texts["2026-10-07-gamma.md"].replace("title: Gamma", "title: [Gamma"))
    proj.write("posts/2026-10-07-gamma.md",
               texts["2026-10-06-beta.md"].replace("title: Beta", "title: [Beta"))
    assert proj.run("publish").exit_code == 1
    errors = {o["source"]: o["error"] for o in _status(proj)}
    assert "YAML" in (errors["posts/2026-10-05-alpha.md"] or "")
    proj.write("posts/2026-10-05-alpha.md", texts["2026-10-07-gamma.md"])  # fixed
    second = proj.run("publish")
    assert second.exit_code == 1 and "2026-10-07-gamma.md" in second.output
    assert _guids(proj) == before
    errors = {o["source"]: o["error"] or "" for o in _status(proj)}
    assert "YAML" not in errors["posts/2026-10-05-alpha.md"], errors
    assert "fails to read" in errors["posts/2026-10-05-alpha.md"], errors
    assert "YAML" in errors["posts/2026-10-07-gamma.md"], errors  # still broken: still said
    proj.write("posts/2026-10-07-gamma.md", texts["2026-10-06-beta.md"])
    assert proj.run("publish").exit_code == 0
    assert _guids(proj) == before
    assert not any(o["error"] for o in _status(proj))


def test_two_short_posts_swapped_with_titles_and_a_word_changed_are_said(make_project):
    # h16 W3: too much changed to follow the content (short bodies, a word and the title of
    # each touched): each file stays its name's item, and the author is told, with the guid
    proj = make_project({
        "posts/2026-10-05-alpha.md": post("Alpha", date="2026-10-05 10:00", body=(
            "The curlews came back to the mudflats this week, calling over the saltmarsh at "
            "dusk, and the tide was late.")),
        "posts/2026-10-05-beta.md": post("Beta", date="2026-10-05 11:00", body=(
            "The harbour master has a new boat and a new opinion about the moorings, which he "
            "shared at length."))})
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    alpha = (proj.root / "posts/2026-10-05-alpha.md").read_text()
    beta = (proj.root / "posts/2026-10-05-beta.md").read_text()
    proj.write("posts/2026-10-05-alpha.md", beta.replace("title: Beta", "title: Beta!")
               .replace("at length", "at great length"))
    proj.write("posts/2026-10-05-beta.md", alpha.replace("title: Alpha", "title: Alpha!")
               .replace("tide was late", "tide was very late"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if "now much like" in line]
    assert len(said) == 2, result.output
    assert any("2026-10-05-alpha.md: now much like posts/2026-10-05-beta.md" in line
               and before["Beta"] in line for line in said), said
    swapped = _guids(proj)
    # one file alone given the other item's guid: that item is still its own file's; refused
    proj.write("posts/2026-10-05-alpha.md", (proj.root / "posts/2026-10-05-alpha.md").read_text()
               .replace("title: Beta!", f"title: Beta!\nguid: {before['Beta']}"))
    half = proj.run("publish")
    assert half.exit_code == 1 and "is used by another item" in half.output, half.output
    assert _guids(proj) == swapped
    # the author does as told: each file given its item's guid, each item follows its words
    proj.write("posts/2026-10-05-beta.md", (proj.root / "posts/2026-10-05-beta.md").read_text()
               .replace("title: Alpha!", f"title: Alpha!\nguid: {before['Alpha']}"))
    again = proj.run("publish")
    assert again.exit_code == 0, again.output
    assert "now much like" not in again.output
    assert _guids(proj) == {"Alpha!": before["Alpha"], "Beta!": before["Beta"]}


def test_a_post_rewritten_in_place_is_not_said_to_be_swapped(make_project):
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    proj.write("posts/2026-10-05-alpha.md", post("Something else", date="2026-10-09 10:00",
                                                 body="Entirely new words about the ferry."))
    result = proj.run("publish")
    assert result.exit_code == 0 and "now much like" not in result.output, result.output


def test_a_copy_of_a_released_post_is_published_but_said(make_project):
    # h18 Y4 (its second part): a released post copied (and retitled) goes out as a second item
    # under a new guid; the author is told
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    text = (proj.root / "posts/2026-10-05-alpha.md").read_text()
    proj.write("posts/alpha-copy.md", text.replace("title: Alpha", "title: Alpha again"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert ("posts/alpha-copy.md: published as a new item, though its words are all those of "
            "posts/2026-10-05-alpha.md") in result.output
    assert set(_guids(proj)) == {"Alpha", "Alpha again", "Beta", "Gamma"}
    again = proj.run("publish")
    assert "a copy?" not in again.output  # said once, when it appears


def test_a_post_renamed_into_a_failing_file_while_a_new_text_takes_its_name_keeps_its_guid(
        make_project):
    """h18 Y10: the renamed file fails to read, and a new text with the same title and date is
    written at the old name: the old guid must not go to the new text (the original would come
    back later as a second item); it waits, and follows the original once that reads."""
    proj = _three_posts(make_project)
    assert proj.run("publish").exit_code == 0
    before = _guids(proj)
    original = (proj.root / "posts/2026-10-05-alpha.md").read_text()
    proj.write("posts/alpha-new.md", original.replace("title: Alpha", "title: [Alpha"))
    proj.write("posts/2026-10-05-alpha.md",
               post("Alpha", date="2026-10-05 10:00", body="A brand new text at the old name."))
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    assert _guids(proj) == before
    page = proj.public("posts/alpha/index.html").read_text()
    assert "Curlews over the marsh" in page and "brand new text" not in page
    proj.write("posts/alpha-new.md", original)  # fixed
    fixed = proj.run("publish")
    assert fixed.exit_code == 0, fixed.output
    entries = feedparser.parse(proj.read("feed.xml")).entries
    by_guid = {e.id: e for e in entries}
    assert "Curlews over the marsh" in by_guid[before["Alpha"]].description
    assert len(entries) == 4  # the new text is a new item, the original kept its guid
    assert sum(1 for e in entries if "brand new text" in e.description) == 1
