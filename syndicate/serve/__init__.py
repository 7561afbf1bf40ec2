"""`syndicate serve`: the site built for a look before it goes live, served on this machine,
rebuilt on every edit, the open page reloaded.

``preview.py`` builds (the publish path into a folder of its own), ``http.py`` serves it,
``watch.py`` notices edits, ``reload.py`` tells the open pages. Nothing of a preview reaches the
real target or the catalog.
"""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..config import Settings, load_config
from ..errors import CannotListen
from .http import PreviewServer, make_handler
from .preview import Outcome, Preview
from .reload import Builds
from .watch import PollingWatcher

__all__ = ["Outcome", "PollingWatcher", "Server", "ignored", "watched"]

Report = Callable[[str, str], None]  # (level: "info", "warning" or "error", text)


def watched(settings: Settings) -> list[Path]:
    """What a rebuild follows: the config, the posts and episodes folders, the show's cover and
    the theme's ``templates/`` and ``static/`` (of ``theme:`` in the config, else of ``theme/``
    in the project): nothing else in the theme's folder is part of the theme (with ``theme: .``
    the project's other files, a log serve's output is written to, are no edit of it)."""
    cfg = settings.config
    theme = settings.resolve(str(getattr(cfg, "theme", None) or "theme"))
    return [settings.path, settings.posts_dir, settings.episodes_dir,
            settings.resolve(cfg.podcast.image), theme / "templates", theme / "static"]


_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _reachable(host: str) -> str:
    """The address a browser on this machine reaches ``host`` by (a wildcard listens on
    every address but is none a browser can ask for)."""
    return _shown(_WILDCARDS.get(host.strip(), host))


def _hosts(host: str, port: int) -> set[str]:
    """The ``Host:`` values the preview answers: this machine by its loopback names, and the
    address it was asked to listen on (``--host``), with the port (and without it on port 80)."""
    names = {"127.0.0.1", "localhost", "[::1]", _shown(host.strip().lower()),
             _reachable(host).lower()}
    return {f"{n}:{port}" for n in names} | (names if port == 80 else set())


def ignored(settings: Settings) -> list[Path]:
    """What a rebuild never follows, wherever the watched folders lie (``theme: .`` holds the
    whole project): syndicate's own outputs, the state folder (the preview is built there),
    the catalog and a folder target."""
    out = [settings.state_dir]
    if not settings.catalog_on_server:  # a file of the project, perhaps among the watched
        out.append(settings.catalog_path)
    target = settings.config.target
    if "://" not in target:
        out.append(settings.target_dir)
    return out + [p.resolve() for p in out]  # as written and as the links lead


class Server:
    """A running preview: ``Server(config).start()`` binds, builds once and serves; ``run()``
    rebuilds on each change until ``stop()``; ``close()`` releases everything.

    ``watcher`` (anything with ``wait(stop_event) -> bool``) replaces the polling watcher."""

    def __init__(self, config_path: str | Path, *, host: str = "127.0.0.1", port: int = 8000,
                 drafts: bool = False, watcher=None, report: Report | None = None):
        self.config_path = Path(config_path)
        self.host, self.port, self.drafts = host, port, drafts
        self.watcher = watcher
        self.report = report or (lambda level, text: None)
        self.builds = Builds()
        self.last: Outcome | None = None
        self._types: dict[str, str] = {}
        self._warned: set[str] = set()
        self._hidden = 0
        self._stop = threading.Event()
        self._building = threading.Lock()  # one build at a time (the watcher's, a caller's)
        self._httpd: PreviewServer | None = None
        self._thread: threading.Thread | None = None
        self._preview: Preview | None = None
        self.url = ""

    # -- start, run, stop -------------------------------------------------------------------
    def start(self) -> Server:
        settings = load_config(self.config_path)  # a ConfigError here: nothing to serve yet
        self._httpd = self._bind()
        port = self._httpd.server_address[1]
        self.url = f"http://{_reachable(self.host)}:{port}/"
        if _reachable(self.host) != _shown(self.host):
            self.report("warning", f"--host {self.host} listens on every address of this "
                        f"machine, but the preview's links use {self.url} (this machine "
                        "only); to open it from another device, give that device's view of "
                        "this machine with --host ADDRESS")
        self._preview = Preview(self.config_path, self.url, drafts=self.drafts)
        try:
            self._preview.start(settings)
            self._httpd.RequestHandlerClass = make_handler(
                self._preview.site_dir, self.builds, lambda: self._types,
                hosts=lambda: _hosts(self.host, port))
            if self.watcher is None:  # before the first build: edits made during it count
                self.watcher = PollingWatcher(self._watched, ignore=self._ignored,
                                              also=self._also)
            self.rebuild()
        except BaseException:
            self.close()
            raise
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="serve",
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()
        return self

    def _bind(self) -> PreviewServer:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server_class = type("Bound", (PreviewServer,), {"address_family": family})
        try:
            return server_class((self.host, self.port), make_handler(Path("/nonexistent"),
                                                                    self.builds, dict))
        except OSError as exc:
            where = f"{self.host}:{self.port}"
            if exc.errno == errno.EADDRINUSE:
                why = "is in use by another program"
            elif exc.errno == errno.EACCES:
                why = "needs privileges to be opened"
            else:
                why = f"cannot be opened ({exc.strerror or exc})"
            raise CannotListen(f"port {self.port} on {self.host} {why}; serve on another one "
                            f"with --port N (--port 0 picks a free one)"
                            if exc.errno in (errno.EADDRINUSE, errno.EACCES) else
                            f"{where} {why}; check --host and --port") from None

    def run(self) -> None:
        """Rebuild after each change until ``stop()`` (or Ctrl-C in the caller)."""
        while not self._stop.is_set():
            if self.watcher.wait(self._stop):
                self.rebuild()

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        self.builds.close()  # every open event stream ends
        if self._httpd is not None:
            if self._thread is not None:
                self._httpd.shutdown()
            self._httpd.server_close()
        if self._preview is not None:
            self._preview.close()

    # -- one build ----------------------------------------------------------------------------
    def rebuild(self) -> Outcome:
        """Build the preview again; said on the terminal, then to the open pages."""
        assert self._preview is not None
        with self._building:
            return self._rebuild(self._preview)

    def _rebuild(self, preview: Preview) -> Outcome:
        began = time.perf_counter()
        try:
            outcome = preview.build()
        except Exception as exc:  # the server goes on with the last good build
            outcome = Outcome(ok=False, errors=[f"the preview build failed: "
                                                f"{type(exc).__name__}: {exc}"])
        took = time.perf_counter() - began
        if outcome.ok:
            self._types = outcome.types
            self.report("info", f"Built the preview in {took:.2f} s: wrote {outcome.written} "
                        f"files, deleted {outcome.deleted}")
            if outcome.hidden and outcome.hidden != self._hidden:
                self.report("warning", f"{outcome.hidden} draft or queued item(s) not shown "
                            "(syndicate serve --drafts shows them, marked)")
            self._hidden = outcome.hidden
        else:
            self.report("error", "The preview was not rebuilt; the last good build is served")
        for w in outcome.warnings:
            if w not in self._warned:
                self._warned.add(w)
                self.report("warning", w)
        for e in outcome.errors:
            self.report("error", e)
        # a build that changed nothing the open pages show is not announced to them (another
        # tool's writes beside the sources, say): only the first build, or one that wrote,
        # deleted, failed or mended something, reloads them
        last, self.last = self.last, outcome
        if last is None or outcome.written or outcome.deleted or outcome.ok != last.ok \
                or outcome.errors != last.errors:
            self.builds.done(outcome.errors)
        return outcome

    def _also(self) -> object:
        """What else wakes a build: the project catalog's queue, the preview folder itself."""
        return self._preview.catalog_token(), self._preview.site_token()

    def _watched(self) -> list[Path]:
        """The paths of the last config that loaded (a broken one is still watched, for its
        fix)."""
        settings = self._preview.settings if self._preview else None
        return watched(settings) if settings else [self.config_path.resolve()]

    def _ignored(self) -> list[Path]:
        settings = self._preview.settings if self._preview else None
        return ignored(settings) if settings else []
