"""Which catalog item each changed file is: content before name.

A file holding exactly one item's bytes (for an episode: its audio) is that item, wherever it
stands, when the item's own name no longer holds them: gone, given other bytes, or a file that
fails to read (two files swapped, a post renamed over another's name, a new file written at an
old name in the same run); an episode whose sidecar keeps its title and date got other audio,
it did not move. Failing that, a post whose body and date are exactly one other
post's, whose own name now holds another body, is that post (files swapped and their titles
touched); and a name now holding another item altogether (title, date and words all
differ) gives its item to the one new file alike to it (renamed and edited at once).
Otherwise a file is the item last read at its name. An item whose name was taken by
another item and that no file continues is vanished: paired later by its words, or removed.
"""

from __future__ import annotations

from ..catalog import loads
from .renames import alike, unlike, words


def by_source(rows: list[dict]) -> dict[str, dict]:
    """The item each name holds: a live item before a removed one that had the same name (a
    name freed by a removal is taken by the next item written there)."""
    out: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: (not r["missing"], r["id"])):
        out[r["source"]] = r
    return out


def follow_content(rows: list[dict], parsed: list, names: dict[str, dict],
                   vanished: list[dict], embargoed: set[int] = frozenset()) -> dict[str, dict]:
    """The map of file name to the row each file continues (``names``, by name, changed where
    content says otherwise); ``vanished`` gains the rows whose name was taken by another item
    and loses the rows a file continues. A queued item (``embargoed``: ids) whose file is still
    there never moves onto a released item's name: that is a copy over the released file
    (its own file edited meanwhile), which keeps the released item (see kept_back.py)."""
    fresh = {p.name: p for p in parsed}
    live = [r for r in rows if not r["missing"]]

    gone = {id(r) for r in vanished}

    def moved_away(r: dict, same, onto: dict | None = None) -> bool:  # its name no longer
        if id(r) in gone:                                             # holds it
            return True
        if r["id"] in embargoed and onto is not None and onto["published_at"]:
            return False  # (still there, edited: a copy went over the released file)
        q = fresh.get(r["source"])  # None: unchanged since last read, so still there
        if q is not None and q.error is None and _told(q, r):
            return False  # an episode that got other audio: still itself, it did not move
        return q is not None and not same(q, r)  # other content, or a file that fails

    def same_bytes(p, r) -> bool:
        return bool(p.content_hash) and p.content_hash == r["content_hash"]

    by_hash: dict[tuple, list[dict]] = {}
    for r in live:
        by_hash.setdefault((r["kind"], r["content_hash"]), []).append(r)
    moves = _pairs(parsed, names, same_bytes,
                   lambda p: by_hash.get((p.kind, p.content_hash), []), moved_away)
    if any(p.kind == "post" and p.error is None and p.name not in moves for p in parsed):
        taken = {id(r) for r in moves.values()}
        bodies = {r["id"]: _body(loads(r["data"])) for r in live if r["kind"] == "post"}
        by_body: dict[tuple, list[dict]] = {}
        for r in live:
            if r["id"] in bodies and id(r) not in taken:
                by_body.setdefault(bodies[r["id"]], []).append(r)

        def same_body(p, r) -> bool:
            return p.item is not None and _body(p.item.to_dict()) == bodies.get(r["id"])

        rest = [p for p in parsed if p.kind == "post" and p.name not in moves]
        moves.update(_pairs(rest, names, same_body,
                            lambda p: by_body.get(_body(p.item.to_dict()), []), moved_away))
    # a name now holding another item altogether, while exactly one new file is alike to the
    # item it held (renamed and edited at once): the item follows its words
    taken = {id(r) for r in moves.values()}
    for p in parsed:
        own = names.get(p.name)
        if p.error is not None or own is None or id(own) in taken or p.name in moves \
                or not unlike(own, p):
            continue
        old = loads(own["data"])
        alike_new = [q for q in parsed if q.error is None and q.kind == p.kind
                     and q.name not in names and q.name not in moves
                     and alike(old, q.item.title, q.item.date, words(q.item.html))]
        if len(alike_new) == 1:
            moves[alike_new[0].name] = own
            taken.add(id(own))
    if not moves:
        return names
    moved = {id(r) for r in moves.values()}
    out = {name: r for name, r in names.items() if id(r) not in moved and name not in moves}
    out.update(moves)
    vanished[:] = [r for r in vanished if id(r) not in moved]
    gone = {id(r) for r in vanished}
    kept = {id(r) for r in out.values()}
    for name in moves:
        own = names.get(name)
        if own is not None and id(own) not in kept and id(own) not in gone:
            vanished.append(own)
            gone.add(id(own))
    return out


def _pairs(parsed, names, same, candidates, moved_away) -> dict[str, dict]:
    """Each readable file whose content is not its own item's but exactly one other item's,
    moved away from its name: file name -> that item (an item two files claim: neither)."""
    found: dict[str, dict] = {}
    for p in parsed:
        own = names.get(p.name)
        if p.error is not None or (own is not None and (same(p, own) or _told(p, own))):
            continue
        match = [r for r in candidates(p) if r is not own]
        if len(match) == 1 and moved_away(match[0], same, own):
            found[p.name] = match[0]
    claims: dict[int, int] = {}
    for r in found.values():
        claims[id(r)] = claims.get(id(r), 0) + 1
    return {name: r for name, r in found.items() if claims[id(r)] == 1}


def _told(p, own: dict) -> bool:
    """Whether an episode's sidecar still tells its own item: the same title and date (only
    its audio was exchanged: the episode got other audio, it did not move)."""
    if p.kind != "episode" or p.item is None:
        return False
    old = loads(own["data"])
    return (old.get("title"), old.get("date")) == (p.item.title, p.item.date)


def _body(data: dict) -> tuple:
    """A post's body and date: what a touched title leaves the same."""
    return (data.get("html") or "", data.get("date"))
