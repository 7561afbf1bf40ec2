"""Refresh the sources listed under ``sources:`` in config.yaml, on every ``syndicate collect``.

A remote source is fetched with a conditional GET (its ETag and Last-Modified are kept in the
catalog): an unchanged source answers 304 and nothing is parsed. A file, or a remote source that
answers in full with the same bytes as last time, is not parsed either, unless its last
import failed in part (an audio download cut off, the old host down): then it is imported
again on every run, and its errors said, until it is whole.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

from ..catalog import open_catalog
from ..config import Settings
from ..urls import without_credentials
from . import ImportReport, SourceError, import_sources
from .sources import is_url, read_file


def refresh_sources(settings: Settings, *, date_by_order=None, now=None) -> ImportReport:
    report = ImportReport()
    sources = settings.config.sources
    if not sources:
        return report
    from .fetch import fetch_url, session

    keys = _keys(sources)
    with open_catalog(settings.catalog_path, commit=False) as cat:
        state = {s: json.loads(cat.get_meta(keys[s]) or "{}") for s in sources}
    changed: dict[str, tuple[bytes, str]] = {}
    http = session() if any(is_url(s) for s in sources) else None

    def look(source: str):
        """(bytes, final address) if the source may have changed, None if it has not."""
        seen = state[source]
        if not is_url(source):
            return read_file(settings.resolve(source), source), source
        headers = {}
        if seen.get("etag"):
            headers["If-None-Match"] = seen["etag"]
        if seen.get("last_modified"):
            headers["If-Modified-Since"] = seen["last_modified"]
        data, final, resp_headers = fetch_url(source, headers=headers, http=http,
                                              with_headers=True)
        if data is None:  # 304 Not Modified
            return None
        seen["etag"] = resp_headers.get("ETag")
        seen["last_modified"] = resp_headers.get("Last-Modified")
        return data, final

    try:
        with ThreadPoolExecutor(8) as pool:
            futures = {source: pool.submit(look, source) for source in sources}
        for source, future in futures.items():
            try:
                got = future.result()
            except SourceError as exc:
                report.errors.append(str(exc))
                continue
            if got is None:
                continue
            digest = hashlib.sha256(got[0]).hexdigest()
            if digest != state[source].get("sha256"):
                changed[source] = got
            state[source]["sha256"] = digest
    finally:
        if http is not None:
            http.close()
    if changed:
        from .sources import parse, parse_fetched

        parsed = {}
        for source, (data, final) in changed.items():
            try:  # a remote feed in pages: each page (RFC 5005)
                parsed[source] = parse_fetched(source, data, final, fetch_url) \
                    if is_url(source) else parse(data, final)
            except SourceError as exc:
                report.errors.append(str(exc))
                state[source].pop("sha256", None)  # look at it again next time
        sub = import_sources(settings, list(parsed), date_by_order=date_by_order,
                             preloaded=parsed, now=now)
        for name in ("created", "merged", "skipped", "flagged", "errors", "left_behind"):
            getattr(report, name).extend(getattr(sub, name))
        report.podcast_guid = sub.podcast_guid
        if sub.errors:  # an import left incomplete (an old host down): fetched and imported
            for source in parsed:  # again next time, until it is whole (what is in is merged)
                state[source] = {}
    with open_catalog(settings.catalog_path, immediate=True) as cat:
        for source, seen in state.items():
            cat.set_meta(keys[source], json.dumps(seen))
    return report.masked()


def _keys(sources: list[str]) -> dict[str, str]:
    """The catalog's key of each source's state: its address without credentials (the catalog
    is backed up and must hold no secret), numbered when two sources differ only in those."""
    keys: dict[str, str] = {}
    for source in sources:
        key = base = f"source:{without_credentials(source)}"
        number = 1
        while key in keys.values():
            number += 1
            key = f"{base}#{number}"
        keys[source] = key
    return keys
