"""Tell the world a feed changed: WebSub hubs, a Podcast Index style pubnotify endpoint and
Podping.

Podcast apps poll feeds every few hours; a ping makes them fetch now. A ping that fails is a
warning, never a failed release: the feed is already live. The pings are steps of the list run
after every publish (``publish/after.py``).
"""

from __future__ import annotations

import logging
import os

from . import __version__
from .config import Settings
from .urls import origin, redact_text

log = logging.getLogger("syndicate.notify")
USER_AGENT = f"syndicate/{__version__} (+https://pypi.org/project/syndicate/)"


def ping_hubs(settings: Settings, feeds: list[str]) -> list[str]:
    """Tell every WebSub hub of every changed feed (a POST with hub.mode=publish each)."""
    return call([("POST", hub, {"data": {"hub.mode": "publish", "hub.url": feed}})
                  for hub in settings.config.notify.websub_hubs for feed in feeds],
                 settings.config.notify.timeout)


def ping_podcast_index(settings: Settings, feeds: list[str]) -> list[str]:
    """Tell the pubnotify endpoint (Podcast Index style: a GET with ?url=) when the podcast
    feed changed."""
    cfg = settings.config
    podcast = cfg.site.url + cfg.podcast.feed_path
    if not cfg.notify.pubnotify or podcast not in feeds:
        return []
    return call([("GET", cfg.notify.pubnotify, {"params": {"url": podcast}})],
                 cfg.notify.timeout)


PODPING_TOKEN = "SYNDICATE_PODPING_TOKEN"  # the environment variable holding the token
SHORTEST_SECRET = 8  # shorter text is never masked in a message: it would garble words


def ping_podping(settings: Settings, feeds: list[str]) -> list[str]:
    """Send a podping (podcast.podping true) when the podcast feed changed: a GET of the
    Podping endpoint with ?url=<feed>&reason=update&medium=<podcast.medium or podcast>, the
    token from the environment in its Authorization header (never the config, never a
    message). A token that a header cannot carry (a line break, a control character, a
    character outside printable ASCII) is refused before anything is sent."""
    cfg = settings.config
    podcast = cfg.site.url + cfg.podcast.feed_path
    if not cfg.podcast.podping or podcast not in feeds:
        return []
    token = os.environ.get(PODPING_TOKEN, "").strip()  # a CRLF file's line end: trimmed
    where = f"podping {origin(cfg.notify.podping_url)}"
    if not token:
        return [f"{where}: not sent: podcast.podping is true but {PODPING_TOKEN} is not set "
                "in the environment (Podcast Index gives publishers a token: "
                "podping@podcastindex.org)"]
    if unfit := header_unfit(token, PODPING_TOKEN):
        return [f"{where}: not sent: {unfit}"]
    params = {"url": podcast, "reason": "update", "medium": cfg.podcast.medium or "podcast"}
    return call([("GET", cfg.notify.podping_url,
                   {"params": params, "headers": {"Authorization": token}})],
                 cfg.notify.timeout, secrets=(token,), what="podping",
                 later="apps will see it when they next poll the feed", token_var=PODPING_TOKEN)


def header_unfit(token: str, var: str) -> str:
    """Why ``token`` (from the environment variable ``var``) cannot go in a header, or ''."""
    if all(" " <= c <= "~" for c in token):
        return ""
    return (f"{var} holds a line break, a control character or a character outside printable "
            "ASCII, which a header cannot carry; set it to the token alone, on one line")


def call(calls: list[tuple[str, str, dict]], timeout: float, *, secrets: tuple[str, ...] = (),
          what: str = "ping", later: str = "the hub will see it on its next poll",
          token_var: str = "") -> list[str]:
    """Make each request in turn; returns a warning for each that failed (``later``: who
    learns of the change all the same). With ``secrets`` (values sent in headers, from the
    environment variable ``token_var``) no exception's or server's words are put in a warning
    at all; masking them is a last guard only."""
    if not calls:
        return []
    warnings = _requests(calls, timeout, what, later, token_var, secret=bool(secrets))
    for secret in secrets:
        warnings = [mask(w, secret) for w in warnings]
    return warnings


def mask(text: str, secret: str) -> str:
    """``text`` with ``secret`` (as itself, or as Python quotes it) replaced by ``***`` where
    it stands alone, not inside a longer word; a secret shorter than ``SHORTEST_SECRET`` is
    left alone (masking it would garble words and show which letters it holds)."""
    import re

    if len(secret) < SHORTEST_SECRET:
        return text
    forms = sorted({secret, repr(secret)[1:-1]}, key=len, reverse=True)
    pattern = "(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, forms)) + ")(?![A-Za-z0-9])"
    return re.sub(pattern, "***", text)


def _requests(calls: list[tuple[str, str, dict]], timeout: float, what: str, later: str,
              token_var: str, *, secret: bool = False) -> list[str]:
    from urllib.parse import urljoin

    import requests

    from .http import TimedOut, session, within

    warnings = []
    with session(user_agent=USER_AGENT) as http:
        for method, url, kwargs in calls:
            shown = origin(url)  # a webhook's path may be its secret: scheme and host only
            try:
                with within(timeout):  # the whole exchange, not each wait for a byte
                    # never followed: a redirect would turn a POST into a body-less GET (a
                    # 302 to a login page answering 200) or send the body to another host
                    resp = http.request(method, url, timeout=timeout, allow_redirects=False,
                                        **kwargs)
                    resp.content  # noqa: B018  (read within the deadline, then let go)
                if 300 <= resp.status_code < 400:
                    to = resp.headers.get("Location", "")
                    warnings.append(
                        f"{what} {shown}: answered HTTP {resp.status_code}, a redirect"
                        + (f" to {origin(urljoin(url, to))}" if to else "")
                        + f", not followed: update the address in config.yaml; {later}")
                elif resp.status_code >= 300:
                    refused = (f": the token was refused; check {token_var}"
                               if secret and resp.status_code in (401, 403) else "")
                    warnings.append(f"{what} {shown}: answered HTTP {resp.status_code}{refused}")
                else:
                    log.info("pinged %s (%s)", shown, resp.status_code)
            except (requests.Timeout, TimedOut):
                warnings.append(f"{what} {shown}: no answer within {timeout:g} s (whether it "
                                f"arrived is unknown); what was published is live, {later}")
            except requests.ConnectionError:
                warnings.append(f"{what} {shown}: cannot connect; what was published is live, "
                                f"{later}")
            except (requests.exceptions.InvalidHeader, UnicodeError) as exc:
                # requests quotes the header's value in its words: never shown when secret
                warnings.append(f"{what} {shown}: not sent: the token in {token_var} is not "
                                "a valid header value" if secret else
                                f"{what} {shown}: {type(exc).__name__}: {_without(exc, url)}")
            except requests.RequestException as exc:
                warnings.append(f"{what} {shown}: {type(exc).__name__}" if secret else
                                f"{what} {shown}: {type(exc).__name__}: {_without(exc, url)}")
    return warnings


def _without(exc: Exception, url: str) -> str:
    """An exception's words with the address's path and query (as requests and urllib3 quote
    them) and any credential left out."""
    from urllib.parse import urlsplit

    text = str(exc)
    parts = urlsplit(url)
    for secret in sorted({url, parts.path + (f"?{parts.query}" if parts.query else ""),
                          parts.path, parts.query}, key=len, reverse=True):
        if secret.strip("/"):
            text = text.replace(secret, "/***")
    return redact_text(text)
