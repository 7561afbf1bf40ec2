"""Access log lines in each format, written from known fields (the tests' and the benchmark's
generator): what a reader gives back must be what was written."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
OWNER = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
CF_HEADER = ("#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) "
             "cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) "
             "x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken "
             "x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
             "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
             "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start "
             "sc-range-end\n")


def clf_time(when: dt.datetime) -> str:
    return f"{when:%d}/{MONTHS[when.month - 1]}/{when:%Y:%H:%M:%S} +0000"


def s3_line(when: dt.datetime, ip: str, method: str, key: str, status: int, sent: int,
            agent: str, size: int = 0, bucket: str = "podcast-site") -> str:
    op = f"REST.{method}.OBJECT"
    agent = agent.replace('"', "'")
    return (f'{OWNER} {bucket} [{clf_time(when)}] {ip} - 3E57427F3EXAMPLE {op} {quote(key)} '
            f'"{method} /{bucket}/{quote(key)} HTTP/1.1" {status} - {sent or "-"} {size or "-"} '
            f'70 10 "-" "{agent}" - Ex4mPl3HoStId= SigV4 ECDHE-RSA-AES128-GCM-SHA256 - '
            f"{bucket}.s3.us-east-1.amazonaws.com TLSv1.2 - -")


def combined_line(when: dt.datetime, ip: str, method: str, path: str, status: int, sent: int,
                  agent: str) -> str:
    agent = agent.replace("\\", "\\\\").replace('"', '\\"')
    return (f'{ip} - - [{clf_time(when)}] "{method} {quote(path)} HTTP/1.1" {status} {sent} '
            f'"https://example.test/" "{agent}"')


def cloudfront_line(when: dt.datetime, ip: str, method: str, path: str, status: int,
                    sent: int, agent: str, rng: tuple[int, int] | None = None) -> str:
    start, end = (str(rng[0]), str(rng[1])) if rng else ("-", "-")
    fields = [f"{when:%Y-%m-%d}", f"{when:%H:%M:%S}", "FRA56-C1", str(sent), ip, method,
              "d111111abcdef8.cloudfront.net", quote(path), str(status), "-",
              quote(agent, safe=""), "-", "-", "Miss", "abc==", "example.test", "https", "200",
              "0.1", "-", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "Miss", "HTTP/2.0", "-", "-",
              "443", "0.1", "Miss", "audio/mpeg", str(sent), start, end]
    return "\t".join(fields)
