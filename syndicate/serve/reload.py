"""Reloading the open page: each build counts one up, and pages served in a preview carry a small
script that waits on ``/__syndicate/events`` (server-sent events) for a later build. A build is
named ``RUN.NUMBER``, RUN drawn afresh by each server, so a page left open across a restart of
serve is not waiting for a number the new server counts up to again: a build of another run is
one the page has not seen. A build's errors are shown at the top of every page until a build
without them."""

from __future__ import annotations

import html
import json
import re
import secrets
import threading

EVENTS = "/__syndicate/events"

_SCRIPT = """<script>/* syndicate serve: reload when the preview is rebuilt */
(function () {
  if (!window.EventSource) return;
  var s = new EventSource("%s?since=%s");
  s.addEventListener("build", function () { s.close(); location.reload(); });
})();
</script>
"""
_BANNER = ('<div id="syndicate-preview-errors" role="alert" style="background:#fee;color:#600;'
           'border:2px solid #c00;padding:.5em 1em;margin:0 0 1em;font:14px/1.4 monospace;'
           'white-space:pre-wrap">%s</div>\n')
_BODY = re.compile(rb"<body\b[^>]*>", re.I)
_END = re.compile(rb"</body\s*>", re.I)


class Builds:
    """The number of the last build and its errors; threads wait here for the next one."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.run = secrets.token_hex(6)  # this server's, never another's
        self.number = 0
        self.errors: list[str] = []
        self.closed = False

    def done(self, errors: list[str]) -> None:
        with self._cond:
            self.number += 1
            self.errors = list(errors)
            self._cond.notify_all()

    def close(self) -> None:
        """Wake every waiter for good (the server stops)."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def wait_after(self, number: int, timeout: float) -> int | None:
        """The build number once it is past ``number`` (None: ``timeout`` passed or closed)."""
        with self._cond:
            self._cond.wait_for(lambda: self.number > number or self.closed, timeout)
            return self.number if self.number > number and not self.closed else None

    def name(self, number: int) -> str:
        return f"{self.run}.{number}"

    def seen(self, since: str) -> int:
        """The last build of this run a page named by ``since`` has seen (a page of another
        run, or of no run, has seen none; a bare number is of this run)."""
        run, _, number = since.rpartition(".")
        if run and run != self.run:
            return 0
        try:
            return max(0, int(number))
        except ValueError:
            return 0

    def event(self, number: int) -> bytes:
        data = json.dumps({"build": number, "run": self.run, "errors": self.errors})
        return f"id: {self.name(number)}\nevent: build\ndata: {data}\n\n".encode()

    def inject(self, page: bytes) -> bytes:
        """``page`` with the reload script before ``</body>`` and the errors of the last build,
        if any, after ``<body>``."""
        script = (_SCRIPT % (EVENTS, self.name(self.number))).encode()
        ends = list(_END.finditer(page))
        if ends:
            at = ends[-1].start()
            page = page[:at] + script + page[at:]
        else:
            page += script
        if self.errors:
            text = ("syndicate serve: the last build reported problems (what failed keeps its "
                    "last good version here):\n" + "\n".join(self.errors))
            banner = (_BANNER % html.escape(text, quote=True)).encode()
            m = _BODY.search(page)
            at = m.end() if m else 0
            page = page[:at] + b"\n" + banner + page[at:]
        return page
