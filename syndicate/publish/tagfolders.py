"""The folder each tag's page was published in, kept in the catalog: an address once published
keeps its tag, and a newcomer whose name slugs the same gets another folder. Read by the build
(to name the pages) and recorded after every publish (without loading the build)."""

from __future__ import annotations

import json

from ..markup import SLUG_RE

TAG_FOLDERS = "tag_folders"  # catalog meta: JSON, tag key -> the folder its page was published in


def known_tag_folders(cat) -> dict[str, str]:
    """Tag key -> the folder its page was published in, as the catalog remembers them (a value
    that is not such a mapping is taken as none remembered)."""
    try:
        known = json.loads(cat.get_meta(TAG_FOLDERS) or "{}")
    except ValueError:
        return {}
    if not isinstance(known, dict):
        return {}
    return {k: v for k, v in known.items() if isinstance(k, str) and isinstance(v, str)
            and SLUG_RE.match(v)}


def record(cat, tag_folders: dict[str, str], manifest: list[dict]) -> None:
    """The folders of the tag pages now live (``manifest``: what the target holds), added to
    those published before."""
    live = {r["key"] for r in manifest}
    known = known_tag_folders(cat)
    known.update((k, slug) for k, slug in tag_folders.items()
                 if f"tags/{slug}/index.html" in live)
    cat.set_meta(TAG_FOLDERS, json.dumps(known, sort_keys=True, ensure_ascii=False))
