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

from conftest import BASE_CONFIG, post

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
