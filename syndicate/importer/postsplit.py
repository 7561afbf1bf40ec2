"""Where posts begin on a page of the old blog's text export, from the signals around each
heading-like line (see ``split_posts``): never at a fixed count of paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Block = tuple[int, list[str] | None]  # (line it starts on, its lines; None: furniture)

SHORT_POST = 3  # paragraphs a post runs before a lone heading-like line may begin the next
LIST_ITEMS = 3  # this many short lines after a line ending in a colon: a list, not titles
LONG_ANSWER = 5  # a Q&A post's answers run shorter: a question after this many begins a post
MAX_TITLE = 120

BULLET = re.compile(r"^\s*(?:[•·▪‣◦*–-])\s+(.*)$")
NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
NOTE_DEF = re.compile(r"^\[([ivxlc\d]{1,6}|\*)\]\s*(.+)$", re.I)

_SENTENCE_END = re.compile(r"[.,:;]$")
_PERSONAL = {"you", "your", "yours", "you're", "you’re", "i", "we", "us", "our", "me", "my"}


def heading_like(block: list[str]) -> bool:
    """One short line that does not end as a sentence does: a title, a subheading, a closing
    question or a list item that lost its bullet."""
    if len(block) != 1:
        return False
    text = re.sub(r"(\[[^\]]{1,6}\])+$", "", block[0].strip())  # a footnote mark at the end
    if re.search(r"[.!?…]\s+[A-Z]", text):  # two sentences: a paragraph, not a heading
        return False
    return (0 < len(text) <= MAX_TITLE and not _SENTENCE_END.search(text)
            and not text[0].islower() and not NOTE_DEF.match(text)
            and not BULLET.match(text) and not NUMBERED.match(text)
            and not text.startswith(("“", '"', "(", "‘")) and "=" not in text)


def _norm(text: str) -> str:
    """A line as compared with the post's title: case, spacing, quotes and punctuation aside,
    but not the signs that make it another title ("Salt & pepper" is not "Salt pepper")."""
    return re.sub(r"[^\w&+<>=%$#@/]+", " ", text).strip().lower()


def _question(text: str) -> bool:
    return text.rstrip().endswith("?")


def _reader_question(text: str) -> bool:
    """A short question put to the reader ("What do you think?", "Would I do it again?"): it
    closes a post rather than beginning one. A title names things (capitals past the first
    word); a closing question does not."""
    words = re.findall(r"[\w’']+", text)
    return (_question(text) and len(words) <= 6
            and any(w.lower() in _PERSONAL for w in words)
            and not any(w[0].isupper() and w != "I" for w in words[1:]))


def _kinds(blocks: list[Block]) -> list[str]:
    out = []
    for _, block in blocks:
        if block is None:
            out.append("end")
        elif len(block) == 1 and NOTE_DEF.match(block[0].strip()):
            out.append("note")
        elif heading_like(block):
            out.append("head")
        else:
            out.append("para")
    return out


@dataclass
class Draft:
    title: str | None
    line: int
    body: list[list[str]] = field(default_factory=list)
    paragraphs: int = 0  # paragraphs and lists, subheadings and footnotes aside
    section: int = 0  # paragraphs since the last subheading
    questions: int = 0  # subheadings that are questions (a Q&A post)
    headings: set[str] = field(default_factory=set)  # its title and subheadings, normalised
    subheadings: int = 0
    guess: tuple[int, str] | None = None  # a lone subheading that may be a post's title

    @property
    def doubt(self) -> str | None:
        """What a person should check: a post with one subheading, a few paragraphs in, may
        be two posts (a newsletter titled "March 2020" after a short post)."""
        if self.guess is None or self.subheadings != 1:
            return None
        line, text = self.guess
        return (f"line {line}: {text!r} was read as a subheading of this post; if it is the "
                "title of a post of its own, split the post there")

    def __post_init__(self) -> None:
        if self.title:
            self.headings.add(_norm(self.title))


def split_posts(blocks: list[Block]) -> list[Draft]:
    """Split an index page's blocks (``None``: furniture that ends a post) into posts.

    A heading-like line begins a post when the signals around it say so:
    - after furniture (a comment count, "Read more", a share line) or a post's footnotes;
    - two heading-like lines in a row before the text: a title and its subtitle (unless the
      first is a question put to the reader, which closes the post before);
    - a lone heading-like line after a post-sized run (``SHORT_POST`` paragraphs, a short post
      perhaps ending in a colon where a list was lost) of a post with no subheadings yet; in a
      Q&A post (question subheadings a few paragraphs apart), a statement (its subheadings
      are questions), or a question after or before ``LONG_ANSWER`` paragraphs.
    It never does inside a list that lost its bullets (``LIST_ITEMS`` or more short lines, no
    question among them, after a line ending in a colon), when it repeats the post's title or
    one of its questions, or when nothing but footnotes or furniture follows it (a closing
    line). Every other block stays in the post it is in. What this cannot tell apart: a short
    post right after a Q&A post, with no sign between them, reads as one more question of it."""
    kinds = _kinds(blocks)
    posts: list[Draft] = []
    cur: Draft | None = None
    ended = "furniture"  # what has just ended a post: "furniture" (or the page's start),
    # "notes" (its footnotes), or "" (it goes on)

    def start(title: str | None, line: int) -> Draft:
        nonlocal cur, ended
        cur = Draft(title, line)
        posts.append(cur)
        ended = ""
        return cur

    i, n = 0, len(blocks)
    while i < n:
        no, block = blocks[i]
        kind = kinds[i]
        if kind == "end":
            if cur is not None and cur.body:
                ended = "furniture"
            i += 1
            continue
        if kind in ("note", "para"):
            if cur is None or (ended == "furniture" and kind == "para"):
                start(None, no)
            if kind == "note":
                cur.body.append(block)
                if cur.paragraphs:
                    ended = "notes"
            else:
                cur.body.append(block)
                cur.paragraphs += 1
                cur.section += 1
                ended = ""
            i += 1
            continue
        j = i
        while j < n and kinds[j] == "head":
            j += 1
        run = [(no_, b[0].strip()) for no_, b in blocks[i:j]]
        if (j - i >= LIST_ITEMS and i and kinds[i - 1] == "para"
                and blocks[i - 1][1][-1].endswith(":")
                and not any(_question(text) for _, text in run)):
            cur.body += [[text] for _, text in run]  # a list that lost its bullets
            cur.paragraphs += 1
            cur.section += 1
            i = j
            continue
        follows = kinds[j] if j < n else "end"
        following = 0  # paragraphs after the run before the next heading or furniture
        k = j
        while k < n and kinds[k] == "para":
            following += 1
            k += 1
        _place_run(run, follows, following, cur, ended, start)
        cur = posts[-1] if posts else None
        ended = ""
        i = j
    return posts


def _place_run(run: list[tuple[int, str]], follows: str, following: int, cur: Draft | None,
               ended: str, start) -> None:
    """Give a run of heading-like lines to the post they close, the post they begin, or both:
    ``follows`` is the kind of block after the run, ``following`` the paragraphs after it
    before the next heading-like line, ``start(title, line)`` begins a post."""
    def keep(lines: list[tuple[int, str]], subheading: bool) -> None:
        for _, text in lines:
            cur.body.append([text])
            if subheading:
                cur.subheadings += 1
                cur.questions += _question(text)
                cur.section = 0
                cur.headings.add(_norm(text))

    if cur is not None and cur.body and follows in ("end", "note") and ended != "furniture":
        keep(run, False)  # closing lines: nothing but footnotes or furniture after them
        return
    if cur is None or not cur.body or ended:
        if cur is not None and not cur.body and cur.title is not None:
            keep(run, False)  # after a title with no text yet: subtitles
            return
        (line, title), rest = run[0], run[1:]
        cur = start(title, line)
        keep(rest, False)
        return
    closing = 0
    while closing < len(run) and (_norm(run[closing][1]) in cur.headings
                                  or (closing == 0 and len(run) > 1
                                      and _reader_question(run[0][1]))):
        closing += 1
    keep(run[:closing], False)
    run = run[closing:]
    if not run:
        return
    if closing or len(run) > 1:
        (line, title), rest = run[0], run[1:]
        cur = start(title, line)
        keep(rest, False)
        return
    (line, text), = run
    if _norm(text) in cur.headings:
        keep(run, False)  # a question of the post asked again
        return
    if cur.questions:
        begins = (cur.section >= LONG_ANSWER or following >= LONG_ANSWER
                  or (not _question(text) and cur.section >= 1))
    else:
        begins = cur.paragraphs >= SHORT_POST
    if begins:
        start(text, line)
    else:
        if (not cur.questions and not cur.subheadings
                and not re.search(r"[,;!?]", text)):  # a title, not an exclamation
            cur.guess = (line, text)
        keep(run, True)


def one_post(blocks: list[Block]) -> Draft:
    """A single-post page: its first line is the title when it looks like one."""
    text = [(no, b) for no, b in blocks if b is not None]
    if heading_like(text[0][1]) and len(text) > 1:
        return Draft(text[0][1][0].strip(), text[0][0], [b for _, b in text[1:]])
    return Draft(None, text[0][0], [b for _, b in text])
