"""Reading the source folders (issue 12): an unreadable folder or file never unpublishes its
items, nothing from outside the source folders is read or published, links, loops, pipes,
sockets, vanishing files, odd names and huge files each get one clear line and the rest
publishes, and a change of time zone re-reads the dates."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import feedparser
import podcastparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, REPO, post, sidecar, tone

MARKER = "SECRET-MARKER-7f3a9c"


@pytest.fixture(autouse=True)
def no_hang():
    """A test that blocks (on a pipe, say) fails after 120 s instead of hanging the suite."""
    import signal

    def expire(*_):
        raise TimeoutError("the test hung: something blocked reading a source")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _titles(proj, feed: str = "feed.xml") -> list[str]:
    parsed = feedparser.parse(proj.read(feed))
    assert not parsed.bozo, parsed.bozo_exception
    return sorted(e.title for e in parsed.entries)


def _episodes(proj) -> list[dict]:
    import io

    return podcastparser.parse("https://example.test/podcast.xml",
                               io.BytesIO(proj.read("podcast.xml")))["episodes"]


def _site_bytes(proj) -> bytes:
    out = b""
    for path in sorted((proj.root / "public").rglob("*")):
        if path.is_file():
            out += path.read_bytes()
    return out


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error: ")]


def _assert_clean(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _three_posts(make_project):
    proj = make_project({"posts/a.md": post("Post A", body="Words of A."),
                         "posts/sub/b.md": post("Post B", date="2026-10-02"),
                         "posts/victim.md": post("Victim", date="2026-10-03",
                                                 body="Original words.")})
    assert proj.run("publish").exit_code == 0
    assert _titles(proj) == ["Post A", "Post B", "Victim"]
    return proj


def _assert_victim_kept(proj, extra: tuple[str, ...] = ()) -> None:
    assert _titles(proj) == sorted(["Post A", "Post B", "Victim", *extra])
    victim = next(e for e in feedparser.parse(proj.read("feed.xml")).entries
                  if e.title == "Victim")
    assert "Original words." in victim.content[0].value
    assert (proj.root / "public/posts/victim/index.html").is_file()


# -- item 3: links, loops, pipes, sockets, vanishing files, odd names, huge files --------------
def _loop(proj):
    v = proj.root / "posts/victim.md"
    v.unlink()
    os.symlink("victim-2.md", v)
    os.symlink("victim.md", proj.root / "posts/victim-2.md")


def _dangling(proj):
    v = proj.root / "posts/victim.md"
    v.unlink()
    os.symlink("nowhere.md", v)


def _fifo(proj):
    v = proj.root / "posts/victim.md"
    v.unlink()
    os.mkfifo(v)


def _socket(proj):
    v = proj.root / "posts/victim.md"
    v.unlink()
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(v))
    s.close()


def _huge(proj):
    (proj.root / "posts/victim.md").write_text(
        post("Victim", date="2026-10-03", body="x" * (11 * 2**20)))


BROKEN = {
    "a link loop": (_loop, "Error: posts/victim.md: is a symbolic link loop"),
    "a dangling link": (_dangling, "Error: posts/victim.md: is a symbolic link to nothing"),
    "a FIFO": (_fifo, "Error: posts/victim.md: is a named pipe (FIFO), not a file"),
    "a socket": (_socket, "Error: posts/victim.md: is a socket, not a file"),
    "a huge file": (_huge, "Error: posts/victim.md: is larger than 10 MB"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_post_file_is_named_and_keeps_its_last_version(make_project, case):
    proj = _three_posts(make_project)
    breaker, message = BROKEN[case]
    breaker(proj)
    proj.write("posts/c.md", post("Post C", date="2026-10-04"))
    result = proj.run("publish")
    _assert_clean(result)
    assert result.exit_code == 1
    assert next(e for e in _errors(result.output) if "victim" in e).startswith(message)
    assert "0 removed" in result.output
    _assert_victim_kept(proj, ("Post C",))


def test_a_device_file_is_never_opened(make_project):
    proj = _three_posts(make_project)
    try:
        os.mknod(proj.root / "posts/zero.md", 0o600 | 0o020000, os.makedev(1, 5))  # /dev/zero
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device file here: {exc}")
    result = proj.run("publish")
    _assert_clean(result)
    assert "Error: posts/zero.md: is a device, not a file" in result.output
    _assert_victim_kept(proj)


def test_a_link_up_to_the_project_is_not_walked(make_project):
    proj = _three_posts(make_project)
    os.symlink("..", proj.root / "posts/up")
    os.symlink(".", proj.root / "posts/sub/here")
    result = proj.run("publish")
    _assert_clean(result)
    assert result.exit_code == 1
    assert _errors(result.output) == [
        "Error: posts/up: a link to a folder outside posts/; not read (sources are read only "
        "from inside posts/; remove the link or move the folder in)"]
    assert "Warning: posts/sub/here: a link to a folder that holds it" in result.output
    assert "0 new" in result.output and "0 removed" in result.output
    _assert_victim_kept(proj)


def test_a_file_that_vanishes_between_scan_and_read_keeps_its_last_version(make_project,
                                                                             monkeypatch):
    import syndicate.collect as collect_module

    proj = _three_posts(make_project)
    proj.write("posts/victim.md", post("Victim", date="2026-10-03", body="Edited words."))
    real_scan = collect_module.scan_folder

    def scan_then_delete(folder, root, suffixes, **kw):
        out = real_scan(folder, root, suffixes, **kw)
        (proj.root / "posts/victim.md").unlink(missing_ok=True)
        return out

    monkeypatch.setattr(collect_module, "scan_folder", scan_then_delete)
    result = proj.run("publish")
    _assert_clean(result)
    assert "Error: posts/victim.md: disappeared while it was being read" in result.output
    _assert_victim_kept(proj)
    monkeypatch.undo()
    # looked at again, it is verifiably gone from a readable folder: now it is removed
    result = proj.run("publish")
    assert result.exit_code == 0 and "1 removed" in result.output
    assert _titles(proj) == ["Post A", "Post B"]


def test_a_file_swapped_for_a_link_out_after_the_scan_is_not_read(make_project, monkeypatch,
                                                                   secret):
    import syndicate.collect as collect_module

    proj = _three_posts(make_project)
    proj.write("posts/victim.md", post("Victim", date="2026-10-03", body="Edited words."))
    real_scan = collect_module.scan_folder

    def scan_then_swap(folder, root, suffixes, **kw):
        out = real_scan(folder, root, suffixes, **kw)
        victim = proj.root / "posts/victim.md"
        victim.unlink()
        os.symlink(secret / "posts/leak.md", victim)
        return out

    monkeypatch.setattr(collect_module, "scan_folder", scan_then_swap)
    result = proj.run("publish")
    _assert_clean(result)
    assert _errors(result.output) == [
        "Error: posts/victim.md: was replaced while it was being read (run again once it is in "
        "place)"]
    assert MARKER.encode() not in _site_bytes(proj)
    _assert_victim_kept(proj)


def test_a_name_that_is_not_utf8_is_named_and_the_rest_publishes(make_project):
    proj = _three_posts(make_project)
    bad = os.path.join(os.fsencode(proj.root / "posts"), b"caf\xe9.md")
    with open(bad, "wb") as f:
        f.write(post("Cafe", date="2026-10-05").encode())
    proj.write("posts/c.md", post("Post C", date="2026-10-04"))
    result = proj.run("publish")
    _assert_clean(result)
    assert result.exit_code == 1
    assert _errors(result.output) == [
        "Error: posts/caf\\xe9.md: the name is not valid UTF-8; not read (rename it "
        "(letters, digits, '-' and '_' are safe))"]
    _assert_victim_kept(proj, ("Post C",))


def test_control_characters_in_a_name_stay_on_one_line(make_project):
    proj = _three_posts(make_project)
    proj.write("posts/two\nlines.md", "---\ntitle: [broken\n---\n")
    result = proj.run("publish")
    _assert_clean(result)
    errors = _errors(result.output)
    assert len(errors) == 1 and errors[0].startswith("Error: posts/two\\nlines.md:")
    _assert_victim_kept(proj)


def test_links_that_stay_inside_are_fine(make_project):
    proj = make_project({"posts/real/a.md": post("Post A"),
                         "episodes/art/cover.png": (REPO / "episodes/first-light.png")
                         .read_bytes(),
                         "episodes/one.yaml": sidecar("One", image="cover.png",
                                                      transcript="one.vtt"),
                         "episodes/texts/one.vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n",
                         "episodes/one.mp3": tone(1.0)})
    os.symlink("real", proj.root / "posts/alias")  # a second name for a folder: read once
    os.symlink("real/a.md", proj.root / "posts/b.md")
    os.symlink("art/cover.png", proj.root / "episodes/cover.png")
    os.symlink("texts/one.vtt", proj.root / "episodes/one.vtt")
    result = proj.run("publish")
    _assert_clean(result)
    assert result.exit_code == 0, result.output
    assert _titles(proj) == ["Post A", "Post A"]  # a.md and the file linked as b.md
    assert [e["title"] for e in _episodes(proj)] == ["One"]
    podcast = proj.read("podcast.xml").decode()
    assert "episodes/one/transcript.vtt" in podcast and "episodes/one/cover-" in podcast
    assert proj.read("episodes/one/transcript.vtt").startswith(b"WEBVTT")


# -- item 2: nothing from outside the source folders ------------------------------------------
@pytest.fixture
def secret(tmp_path) -> Path:
    outside = tmp_path / "x"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"root:{MARKER}:0:0\n")
    (outside / "secret.vtt").write_text(f"WEBVTT\n\n00:00.000 --> 00:01.000\n{MARKER}\n")
    (outside / "secret.png").write_bytes((REPO / "episodes/first-light.png").read_bytes()
                                         + MARKER.encode())
    (outside / "secret.mp3").write_bytes(tone(1.0) + MARKER.encode())
    (outside / "posts").mkdir()
    (outside / "posts/leak.md").write_text(post("Leak", body=MARKER))
    return outside


def test_a_post_linked_from_outside_is_refused(make_project, secret):
    proj = _three_posts(make_project)
    os.symlink(secret / "secret.txt", proj.root / "posts/passwd.md")
    os.symlink(secret / "posts", proj.root / "posts/elsewhere")
    (proj.root / "posts/victim.md").unlink()
    os.symlink(secret / "posts/leak.md", proj.root / "posts/victim.md")
    result = proj.run("publish")
    _assert_clean(result)
    assert result.exit_code == 1
    assert sorted(_errors(result.output)) == [
        "Error: posts/elsewhere: a link to a folder outside posts/; not read (sources are read "
        "only from inside posts/; remove the link or move the folder in)",
        "Error: posts/passwd.md: a link to a file outside posts/; refused (sources are read "
        "only from inside posts/; copy the file in)",
        "Error: posts/victim.md: a link to a file outside posts/; refused (sources are read "
        "only from inside posts/; copy the file in)"]
    assert MARKER.encode() not in _site_bytes(proj)
    _assert_victim_kept(proj)


SIDECAR_KEYS = {
    "audio, relative": ("audio: ../../x/secret.mp3", 3, "'audio': '../../x/secret.mp3'"),
    "transcript, relative": ("transcript: ../../x/secret.vtt", 3,
                             "'transcript': '../../x/secret.vtt'"),
    "transcript, absolute": ("transcript: {x}/secret.txt", 3, "'transcript': '{x}/secret.txt'"),
    "image, relative": ("image: ../../x/secret.png", 3, "'image': '../../x/secret.png'"),
    "image, absolute": ("image: {x}/secret.png", 3, "'image': '{x}/secret.png'"),
}


@pytest.mark.parametrize("case", SIDECAR_KEYS, ids=list(SIDECAR_KEYS))
def test_a_sidecar_cannot_name_a_file_outside_episodes(make_project, secret, case):
    line, lineno, what = SIDECAR_KEYS[case]
    line, what = line.format(x=secret), what.format(x=secret)
    proj = make_project({"episodes/good.yaml": sidecar("Good"),
                         "episodes/good.mp3": tone(1.0),
                         "episodes/bad.yaml": sidecar("Bad") + line + "\n",
                         "episodes/bad.mp3": tone(1.0, freq=330)})
    result = proj.run("publish")
    _assert_clean(result)
    assert result.exit_code == 1
    assert _errors(result.output) == [
        f"Error: episodes/bad.yaml:{lineno}: {what} leads outside episodes/; refused "
        "(sources are read only from inside episodes/; copy the file in)"]
    assert [e["title"] for e in _episodes(proj)] == ["Good"]
    assert MARKER.encode() not in _site_bytes(proj)


def test_audio_beside_a_sidecar_linked_from_outside_is_refused(make_project, secret):
    proj = make_project({"episodes/good.yaml": sidecar("Good"), "episodes/good.mp3": tone(1.0),
                         "episodes/bad.yaml": sidecar("Bad")})
    os.symlink(secret / "secret.mp3", proj.root / "episodes/bad.mp3")
    result = proj.run("publish")
    _assert_clean(result)
    assert _errors(result.output) == [
        "Error: episodes/bad.yaml: audio 'bad.mp3' leads outside episodes/; refused "
        "(sources are read only from inside episodes/; copy the file in)"]
    assert [e["title"] for e in _episodes(proj)] == ["Good"]
    assert MARKER.encode() not in _site_bytes(proj)


def test_a_sidecar_naming_a_pipe_is_refused_without_hanging(make_project):
    proj = make_project({"episodes/good.yaml": sidecar("Good"), "episodes/good.mp3": tone(1.0),
                         "episodes/bad.yaml": sidecar("Bad", transcript="bad.vtt"),
                         "episodes/bad.mp3": tone(1.0)})
    os.mkfifo(proj.root / "episodes/bad.vtt")
    os.mkfifo(proj.root / "episodes/pipe.mp3")
    result = proj.run("publish")
    _assert_clean(result)
    assert _errors(result.output) == [
        "Error: episodes/bad.yaml:3: 'transcript': 'bad.vtt' is a named pipe (FIFO), not a file "
        "(only plain files are read; remove it or replace it by a file)"]
    assert [e["title"] for e in _episodes(proj)] == ["Good"]


# -- item 1: an unreadable folder or file never unpublishes (run without root's override) -----
def _unprivileged(proj, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI as a user without root's override of file permissions: root without
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (setpriv), or the user itself when not root."""
    cmd = [sys.executable, "-m", "syndicate", *args, "--config", str(proj.root / "config.yaml"),
           "--now", "2026-11-01T12:00:00+00:00"]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("needs setpriv (util-linux) to drop root's override of permissions")
        cmd = [setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search",
               "--", *cmd]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=proj.root,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    if "Operation not permitted" in result.stderr and "setpriv" in result.stderr:
        pytest.skip("this machine does not allow dropping capabilities")
    return result


@pytest.fixture
def denied():
    """chmod paths to 000 for one test; restore them after."""
    changed: list[tuple[Path, int]] = []

    def deny(path: Path) -> None:
        changed.append((path, path.stat().st_mode))
        path.chmod(0)

    yield deny
    for path, mode in reversed(changed):
        path.chmod(mode)


@pytest.mark.parametrize("what", ["posts", "posts/sub", "posts/victim.md"])
def test_an_unreadable_folder_or_file_keeps_its_items(make_project, denied, what):
    proj = _three_posts(make_project)
    proj.write("posts/c.md", post("Post C", date="2026-10-04"))
    denied(proj.root / what)
    result = _unprivileged(proj, "publish")
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    errors = _errors(result.stderr)
    assert len(errors) == 1
    if what == "posts/victim.md":
        assert errors[0] == ("Error: posts/victim.md: cannot be read: permission denied (make it "
                             "readable by the user running syndicate)")
    else:
        assert errors[0] == (f"Error: {what}: folder cannot be read: permission denied; the "
                             "items in it keep their last version (make it readable by the user "
                             "running syndicate)")
    assert "0 removed" in result.stdout
    assert "Post A" in _titles(proj) and "Post B" in _titles(proj)
    _assert_victim_kept(proj, () if what == "posts" else ("Post C",))


def test_an_unreadable_episodes_folder_keeps_its_episodes(make_project, denied):
    proj = make_project({"episodes/one.yaml": sidecar("One", transcript="one.vtt"),
                         "episodes/one.vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n",
                         "episodes/one.mp3": tone(1.0), "posts/a.md": post("Post A")})
    assert proj.run("publish").exit_code == 0
    before = _episodes(proj)
    denied(proj.root / "episodes/one.vtt")
    result = _unprivileged(proj, "publish")
    assert "Traceback" not in result.stderr
    assert _errors(result.stderr) == [
        "Error: episodes/one.yaml:3: 'transcript': 'one.vtt' cannot be read: permission denied "
        "(make it readable by the user running syndicate)"]
    assert _episodes(proj) == before
    denied(proj.root / "episodes")
    result = _unprivileged(proj, "publish")
    assert result.returncode == 1 and "0 removed" in result.stdout
    assert _episodes(proj) == before
    for ep in before:
        enclosure = ep["enclosures"][0]
        media = proj.public(enclosure["url"].removeprefix("https://example.test/"))
        assert media.stat().st_size == enclosure["file_size"]


@pytest.mark.parametrize("mode", [0o400, 0o000, 0o100])
def test_an_episodes_subfolder_that_cannot_be_entered_keeps_its_episodes_run_after_run(
        make_project, denied, mode):
    """A folder listed but not searchable (0400), or neither: the same clear error on every
    publish, never a traceback; its episodes stay live with their audio (h25 B3)."""
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0),
                         "episodes/s2/two.yaml": sidecar("Two", date="2026-10-02 08:00"),
                         "episodes/s2/two.mp3": tone(1.2, freq=550),
                         "episodes/s2/three.yaml": sidecar("Three", date="2026-10-03 08:00"),
                         "episodes/s2/three.mp3": tone(1.4, freq=660)})
    assert proj.run("publish").exit_code == 0
    before = _episodes(proj)
    assert len(before) == 3
    folder = proj.root / "episodes/s2"
    denied(folder)
    folder.chmod(mode)
    for _ in range(3):
        result = _unprivileged(proj, "publish")
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 1, result.stdout + result.stderr
        errors = _errors(result.stderr)
        assert errors and all("episodes/s2" in e and "permission denied" in e
                              for e in errors), result.stderr
        assert "0 removed" in result.stdout
        assert _episodes(proj) == before
        for ep in before:
            enclosure = ep["enclosures"][0]
            media = proj.public(enclosure["url"].removeprefix("https://example.test/"))
            assert media.stat().st_size == enclosure["file_size"]


@pytest.mark.parametrize("mode", [0o400, 0o000])
def test_an_intro_in_a_folder_that_cannot_be_entered_is_one_error_at_its_line(
        make_project, denied, mode):
    """audio.intro in a folder that may not be searched: the config's line named, never a
    traceback; the episodes keep their last version (h25 B3's kin)."""
    config = BASE_CONFIG + "audio:\n  intro: locked/intro.wav\n"
    proj = make_project({"episodes/one.yaml": sidecar("One"), "episodes/one.mp3": tone(1.0),
                         "locked/intro.wav": tone(0.5, freq=330)}, config=config)
    assert proj.run("publish").exit_code == 0
    before = _episodes(proj)
    denied(proj.root / "locked")
    (proj.root / "locked").chmod(mode)
    result = _unprivileged(proj, "publish")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    line = config.splitlines().index("  intro: locked/intro.wav") + 1
    assert _errors(result.stderr) == [
        f"Error: {proj.root / 'config.yaml'}:{line}: 'audio.intro': 'locked/intro.wav' cannot be "
        "read: permission denied (make it readable by the user running syndicate; episodes "
        "keep their last published version)"]
    assert _episodes(proj) == before


@pytest.mark.parametrize("json_out", [False, True])
def test_an_unforeseen_unreadable_file_is_one_line_never_a_traceback(
        make_project, denied, json_out):
    """The last resort: a file the command meets with no check of its own is named in one
    line, exit 1, and nothing live changes (here the posts folder's own stat, through a
    folder that may be listed but not entered)."""
    proj = make_project({"content/posts/a.md": post("Post A")},
                        config=BASE_CONFIG + "paths:\n  posts: content/posts\n")
    assert proj.run("publish").exit_code == 0
    live = {p: p.read_bytes() for p in (proj.root / "public").rglob("*") if p.is_file()}
    denied(proj.root / "content")
    (proj.root / "content").chmod(0o400)
    result = _unprivileged(proj, "publish", *(["--json"] if json_out else []))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    errors = _errors(result.stderr)
    assert len(errors) == 1 and "content" in errors[0], result.stderr
    assert "permission denied" in errors[0] and "make it readable" in errors[0]
    if json_out:
        doc = json.loads(result.stdout)
        assert doc["ok"] is False and len(doc["errors"]) == 1
    assert {p: p.read_bytes() for p in (proj.root / "public").rglob("*") if p.is_file()} == live


@pytest.mark.parametrize("what,mode", [("th", 0o400), ("th", 0o000), ("th/static", 0o000),
                                       ("th/static/css", 0o000), ("th/static/css/extra.css", 0),
                                       ("th/templates", 0o000), ("th/templates", 0o400)])
def test_a_theme_part_that_cannot_be_read_changes_nothing_live(make_project, denied, what,
                                                                mode):
    """h26 C11, C12: a theme folder, static subfolder or static file that cannot be read took
    its published copies off the site (exit 0) or renamed pages' errors: one error naming it,
    nothing published, the live site as it was; readable again, the next publish is whole."""
    proj = make_project({"posts/a.md": post("Post A"),
                         "th/templates/extra.html": "{% extends 'base.html' %}\n",
                         "th/static/css/extra.css": "body { color: #222 }\n",
                         "th/static/logo.txt": "logo\n"},
                        config=BASE_CONFIG + "theme: th\n")
    assert proj.run("publish").exit_code == 0
    site = proj.root / "public"
    live = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert site / "static/css/extra.css" in live
    proj.write("posts/a.md", post("Post A", body="Edited while the theme cannot be read."))
    denied(proj.root / what)
    (proj.root / what).chmod(mode)
    result = _unprivileged(proj, "publish")
    (proj.root / what).chmod(0o755 if (proj.root / what).is_dir() else 0o644)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    errors = _errors(result.stderr)
    assert len(errors) == 1 and errors[0].startswith(f"Error: {what}"), result.stderr
    assert "permission denied" in errors[0] and "the live site stays as it is" in errors[0]
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == live
    again = proj.run("publish")
    assert again.exit_code == 0, again.output
    assert b"Edited while" in proj.read("posts/a/index.html")
    assert (site / "static/css/extra.css").exists()


# -- item 4: the time zone is part of what a parse depends on ----------------------------------
def test_changing_the_time_zone_moves_the_stored_release_time(make_project):
    proj = make_project({"posts/later.md": post("Later", date="2027-01-10 09:00"),
                         "episodes/ep.yaml": sidecar("Ep", date="2027-01-10 09:00"),
                         "episodes/ep.mp3": tone(1.0)})
    assert proj.run("collect").exit_code == 0

    def release_times() -> dict[str, str]:
        out = json.loads(proj.run("status", "--json").output)
        return {e["source"]: e["release_utc"] for e in out}

    assert set(release_times().values()) == {"2027-01-10T09:00:00+00:00"}  # Europe/London: UTC+0
    proj.write("config.yaml", BASE_CONFIG.replace("Europe/London", "America/New_York"))
    result = proj.run("collect")
    assert result.exit_code == 0 and "2 updated" in result.output
    assert set(release_times().values()) == {"2027-01-10T14:00:00+00:00"}
    assert "0 updated" in proj.run("collect").output  # and only once


def test_a_remote_episode_with_chapters_past_its_end_is_named(make_project):
    proj = make_project({"episodes/good.yaml": sidecar("Good"), "episodes/good.mp3": tone(1.0),
                         "episodes/far.yaml": sidecar(
                             "Far", audio_url="https://old.example/far.mp3",
                             audio_length=1000, duration=10) + (
                             "chapters:\n  - {start: 0, title: A}\n  - {start: 20, title: B}\n")})
    result = proj.run("publish")
    _assert_clean(result)
    assert result.exit_code == 1
    assert _errors(result.output) == [
        "Error: episodes/far.yaml:8: 'chapters[1]' starts at 20 s, after the audio ends (10.0 s)"]
    assert [e["title"] for e in _episodes(proj)] == ["Good"]


def test_a_posts_folder_moved_away_unpublishes_nothing(make_project, tmp_path):
    proj = _three_posts(make_project)
    shutil.move(proj.root / "posts", tmp_path / "elsewhere")
    result = proj.run("publish")
    _assert_clean(result)
    assert result.exit_code == 1 and "0 removed" in result.output
    assert _errors(result.output) == [
        f"Error: {proj.root / 'posts'}: posts folder not found (check paths.posts in "
        "config.yaml)"]
    _assert_victim_kept(proj)


def test_a_posts_folder_under_an_unreadable_folder_keeps_its_items(make_project, denied):
    proj = make_project({"content/posts/a.md": post("Post A"),
                         "content/posts/b.md": post("Post B", date="2026-10-02")},
                        config=BASE_CONFIG + "paths:\n  posts: content/posts\n")
    assert proj.run("publish").exit_code == 0
    denied(proj.root / "content")
    result = _unprivileged(proj, "publish")
    assert "Traceback" not in result.stderr
    assert result.returncode == 1 and "0 removed" in result.stdout
    assert _errors(result.stderr) == [
        f"Error: {proj.root / 'content/posts'}: posts folder cannot be read: permission denied; "
        "its items keep their last version (make it readable by the user running syndicate)"]
    assert _titles(proj) == ["Post A", "Post B"]


def _unresolvable() -> str:
    """A path whose links this process may not read (another process's /proc entries)."""
    for candidate in ("/proc/1/cwd", "/proc/1/root"):
        try:
            os.path.realpath(candidate)
        except OSError:
            return candidate
    pytest.skip("no link here that this user may not follow")


def test_a_link_that_cannot_be_followed_is_named_and_the_rest_published(make_project):
    """Links whose target cannot be resolved (permission denied): each is named, the items the
    catalog has under those names keep their last version, the rest publishes (N26)."""
    target = _unresolvable()
    proj = _three_posts(make_project)
    (proj.root / "posts/victim.md").unlink()
    (proj.root / "posts/victim.md").symlink_to(f"{target}/etc/hostname")
    (proj.root / "posts/x").symlink_to(target)
    proj.write("posts/c.md", post("Post C", date="2026-10-04"))
    proj.write("episodes/one.yaml", sidecar("One", image="art.png"))
    proj.write("episodes/one.mp3", tone(1.0))
    (proj.root / "episodes/art.png").symlink_to(f"{target}/art.png")
    result = proj.run("publish")
    _assert_clean(result)
    assert result.exit_code == 1, result.output
    errors = _errors(result.output)
    assert any(e.startswith("Error: posts/victim.md: a link that cannot be followed "
                            "(permission denied)") for e in errors), errors
    assert any(e.startswith("Error: posts/x: a link that cannot be followed") for e in errors)
    assert any(e.startswith("Error: episodes/one.yaml") and "cannot be followed" in e
               for e in errors), errors
    assert len(errors) == 3, errors
    _assert_victim_kept(proj, ("Post C",))


@pytest.mark.parametrize("kind", ["post", "episode"])
def test_a_slug_too_long_for_a_file_name_is_refused_with_its_line_and_the_rest_published(
        make_project, kind):
    """h18 Y15: a 300-character `slug:` stopped every publish, blaming files put there by hand."""
    long = "a" * 300
    files = {"posts/ok.md": post("Innocent", date="2026-10-05")}
    if kind == "post":
        files["posts/long.md"] = post("Long slug", date="2026-10-03", slug=long)
        name = "posts/long.md"
    else:
        files["episodes/one.yaml"] = sidecar("Long slug", slug=long)
        files["episodes/one.mp3"] = tone(0.5)
        name = "episodes/one.yaml"
    proj = make_project(files)
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"{name}:" in result.output and "at most 200 characters" in result.output
    assert "put there by hand" not in result.output
    assert proj.public("posts/ok/index.html").exists()


def test_status_shows_a_file_name_with_a_line_break_or_an_escape_as_one_escaped_line(
        make_project):
    """h18 Y18: a line break in a file name forged a status line; an escape sequence was cut."""
    forged = "inn]\npost     removed   2026-10-01 10:00 BST   x   Post Alpha  [gone.md"
    proj = make_project({f"posts/{forged}.md": post("Innocent", date="2026-10-09"),
                         "posts/esc\x1b[31m.md": post("T esc", date="2026-10-06")})
    assert proj.run("publish").exit_code in (0, 1)
    out = proj.run("status").output
    lines = out.splitlines()
    assert len(lines) == 3, out  # the header and one line per item
    assert "\x1b" not in out and "\\x1b[31m" in out and "\\n" in out


RULE = "no double dashes and no dash at either end"


@pytest.mark.parametrize(("slug", "kind"), [
    ("2024", "post"), ("007", "post"), ("no", "post"), ("2024", "episode"),
    ("a--b", "post"), ('"-"', "post"), ("a-", "post"), ("-a", "episode"), ("A-b", "post")])
def test_a_slug_is_the_text_written_or_refused_stating_the_rule(make_project, slug, kind):
    """h19 Z18: `slug: a--b` was refused as "expected lowercase letters, digits and dashes"
    (which it is), and `slug: 2024` as "expected text" though the file 2024.md gives it."""
    files = {"posts/ok.md": post("Innocent", date="2026-10-05")}
    if kind == "post":
        files["posts/s.md"] = post("Slugged", date="2026-10-03", slug=slug)
        name, line, folder = "posts/s.md", 4, "posts"
    else:
        files["episodes/one.yaml"] = sidecar("Slugged", slug=slug)
        files["episodes/one.mp3"] = tone(0.5)
        name, line, folder = "episodes/one.yaml", 3, "episodes"
    proj = make_project(files)
    result = proj.run("publish")
    assert "Traceback" not in result.output
    written = slug.strip('"')
    if written in ("2024", "007", "no"):
        assert result.exit_code == 0, result.output
        assert proj.public(f"{folder}/{written}/index.html").exists()
    else:
        assert result.exit_code == 1, result.output
        assert f"{name}:{line}: 'slug':" in result.output and RULE in result.output, \
            result.output
        assert "expected text" not in result.output
    assert proj.public("posts/ok/index.html").exists()


@settings(max_examples=300, deadline=None)
@given(slug=st.text(alphabet="abz09-_.AZ+: ", min_size=1, max_size=12))
def test_any_written_slug_is_taken_as_written_or_refused_stating_the_rule(slug):
    from syndicate import yamlcheck
    from syndicate.markup import SLUG_RE
    from syndicate.model import PostMeta

    text = f"title: T\nslug: {slug}\n"
    try:
        data = yamlcheck.parse(text, "p.md")
        meta = yamlcheck.validate(PostMeta, data, text, "p.md")
    except yamlcheck.YamlProblems as exc:
        message = str(exc)
        assert message.startswith("p.md:2: "), message
        assert "expected text" not in message
        assert RULE in message or "invalid YAML" in message or "'slug'" not in message
        assert not (SLUG_RE.fullmatch(slug.strip()) and "invalid YAML" not in message)
        return
    if data.get("slug") is None:  # `slug:` with nothing (or null, ~): the file name's
        assert meta.slug is None
    else:
        assert meta.slug == slug.strip() and SLUG_RE.fullmatch(meta.slug)


@pytest.mark.parametrize("damage", ["folder-000", "folder-444", "state-000", "a-file"])
def test_a_site_record_that_cannot_be_read_holds_nothing_back_for_good(make_project, damage):
    """h26 C3, C14: the site's record (public/.syndicate, its state.json) unreadable, or a
    file where its folder was, was taken as gone: a post due then was held back as a draft
    for good. Now it is one error naming it, nothing changed; once fixed the post goes out."""
    proj = make_project({"posts/a.md": post("Post A")})
    assert proj.run("publish").exit_code == 0
    record = proj.root / "public/.syndicate"
    live = {p: p.read_bytes() for p in (proj.root / "public").rglob("*") if p.is_file()}
    proj.write("posts/b.md", post("Post B", date="2026-10-20"))
    if damage == "a-file":
        shutil.move(record, proj.root / "record-away")
        record.write_text("not a folder\n")
    else:
        target = record / "state.json" if damage == "state-000" else record
        target.chmod(0o444 if damage == "folder-444" else 0)
    result = _unprivileged(proj, "publish")
    if damage == "a-file":
        record.unlink()
        shutil.move(proj.root / "record-away", record)
    else:
        target.chmod(0o755 if target.is_dir() else 0o644)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    errors = _errors(result.stderr)
    assert errors and str(record) in errors[0], result.stderr
    assert "held back" not in result.stdout + result.stderr
    assert {p: p.read_bytes() for p in (proj.root / "public").rglob("*")
            if p.is_file()} == live
    again = proj.run("publish")
    assert again.exit_code == 0, again.output
    assert "held back" not in again.output
    assert _titles(proj) == ["Post A", "Post B"] or sorted(_titles(proj)) == ["Post A", "Post B"]


@pytest.mark.parametrize("folder", ["public/posts", "public/media"])
def test_a_part_of_the_site_folder_that_cannot_be_read_is_not_called_put_there_by_hand(
        make_project, denied, folder):
    """h26 C15: the site's own live files behind a folder this user may not read were called
    "put there by hand" with advice to remove them (the live pages or audio): named as a
    folder to make readable, nothing written."""
    proj = make_project({"posts/a.md": post("Post A"), "episodes/one.yaml": sidecar("One"),
                         "episodes/one.mp3": tone(1.0)})
    assert proj.run("publish").exit_code == 0
    proj.write("posts/b.md", post("Post B", date="2026-10-20"))
    proj.write("episodes/two.yaml", sidecar("Two", date="2026-10-21 08:00"))
    proj.write("episodes/two.mp3", tone(1.3, freq=550))
    denied(proj.root / folder)
    result = _unprivileged(proj, "publish")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "by hand" not in out and "remove them" not in out, out
    assert f"{proj.root / folder}" in out and "make it readable" in out, out
