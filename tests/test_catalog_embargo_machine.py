"""Generated sequences of adds, edits, renames, deletes, queue/unqueue and publishes: a post
queued for later is never in a live feed, page or sitemap, whatever happens to its file."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from conftest import BASE_CONFIG, Project, png_bytes, post

LATER = "2027-01-01T09:00:00+00:00"
NAMES = st.sampled_from(["a.md", "b.md", "c.md", "sub/d.md", "2026-10-05-e.md", "x/y/f.md"])
TITLES = st.sampled_from(["Launch", "Embargo", "Notes", "Launch"])
DATES = st.sampled_from(["2026-10-05", "2026-10-06"])


class EmbargoMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="embargo-"))
        self.proj = Project(self.tmp)
        self.proj.write("config.yaml", BASE_CONFIG)
        self.proj.write("cover.png", png_bytes())
        (self.tmp / "posts").mkdir()
        (self.tmp / "episodes").mkdir()
        self.files: dict[str, tuple[str, str, str]] = {}  # name -> (title, date, token)
        self.queued: set[str] = set()  # tokens queued for later
        self.count = 0

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _write(self, name, title, date, token, extra=""):
        self.proj.write(f"posts/{name}", post(title, date=date, body=f"{token} {extra}"))
        self.files[name] = (title, date, token)

    @rule(name=NAMES, title=TITLES, date=DATES)
    def add(self, name, title, date):
        if name in self.files:
            return
        self.count += 1
        self._write(name, title, date, f"Token{self.count}x")

    @precondition(lambda self: self.files)
    @rule(data=st.data(), title=st.none() | TITLES, date=st.none() | DATES)
    def edit(self, data, title, date):
        name = data.draw(st.sampled_from(sorted(self.files)))
        old_title, old_date, token = self.files[name]
        self._write(name, title or old_title, date or old_date, token, extra="edited")

    @precondition(lambda self: self.files)
    @rule(data=st.data(), to=NAMES, title=st.none() | TITLES)
    def rename(self, data, to, title):
        name = data.draw(st.sampled_from(sorted(self.files)))
        if to in self.files:
            return
        old_title, date, token = self.files.pop(name)
        (self.tmp / "posts" / name).unlink()
        self._write(to, title or old_title, date, token, extra="renamed")

    @precondition(lambda self: self.files)
    @rule(data=st.data(), to=NAMES, title=TITLES, other=NAMES, other_title=TITLES)
    def rename_and_add(self, data, to, title, other, other_title):
        """One editing session: the final version saved under a new name, another post begun."""
        self.rename(data, to, title)
        self.add(other, other_title, "2026-10-05")

    @precondition(lambda self: self.files)
    @rule(data=st.data())
    def delete(self, data):
        name = data.draw(st.sampled_from(sorted(self.files)))
        self.files.pop(name)
        (self.tmp / "posts" / name).unlink()

    @precondition(lambda self: self.files)
    @rule(data=st.data())
    def queue(self, data):
        name = data.draw(st.sampled_from(sorted(self.files)))
        result = self.proj.run("queue", f"posts/{name}", "--at", LATER)
        token = self.files[name][2]
        if result.exit_code == 0 and not self._live(token):  # one already out stays out
            self.queued.add(token)
        else:  # a file not collected yet is queued after a publish; say so clearly
            assert "Traceback" not in result.output and result.output.strip(), result.output

    @precondition(lambda self: self.files)
    @rule(data=st.data())
    def unqueue(self, data):
        name = data.draw(st.sampled_from(sorted(self.files)))
        result = self.proj.run("unqueue", f"posts/{name}")
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            self.queued.discard(self.files[name][2])

    @rule()
    def publish(self):
        result = self.proj.run("publish")
        assert "Traceback" not in result.output, result.output
        assert result.exit_code in (0, 1), result.output

    def _live(self, token: str) -> list[Path]:
        public = self.tmp / "public"
        return [p for p in public.rglob("*") if p.is_file()
                and token.encode() in p.read_bytes()] if public.exists() else []

    @invariant()
    def nothing_queued_is_live(self):
        for token in self.queued:
            assert not self._live(token), token


EmbargoMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_nothing_queued_for_later_is_ever_live = EmbargoMachine.TestCase
