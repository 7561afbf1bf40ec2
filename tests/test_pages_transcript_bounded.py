"""h23 Z8: an episode page's transcript stays bounded whatever the transcript holds: a voice
that changes at every cue still makes at most MAX_LINES lines, every word kept in order with
every change of speaker named; words past MAX_TEXT characters are left to the transcript file,
which the page links, and publish says so; a page over what check reads is warned of.

Generated transcripts with known answers: cue i says ``w{i}``, spoken by a speaker drawn from
a pattern, so the words and speakers a page shows can be read back and compared."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import BASE_CONFIG, sidecar, tone
from syndicate.render.transcript_lines import MAX_LINES, MAX_TEXT, page_lines, written

CONFIG = BASE_CONFIG + "audio:\n  process: false\n"
WORD = re.compile(r"\bw(\d+)\b")


def _clock(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _vtt(speakers: list[str], step_ms: int, pad: int = 0) -> str:
    lines = ["WEBVTT", ""]
    for i, who in enumerate(speakers):
        voice = f"<v {who}>" if who else ""
        lines += [f"{_clock(i * step_ms)} --> {_clock((i + 1) * step_ms)}",
                  f"{voice}w{i}{' ' + 'x' * pad if pad else ''}", ""]
    return "\n".join(lines)


def _shown(section: str) -> tuple[list[int], list[str]]:
    """The words of a page's transcript in order, and the speakers named, in order (at a
    line's start or inside it)."""
    text = re.sub(r"<[^>]+>", "", section)
    words = [int(n) for n in WORD.findall(text)]
    names = re.findall(r"\b(S\d+):", text)
    return words, names


def _changes(speakers: list[str]) -> list[str]:
    out = []
    for who in speakers:
        if who and (not out or out[-1] != who):
            out.append(who)
    return out


@settings(max_examples=30, deadline=None)
@given(count=st.integers(1, 12_000), voices=st.integers(0, 4), run=st.integers(1, 5),
       step=st.sampled_from([0, 1, 40, 2400]))
def test_page_lines_are_bounded_and_keep_every_word_and_change_of_voice(count, voices, run,
                                                                         step):
    speakers = [f"S{i // run % voices}" if voices else "" for i in range(count)]
    found = [(i * step / 1000, (i + 1) * step / 1000, f"w{i}", who)
             for i, who in enumerate(speakers)]
    lines = page_lines(found)
    assert lines.cut_at is None  # short words: nothing left out
    assert len(lines.lines) <= MAX_LINES
    text = " ".join(f"{ln.speaker}: {ln.text}" if ln.speaker else ln.text
                    for ln in lines.lines)
    assert [int(n) for n in WORD.findall(text)] == list(range(count))
    # each change of voice is named where it happens (at a line's start, or in its text)
    named = []
    for who in re.findall(r"\b(S\d+):", text):
        if not named or named[-1] != who:
            named.append(who)
    assert named == _changes(speakers)


@settings(max_examples=15, deadline=None)
@given(count=st.integers(1, 3000), pad=st.integers(100, 4000), voices=st.integers(0, 3),
       fill=st.sampled_from(["x", "&", "é", "漢", "<b>"]))
def test_words_past_the_text_limit_are_left_to_the_file_from_a_known_point(count, pad, voices,
                                                                           fill):
    speakers = [f"S{i % voices}" if voices else "" for i in range(count)]
    found = [(float(i), i + 1.0, f"w{i} " + fill * pad, who) for i, who in enumerate(speakers)]
    lines = page_lines(found)
    shown = sum(written(ln.text) + written(ln.speaker) for ln in lines.lines)
    assert shown <= MAX_TEXT
    words = [int(n) for ln in lines.lines for n in WORD.findall(ln.text)]
    assert words == list(range(len(words)))  # a beginning, in order
    total = sum(written(t) + written(w) for _, _, t, w in found)
    if total <= MAX_TEXT:
        assert lines.cut_at is None and len(words) == count
    else:
        assert lines.cut_at is not None and len(words) < count + 1
        assert lines.cut_at <= len(words)  # the page stops where its words stop


def test_a_voice_changing_at_every_cue_still_makes_a_small_page(tmp_path):
    count = 30_000
    speakers = [f"S{i % 3}" for i in range(count)]
    proj = new_project(tmp_path / "p", {"episodes/one.mp3": tone(60.0),
                                        "episodes/one.vtt": _vtt(speakers, 1),
                                        "episodes/one.yaml": sidecar("One",
                                                                     transcript="one.vtt")},
                       CONFIG)
    result = proj.run("publish", "--json")
    assert result.exit_code == 0, result.output
    assert not [w for w in json.loads(result.stdout)["warnings"] if "one" in w]
    page = proj.read("episodes/one/index.html").decode()
    assert len(page.encode()) < 2_000_000  # (was 6 MB here; 20 MB for 100,000 cues)
    section = page[page.index('<section class="transcript"'):]
    section = section[:section.index("</section>")]
    assert section.count("<li data-cue") <= MAX_LINES
    words, names = _shown(section)
    assert words == list(range(count))
    assert names == speakers  # a new voice at every cue, every one named
    assert "goes on past" not in section
    assert proj.read("episodes/one/transcript.vtt").decode().count(" --> ") == count


def test_a_transcript_past_the_text_limit_stops_on_the_page_and_links_the_file(tmp_path):
    pad = 160
    count = MAX_TEXT // pad + 2000
    proj = new_project(tmp_path / "p", {"episodes/one.mp3": tone(60.0),
                                        "episodes/one.vtt": _vtt([""] * count, 2, pad),
                                        "episodes/one.yaml": sidecar("One",
                                                                     transcript="one.vtt")},
                       CONFIG)
    result = proj.run("publish", "--json")
    assert result.exit_code == 0, result.output
    (said,) = [w for w in json.loads(result.stdout)["warnings"] if w.startswith("episodes/one")]
    assert re.fullmatch(r"episodes/one\.vtt: more words than an episode page shows \(4 MB\): "
                        r"its page shows the transcript up to (\d+:\d\d) and links the file "
                        r"for the rest", said), said
    page = proj.read("episodes/one/index.html").decode()
    assert len(page.encode()) < 5_000_000  # under the 8 MB check reads
    section = page[page.index('<section class="transcript"'):]
    section = section[:section.index("</section>")]
    words, _ = _shown(section)
    assert words == list(range(len(words))) and 0 < len(words) < count
    at = re.search(r"up to (\d+:\d\d)", said)[1]
    assert (f'The transcript goes on past {at}: read it all in the <a href="'
            in section) and 'transcript.vtt">transcript file</a>' in section
    assert proj.read("episodes/one/transcript.vtt").decode().count(" --> ") == count


def test_a_page_over_what_check_reads_is_warned_of(tmp_path, monkeypatch):
    import syndicate.publish.sitepages as sitepages

    monkeypatch.setattr(sitepages, "PAGE_BYTES", 1000)  # a tiny cap, so a plain page passes it
    proj = new_project(tmp_path / "p", {"episodes/one.mp3": tone(2.0),
                                        "episodes/one.yaml": sidecar("One")}, CONFIG)
    result = proj.run("publish", "--json")
    assert result.exit_code == 0, result.output
    said = [w for w in json.loads(result.stdout)["warnings"] if "more than syndicate check" in w]
    assert said and all(re.fullmatch(r"\S+: the page is 0\.0 MB, more than syndicate check "
                                     r"reads of a page \(0 MB\); its links will not be checked",
                                     w) for w in said)
    assert "episodes/one/index.html: the page is" in " ".join(said)


def test_a_transcript_over_what_check_reads_is_warned_of(tmp_path, monkeypatch):
    import syndicate.collect.episodes as episodes

    monkeypatch.setattr(episodes, "FILE_BYTES", 1 << 10)  # a tiny cap: 1 KB
    speakers = [""] * 100
    proj = new_project(tmp_path / "p", {"episodes/one.mp3": tone(2.0),
                                        "episodes/one.vtt": _vtt(speakers, 10),
                                        "episodes/one.yaml": sidecar("One",
                                                                     transcript="one.vtt")},
                       CONFIG)
    result = proj.run("publish", "--json")
    assert result.exit_code == 0, result.output
    assert ("episodes/one.vtt: 0.0 MB, more than syndicate check reads of a transcript (0 MB): "
            "published, but check cannot read it back") in json.loads(result.stdout)["warnings"]
