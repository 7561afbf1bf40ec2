"""A theme's templates are compiled once a process, by their source: a template edited between
two publishes of one process (a scheduler, a preview) is used as it is now, even when its size
and modification time are the same."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, post

TEMPLATE = "{% extends 'base.html' %}{% block main %}<p>WORD-{}</p>{% endblock %}"
WORDS = st.text(alphabet="abcdefghij", min_size=6, max_size=6)


@pytest.fixture
def themed(make_project):
    return make_project({"posts/a.md": post("A"), "th/templates/post.html": ""},
                        config=BASE_CONFIG + "theme: th\n")


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=WORDS, second=WORDS)
def test_an_edited_template_is_used_by_the_next_publish_of_the_same_process(
        themed, first, second):
    proj = themed
    template = proj.root / "th/templates/post.html"
    template.write_text(TEMPLATE.replace("{}", first))
    assert proj.run("publish").exit_code == 0
    assert f"WORD-{first}" in proj.read("posts/a/index.html").decode()
    stamp = template.stat()
    template.write_text(TEMPLATE.replace("{}", second))  # the same size
    os.utime(template, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the same time
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    page = proj.read("posts/a/index.html").decode()
    assert f"WORD-{second}" in page
    assert first == second or f"WORD-{first}" not in page
