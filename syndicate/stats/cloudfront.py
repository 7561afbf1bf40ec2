"""CloudFront standard logs (W3C extended format): ``#Version`` and ``#Fields`` lines, then one
request per line, fields separated by tabs, in the order ``#Fields`` names them (CloudFront's
own order where a file has lost its header). The user agent is URL-encoded; the range served is
in ``sc-range-start`` and ``sc-range-end``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import unquote

from ..when import WhenError, w3c_clock
from .hit import Hit, Skips, number, status_of

_DEFAULT = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status "
    "cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id "
    "x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher "
    "x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port "
    "time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len "
    "sc-range-start sc-range-end")
DEFAULT_FIELDS = _DEFAULT.split(" ")
NEEDED = ("date", "time", "c-ip", "cs-method", "cs-uri-stem", "sc-status", "sc-bytes",
          "cs(User-Agent)")


def read(lines: Iterable[str], name: str, skips: Skips) -> Iterator[Hit]:
    at = _positions(DEFAULT_FIELDS)
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        if line.startswith("#"):
            if line.startswith("#Fields:"):
                fields = line[len("#Fields:"):].split()
                missing = [f for f in NEEDED if f not in fields]
                if missing:
                    skips.add(name, n, f"a #Fields line without {', '.join(missing)}; the "
                                       "lines under it are read in CloudFront's own order")
                    at = _positions(DEFAULT_FIELDS)
                else:
                    at = _positions(fields)
            continue
        try:
            yield parse(line, at)
        except (ValueError, WhenError) as exc:
            skips.add(name, n, f"not a CloudFront log line ({exc})")


def _positions(fields) -> dict[str, int]:
    return {f: i for i, f in enumerate(fields)}


def parse(line: str, at: dict[str, int]) -> Hit:
    f = line.split("\t")
    if len(f) <= max(at[k] for k in NEEDED):
        raise ValueError(f"{len(f)} tab-separated fields, fewer than #Fields names")

    def get(key: str) -> str:
        i = at.get(key)
        return f[i] if i is not None and i < len(f) else "-"

    start, end = get("sc-range-start"), get("sc-range-end")
    rng = f"bytes={start}-{end}" if start.isdecimal() and end.isdecimal() else None
    method = get("cs-method").upper()
    if not method.isascii() or not method.isalpha():
        raise ValueError(f"{method[:20]!r} is not a method")
    return Hit(time=w3c_clock(get("date"), get("time")), ip=get("c-ip"), method=method,
               path=unquote(get("cs-uri-stem")), status=status_of(get("sc-status")),
               sent=number(get("sc-bytes")), range=rng, agent=unquote(get("cs(User-Agent)")))
