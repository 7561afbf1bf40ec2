"""Plan, then apply: diff the outputs with what the target holds and order the work safely.

Media first, then assets (images, transcripts, chapters), then pages, then the feeds; deletes
last and only of keys this tool published. A crash at any point leaves the live feeds pointing
only at objects that already exist.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import PublishError
from .build import Output
from .keys import safe_key

ORDER = {"media": 0, "asset": 1, "page": 2, "feed": 3}


class Target(Protocol):
    name: str
    workers: int

    def previous(self, catalog_rows: dict[str, dict]) -> dict[str, dict]: ...
    def has(self, key: str, size: int) -> bool: ...
    def write(self, out: Output, data: bytes | None,
              sent: Callable[[int], None] | None = None) -> None: ...
    def delete(self, key: str) -> None: ...
    def begin(self, plan: Plan) -> None: ...
    def finish(self, manifest: list[dict]) -> None: ...


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
        return out


def make_plan(outputs: list[Output], previous: dict[str, dict], target: Target,
              *, max_deletes: int, force: bool) -> Plan:
    dupes = [k for k, n in Counter(o.key for o in outputs).items() if n > 1]
    if dupes:
        raise PublishError(
            "two outputs would be written to the same key: " + ", ".join(sorted(dupes))
            + "; give the items different slugs or the feeds different paths"
        )
    for out in outputs:  # every key is checked before anything is sent
        safe_key(out.key)
    plan = Plan()
    for out in sorted(outputs, key=lambda o: ORDER[o.kind]):
        prev = previous.get(out.key)
        stale = getattr(target, "stale_headers", None)
        if prev and prev["input_hash"] == out.input_hash and target.has(out.key, prev["size"]):
            plan.unchanged += 1
            plan.manifest.append(_row(prev, out))
            if stale and stale(out):
                plan.header_fixes.append(out)
            continue
        if out.render is not None:
            data = out.render()
            sha, size = hashlib.sha256(data).hexdigest(), len(data)
        else:
            data = None
            sha = out.sha256 or ""
            size = out.size if out.size is not None else out.path.stat().st_size
        row = {"key": out.key, "sha256": sha, "size": size, "content_type": out.content_type,
               "input_hash": out.input_hash}
        plan.manifest.append(row)
        if prev and prev["sha256"] == sha and target.has(out.key, size):
            plan.unchanged += 1
            if stale and stale(out):
                plan.header_fixes.append(out)
            continue
        plan.writes.append(Write(out, data, sha, size))
    claim = getattr(target, "claim", None)  # a target shared with others refuses their keys
    if claim:
        claim(plan)
    wanted = {o.key for o in outputs}
    gone = sorted(k for k in previous if k not in wanted)
    if len(gone) > max_deletes and not force:
        plan.held_deletes = gone
        plan.manifest += [previous[k] for k in gone]
    else:
        plan.deletes = gone
    return plan


def _row(prev: dict, out: Output) -> dict:
    """A manifest row as the catalog stores it, with the type the object has after the plan."""
    return {"key": prev["key"], "sha256": prev["sha256"], "size": prev["size"],
            "content_type": out.content_type, "input_hash": prev.get("input_hash", "")}


def apply_plan(plan: Plan, target: Target, *, workers: int = 8,
               sent: Callable[[int], None] | None = None) -> None:
    """Write phase by phase (media, assets, pages, feeds), in parallel within a phase; a phase
    starts only when the one before it has fully succeeded. Deletes come last.

    ``sent`` is called with each number of bytes as it is sent (for a progress bar).
    """
    if plan.writes or plan.deletes or plan.header_fixes:
        target.begin(plan)
    phases: dict[int, list[Write]] = {}
    for w in plan.writes:
        phases.setdefault(ORDER[w.output.kind], []).append(w)
    with ThreadPoolExecutor(max(1, workers)) as pool:
        for _, writes in sorted(phases.items()):
            # list() waits for the whole phase and re-raises the first failure
            list(pool.map(lambda w: target.write(w.output, w.data, sent), writes))
        if plan.header_fixes:
            list(pool.map(target.copy_headers, plan.header_fixes))
    for key in plan.deletes:
        target.delete(key)
