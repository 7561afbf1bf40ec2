"""A total deadline for an HTTP request made with requests.

requests' timeouts bound each wait for a byte, not the whole exchange: a server that sends a
header line, or a byte of body, every few seconds is waited on forever. A session made here
uses connections that enlist their socket with the deadline running in their thread
(``within``); when it passes, a watchdog shuts those sockets, the read in progress ends, and
leaving ``within`` raises ``TimedOut``, whatever the request code made of the cut (so a body
cut by the watchdog is never taken for a whole one). Every outgoing request goes through a
session made here: pings, import fetches, check and crawl.
"""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager, suppress

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_local = threading.local()


class TimedOut(Exception):
    """The request did not end within its deadline (``seconds``)."""

    def __init__(self, seconds: float):
        super().__init__(f"no whole answer within {seconds:g} s")
        self.seconds = seconds


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self.socks: list[socket.socket] = []
        self.lock = threading.Lock()
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def enlist(self, sock) -> None:
        if sock is None:
            return
        with self.lock:
            self.socks.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self.lock:
            self.expired = True
            for sock in self.socks:
                _shut(sock)


def _shut(sock) -> None:
    # the plain socket's shutdown (a TLS socket's own would drop its state under a reader)
    with suppress(OSError, TypeError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _enlist(sock) -> None:
    current = getattr(_local, "deadline", None)
    if current is not None:
        current.enlist(sock)


@contextmanager
def within(seconds: float):
    """Run the requests made in the block (with a session from ``session``) under one total
    deadline of ``seconds``; raises TimedOut when it passed."""
    outer = getattr(_local, "deadline", None)
    deadline = _Deadline(seconds)
    _local.deadline = deadline
    deadline.timer.start()
    try:
        yield deadline
    except Exception:
        if deadline.expired:
            raise TimedOut(seconds) from None
        raise
    finally:
        deadline.timer.cancel()
        _local.deadline = outer
    if deadline.expired:
        raise TimedOut(seconds)


def watch(resp: requests.Response) -> None:
    """Put a response already begun (its body streamed, not read yet) under the deadline
    running in this thread, so that reading its body is bounded too."""
    conn = getattr(resp.raw, "connection", None)
    _enlist(getattr(conn, "sock", None))


class _Enlisting:
    """A connection whose socket is put under the running deadline when it connects and
    whenever it waits for an answer."""

    def connect(self):
        super().connect()
        _enlist(self.sock)

    def getresponse(self, *args, **kwargs):
        _enlist(self.sock)
        return super().getresponse(*args, **kwargs)


class _Watched(_Enlisting, HTTPConnection):
    pass


class _WatchedTLS(_Enlisting, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Watched


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedTLS


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}


def session(*, retries=0, user_agent: str | None = None) -> requests.Session:
    """A requests session whose requests ``within`` can bound (``retries``: a urllib3 Retry or
    a count, as HTTPAdapter takes)."""
    s = requests.Session()
    for scheme in ("http://", "https://"):
        s.mount(scheme, _Adapter(max_retries=retries))
    if user_agent:
        s.headers["User-Agent"] = user_agent
    return s


def pieces(resp: requests.Response):
    """The body of a streamed response as it arrives, each piece what came (a read does not
    wait to fill a buffer, so a trickle is measured as it goes), gzip inflated."""
    from urllib3.exceptions import HTTPError, ReadTimeoutError

    try:
        while True:
            piece = resp.raw.read1(65536, decode_content=True)
            if not piece:
                return
            yield piece
    except ReadTimeoutError as exc:
        raise requests.ReadTimeout(exc) from None
    except HTTPError as exc:
        raise requests.ConnectionError(exc) from None
