"""Plan, then apply: diff the outputs with what the target holds and order the work safely.

Media first, then assets (images, transcripts, chapters), then pages, then the feeds; deletes
last and only of keys this tool published. A crash at any point leaves the live feeds pointing
only at objects that already exist.
"""

from __future__ import annotations

import hashlib
import stat
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from ..errors import ItemError, PublishError
from .keys import safe_key
from .outputs import Output

if TYPE_CHECKING:
    from .targets import Target

ORDER = {"media": 0, "asset": 1, "page": 2, "feed": 3}


@dataclass
class Write:
    output: Output
    data: bytes | None  # rendered bytes, or None to copy output.path
    sha256: str
    size: int


@dataclass
class Plan:
    writes: list[Write] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    held_deletes: list[str] = field(default_factory=list)  # over the limit, not done
    header_fixes: list[Output] = field(default_factory=list)  # right content, wrong headers
    unchanged: int = 0
    manifest: list[dict] = field(default_factory=list)  # what the target holds after apply
    kept: list[str] = field(default_factory=list)  # inputs failed: last version stays live
    errors: list[ItemError] = field(default_factory=list)  # outputs that could not be made
    deferred: list[str] = field(default_factory=list)  # deletes left for a run that keeps none
    unmade: dict[str, tuple[str, str]] = field(default_factory=dict)  # never published, failed:
    # key -> (the file to blame, what went wrong)
    failures: dict[str, tuple[str, str]] = field(default_factory=dict)  # every output that
    # failed here, published before or not: key -> (the file to blame, what went wrong)
    withheld: list[str] = field(default_factory=list)  # new outputs a hold keeps off the
    # site with the pages it keeps (a tag page an edit brings while the cover is damaged)
    held_back: list[str] = field(default_factory=list)  # pages every page links, never
    # published and not made: nothing of this plan is written (see hold_unlinked)

    @property
    def bytes(self) -> int:
        return sum(w.size for w in self.writes)

    def lines(self) -> list[str]:
        out = [f"write  {w.output.key}  ({w.size:,} bytes, {w.output.content_type})"
               for w in self.writes]
        out += [f"copy   {o.key}  (headers only, server-side)" for o in self.header_fixes]
        out += [f"delete {k}" for k in self.deletes]
        out += [f"hold   {k}  (delete held back: over max_deletes, use --force)"
                for k in self.held_deletes]
        out += [f"keep   {k}  (its inputs failed: the last published version stays)"
                for k in self.kept]
        out += [f"defer  {k}  (delete waits: a kept output may still link to it)"
                for k in self.deferred]
        out += [f"wait   {k}  (new: waits with the pages kept at their last version)"
                for k in self.withheld]
        return out


def make_plan(outputs: list[Output], previous: dict[str, dict], target: Target,
              *, max_deletes: int, force: bool, keep: Iterable[str] = (),
              check_sources: bool = True, confirmed: Iterable[str] = (),
              left_out: dict[str, tuple] | None = None) -> Plan:
    """The writes and deletes that bring the target to ``outputs``.

    An output whose inputs failed is carried over: either named by a pattern in ``keep`` (the
    build could not make it at all) or failing here (its rendering raised, its file is gone).
    Its last published version stays in the manifest and on the target, and is never deleted.
    ``check_sources`` false (a dry run) takes the sizes of copied files as given.
    ``confirmed``: key prefixes of the files of items ``publish --remove`` names (their pages,
    their audio): deleting them does not count against ``max_deletes``; nor do older versions
    of files published now under a new key (a re-tagged episode's audio, a replaced cover: see
    grace.py, which keeps them for their grace period).
    ``left_out``: pages an earlier plan could not make, left out of the build since (key ->
    (file, reason, what became of it: "dropped" an item whose page failed, "held" a new item
    a list that failed must show, "unlinked" a tag page; None: said elsewhere, not reported));
    they are reported with the failures of this plan. Failures of one file for one reason (a
    broken template fails every page made with it) are one error.
    """
    dupes = [k for k, n in Counter(o.key for o in outputs).items() if n > 1]
    if dupes:
        raise PublishError(
            "two outputs would be written to the same key: " + ", ".join(sorted(dupes))
            + "; give the items different slugs or the feeds different paths"
        )
    for out in outputs:  # every key is checked before anything is sent
        safe_key(out.key)
    plan = Plan()
    keep = list(keep)
    unmade = False  # an output failed that was never published: the feeds may link to it
    failed: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (file, reason) -> (key, state)
    for key, (source, reason, *rest) in (left_out or {}).items():
        state = rest[0] if rest else "dropped"
        if state is not None:  # (a held item: with the page that failed listing it)
            failed.setdefault((source, reason), []).append((key, state, *rest[1:2]))
    for out in sorted(outputs, key=lambda o: ORDER[o.kind]):
        prev = previous.get(out.key)
        stale = getattr(target, "stale_headers", None)
        if _matches(out.key, keep):
            if prev:  # its inputs failed: the last version stays
                plan.manifest.append(_kept(prev))
                plan.kept.append(out.key)
                continue
            if previous:  # new to a live site whose pages are held: it waits with them
                plan.withheld.append(out.key)
                continue
        if out.kind == "feed" and unmade:  # feeds go last: keep what they were
            if prev:
                plan.manifest.append(_kept(prev))
                plan.kept.append(out.key)
            continue
        if prev and prev["input_hash"] == out.input_hash and target.has(out.key, prev["size"]):
            plan.unchanged += 1
            plan.manifest.append(_row(prev, out))
            if stale and stale(out):
                plan.header_fixes.append(out)
            continue
        try:
            data, sha, size = _make(out, check_sources)
        except (ItemError, OSError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, ItemError) else (
                getattr(exc, "strerror", None) or str(exc))
            source = exc.path if isinstance(exc, ItemError) else (
                str(out.path) if out.path is not None else out.key)
            plan.failures[out.key] = (source, reason)
            if prev:
                plan.manifest.append(_kept(prev))
                plan.kept.append(out.key)
            else:
                unmade = True
                plan.unmade[out.key] = (source, reason)
            failed.setdefault((source, reason), []).append((out.key, "kept" if prev else "new"))
            continue
        row = {"key": out.key, "sha256": sha, "size": size, "content_type": out.content_type,
               "cache_control": out.cache_control, "input_hash": out.input_hash}
        plan.manifest.append(row)
        if prev and prev["sha256"] == sha and target.has(out.key, size):
            plan.unchanged += 1
            if stale and stale(out):
                plan.header_fixes.append(out)
            continue
        plan.writes.append(Write(out, data, sha, size))
    plan.errors += [_failure(source, reason, keys) for (source, reason), keys in failed.items()]
    claim = getattr(target, "claim", None)  # a target shared with others refuses their keys
    if claim:
        claim(plan)
    from .grace import replaced  # (grace builds on this module)

    wanted = {o.key for o in outputs}
    carried = sorted(k for k in previous if k not in wanted and _matches(k, keep))
    plan.kept += carried
    plan.manifest += [_kept(previous[k]) for k in carried]
    gone = sorted(k for k in previous if k not in wanted and k not in carried)
    old_versions = replaced(gone, wanted)
    if plan.kept:
        # an output kept at its last version (a feed above all) may link to any file published
        # with it: nothing is deleted until a publish makes every output again
        plan.deferred = gone
        plan.manifest += [_kept(previous[k]) for k in gone]
    elif not force and len([k for k in gone if not k.startswith(tuple(confirmed))
                            and k not in old_versions]) > max_deletes:
        plan.held_deletes = gone
        plan.manifest += [_kept(previous[k]) for k in gone]
    else:
        plan.deletes = gone
    return plan


_TAILS = {  # what became of an output that failed: (the only one, one of them, several)
    "kept": ("its last published version stays", "1 keeps its last published version",
             "{n} keep their last published version"),
    "new": ("it is left out, and the feeds keep their last published version",
            "1 never published is left out, and the feeds keep their last published version",
            "{n} never published are left out, and the feeds keep their last published version"),
    "dropped": ("its item is left out of every page, list and feed until its page can be made",
                "1 item is left out of every page, list and feed until its page can be made",
                "{n} items are left out of every page, list and feed until their pages can be "
                "made"),
    "unlinked": ("its tag is left off the posts' pages until it can be made",
                 "1 tag is left off the posts' pages until its page can be made",
                 "{n} tags are left off the posts' pages until their pages can be made"),
}


def _waiting(held: list[str], pages: int) -> list[str]:
    """What became of the new items the failing pages must list (they wait), the first named
    by its page's folder."""
    if not held:
        return []
    which = "it" if pages == 1 else "they"
    first = held[0].removesuffix("index.html")
    items = f"a new item ({first})" if len(held) == 1 else \
        f"{len(held)} new items ({first} and {len(held) - 1} more)"
    verb = "waits" if len(held) == 1 else "wait"
    return [f"{items} {which} must list {verb} (queued, on no page, list or feed) until "
            f"{which} can be made"]


def _failure(source: str, reason: str, keys: list[tuple[str, str]]) -> ItemError:
    """One error for the outputs one file failed for one reason: the first named, the others
    counted, and what became of them."""
    held = sorted(k[0] for k in keys if k[1] == "held")
    pages = sorted({k[2] for k in keys if k[1] == "held" and len(k) > 2})
    keys = [k[:2] for k in keys if k[1] != "held"]  # (pages not tried: their items wait)
    wait = _waiting(held, max(1, len(keys)))
    if not keys:
        page = ("a page" if not pages else pages[0] if len(pages) == 1
                else f"{pages[0]} and {len(pages) - 1} more pages")
        return ItemError(source, f"cannot publish {page} listing new items ({reason}); "
                                 f"{wait[0]}")
    if len(keys) == 1:
        key, state = keys[0]
        return ItemError(source, f"cannot publish {key} ({reason}); "
                                 f"{'; '.join([_TAILS[state][0], *wait])}")
    states = Counter(state for _, state in keys)
    tails = [_TAILS[s][1 if states[s] == 1 else 2].format(n=states[s])
             for s in _TAILS if states[s]] + wait
    noun = "pages" if all(k.endswith(".html") for k, _ in keys) else "outputs"
    return ItemError(source, f"cannot publish {len(keys)} {noun}, {keys[0][0]} and "
                             f"{len(keys) - 1} more ({reason}); {'; '.join(tails)}")


# what every page links (its nav, the sitemap robots.txt names): never published and not made
# now, no page may be written (a first publish with a broken list template)
LINKED_BY_ALL = ("index.html", "episodes/index.html", "posts/index.html", "sitemap.xml")


def hold_unlinked(plan: Plan, outputs: list[Output], previous: dict[str, dict]) -> None:
    """Hold the whole plan back (nothing written or deleted, the target as it was) when a page
    every page links, or a feed, would be missing from the target after it: the site's first
    publish with its home, an archive, the sitemap or a feed failing. Each error gains what
    became of the rest."""
    after = {r["key"] for r in plan.manifest}
    missing = sorted(o.key for o in outputs if o.key not in after
                     and o.key not in plan.withheld
                     and (o.kind == "feed" or o.key in LINKED_BY_ALL))
    if not missing or not plan.errors:
        return
    plan.held_back = missing
    plan.writes, plan.header_fixes = [], []
    plan.deferred = sorted(set(plan.deferred) | set(plan.deletes))
    plan.deletes = []
    plan.manifest = [_kept(prev) for prev in previous.values()]
    first = missing[0] if len(missing) == 1 else f"{missing[0]} and {len(missing) - 1} more"
    plan.errors = [ItemError(e.path, f"{e.reason}; nothing is published until it can be made "
                             f"(every page would link {first}, never published)", e.line,
                             e.hint) for e in plan.errors]


def _matches(key: str, patterns: list[str]) -> bool:
    return any(key == p or fnmatchcase(key, p) for p in patterns)


def _make(out: Output, check: bool = True) -> tuple[bytes | None, str, int]:
    """(rendered bytes or None for a copy, sha256, size) of an output; raises what failed."""
    if out.render is not None:
        data = out.render()
        return data, hashlib.sha256(data).hexdigest(), len(data)
    if not check and out.size is not None:
        return None, out.sha256 or "", out.size
    st = out.path.stat()  # a copy: its source must still be a readable regular file
    if not stat.S_ISREG(st.st_mode):
        raise ValueError("not a regular file")
    with open(out.path, "rb"):
        pass
    return None, out.sha256 or "", out.size if out.size is not None else st.st_size


def _kept(prev: dict) -> dict:
    """A row the target keeps as it is, as the catalog stores it (a target's own columns, such
    as S3's cache_control, left out)."""
    return {"key": prev["key"], "sha256": prev["sha256"], "size": prev["size"],
            "content_type": prev["content_type"], "input_hash": prev.get("input_hash", "")}


def _row(prev: dict, out: Output) -> dict:
    """A manifest row, with the headers the object has after the plan (the catalog keeps its
    type; a target that keeps the cache policy keeps it too)."""
    return {"key": prev["key"], "sha256": prev["sha256"], "size": prev["size"],
            "content_type": out.content_type, "cache_control": out.cache_control,
            "input_hash": prev.get("input_hash", "")}


def apply_plan(plan: Plan, target: Target, *, workers: int = 8,
               sent: Callable[[int], None] | None = None,
               guard: Callable[..., None] | None = None) -> None:
    """Write phase by phase (media, assets, pages, feeds), in parallel within a phase; a phase
    starts only when the one before it has fully succeeded. Deletes come last.

    ``sent`` is called with each number of bytes as it is sent (for a progress bar).
    ``guard`` (a scheduler's lease) is called before anything is written (``force=True``),
    before each write and before the deletes; what it raises stops the writing.
    """
    check = guard or (lambda force=False: None)
    target.guard = guard  # (S3: asked again right before each request that writes leaves)
    try:
        _apply(plan, target, workers, sent, check)
    finally:
        target.guard = None


def _apply(plan: Plan, target: Target, workers: int, sent, check) -> None:
    if plan.writes or plan.deletes or plan.header_fixes:
        check(force=True)
        target.begin(plan)
    phases: dict[int, list[Write]] = {}
    for w in plan.writes:
        phases.setdefault(ORDER[w.output.kind], []).append(w)

    def write(w: Write) -> None:
        check()
        target.write(w.output, w.data, sent)

    def fix(key) -> None:
        check()
        target.copy_headers(key)

    with ThreadPoolExecutor(max(1, workers)) as pool:
        for _, writes in sorted(phases.items()):
            # list() waits for the whole phase and re-raises the first failure
            list(pool.map(write, writes))
        if plan.header_fixes:
            list(pool.map(fix, plan.header_fixes))
    if plan.deletes:
        check(force=True)
    for key in plan.deletes:
        target.delete(key)
