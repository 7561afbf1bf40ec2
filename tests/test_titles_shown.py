"""A title is seen: one of only invisible characters (U+200B, other format characters, spaces,
marks with nothing to sit on) is refused where it is read, naming the file and line, and the
rest of the site is published. Bidi controls in a title never turn the direction of what a page
shows after it: those not paired within the title are left out of the pages (README, "Pages")."""

from __future__ import annotations

import json
import unicodedata

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli_new_post import FILLERS
from test_pages import new_project

from conftest import BASE_CONFIG, post, sidecar, tone

INVISIBLE = st.text(st.characters(categories=["Cf", "Zs", "Mn", "Me"]) | st.sampled_from(FILLERS),
                    min_size=1, max_size=10)
FORMS = ["front matter", "heading", "txt", "episode"]


def _write(proj, form: str, title: str) -> tuple[str, int]:
    """The item file with ``title``; (its name, the line the title is on)."""
    quoted = json.dumps(title, ensure_ascii=False)  # YAML reads a JSON string as written
    if form == "front matter":
        proj.write("posts/2026-10-02-x.md", f"---\ndate: 2026-10-02\ntitle: {quoted}\n---\nbody\n")
        return "posts/2026-10-02-x.md", 3
    if form == "heading":
        proj.write("posts/2026-10-02-x.md", f"---\ndate: 2026-10-02\n---\n\n# {title}\n\nbody\n")
        return "posts/2026-10-02-x.md", 5
    if form == "txt":
        proj.write("posts/2026-10-02-x.txt", f"{title}\n\nbody\n")
        return "posts/2026-10-02-x.txt", 1
    proj.write("episodes/x.mp3", tone(0.2))
    proj.write("episodes/x.yaml", f"date: 2026-10-02 08:00\ntitle: {quoted}\n")
    return "episodes/x.yaml", 2


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(title=INVISIBLE.filter(lambda t: t.strip() and "\n" not in t and not t.startswith(" ")),
       form=st.sampled_from(FORMS))
def test_a_file_whose_title_shows_nothing_is_one_error_with_its_line(tmp_path_factory, title,
                                                                     form):
    proj = new_project(tmp_path_factory.mktemp("p") / "p", {"posts/a.md": post("Seen")},
                       BASE_CONFIG + "audio:\n  process: false\n")
    name, line = _write(proj, form, title)
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert errors[0].startswith(f"Error: {name}:{line}: the title shows nothing"), errors
    assert "Seen" in proj.read("feed.xml").decode()
    assert not (proj.root / "public" / "posts" / "x").exists()


_OPEN = {"\u202a": "E", "\u202b": "E", "\u202d": "E", "\u202e": "E", "\u2066": "I",
         "\u2067": "I", "\u2068": "I"}
_CLOSE = {"\u202c": "E", "\u2069": "I"}


def _left_open(text: str) -> list[str]:
    """The embeddings and isolates still open at the end of ``text`` (a closer with nothing to
    close counts too): what would turn the direction of whatever follows."""
    stack: list[str] = []
    stray = []
    for ch in text:
        if ch in _OPEN:
            stack.append(_OPEN[ch])
        elif ch == "\u202c":
            if stack and stack[-1] == "E":
                stack.pop()
            else:
                stray.append(ch)
        elif ch == "\u2069":
            if "I" in stack:
                while stack.pop() != "I":
                    pass
            else:
                stray.append(ch)
    return stack + stray


WORDS = st.text(st.characters(categories=["Lu", "Ll", "Lo"]), min_size=1, max_size=5)
BIDI = st.sampled_from(sorted(_OPEN) + sorted(_CLOSE))


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(parts=st.lists(WORDS | BIDI, min_size=1, max_size=8).filter(
    lambda p: any(len(x) > 1 or (x not in _OPEN and x not in _CLOSE) for x in p)))
def test_bidi_controls_in_a_title_never_turn_what_follows_on_the_page(tmp_path_factory, parts):
    title = "".join(parts)
    quoted = json.dumps(title, ensure_ascii=False)
    proj = new_project(tmp_path_factory.mktemp("p") / "p", {
        "posts/2026-10-02-x.md": f"---\ndate: 2026-10-02\ntitle: {quoted}\n---\nb\n",
        "episodes/e.mp3": tone(0.2),
        "episodes/e.yaml": sidecar(quoted, date="2026-10-02 08:00")},
        BASE_CONFIG + "audio:\n  process: false\n")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    letters = "".join(c for c in title if c not in _OPEN and c not in _CLOSE)
    for key in ("posts/x/index.html", "episodes/e/index.html", "index.html"):
        page = lxml.html.document_fromstring(proj.read(key))
        head = page.findtext(".//title")
        assert _left_open(head) == [], (key, head)
        # where the title runs inline with what follows (a block, as the notes an episode
        # without any shows its title in, ends every embedding by itself)
        for text in page.xpath("//main//a//text() | //main//h1//text()"):
            assert _left_open(text) == [], (key, text)
        if key != "index.html":  # nothing of the title's words is lost
            h1 = "".join(page.xpath("//h1//text()"))
            assert "".join(c for c in h1 if unicodedata.category(c) != "Cf") == \
                "".join(c for c in letters if unicodedata.category(c) != "Cf")


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(inside=st.lists(WORDS | BIDI, min_size=1, max_size=6),
       linked=st.lists(WORDS | BIDI, min_size=1, max_size=6),
       bare=st.lists(WORDS | BIDI, min_size=0, max_size=4))
def test_bidi_controls_in_a_body_or_notes_never_turn_what_follows_their_element(
        tmp_path_factory, inside, linked, bare):
    """Generated: controls inside an emphasis, a link or a paragraph of a post's body and of an
    episode's notes; no text run of the page's main part (between two tags) leaves one open,
    and none of the words is lost."""
    a, b, c = "".join(inside), "".join(linked), "".join(bare)
    body = f"Start *x{a}x* after the em, [y{b}y](https://x.org/) after link {c} end."
    notes = json.dumps(body, ensure_ascii=False)
    proj = new_project(tmp_path_factory.mktemp("p") / "p", {
        "posts/2026-10-02-x.md": f"---\ndate: 2026-10-02\ntitle: Plain\n---\n{body}\n",
        "episodes/e.mp3": tone(0.2),
        "episodes/e.yaml": sidecar("Plain show", date="2026-10-02 08:00") + f"notes: {notes}\n"},
        BASE_CONFIG + "audio:\n  process: false\n")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    def letters(text: str) -> str:
        return "".join(ch for ch in text if ch not in _OPEN and ch not in _CLOSE)

    for key in ("posts/x/index.html", "episodes/e/index.html"):
        page = lxml.html.document_fromstring(proj.read(key))
        runs = page.xpath("//main//text()")
        for text in runs:
            assert _left_open(text) == [], (key, text)
        shown = letters("".join(runs))
        for seg in (f"x{a}x", f"y{b}y", f" {c} end"):
            assert letters(seg) in shown, (key, seg, shown)
