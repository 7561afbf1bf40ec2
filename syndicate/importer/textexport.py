"""Text exports of an old blog: index pages, monthly archive pages and single-post pages.

The old blog printed three kinds of page, and a text export keeps only their lines:

- an index page: several posts one after another, each a title line then paragraphs, and at
  the end a ``Page N of M`` line and a strip of page numbers run together (``123452``);
- a monthly archive page: an ``Archive for <Month>, <Year>`` heading, then for each post a
  month/day date header (``March 12``) and its text, often with no title, and lines of bare
  commas where the tags were;
- a single-post page: one post, ending with its comment count (``No Comments``, ``3 Comments``).

Posts are split where posts begin, never at a subheading inside a post: a short heading-like
line starts a post only after a post-sized run of paragraphs (a Q&A post's questions come a
paragraph or two apart), and a line repeating the post's own title (a closing rhetorical
question) never starts one. Page furniture is dropped; lists and footnotes become Markdown.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from ..when import MIN_YEAR

MIN_POST_PARAGRAPHS = 5  # a post runs at least this long before the next title can begin
MAX_TITLE = 120
YEARS = (MIN_YEAR, 2999)  # an old post's or episode's date lies between these years

_PAGE = re.compile(r"^Page\s+(\d+)\s+of\s+(\d+)\s*$", re.I)
_STRIP = re.compile(r"^[\d\s«»‹›…←→.|/-]+$")
_ARCHIVE = re.compile(r"^Archive for\s+([A-Za-z]+),?\s+(\d{4})\s*$", re.I)
_COMMENTS = re.compile(r"^(No|One|\d+)\s+Comments?\s*$|^Comments?\s+(are\s+)?(off|closed)\b",
                       re.I)
_COMMAS = re.compile(r"^[\s,]+$")
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_DAY_HEADER = re.compile(
    r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?"
    r"(?:(?P<m1>[A-Za-z]{3,9})\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
    r"|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m2>[A-Za-z]{3,9}))"
    r"(?:,?\s+(?P<y>\d{4}))?\s*$")
_BULLET = re.compile(r"^\s*(?:[•·▪‣◦*–-])\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
_NOTE_DEF = re.compile(r"^\[([ivxlc\d]{1,6}|\*)\]\s*(.+)$", re.I)
_NOTE_REF = re.compile(r"\[([ivxlc\d]{1,6}|\*)\]", re.I)
_SENTENCE_END = re.compile(r"[.,:;]$")


@dataclass
class TextPost:
    title: str
    body: str  # Markdown
    date: dt.datetime | None = None
    derived_title: bool = False  # made from the opening sentence: flag for review
    order: int = 0  # position on its page
    notes: list[str] = field(default_factory=list)


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


def _paragraphs(lines: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """Blocks of non-blank lines, with the line number where each starts."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for no, line in lines:
        if _blank(line):
            if current:
                blocks.append((start, current))
                current = []
        else:
            if not current:
                start = no
            current.append(line.rstrip())
    if current:
        blocks.append((start, current))
    return blocks


def _heading_like(block: list[str]) -> bool:
    if len(block) != 1:
        return False
    text = re.sub(r"(\[[^\]]{1,6}\])+$", "", block[0].strip())  # a footnote mark at the end
    if re.search(r"[.!?…]\s+[A-Z]", text):  # two sentences: a paragraph, not a heading
        return False
    return (0 < len(text) <= MAX_TITLE and not _SENTENCE_END.search(text)
            and not text[0].islower() and not _NOTE_DEF.match(text)
            and not _BULLET.match(text) and not _NUMBERED.match(text)
            and not text.startswith(("“", '"', "(", "‘")))


def _norm(text: str) -> str:
    """A line as compared with the post's title: case, spacing, quotes and punctuation aside,
    but not the signs that make it another title ("Salt & pepper" is not "Salt pepper")."""
    return re.sub(r"[^\w&+<>=%$#@/]+", " ", text).strip().lower()


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
        note = _NOTE_DEF.match(block[0].strip())
        if note and len(block) == 1:
            notes[note.group(1)] = note.group(2).strip()
            continue
        if all(_BULLET.match(line) for line in block):
            body.append("\n".join("- " + _escape(_BULLET.match(line).group(1))
                                  for line in block))
        elif all(_NUMBERED.match(line) for line in block):
            body.append("\n".join(f"{_NUMBERED.match(line).group(1)}. "
                                  + _escape(_NUMBERED.match(line).group(2)) for line in block))
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


def _closings(blocks: list[tuple[int, list[str]]]) -> list[bool]:
    """For each block, whether nothing but footnotes follows it before the next heading-like
    line (so a heading-like block there closes its post: a closing rhetorical question, a
    sign-off). One pass from the end: a page of many short lines stays linear."""
    closes = [True] * len(blocks)
    after = True
    for i in range(len(blocks) - 1, -1, -1):
        closes[i] = after
        block = blocks[i][1]
        if _heading_like(block):
            after = True
        elif not (len(block) == 1 and _NOTE_DEF.match(block[0].strip())):
            after = False
    return closes


def _split_posts(blocks: list[tuple[int, list[str]]]) -> list[tuple[str | None,
                                                                      list[list[str]]]]:
    """Split an index or single page's blocks into (title, body blocks)."""
    posts: list[tuple[str | None, list[list[str]]]] = []
    title: str | None = None
    body: list[list[str]] = []
    since = 0  # paragraphs since the last heading-like line (whether or not it began a post)
    closes = _closings(blocks)
    for i, (_, block) in enumerate(blocks):
        if _heading_like(block):
            text = block[0].strip()
            if title is None and not body:
                title = text
                since = 0
                continue
            closing = (_norm(text) == _norm(title or "")) or closes[i]
            if not closing and since >= MIN_POST_PARAGRAPHS:
                posts.append((title, body))
                title, body, since = text, [], 0
                continue
            body.append(block)
            if not closing:
                since = 0  # a subheading: the post goes on
            continue
        body.append(block)
        since += 1
    if title is not None or body:
        posts.append((title, body))
    return posts


def parse_text_export(text: str) -> TextPage:
    """Parse one exported page; raises ExportError when it holds no posts."""
    if "\x00" in text:
        raise ExportError("this is a binary file, not a text export")
    lines = [(i, line) for i, line in enumerate(text.splitlines(), 1)]
    if not any(not _blank(line) for _, line in lines):
        raise ExportError("the file is empty")
    page = pages = None
    kind = "single"
    archive: tuple[int, int] | None = None
    kept: list[tuple[int, str]] = []
    for no, line in lines:
        stripped = line.strip()
        m = _PAGE.match(stripped)
        if m:
            page, pages, kind = int(m.group(1)), int(m.group(2)), "index"
            continue
        if page is not None and _STRIP.match(stripped) and any(c.isdigit() for c in stripped):
            continue  # the strip of page numbers after "Page N of M"
        m = _ARCHIVE.match(stripped)
        if m and m.group(1).lower() in _MONTHS:
            archive, kind = (int(m.group(2)), _MONTHS[m.group(1).lower()]), "archive"
            continue
        if _COMMAS.match(stripped) and "," in stripped:
            continue  # where the tags were
        if _COMMENTS.match(stripped):
            continue
        kept.append((no, line))
    blocks = _paragraphs(kept)
    if kind == "archive":
        posts = _archive_posts(blocks, archive)
    else:
        posts = []
        for title, body in _split_posts(blocks):
            if not body:
                continue
            md = to_markdown(body)
            posts.append(TextPost(title or derive_title(md), md, derived_title=title is None))
    for n, post in enumerate(posts):
        post.order = n
    if not posts:
        raise ExportError("no posts found on this page (expected titles and paragraphs, an "
                          "'Archive for <Month>, <Year>' page, or a single post)")
    return TextPage(kind, posts, page, pages)


def _archive_posts(blocks, archive: tuple[int, int]) -> list[TextPost]:
    year, month = archive
    posts: list[TextPost] = []
    current: list[list[str]] | None = None
    when: dt.datetime | None = None
    for no, block in blocks:
        m = _DAY_HEADER.match(block[0].strip()) if len(block) == 1 else None
        mon = (m.group("m1") or m.group("m2")).lower() if m else None
        if m and mon in _MONTHS:
            if current:
                posts.append(_archive_post(current, when))
            day = int(m.group("d1") or m.group("d2"))
            try:
                when = dt.datetime(int(m.group("y") or year), _MONTHS[mon], day, 12, 0)
                if not YEARS[0] <= when.year <= YEARS[1]:
                    raise ValueError(when.year)
            except ValueError:
                raise ExportError(f"line {no}: {block[0].strip()!r} is not a date in "
                                  f"{calendar.month_name[month]} {year}", no) from None
            current = []
            continue
        if current is None:
            continue  # text before the first date header: the page's own heading
        current.append(block)
    if current:
        posts.append(_archive_post(current, when))
    return posts


def _archive_post(blocks: list[list[str]], when: dt.datetime | None) -> TextPost:
    title = None
    if len(blocks) > 1 and _heading_like(blocks[0]):
        title = blocks[0][0].strip()
        blocks = blocks[1:]
    md = to_markdown(blocks)
    return TextPost(title or derive_title(md), md, when, derived_title=title is None)
