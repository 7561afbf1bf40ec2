"""Plain HTML pages, so every link in the feeds leads somewhere: the home page and one per item."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from ..markup import xml_safe
from ..when import stored


def escape(value: object) -> str:
    """Any value as HTML text or a double- or single-quoted attribute value: characters no
    document may carry removed, then ``& < > " '`` escaped."""
    return html.escape(xml_safe(str(value)), quote=True)


_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="alternate" type="application/rss+xml" title="{site} (RSS)" href="{rss}">
<link rel="alternate" type="application/atom+xml" title="{site} (Atom)" href="{atom}">
<link rel="alternate" type="application/rss+xml" title="{show} (podcast)" href="{podcast}">
</head>
<body>
<header><a href="{home}">{site}</a></header>
<main>
{body}
</main>
</body>
</html>
"""


def _date(iso: str) -> str:
    when = stored(iso)
    return f'<time datetime="{escape(iso)}">{when:%d %B %Y}</time>'


def _badge(item) -> str:
    """A preview's mark on a draft or queued item (``syndicate serve --drafts``), else ''."""
    state = getattr(item, "preview", None)
    return f'<p class="preview-badge"><strong>{escape(state.capitalize())}</strong></p>\n' \
        if state else ""


def page(ctx: dict, title: str, body: str) -> bytes:
    """``body`` is HTML already; every other value is text, escaped here."""
    fields = {k: escape(v) for k, v in ctx.items()}
    return _PAGE.format(title=escape(title), body=body, **fields).encode("utf-8")


def post_page(ctx: dict, post) -> bytes:
    title = escape(post.title)
    link = getattr(post, "link", None)
    if link:  # a link post: its title and a line under it lead to what it points at
        target = escape(link)
        title = f'<a href="{target}">{title}</a>'
        host = escape(urlsplit(link).hostname or link)
        body = (f'<article class="link-post">\n<h1>{title}</h1>\n<p>{_date(post.date)}</p>\n'
                f'<p class="link">Link: <a href="{target}">{host}</a></p>\n{post.html}\n')
    else:
        body = f"<article>\n<h1>{title}</h1>\n<p>{_date(post.date)}</p>\n{post.html}\n"
    body = _badge(post) + body + "</article>"
    return page(ctx, f"{post.title} · {ctx['site']}", body)


def episode_page(ctx: dict, ep, audio_url: str, image_url: str = "", transcript_url: str = "",
                 chapters_url: str = "") -> bytes:
    """The episode's page: its art, its audio, its notes, and links to its transcript and
    chapters (ours or kept at the old host's addresses)."""
    art = f'<img src="{escape(image_url)}" alt="">\n' if image_url else ""
    links = [f'<a href="{escape(u)}">{label}</a>' for u, label in
             ((transcript_url, "Transcript"), (chapters_url, "Chapters")) if u]
    more = f"<p>{' · '.join(links)}</p>\n" if links else ""
    body = _badge(ep) + (
        f"<article>\n<h1>{escape(ep.title)}</h1>\n<p>{_date(ep.date)}</p>\n{art}"
        f'<audio controls preload="none" src="{escape(audio_url)}"></audio>\n{more}{ep.html}\n'
        "</article>"
    )
    return page(ctx, f"{ep.title} · {ctx['show']}", body)


def home_page(ctx: dict, posts: list[tuple[str, str, str]], episodes: list[tuple[str, str, str]]):
    """``posts`` and ``episodes`` are (title, url, date) rows, newest first."""

    def listing(rows):
        items = "\n".join(
            f'<li><a href="{escape(url)}">{escape(t)}</a> {_date(d)}</li>' for t, url, d in rows
        )
        return f"<ul>\n{items}\n</ul>" if rows else "<p>Nothing yet.</p>"

    body = f"<h1>{escape(ctx['site'])}</h1>\n<h2>Posts</h2>\n{listing(posts)}\n"
    body += f"<h2>{escape(ctx['show'])}</h2>\n{listing(episodes)}"
    return page(ctx, ctx["site"], body)
