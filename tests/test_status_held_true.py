"""h13 T9: ``status`` says "held ... still live" only of an item that is live: one released and
whose page no other item now stands at. A queued post deleted in the run where a released post
is renamed onto its address was never published: it is removed, as after a plain deletion, and
no advice is given that would do nothing."""

from __future__ import annotations

import json

import pytest

from conftest import post

SECRET = "Embargoed-words-about-the-bridge"


def _rows(proj) -> list[dict]:
    result = proj.run("status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("new_name", ["posts/2026-11-06-queued.markdown", "posts/queued.md",
                                      "posts/2026/queued.md"])
def test_a_deleted_queued_post_whose_address_a_renamed_post_takes_is_removed(make_project,
                                                                             new_name):
    river = post("Notes from the river wall", date="2026-10-20 08:00",
                 body="Gulls and the tide line, and a heron that would not move.")
    proj = make_project({"posts/2026-10-20-notes-from-the-river.md": river})
    assert proj.run("publish").exit_code == 0
    proj.write("posts/2026-11-06-queued.md",
               post("Secret queued", date="2026-11-06 10:00", body=SECRET))
    queued = proj.run("queue", "posts/2026-11-06-queued.md", "--at", "2030-01-01 09:00")
    assert queued.exit_code == 0, queued.output
    assert proj.run("publish").exit_code == 0
    (proj.root / "posts/2026-11-06-queued.md").unlink()
    old = proj.root / "posts/2026-10-20-notes-from-the-river.md"
    target = proj.root / new_name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(old.read_bytes())
    old.unlink()
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    public = proj.root / "public"
    assert not [p for p in public.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]

    rows = {o["title"]: o for o in _rows(proj)}
    assert rows["Notes from the river wall"]["state"] == "released"
    secret = rows["Secret queued"]
    assert secret["state"] == "removed", secret
    assert secret["reason"] is None
    text = proj.run("status").output
    assert "still live" not in text and "--remove" not in text, text


def test_a_released_post_whose_removal_was_held_is_still_said_held(make_project):
    """The true case stays: a released post gone from its folder while a guard keeps it live."""
    files = {f"posts/p{i}.md": post(f"Post {i}", date=f"2026-10-{i + 1:02d}") for i in range(4)}
    proj = make_project(files)
    assert proj.run("publish").exit_code == 0
    for i in range(4):
        (proj.root / f"posts/p{i}.md").unlink()
    held = proj.run("publish")
    assert held.exit_code != 0, held.output  # the guard held the removal of every entry
    rows = [o for o in _rows(proj) if o["title"].startswith("Post ")]
    assert rows and all(o["state"] == "held" for o in rows), rows
    assert all("--remove" in o["reason"] for o in rows)
    confirmed = proj.run("publish", *[a for i in range(4) for a in ("--remove", f"Post {i}")])
    assert confirmed.exit_code == 0, confirmed.output
    assert all(o["state"] == "removed" for o in _rows(proj) if o["title"].startswith("Post "))
