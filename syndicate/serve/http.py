"""The preview's HTTP server: the preview folder as a web host serves it, and nothing outside it.

Files are served with the content type the build gave them (the one table, mediatypes.py),
``Accept-Ranges: bytes`` and single byte ranges (206, or 416 when no byte is asked for), HEAD as
GET without the body, a folder's ``index.html`` (a folder named without its slash is redirected to
it), and the site's ``404.html`` (or a plain 404) for anything else. A path is looked up only as
plain names below the folder: a ``.`` or ``..`` segment (however it is encoded), an encoded slash
or backslash, a hidden name (the folder's ``.syndicate/`` records), or a link leading out of the
folder answers 404.
"""

from __future__ import annotations

import http.server
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ..mediatypes import of_key
from .ranges import Unsatisfiable, byte_range
from .reload import EVENTS, Builds

STATUS = "/__syndicate/status"
CHUNK = 1 << 16
KEEPALIVE = 15.0  # seconds between comments on an idle event stream (a gone reader is noticed)
HTML = "text/html"


def lookup(root: Path, raw: str) -> tuple[str, Path | None]:
    """(key, file) for a request path: the key below ``root`` and the regular file that serves
    it, or None; ("/", None) when the path names a folder without its trailing slash."""
    path = urlsplit(raw).path
    if not path.startswith("/") or any(c in path.lower() for c in ("%2f", "%5c", "%00")):
        return "", None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return "", None
    parts = decoded.split("/")[1:]
    if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts) or "" in parts[:-1]:
        return "", None
    key = "/".join(parts)
    base = os.path.realpath(root)
    found = _inside(base, os.path.join(base, key))
    if found is None:
        return "", None
    try:
        st = os.stat(found)
    except (OSError, ValueError):
        return key, None
    if not stat.S_ISDIR(st.st_mode) and not parts[-1]:
        return key, None  # a file named as a folder ("feed.xml/"): no host serves it so
    if stat.S_ISDIR(st.st_mode):
        if parts[-1]:
            return "/", None  # named without its slash: redirected, so relative links work
        key += "index.html"
        found = _inside(base, os.path.join(found, "index.html"))
        try:
            st = os.stat(found) if found else None
        except (OSError, ValueError):
            st = None
    if st is None or not stat.S_ISREG(st.st_mode):
        return key, None
    return key, Path(found)


def _inside(base: str, path: str) -> str | None:
    """``path`` with its links followed, if that is still inside ``base``."""
    real = os.path.realpath(path)
    return real if os.path.commonpath([base, real]) == base else None


_NOT_BUILT = (b"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
              b"<title>The preview is not built</title></head>\n<body>\n<h1>The preview could "
              b"not be built</h1>\n<p>Fix what is named above; this page reloads once the "
              b"preview builds.</p>\n</body></html>\n")


def make_handler(root: Path, builds: Builds, types: Callable[[], dict[str, str]],
                 hosts: Callable[[], set[str]] | None = None):
    """A request handler serving ``root``; ``types()`` gives the build's key -> Content-Type.
    ``hosts()``, where given, are the only ``Host:`` values answered (lower case): a page
    elsewhere that points its own name at this machine (DNS rebinding) would read the
    preview, drafts included; it gets 403."""

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "syndicate-serve"

        def log_message(self, format, *args):  # a preview's requests are not news
            pass

        def do_HEAD(self):
            self._answer(body=False)

        def do_GET(self):
            self._answer(body=True)

        def _answer(self, body: bool) -> None:
            try:
                asked = (self.headers.get("Host") or "").strip().lower()
                if hosts is not None and asked and asked not in hosts():
                    return self._send(403, "text/plain; charset=utf-8",
                                      b"403 Forbidden: the preview answers only at the address "
                                      b"syndicate serve printed\n", body)
                where = urlsplit(self.path)
                if where.path == EVENTS and body:
                    return self._events(where.query)
                if where.path == STATUS:
                    data = json.dumps({"build": builds.number, "run": builds.run,
                                       "errors": builds.errors}).encode()
                    return self._send(200, "application/json", data, body)
                key, found = lookup(root, self.path)
                if key == "/" and found is None:
                    self.send_response(301)
                    self.send_header("Location", where.path + "/" +
                                     (f"?{where.query}" if where.query else ""))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if found is None:
                    return self._missing(body)
                kind = types().get(key) or of_key(key)
                return self._file(found, kind, body, 200)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                return None  # the reader went away

        def _missing(self, body: bool) -> None:
            _key, page = lookup(root, "/404.html")
            if page is not None:
                return self._file(page, types().get("404.html") or of_key("404.html"), body, 404)
            if builds.errors:  # no build has made a site yet: say why, and reload once one does
                data = builds.inject(_NOT_BUILT)
                return self._ranged(len(data), HTML + "; charset=utf-8", body, 503,
                                    lambda a, n: self.wfile.write(data[a:a + n]))
            return self._send(404, "text/plain; charset=utf-8",
                              b"404 Not Found: nothing is published at this address\n", body)

        def _file(self, path: Path, kind: str, body: bool, status: int) -> None:
            try:
                f = open(path, "rb")  # noqa: SIM115 (closed below, after streaming)
            except OSError:
                return self._send(404, "text/plain; charset=utf-8", b"404 Not Found\n", body)
            with f:
                if kind.startswith(HTML):  # the reload script and the build's errors
                    data = builds.inject(f.read())
                    return self._ranged(len(data), kind, body, status,
                                        lambda a, n: self.wfile.write(data[a:a + n]))
                size = os.fstat(f.fileno()).st_size

                def copy(first: int, count: int) -> None:
                    f.seek(first)
                    while count > 0:
                        chunk = f.read(min(CHUNK, count))
                        if not chunk:
                            break
                        self.wfile.write(chunk)
                        count -= len(chunk)

                return self._ranged(size, kind, body, status, copy)

        def _ranged(self, size: int, kind: str, body: bool, status: int,
                    write: Callable[[int, int], object]) -> None:
            wanted = None
            if status == 200:
                try:
                    wanted = byte_range(self.headers.get("Range"), size)
                except Unsatisfiable:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Accept-Ranges", "bytes")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            first, last = wanted if wanted else (0, size - 1)
            self.send_response(206 if wanted else status)
            self.send_header("Content-Type", kind)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Cache-Control", "no-store")
            if wanted:
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.send_header("Content-Length", str(last - first + 1))
            self.end_headers()
            if body and last >= first:
                write(first, last - first + 1)

        def _send(self, status: int, kind: str, data: bytes, body: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)

        def _events(self, query: str) -> None:
            """Server-sent events: one ``build`` event for each build after ``since``."""
            since = builds.seen(parse_qs(query).get("since", ["0"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b": syndicate serve\n\n")
            self.wfile.flush()
            while not builds.closed:
                number = builds.wait_after(since, KEEPALIVE)
                if number is None:
                    if builds.closed:
                        break
                    self.wfile.write(b": waiting\n\n")
                else:
                    self.wfile.write(builds.event(number))
                    since = number
                self.wfile.flush()

    return Handler


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds the process
    allow_reuse_address = True  # a port left in TIME_WAIT by the last preview is free

    def handle_error(self, request, client_address):
        """One line on stderr, not a traceback: the preview goes on serving."""
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # a reader that went away
        print(f"Error: serve: a request from {client_address[0]} failed: "
              f"{type(exc).__name__}: {exc}", file=sys.stderr)
