"""Posts another checkout published: carried along, never taken off by this one.

Two checkouts of one project (a laptop and a desktop, one not pulled) publish to one site. The
one behind has no record of a post the other released: its catalog never gave that guid. Its
feeds would drop the entry, so before this module the guard held the whole blog at its last
version, and the checkout's own new posts waited with it. Instead the live blog feed's entries
this catalog never gave (read back from the live RSS feed and its archive pages) are carried:
they stay in every blog feed and on the home page, archives, tag pages and sitemap, dated as
the live feed has them, their own pages left as they are (never written, never deleted), while
this checkout's posts are published beside them. Each run says so (one error naming them)
until their sources are brought here, ``publish --remove`` names them (they go), or ``--force``.

Only posts are carried (an episode's audio cannot be rebuilt from its feed entry: the podcast
feed is held as before). An entry whose link is not a post page of this site, or whose address
one of this checkout's posts takes, is not carried: the guard holds the feeds for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from ..catalog import Catalog, dumps
from ..config import Settings
from ..errors import ItemError, SyndicateError
from ..markup import SLUG_RE
from ..render.paging import archive_key

CARRIED = "carried_entries"  # meta: the guids the last build carried ("" when none)
MAX_ARCHIVE_PAGES = 10000
MIN_YEAR, MAX_YEAR = 1900, 9000  # dates of entries carried (others are held by the guard)


@dataclass
class Carried:
    """The live posts this catalog never gave: ``rows`` carried into the build, ``dropped``
    those ``--remove`` named (guid -> page folder: they go), ``names`` the names that matched."""

    rows: list[dict] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)

    def warnings(self) -> list[str]:
        """What --remove did to another checkout's posts: entries gone, pages left."""
        return [f"--remove: {folder} (published from another checkout) is taken off the feeds "
                "and pages; its own page was not published from this catalog and stays as it "
                "is (delete it by hand if it is meant to go)"
                for folder in sorted(self.dropped.values())]


def carried_posts(settings: Settings, cat: Catalog, recorded: dict[str, dict],
                  previous: dict[str, dict], target_has: Callable[[str], bool],
                  remove: tuple[str, ...] = ()) -> Carried:
    """The live blog feed's entries this catalog has no record of, as rows a build lists (see
    the module's docstring). The live feed is read only if it is not the one this catalog
    wrote (``recorded``: what it recorded; ``previous``: what the site's record says, an S3
    manifest another checkout may have written; the target checked by ``target_has``), or the
    last build carried entries."""
    out = Carried()
    rss = settings.config.blog.rss_path
    mine, now = recorded.get(rss), previous.get(rss)
    if mine and now and mine.get("sha256") == now.get("sha256") and target_has(rss) \
            and not cat.get_meta(CARRIED):
        return out  # the live feed is the one this catalog wrote: all its own entries
    from ..collect.recover import SiteReader

    reader = SiteReader(settings)
    try:
        entries = _live_entries(reader, rss)
    except SyndicateError:
        return out  # the store cannot be read: the guard and the plan speak for it
    known = cat.known_guids()
    mine = {r["slug"] for r in cat.all_items("post") if not r["missing"]}
    base = settings.config.site.url
    base = base if base.endswith("/") else base + "/"
    seen: set[str] = set()
    for n, entry in enumerate(entries):
        row = _row(entry, base, -(n + 1))
        if row is None or row["guid"] in known or row["guid"] in seen or row["slug"] in mine:
            continue
        seen.add(row["guid"])
        names = {row["guid"], row["slug"], entry.get("title")} & set(remove)
        if names:
            out.dropped[row["guid"]] = f"posts/{row['slug']}/"
            out.names |= names
            continue
        out.rows.append(row)
    return out


def remember(cat: Catalog, carried: Carried) -> None:
    """Whether the live feed held entries of another checkout (carried, or named by --remove:
    a hold may keep them yet): the next publish reads the live feed again."""
    cat.set_meta(CARRIED, " ".join(sorted({r["guid"] for r in carried.rows}
                                          | set(carried.dropped))))


def carried_error(settings: Settings, rows: list[dict]) -> ItemError | None:
    """The one error that names the carried entries ``rows`` (None when there are none)."""
    if not rows:
        return None
    import shlex

    cfg = settings.config
    titles = sorted(loads_title(r) for r in rows)
    shown = ", ".join(repr(t) for t in titles[:5]) + (", ..." if len(titles) > 5 else "")
    feeds = " and ".join(dict.fromkeys([cfg.blog.rss_path, cfg.blog.atom_path,
                                        cfg.blog.json_path]))
    n = len(titles)
    which = "it" if n == 1 else f"{n} of them"
    remove = " ".join(f"--remove {shlex.quote(t if titles.count(t) == 1 else r['guid'])}"
                      for t, r in sorted(((loads_title(r), r) for r in rows),
                                         key=lambda pair: (pair[0], pair[1]["guid"])))
    where = settings.config.target
    where = f"{where.rstrip('/')}/{cfg.blog.rss_path}" if where.startswith("s3://") \
        else str(settings.target_dir / cfg.blog.rss_path)
    it, its = ("it", "its") if n == 1 else ("them", "their")
    return ItemError(
        where, f"{feeds} hold {n} live {'entry' if n == 1 else 'entries'} published from "
        f"another checkout or catalog: this catalog has no record of {which} ({shown}); "
        f"{'it stays' if n == 1 else 'they stay'} in the feeds and on the pages as the live site "
        f"has {it}, and this checkout's posts are published beside {it}",
        hint=f"bring {its} sources here (pull the other checkout) and publish again; to take "
             f"{it} off, run `syndicate publish {remove}` (--force would lift every guard)")


def loads_title(row: dict) -> str:
    from ..catalog import loads

    return loads(row["data"])["title"]


def _live_entries(reader, rss: str) -> list:
    """The entries of the live RSS feed and of its archive pages (a paged feed)."""
    import feedparser

    data = reader.read(rss)
    if not data:
        return []
    pages = [data]
    if b"prev-archive" in data:
        for number in range(1, MAX_ARCHIVE_PAGES + 1):
            page = reader.read(archive_key(rss, number))
            if not page:
                break
            pages.append(page)
    return [e for page in pages for e in feedparser.parse(page).entries]


def _row(entry, base: str, row_id: int) -> dict | None:
    """A catalog-like row for a live entry (a post page of this site, with a guid, a title and
    a date), or None."""
    guid, link, title = entry.get("id"), entry.get("link"), entry.get("title")
    when = entry.get("published_parsed")
    if not (isinstance(guid, str) and guid and isinstance(link, str) and isinstance(title, str)
            and title.strip() and when and link.startswith(base)):
        return None
    parts = link[len(base):].strip("/").split("/")
    if len(parts) != 2 or parts[0] != "posts" or not parts[1]:
        return None
    slug = parts[1]
    if not SLUG_RE.match(slug):  # (an address this site's posts never have)
        return None
    try:
        moment = dt.datetime(*when[:6], tzinfo=dt.UTC)
    except (TypeError, ValueError, OverflowError):  # (a date no calendar has)
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:  # (one no page can show in every time zone)
        return None
    date = moment.isoformat()
    content = entry.get("content")
    html = content[0].get("value", "") if isinstance(content, list) and content else ""
    summary = entry.get("summary") if isinstance(entry.get("summary"), str) else ""
    tags = [t.get("term") for t in entry.get("tags") or [] if isinstance(t.get("term"), str)]
    data = {"source": link, "slug": slug, "title": title, "date": date,
            "html": html or summary, "summary": summary, "tags": tags, "draft": False,
            "guid": guid, "updated": None}
    return {"id": row_id, "kind": "post", "guid": guid, "slug": slug, "source": link,
            "data": dumps(data), "changed_at": date, "published_at": date, "error": None,
            "date": date, "queued": False, "foreign": True}
