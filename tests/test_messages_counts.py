"""Messages say what is true (h20 V15): the error for a broken theme template counts what
became of its pages in plain grammar ("1 items are left out" was said); a feed key refused for
a character names that character, not a folder it does not leave."""

from __future__ import annotations

import re

import pytest
from test_pages import new_project

from conftest import BASE_CONFIG, post


@pytest.mark.parametrize(("old", "new"), [(1, 1), (1, 2), (2, 1), (3, 3)])
def test_a_broken_post_template_counts_kept_and_left_out_pages_in_grammar(tmp_path, old, new):
    files = {f"posts/old{i}.md": post(f"Old {i}", "2026-10-01") for i in range(old)}
    proj = new_project(tmp_path / "p", {**files, "th/templates/.keep": ""},
                       BASE_CONFIG + "theme: th\n")
    assert proj.run("publish").exit_code == 0
    proj.write("th/templates/post.html",
               "{% extends 'base.html' %}{% block main %}\n{{ 1 / 0 }}\n{% endblock %}")
    for i in range(new):
        proj.write(f"posts/new{i}.md", post(f"New {i}", "2026-10-02"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert errors and "th/templates/post.html" in errors[0], result.output
    said = errors[0]
    assert not re.search(r"\b1 (items|tags|keep |never published are)", said), said
    kept = "1 keeps its last published version" if old == 1 else \
        f"{old} keep their last published version"
    assert kept in said, said
    dropped = "1 item is left out" if new == 1 else f"{new} items are left out"
    assert dropped in said, said


@pytest.mark.parametrize(("value", "bad"), [("feed xml.xml", " "), ("feed.xml?x", "?"),
                                            ("ünï.xml", "ü"), ("feed.xml#x", "#")])
def test_a_feed_key_with_a_character_a_key_may_not_hold_names_it(tmp_path, value, bad):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")},
                       BASE_CONFIG + f"blog:\n  rss_path: {value!r}\n")
    result = proj.run("publish")
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "'blog.rss_path'" in result.output and f"it holds {bad!r}" in result.output
    assert "leave the site's folder" not in result.output
    assert not proj.public("index.html").exists()
