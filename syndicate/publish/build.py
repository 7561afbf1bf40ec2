"""Turn the catalog into the site's outputs: keys, content types and how to make each one.

Nothing is rendered here: each output carries an input hash (what it is made from) and a function
that renders it, so the planner renders only outputs whose inputs changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

from .. import filestat, mediatypes
from ..captions import read_captions, shift_transcript
from ..catalog import Catalog, loads
from ..categories import parse_category
from ..config import Settings
from ..errors import CollectError, ItemError, printable
from ..fingerprint import code_fingerprint
from ..images import IMAGE_LIMIT, SUFFIX_KIND, decode_problem, image_size, read_header
from ..links import moved_urls
from ..markup import xml_safe
from ..measurement import measured
from ..mediatypes import IMAGE_SUFFIXES, TIMED_TRANSCRIPT_TYPES
from ..model import Episode, Post, item_from_dict
from ..podcast_tags import CHANNEL_TAGS, tags_of
from ..render.feeds import Entry, EpisodeEntry, render_blog, render_podcast
from ..render.jsonfeed import render_json_feed
from ..render.paging import (
    PODCAST_HEAD,
    add_links,
    archive_key,
    page_links,
    podcast_head,
    stable_split,
)
from ..sitekeys import FOLDERS, MEDIA
from ..sourcefiles import confine, read_source, relative
from ..transcripts import decode as decode_captions
from ..urls import is_web_url
from ..when import rfc2822, stored
from .items import item_keys, page_key
from .keys import safe_key
from .linked import NO_RECORD, TOO_LARGE, LastPublished, Unreleased, linked_files
from .outputs import Output
from .pagelinks import check_page_links
from .sitepages import PAGE_KEYS, EpisodePage, SitePages, favicon, favicon_key
from .tagfolders import known_tag_folders

# items as read; links.py rewrites the addresses in their bodies
RENDER_VERSION = code_fingerprint("render/*.py", "publish/build.py", "publish/sitepages.py",
                                  "model.py", "links.py")
# a feed bigger than this is published with a warning (our choice: see README, "Paged feeds")
FEED_SIZE_WARNING = 4_000_000
BLOG_PAGING = ("set blog.feed_items with blog.archive_pages: true so that older posts go to "
               "archive pages")
PODCAST_PAGING = "set podcast.feed_items so that older episodes go to archive pages"


PAGED = "paged:"  # + a feed's key: where its entries on full archive pages stay (stable_split)


def _paged(cat, key: str, entries: list, n: int | None, site: Site | None = None
           ) -> tuple[list, list[list]]:
    """The feed's main entries and archive pages, each full page kept as the last publish left
    it (its number and entries, less any removed); the pages remembered in the catalog. A new
    page size applies to the pages filled from then on: a page full at the old size keeps its
    entries, as every cached copy of it has them (only turning paging off drops the pages)."""
    said = json.loads(cat.get_meta(PAGED + key) or "{}")
    same = said.get("n") == n
    placed, full = (said.get("placed", {}), said.get("full", 0)) if n is not None else ({}, 0)
    main, pages, now, count = stable_split(entries, n, lambda e: e.guid, placed, full)
    if now != placed or count != full or not same or not said:
        cat.set_meta(PAGED + key, json.dumps({"n": n, "placed": now, "full": count},
                                             sort_keys=True))
    if said and not same and n is not None and site is not None:
        free = len([e for e in entries if e.guid not in placed])  # (the main feed's, before)
        before = free if said.get("n") is None else min(free, said["n"])
        if before > len(main):  # (a page size made smaller, or paging turned on)
            site.said_once.append(
                f"{key}: podcast.feed_items is {n}: {before - len(main)} episode(s) the main "
                "feed listed move to its archive pages; apps that follow the pages keep them, "
                "but Apple Podcasts reads only the main feed, so its listeners lose them "
                "(leave podcast.feed_items unset for a show listed there)")
            site.warnings.append(site.said_once[-1])
    return main, pages


def _too_big(entries: list, paging: str) -> str:
    """What to do about a feed too big: shorten the one item too big by itself, or page."""
    if not entries:
        return paging
    size, entry = max(((len(e.item.html.encode()), e) for e in entries), key=lambda t: t[0])
    if size <= FEED_SIZE_WARNING:
        return paging
    return (f"its item {entry.item.title!r} ({entry.item.source}) is {size / 1e6:.1f} MB by "
            "itself, which no paging makes smaller: shorten it (or move its long part to a "
            "file beside it, linked)")
PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 over the feed URL without its scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_NAMESPACE, bare))


@dataclass
class Site:
    outputs: list[Output] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    said_once: list[str] = field(default_factory=list)  # warnings a no-change run does not repeat
    visible_ids: list[int] = field(default_factory=list)
    feed_of: dict[int, str] = field(default_factory=dict)  # item id -> a feed that lists it
    # key patterns (fnmatch) of outputs whose inputs failed: their last published versions stay
    kept: list[str] = field(default_factory=list)
    # feed key -> guids of every item that feed may list now (beyond feed_items too)
    guids_of: dict[str, set[str]] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)  # kinds whose feeds a guard holds back
    tag_folders: dict[str, str] = field(default_factory=dict)  # tag key -> its page's folder
    # guid -> {path of a file its body links: the key it is published at} (linked.remember)
    linked: dict[str, dict[str, str]] = field(default_factory=dict)

    def keep(self, *patterns: str) -> None:
        """Carry these outputs over from the last publish (never plan them for deletion)."""
        self.kept.extend(patterns)


COVER_KEYS = "cover-*"  # the show's cover, named by its content
# what else a damaged cover holds at its last version with the pages (files new to a live site
# wait: see make_plan): the files beside items, the theme's static files, the episodes' audio
HELD_WITH_PAGES = tuple(f"{folder}/*" for folder in FOLDERS)
FAVICON_KEYS = "favicon-*"  # made from the cover
COVER_LIMIT = IMAGE_LIMIT


def read_cover(path: Path) -> tuple[bytes, str]:
    """The show's cover art, or what is wrong with it (missing, not a regular file, unreadable,
    not a JPEG or PNG, or its data cannot be decoded: damaged or cut short)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return b"", "not a regular file"
        if st.st_size > COVER_LIMIT:
            return b"", f"{st.st_size:,} bytes, too large for cover art"
        data = path.read_bytes()
    except FileNotFoundError:
        return b"", "not found"
    except OSError as exc:
        return b"", f"cannot be read ({exc.strerror or exc})"
    if image_size(data) is None:
        return b"", "not a JPEG or PNG image"
    damaged = decode_problem(path)  # a header can be right and the data after it cut short
    if damaged:
        return b"", damaged
    return data, ""


def _cover_suffix(cover: Path, data: bytes, warnings: list[str]) -> str:
    """The published cover's suffix: its file's, or, where its content is of the other kind
    (a JPEG named .png), the content's, said once a build: a host serves it by that name,
    and apps and directories go by the type served."""
    found = read_header(io.BytesIO(data))
    named = cover.suffix.lower()
    if found is None or SUFFIX_KIND.get(named) == found[0]:
        return named
    right = ".jpg" if found[0] == "JPEG" else ".png"
    warnings.append(f"{cover.name}: a {found[0]} image named as {named or 'no kind'}: "
                    f"published as a {right} file; rename it to match")
    return right


def read_companion(settings: Settings, rel: str, sha: str) -> bytes:
    """The bytes of an episode's art or transcript as collect last checked them, read as collect
    reads sources: from inside the episodes folder once links are resolved, a regular file (never
    a pipe or a device), bounded; a file that no longer holds those bytes is refused too."""
    path = settings.root / rel
    confine(path, settings.episodes_dir, rel)
    data = read_source(path, rel, limit=COVER_LIMIT)
    if hashlib.sha256(data).hexdigest() != sha:
        raise CollectError(rel, "has changed since it was last checked")
    return data


_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def post_images(settings: Settings, source: str, warnings: list[str],
                linked: frozenset[str] = frozenset(), unreleased: Unreleased | None = None
                ) -> list[tuple[str, Path, str, int]]:
    """(name, path, sha256, size) of the images in the folder beside a post that is named like
    its file (``posts/2019-04-01-slug/`` beside ``posts/2019-04-01-slug.md``, where an import
    puts a post's images). They are published in the same place relative to the post's page
    as they lie relative to its file, so the body's relative links work in both. Read as
    sources are: from inside the posts folder, regular files only, bounded; one that cannot be
    read is a warning naming it. Files the body links (``linked``: paths from the project) were
    published, or warned about, with its links: they are left alone here."""
    where = os.path.splitext(os.path.join(settings.root, source))[0]
    try:  # (asked of every post on every build: most have no folder)
        if not stat.S_ISDIR(os.lstat(where).st_mode):
            return []
    except (OSError, ValueError):
        return []
    folder = Path(where)
    if not _PLAIN_NAME.match(folder.name):
        warnings.append(f"{relative(folder, settings.root)}/: its images are not published: "
                        "name the folder with letters, digits, dots, dashes and underscores")
        return []
    try:
        paths = sorted(folder.iterdir())
    except OSError:  # collect names a folder of posts/ it cannot read
        return []
    out = []
    for path in paths:
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        rel = relative(path, settings.root)
        if rel in linked:
            continue
        if not _PLAIN_NAME.match(path.name):
            warnings.append(f"{rel}: not published: name an image beside a post with letters, "
                            "digits, dots, dashes and underscores only")
            continue
        try:
            confine(path, settings.posts_dir, rel)
            data = read_source(path, rel, limit=COVER_LIMIT, too_large=TOO_LARGE)
        except CollectError as exc:
            warnings.append(f"{exc}; not published")
            continue
        sha = hashlib.sha256(data).hexdigest()
        held = unreleased.held_copy(sha, source, rel, "beside",
                                    "it goes out once that is") if unreleased else None
        if held is not None:
            warnings.append(held)
            continue
        out.append((path.name, path, sha, len(data)))
    return out


def _h(*parts: str) -> str:
    h = hashlib.sha256(RENDER_VERSION.encode())
    for p in parts:
        h.update(b"\0" + p.encode())
    return h.hexdigest()


def _shown(e: Entry, made_from: dict[str, str], explicit: bool | None = None) -> str:
    """What a feed page shows of an entry, for its input hash: the item as stored, and what
    the site decided about it (its address, its files' addresses, when it changed); for an
    episode also whether it is explicit, stated or the show's default (``explicit``)."""
    shown = [e.guid, made_from[e.guid], e.updated.isoformat(), e.link]
    if isinstance(e, EpisodeEntry):
        stated = e.item.explicit
        shown += [e.enclosure_url, e.image_url or "", json.dumps(e.transcript),
                  e.chapters_url or "", json.dumps(e.alternates, sort_keys=True, default=str),
                  str(explicit if stated is None else stated)]
    return json.dumps(shown)


def trailers(entries: list[EpisodeEntry]) -> dict:
    """Trailer episodes (``type: trailer``) are also the channel's podcast:trailer, with their
    enclosure, date and season."""
    found = [{"title": xml_safe(e.item.title)[:128], "url": e.enclosure_url,
              "pubdate": rfc2822(e.item.date), "length": e.item.media.size,
              "type": e.item.media.content_type, "season": e.item.season}
             for e in entries if e.item.type == "trailer"]
    return {"trailers": found} if found else {}


def kept_at_urls(entry: EpisodeEntry, ep: Episode, cfg, warnings: list[str],
                 source: str) -> None:
    """Art, a transcript and chapters a sidecar keeps at their addresses: published at them.
    Cue and chapter times there cannot follow audio that was moved (an intro, silence cut)."""
    if ep.image_url:
        entry.image_url = ep.image_url
    if ep.transcript_url and ep.transcript_type:
        entry.transcript = (ep.transcript_url, ep.transcript_type, ep.transcript_language
                            or cfg.podcast.language or cfg.site.language)
    if ep.chapters_url:
        entry.chapters_url = ep.chapters_url
    timed = [k for k, on in (("transcript_url", ep.transcript_type in TIMED_TRANSCRIPT_TYPES),
                             ("chapters_url", bool(ep.chapters_url))) if on]
    if ep.media.offset and timed:
        warnings.append(f"{source}: the audio moved by {ep.media.offset:+.1f} s (an intro or "
                        f"silence cut) but {' and '.join(timed)} is kept at its address, so "
                        "its times were not moved; publish it from a file beside the sidecar")


def _when(iso: str) -> dt.datetime:
    return stored(iso)


def _shown_row(r: dict, item: Post | Episode, linked_to: dict[str, str]) -> dict:
    """The item's row as its page is made from it: dated as its feed entry is (its own date,
    or the time it is queued for: in a preview a row's release date is the build's), and where
    its links to files beside it lead is part of what the page shows (its hash changes with
    them)."""
    return {**r, "date": item.date, "data": r["data"] + linked_to.get(r["guid"], "")}


def frozen_rows(cat: Catalog, visible: list[dict], kinds: set[str], live: set[str]
                ) -> tuple[list[dict], list[dict]]:
    """What the site shows of ``kinds`` while their feeds are held at their last version:
    the items the last publish showed (those taken down since included, their pages still
    live), not the ones new in this run. Returns (the visible rows, the taken-down ones)."""
    shown = [r for r in visible if r["kind"] not in kinds or r["published_at"]]
    ids = {r["id"] for r in shown}
    queue = cat.releases()
    back = []
    for r in cat.all_items():
        if r["kind"] in kinds and r["id"] not in ids and r["published_at"] \
                and (r["missing"] or r["draft"]) and page_key(r["kind"], r["slug"]) in live:
            release = queue.get(r["id"])
            back.append({k: r[k] for k in ("id", "kind", "guid", "slug", "source", "data",
                                           "changed_at", "published_at", "error")}
                        | {"date": release["at"] if release else r["date"],
                           "queued": bool(release), "missing": True})
    return shown + back, back


def _check_page_links(settings: Settings, cat: Catalog, site: Site, shown: list[tuple],
                      page_url: Callable[[str], str], shown_ids: set[int],
                      target_has: Callable[[str], bool], rows: list[dict]) -> None:
    """Warn of links in the bodies of released items to item pages not released or not there
    (pagelinks.py). In a preview, items shown only there (drafts, queued) count as not
    released."""
    queue = cat.releases()
    released = {page_key(r["kind"], r["slug"]) for r, item in shown if not item.preview}
    unreleased: dict[str, tuple[str, str]] = {}
    for r in rows:
        if r["missing"] or r["id"] in shown_ids or page_key(r["kind"], r["slug"]) in released:
            continue
        release = queue.get(r["id"])
        why = "a draft" if r["draft"] else "held back" if release and release["held"] else \
            f"queued for {release['at']}" if release else f"dated {r['date']}"
        unreleased[page_key(r["kind"], r["slug"])] = (r["source"], why)
    for r, item in shown:
        if item.preview:
            unreleased[page_key(r["kind"], r["slug"])] = (
                r["source"], "a draft" if item.preview == "draft" else "queued")
    made = {o.key for o in site.outputs} | {page_key(r["kind"], r["slug"]) for r, _ in shown}
    check_page_links(
        ((r, item.html, page_url(page_key(r["kind"], r["slug"]).removesuffix("index.html")))
         for r, item in shown if not item.preview and not r.get("foreign")),
        settings.config.site.url, unreleased, lambda k: k in made or target_has(k),
        settings.root, site.warnings)


def build_site(settings: Settings, cat: Catalog, *, now: dt.datetime,
               target_has: Callable[[str], bool], preview: bool = False,
               frozen: set[str] = frozenset(), live: set[str] = frozenset(),
               left_out: frozenset[str] = frozenset(), carried: list[dict] = (),
               last: LastPublished = NO_RECORD) -> Site:
    """``preview``: the pages are built for `syndicate serve` (``site.preview`` in templates;
    a catalog row carrying ``preview`` ("draft", "queued") shows it as a badge).

    ``frozen``: kinds whose feeds a guard holds at their last version (``live``: the keys the
    target holds): the pages show those kinds as the held feeds do (see ``frozen_rows``); the
    own files of items taken down since (page, audio, art) are kept as they are.

    ``left_out``: keys of item pages that could not be made (never published), or of items new
    to the site a list cannot show: their items are left out of everything, as if not released
    yet (no list, feed or sitemap links them, their files and audio are not sent); and keys of
    tag pages that could not be made (never published): no page links them.

    ``carried``: rows of live posts another checkout published (foreign.py): listed in the
    feeds and pages like the rest, their own pages neither made nor deleted."""
    cfg = settings.config
    site = Site()
    base = cfg.site.url
    media_base = cfg.podcast.media_base_url or base

    def url(key: str, root: str = base) -> str:
        return root + quote(key)

    def add(out: Output) -> None:
        safe_key(out.key)
        site.outputs.append(out)

    taken: set[str] = set()  # keys of files published beside items (one may be linked twice)
    linked_to: dict[str, str] = {}  # guid -> where its links to files beside it lead

    def with_files(r: dict, item, folder: str, content_dir: Path):
        """The item as its page and feeds show it: the files its body links beside its source
        published in its page's folder, and the links to those moved elsewhere rewritten."""
        files, moved = linked_files(settings, item.files, r["source"], folder, content_dir,
                                    site.warnings, unreleased, last, r["guid"])
        site.linked[r["guid"]] = {rel: moved[link] for link, rel in item.files.items()
                                  if link in moved}
        for f in files:
            if f.key not in taken:
                taken.add(f.key)
                add(Output(f.key, "asset", f.sha256, path=f.path, sha256=f.sha256, size=f.size))
        if not moved:
            return item
        linked_to[r["guid"]] = json.dumps(moved, sort_keys=True)  # where its links lead
        made_from[r["guid"]] += linked_to[r["guid"]]
        html = moved_urls(item.html, url(folder), {k: url(v) for k, v in moved.items()})
        return replace(item, html=html)

    # an item queued from the command line is released, and dated, at its queued time; one
    # unqueued (held) is not released at all
    visible = [r for r in cat.visible(now.astimezone(dt.UTC).isoformat())  # to the microsecond
               if page_key(r["kind"], r["slug"]) not in left_out]
    if frozen:
        visible, back = frozen_rows(cat, visible, frozen, live)
        site.keep(*(k + "*" for r in back for k in item_keys(r)))
    if carried:  # (in the live feed, held or not; one a list cannot show is left out)
        carried = [r for r in carried if page_key(r["kind"], r["slug"]) not in left_out]
        visible += carried
        site.keep(*(k + "*" for r in carried for k in item_keys(r)))  # their own files stay
    visible.sort(key=lambda r: (r["date"], r["id"]), reverse=True)
    posts: list[tuple[dict, Post]] = []
    episodes: list[tuple[dict, Episode]] = []
    shown_ids = {r["id"] for r in visible}
    rows = cat.all_items()  # (read once: the unreleased items' files, their pages' links)
    queue, at = cat.releases(), now.astimezone(dt.UTC).isoformat()
    unreleased = Unreleased([r for r in rows if not r["missing"]
                             and r["id"] not in shown_ids], settings.root, last.went_out(),
                            gone=[r for r in rows if r["missing"] and not r["published_at"]
                                  and r["id"] in queue and queue[r["id"]]["at"] > at])
    # what a feed entry is made from: the catalog's row (its JSON as stored, and the queued date
    # that replaces the item's own), not the item serialised again for every entry of a feed
    made_from = {r["guid"]: f"{r['data']}|{r['date'] if r['queued'] else ''}" for r in visible}
    for r in visible:
        item = item_from_dict(r["kind"], loads(r["data"]))
        if r["queued"]:
            item.date = r["date"]
        if item.files:
            folder = page_key(item.kind, item.slug).removesuffix("index.html")
            item = with_files(r, item, folder, settings.posts_dir if item.kind == "post"
                              else settings.episodes_dir)
        (posts if r["kind"] == "post" else episodes).append((r, item))
    for listed in (posts, episodes):  # newest first by the date each shows (see _shown_row)
        # (on one date, an episode's season and number decide: a show launching with three
        # episodes on one day lists them in order whenever each was collected)
        listed.sort(key=lambda pair: (stored(pair[1].date), getattr(pair[1], "season", None)
                                      or 0, getattr(pair[1], "number", None) or 0,
                                      pair[0]["id"]), reverse=True)

    rss_url, atom_url = url(cfg.blog.rss_path), url(cfg.blog.atom_path)
    feed_url = url(cfg.podcast.feed_path)

    def updated(r: dict, item: Post | Episode) -> dt.datetime:
        """When the item last changed: its date, a later edit, or its 'updated' front matter."""
        edited = getattr(item, "updated", None)
        edited = _when(edited) if edited else None
        if edited is not None and edited > now:  # an edit dated ahead: not one yet (a feed is
            edited = None  # never updated later than it is published)
        if item.preview:  # a draft or queued item in a preview, shown at its own date: the
            shown = _when(item.date)  # times of the preview's copy of its row mean nothing
            return max(shown, edited or shown)
        shown = _when(r["date"])  # (its release time, when it was queued)
        changed = _when(r["changed_at"])  # (an item new to the catalog: its own date, which
        changed = changed if changed <= now else shown  # a release ahead of it is before)
        return max(shown, changed, edited or shown)

    # -- podcast cover and channel -------------------------------------------------------------
    cover = settings.resolve(cfg.podcast.image)
    cover_url = icon = None
    cover_bytes, problem = read_cover(cover)
    if not problem:
        sha = hashlib.sha256(cover_bytes).hexdigest()
        key = f"cover-{sha[:12]}{_cover_suffix(cover, cover_bytes, site.warnings)}"
        if not (target_has(key) and target_has(favicon_key(url(key)))):
            # a new cover is decoded (by making its favicon) before any page names it: a
            # header can be right and the data damaged
            try:
                icon = favicon(cover)
            except ItemError as exc:
                problem = exc.reason
    if problem:
        # the feed names its cover: without a good one, both keep their last published version
        shown = relative(cover, settings.root) if cover.is_relative_to(settings.root) \
            else str(cover)
        site.errors.append(cover_error := CollectError(
            shown, f"podcast.image {cfg.podcast.image!r}: {problem}; the feeds, the "
            "cover and the pages that show it keep their last published version, and "
            "new posts and episodes wait (queued), and edits and removals with them, until it "
            "is fixed",
            hint=f"point podcast.image in {settings.path.name} at a square JPEG or PNG"))
        cover_error.about_cover = True  # (collect's error of it joins this one)
        # (every page shows the cover: in its head's og:image if nowhere else)
        # the blog's feeds too: lists, feeds and sitemap keep agreeing (an edit or a removal
        # reaches none of them until the pages can show it)
        feeds = (cfg.podcast.feed_path, cfg.podcast.json_path, cfg.blog.rss_path,
                 cfg.blog.atom_path, cfg.blog.json_path)
        site.keep(COVER_KEYS, *feeds, *(archive_key(k, "*") for k in feeds),
                  FAVICON_KEYS, *PAGE_KEYS, *HELD_WITH_PAGES)
    else:
        add(Output(key, "asset", sha, path=cover, sha256=sha, size=len(cover_bytes),
                   addressed=True))
        cover_url = url(key)
        size = image_size(cover_bytes)
        if size[0] != size[1] or not 1400 <= size[0] <= 3000:
            site.warnings.append(
                f"{cfg.podcast.image}: {size[0]}x{size[1]} px; Apple requires a square image "
                "of 1400 to 3000 px"
            )

    # without a good cover the podcast feeds are not made: a page links them only once live
    pod_links = {k: url(path) if not problem or target_has(path) else ""
                 for k, path in (("podcast", cfg.podcast.feed_path),
                                 ("podcast_json", cfg.podcast.json_path))}
    pages = SitePages(settings, base=base, cover_url=cover_url, favicon=icon, preview=preview,
                      feeds={"rss": rss_url, "atom": atom_url, "json": url(cfg.blog.json_path),
                             **pod_links},
                      warnings=site.warnings,
                      unlinked=frozenset(k for k in left_out if k.startswith("tags/")),
                      tag_slugs=known_tag_folders(cat))

    def last_good(r: dict, rel: str, sha: str, key: str) -> tuple[bool, bytes | None, str]:
        """An episode whose sources now fail keeps its art and transcript only as last checked:
        the target must have them already, or the file must still hold those bytes (read by
        ``read_companion``: never a pipe, a device or a file outside the episodes folder).
        (usable, the bytes read or None, why not usable)."""
        if not r["error"] or r.get("missing") or target_has(key):
            return True, None, ""  # (a taken-down item's own files are kept as they are)
        try:
            return True, read_companion(settings, rel, sha), ""
        except ItemError as exc:
            return False, None, f"{printable(rel)} {exc.reason}"

    # -- episodes: media, assets, pages ---------------------------------------------------------
    ep_entries: list[EpisodeEntry] = []
    for r, ep in episodes:
        if ep.media.url:  # kept where it is (an imported show's old host): nothing to upload
            enclosure_url = ep.media.url
        else:
            media_key = f"{MEDIA}/{ep.slug}-{ep.media.sha256[:12]}{ep.media.extension}"
            if ep.media.passthrough:
                media_path = settings.root / ep.audio
            else:
                media_path = settings.state_dir / "media" / f"{ep.media.sha256}{ep.media.extension}"
            if r["error"] and not target_has(media_key) and not media_path.exists():
                site.errors.append(CollectError(r["source"], "its last good audio is gone and was "
                                                "never published; the episode is left out"))
                continue
            add(Output(media_key, "media", ep.media.sha256, path=media_path,
                       sha256=ep.media.sha256, size=ep.media.size, addressed=True))
            enclosure_url = url(media_key, media_base)
        renditions = []
        for alt in ep.media.alternates:  # audio.alternates: published beside the MP3
            alt_key = f"{MEDIA}/{ep.slug}-{alt['sha256'][:12]}{alt['extension']}"
            alt_path = settings.state_dir / "media" / f"audio-{alt['key']}{alt['extension']}"
            if r["error"] and not target_has(alt_key) and not alt_path.exists():
                site.warnings.append(f"{r['source']}: its last good {alt['title']} rendition is "
                                     "gone and was never published; it is left out")
                continue
            add(Output(alt_key, "media", alt["sha256"], path=alt_path, sha256=alt["sha256"],
                       size=alt["size"], addressed=True))
            renditions.append(dict(alt, url=url(alt_key, media_base)))
        folder = page_key("episode", ep.slug).removesuffix("index.html")
        prefix = cfg.podcast.measurement_prefix  # the feeds' enclosures only (measurement.py)
        entry = EpisodeEntry(guid=r["guid"], item=ep, link=pages.page_url(folder),
                             updated=updated(r, ep),
                             enclosure_url=measured(enclosure_url, prefix),
                             alternates=[dict(a, url=measured(a["url"], prefix))
                                         for a in renditions])
        if ep.image and ep.image_sha256:
            key = f"{folder}cover-{ep.image_sha256[:12]}{Path(ep.image).suffix.lower()}"
            ok, data, why = last_good(r, ep.image, ep.image_sha256, key)
            if ok and data is not None:  # checked bytes: the file is not read again
                add(Output(key, "asset", ep.image_sha256, render=lambda d=data: d,
                           sha256=ep.image_sha256, addressed=True))
                entry.image_url = url(key)
            elif ok:
                add(Output(key, "asset", ep.image_sha256, path=settings.root / ep.image,
                           sha256=ep.image_sha256, addressed=True))
                entry.image_url = url(key)
            else:  # the feed falls back to the show's cover rather than point at nothing
                site.warnings.append(f"{r['source']}: its last good image is gone and was never "
                                     f"published ({why}); the episode is published without art")
        page = EpisodePage(_shown_row(r, ep, linked_to), ep, enclosure_url,
                           ep.media.content_type.split(";")[0], "", "", "",
                           alternates=renditions)
        ok, data, why = (True, None, "") if not (ep.transcript and ep.transcript_sha256) else \
            last_good(r, ep.transcript, ep.transcript_sha256,
                      f"{folder}transcript{Path(ep.transcript).suffix.lower()}")
        if not ok:
            site.warnings.append(f"{r['source']}: its last good transcript is gone and was never "
                                 f"published ({why}); the episode is published without one")
        elif ep.transcript and ep.transcript_sha256:
            suffix = Path(ep.transcript).suffix.lower()
            key = f"{folder}transcript{suffix}"
            source = settings.root / ep.transcript
            if ep.media.offset and suffix in (".vtt", ".srt", ".json"):
                # cue times follow the audio when an intro was added or silence cut
                def shifted(s=source, o=ep.media.offset, x=suffix, d=data) -> bytes:
                    shown = relative(s, settings.root)
                    text = read_captions(s, shown) if d is None else decode_captions(d, shown)
                    return shift_transcript(text, x, o).encode()

                add(Output(key, "asset", _h(ep.transcript_sha256, str(ep.media.offset)),
                           render=shifted))
            elif data is not None:
                add(Output(key, "asset", ep.transcript_sha256, render=lambda d=data: d,
                           sha256=ep.transcript_sha256))
            else:
                add(Output(key, "asset", ep.transcript_sha256, path=source,
                           sha256=ep.transcript_sha256))
            if suffix in (".vtt", ".srt", ".json"):  # the page shows its cues
                page.transcript_file, page.transcript_data = source, data
                page.offset = ep.media.offset
            entry.transcript = (url(key), mediatypes.of_key(key).split(";")[0],
                                ep.transcript_language or cfg.podcast.language
                                or cfg.site.language)
        kept_at_urls(entry, ep, cfg, site.warnings, r["source"])
        if ep.chapters:
            # a link that is not http(s) (kept from before links were checked) is left out
            doc = {"version": "1.2.0", "title": xml_safe(ep.title),
                   "podcastName": xml_safe(cfg.podcast.title),
                   "chapters": [{"startTime": c.start, "title": xml_safe(c.title),
                                 **({"url": c.url} if is_web_url(c.url) else {})}
                                for c in ep.chapters]}
            body = json.dumps(doc, ensure_ascii=False, indent=2).encode() + b"\n"
            key = f"{folder}chapters.json"
            add(Output(key, "asset", _h(body.decode()), render=lambda b=body: b))
            entry.chapters_url = url(key)
        page.image_url, page.transcript_url, page.chapters_url = (
            entry.image_url or "", entry.transcript[0] if entry.transcript else "",
            entry.chapters_url or "")
        pages.add_episode(page, entry.link)
        ep_entries.append(entry)
        site.visible_ids.append(r["id"])
        site.feed_of[r["id"]] = cfg.podcast.feed_path
        for k in (cfg.podcast.feed_path, cfg.podcast.json_path):
            site.guids_of.setdefault(k, set()).add(r["guid"])

    # -- posts: pages ----------------------------------------------------------------------------
    post_entries: list[Entry] = []
    for r, post in posts:
        link = pages.page_url(f"posts/{post.slug}/")
        pages.add_post(_shown_row(r, post, linked_to), post, link)
        post_entries.append(Entry(guid=r["guid"], item=post, link=link,
                                  updated=updated(r, post)))
        for k in (cfg.blog.rss_path, cfg.blog.atom_path, cfg.blog.json_path):
            site.guids_of.setdefault(k, set()).add(r["guid"])
        if r.get("foreign"):
            continue  # another checkout's post: its page and files are left as they are
        for name, path, sha, size in post_images(settings, r["source"], site.warnings,
                                                 frozenset(post.files.values()), unreleased):
            if f"posts/{post.slug}/{path.parent.name}/{name}" not in taken:
                add(Output(f"posts/{post.slug}/{path.parent.name}/{name}", "asset", sha,
                           path=path, sha256=sha, size=size))
        source = settings.root / r["source"]
        if not os.path.lexists(source) or filestat.unlisted(source.with_suffix("")):
            # (its folder away for a moment, or its images' folder unreadable: kept as it was)
            for f in last.files_under(f"posts/{post.slug}/{source.stem}/", source.with_suffix("")):
                if f.key not in taken:
                    add(Output(f.key, "asset", f.sha256, path=f.path, sha256=f.sha256,
                               size=f.size))
        site.visible_ids.append(r["id"])
        site.feed_of[r["id"]] = cfg.blog.rss_path

    pages.outputs(lambda key, kind, input_hash, **how: add(Output(key, kind, input_hash, **how)),
                  _h)
    site.tag_folders = pages.tag_folders
    from .redirects import redirects  # the old addresses of items whose slug changed

    for out in redirects(cat, [r for r, _ in (*posts, *episodes)],
                         {o.key for o in site.outputs}, pages.page_url):
        add(out)
    _check_page_links(settings, cat, site, posts + episodes, pages.page_url, shown_ids,
                      target_has, rows)

    # -- feeds -------------------------------------------------------------------------------------
    epoch = _when(cat.get_meta("created_at") or "1970-01-01T00:00:00+00:00")
    if cfg.blog.archive_pages:
        newest, blog_archives = _paged(cat, cfg.blog.rss_path, post_entries, cfg.blog.feed_items)
    else:  # older posts leave the feeds (they keep their pages)
        newest, blog_archives = post_entries[:cfg.blog.feed_items or None], []
    rss_pages = [url(archive_key(cfg.blog.rss_path, n)) for n in range(1, len(blog_archives) + 1)]
    atom_pages = [url(archive_key(cfg.blog.atom_path, n))
                  for n in range(1, len(blog_archives) + 1)]
    blog_updated = max((e.updated for e in newest), default=epoch)
    blog_in = _h(cfg.blog.model_dump_json(), cfg.site.model_dump_json(), blog_updated.isoformat(),
                 json.dumps(cfg.notify.published_hubs),
                 *(e.guid + made_from[e.guid] + e.updated.isoformat() for e in newest))
    blog_cache: dict[str, tuple[bytes, bytes]] = {}

    def sized(key: str, render: Callable[[], bytes], entries: list,
              paging: str) -> Callable[[], bytes]:
        """The render, warning when what it makes is a feed too big for apps to read well:
        naming ``paging`` (the setting that moves older ``entries`` to archive pages), or the
        one item that is too big by itself (no paging helps that)."""
        def checked() -> bytes:
            data = render()
            if len(data) > FEED_SIZE_WARNING:
                site.warnings.append(f"{key}: {len(data) / 1e6:.1f} MB; podcast apps and "
                                     "readers download the whole feed on every refresh and "
                                     f"some give up on feeds over "
                                     f"{FEED_SIZE_WARNING // 1_000_000} MB: "
                                     + _too_big(entries, paging))
            return data
        return checked

    def blog_feeds(entries: list[Entry], number: int | None, updated: dt.datetime,
                   hubs: list[str]) -> tuple[bytes, bytes]:
        """(RSS, Atom) of the main blog feeds (``number`` None) or of an archive page."""
        at = number - 1 if number is not None else None
        rss, atom = render_blog(  # an archive page's head is fixed (paging.py): no description
            title=cfg.blog.title or cfg.site.title,
            description=(cfg.blog.description or cfg.site.description) if at is None else "",
            site_url=base, language=cfg.site.language, author=cfg.site.author,
            rss_url=rss_url if at is None else rss_pages[at],
            atom_url=atom_url if at is None else atom_pages[at], entries=entries,
            updated=updated, hubs=hubs, home_url=pages.page_url(""))
        if not blog_archives:
            return rss, atom
        return (add_links(rss, page_links(rss_url, rss_pages, number), archive=at is not None),
                add_links(atom, page_links(atom_url, atom_pages, number),
                          archive=at is not None))

    def blog(which: int) -> bytes:
        if "v" not in blog_cache:
            blog_cache["v"] = blog_feeds(newest, None, blog_updated, cfg.notify.published_hubs)
        return blog_cache["v"][which]

    # a feed is typed by its format, whatever its key is named
    paged = json.dumps(rss_pages[-1:]) if blog_archives else ""
    add(Output(cfg.blog.rss_path, "feed", blog_in + "rss" + paged,
               render=sized(cfg.blog.rss_path, lambda: blog(0), newest, BLOG_PAGING),
               content_type=mediatypes.RSS))
    add(Output(cfg.blog.atom_path, "feed", blog_in + "atom" + paged,
               render=sized(cfg.blog.atom_path, lambda: blog(1), newest, BLOG_PAGING),
               content_type=mediatypes.ATOM))
    # what the blog's archive pages show besides their items (paging.py): no other setting
    blog_head = _h(cfg.blog.title or cfg.site.title, base, pages.page_url(""), cfg.site.language,
                   cfg.site.author, rss_url, atom_url, str(cfg.blog.feed_items))
    for number, page in enumerate(blog_archives, start=1):
        page_updated = max((e.updated for e in page), default=epoch)
        page_in = _h(blog_head, str(number), page_updated.isoformat(),
                     *(_shown(e, made_from) for e in page))
        policy = mediatypes.cache_policy("archive" if len(page) == cfg.blog.feed_items
                                         else "feed")
        made: dict[str, tuple[bytes, bytes]] = {}

        def archived(which: int, g=page, n=number, u=page_updated, made=made) -> bytes:
            if "v" not in made:
                made["v"] = blog_feeds(g, n, u, [])
            return made["v"][which]

        add(Output(archive_key(cfg.blog.rss_path, number), "feed", page_in + "rss",
                   render=lambda a=archived: a(0), content_type=mediatypes.RSS,
                   cache_control=policy))
        add(Output(archive_key(cfg.blog.atom_path, number), "feed", page_in + "atom",
                   render=lambda a=archived: a(1), content_type=mediatypes.ATOM,
                   cache_control=policy))
    json_url = url(cfg.blog.json_path)
    json_pages = [url(archive_key(cfg.blog.json_path, n))
                  for n in range(1, len(blog_archives) + 1)]

    def blog_json(entries: list[Entry], number: int | None) -> bytes:
        """The blog's JSON Feed (``number`` None) or its archive page ``number``: each names
        the page of the entries just older than its own as ``next_url``."""
        older = json_pages[-1:] if number is None else json_pages[max(number - 2, 0):number - 1]
        return render_json_feed(
            title=cfg.blog.title or cfg.site.title,
            description=(cfg.blog.description or cfg.site.description) if number is None else "",
            home_page_url=pages.page_url(""),
            feed_url=json_url if number is None else json_pages[number - 1],
            language=cfg.site.language, author=cfg.site.author, entries=entries,
            next_url=older[0] if older else None)

    add(Output(cfg.blog.json_path, "feed", blog_in + "json" + json_url + paged,
               render=sized(cfg.blog.json_path, lambda: blog_json(newest, None), newest,
                              BLOG_PAGING),
               content_type=mediatypes.JSON_FEED))
    for number, page in enumerate(blog_archives, start=1):
        page_in = _h(blog_head, json_url, str(number), *(_shown(e, made_from) for e in page))
        policy = mediatypes.cache_policy("archive" if len(page) == cfg.blog.feed_items
                                         else "feed")
        add(Output(archive_key(cfg.blog.json_path, number), "feed", page_in + "json",
                   render=lambda g=page, n=number: blog_json(g, n),
                   content_type=mediatypes.JSON_FEED, cache_control=policy))

    if cover_url is not None:
        p = cfg.podcast
        stored_guid = cat.get_meta("podcast_guid")
        if stored_guid is None:  # a new catalog: a show already published keeps its identity
            from ..collect.recover import live_podcast_guid

            derived = podcast_guid(feed_url)
            live = live_podcast_guid(settings)
            stored_guid = live or derived
            if live and live != derived and not p.guid:
                site.warnings.append(
                    f"{p.feed_path}: the show keeps the podcast:guid {live} its live feed "
                    f"gives; the feed's address ({feed_url}) would derive {derived}, so "
                    "site.url (or podcast.feed_path) changed since the show began; set "
                    f"'podcast.guid: {live}' in {settings.path.name} to keep it for good")
            cat.set_meta("podcast_guid", stored_guid)
        channel = {
            "title": p.title, "description": p.description, "link": pages.page_url(""),
            "language": p.language or cfg.site.language, "author": p.author or cfg.site.author,
            "owner_name": p.owner.name, "owner_email": p.owner.email, "image": cover_url,
            "categories": [parse_category(c) for c in p.categories], "explicit": p.explicit,
            "type": p.type, "guid": p.guid or stored_guid, "locked": p.locked,
            "funding": [(f.url, f.text) for f in p.funding], "copyright": p.copyright,
            "feed_url": feed_url, **({"hubs": cfg.notify.published_hubs}
                                     if cfg.notify.published_hubs else {}),
            "more": {**tags_of(p, CHANNEL_TAGS), **trailers(ep_entries)},
        }
        pod_updated = max((e.updated for e in ep_entries), default=epoch)
        pod_in = _h(json.dumps(channel, sort_keys=True), pod_updated.isoformat(),
                    *(e.guid + made_from[e.guid] + e.updated.isoformat() + e.enclosure_url
                      for e in ep_entries))
        main, archives = _paged(cat, p.feed_path, ep_entries, p.feed_items, site)
        # archive pages (cached for a week) keep only a fixed head of the channel (paging.py):
        # a show's setting edited, or the show moved and back, rewrites none of them
        head = {k: channel[k] for k in PODCAST_HEAD if k != "explicit"}
        archive_urls = [url(archive_key(p.feed_path, n)) for n in range(1, len(archives) + 1)]

        def podcast_feed(entries: list[EpisodeEntry], number: int | None,
                         updated: dt.datetime) -> bytes:
            # an archive page names itself, and no hub: nobody subscribes to it
            at = channel if number is None else podcast_head(channel, archive_urls[number - 1])
            rss = render_podcast(channel=at, entries=entries, updated=updated)
            links = page_links(feed_url, archive_urls, number)
            return add_links(rss, links, archive=number is not None) if links else rss

        paged = json.dumps(archive_urls[-1:]) if archives else ""  # where its links lead
        add(Output(p.feed_path, "feed", pod_in + paged,
                   render=sized(p.feed_path, lambda: podcast_feed(main, None, pod_updated),
                                  main, PODCAST_PAGING),
                   content_type=mediatypes.RSS))
        for number, page in enumerate(archives, start=1):
            page_updated = max((e.updated for e in page), default=epoch)
            page_in = _h(json.dumps(head, sort_keys=True), feed_url, str(number),
                         str(p.feed_items), page_updated.isoformat(),
                         *(_shown(e, made_from, p.explicit) for e in page))
            full = len(page) == p.feed_items
            add(Output(archive_key(p.feed_path, number), "feed", page_in,
                       render=lambda g=page, n=number, u=page_updated: podcast_feed(g, n, u),
                       content_type=mediatypes.RSS,
                       cache_control=mediatypes.cache_policy("archive" if full else "feed")))
        pod_json_url = url(p.json_path)
        pod_json_pages = [url(archive_key(p.json_path, n)) for n in range(1, len(archives) + 1)]

        def podcast_json(entries: list[EpisodeEntry], number: int | None) -> bytes:
            """The show's JSON Feed or its archive page ``number``, as blog_json."""
            older = (pod_json_pages[-1:] if number is None
                     else pod_json_pages[max(number - 2, 0):number - 1])
            main_feed = number is None  # an archive page: its fixed head (paging.py)
            return render_json_feed(
                title=p.title, description=p.description if main_feed else "",
                home_page_url=pages.page_url(""),
                feed_url=pod_json_url if main_feed else pod_json_pages[number - 1],
                language=p.language or cfg.site.language, author=p.author or cfg.site.author,
                entries=entries, icon=cover_url if main_feed else None,
                next_url=older[0] if older else None)

        add(Output(p.json_path, "feed", pod_in + "json" + pod_json_url + paged,
                   render=sized(p.json_path, lambda: podcast_json(main, None), main,
                                  PODCAST_PAGING),
                   content_type=mediatypes.JSON_FEED))
        for number, page in enumerate(archives, start=1):
            page_in = _h(json.dumps(head, sort_keys=True), pod_json_url,
                         p.author or cfg.site.author, str(number), str(p.feed_items),
                         *(_shown(e, made_from) for e in page))
            full = len(page) == p.feed_items
            add(Output(archive_key(p.json_path, number), "feed", page_in + "json",
                       render=lambda g=page, n=number: podcast_json(g, n),
                       content_type=mediatypes.JSON_FEED,
                       cache_control=mediatypes.cache_policy("archive" if full else "feed")))
    return site
