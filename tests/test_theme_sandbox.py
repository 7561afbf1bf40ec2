"""Theme templates are rendered in Jinja2's sandbox (h20 V6): a theme, perhaps someone else's,
cannot reach Python internals, read files or run commands. Each attempt is one theme error
naming the template and its line, never a traceback, and nothing it reached is published."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import BASE_CONFIG, guard, post

SECRET = "TOPSECRET-f14"


def _attempts(secret: Path, marker: Path) -> list[str]:
    """The tester's template and the walks known to escape an unsandboxed Jinja2."""
    return [
        f"lipsum.__globals__['os'].popen('cat {secret}; touch {marker}').read()",
        "site.__class__.__mro__",
        "''.__class__.__mro__[1].__subclasses__()",
        f"cycler.__init__.__globals__.os.popen('touch {marker}').read()",
        f"joiner.__init__.__globals__['__builtins__']['open']('{secret}').read()",
        f"namespace.__init__.__globals__.__builtins__.open('{secret}').read()",
        "range.__class__.__base__.__subclasses__()",
        "self._TemplateReference__context",
        "self.__init__.__globals__",
        "'{0.__class__.__mro__}'.format(1)",
        "lipsum['__globals__']",
        "[].append(1)",
        "{}.update(a=1)",
    ]


def _project(root: Path, template: str):
    return new_project(root, {"posts/a.md": post("A"), "th/templates/robots.txt": template},
                       BASE_CONFIG + "theme: th\n")


def _refused(result, line: int) -> None:
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert re.search(rf"th/templates/robots\.txt:{line}: .*template error", errors[0]), errors[0]
    assert "fix the template" in errors[0]


def test_the_testers_template_and_known_escapes_are_each_a_theme_error(tmp_path):
    secret, marker = tmp_path / "secret.txt", tmp_path / "ran"
    secret.write_text(SECRET)
    for i, attempt in enumerate(_attempts(secret, marker)):
        proj = _project(tmp_path / f"p{i}", "User-agent: *\n{{ " + attempt + " }}\n")
        result = proj.run("publish")
        _refused(result, 2)
        if "__" in attempt or "._" in attempt:
            assert "sandbox" in result.output, (attempt, result.output)
        assert not marker.exists(), attempt  # no command ran
        published = b"".join(p.read_bytes() for p in (tmp_path / f"p{i}" / "public").rglob("*")
                             if p.is_file())
        assert SECRET.encode() not in published, attempt


BASES = ["lipsum", "cycler", "joiner", "namespace", "range", "dict", "site", "self", "loop",
         "''", "1", "[]", "{}", "item", "config", "open", "__import__", "os"]
STEPS = [".__class__", ".__mro__", "[1]", ".__subclasses__()", ".__init__", ".__globals__",
         "['os']", ".os", "['__builtins__']", ".__builtins__", ".__dict__", ".__base__",
         ".mro()", ".gi_frame", ".f_globals", ".__code__", ".__func__", ".__self__",
         ".popen('touch {marker}')", ".read()", ".system('touch {marker}')",
         "['open']('{secret}')", ".open('{secret}')", ".__getattribute__('__globals__')",
         "|attr('__globals__')", "|attr('__class__')", ".format(1)", ".append(1)"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(base=st.sampled_from(BASES), steps=st.lists(st.sampled_from(STEPS), min_size=1,
                                                      max_size=5))
def test_any_attribute_walk_is_refused_or_harmless(base, steps):
    """Generated walks from every global and value a template sees: each either renders
    harmlessly (an undefined name, nothing reached) or is one theme error naming file and line;
    a walk through a ``_`` attribute is always refused; no command runs, no file leaks."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        secret, marker = tmp_path / "secret.txt", tmp_path / "ran"
        secret.write_text(SECRET)
        expr = base + "".join(s.format(marker=marker, secret=secret) for s in steps)
        proj = _project(tmp_path / "p", "User-agent: *\n\n{{ " + expr + " }}\n")
        result = proj.run("publish")
        assert "Traceback" not in result.output
        assert not marker.exists(), expr
        if result.exit_code == 0:
            shown = proj.read("robots.txt").decode()
            assert SECRET not in shown and "<class" not in shown, expr
            assert "<function" not in shown and "<module" not in shown, expr
            assert not any(s.startswith((".__", "['__")) for s in steps), expr
        else:
            _refused(result, 3)
        for path in (tmp_path / "p" / "public").rglob("*"):
            assert not path.is_file() or SECRET.encode() not in path.read_bytes(), expr


@pytest.mark.parametrize("name", ["post.html", "base.html"])
def test_a_page_template_reaching_out_is_an_error_and_the_other_pages_still_publish(tmp_path,
                                                                                    name):
    template = ("{% extends 'base.html' %}\n{% block main %}\n{{ item.__class__.__init__"
                ".__globals__ }}\n{% endblock %}\n") if name == "post.html" else \
        "<!doctype html>\n<title>x</title>\n{{ lipsum.__globals__.os }}\n"
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A"), f"th/templates/{name}":
                                        template}, BASE_CONFIG + "theme: th\n")
    result = proj.run("publish")
    assert "Traceback" not in result.output and result.exit_code != 0
    assert re.search(rf"th/templates/{re.escape(name)}:3: .*sandbox", result.output), \
        result.output


# -- h22 W1/W2: a theme that runs for ever or makes a value of gigabytes -----------------------
_ENDLESS = ("{% extends 'base.html' %}{% block main %}{% for i in range(100000) %}"
            "{% for j in range(100000) %}{% endfor %}{% endfor %}{% endblock %}")


@pytest.mark.parametrize("template, said", [
    ("{% extends 'base.html' %}{% block main %}{{ 'a' * 3000000000 }}{% endblock %}",
     "a value of 3,000,000,000 characters or items (at most 4,194,304): too large for a page"),
    ("{% extends 'base.html' %}{% block main %}{{ [1, 2] * 900000000 }}{% endblock %}",
     "a value of 1,800,000,000 characters or items"),
    ("{% extends 'base.html' %}{% block main %}{{ 7 ** 100000000 }}{% endblock %}",
     "a number of about 90,309,000 digits"),
    ("{% extends 'base.html' %}{% block main %}{% set s = 'a' * 1000000 %}"
     "{% for i in range(100000) %}{{ s }}{% endfor %}{% endblock %}",
     "a page of over 64 M characters"),
])
def test_a_template_making_a_huge_value_or_page_is_one_error_naming_it(tmp_path, template, said):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A"), "posts/b.md": post("B"),
                                        "th/templates/post.html": template},
                       BASE_CONFIG + "theme: th\n")
    with guard(60):
        result = proj.run("publish")
    assert "Traceback" not in result.output and result.exit_code == 1, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and "th/templates/post.html" in errors[0], errors
    assert said in errors[0] and "fix the template" in errors[0], errors[0]


def test_a_template_that_runs_for_ever_is_stopped_and_named_once(tmp_path, monkeypatch):
    import syndicate.render.pages as pages

    monkeypatch.setattr(pages, "RENDER_SECONDS", 1)  # (15 s as shipped)
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A", body="First words."),
                                        "posts/b.md": post("B", "2026-10-02"),
                                        "th/templates/.keep": ""}, BASE_CONFIG + "theme: th\n")
    assert proj.run("publish").exit_code == 0
    proj.write("th/templates/post.html", _ENDLESS)
    proj.write("posts/a.md", post("A", body="Second words."))
    proj.write("posts/b.md", post("B", "2026-10-02", body="Other words."))
    with guard(30):  # one second for the template, not one for each of its pages
        result = proj.run("publish")
    assert "Traceback" not in result.output and result.exit_code == 1, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, errors
    assert "th/templates/post.html" in errors[0] and "took over 1 s to render" in errors[0]
    assert b"First words." in proj.read("posts/a/index.html")  # its last version stays


def test_serve_stopped_by_an_endless_template_builds_again_once_it_is_fixed(tmp_path,
                                                                             monkeypatch):
    import syndicate.render.pages as pages
    from syndicate.serve import Server

    monkeypatch.setattr(pages, "RENDER_SECONDS", 1)
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A", body="First words."),
                                        "th/templates/.keep": ""}, BASE_CONFIG + "theme: th\n")

    class Never:
        def wait(self, stop):
            stop.wait()
            return False

    server = Server(proj.root / "config.yaml", port=0, watcher=Never()).start()
    try:
        proj.write("th/templates/post.html", _ENDLESS)
        proj.write("posts/a.md", post("A", body="Second words."))
        with guard(30):
            broken = server.rebuild()
        assert any("took over 1 s to render" in e for e in broken.errors), broken
        (proj.root / "th/templates/post.html").unlink()
        proj.write("posts/a.md", post("A", body="Third words."))
        with guard(30):
            fixed = server.rebuild()
        assert fixed.ok and fixed.errors == [], fixed
        assert b"Third words." in (server._preview.site_dir / "posts/a/index.html").read_bytes()
    finally:
        server.close()
