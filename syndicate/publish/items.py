"""Where an item lives on the site, and the live items taken down since the last publish."""

from __future__ import annotations

from fnmatch import fnmatchcase

from ..catalog import Catalog, item_names
from ..sitekeys import EPISODES, HOME, POSTS
from .outputs import Output


def page_key(kind: str, slug: str) -> str:
    """The key of an item's page: every item has one, so it says whether the item is live."""
    return f"{POSTS if kind == 'post' else EPISODES}/{slug}/{HOME}"


def item_page(key: str) -> bool:
    """Whether ``key`` is the page of a post or an episode."""
    parts = key.split("/")
    return len(parts) == 3 and parts[0] in (POSTS, EPISODES) and parts[2] == HOME


def vanished_live(cat: Catalog, previous: dict[str, dict]) -> list[dict]:
    """Catalog rows of items taken down while their page is still published: their source is
    gone, or it was set to draft (an explicit take-down, counted against max_deletes alike)."""
    return [r for r in cat.all_items() if (r["missing"] or r["draft"])
            and page_key(r["kind"], r["slug"]) in previous]


def confirm_removals(vanished: list[dict], names: tuple[str, ...]
                     ) -> tuple[list[dict], list[str]]:
    """The rows of ``vanished`` that ``publish --remove`` names (by title, slug, guid, or its
    file, with or without its folder), and the names that match none of them."""
    confirmed: list[dict] = []
    unmatched: list[str] = []
    for name in names:
        hits = [r for r in vanished if name in item_names(r)]
        if not hits:
            unmatched.append(name)
        confirmed += [r for r in hits if r not in confirmed]
    return confirmed, unmatched


def item_keys(r: dict, old_slugs: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Key prefixes of an item's own published files: its page's folder, an episode's audio;
    and those under ``old_slugs`` (the addresses it had before a rename, left leading to it)."""
    keys = []
    for slug in (r["slug"], *old_slugs):
        keys.append(page_key(r["kind"], slug).removesuffix("index.html"))
        if r["kind"] == "episode":
            keys.append(f"media/{slug}-")
    return keys


def left_behind(outputs: list[Output], plan, previous: dict[str, dict],
                keep: tuple[str, ...] | list[str] = ()) -> dict[str, tuple]:
    """What a build must leave out after ``plan`` (see ``make_plan``'s ``left_out``): items whose
    page failed; else items new to the site (page never published) that a page failing or kept
    at its last version must list (or a page ``keep`` names that has no last version yet: a
    first publish whose cover is damaged releases nothing); else tag pages that failed, never
    published."""
    out = {k: (*v, "dropped") for k, v in plan.unmade.items() if item_page(k)}
    kept = set(plan.kept) | set(plan.unmade)
    kept |= {o.key for o in outputs if o.kind == "page" and o.key not in previous
             and any(fnmatchcase(o.key, p) for p in keep)}
    for o in outputs:
        if o.kind == "page" and o.key in kept:
            # kept by a pattern (a damaged cover, a held removal): that error says so
            # (the failing page is named: built again without the item, it may well succeed)
            why = (*plan.failures[o.key], "held", o.key) if o.key in plan.failures \
                else (o.key, "", None)
            out.update((k, why) for k in o.lists if k not in previous and k not in out)
    if out:
        return out
    return {k: (*v, "unlinked") for k, v in plan.unmade.items()
            if k.startswith("tags/") and k.endswith("/index.html")}
