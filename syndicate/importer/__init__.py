"""Bring the old blog's back catalogue into posts/ as ordinary Markdown files.

``import_sources`` reads each source (a text export page, an HTML page, an RSS or Atom feed; a
file or a URL), turns what it holds into posts, and writes each new post to ``posts/`` as a
Markdown file with front matter, which the normal pipeline then publishes. Importing is
idempotent: a post already imported (from this source or another: an index page and the post's
own page, with other line breaks or a subtitle line) is recognised by its words and not written
twice. Nothing is written for a source that fails, and every file is written whole (temporary
name, then rename).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from itertools import count
from pathlib import Path

import yaml

from .. import yamlcheck
from ..config import Settings
from ..errors import CollectError, SyndicateError
from ..frontmatter import split_front_matter
from ..markup import slugify
from ..urls import redact, redact_credentials
from .fields import Fields
from .textexport import YEARS, ExportError, TextPost, parse_text_export

SHINGLE = 5
SAME_POST = 0.6  # share of word 5-grams two versions of one post have in common, at least
RETITLED = 0.99  # the same, for two versions under two titles: all the shorter's words


class SourceError(SyndicateError):
    """A source that cannot be imported; names it (and the line, where there is one)."""


class EmptyFeed(SourceError):
    """A feed with no entries: nothing to import, unless it is one page of a feed in pages."""


@dataclass
class Found:
    """One post as a source gives it."""

    title: str
    body: str  # Markdown
    source: str  # where it came from, for messages and front matter
    date: dt.datetime | None = None
    derived_title: bool = False
    guid: str | None = None
    tags: list[str] = field(default_factory=list)
    order: tuple[int, int] = (0, 0)  # (page, position) for --date-by-order
    doubt: str | None = None  # what a person should check, for the report
    date_text: str | None = None  # the date as the source wrote it, when it is no date
    link: str | None = None  # a link post's target (``link:`` front matter)
    updated: dt.datetime | None = None  # a later edit the source gives
    summary: str | None = None  # the source's own summary, as plain text
    date_field: str = "date"  # the source's name for where the date is, for messages
    line: int | None = None  # the item's line in the source, for messages
    fields: Fields | None = None  # what became of each of the item's fields
    slug: str | None = None  # the old site's slug, for the file name (and so the new URL)
    extra: dict = field(default_factory=dict)  # more front matter (draft, summary, author)
    attachments: list[str] = field(default_factory=list)  # images to download with the post
    reviews: list[str] = field(default_factory=list)  # flagged for these: written as review:
    old_link: str | None = None  # the entry's own address on the old site, for its identity


@dataclass
class ImportReport:
    podcast_guid: str | None = None  # the migrated channel's podcast:guid, kept
    created: list[dict] = field(default_factory=list)
    merged: list[dict] = field(default_factory=list)  # seen before (this or another source)
    skipped: list[dict] = field(default_factory=list)  # not written, with the reason
    flagged: list[dict] = field(default_factory=list)  # written, but a person should look
    errors: list[str] = field(default_factory=list)
    left_behind: list[dict] = field(default_factory=list)  # counted, not imported (comments)
    # a WordPress export's media-library items (attachments), each once: {"title", "source",
    # "url", "shown_by" (guids of the imported items that show or hold it), "reason"}
    media: list[dict] = field(default_factory=list)
    # a podcast feed's channel tags not published, once each: {"source", "field", "why"}
    channel: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def masked(self) -> ImportReport:
        """The report fit to print or write: every address in it (a source's, one a reason
        quotes) without its user:password@ or query values, as errors show them (H9)."""
        for name in ("created", "merged", "skipped", "flagged", "left_behind", "media",
                     "channel"):
            setattr(self, name, [_mask(e) for e in getattr(self, name)])
        self.errors = [redact_credentials(e) for e in self.errors]
        return self

    def field_summary(self) -> list[str]:
        """One line per field changed or dropped on the items written, with how many items
        for each different reason (``--json`` has each item's own, in full)."""
        seen: dict[tuple[str, str], dict[str, int]] = {}
        for entry in self.created:
            for verb in ("changed", "dropped"):
                for name in dict.fromkeys(f["field"] for f in entry.get(verb, [])):
                    why = next(f["why"] for f in entry[verb] if f["field"] == name)
                    # (the reason without this item's own address, which --json has)
                    whys = seen.setdefault((verb, name), {})
                    gist = why.split(" (")[0]
                    whys[gist] = whys.get(gist, 0) + 1
        lines = []
        for (verb, name), whys in seen.items():  # each different reason on a line of its own
            for k, (why, n) in enumerate(whys.items()):
                if k == 3:
                    rest = sum(list(whys.values())[3:])
                    lines.append(f"{verb:<8} {name} on {rest} more item{'s' if rest != 1 else ''}"
                                 f", for {len(whys) - 3} other reasons: --json has each")
                    break
                lines.append(f"{verb:<8} {name} on {n} item{'s' if n != 1 else ''}: {why}")
        return lines


def _mask(value, key: str | None = None):
    if isinstance(value, dict):
        return {k: _mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, str) and key not in ("file", "title"):
        return redact_credentials(value)
    return value


# Chinese, Japanese and Korean are written without spaces: each character counts as a word.
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
# the same words in ASCII text (letters and digits; no CJK there), split by str.split
_NOT_ASCII_WORD = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def _words(text: str) -> list[str]:
    """The words a reader sees: images and link addresses left out (a forum's or a theme's
    image boilerplate is no sign of the same post), footnote marks too."""
    # (no bracket inside a bracket: each '[' is looked at once, so a body of a thousand
    # unclosed brackets stays linear; and no bracket at all, nothing to look at)
    if "[" in text:
        text = re.sub(r"!\[[^\[\]]*\]\([^()]*\)", " ", text)
        text = re.sub(r"\[([^\[\]]*)\]\([^()]*\)", r"\1", text)
        text = re.sub(r"\[\^?\w{1,4}\]:?", " ", text)
    text = text.lower()
    if text.isascii():  # (most posts: a fifth of the time of the regex)
        return text.translate(_NOT_ASCII_WORD).split()
    return _WORD.findall(text)


def _shingles(text: str) -> set[int]:
    words = _words(text)
    if len(words) < SHINGLE:  # too short to compare by its words (an image, a link): whole
        return {hash(" ".join(text.split()))}
    # (the 5-grams as tuples of words, by zip: no string joined per position)
    return set(map(hash, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))


SHORT = 20  # shingles: a post this short must match nearly whole, not just be contained


def _similar(a: set[int], b: set[int]) -> float:
    """How much of the shorter post the longer one holds (one post can be the other with a
    subtitle, other line breaks or a signature); a short post is compared with the whole of
    the longer, so a one-line post is not swallowed by any long one that quotes a phrase."""
    if not a or not b:
        return 0.0
    small = min(len(a), len(b))
    return len(a & b) / (small if small >= SHORT else max(len(a), len(b)))


@dataclass
class _Known:
    path: Path
    title: str
    shingles: set[int]
    guid: str | None
    found_in: str | None = None  # the source it was written from in this run
    origin: str | None = None  # its front matter's imported_from: the source item it came from
    when: dt.datetime | None = None  # its front matter's date, as an instant


def _instant(value, zone: str) -> dt.datetime | None:
    """A front matter date (or the date an import writes) as an instant; None if it is none."""
    from ..when import WhenError, parse_date

    try:
        return parse_date(value, zone) if value is not None else None
    except (WhenError, ValueError, OverflowError):
        return None


def _known_posts(posts_dir: Path, zone: str) -> list[_Known]:
    """Posts already in posts/ (imported or written by hand), to recognise a post seen twice."""
    known = []
    if not posts_dir.is_dir():
        return known
    for path in sorted(posts_dir.rglob("*")):
        if path.suffix.lower() not in (".md", ".markdown", ".txt") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        meta = None
        try:
            fm, body, _ = split_front_matter(text, path.name)
            meta = yamlcheck.parse(fm, path.name) if fm is not None else None
        except (CollectError, yamlcheck.YamlProblems):  # read as text, as a person would
            body = text
        if not isinstance(meta, dict):
            meta = {}
        origin = meta.get("imported_from")
        known.append(_Known(path, str(meta.get("title") or path.stem), _shingles(body),
                            str(meta["guid"]) if meta.get("guid") else None,
                            origin=str(origin) if origin else None,
                            when=_instant(meta.get("date"), zone)))
    return known


FUTURE_SLACK = dt.timedelta(days=1)  # a date later than the import's now by more: flagged


def future_doubt(when: dt.datetime | None, now: dt.datetime | None) -> str | None:
    """What to review about an item dated after the import's ``now`` (and a day): it would
    silently wait until then to be published. ``when`` is an instant (aware)."""
    if when is None or now is None or when <= now + FUTURE_SLACK:
        return None
    return (f"dated {when:%Y-%m-%d}, after today: it will not be published until then; fix "
            "the date")


def date_problem(field: str, written: str | None, line: int | None, advice: str) -> str:
    """Why an item has no date, in words that say what the source holds: no date element,
    an empty one, one that is no date, or a date outside the years an old post can have."""
    from ..when import feed_date

    where = f" (line {line})" if line else ""
    if written is None:
        return f"no {field} in the feed{where}; {advice}"
    if not written.strip():
        return f"its {field} is empty{where}; {advice}"
    shown = repr(written[:60])
    years = [int(y) for y in re.findall(r"(?<![\d:])\d{4,}(?![\d:])", written)]
    if feed_date(written) is None and not (years and not any(
            YEARS[0] <= y <= YEARS[1] for y in years)):
        return f"{field} {shown} is not a date{where}; {advice}"
    return (f"{field} {shown} is outside the years {YEARS[0]} to {YEARS[1]}{where}; "
            f"{advice}")


_redacted = lru_cache(maxsize=128)(redact)  # a source's posts: one address, parsed once


def _front_matter(found: Found, date: dt.datetime | None) -> str:
    meta: dict = {"title": found.title}
    if date is not None:  # an instant in UTC; a date without a zone is read in site.timezone
        meta["date"] = (date.astimezone(dt.UTC).isoformat() if date.tzinfo
                        else date.strftime("%Y-%m-%d %H:%M"))
    if found.updated is not None:
        meta["updated"] = found.updated.astimezone(dt.UTC).isoformat()
    if found.guid:
        meta["guid"] = found.guid
    if found.link:
        meta["link"] = found.link
    if found.summary:
        meta["summary"] = found.summary
    if found.tags:
        meta["tags"] = found.tags
    meta.update(found.extra)
    meta["imported_from"] = _redacted(found.source)  # a sidecar never keeps a credential
    reviews = [*(["title made from the opening sentence; check it"] if found.derived_title
                 else []), *found.reviews]
    if reviews:  # every reason the report flags the post for, where the author will see it
        meta["review"] = redact_credentials("; ".join(dict.fromkeys(reviews)))
    return dump_yaml(meta)


_TAG = "tag:yaml.org,2002:"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text without the characters no feed can carry and no UTF-8 file can hold (control
    characters, lone surrogates: stray bytes of an old export), so what is written reads back."""
    return _CONTROL.sub("", text)


def _node(value):
    from yaml.nodes import ScalarNode, SequenceNode

    if isinstance(value, bool):
        return ScalarNode(_TAG + "bool", "true" if value else "false")
    if isinstance(value, int):
        return ScalarNode(_TAG + "int", str(value))
    if isinstance(value, float):
        return ScalarNode(_TAG + "float", repr(value))
    if isinstance(value, list):
        return SequenceNode(_TAG + "seq", [_node(v) for v in value])
    if isinstance(value, dict):
        from yaml.nodes import MappingNode

        return MappingNode(_TAG + "map", [(_node(k), _node(v)) for k, v in value.items()])
    # several lines (show notes) as a literal block, as a person would write them; the
    # emitter quotes instead where a block cannot hold the text
    text = clean(str(value))
    return ScalarNode(_TAG + "str", text, style="|" if "\n" in text else None)


def dump_yaml(meta: dict) -> str:
    """Front matter or a sidecar: keys in the order given. A mapping of short one-line text,
    numbers, booleans and lists of those is written here, exactly as libyaml would write it
    (a libyaml emitter costs more to set up than such a document takes to write); anything
    else goes to libyaml's emitter as nodes (PyYAML's representer, in Python, cost more than
    the rest of an import)."""
    fast = _fast_yaml(meta)
    if fast is not None:
        return fast
    from yaml.nodes import MappingNode, ScalarNode

    root = MappingNode(_TAG + "map", [(ScalarNode(_TAG + "str", k), _node(v))
                                      for k, v in meta.items()])
    return yaml.serialize(root, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                          allow_unicode=True, width=1000)


# text libyaml writes bare or in single quotes unchanged: a word character first, then word
# characters, single spaces and punctuation that means nothing inside a block scalar; no
# ": ", no '#', no quote (property-tested against libyaml in tests/test_import_yaml.py)
_SIMPLE = re.compile(r"\w(?:(?:[\w,.!?&%/()=+~@$;*<>^|`\-]| (?! )|:(?! ))*[\w.!?)/%=+~@$*>\-])?")
_RESOLVER = None


def _astral(text: str) -> bool:
    """Whether ``text`` holds a character beyond the BMP (an emoji), which libyaml writes as
    an escape in double quotes."""
    return not text.isascii() and max(text) > "\uffff"


def _scalar(value) -> str | None:
    """How libyaml writes ``value`` as a block scalar, where that is plain to see; else None."""
    global _RESOLVER
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    if type(value) is float:
        text, tag = repr(value), "float"
    elif type(value) is str:
        if len(value) > 900 or not _SIMPLE.fullmatch(value) or _astral(value):
            return None  # (folded past 1,000 columns; escaped beyond the BMP)
        text, tag = value, "str"
    else:
        return None
    if _RESOLVER is None:
        from yaml.nodes import ScalarNode
        from yaml.resolver import Resolver

        starts = frozenset(Resolver.yaml_implicit_resolvers)
        _RESOLVER = Resolver(), ScalarNode, starts if None not in starts else None
    resolver, node, first = _RESOLVER
    if ((first is not None and text[0] not in first and tag == "str")  # none starts so: text
            or resolver.resolve(node, text, (True, False)) == _TAG + tag):
        return text
    return f"'{text}'" if tag == "str" else None  # text another type would be read as


# a line of a literal block libyaml writes as it is: empty, or printable characters (spaces
# inside, not at either end: those need an indentation indicator or quoting)
_EDGE = "[^\x00-\x20\x7f-\xa0\ud800-\udfff\u2028\u2029\ufeff\ufffe\uffff]"
_LINES = re.compile(f"{_EDGE}(?:[^\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufeff"
                    f"\ufffe\uffff]*{_EDGE})?(?:\n(?:{_EDGE}(?:[^\x00-\x1f\x7f-\x9f"
                    f"\ud800-\udfff\u2028\u2029\ufeff\ufffe\uffff]*{_EDGE})?)?)*")


def _literal(text: str) -> str | None:
    """Text of several lines as libyaml writes it (a literal block, indented two spaces under
    its key), where its lines are plain to see; else None."""
    body = text[:-1] if text.endswith("\n") else text
    if not body or body.endswith("\n") or not _LINES.fullmatch(body) or _astral(body):
        return None
    chomp = "" if body is not text else "-"
    return f"|{chomp}\n" + "\n".join(f"  {line}" if line else "" for line in body.split("\n"))


@lru_cache(maxsize=256)  # the same few keys in every post and sidecar
def _key_text(key: str) -> str | None:
    return _scalar(key) if len(key) < 90 else None


def _fast_yaml(meta: dict) -> str | None:
    lines = []
    for key, value in meta.items():
        name = _key_text(key) if type(key) is str else None
        if name is None or name[0] == "'":
            return None
        if type(value) is list:
            items = [_scalar(v) for v in value]
            if not items or None in items:
                return None
            lines.append(f"{name}:")
            lines += [f"- {item}" for item in items]
            continue
        text = _literal(value) if type(value) is str and "\n" in value else _scalar(value)
        if text is None:
            return None
        lines.append(f"{name}: {text}")
    return "\n".join(lines) + "\n" if lines else None


def free_stem(date: dt.datetime, title: str, taken: set[str]) -> str:
    """``YYYY-MM-DD-slug`` for a new file. ``taken`` holds the slugs in use (a file's name
    without its date): an episode re-run under its old title gets ``slug-2``, as two items of
    one kind cannot share a slug. The slug is then taken."""
    base = slugify(title)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return f"{date:%Y-%m-%d}-{slug}"


def taken_slugs(paths) -> set[str]:
    from ..sourcefiles import default_slug

    return {default_slug(p) for p in paths}


_serial = count()
_made: set[Path] = set()  # folders this process has made or found, not asked for again


def _write_atomic(path: Path, text: str) -> None:
    """``text`` into ``path`` whole: written under a temporary name beside it, then renamed
    over it, so a reader (or a crash) sees the old file or the new one, never half of one.
    No fsync: an import is run again after a crash, and finds what it wrote."""
    folder = path.parent
    if folder not in _made:
        folder.mkdir(parents=True, exist_ok=True)
        _made.add(folder)
    tmp = folder / f".{path.name}.{os.getpid()}.{next(_serial)}.part"
    data = text.encode("utf-8")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileNotFoundError:  # the folder went away since: made again, once
        _made.discard(folder)
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_source(source: str, settings: Settings, *, fetch=None) -> list[Found]:
    """The posts one source holds. Raises SourceError naming the source."""
    from .sources import load

    return load(source, settings, fetch=fetch)


def _read_all(settings: Settings, sources: list[str], fetch, preloaded: dict) -> list:
    """What each source holds (or its SourceError), in order; remote ones fetched several at
    a time over one session, as an old site far away answers slowly."""
    from concurrent.futures import ThreadPoolExecutor

    from .sources import is_url

    http = None
    if fetch is None and sum(is_url(s) for s in sources if s not in preloaded) > 1:
        from functools import partial

        from .fetch import fetch_url, session

        http = session()
        fetch = partial(fetch_url, http=http)

    def one(source: str):
        try:
            return preloaded.get(source) or read_source(source, settings, fetch=fetch)
        except SourceError as exc:
            return exc

    try:
        if len(sources) < 2:
            return [one(s) for s in sources]
        with ThreadPoolExecutor(min(8, len(sources))) as pool:
            return list(pool.map(one, sources))
    finally:
        if http is not None:
            http.close()


def import_sources(settings: Settings, sources: list[str], *,
                   date_by_order: dt.date | None = None, dry_run: bool = False,
                   fetch=None, preloaded: dict | None = None,
                   audio: str | None = None, now: dt.datetime | None = None) -> ImportReport:
    """Import every source; posts already there are merged, not duplicated. ``preloaded``
    maps sources already read and parsed to what they hold. ``audio`` ('download' or
    'keep-url', default: the config's import_audio) says what a podcast feed's audio becomes.
    An item dated more than a day after ``now`` (default: the clock) is flagged."""
    report = ImportReport()
    now = now or dt.datetime.now(dt.UTC)
    found: list[Found] = []
    for source, got in zip(sources, _read_all(settings, sources, fetch, preloaded or {}),
                           strict=True):
        if isinstance(got, SourceError):
            report.errors.append(str(got))
            continue
        from .wordpress import WordPressExport, add_export

        if isinstance(got, list):
            found += got
        elif isinstance(got, WordPressExport):  # posts, and perhaps episodes
            found += add_export(settings, got, source, report, dry_run=dry_run, now=now,
                                keep_url=(audio or settings.config.import_audio) == "keep-url")
        else:
            from .episodes import import_podcast

            import_podcast(settings, got, source, report, dry_run=dry_run, now=now,
                           keep_url=(audio or settings.config.import_audio) == "keep-url")
    posts_dir = settings.posts_dir
    zone = settings.config.site.timezone
    # (a podcast feed alone: no posts to match)
    known = _known_posts(posts_dir, zone) if found else []
    undated = sorted((f for f in found if f.date is None), key=lambda f: f.order)
    dates: dict[int, dt.datetime] = {}
    if date_by_order is not None:
        # newest first, as the old blog listed them: the first post of the first page gets
        # the date given, each one after it a day earlier
        # (a post's place counts pages: page 49 of an index of five posts a page starts 240
        # posts, so 240 days, after page 1's first)
        start = dt.datetime(date_by_order.year, date_by_order.month, date_by_order.day, 12, 0)
        per_page: dict[tuple[str, int], int] = {}
        for f in undated:
            key = (f.source, f.order[0])
            per_page[key] = per_page.get(key, 0) + 1
        size = max(per_page.values(), default=1)
        for f in undated:
            place = max(f.order[0] - 1, 0) * size + f.order[1]
            try:
                when = start - dt.timedelta(days=place)
            except OverflowError:  # page 10**12 of an index: before any calendar
                continue
            if YEARS[0] <= when.year <= YEARS[1]:
                dates[id(f)] = when
    taken = taken_slugs(k.path for k in known)
    shingled = [(f, _shingles(f.body)) for f in found]
    with_images = []  # posts written whose images are to be downloaded (WordPress exports)
    index = _Index(known, [sh for _, sh in shingled])
    written: dict[Path, tuple[Found, dt.datetime]] = {}  # this run's posts, to combine into
    from .record import Records, deleted_reason, identities, source_key
    from .twins import Here, Twins

    records = Records(settings)
    hit: set[str] = set()  # the recorded files this run's items named
    by_source: dict[str, set[str]] = {}  # source -> the files recorded for its items
    made: list[tuple[dict, Found, dt.datetime | None, str]] = []  # created: to check for twins
    here = [Here(_rel(k.path, settings), k.title, k.when, k.origin) for k in known]
    by_path = {k.path: k for k in known}
    keys: dict[str, str] = {}  # source -> its one name (a path resolved once a source)
    origins: dict[str, str] = {}  # source -> its address as imported_from writes it
    for f, shingles in shingled:
        entry = {"title": f.title, "source": f.source, **({"guid": f.guid} if f.guid else {})}
        if f.line:
            entry["line"] = f.line
        fields = f.fields or _text_fields(f)
        if not f.body.strip():
            reason = "the entry has no text"
            report.skipped.append({**entry, "guid": f.guid, "reason": reason,
                                   **fields.all_dropped(reason).to_dict()})
            continue
        rare = index.rare(shingles)
        date = f.date or dates.get(id(f))
        if f.source not in keys:
            keys[f.source] = source_key(f.source, settings)
            by_source[f.source] = records.files_of(keys[f.source])
            origins[f.source] = clean(_redacted(f.source))
        origin = origins[f.source]
        instant = _instant(date, zone)  # (asked for once an item: four uses below)
        ident = records.once_all(identities(keys[f.source], guid=f.guid,
                                            link=f.old_link, title=f.title, date=instant))
        record = records.find(ident)
        if record is not None:
            hit.add(record["file"])
        candidates = index.candidates(f.guid, rare, (origin, _title_key(f.title)))
        match, clash = None, None
        if record is not None:  # written by an earlier import: that file, whatever it holds now
            match = by_path.get(settings.root / record["file"])
        recorded = match is not None
        if match is None:
            match, clash = _match(f, shingles, candidates)
        if match is None and clash is None:  # its words rewritten by the author: its origin
            match = _same_item(f, origin, instant, candidates)
        if match is not None and not recorded and record is not None \
                and _rel(match.path, settings) in records.all_files:
            # its own file is gone, and this one was written for another item (a namesake of
            # the same day, a twin in words): its record, not its title or words, says it
            match, clash = None, None
        if match is None and record is not None:  # the author deleted it: it stays deleted
            reason = deleted_reason(record["file"])
            report.skipped.append({**entry, "reason": reason, "deleted": record["file"],
                                   **fields.all_dropped(reason).to_dict()})
            continue
        if match is not None and not dry_run and match.found_in is None:
            records.put_all(ident, _rel(match.path, settings), f.guid)
        if clash is not None:  # the old feed gave two different entries one guid
            f.guid = None  # the first keeps it; this one gets its own when collected
            doubt = (f"the old feed gave this entry the same guid as {_rel(clash.path, settings)}"
                     "; that one keeps it, this one gets a new guid")
            fields.kept = [k for k in fields.kept if k != "guid"]
            fields.change("guid", doubt)
        else:
            doubt = None
        if match is not None:
            entry["file"] = _rel(match.path, settings)
            hit.add(entry["file"])
            merged = {**entry, **fields.all_dropped(
                f"already imported: {entry['file']} is this post").to_dict()}
            report.merged.append(merged)
            if not recorded and not f.derived_title \
                    and _title_key(f.title) != _title_key(match.title):
                by = "guid" if f.guid and match.guid == f.guid else "words"
                report.flagged.append({**entry, "reason": (
                    f"the source's {f.title!r} was taken by its {by} for this post, titled "
                    f"{match.title!r}, and merged into it: if they are two posts, import this "
                    "source again into an empty posts/ folder and copy that one over")})
            if match.path in written:  # written by this run: the two versions make one
                before, when = written[match.path]
                both, when, combined = _combine(before, when, f)
                if combined:
                    merged["combined"] = combined
                    written[match.path] = (both, when)
                    match.shingles = match.shingles | shingles
                    if not dry_run:
                        _write_atomic(match.path, post_text(both, when))
            elif len(shingles - match.shingles) > max(len(shingles) // 5, 1):
                reason = (f"this source has text that {entry['file']} lacks (the file was "
                          "kept as it is); compare the two and copy over what is missing")
                report.flagged.append({**entry, "reason": reason})
                if not dry_run:  # where the author will see it, as for a post written
                    add_review(match.path, "the old source has text this post lacks; compare "
                               "the two and copy over what is missing")
            continue
        if date is None:
            entry["reason"] = ("no date on the page; run again with --date-by-order DATE to date "
                               "undated posts by their order on the pages")
            if f.date_text is not None or f.fields is not None:  # a feed's item
                entry["reason"] = date_problem(
                    f.date_field, f.date_text, f.line,
                    "correct it in the source, or run again with --date-by-order DATE")
            report.skipped.append({**entry, **fields.all_dropped(entry["reason"]).to_dict()})
            continue
        stem = free_stem(date, f.slug or f.title, taken)
        path = posts_dir / f"{stem}.md"
        later = None if f.extra.get("draft") else future_doubt(instant, now)
        if later is None and f.updated is not None and future_doubt(f.updated, now):
            later = (f"updated {f.updated:%Y-%m-%d}, after today: the feeds leave that "
                     "date out until then; fix that date, or remove it")
        f.reviews = [r for r in (doubt, f.doubt, later) if r]
        text = post_text(f, date)
        if not dry_run:
            try:
                _write_atomic(path, text)
            except OSError as exc:  # a full disk, a read-only folder: named, the rest goes on
                report.errors.append(f"{_rel(path, settings)}: cannot write it "
                                     f"({exc.strerror or exc}); {f.title!r} was not imported")
                continue
        index.add(_Known(path, f.title, shingles, f.guid, f.source, origin=origin,
                         when=instant), rare)
        entry["file"] = _rel(path, settings)
        if not dry_run:
            records.put_all(ident, entry["file"], f.guid)
        written[path] = (f, date)
        if f.date is None:
            entry["dated_by_order"] = date.strftime("%Y-%m-%d")
            fields.kept = [k for k in fields.kept if k != "date"]
            fields.change("date", "none on the page: dated by its order (--date-by-order)")
        report.created.append({**entry, **fields.to_dict()})
        made.append((entry, f, instant, origin))
        if f.derived_title:
            report.flagged.append({**entry, "reason": "no title on the page: made from the "
                                   "opening sentence"})
        for reason in (doubt, f.doubt, later):
            if reason:
                report.flagged.append({**entry, "reason": reason})
        if f.attachments and not dry_run:
            with_images.append((f, stem, path, date, entry))
    twins = Twins(here)
    gone: dict[str, set[str]] = {}  # source -> its recorded files no item of this run named
    for entry, f, when, origin in made:  # what neither the record nor the words matched
        if f.source not in gone:
            gone[f.source] = by_source.get(f.source, set()) - hit
        for reason in twins.doubts(f.title, when, origin, gone[f.source], own=entry["file"]):
            report.flagged.append({**entry, "reason": reason})
            if not dry_run:
                add_review(settings.root / entry["file"], reason)
    if not dry_run:
        records.save()
    if with_images and (audio or settings.config.import_audio) != "keep-url":
        from .wpbody import fetch_images

        fetch_images(with_images, settings, report)
    return report.masked()


def _combine(first: Found, when: dt.datetime, other: Found):
    """One post met in two sources of one run (a feed of excerpts, a page of full text):
    the longer text, the real title, the guid and the source's own date, whichever gave
    them. (the post, its date, what was taken from ``other``)"""
    took = []
    both = first
    if len(_words(other.body)) > len(_words(first.body)):
        both = replace(both, body=other.body, attachments=other.attachments or both.attachments)
        took.append(f"text: the longer version, from {other.source}")
    if not both.guid and other.guid:
        both = replace(both, guid=other.guid)
        took.append(f"guid from {other.source}")
    if first.date is None and other.date is not None:
        both, when = replace(both, date=other.date), other.date
        took.append(f"date from {other.source}")
    if first.derived_title and not other.derived_title:
        both = replace(both, title=other.title, derived_title=False)
        took.append(f"title from {other.source}")
    if not both.summary and other.summary:
        both = replace(both, summary=other.summary)
    if other.tags and set(other.tags) - set(both.tags):
        both = replace(both, tags=[*both.tags, *(t for t in other.tags if t not in both.tags)])
        took.append(f"tags from {other.source}")
    return both, when, took


_REVIEW_LINE = re.compile(r"^review:[^\n]*\n(?![ \t])", re.M)


def add_review(path: Path, reason: str) -> None:
    """``reason`` into the ``review:`` of a post already there (its front matter otherwise
    untouched: the author's file). Once: a reason it holds is not added again; a review: the
    author wrote over several lines is left alone."""
    try:
        text = path.read_text(encoding="utf-8")
        fm, _, _ = split_front_matter(text, path.name)
        meta = yamlcheck.parse(fm, path.name) if fm is not None else None
    except (OSError, UnicodeDecodeError, CollectError, yamlcheck.YamlProblems):
        return  # a file that cannot be read as a post: the report says it all
    if not isinstance(meta, dict) or not text.startswith("---\n"):
        return
    before = meta.get("review")
    if before is not None and reason in str(before):
        return
    end = text.index("\n---", 3) + 1 if "\n---" in text[3:] else None
    if end is None:
        return
    head = text[4:end]
    line = dump_yaml({"review": f"{before}; {reason}" if before else reason})
    if before is None:
        head = head + line
    elif _REVIEW_LINE.search(head):
        head = _REVIEW_LINE.sub(lambda _: line, head, count=1)
    else:
        return
    from contextlib import suppress

    with suppress(OSError):  # (the report names the flag; the file stays as it was)
        _write_atomic(path, "---\n" + head + text[end:])


def post_text(found: Found, date: dt.datetime | None) -> str:
    """A post's file: its front matter, then its body."""
    return f"---\n{_front_matter(found, date)}---\n\n{clean(found.body).strip()}\n"


class _Index:
    """The known posts, found again by their rarer word 5-grams, so each new post is compared
    only with the few that could be it, not with every post (an import of thousands of posts
    stays linear). A 5-gram in more than COMMON posts of the batch (a signature, a stock
    phrase) finds no candidates; a post made only of such 5-grams is compared with all."""

    COMMON = 20

    def __init__(self, known: list[_Known], incoming: list[set[int]]):
        from collections import Counter
        from itertools import chain

        # (counted in C: a generator here cost as much as the rest of the index)
        self.df = Counter(chain.from_iterable([*(k.shingles for k in known), *incoming]))
        self.posts: list[_Known] = []
        self.by_shingle: dict[int, list[int]] = {}
        self.by_guid: dict[str, list[int]] = {}
        self.by_origin: dict[tuple[str, str], list[int]] = {}  # (imported_from, title)
        self.plain: list[int] = []  # posts with no rare 5-gram: always candidates
        for k in known:
            self.add(k)

    def rare(self, shingles: set[int]) -> list[int]:
        """The post's 5-grams that few posts of the batch share (looked up once a post)."""
        df, common = self.df, self.COMMON
        return [h for h in shingles if df[h] <= common]

    def add(self, k: _Known, rare: list[int] | None = None) -> None:
        n = len(self.posts)
        self.posts.append(k)
        rare = self.rare(k.shingles) if rare is None else rare
        for h in rare:
            self.by_shingle.setdefault(h, []).append(n)
        if not rare:
            self.plain.append(n)
        if k.guid:
            self.by_guid.setdefault(k.guid, []).append(n)
        if k.origin:
            self.by_origin.setdefault((k.origin, _title_key(k.title)), []).append(n)

    def candidates(self, guid: str | None, rare: list[int],
                   origin: tuple[str, str] | None = None) -> list[_Known]:
        if not rare:
            return self.posts
        found = set(self.plain)
        for h in rare:
            found.update(self.by_shingle.get(h, ()))
        if guid:
            found.update(self.by_guid.get(guid, ()))
        if origin:
            found.update(self.by_origin.get(origin, ()))
        return [self.posts[n] for n in sorted(found)]


def _match(f: Found, shingles: set[int], known: list[_Known]):
    """(the known post ``f`` is, or None; a post of the same source with ``f``'s guid but other
    words, or None). Two entries of one page or feed are two posts, however alike (a seller's
    two ads); the same post is recognised across sources, and against what is in posts/."""
    clash = None
    for k in known:
        same_source = k.found_in == f.source
        if f.guid and k.guid == f.guid:
            if not same_source or _similar(shingles, k.shingles) >= SAME_POST:
                return k, None
            clash = clash or k
        elif not same_source and _alike(f, shingles, k):
            return k, None
    return None, clash


def _same_item(f: Found, origin: str, when: dt.datetime | None,
               known: list[_Known]) -> _Known | None:
    """The post in posts/ that an earlier import wrote from this same source item, whatever
    its words now (the author may rewrite or empty a post): its front matter names this
    source, with the item's title and date, and no other guid. Posts of this run are not
    looked at: two entries of one page are two posts."""
    if when is None:
        return None
    key = _title_key(f.title)
    for k in known:
        if (k.found_in is None and k.origin == origin and k.when == when
                and _title_key(k.title) == key and not (f.guid and k.guid and f.guid != k.guid)):
            return k
    return None


def _title_key(title: str) -> str:
    return " ".join(_WORD.findall(title.lower()))


def _alike(f: Found, shingles: set[int], k: _Known) -> bool:
    """Whether ``f`` is the known post by its words. Under one title, the shorter version
    held in the longer is enough (an excerpt and the full text, however short the excerpt).
    Under two titles, sharing most words is not: two issues of a newsletter share a long
    standing intro and differ in one line of news; they are one post only if every word of
    the shorter is in the longer (one version with a subtitle or a signature added)."""
    if f.derived_title:  # a title made from the opening sentence says nothing either way
        return _similar(shingles, k.shingles) >= SAME_POST
    if _title_key(f.title) == _title_key(k.title) and shingles and k.shingles:
        small = min(len(shingles), len(k.shingles))
        return len(shingles & k.shingles) / small >= SAME_POST
    return _similar(shingles, k.shingles) >= RETITLED


def _rel(path: Path, settings: Settings) -> str:
    root, text = str(settings.root) + os.sep, str(path)
    if text.startswith(root):  # (what relative_to gives, without its parsing: once a post)
        return text[len(root):].replace(os.sep, "/")
    try:
        return path.relative_to(settings.root).as_posix()
    except ValueError:
        return str(path)


def from_text(text: str, source: str) -> list[Found]:
    try:
        page = parse_text_export(text)
    except ExportError as exc:
        where = f"{source}:{exc.line}" if exc.line else source
        raise SourceError(f"{where}: {exc}") from None
    number = page.page or 0
    out = []
    for post in page.posts:
        out.append(_found(post, source if page.page is None else f"{source} (page {number})",
                          number))
    return out


def _text_fields(f: Found) -> Fields:
    """What became of the fields of a post read from a page (text export or HTML)."""
    fields = Fields()
    if f.derived_title:
        fields.change("title", "no title on the page: made from the opening sentence")
    else:
        fields.keep("title")
    if f.date is not None:
        fields.keep("date")
    fields.keep("body")
    if f.tags:
        fields.keep("tags")
    return fields


def _found(post: TextPost, source: str, page: int) -> Found:
    return Found(post.title, post.body, source, post.date, post.derived_title,
                 order=(page, post.order), doubt=post.doubt, tags=post.tags)
