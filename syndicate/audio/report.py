"""`syndicate audio report`: each episode's loudness before and after processing, read from
the catalog after a collect (which processes new or changed audio)."""

from __future__ import annotations


def loudness_rows(settings, *, verify: bool = False) -> list[dict]:
    """One row per current episode, oldest first: source, title, duration, gain, before and
    after (and, with ``verify``, the published MP3 measured as a directory would)."""
    from ..catalog import loads, open_catalog

    with open_catalog(settings.catalog_path, commit=False) as cat:
        rows = [r for r in cat.all_items("episode") if not r["missing"]]
    episodes = []
    for r in sorted(rows, key=lambda r: r["date"]):
        data = loads(r["data"])
        m = data["media"]
        if m.get("url"):  # kept at its URL: not ours, not measured
            episodes.append({"source": r["source"], "title": data["title"],
                             "duration": m.get("stated_duration"), "url": m["url"],
                             "gain": None, "before": None, "after": None, "error": r["error"]})
            continue
        row = {"source": r["source"], "title": data["title"],
               "duration": round(m["samples"] / m["sample_rate"], 3),
               "gain": m.get("gain"), "before": m.get("before"), "after": m.get("after"),
               "error": r["error"]}
        if verify:
            media = settings.state_dir / "media" / f"{m['sha256']}{m['extension']}"
            if m["passthrough"]:
                media = settings.root / data["audio"]
            from .measure import verify as measure

            row["published"] = measure(media).to_dict() if media.is_file() else None
        episodes.append(row)
    return episodes
