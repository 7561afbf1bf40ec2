"""Every line the CLI prints shows a file name or title as one line of plain characters: a line
break in a name cannot forge another line, and a bidi control (U+202E...) or a zero-width
character cannot reorder or hide what the terminal shows; the published pages and feeds keep
the author's text (h19 Z17: `queue`/`unqueue` printed names raw; Z8: `status` printed bidi
controls raw)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import post
from syndicate.errors import printable

FORGED = "2026-12-20-q\nQueued post 'Fake' [x]"
NAMES = {"line break": FORGED, "bidi": "bidi\u202edm.evil", "escape": "esc\x1b[31m",
         "zero width": "zero\u200bwidth", "isolate": "iso\u2066late\u2069"}
SHOWN = {"line break": "\\n", "bidi": "\\u202e", "escape": "\\x1b", "zero width": "\\u200b",
         "isolate": "\\u2066"}
_HIDDEN = ("Cc", "Cf", "Cs", "Zl", "Zp")


def _clean(out: str) -> None:
    for ch in out.replace("\n", ""):
        assert unicodedata.category(ch) not in _HIDDEN, (repr(ch), out)


@pytest.mark.parametrize("how", sorted(NAMES))
def test_queue_unqueue_and_status_show_a_hostile_file_name_escaped_on_one_line(make_project,
                                                                               how):
    name = f"posts/{NAMES[how]}.md"
    proj = make_project({name: post("Bidi \u202eevil\u202c title", date="2026-12-20 10:00"),
                         "posts/plain.md": post("Plain \u202ertl\u202c", date="2026-10-01")})
    queued = proj.run("queue", name, "--at", "2026-12-24 09:00")
    assert queued.exit_code == 0, queued.output
    assert len(queued.stdout.splitlines()) == 1, queued.stdout
    assert queued.stdout.startswith("Queued post ") and SHOWN[how] in queued.stdout
    _clean(queued.output)

    unqueued = proj.run("unqueue", name)
    assert unqueued.exit_code == 0, unqueued.output
    assert len(unqueued.stdout.splitlines()) == 1, unqueued.stdout
    assert SHOWN[how] in unqueued.stdout
    _clean(unqueued.output)

    assert proj.run("publish").exit_code == 0
    status = proj.run("status")
    assert status.exit_code == 0, status.output
    lines = status.stdout.splitlines()  # a header, two items, and under the unqueued one
    assert len(lines) == 4 and lines[2].startswith("   "), status.stdout  # how to release it
    assert "held back until queued" in lines[2] and SHOWN[how] in lines[2]
    assert SHOWN[how] in status.stdout and "Plain \\u202ertl\\u202c" in status.stdout
    _clean(status.output)
    # the pages and feeds keep the author's text (a paired override is the author's to make)
    assert "Plain \u202ertl\u202c".encode() in proj.read("feed.xml")
    assert "Plain \u202ertl\u202c".encode() in proj.read("posts/plain/index.html")


@given(st.text())
def test_printable_is_one_line_of_characters_that_show(text):
    shown = printable(text)
    assert "\n" not in shown and "\r" not in shown
    for ch in shown:
        assert unicodedata.category(ch) not in _HIDDEN, repr(ch)


@given(st.text(alphabet=st.characters(exclude_categories=_HIDDEN)))
def test_printable_leaves_text_with_nothing_hidden_as_it_is(text):
    assert printable(text) == text
