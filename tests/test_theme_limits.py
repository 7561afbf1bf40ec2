"""A theme cannot take the machine's memory or time, and what it makes is checked before it
goes live (h23 Z1, Z2, Z3, Z17).

Generated templates grow a value with every operation a template has (``~``, ``+``, ``*``,
``%``, the padding, replacing, joining and formatting filters and string methods), once or
doubling in a loop, by small and huge amounts: each renders, or is one template error naming
the file, within a bounded time and with the process's memory bounded. A slow ``base.html`` is
named itself (not each page template extending it) and stopped once. An empty page or a
sitemap that is not one is an error, and the live page keeps its last version."""

from __future__ import annotations

import re
import resource
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import BASE_CONFIG, guard, post
from syndicate.errors import ItemError
from syndicate.render.pages import Theme

# (template of one growth step of `v`, given `n`): each makes `v` larger by `n` or more
STEPS = [
    "{v} ~ {v}", "{v} ~ 'x' * {n}", "{v} + {v}", "{v} * {n}", "'%{n}s' % {v}",
    "'%.{n}f' % 1.5", "{v}|center({n})", "{v}|indent({n}, true)", "{v}|replace('a', {v})",
    "{v}|replace('', 'xy')", "[{v}] * {n}", "'{{:>{n}}}'.format({v})", "{v}.ljust({n})",
    "{v}.zfill({n})", "('\\t' ~ {v}).expandtabs({n})", "({v}).join(['a', 'b', 'c'])",
    "'%{n}s'|format({v})", "range({n})|join({v})", "[{v}, {v}]", "dict(a={v}, b={v})",
    "({v}, {v})", "{{'a': {v}, 'b': {v}}}", "[{v}] * {n}",
]
AMOUNTS = st.sampled_from([1, 3, 40, 4000, 400_000, 5_000_000, 3_000_000_000])
STARTS = st.sampled_from(["'ab'", "'a' * 4000", "'a' * 4000000"])


def _template(step: str, n: int, start: str, loops: int) -> str:
    grow = step.format(v="ns.v", n=n)
    if loops == 0:
        return "{% set ns = namespace(v=" + start + ") %}{{ (" + grow + ")|length }}"
    return ("{% set ns = namespace(v=" + start + ") %}{% for i in range(" + str(loops) + ") %}"
            "{% set ns.v = " + grow + " %}{% endfor %}{{ ns.v|length }}")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(step=st.sampled_from(STEPS), n=AMOUNTS, start=STARTS,
       loops=st.sampled_from([0, 1, 5, 40]))
def test_any_growing_template_renders_or_is_one_error_in_bounded_memory(
        tmp_path_factory, monkeypatch, step, n, start, loops):
    import syndicate.render.pages as pages

    monkeypatch.setattr(pages, "RENDER_SECONDS", 3)
    folder = tmp_path_factory.mktemp("theme")
    (folder / "templates").mkdir()
    (folder / "templates/x.html").write_text(_template(step, n, start, loops))
    theme = Theme(folder, "UTC")
    before, began = _peak_mb(), time.monotonic()
    with guard(30):
        try:
            out = theme.render("x.html", site={})
        except ItemError as exc:
            assert str(exc).startswith(f"{folder / 'templates/x.html'}:"), exc
            assert "template error" in str(exc) and "fix the template" in str(exc), exc
        else:
            assert len(out) <= pages.PAGE_LIMIT
    # bounded: the render's memory allowance and one operation's largest value (and the
    # sampled lists' own bytes) beside it, never gigabytes
    assert _peak_mb() - before < (pages.RENDER_MEMORY >> 20) + 400, (step, n, start, loops)
    assert time.monotonic() - began < 20


def test_the_testers_memory_templates_are_each_one_error_naming_them(tmp_path):
    for i, body in enumerate([
        '{{ "a"|center(3000000000) }}', '{{ "%3000000000s" % "a" }}',
        '{{ "%3000000000s"|format("a") }}', '{{ "{:>3000000000}".format("a") }}',
        '{% set n = 3000000000 %}{{ "a"|indent(n, true) }}',
        '{% set ns = namespace(s="a") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}'
        '{% endfor %}{{ ns.s|length }}',
        '{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}'
        '{% endfor %}{{ ns.l|length }}',
        '{% macro r(s) %}{{ r(s ~ s) }}{% endmacro %}{{ r("a") }}',
        '{% set a = "a"*4000 %}{{ a|replace("a", a*1000) }}',
        '{% set ns = namespace(l=[]) %}{% set big = "a"*4000000 %}{% for i in range(100000) %}'
        '{% set ns.l = ns.l + [big ~ i] %}{% endfor %}{{ ns.l|length }}',
        # h24 A1, A12, A2: containers sharing themselves, printed or compared; numbers squared
        '{% set ns = namespace(d=[]) %}{% for i in range(40) %}{% set ns.d = [ns.d, ns.d] %}'
        '{% endfor %}{{ ns.d }}',
        '{% set ns = namespace(d={}) %}{% for i in range(40) %}'
        '{% set ns.d = dict(ns.d, **{i|string: ns.d}) %}{% endfor %}{{ ns.d|tojson|length }}',
        '{% set ns = namespace(a=[], b=[]) %}{% for i in range(40) %}{% set ns.a = [ns.a, ns.a] %}'
        '{% set ns.b = [ns.b, ns.b] %}{% endfor %}{{ ns.a == ns.b }}',
        '{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}'
        '{% endfor %}{{ ns.n > 5 }}',
        '{% set s = "a"*4000000 %}{{ ([s] * 4000000)|length }}',
    ]):
        proj = new_project(tmp_path / f"p{i}", {
            "posts/a.md": post("A"),
            "th/templates/post.html": "{% extends 'base.html' %}{% block main %}" + body
                                      + "{% endblock %}"}, BASE_CONFIG + "theme: th\n")
        before = _peak_mb()
        with guard(60):
            result = proj.run("publish")
        assert "Traceback" not in result.output and result.exit_code == 1, result.output
        errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
        assert len(errors) == 1 and "th/templates/post.html:1:" in errors[0], (body, errors)
        assert re.search(r"too large|of memory", errors[0]), errors[0]
        assert _peak_mb() - before < 1000, body


_SLOW = ("<!doctype html>\n<html>\n{% for i in range(100000) %}{% for j in range(100000) %}"
         "{% endfor %}{% endfor %}\n{% block head %}{% endblock %}{% block main %}{% endblock %}"
         "{% block scripts %}{% endblock %}</html>\n")


def test_a_slow_base_template_is_named_itself_once_and_stops_the_run_once(tmp_path,
                                                                          monkeypatch):
    import syndicate.render.pages as pages

    monkeypatch.setattr(pages, "RENDER_SECONDS", 1)
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A", body="First words."),
                                        "th/templates/.keep": ""}, BASE_CONFIG + "theme: th\n")
    assert proj.run("publish").exit_code == 0
    proj.write("th/templates/base.html", _SLOW)
    proj.write("posts/a.md", post("A", body="Second words."))
    began = time.monotonic()
    with guard(60):
        result = proj.run("publish")
    took = time.monotonic() - began
    assert "Traceback" not in result.output and result.exit_code == 1, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, errors
    assert "th/templates/base.html:3:" in errors[0] and "took over 1 s" in errors[0], errors
    assert "themes/default" not in errors[0]
    assert took < 8, took  # stopped once (one second), not once for each page template
    assert b"First words." in proj.read("posts/a/index.html")


@pytest.mark.parametrize("name, content, said", [
    ("post.html", "", "the page it makes shows nothing"),
    ("post.html", "  \n\t\n", "the page it makes shows nothing"),
    ("post.html", "<!-- x -->", "the page it makes shows nothing"),  # h24 A4
    ("post.html", "<html><head><title>t</title></head><body>\n</body></html>",
     "the page it makes shows nothing"),
    ("sitemap.xml", "<urlset><url><loc>{{ 1 }}</loc>", "the sitemap it makes is not one"),
    ("sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                    'sitemap/0.9"><url><loc>/relative/</loc></url></urlset>',
     "not an address under https://example.test/"),
    ("sitemap.xml", "<rss/>", "its root is <rss>"),
])
def test_a_theme_making_an_empty_page_or_a_broken_sitemap_keeps_the_live_one(
        tmp_path, name, content, said):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A", body="First words."),
                                        "th/templates/.keep": ""}, BASE_CONFIG + "theme: th\n")
    assert proj.run("publish").exit_code == 0
    key = "posts/a/index.html" if name == "post.html" else "sitemap.xml"
    live = proj.read(key)
    proj.write(f"th/templates/{name}", content)
    proj.write("posts/a.md", post("A", body="Second words."))
    result = proj.run("publish")
    assert "Traceback" not in result.output and result.exit_code == 1, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert any(f"th/templates/{name}" in e and said in e for e in errors), errors
    assert proj.read(key) == live  # the live one is never replaced by it
    assert Path(proj.root / "public" / key).stat().st_size > 0


def test_an_override_lacking_macros_the_default_templates_import_is_one_error_naming_it(
        tmp_path):
    """h24 A3: an empty (or partial) macros.html in the project's theme is one error naming
    that file and the macros it lacks, never the package's templates importing them."""
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A"),
                                        "th/templates/macros.html": "{% macro other() %}x"
                                                                    "{% endmacro %}\n"},
                       BASE_CONFIG + "theme: th\n")
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, errors
    assert errors[0].startswith("Error: th/templates/macros.html: "), errors
    assert "does not define 'badge', " in errors[0] and "'listing'" in errors[0], errors
    assert "themes/default" not in errors[0]


@pytest.mark.parametrize("body, said", [
    ('{{ "a".expandtabs(3000000000) }}', "a value of 3,000,000,000 characters"),
    ('{% set ns = namespace(d=[]) %}{% for i in range(5000) %}{% set ns.d = [ns.d] %}'
     '{% endfor %}{{ ns.d|tojson }}', "or holds values nested too deep"),
    ('{{ ("9" * 4000)|int * ("9" * 4000)|int }}',
     "a number of more than 4,300 digits cannot be written"),
])
def test_python_limits_reached_by_a_theme_are_said_in_a_theme_authors_words(tmp_path, body,
                                                                             said):
    """h24 A10: no Python advice (sys.set_int_max_str_digits) or C-int overflow in the error."""
    folder = tmp_path / "theme"
    (folder / "templates").mkdir(parents=True)
    (folder / "templates/x.html").write_text(body)
    with pytest.raises(ItemError) as caught:
        Theme(folder, "UTC").render("x.html", site={})
    assert said in str(caught.value), caught.value
    assert "sys." not in str(caught.value) and "C int" not in str(caught.value)
