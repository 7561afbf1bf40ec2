"""An episode of many chapters (a serial, a live stream with one a song): the MP3's own chapter
table, which holds 255 at most, gets the first 255 with a warning naming the sidecar's line,
the chapters file and the page get them all; past 5,000 the sidecar is refused at its line
(h24 A11: 256 chapters were a traceback from the MP3 tagging)."""

from __future__ import annotations

import json

import pytest
from mutagen.id3 import ID3
from test_pages import new_project

from conftest import BASE_CONFIG, sidecar, tone


def _sidecar(n: int) -> str:
    lines = ["chapters:"]
    for i in range(n):
        lines += [f'  - start: "{i * 400 // 1000}.{i * 400 % 1000:03d}"',
                  f"    title: Chapter {i}"]
    return sidecar("Ep") + "\n".join(lines) + "\n"


@pytest.mark.parametrize("n", [255, 256, 300])
def test_many_chapters_publish_with_the_first_255_in_the_mp3(tmp_path, n):
    proj = new_project(tmp_path / "p", {"episodes/e.wav": tone(125.0, fmt="wav"),
                                        "episodes/e.yaml": _sidecar(n)}, BASE_CONFIG)
    result = proj.run("publish")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    said = "episodes/e.yaml:3: 'chapters': "
    assert (said in result.output) == (n > 255), result.output
    (mp3,) = list((proj.root / "public").rglob("*.mp3"))
    assert len(ID3(mp3).getall("CHAP")) == min(n, 255)
    chapters = json.loads(proj.read("episodes/e/chapters.json"))["chapters"]
    assert len(chapters) == n


def test_more_chapters_than_any_app_lists_are_refused_at_the_line(tmp_path):
    proj = new_project(tmp_path / "p", {"episodes/e.wav": tone(1.0, fmt="wav"),
                                        "episodes/e.yaml": _sidecar(5001)}, BASE_CONFIG)
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: episodes/e.yaml:3: 'chapters': 5,001 chapters; an episode may have at most " \
           "5,000" in result.output, result.output
