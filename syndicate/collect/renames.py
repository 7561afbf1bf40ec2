"""Which vanished item a new file continues when its name and more changed at once.

A file renamed and retitled (the author renames it to match the new title) is neither the same
bytes nor the same title and date as before. It is still the same item when the rest tells it
apart: its words (a post's body, an episode's notes) are the same or nearly so, and either its
title or its date is unchanged, or the words are long enough to be telling by themselves. Only a
vanished item is continued (two files that both exist are two items), and only when one vanished
item and one new file are alike: where two are, which is which cannot be told, and it is said.
"""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher

from ..catalog import loads
from ..errors import printable

TELLING = 30  # words in a body that identify it alone (a short one also needs its title or date)
NEARLY = 0.9  # how alike two bodies' words must be (a typo fixed, a line added)
NEAR_MISS = 0.75  # alike enough, short as they are, to say so when not taken as one


# scripts written without spaces between words (Han, kana, Hangul): each character counts as
# a word, so an unpunctuated paragraph is many words, not one
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")


def words(html: str | None) -> list[str]:
    """The words of a body, tags left out, in lower case."""
    return _WORD.findall(re.sub(r"<[^>]*>", " ", html or "").lower())


def same_words(a: list[str], b: list[str]) -> bool:
    """Whether two bodies are the same words, or nearly (long bodies only)."""
    if not a or not b:
        return False
    if a == b:
        return True
    if min(len(a), len(b)) < TELLING:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEARLY


def alike(old: dict, title: str, date: str, body: list[str]) -> bool:
    """Whether a vanished item (its stored data) and a new file's item are one, by their words
    with their title or date, or by long words alone."""
    mine = words(old.get("html"))
    if not same_words(mine, body):
        return False
    return (old.get("title") == title or old.get("date") == date
            or min(len(mine), len(body)) >= TELLING)


def unlike(row: dict, p) -> bool:
    """Whether a readable file is another item altogether than the row its name held: its
    title, its date and its words all differ."""
    old = loads(row["data"])
    return (old.get("title") != p.item.title and old.get("date") != p.item.date
            and not same_words(words(old.get("html")), words(p.item.html)))


def continued(vanished: list[dict], p,
              rivals: list) -> tuple[dict | None, str | None, list]:
    """The one vanished row (of ``p``'s kind) ``p`` continues by its words, or None; with a
    warning and the vanished rows alike when more than one is alike (vanished rows, or
    ``rivals``: other new files)."""
    body = words(p.item.html)
    found = [r for r in vanished if r["kind"] == p.kind
             and alike(loads(r["data"]), p.item.title, p.item.date, body)]
    if not found:
        return None, None, []
    if len(found) == 1:
        old = loads(found[0]["data"])
        others = [q.name for q in rivals if q is not p and q.kind == p.kind
                  and alike(old, q.item.title, q.item.date, words(q.item.html))]
        if not others:
            return found[0], None, []
        names = [p.name, *others]
        gone = [found[0]["source"]]
    else:
        names, gone = [p.name], [r["source"] for r in found]
    released = any(r["published_at"] for r in found)
    return None, (
        f"{', '.join(printable(n) for n in sorted(names))}: "
        f"{'waiting' if released else 'taken as new'}: "
        f"{'it is' if len(names) == 1 else 'they are'} alike to "
        f"{' and '.join(printable(g) for g in gone)}, gone, and which is which cannot be told; "
        "if one is that item renamed, give it the old item's guid (`guid:` in its front matter "
        "or sidecar, as `syndicate status --json` shows it)"
        + (", or a guid of its own to publish it as new" if released else "")), found


def near_miss(vanished: list[dict], p) -> str | None:
    """A warning when a new file that continues no vanished item is still much like a released
    one (its date or title, and most of its words): a short post renamed, retitled and edited
    at once is published as new, so its author is told how to keep the old guid."""
    body = words(p.item.html)
    for r in vanished:
        if r["kind"] == p.kind and r["published_at"] and _much_like(loads(r["data"]), p, body):
            return (f"{printable(p.name)}: taken as new, though it is much like "
                    f"{printable(r['source'])}, gone (its guid is replaced in the feeds); if it "
                    f"is that item, give it its guid (`guid: {r['guid']}`) and publish again")
    return None


def _much_like(old: dict, p, body: list[str]) -> bool:
    """Whether a file's item (``body``: its words) has an item's date or title, and most of its
    words, whatever the body's length."""
    mine = words(old.get("html"))
    if not mine or not body or (old.get("date") != p.item.date
                                and old.get("title") != p.item.title):
        return False
    return SequenceMatcher(None, mine, body, autojunk=False).ratio() >= NEAR_MISS


def crossed(names: dict[str, dict], parsed: list) -> list[str]:
    """Warnings for files that each now hold another item altogether than their name's, and
    are much like the item another changed file held (files swapped, their titles and words
    touched as well): too much changed to follow the content, so each file stays the item of
    its name (the items' guids and addresses swap), and its author is told how to undo that."""
    fresh = {p.name: p for p in parsed if p.error is None and p.item is not None
             and not p.item.guid}  # (a file naming its guid says which item it is)
    changed = {name: names[name] for name, p in fresh.items()
               if name in names and not names[name]["missing"] and unlike(names[name], p)}
    out = []
    for name, own in changed.items():
        p = fresh[name]
        body = words(p.item.html)
        like = [r for other, r in changed.items() if other != name and r["kind"] == own["kind"]
                and r["published_at"] and _much_like(loads(r["data"]), p, body)]
        if len(like) == 1:
            r = like[0]
            out.append(f"{printable(name)}: now much like {printable(r['source'])}'s item as "
                       f"last published ({loads(r['data']).get('title')!r}), while that file "
                       "holds another item too; each file stays the item of its name, so the "
                       "two swap guids and addresses in the feeds. If the files were swapped, "
                       f"give this one `guid: {r['guid']}` (and the other its own item's guid) "
                       "and publish again")
    return out


MOVED = "moved_pages"  # catalog meta: JSON, "kind/old slug" -> the guid of the item moved
MOVED_MARK = b"<!-- moved: this address's item is published elsewhere -->"  # a redirect page


def moved_page(page: bytes | None) -> bool:
    """Whether a published page is one left at a moved item's old address."""
    return page is not None and MOVED_MARK in page[:512]


def moved_pages(cat) -> dict[str, str]:
    """The old addresses of released items whose slug changed: "kind/slug" -> guid (a value
    that is not such a mapping is taken as none)."""
    try:
        data = json.loads(cat.get_meta(MOVED) or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(data, dict) else {}


def remember_move(cat, row: dict, slug: str, guid: str) -> None:
    """A released item's slug changed: its old page will lead to the new one."""
    if not row["published_at"] or row["slug"] == slug:
        return
    known = moved_pages(cat)
    known[f"{row['kind']}/{row['slug']}"] = guid
    known.pop(f"{row['kind']}/{slug}", None)  # moved back: that address is its own again
    cat.set_meta(MOVED, json.dumps(known, sort_keys=True))


def copies(new_rows: list[dict], rows: list[dict]) -> list[str]:
    """Warnings for new items whose words are all a released item's, that item still live (a
    file copied, perhaps retitled): published twice, under two guids, unless it is said."""
    if not new_rows:
        return []
    live: dict[tuple, str] = {}
    for r in rows:
        if r["published_at"] and not r["missing"]:
            body = words(loads(r["data"]).get("html"))
            if len(body) >= 3:  # (a line or two is no sign of a copy)
                live.setdefault((r["kind"], tuple(body)), r["source"])
    out = []
    for r in new_rows:
        other = live.get((r["kind"], tuple(words(loads(r["data"]).get("html")))))
        if other is not None and other != r["source"]:
            out.append(f"{printable(r['source'])}: published as a new item, though its words "
                       f"are all those of {printable(other)}, which is live (a copy?); if it "
                       "is not meant to be a second item, remove it or make it a draft")
    return out
