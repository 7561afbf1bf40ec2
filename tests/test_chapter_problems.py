"""Every chapter problem of a sidecar is told in one run, each at its line (h23 Z16): a bad
address, a first chapter not at 0:00 and one out of order together, and every chapter past the
audio's end. Generated chapter lists with known answers: the problems said are exactly those
of the list."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import BASE_CONFIG, sidecar, tone

CONFIG = BASE_CONFIG + "audio:\n  process: false\n"


def _chapters(entries: list[tuple[int, bool]]) -> tuple[str, list[int]]:
    """The YAML of chapters starting at each number of seconds (a bad address where marked),
    and each one's 'start:' line in a sidecar made by ``sidecar`` (two lines before it)."""
    lines, starts = ["chapters:"], []
    for i, (at, bad) in enumerate(entries):
        starts.append(len(lines) + 3)
        lines += [f'  - start: "{at // 60}:{at % 60:02d}"', f"    title: C{i}"]
        if bad:
            lines.append("    url: javascript:alert(1)")
    return "\n".join(lines) + "\n", starts


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(st.tuples(st.integers(0, 9), st.booleans()), min_size=1, max_size=6))
def test_every_problem_of_a_chapter_list_is_told_at_once_at_its_line(entries):
    text, starts = _chapters(entries)
    expected = set()
    if entries[0][0] != 0:
        expected.add((starts[0], "the first chapter must start at 0:00"))
    latest = None
    for i, (at, bad) in enumerate(entries):
        if latest is not None and at < latest:
            expected.add((starts[i], "starts before the chapter above it"))
        latest = at if latest is None else max(latest, at)
        if bad:
            expected.add((starts[i] + 2, "expected an http(s) URL"))
    with tempfile.TemporaryDirectory() as tmp:
        proj = new_project(Path(tmp) / "p", {"episodes/e.mp3": tone(12.0),
                                             "episodes/e.yaml": sidecar("Ep") + text}, CONFIG)
        result = proj.run("publish")
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    if not expected:
        assert result.exit_code == 0 and errors == [], result.output
        return
    assert result.exit_code == 1 and len(errors) == 1, result.output
    first = int(re.match(r"Error: episodes/e.yaml:(\d+): ", errors[0]).group(1))
    said = {(first, errors[0])} | {(int(n), part) for n, part in
                                  re.findall(r"line (\d+): ([^;]*)", errors[0])}
    for line, words in expected:
        assert any(n == line and words in text for n, text in said), (line, words, errors[0])
    assert errors[0].count("'chapters[") == len(expected), errors[0]


def test_every_chapter_past_the_end_is_told_at_its_line(tmp_path):
    text, starts = _chapters([(0, False), (5, False), (40, False), (50, False)])
    proj = new_project(tmp_path / "p", {"episodes/e.mp3": tone(12.0),
                                        "episodes/e.yaml": sidecar("Ep") + text}, CONFIG)
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    (error,) = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert error.startswith(f"Error: episodes/e.yaml:{starts[2]}: 'chapters[2]' starts at 40 s, "
                            "after the audio ends"), error
    assert f"line {starts[3]}: 'chapters[3]' starts at 50 s" in error, error
