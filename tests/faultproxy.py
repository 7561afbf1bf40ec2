"""An HTTP proxy on 127.0.0.1 that stands between boto3 and the S3 server and misbehaves on a
schedule: it answers 500 or 503, resets the connection, or calls a hook (to SIGKILL a publish in
the middle). Every request is recorded with what became of it."""

from __future__ import annotations

import http.client
import http.server
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


@dataclass
class Seen:
    n: int  # 1-based number of the request
    method: str
    path: str
    outcome: str  # "ok", "reset", "500", "503", "hook"
    status: int | None = None
    begun: float = 0.0  # time.monotonic() when its request line and headers had come


# schedule(n, method, path) -> None (forward it), "reset", 500, 503, or a callable run instead
Schedule = Callable[[int, str, str], object]


class FaultProxy:
    def __init__(self, upstream: str, schedule: Schedule | None = None):
        up = urlsplit(upstream)
        self.upstream = (up.hostname, up.port)
        self.schedule = schedule or (lambda n, m, p: None)
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    parts = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(parts)
                        parts.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _handle(self):
                begun = time.monotonic()
                try:
                    body = self._body()
                except (OSError, ValueError):
                    body = None
                if body is None or len(body) < int(self.headers.get("Content-Length") or 0):
                    # the client went away mid-request: like S3, never store a partial body
                    self.close_connection = True
                    return
                with proxy._lock:
                    n = len(proxy.seen) + 1
                    seen = Seen(n, self.command, self.path, "ok", begun=begun)
                    proxy.seen.append(seen)
                action = proxy.schedule(n, self.command, self.path)
                if callable(action):
                    seen.outcome = "hook"
                    action()
                    action = "reset"
                if action == "reset":
                    seen.outcome = seen.outcome if seen.outcome == "hook" else "reset"
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    return
                if action in (500, 503):
                    seen.outcome = str(action)
                    code = "InternalError" if action == 500 else "SlowDown"
                    payload = (f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
                               "<Message>injected by the test proxy</Message></Error>").encode()
                    self.send_response(action)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                    headers["Content-Length"] = str(len(body))
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                finally:
                    conn.close()
                seen.status = resp.status
                self.send_response(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in _HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                length = resp.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def puts(self, outcome: str | None = "ok") -> list[str]:
        """Paths of the PUT requests (with the given outcome) in the order they came."""
        return [s.path for s in self.seen
                if s.method == "PUT" and (outcome is None or s.outcome == outcome)]
