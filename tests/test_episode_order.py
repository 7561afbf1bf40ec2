"""Episodes on one date are listed by season and number, newest first, whatever order they
were collected in: in the podcast feed, the archive and each page's previous/next (h23 Z25)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import lxml.html
import podcastparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import BASE_CONFIG, sidecar, tone

CONFIG = BASE_CONFIG + "audio:\n  process: false\n"


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(numbers=st.permutations([1, 2, 3, 4, 5]), later=st.integers(0, 4))
def test_episodes_of_one_date_are_in_the_order_of_their_numbers(numbers, later):
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for i, n in enumerate(numbers):
            if i == later:
                continue  # collected by a second publish
            files[f"episodes/{'abcde'[i]}.mp3"] = tone(0.3, freq=300 + 50 * n)
            files[f"episodes/{'abcde'[i]}.yaml"] = sidecar(f"Episode {n}", number=n)
        proj = new_project(Path(tmp) / "p", files, CONFIG)
        assert proj.run("publish").exit_code == 0
        name = "abcde"[later]
        proj.write(f"episodes/{name}.mp3", tone(0.3, freq=300 + 50 * numbers[later]))
        proj.write(f"episodes/{name}.yaml", sidecar(f"Episode {numbers[later]}",
                                                    number=numbers[later]))
        result = proj.run("publish")
        assert result.exit_code == 0, result.output
        feed = podcastparser.parse("https://example.test/podcast.xml",
                                   proj.root.joinpath("public/podcast.xml").open("rb"))
        titles = [e["title"] for e in feed["episodes"]]
        assert titles == [f"Episode {n}" for n in (5, 4, 3, 2, 1)], titles
        archive = lxml.html.document_fromstring(proj.read("episodes/index.html"))
        listed = [t.strip() for t in archive.xpath("//main//li//a/text()")
                  if t.strip().startswith("Episode")]
        assert listed == titles, listed
