"""What each command reports, as plain data: the documents `--json` prints (and the CLI's
text lines read from). Keys are stable: a key is only ever added, never renamed or dropped.

Every document of a command that reports carries ``command``, ``ok``, ``errors`` (one message
each, naming the file and line where there is one) and ``warnings``.
"""

from __future__ import annotations

from pathlib import Path

from .urls import redact_text


def envelope(command: str) -> dict:
    return {"command": command, "ok": True, "errors": [], "warnings": []}


def text(value) -> str:
    """A message as it may be shown: no credential written into an address."""
    return redact_text(str(value))


def collected(report) -> dict:
    return {"created": list(report.created), "updated": list(report.updated),
            "unchanged": report.unchanged, "removed": list(report.removed),
            "failed": len(report.errors)}


def published(result, target: str) -> dict:
    plan = result.plan
    return {
        "collected": collected(result.collected), "dry_run": result.dry_run, "target": target,
        "written": [w.output.key for w in plan.writes], "bytes": plan.bytes,
        "deleted": list(plan.deletes), "header_fixes": [o.key for o in plan.header_fixes],
        "unchanged": plan.unchanged, "held_deletes": list(plan.held_deletes),
        "held_items": list(result.held_items), "would_encode": list(result.would_encode),
        "released": [released_item(i) for i in result.released],
        "cdn_paths": list(result.cdn_paths), "after": list(result.after),
    }


def released_item(item: dict) -> dict:
    return {"kind": item.get("kind"), "title": item.get("title"), "source": item.get("source")}


def queued(q) -> dict:
    import zoneinfo

    return {"kind": q.item["kind"], "title": q.title, "source": q.item["source"],
            "at_utc": q.at.isoformat(), "zone": q.zone,
            "at_local": q.at.astimezone(zoneinfo.ZoneInfo(q.zone)).isoformat(),
            "moved_from": q.moved_from}


def release_outcome(outcome) -> dict:
    return {"released": [released_item(i) for i in outcome.released],
            "published": outcome.published,
            "next_attempt": outcome.next_attempt.isoformat() if outcome.next_attempt else None}


def checked(report) -> dict:
    return {"checked": list(report.checked), "problems": [text(p) for p in report.problems]}


def sources(report) -> dict:
    return {"created": len(report.created), "merged": len(report.merged),
            "skipped": [{"source": e["source"], "title": e["title"], "reason": e["reason"]}
                        for e in report.skipped],
            "flagged": [{"file": e.get("file"), "title": e["title"], "reason": e["reason"]}
                        for e in report.flagged]}


def created_project(done) -> dict:
    return {"root": str(done.root), "config": str(done.config), "files": list(done.files)}


def new_item(item, root: Path) -> dict:
    def rel(p: Path | None) -> str | None:
        if p is None:
            return None
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return str(p)

    return {"kind": item.kind, "file": rel(item.file), "title": item.title, "date": item.date,
            "draft": item.draft, "audio": rel(item.audio), "copied": item.copied,
            "season": item.season, "number": item.number}
