"""The counts as people and scripts read them: per episode, by day, ISO week, month or app."""

from __future__ import annotations

import datetime as dt

BY = ("day", "week", "month", "app")


def period(day: dt.date, by: str) -> str:
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{day:%Y-%m}"
    return day.isoformat()


def summary(rows, episodes: dict, by: str) -> dict:
    """``rows`` of (day, episode, app, downloads) as one document: every episode's total and
    its counts by the chosen period (or app), and the totals the same way, newest first."""
    per: dict[str, dict] = {}
    totals: dict[str, int] = {}
    days: dict[str, int] = {}
    for day, slug, app, n in rows:
        days[day.isoformat()] = days.get(day.isoformat(), 0) + n
        key = app if by == "app" else period(day, by)
        ep = per.setdefault(slug, {"episode": slug,
                                   "title": episodes[slug].title if slug in episodes else slug,
                                   "downloads": 0, "by": {}})
        ep["downloads"] += n
        ep["by"][key] = ep["by"].get(key, 0) + n
        totals[key] = totals.get(key, 0) + n
    ordered = sorted(per.values(), key=lambda e: (-e["downloads"], e["episode"]))
    for ep in ordered:
        ep["by"] = _ordered(ep["by"], by)
    return {"by": by, "downloads": sum(totals.values()), "totals": _ordered(totals, by),
            "days": dict(sorted(days.items())), "episodes": ordered}


def _ordered(counts: dict[str, int], by: str) -> dict[str, int]:
    if by == "app":
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return dict(sorted(counts.items()))


def text_lines(doc: dict) -> list[str]:
    """The document as a table: one line per episode, its counts under it."""
    if not doc["episodes"]:
        return ["No downloads counted."]
    width = max(max(len(e["title"]) for e in doc["episodes"]),
                max(len(k) + 2 for e in doc["episodes"] for k in e["by"]))
    width = min(max(width, 7), 60)
    out = [f"{'EPISODE':<{width}}  DOWNLOADS"]
    for ep in doc["episodes"]:
        out.append(f"{ep['title'][:width]:<{width}}  {ep['downloads']:>9}")
        for key, n in ep["by"].items():
            out.append(f"  {key[:width - 2]:<{width - 2}}  {n:>9}")
    out.append(f"{'Total':<{width}}  {doc['downloads']:>9}")
    return out
