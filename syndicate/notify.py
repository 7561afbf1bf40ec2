"""Tell the world a release is out: WebSub hubs and a Podcast Index style pubnotify endpoint.

Podcast apps poll feeds every few hours; a ping makes them fetch now. A ping that fails is a
warning, never a failed release: the feed is already live.
"""

from __future__ import annotations

import logging

from . import __version__
from .config import Settings
from .urls import origin, redact_text

log = logging.getLogger("syndicate.notify")
USER_AGENT = f"syndicate/{__version__} (+https://pypi.org/project/syndicate/)"


def feed_urls(settings: Settings, released: list[dict]) -> list[str]:
    """The feeds a release changed: the blog feeds for posts, the podcast feed for episodes."""
    cfg = settings.config
    kinds = {r["kind"] for r in released}
    urls = []
    if "post" in kinds:
        urls += [cfg.site.url + cfg.blog.rss_path, cfg.site.url + cfg.blog.atom_path]
    if "episode" in kinds:
        urls.append(cfg.site.url + cfg.podcast.feed_path)
    return urls


def notify(settings: Settings, released: list[dict]) -> list[str]:
    """Ping every configured hub for every changed feed; returns warnings for failed pings."""
    cfg = settings.config.notify
    if not released or not (cfg.websub_hubs or cfg.pubnotify):
        return []
    import requests

    warnings = []
    feeds = feed_urls(settings, released)
    podcast = settings.config.site.url + settings.config.podcast.feed_path
    with requests.Session() as http:
        http.headers["User-Agent"] = USER_AGENT
        calls = [("POST", hub, {"data": {"hub.mode": "publish", "hub.url": feed}})
                 for hub in cfg.websub_hubs for feed in feeds]
        if cfg.pubnotify and podcast in feeds:
            calls.append(("GET", cfg.pubnotify, {"params": {"url": podcast}}))
        for method, url, kwargs in calls:
            shown = origin(url)  # a webhook's path may be its secret: scheme and host only
            try:
                resp = http.request(method, url, timeout=cfg.timeout, allow_redirects=True,
                                    **kwargs)
                if resp.status_code >= 300:
                    warnings.append(f"ping {shown}: answered HTTP {resp.status_code}")
                else:
                    log.info("pinged %s (%s)", shown, resp.status_code)
            except requests.Timeout:
                warnings.append(f"ping {shown}: no answer within {cfg.timeout:g} s; "
                                "the release is live, the hub will see it on its next poll")
            except requests.ConnectionError:
                warnings.append(f"ping {shown}: cannot connect; the release is live, "
                                "the hub will see it on its next poll")
            except requests.RequestException as exc:
                warnings.append(f"ping {shown}: {type(exc).__name__}: "
                                f"{_without(exc, url)}")
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
