"""The names the site's own pages and folders take: one list, used by the writer (where pages,
tag pages, static files and audio go) and by the config check that keeps a feed's key off them.
"""

from __future__ import annotations

import posixpath

POSTS, EPISODES, TAGS, STATIC, MEDIA = "posts", "episodes", "tags", "static", "media"

# folder -> what goes there
FOLDERS = {POSTS: "where the posts' pages go", EPISODES: "where the episodes' pages go",
           TAGS: "where the tag pages go", STATIC: "where the theme's static files go",
           MEDIA: "where the episodes' audio goes"}
HOME, NOT_FOUND, SITEMAP, ROBOTS = "index.html", "404.html", "sitemap.xml", "robots.txt"
# page key -> whose key it is
PAGES = {HOME: "the home page's key", NOT_FOUND: "the 404 page's key",
         SITEMAP: "the sitemap's key", ROBOTS: "robots.txt's key"}


def reserved_owner(key: str) -> str | None:
    """What of the site's own pages and folders ``key`` names, however it is spelt (``posts``,
    ``posts/``, ``./index.html``), or None. A key leaving the site is not judged here."""
    norm = posixpath.normpath(key.replace("\\", "/")) if key else key
    if not norm or norm.startswith(("..", "/")):
        return None
    if norm in PAGES:
        return PAGES[norm]
    parts = norm.split("/")
    for i in range(1, len(parts)):  # under a page's key: a file where a folder would be needed
        above = "/".join(parts[:i])
        if above in PAGES:
            return f"under {above}, {PAGES[above]} (a file, not a folder)"
    top, _, rest = norm.partition("/")
    if top in FOLDERS:
        return (f"under {top}/, {FOLDERS[top]}" if rest else
                f"the folder {top}/ itself, {FOLDERS[top]}")
    return None
