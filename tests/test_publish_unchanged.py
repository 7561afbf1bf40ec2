"""A publish that finds nothing changed skips the build (publish/unchanged.py); whatever feeds
the pages and feeds still brings them up to date: an edited post, theme template or static file,
the config, a release that fell due, an image beside a post, objects deleted from the bucket by
hand, another syndicate. The oracle: after every publish, a dry run (which always builds the whole
site) plans nothing."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndicate.publish.build as build_module
from conftest import (
    BASE_CONFIG,
    BUCKET,
    NOW_DT,
    REPO,
    png_bytes,
    post,
    s3_config,
    s3_files,
    s3_keys,
    sidecar,
    tone,
)

THEME = REPO / "syndicate" / "themes" / "default"


def _at(days: float) -> str:
    return (NOW_DT + dt.timedelta(days=days)).isoformat()


def _planned(proj, now: str) -> list[str]:
    """What a dry run, which builds the whole site, would still write or delete."""
    out = proj.run("publish", "--dry-run", now=now).output
    return [ln.strip() for ln in out.splitlines()
            if ln.strip().startswith(("write ", "delete ", "copy "))]


def _first(proj, now: str | None = None) -> None:
    """The first publishes (a first build that gave warnings is not recorded: one may be
    about the show's podcast:guid, said once; without warnings the second builds nothing)."""
    for _ in range(2):
        done = proj.run("publish", now=now or _at(0))
        assert done.exit_code == 0, done.output


@pytest.fixture
def builds(monkeypatch):
    """How many times the site was built (the real build, counted)."""
    calls = []
    real = build_module.build_site

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "build_site", counted)
    return calls


def _project(make_project, config: str = BASE_CONFIG):
    proj = make_project({
        "posts/a.md": post("First", date="2026-09-01", body="Alpha body."),
        "posts/b.md": post("Second", date="2026-09-02", body="Beta body."),
        # falls due four days after NOW
        "posts/later.md": post("Later", date="2026-11-05 09:00", body="Not yet."),
        # shown edited once its updated: date has come
        "posts/c.md": post("Third", date="2026-09-03", body="Gamma.",
                           updated="2026-11-03 10:00"),
        # a file the body links beside it, published with it
        "posts/e.md": post("Fifth", date="2026-09-05", body="See [the notes](e-notes.pdf)."),
        "posts/e-notes.pdf": "Notes.\n",
        "episodes/one.yaml": sidecar("One", transcript="one.vtt"), "episodes/one.mp3": tone(1.0),
        "episodes/one.vtt": "WEBVTT\n\n00:00.000 --> 00:00.500\nHello\n",
    }, config=config + "theme: mytheme\n")
    shutil.copytree(THEME / "templates", proj.root / "mytheme/templates")
    shutil.copytree(THEME / "static", proj.root / "mytheme/static")
    return proj


def _edit_post(proj, n):
    proj.write("posts/a.md", post("First", date="2026-09-01", body=f"Alpha body, edit {n}."))


def _add_image(proj, n):
    proj.write(f"posts/b/pic{n}.png", png_bytes(8 + n, 8))


def _edit_template(proj, n):
    path = proj.root / "mytheme/templates/post.html"
    path.write_text(path.read_text().replace('<div class="body">',
                                             f'<div class="body"><!-- edit {n} -->', 1))


def _edit_static(proj, n):
    path = proj.root / "mytheme/static/style.css"
    path.write_text(path.read_text() + f"\n/* edit {n} */\n")


def _edit_config(proj, n):
    path = proj.root / "config.yaml"
    path.write_text(re.sub(r"title: Test Site.*", f"title: Test Site {n}", path.read_text(),
                           count=1))


def _edit_linked(proj, n):
    proj.write("posts/e-notes.pdf", f"Notes, edit {n}.\n")


def _edit_transcript(proj, n):
    proj.write("episodes/one.vtt", f"WEBVTT\n\n00:00.000 --> 00:00.500\nHello {n}\n")


def _nothing(proj, n):
    pass


EDITS = {"post": _edit_post, "image": _add_image, "template": _edit_template,
         "static": _edit_static, "config": _edit_config, "linked": _edit_linked,
         "transcript": _edit_transcript, "nothing": _nothing}


@settings(max_examples=8, deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.sampled_from([0, 1, 3, 5])),
                      min_size=1, max_size=4))
def test_whatever_changes_a_publish_without_a_build_still_publishes_it(tmp_path_factory, steps):
    """Generated runs of edits, each followed by a publish at a clock that only moves on: the
    site is always what a full build makes (a dry run plans nothing), a publish right after
    another skips the build and writes nothing."""
    from conftest import Project

    root = tmp_path_factory.mktemp("unchanged") / "proj"
    root.mkdir()

    def make(files, config):
        proj = Project(root)
        proj.write("config.yaml", config)
        proj.write("cover.png", png_bytes())
        (root / "posts").mkdir()
        (root / "episodes").mkdir()
        for rel, content in files.items():
            proj.write(rel, content)
        return proj

    proj = _project(make)
    assert proj.run("publish", now=_at(0)).exit_code == 0
    days = 0
    for n, (edit, later) in enumerate(steps, start=1):
        EDITS[edit](proj, n)
        days += later
        done = proj.run("publish", now=_at(days))
        assert done.exit_code == 0, done.output
        assert _planned(proj, _at(days)) == [], (edit, days, done.output)
        again = proj.run("publish", now=_at(days))
        assert again.exit_code == 0 and "wrote 0 files" in again.output, again.output
    assert ("Not yet." in proj.public("posts/later/index.html").read_text()
            if days >= 4 else not proj.public("posts/later").exists())


def test_a_publish_with_nothing_changed_builds_nothing_and_an_edit_builds_again(
        make_project, builds):
    proj = _project(make_project)
    _first(proj)
    b0 = len(builds)  # 1 or 2 (see _first)
    again = proj.run("publish", now=_at(0))
    assert again.exit_code == 0 and "wrote 0 files" in again.output
    assert len(builds) == b0  # skipped: nothing that feeds it changed
    _edit_post(proj, 1)
    edited = proj.run("publish", now=_at(0))
    assert edited.exit_code == 0 and len(builds) == b0 + 1
    assert "edit 1" in proj.public("posts/a/index.html").read_text()
    _edit_template(proj, 2)
    assert proj.run("publish", now=_at(0)).exit_code == 0 and len(builds) == b0 + 2
    assert "<!-- edit 2 -->" in proj.public("posts/b/index.html").read_text()
    _edit_static(proj, 3)
    assert proj.run("publish", now=_at(0)).exit_code == 0 and len(builds) == b0 + 3
    assert "/* edit 3 */" in proj.public("static/style.css").read_text()
    _edit_config(proj, 4)
    assert proj.run("publish", now=_at(0)).exit_code == 0 and len(builds) == b0 + 4
    assert "Test Site 4" in proj.public("index.html").read_text()
    assert proj.run("publish", now=_at(0)).exit_code == 0 and len(builds) == b0 + 4


def test_a_release_that_fell_due_and_an_edit_date_that_came_are_published(make_project, builds):
    proj = _project(make_project)
    _first(proj)
    b0 = len(builds)  # 1 or 2 (see _first)
    assert proj.run("publish", now=_at(0.5)).exit_code == 0 and len(builds) == b0
    assert not proj.public("posts/later").exists()
    stamped = proj.public("feed.xml").read_text()
    # 2026-11-03 10:00 London: Third's updated date has come; Later is not due yet
    assert proj.run("publish", now=_at(2)).exit_code == 0 and len(builds) == b0 + 1
    assert proj.public("feed.xml").read_text() != stamped
    assert not proj.public("posts/later").exists()
    assert proj.run("publish", now=_at(3)).exit_code == 0 and len(builds) == b0 + 1
    # 2026-11-05 09:00 London has come: the release is published by a publish at that time
    assert proj.run("publish", now=_at(4)).exit_code == 0 and len(builds) == b0 + 2
    assert "Not yet." in proj.public("posts/later/index.html").read_text()
    assert "Later" in proj.public("feed.xml").read_text()


def test_a_queued_release_that_fell_due_is_published(make_project, builds):
    proj = _project(make_project)
    _first(proj)
    proj.write("posts/d.md", post("Queued", date="2026-09-04", body="Waiting."))
    assert proj.run("queue", "posts/d.md", "--at", _at(1), now=_at(0)).exit_code == 0
    assert proj.run("publish", now=_at(0.5)).exit_code == 0
    assert not proj.public("posts/d").exists()
    assert proj.run("publish", now=_at(0.6)).exit_code == 0
    built = len(builds)
    assert proj.run("publish", now=_at(1.5)).exit_code == 0 and len(builds) == built + 1
    assert "Waiting." in proj.public("posts/d/index.html").read_text()


def test_another_syndicate_builds_again(make_project, builds, monkeypatch):
    import syndicate.publish.unchanged as unchanged

    proj = _project(make_project)
    _first(proj)
    b0 = len(builds)  # 1 or 2 (see _first)
    assert proj.run("publish").exit_code == 0 and len(builds) == b0
    monkeypatch.setattr(unchanged, "code_signature", lambda: "another syndicate")
    assert proj.run("publish").exit_code == 0 and len(builds) == b0 + 1
    assert proj.run("publish").exit_code == 0 and len(builds) == b0 + 1


def test_the_code_signature_follows_every_file_of_the_package(tmp_path, monkeypatch):
    import syndicate.fingerprint as fingerprint

    copy = tmp_path / "syndicate"
    shutil.copytree(REPO / "syndicate", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "_PACKAGE", copy)
    seen = {fingerprint.code_signature()}
    for rel in ("when.py", "themes/default/templates/post.html", "themes/default/static/x.css"):
        path = copy / rel
        path.write_text((path.read_text() if path.exists() else "") + "\n")
        seen.add(fingerprint.code_signature())
    assert len(seen) == 4
    (copy / "when.cpython-311.pyc").write_bytes(b"compiled")  # bytecode is no code change
    assert fingerprint.code_signature() in seen


def test_a_second_publish_of_a_new_project_builds_nothing(make_project, builds):
    proj = make_project(s3_files())
    first = proj.run("publish")
    assert first.exit_code == 0 and "Warning" not in first.output
    again = proj.run("publish")
    assert again.exit_code == 0 and "wrote 0 files" in again.output and len(builds) == 1


def test_build_warnings_are_said_again_when_the_build_is_skipped(make_project, builds):
    proj = _project(make_project)
    proj.write("cover.png", png_bytes(1000, 1000))
    assert proj.run("publish").exit_code == 0
    built = proj.run("publish")  # the second builds too (see _first)
    again = proj.run("publish")
    assert again.exit_code == 0 and len(builds) == 2
    warning = "1000x1000 px; Apple requires a square image of 1400 to 3000 px"
    assert warning in built.output and warning in again.output


def test_s3_objects_deleted_by_hand_are_put_back_and_no_change_is_two_requests(
        make_project, s3_endpoint, bucket, builds):
    proj = make_project(s3_files(), config=s3_config(s3_endpoint))
    _first(proj)
    b0 = len(builds)  # 1 or 2 (see _first)
    before = s3_keys(bucket)
    calls = []
    boto3.DEFAULT_SESSION = None
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("before-send.s3", lambda request, **kw: calls.append(
        (request.method, request.url))))
    try:
        again = proj.run("publish")
    finally:
        BUILTIN_HANDLERS.pop()
    assert again.exit_code == 0 and "wrote 0 files" in again.output and len(builds) == b0
    assert sorted((m, "list-type=2" in u) for m, u in calls) == [("GET", False), ("GET", True)]
    media = next(k for k in before if k.startswith("site/media/"))
    for key in (media, "site/feed.xml", "site/posts/a/index.html"):
        bucket.delete_object(Bucket=BUCKET, Key=key)
    restored = proj.run("publish")
    assert restored.exit_code == 0 and "wrote 3 files" in restored.output, restored.output
    assert s3_keys(bucket).keys() == before.keys()
    assert proj.run("publish").exit_code == 0 and len(builds) == b0 + 1


def test_an_edit_through_a_link_in_the_theme_is_published(make_project, builds):
    """A theme file that is a link to another file of the theme: its target edited is an
    edit (the link itself does not change)."""
    proj = _project(make_project)
    css = proj.root / "mytheme/static/style.css"
    real = proj.root / "mytheme/static/real.css"
    real.write_text(css.read_text())
    css.unlink()
    css.symlink_to("real.css")
    _first(proj)
    b0 = len(builds)  # 1 or 2 (see _first)
    assert proj.run("publish").exit_code == 0 and len(builds) == b0
    real.write_text(real.read_text() + "\n/* through the link */\n")
    assert proj.run("publish").exit_code == 0 and len(builds) == b0 + 1
    assert "/* through the link */" in proj.public("static/style.css").read_text()


def test_a_publish_with_nothing_changed_loads_no_renderer_and_no_encoder(make_project):
    """Start-up is most of a no-change publish: it loads neither the build and its templates
    (Jinja2) nor the audio encoder (pydub), which a publish that changed a post does load.
    Each publish runs in an interpreter of its own, as the command does."""
    import json
    import subprocess
    import sys

    proj = _project(make_project)
    _first(proj)
    probe = ("import json, sys\nfrom syndicate.cli import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
             "print(json.dumps([code, sorted(m for m in sys.modules if m.split('.')[0] in "
             "('jinja2', 'pydub') or m in ('syndicate.publish.build', "
             "'syndicate.audio.pipeline'))]))\n")

    def loaded() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", probe, "publish", "--config", str(proj.root / "config.yaml"),
             "--now", _at(0)], capture_output=True, text=True, timeout=300)
        lines = done.stdout.strip().splitlines()
        code, modules = json.loads(lines[-1])
        assert code in (0, None), done.stdout + done.stderr
        return modules

    assert loaded() == []
    assert "wrote 0 files" in proj.run("publish", now=_at(0)).output
    _edit_post(proj, 1)
    heavy = loaded()
    assert "syndicate.publish.build" in heavy and "jinja2" in heavy
