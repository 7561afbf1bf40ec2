"""`syndicate stats --html FILE`: the counts as one self-contained page (no script, no file or
address it loads): a chart of downloads over time as inline SVG, then a table per episode."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, PAD = 720, 220, 36


def chart(totals: dict[str, int], label: str) -> str:
    """Bars of ``totals`` (period -> downloads, in order) as an SVG element."""
    if not totals:
        return "<p>No downloads counted.</p>"
    keys = list(totals)
    top = max(totals.values()) or 1
    step = (WIDTH - 2 * PAD) / len(keys)
    bar = max(step * 0.8, 1.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-label="{escape(label)}">',
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
             'stroke="#888"/>',
             f'<text x="{PAD - 4}" y="{PAD}" text-anchor="end" font-size="11">{top}</text>',
             f'<text x="{PAD - 4}" y="{HEIGHT - PAD}" text-anchor="end" font-size="11">0</text>']
    for i, key in enumerate(keys):
        n = totals[key]
        h = (HEIGHT - 2 * PAD) * n / top
        x = PAD + i * step + (step - bar) / 2
        parts.append(f'<rect x="{x:.1f}" y="{HEIGHT - PAD - h:.1f}" width="{bar:.1f}" '
                     f'height="{h:.1f}" fill="#3b6ea5"><title>{escape(key)}: {n}</title></rect>')
    for i in sorted({0, len(keys) // 2, len(keys) - 1}):
        x = PAD + i * step + step / 2
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle" '
                     f'font-size="11">{escape(keys[i])}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def page(doc: dict, site_title: str) -> str:
    by = doc["by"]
    head = "app" if by == "app" else by
    rows = []
    for ep in doc["episodes"]:
        cells = "\n".join(f"<tr><td>{escape(k)}</td><td>{n}</td></tr>"
                          for k, n in ep["by"].items())
        rows.append(f"<section><h2>{escape(ep['title'])}</h2>"
                    f"<p>{ep['downloads']} download{'s' if ep['downloads'] != 1 else ''}</p>"
                    f"<table><thead><tr><th>{escape(head)}</th><th>downloads</th></tr>"
                    f"</thead><tbody>\n{cells}\n</tbody></table></section>")
    title = f"{site_title}: downloads"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{padding:.2em .8em;border-bottom:1px solid #ddd;
text-align:left}}td+td{{text-align:right}}svg{{width:100%;height:auto}}</style>
</head><body>
<h1>{escape(title)}</h1>
<p>{doc['downloads']} downloads in all, one per listener per episode per {escape(doc['window'])}
(IAB rules, see the README).</p>
{chart(doc['days'], 'downloads by UTC day')}
{''.join(rows)}
</body></html>
"""
