"""h22 W11: a transcript of tens of thousands of cues (word by word) makes an episode page a
browser opens at once: its cues are joined into lines (at most about 1,500, each speaker's
own), every word kept in order; the transcript file published beside it keeps every cue."""

from __future__ import annotations

import re

from test_pages import new_project

from conftest import BASE_CONFIG, sidecar, tone

CONFIG = BASE_CONFIG + "audio:\n  process: false\n"


def _vtt(count: int, length: float) -> str:
    step = length / count
    lines = ["WEBVTT", ""]
    for i in range(count):
        ms = int(i * step * 1000)
        end = int((i + 1) * step * 1000)
        who = "Ann" if i < count // 2 else "Bob"
        lines += [f"{ms // 60000:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d} --> "
                  f"{end // 60000:02d}:{end // 1000 % 60:02d}.{end % 1000:03d}",
                  f"<v {who}>w{i}", ""]
    return "\n".join(lines)


def test_a_word_by_word_transcript_is_shown_in_lines_with_every_word(tmp_path):
    count = 20_000
    proj = new_project(tmp_path / "p", {"episodes/one.mp3": tone(60.0),
                                        "episodes/one.vtt": _vtt(count, 59.0),
                                        "episodes/one.yaml": sidecar("One",
                                                                     transcript="one.vtt")},
                       CONFIG)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    page = proj.read("episodes/one/index.html").decode()
    assert len(page) < 1_500_000
    section = page[page.index('<section class="transcript"'):]
    section = section[:section.index("</section>")]
    items = section.count("<li data-cue")
    assert 100 < items <= 1_600, items
    shown = re.findall(r"\bw(\d+)\b", section)
    assert [int(n) for n in shown] == list(range(count))  # every word, in order
    assert section.count('class="speaker"') == 2  # Ann, then Bob where the voice changes
    published = proj.read("episodes/one/transcript.vtt").decode()
    assert published.count(" --> ") == count  # the file keeps every cue
