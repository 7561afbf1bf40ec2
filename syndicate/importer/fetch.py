"""Fetch an import source over HTTP: timeouts, a few retries, a clear User-Agent, and clear
errors for what can go wrong (404, 500, a timeout, a redirect loop)."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import requests
from urllib3.util.retry import Retry

from .. import http as bounded
from ..notify import USER_AGENT
from ..urls import redact, redact_text
from . import SourceError

TIMEOUT = (5, 20)  # seconds to connect, seconds between bytes
RETRIES = 2  # a failed connection, read or 5xx is asked again this many times
TRIES = RETRIES + 1
MAX_BYTES = 50 * 2**20
DEADLINE = 300  # seconds for a whole page or feed: a host trickling bytes is not waited on
SLOW_MARK = 15  # seconds: a page or feed still arriving after this is said while waited for


def _tell(text: str) -> None:
    """Where the line about a slow source goes: stderr, never into a --json document."""
    print(text, file=sys.stderr, flush=True)


@contextmanager
def _said_while_waiting(shown: str, got: list[int]):
    """Say one line if the answer to ``shown`` is still awaited after SLOW_MARK seconds (with
    the bytes ``got[0]`` so far, and when it is given up)."""
    def say() -> None:
        _tell(f"Waiting for {shown}: no whole answer after {SLOW_MARK:g} s ({got[0]} bytes so "
              f"far); it is given up at {DEADLINE:g} s")

    timer = threading.Timer(SLOW_MARK, say)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def session() -> requests.Session:
    retry = Retry(total=RETRIES, connect=RETRIES, read=RETRIES, status=RETRIES,
                  backoff_factor=0.2,
                  status_forcelist=(500, 502, 503, 504), allowed_methods=("GET", "HEAD"),
                  raise_on_status=False)
    s = bounded.session(retries=retry, user_agent=USER_AGENT)
    s.max_redirects = 10
    return s


def _body(resp: requests.Response, url: str, got: list[int] | None = None
          ) -> tuple[list[bytes], int]:
    """The body as it arrives (read1: whatever each read brings, so a host trickling a byte at
    a time is seen), up to MAX_BYTES and DEADLINE seconds."""
    from urllib3.exceptions import HTTPError, ReadTimeoutError

    end = time.monotonic() + DEADLINE
    shown = redact(url)
    chunks, size = [], 0
    try:
        while chunk := resp.raw.read1(1 << 16, decode_content=True):
            size += len(chunk)
            if size > MAX_BYTES:
                raise SourceError(f"{shown}: larger than {MAX_BYTES // 2**20} MB; not a page "
                                  "or a feed")
            if time.monotonic() > end:
                raise SourceError(f"{shown}: still arriving after {DEADLINE} s ({size} bytes); "
                                  "the server is too slow, try again later")
            chunks.append(chunk)
            if got is not None:
                got[0] = size
    except ReadTimeoutError:  # (after the headers: no try is made again)
        raise SourceError(f"{shown}: the answer stopped for {TIMEOUT[1]:g} s after {size} "
                          "bytes (timed out); try again later") from None
    except HTTPError:
        raise requests.exceptions.ChunkedEncodingError() from None
    return chunks, size


def unreachable(host: str, exc: Exception) -> str:
    """What happened when ``host`` was never reached (no name, refused, timed out), in words
    that name it; ``exc`` is the requests exception."""
    text = str(exc).lower()
    if isinstance(exc, requests.Timeout) or "timed out" in text:
        return f"the old host {host} did not answer within {TIMEOUT[1]} s (timed out)"
    if any(s in text for s in ("name or service not known", "nodename nor servname",
                               "name resolution", "getaddrinfo failed", "no address")):
        return f"the old host {host} could not be found (no such name in DNS)"
    if "refused" in text:
        return f"the old host {host} could not be reached (connection refused)"
    if isinstance(exc, requests.TooManyRedirects):
        return (f"the old host {host} redirects in a loop (more than 10 redirects); check the "
                "address at the old host")
    if isinstance(exc, requests.exceptions.SSLError):
        return f"the old host {host} could not be reached securely (TLS error)"
    if isinstance(exc, requests.ConnectionError):
        return f"the old host {host} could not be reached (the connection failed)"
    return f"asking the old host {host} failed ({type(exc).__name__})"


def _no_answer(shown: str, waited: float) -> str:
    """A host that took the connection and never answered, said as what was waited: each try
    waits TIMEOUT[1] s for a byte, and a try that times out is made again."""
    return (f"{shown}: no answer in {TRIES} tries of {TIMEOUT[1]:g} s each ({waited:.1f} s in "
            "all, timed out: the host took the connection but sent nothing); try again later")


def fetch_url(url: str, *, headers: dict | None = None, http: requests.Session | None = None,
              with_headers: bool = False):
    """The body of ``url`` and the address it ended at (and, ``with_headers``, the response
    headers; the body is None when a conditional GET answers 304); SourceError on failure."""
    own = http is None
    shown = redact(url)
    http = http or session()
    start = time.monotonic()
    try:
        got = [0]
        with bounded.within(DEADLINE), _said_while_waiting(shown, got):
            # (headers and body, however slowly they come)
            resp = http.get(url, timeout=TIMEOUT, headers=headers or {}, stream=True)
            if resp.status_code == 304 and with_headers:
                resp.content  # noqa: B018  (nothing to read: hands the connection back)
                return None, resp.url, resp.headers
            if resp.status_code >= 400:
                raise SourceError(f"{shown}: the server answered HTTP {resp.status_code} "
                                  f"{resp.reason}; check the address")
            chunks, size = _body(resp, url, got)
        expected = resp.headers.get("Content-Length")
        if expected and expected.isdecimal() and int(expected) != size \
                and not resp.headers.get("Content-Encoding"):
            raise SourceError(f"{shown}: the download was cut short ({size} of {expected} "
                               "bytes); try again")
        if with_headers:
            return b"".join(chunks), resp.url, resp.headers
        return b"".join(chunks), resp.url
    except bounded.TimedOut:
        raise SourceError(f"{shown}: still arriving after {DEADLINE} s (no whole answer); "
                          "the server is too slow, try again later") from None
    except requests.TooManyRedirects:
        raise SourceError(f"{shown}: too many redirects (a redirect loop?); check the "
                           "address") from None
    except requests.exceptions.ChunkedEncodingError:
        raise SourceError(f"{shown}: the download was cut short; try again") from None
    except requests.Timeout:
        raise SourceError(_no_answer(shown, time.monotonic() - start)) from None
    except requests.ConnectionError as exc:
        if "timed out" in str(exc).lower():
            raise SourceError(_no_answer(shown, time.monotonic() - start)) from None
        why = unreachable(urlsplit(url).hostname or shown, exc)
        raise SourceError(f"{shown}: cannot connect: {why}; check the address, or try again "
                          "later") from None
    except requests.RequestException as exc:
        raise SourceError(f"{shown}: {type(exc).__name__}: {redact_text(exc)}") from None
    finally:
        if own:
            http.close()
