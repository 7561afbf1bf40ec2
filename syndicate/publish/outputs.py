"""An output of the site: a key, what it is made from, and how it is served.

Kept apart from the build (``build.py``), which needs the renderers and the theme: the plan and
the targets, and a publish that finds nothing changed (``unchanged.py``), need only this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import mediatypes


@dataclass
class Output:
    key: str
    kind: str  # media, asset, page, feed: the order they are published in
    input_hash: str
    render: Callable[[], bytes] | None = None
    path: Path | None = None  # a file to copy as it is
    sha256: str | None = None
    size: int | None = None
    addressed: bool = False  # the key names the content (a hash in it): it never changes
    lists: tuple[str, ...] = ()  # a page: the keys of the item pages it lists
    redirect: str = ""  # a page left at an old address: the address it leads to
    # how it is served, from the one table (mediatypes): by its extension unless given
    content_type: str = ""
    cache_control: str = ""

    def __post_init__(self) -> None:
        self.content_type = self.content_type or mediatypes.of_key(self.key)
        self.cache_control = self.cache_control or mediatypes.cache_policy(self.kind,
                                                                           self.addressed)
