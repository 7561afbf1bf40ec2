"""Text exports of an old blog: index pages, monthly archive pages and single-post pages.

The old blog printed three kinds of page, and a text export keeps only their lines:

- an index page: several posts one after another, each a title line (perhaps over a subtitle
  line) then paragraphs, maybe furniture between them ("Read more", comment counts, share
  lines), and at the end a ``Page N of M`` line and a strip of page numbers (``123452``);
- a monthly archive page: a heading naming the month and year (``Archive for March, 2019``,
  ``Monthly Archives: June 2021``), then for each post a date, either on one line (``March
  12``) or as a badge of the month over the day (``Jun``, then ``30``, perhaps the year), and
  its text, often with no title, and lines of bare commas where the tags were;
- a single-post page: one post, ending with its comment count (``No Comments``, ``3 Comments``).

Posts are split where the signals around a heading-like line say one begins (see
``postsplit.split_posts``), not at a fixed count of paragraphs: furniture or footnotes before
it, a subtitle after it, the length of the post so far and whether that post is a Q&A post. A
subheading, a closing question or a line repeating one of the post's headings stays in its
post. Page furniture is dropped; every other word lands in exactly one post; lists and
footnotes become Markdown.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from ..when import MIN_YEAR
from .postsplit import BULLET, NOTE_DEF, NUMBERED, Block, heading_like, one_post, split_posts

YEARS = (MIN_YEAR, 2999)  # an old post's or episode's date lies between these years

_PAGE = re.compile(r"^Page\s+(\d+)\s+of\s+(\d+)\s*$", re.I)
_STRIP = re.compile(r"^[\d\s«»‹›…←→.|/-]+$")
_ARCHIVE = re.compile(r"^Archive for\s+([A-Za-z]+),?\s+(\d{4})\s*$", re.I)
# the other spellings of a monthly archive's heading, on the page's first line
_ARCHIVE_TOP = re.compile(r"^(?:(?:Monthly\s+)?Archives?(?:\s+(?:for|of))?\s*:?|Month\s*:)?"
                          r"\s*([A-Za-z]+),?\s+(\d{4})\s*$", re.I)
_COMMENTS = re.compile(r"^(No|One|\d+)\s+Comments?\s*$|^Comments?\s+(are\s+)?(off|closed)\b",
                       re.I)
_COMMAS = re.compile(r"^[\s,]+$")
# furniture between posts, dropped (it ends the post before it): "Read more" links, share
# buttons, the links to older and newer pages
_SITES = r"(?:facebook|twitter|x|linkedin|whatsapp|pinterest|reddit|telegram|pocket|tumblr)"
_FURNITURE = re.compile(
    r"^(?:read\s+more|continue\s+reading|leave\s+a\s+(?:comment|reply)|share\s+this:?"
    rf"|like\s+this:?|like\s+loading|(?:click\s+to\s+)?(?:share\s+on\s+)?{_SITES}"
    r"|(?:click\s+to\s+)?(?:tweet|email|print)(?:\s+a\s+link\s+to\s+a\s+friend)?"
    r"|(?:«|‹|←)?\s*(?:older|newer)\s+(?:posts|entries)\s*(?:»|›|→)?)"
    r"\s*(?:[.…»›→]+|\(opens in new window\))?$", re.I)
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_DAY_HEADER = re.compile(
    r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?"
    r"(?:(?P<m1>[A-Za-z]{3,9})\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
    r"|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m2>[A-Za-z]{3,9}))"
    r"(?:,?\s+(?P<y>\d{4}))?\s*$")
_NOTE_REF = re.compile(r"\[([ivxlc\d]{1,6}|\*)\]", re.I)


@dataclass
class TextPost:
    title: str
    body: str  # Markdown
    date: dt.datetime | None = None
    derived_title: bool = False  # made from the opening sentence: flag for review
    order: int = 0  # position on its page
    line: int = 0  # the line where it begins (its title, or its date on an archive page)
    notes: list[str] = field(default_factory=list)
    doubt: str | None = None  # what a person should check about where the post was split
    tags: list[str] = field(default_factory=list)  # an archive post's line of tags


@dataclass
class TextPage:
    kind: str  # "index", "archive" or "single"
    posts: list[TextPost]
    page: int | None = None
    pages: int | None = None


class ExportError(ValueError):
    """The text is not a page of the old blog (with a line number where there is one)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _blank(line: str) -> bool:
    return not line.replace("\u00a0", " ").strip()


def _paragraphs(lines: list[tuple[int, str | None]]) -> list[Block]:
    """Blocks of non-blank lines, with the line number where each starts; a ``None`` line
    (furniture) ends the block before it and stands as a block of its own (one for a run)."""
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    for no, line in lines:
        if line is None or _blank(line):
            if current:
                blocks.append((start, current))
                current = []
            if line is None and (not blocks or blocks[-1][1] is not None):
                blocks.append((no, None))
        else:
            if not current:
                start = no
            current.append(line.rstrip())
    if current:
        blocks.append((start, current))
    return [part for block in blocks for part in _unglue(block)]


LONG_LINE = 150  # characters: longer than any hard wrap, so a line this long is a paragraph
TITLE_LINE = 60  # characters: a title above its subtitle with no blank line between


_ENDED = re.compile(r"[.!?:;…][\"'”’)\]]*\s*$|\[\^?\w{1,4}\]\s*$")  # a sentence's end


def _unglue(block: Block) -> list[Block]:
    """A block that is really several: paragraphs copied from a browser come one long line
    each with no blank line between (two lines past any wrap width say so), and a title may
    sit right on its subtitle (two short heading-like lines). Each becomes a block of its own.
    A hard-wrapped paragraph, however wide, has most lines end mid-sentence: it stays whole."""
    start, lines = block
    if lines is None:
        return [block]
    if (sum(len(line) > LONG_LINE for line in lines) >= 2
            and sum(not (_ENDED.search(line) or heading_like([line])) for line in lines)
            <= len(lines) // 10):  # a line or two with no end (a formula, a citation)
        return [(start + k, [line]) for k, line in enumerate(lines)]
    if (len(lines) == 2 and len(lines[0].strip()) <= TITLE_LINE
            and all(heading_like([line]) for line in lines)):
        return [(start, [lines[0]]), (start + 1, [lines[1]])]
    return [block]


def derive_title(body: str, limit: int = 60) -> str:
    """A title from a post's opening sentence, cut at a word boundary."""
    text = re.sub(r"\[\^[^\[\]]+\]|[*_`#>]", "", body.strip().split("\n\n")[0])
    text = re.sub(r"\s+", " ", text).strip()
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".")
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def to_markdown(blocks: list[list[str]]) -> str:
    """Paragraphs, lists and footnotes of a post as Markdown."""
    notes: dict[str, str] = {}
    body: list[str] = []
    for block in blocks:
        note = NOTE_DEF.match(block[0].strip())
        if note and len(block) == 1:
            notes[note.group(1)] = note.group(2).strip()
            continue
        if all(BULLET.match(line) for line in block):
            body.append("\n".join("- " + _escape(BULLET.match(line).group(1))
                                  for line in block))
        elif all(NUMBERED.match(line) for line in block):
            body.append("\n".join(f"{NUMBERED.match(line).group(1)}. "
                                  + _escape(NUMBERED.match(line).group(2)) for line in block))
        else:
            body.append(" ".join(_escape(line.strip()) for line in block))
    text = "\n\n".join(body)
    # every footnote mark in one pass (a page of thousands of notes stays linear)
    used = {m.group(1) for m in _NOTE_REF.finditer(text) if m.group(1) in notes}
    tail = "".join(f"\n\n[^{mark}]: {_escape(note)}" if mark in used
                   else f"\n\n{_escape(f'[{mark}] {note}')}" for mark, note in notes.items())
    text = _NOTE_REF.sub(lambda m: f"[^{m.group(1)}]" if m.group(1) in used else m.group(0),
                         text + tail)
    return text.strip() + "\n"


def _escape(line: str) -> str:
    """Keep text from turning into Markdown it never was (headings, quotes, stray HTML)."""
    line = line.replace("\u00a0", " ")
    line = re.sub(r"^(#{1,6}\s|>|\+\s|=+$|-{3,}$)", r"\\\1", line)
    line = re.sub(r"^(\d+)\.(\s)", r"\1\\.\2", line)
    return line.replace("<", "&lt;")


def parse_text_export(text: str) -> TextPage:
    """Parse one exported page; raises ExportError when it holds no posts."""
    if "\x00" in text:
        raise ExportError("this is a binary file, not a text export")
    lines = [(i, line) for i, line in enumerate(text.splitlines(), 1)]
    if not any(not _blank(line) for _, line in lines):
        raise ExportError("the file is empty")
    page = pages = None
    archive: tuple[int, int] | None = None
    kept: list[tuple[int, str | None]] = []  # None: furniture that ends a post
    comments = kept_text = False
    for no, line in lines:
        stripped = line.strip()
        top, kept_text = not kept_text, kept_text or bool(stripped)  # the page's first line?
        m = _PAGE.match(stripped)
        if m:
            page, pages = int(m.group(1)), int(m.group(2))
            kept.append((no, None))
            continue
        if page is not None and _STRIP.match(stripped) and any(c.isdigit() for c in stripped):
            continue  # the strip of page numbers after "Page N of M"
        m = _ARCHIVE.match(stripped) or (top and _ARCHIVE_TOP.match(stripped))
        if m and m.group(1).lower() in _MONTHS:
            archive = (int(m.group(2)), _MONTHS[m.group(1).lower()])
            continue
        if (_COMMAS.match(stripped) and "," in stripped) or _FURNITURE.match(stripped):
            kept.append((no, None))  # where the tags, "Read more" or share buttons were
            continue
        if _COMMENTS.match(stripped):
            comments = True
            kept.append((no, None))
            continue
        kept.append((no, line))
    blocks = _paragraphs(kept)
    badges = _badges(blocks)
    if archive is not None or badges:
        kind = "archive"
        posts = _archive_posts(blocks, archive, badges)
    else:
        text_at = [k for k, (_, b) in enumerate(blocks) if b is not None]
        single = (page is None and comments and text_at
                  and all(b is None for _, b in blocks[text_at[-1] + 1:])
                  and all(b is not None for _, b in blocks[:text_at[-1]]))
        kind = "index" if page is not None else "single"
        drafts = [one_post(blocks)] if single else split_posts(blocks)
        posts = []
        for d in drafts:
            if not d.body:
                if d.title is None:
                    continue
                d.body, d.title = [[d.title]], None  # a lone line: its words are kept
            md = to_markdown(d.body)
            posts.append(TextPost(d.title or derive_title(md), md,
                                  derived_title=d.title is None, line=d.line, doubt=d.doubt))
    for n, post in enumerate(posts):
        post.order = n
    if not posts:
        raise ExportError("no posts found on this page (expected titles and paragraphs, an "
                          "'Archive for <Month>, <Year>' page, or a single post)")
    return TextPage(kind, posts, page, pages)


def _day(line: str) -> int | None:
    return int(line) if re.fullmatch(r"\d{1,2}", line) and 1 <= int(line) <= 31 else None


def _month(line: str) -> int | None:
    word = line.rstrip(".").lower()
    return _MONTHS.get(word) or (9 if word == "sept" else None)


def _badges(blocks) -> dict[int, tuple[int, int, int | None, int]]:
    """Date badges of a monthly archive, the month over the day (``Jun``, then ``30``) and
    perhaps the year, on lines of their own: {index of the first block: (month, day, year or
    None, blocks it takes)}."""
    found: dict[int, tuple[int, int, int | None, int]] = {}
    single = [b[0].strip() if b is not None and len(b) == 1 else None for _, b in blocks]
    for i, (_, block) in enumerate(blocks):
        if block is None:
            continue
        parts = [x.strip() for x in block]
        taken = 1
        if len(parts) == 1:  # the badge's lines as blocks of their own
            k = i + 1
            while k < len(blocks) and len(parts) < 3 and single[k] is not None:
                parts.append(single[k])
                k += 1
        if len(parts) < 2:
            continue
        month, day = _month(parts[0]), _day(parts[1])
        if month is None or day is None:
            month, day = _month(parts[1]), _day(parts[0])  # the day over the month
        if month is None or day is None:
            continue
        year = (int(parts[2]) if len(parts) > 2 and re.fullmatch(r"\d{4}", parts[2])
                else None)
        if len(block) == 1:
            taken = 2 + (year is not None)
        elif len(block) != 2 + (year is not None):
            continue
        found[i] = (month, day, year, taken)
    return found


_YEAR_LINE = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")


def _page_year(blocks, before: int) -> int | None:
    """The year in the page's own heading (``Monthly Archives: June 2021``, ``June 2021``):
    a short line before the first post that names a month and a year."""
    for _, block in blocks[:before]:
        if block is None or len(block) != 1 or len(block[0].split()) > 8:
            continue
        words = re.findall(r"[A-Za-z]+", block[0])
        m = _YEAR_LINE.search(block[0])
        if m and any(w.lower() in _MONTHS for w in words):
            return int(m.group(1))
    return None


def _archive_posts(blocks, archive: tuple[int, int] | None, badges) -> list[TextPost]:
    posts: list[TextPost] = []
    current: list[list[str]] | None = None
    when: dt.datetime | None = None
    start = 0
    first = min([i for i, (_, b) in enumerate(blocks) if b is not None and (
        i in badges or (len(b) == 1 and _DAY_HEADER.match(b[0].strip())))], default=len(blocks))
    page_year = archive[0] if archive else _page_year(blocks, first)
    skip = 0
    for i, (no, block) in enumerate(blocks):
        if skip:
            skip -= 1
            continue
        if block is None:
            continue
        date = None
        if i in badges:
            month, day, year, taken = badges[i]
            skip = taken - 1
            date = (year or page_year, month, day)
            shown = " ".join(x.strip() for _, b in blocks[i:i + taken] for x in b)
        else:
            m = _DAY_HEADER.match(block[0].strip()) if len(block) == 1 else None
            mon = (m.group("m1") or m.group("m2")).lower() if m else None
            if m and mon in _MONTHS:
                date = (int(m.group("y")) if m.group("y") else page_year, _MONTHS[mon],
                        int(m.group("d1") or m.group("d2")))
                shown = block[0].strip()
        if date is not None:
            if current:
                posts.append(_archive_post(current, when, start))
            if date[0] is None:
                raise ExportError(f"the date {shown!r} has no year, and the page names "
                                  "none: add a line 'Archive for <Month>, <Year>' at its top "
                                  "(none of the page's posts was imported)", no)
            try:
                when = dt.datetime(date[0], date[1], date[2], 12, 0)
                if not YEARS[0] <= when.year <= YEARS[1]:
                    raise ValueError(when.year)
            except ValueError:
                raise ExportError(f"{shown!r} is not a date ({_why_no_date(*date)}); correct "
                                  "it on the page (none of the page's posts was imported)",
                                  no) from None
            current, start = [], no
            continue
        if current is None:
            continue  # text before the first date header: the page's own heading
        current.append(block)
    if current:
        posts.append(_archive_post(current, when, start))
    return posts


def _why_no_date(year: int, month: int, day: int) -> str:
    """Why (year, month, day) names no day: a month past 12, a day past the month's end, a
    year outside those an old post can have."""
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if not YEARS[0] <= year <= YEARS[1]:
        return f"the year {year} is outside {YEARS[0]}-{YEARS[1]}"
    days = calendar.monthrange(year, month)[1]
    return f"{calendar.month_name[month]} {year} has {days} days"


def _archive_post(blocks: list[list[str]], when: dt.datetime | None, line: int) -> TextPost:
    title = None
    if len(blocks) > 1 and heading_like(blocks[0]):
        title = blocks[0][0].strip()
        blocks = blocks[1:]
    tags: list[str] = []
    if len(blocks) > 1 and len(blocks[-1]) == 1 and _TAGS.match(blocks[-1][0].strip()):
        tags = [t.strip() for t in blocks[-1][0].split(",")]
        blocks = blocks[:-1]
    md = to_markdown(blocks)
    return TextPost(title or derive_title(md), md, when, derived_title=title is None,
                    line=line, tags=tags)


# an archive post's tag line: two or more short names between commas, no sentence
_TAGS = re.compile(r"^[^\W_][\w&'’ -]{0,30}(?:\s*,\s*[^\W_][\w&'’ -]{0,30}){1,14}$")
