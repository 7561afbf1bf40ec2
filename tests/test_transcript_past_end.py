"""A transcript whose cues start after the episode's audio ends (another episode's, another
cut's) is an error naming the transcript, the cue's line and the sidecar, the episode keeping
its last published version; a last cue a moment past the end (a trimmed tail) is fine."""

from __future__ import annotations

import json

import podcastparser
import pytest

from conftest import BASE_CONFIG, sidecar, tone

CONFIG = BASE_CONFIG + "audio:\n  process: false\n"


def _transcript(kind: str, starts: list[float]) -> tuple[str, int | None]:
    """A transcript with a cue at each start, and the line of the last cue's timing."""
    def t(sec: float, sep: str) -> str:
        ms = round(sec * 1000)
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}" \
               f"{ms % 1000:03d}"

    if kind == "json":
        return json.dumps({"version": "1.0.0", "segments": [
            {"startTime": s, "endTime": s + 0.5, "body": f"Words {i}."}
            for i, s in enumerate(starts)]}), None
    lines = ["WEBVTT", ""] if kind == "vtt" else []
    last = None
    for i, s in enumerate(starts, 1):
        if kind == "srt":
            lines.append(str(i))
        sep = "." if kind == "vtt" else ","
        lines.append(f"{t(s, sep)} --> {t(s + 0.5, sep)}")
        last = len(lines)
        lines += [f"Words {i}.", ""]
    return "\n".join(lines), last


def _podcast(proj) -> dict:
    with open(proj.public("podcast.xml"), "rb") as f:
        return podcastparser.parse("podcast.xml", f)


@pytest.mark.parametrize("kind", ["vtt", "srt", "json"])
def test_a_transcript_running_past_the_audio_is_named_with_its_line(make_project, kind):
    good, _ = _transcript(kind, [0.0, 1.0, 3.6])  # the last a moment past the 3 s end
    proj = make_project({"episodes/one.mp3": tone(3.0),
                         f"episodes/one.{kind}": good,
                         "episodes/one.yaml": sidecar("One", transcript=f"one.{kind}")},
                        config=CONFIG)
    out = proj.run("publish")
    assert out.exit_code == 0, out.output
    assert [e["title"] for e in _podcast(proj)["episodes"]] == ["One"]
    published = proj.read("podcast.xml")

    late, line = _transcript(kind, [0.0, 1.0, 600.0])
    proj.write(f"episodes/one.{kind}", late)
    out = proj.run("publish")
    assert out.exit_code == 1
    where = f"episodes/one.{kind}:{line}" if line else f"episodes/one.{kind}"
    assert (f"Error: {where}: a cue starts at 600 s, after the audio ends (3.0 s): is this "
            "the episode's transcript? (named in episodes/one.yaml") in out.output, out.output
    assert "Traceback" not in out.output
    assert proj.read("podcast.xml") == published  # its last published version stays
