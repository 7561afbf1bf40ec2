"""Shared browser fixtures: Debian's headless Chromium driven by Playwright, and `syndicate serve`
run as a user runs it (a subprocess on a free port, its address read from what it prints, stopped
with Ctrl-C).

Tests using them skip, saying why, where /usr/bin/chromium or Playwright is absent.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module", name="browser")
def browser_fixture():
    """Import this into a test module; tests then ask for ``browser``. One per module: Playwright's
    sync API allows one running instance per process, so each module's ends before the next
    module (or a test driving Playwright itself, as test_serve.py does) starts its own."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium package "
                    "(apt-get install -y chromium chromium-driver, as .ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e .[test])")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


def syndicate_command() -> list[str]:
    """The ``syndicate`` command the package installs beside this Python (``-m`` where absent)."""
    script = Path(sys.executable).with_name("syndicate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "syndicate"]


class Running:
    """A ``syndicate`` command in a subprocess of its own, its output read line by line in
    threads, so a test waits for a line (with a time limit) and never blocks on a pipe."""

    def __init__(self, args: list[str], cwd: Path | None = None):
        self.proc = subprocess.Popen(
            [*syndicate_command(), *args], cwd=cwd, text=True, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.out: list[str] = []
        self.err: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.out,
                                                                    True), daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stderr, self.err,
                                                                    False), daemon=True)]
        for t in self._readers:
            t.start()

    def _read(self, stream, into: list[str], tell: bool) -> None:
        for line in stream:
            into.append(line)
            if tell:
                self._lines.put(line)
        if tell:
            self._lines.put(None)  # the command ended its output

    def wait_for(self, prefix: str, timeout: float = 120) -> str:
        """The first line of its output starting with ``prefix`` (fails if it ends first)."""
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line {prefix!r} in {timeout} s: {self.text()}") \
                    from None
            if line is None:
                self.proc.wait(timeout=60)
                raise AssertionError(f"ended ({self.proc.returncode}) before {prefix!r}: "
                                     f"{self.text()}")
            if line.startswith(prefix):
                return line

    def interrupt(self, timeout: float = 60) -> int:
        """Ctrl-C, as a user stops it; its exit code, once its output is all read."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"still running {timeout} s after Ctrl-C: {self.text()}") \
                from None
        for t in self._readers:
            t.join(timeout=timeout)
        return code

    def text(self) -> str:
        return "".join(self.out) + "".join(self.err)


@contextlib.contextmanager
def serving(*args: str, cwd: Path | None = None):
    """``syndicate serve --port 0 ARGS`` until the block ends, then Ctrl-C: yields (its address,
    the Running command). Stopping must be clean: exit 0, "Stopped", no traceback."""
    running = Running(["serve", "--port", "0", *args], cwd=cwd)
    try:
        line = running.wait_for("Serving the preview at ")
        url = line.split(" at ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/"), line
        yield url, running
    finally:
        code = running.interrupt()
    assert code == 0, running.text()
    assert "Traceback" not in running.text()
    assert running.out[-1].strip() == "Stopped", running.text()


@dataclass
class Watched:
    """A page with everything that went wrong while it was open."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # requests that failed or answered >= 400
    dialogs: list[str] = field(default_factory=list)  # alert(), confirm(): a script ran
    requests: list[str] = field(default_factory=list)


def open_page(browser, url: str, viewport: dict | None = None,
              javascript: bool = True) -> Watched:
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800},
                                  java_script_enabled=javascript)
    page = context.new_page()
    seen = Watched(page)
    page.on("console", lambda m: m.type == "error" and seen.console_errors.append(m.text))
    page.on("pageerror", lambda e: seen.console_errors.append(str(e)))
    page.on("requestfailed", lambda r: seen.failed.append(f"{r.url} ({r.failure})"))
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("response", lambda r: r.status >= 400 and seen.failed.append(f"{r.url} {r.status}"))

    def dialog(d):
        seen.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(url, wait_until="load")
    return seen
