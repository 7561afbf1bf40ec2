"""Hypothesis strategies that write the old blog's sources with known answers: text export
pages, HTML pages, RSS 2.0 and Atom feeds and podcast feeds, each in many spellings (encodings
with and without a byte order mark, declared Latin-1, CDATA or escaped markup, namespace
prefixes, comments and blank lines before the root). Each strategy draws ``(data, answer)``:
the bytes of the source and what an import must recover from it."""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import re
from dataclasses import dataclass, field
from html import escape

from hypothesis import strategies as st

LATIN = "abcdefghijklmnopqrstuvwxyzéèüößøñçåæ"
WIDE = LATIN + "łžωжшσ中文한글"  # not Latin-1: only where the encoding carries it
RESERVED = {m.lower() for m in [*calendar.month_name, *calendar.month_abbr,
                                *calendar.day_name, *calendar.day_abbr] if m} | {
    "page", "archive", "no", "one", "comments", "comment"}


SYMBOLS = ["&", "R&D", "<", ">", "5<6", "'quoted'", '"quoted"', "don't", "&amp;", "&lt;b&gt;"]


@dataclass
class Post:
    title: str
    body: list[str]  # paragraphs of plain words, each ending with a full stop
    date: dt.datetime | None = None  # aware, whole seconds
    guid: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class Episode:
    title: str
    guid: str
    date: dt.datetime
    url: str
    length: int
    ext: str
    duration: int  # whole seconds
    season: int | None = None
    number: int | None = None
    notes: str = ""


def words(alphabet: str, min_size: int = 1, max_size: int = 8):
    return st.lists(st.text(alphabet, min_size=2, max_size=9), min_size=min_size,
                    max_size=max_size)


@st.composite
def titles(draw, alphabet: str = LATIN):
    first = draw(st.text(LATIN[:26], min_size=4, max_size=9).filter(
        lambda w: w not in RESERVED))
    rest = draw(words(alphabet, 1, 6))
    if draw(st.booleans()):  # what must be escaped in markup, and survive it
        rest.insert(draw(st.integers(0, len(rest))), draw(st.sampled_from(SYMBOLS)))
    end = draw(st.sampled_from(["", "?", "!"]))
    return " ".join([first.capitalize(), *rest]) + end


@st.composite
def paragraphs(draw, alphabet: str = LATIN, min_size: int = 1, max_size: int = 4):
    out = []
    for _ in range(draw(st.integers(min_size, max_size))):
        ws = draw(words(alphabet, 3, 12))
        out.append(" ".join([ws[0].capitalize(), *ws[1:]]) + ".")
    return out


dates = st.builds(
    lambda d, minutes: d.replace(microsecond=0, tzinfo=dt.timezone(dt.timedelta(minutes=minutes))),
    st.datetimes(min_value=dt.datetime(1971, 1, 2), max_value=dt.datetime(2099, 12, 30)),
    st.integers(-12 * 60, 14 * 60))


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "iso-8859-1"]


def encode(text: str, encoding: str) -> bytes:
    """``utf-16`` and ``utf-8-sig`` put a byte order mark first."""
    return text.encode(encoding)


def declared(encoding: str) -> str:
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16",
            "iso-8859-1": "ISO-8859-1"}[encoding]


@st.composite
def prologs(draw, encoding: str, root: str):
    """What comes before the root element: the XML declaration (required but for UTF-8),
    comments, a stylesheet instruction, blank lines."""
    parts = []
    if encoding not in ("utf-8", "utf-8-sig") or draw(st.booleans()):
        quote = draw(st.sampled_from(['"', "'"]))
        parts.append(f"<?xml version={quote}1.0{quote} encoding={quote}"
                     f"{declared(encoding)}{quote}?>")
    for _ in range(draw(st.integers(0, 3))):
        parts.append(draw(st.sampled_from([
            "\n", "\n\n  ", f"<!-- exported {root} -->", "<!--<rss><item>not one</item>-->",
            '<?xml-stylesheet type="text/xsl" href="style.xsl"?>'])))
    return "".join(parts) + draw(st.sampled_from(["", "\n", "\r\n"]))


def markup(text: str, cdata: bool) -> str:
    """An HTML fragment as XML text: in CDATA, or escaped."""
    if cdata:
        return f"<![CDATA[{text}]]>"
    return escape(text, quote=False)


def html_body(paras: list[str]) -> str:
    return "".join(f"<p>{escape(p, quote=False)}</p>\n" for p in paras)


@st.composite
def blog_posts(draw, alphabet: str, min_size: int = 1, max_size: int = 5):
    n = draw(st.integers(min_size, max_size))
    out = []
    for i in range(n):
        out.append(Post(draw(titles(alphabet)), draw(paragraphs(alphabet)), draw(dates),
                        f"tag:old.example,2019:post-{i}-{draw(st.integers(0, 10**6))}",
                        draw(st.lists(st.text(LATIN[:26], min_size=3, max_size=8),
                                      max_size=3, unique=True))))
    return out


@st.composite
def rss_feeds(draw):
    encoding = draw(st.sampled_from(ENCODINGS))
    alphabet = LATIN if encoding == "iso-8859-1" else WIDE
    posts = draw(blog_posts(alphabet))
    c = draw(st.sampled_from(["content", "c", "enc"]))
    use_content = draw(st.booleans())
    cdata = draw(st.booleans())
    items = []
    for p in posts:
        when = draw(st.sampled_from([
            email.utils.format_datetime(p.date),
            email.utils.format_datetime(p.date.astimezone(dt.UTC), usegmt=True)]))
        body = markup(html_body(p.body), cdata)
        text = (f"<{c}:encoded>{body}</{c}:encoded>" if use_content
                else f"<description>{body}</description>")
        perma = draw(st.sampled_from(["", ' isPermaLink="false"']))
        cats = "".join(f"<category>{t}</category>" for t in p.tags)
        items.append(f"<item>\n  <title>{escape(p.title, quote=False)}</title>\n"
                     f"  <guid{perma}>{p.guid}</guid>\n  <pubDate>{when}</pubDate>{cats}\n"
                     f"  {text}\n</item>")
    doc = (draw(prologs(encoding, "rss"))
           + f'<rss version="2.0" xmlns:{c}="http://purl.org/rss/1.0/modules/content/">'
           "<channel><title>Old blog</title><link>https://old.example/</link>"
           "<description>An old blog</description>\n" + "\n".join(items)
           + "\n</channel></rss>\n")
    return encode(doc, encoding), posts


@st.composite
def atom_feeds(draw):
    encoding = draw(st.sampled_from(ENCODINGS))
    alphabet = LATIN if encoding == "iso-8859-1" else WIDE
    posts = draw(blog_posts(alphabet))
    prefix = draw(st.sampled_from(["", "atom:", "a:"]))
    ns = f'xmlns{":" + prefix[:-1] if prefix else ""}="http://www.w3.org/2005/Atom"'
    cdata = draw(st.booleans())
    t = prefix
    entries = []
    for p in posts:
        stamp = draw(st.sampled_from([p.date.isoformat(),
                                      p.date.astimezone(dt.UTC).isoformat().replace(
                                          "+00:00", "Z")]))
        cats = "".join(f'<{t}category term="{x}"/>' for x in p.tags)
        entries.append(
            f"<{t}entry>\n  <{t}title>{escape(p.title, quote=False)}</{t}title>\n"
            f"  <{t}id>{p.guid}</{t}id>\n  <{t}published>{stamp}</{t}published>\n"
            f"  <{t}updated>{stamp}</{t}updated>{cats}\n"
            f'  <{t}content type="html">{markup(html_body(p.body), cdata)}</{t}content>\n'
            f"</{t}entry>")
    doc = (draw(prologs(encoding, "feed")) + f"<{t}feed {ns}><{t}title>Old blog</{t}title>"
           f"<{t}id>urn:old-blog</{t}id><{t}updated>2020-01-01T00:00:00Z</{t}updated>\n"
           + "\n".join(entries) + f"\n</{t}feed>\n")
    return encode(doc, encoding), posts


def clock(seconds: int, style: str) -> str:
    if style == "seconds":
        return str(seconds)
    if style == "mm:ss" and seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@st.composite
def podcast_feeds(draw):
    """(bytes, (show guid, [Episode]))"""
    encoding = draw(st.sampled_from(ENCODINGS))
    alphabet = LATIN if encoding == "iso-8859-1" else WIDE
    it = draw(st.sampled_from(["itunes", "it", "i"]))
    pi = draw(st.sampled_from(["podcast", "pi"]))
    cdata = draw(st.booleans())
    n = draw(st.integers(1, 5))
    episodes = []
    items = []
    style = draw(st.sampled_from(["seconds", "mm:ss", "h:mm:ss"]))
    for i in range(n):
        ext = draw(st.sampled_from([".mp3", ".m4a"]))
        ep = Episode(draw(titles(alphabet)), f"show-ep-{i}-{draw(st.integers(0, 10**6))}",
                     draw(dates), f"https://old-host.example/audio/ep{i}{ext}",
                     draw(st.integers(1, 10**10)), ext, draw(st.integers(1, 5 * 3600)),
                     draw(st.none() | st.integers(1, 30)), draw(st.none() | st.integers(1, 500)),
                     " ".join(draw(paragraphs(alphabet, 1, 1))))
        episodes.append(ep)
        kind = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a"}[ext]
        extra = ""
        if ep.season:
            extra += f"<{it}:season>{ep.season}</{it}:season>"
        if ep.number:
            extra += f"<{it}:episode>{ep.number}</{it}:episode>"
        items.append(
            f"<item><title>{escape(ep.title, quote=False)}</title>"
            f'<guid isPermaLink="false">{ep.guid}</guid>'
            f"<pubDate>{email.utils.format_datetime(ep.date)}</pubDate>"
            f"<description>{markup(f'<p>{escape(ep.notes)}</p>', cdata)}</description>"
            f'<enclosure url="{ep.url}" length="{ep.length}" type="{kind}"/>'
            f"<{it}:duration>{clock(ep.duration, style)}</{it}:duration>{extra}</item>")
    show = f"{draw(st.uuids())}"
    doc = (draw(prologs(encoding, "rss"))
           + f'<rss version="2.0" xmlns:{it}="http://www.itunes.com/dtds/podcast-1.0.dtd" '
           f'xmlns:{pi}="https://podcastindex.org/namespace/1.0"><channel>'
           "<title>Old show</title><link>https://old-host.example/</link>"
           f"<description>An old show</description><{it}:author>Someone</{it}:author>"
           f"<{pi}:guid>{show}</{pi}:guid>\n" + "\n".join(items) + "\n</channel></rss>\n")
    return encode(doc, encoding), (show, episodes)


@st.composite
def html_pages(draw):
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "iso-8859-1"]))
    alphabet = LATIN if encoding == "iso-8859-1" else WIDE
    posts = draw(blog_posts(alphabet))
    meta = {"utf-8": '<meta charset="utf-8">', "utf-8-sig": "",
            "iso-8859-1": draw(st.sampled_from([
                '<meta charset="iso-8859-1">',
                '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">']))}
    arts = []
    for p in posts:
        tags = "".join(f'<a rel="tag" href="/tag/{t}">{t}</a> ' for t in p.tags)
        arts.append(
            f'<article class="post hentry"><header><h2 class="entry-title">'
            f'<a href="https://old.example/p/{abs(hash(p.guid))}">{escape(p.title)}</a></h2>'
            f'<time datetime="{p.date.isoformat()}">{p.date:%B %d, %Y}</time></header>'
            f'<div class="entry-content">{html_body(p.body)}</div>'
            f'<footer class="entry-meta">Tagged {tags}</footer>'
            '<div class="comments"><p>A comment left behind.</p></div></article>')
    lead = draw(st.sampled_from(["<!DOCTYPE html>", "<!doctype html>\n", ""]))
    doc = (f"{lead}<html><head>{meta[encoding]}<title>Old blog</title></head><body>"
           '<nav><a href="/">Home</a></nav>' + "\n".join(arts) + "</body></html>\n")
    return encode(doc, encoding), posts


@st.composite
def text_pages(draw):
    """An index page (titles, paragraphs, ``Page N of M``; undated) or a monthly archive page
    (a day header before each post, dated at noon)."""
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    archive = draw(st.booleans())
    n = draw(st.integers(1, 4))
    seen: set[str] = set()
    posts = []
    year, month = draw(st.integers(1995, 2030)), draw(st.integers(1, 12))
    days = sorted(draw(st.lists(st.integers(1, 28), min_size=n, max_size=n, unique=True)),
                  reverse=True)
    for i in range(n):
        # (a line ending as a sentence does is a paragraph, not a title, on these pages; a
        # line that is the post's title again, punctuation aside, closes that post)
        title = draw(titles(WIDE).filter(lambda t: t.lower().rstrip("?!") not in seen
                                         and not t.endswith((".", ",", ":", ";"))))
        seen.add(title.lower().rstrip("?!"))
        # a post of five paragraphs or more: any title may follow it
        body = draw(paragraphs(WIDE, 5, 7))
        when = dt.datetime(year, month, days[i], 12, 0) if archive else None
        posts.append(Post(title, body, when))
    lines = []
    if archive:
        lines += [f"Archive for {calendar.month_name[month]}, {year}", ""]
    for p in posts:
        if archive:
            lines += [draw(st.sampled_from([f"{p.date:%B} {p.date.day}",
                                            f"{p.date.day} {p.date:%B}",
                                            f"{p.date:%A}, {p.date:%B} {p.date.day}, {year}"])),
                      ""]
        lines += [p.title, ""]
        for para in p.body:
            lines += [para, ""]
        lines += [draw(st.sampled_from(["", " , , ", "No Comments", "3 Comments"])), ""]
    if not archive:
        total = draw(st.integers(2, 9))
        page = draw(st.integers(1, total))
        lines += [f"Page {page} of {total}", "".join(str(k) for k in range(1, total + 1))]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return encode(newline.join(lines) + newline, encoding), posts


# --- pages of the old blog's text export, assembled from post texts of our own -------------
#
# ``blog_page(rng)`` writes one page (an index page, a single-post page or a monthly archive)
# and knows its answer: where each post begins (the line of its title, or of its date on an
# archive page), its title (or the one made from its opening sentence), its date, and the
# words that are the post's (everything on the page but its furniture). Plain ``random`` so
# that the benchmark draws pages by seed; ``blog_pages()`` is the Hypothesis strategy.

VOCAB = [
    "practice", "garden", "river", "network", "meeting", "partner", "budget", "patient", "letter",
    "contract", "winter", "harbour", "council", "morning", "service", "clinic", "market", "kettle",
    "lantern", "meadow", "bridge", "system", "village", "doctor", "nurse", "reception", "surgery",
    "school", "orchard", "ledger", "ward", "funding", "board", "plan", "change", "trust", "voice",
    "table", "story", "answer", "problem", "question", "model", "team", "workload", "rota",
    "record", "habit", "visit", "bench", "window", "county", "station"
]
VERBS = [
    "builds", "changes", "needs", "keeps", "brings", "shapes", "makes", "finds", "holds", "leads",
    "moves", "opens", "asks", "tells"
]
SMALL = ["the", "a", "of", "and", "to", "in", "for", "with", "on", "at", "from", "by"]
QUESTION_WORDS = ["What", "Why", "How", "Can", "Is", "Should", "Will", "Does", "Who", "When",
                  "Where"]
CLOSING_QUESTIONS = ["What do you think?", "Would you do the same?", "What is your experience?",
                     "Where do you stand?", "Would I do it again?", "What would you do?"]
INDEX_FURNITURE = [["Read more"], ["Continue reading →"], ["No Comments"], ["3 Comments"],
                   ["One Comment"], ["Leave a comment"], ["Share this:", "Tweet", "Email"],
                   ["Share this:"], [" , , "]]


@dataclass
class PostAnswer:
    line: int  # where the post begins
    title: str  # as it must come out (made from the opening sentence when derived)
    derived: bool
    date: dt.datetime | None
    words: list[str]  # the post's own words, its title's among them unless derived
    kind: str = "plain"  # how the post was written (for the benchmark's breakdown)
    after: str = ""  # how the post before it on the page was written


@dataclass
class PageAnswer:
    kind: str  # "index", "single" or "archive"
    posts: list[PostAnswer]
    furniture: list[str]  # lines that are the page's and no post's


def _sentence(rng, n: int | None = None, end: str = ".") -> str:
    n = n or rng.randint(5, 16)
    ws = [rng.choice(VOCAB + VERBS + SMALL + SMALL) for _ in range(n)]
    return " ".join([ws[0].capitalize(), *ws[1:]]) + end


def _paragraph(rng, end: str = ".") -> str:
    out = [_sentence(rng) for _ in range(rng.randint(1, 3))]
    if len(out) == 1 and rng.random() < 0.3:
        out.append(_sentence(rng, end="?"))  # a question inside a paragraph
    out.append(_sentence(rng, end=end))
    return " ".join(out)


def _title(rng, question: bool | None = None) -> str:
    question = rng.random() < 0.4 if question is None else question
    n = rng.randint(2, 7)
    ws = [rng.choice(VOCAB + SMALL) if k % 2 else rng.choice(VOCAB) for k in range(n)]
    if rng.random() < 0.5:  # Title Case, or sentence case
        ws = [w if w in SMALL else w.capitalize() for w in ws]
    if question:
        return " ".join([rng.choice(QUESTION_WORDS), *ws]) + "?"
    if rng.random() < 0.1:
        return " ".join([ws[0].capitalize(), *ws[1:]]) + "!"
    return " ".join([ws[0].capitalize(), *ws[1:]])


def _subtitle(rng) -> str:
    ws = [rng.choice(VOCAB + SMALL) for _ in range(rng.randint(4, 10))]
    if rng.random() < 0.3:
        ws[rng.randint(1, len(ws) - 2)] += ","
    return " ".join([ws[0].capitalize(), *ws[1:]])


def _list_block(rng) -> list[str]:
    n = rng.randint(2, 5)
    style = rng.choice(["- ", "• ", "num"])
    return [(f"{k + 1}. " if style == "num" else style) + _sentence(rng, rng.randint(2, 8), "")
            for k in range(n)]


def made_up_title(paragraph: str, limit: int = 60) -> str:
    """What a post with no title must be called: its opening sentence, cut at a word."""
    first = paragraph.split(". ")[0].split("? ")[0].rstrip(".?")
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _post_blocks(rng, kind: str, title: str | None) -> list[list[str]]:
    """The blocks of one post's text (no title): each a list of lines."""
    blocks: list[list[str]] = []
    notes: list[str] = []

    def para(end: str = ".") -> list[str]:
        text = _paragraph(rng, end)
        if end == "." and rng.random() < 0.06:  # a footnote mark
            mark = str(len(notes) + 1) if rng.random() < 0.7 else "i" * (len(notes) + 1)
            text = text[:-1] + f".[{mark}]"
            notes.append(f"[{mark}] {_sentence(rng, rng.randint(3, 9))}")
        if rng.random() < 0.1:  # hard-wrapped
            cut = text.find(" ", len(text) // 2)
            if cut > 0:
                return [text[:cut], text[cut + 1:]]
        return [text]

    if kind == "qa":
        blocks += [para() for _ in range(rng.randint(1, 2))]
        for q in range(rng.randint(2, 6)):
            blocks.append([_title(rng, question=True)])
            blocks += [para() for _ in range(rng.randint(1, 4 if q == 0 else 3))]
        if rng.random() < 0.3:
            blocks += [["More questions?"], para()]
    elif kind == "sections":  # a long post in sections (single-post pages)
        for _ in range(rng.randint(2, 4)):
            blocks += [para() for _ in range(rng.randint(2, 4))]
            blocks.append([_title(rng, question=False).rstrip("!")])
        blocks += [para() for _ in range(rng.randint(2, 4))]
    else:
        n = rng.randint(3, 4) if kind == "short" else rng.randint(5, 9)
        for k in range(n):
            if kind != "short" and k == 1 and rng.random() < 0.08:  # a line said aloud
                blocks.append([f"It is, in fact, {_title(rng, question=False).rstrip('!')}!"])
            if k < n - 1 and rng.random() < 0.1:
                blocks.append(para(":"))
                extra = rng.random()
                if extra < 0.5:
                    blocks.append(_list_block(rng))
                elif extra < 0.6:  # a list that lost its bullets: a short line an item
                    blocks += [[_title(rng, question=False).rstrip("!")]
                               for _ in range(rng.randint(3, 5))]
                elif extra < 0.7:
                    blocks.append([f"{rng.choice(VOCAB).capitalize()} = ({rng.choice(VOCAB)}"
                                   f" + {rng.choice(VOCAB)}) / {rng.choice(VOCAB)}"])
                # else the list was lost in the export: the colon stays, nothing follows
                continue
            lost = kind == "short" and k == n - 1 and rng.random() < 0.5
            blocks.append(para(":" if lost else "."))
        if rng.random() < 0.15:
            if title and title.endswith("?") and rng.random() < 0.5:
                blocks.append([title])  # the title asked again at the end
            else:
                blocks.append([rng.choice(CLOSING_QUESTIONS)])
    return blocks + [[note] for note in notes]


def _post_kind(rng, single: bool) -> str:
    r = rng.random()
    if single and r < 0.3:
        return "sections"
    return "qa" if r < 0.4 and r >= 0.3 else "short" if r < 0.55 and r >= 0.4 else "plain"


def _words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def blog_page(rng, kind: str | None = None) -> tuple[str, PageAnswer]:
    kind = kind or rng.choice(["index", "index", "single", "archive"])
    lines: list[str] = []
    furniture: list[str] = []
    posts: list[PostAnswer] = []

    def gap() -> None:
        lines.extend(rng.choice([[""], [""], [""], ["", ""], ["", "\u00a0", ""]]))

    def put(block: list[str], words: list[str] | None) -> None:
        lines.extend(block)
        if words is None:
            furniture.extend(block)
        else:
            words.extend(_words_of(" ".join(block)))
        gap()

    if kind == "archive":
        year, month = rng.randint(2005, 2024), rng.randint(1, 12)
        badge = rng.random() < 0.6  # "Jun" over "30", and no titles
        badge_year = badge and rng.random() < 0.3
        if not badge_year:
            put([rng.choice([f"Archive for {calendar.month_name[month]}, {year}",
                             f"Monthly Archives: {calendar.month_name[month]} {year}",
                             f"Month: {calendar.month_name[month]} {year}",
                             f"{calendar.month_name[month]} {year}"])], None)
        n = rng.randint(1, 6)
        days = sorted(rng.sample(range(1, 29), n), reverse=True)
        for day in days:
            when = dt.datetime(year, month, day, 12, 0)
            line = len(lines) + 1
            words: list[str] = []
            if badge:
                for part in [f"{when:%b}", str(day)] + ([str(year)] if badge_year else []):
                    put([part], None)
                title = None
            else:
                put([rng.choice([f"{when:%B} {day}", f"{day} {when:%B}",
                                 f"{when:%A}, {when:%B} {day}, {year}"])], None)
                title = _title(rng)
                put([title], words)
            body = _post_blocks(rng, rng.choice(["plain", "short"]), title)
            for block in body:
                put(block, words)
            if rng.random() < 0.5:
                put([" , , "], None)
            posts.append(PostAnswer(line, title or made_up_title(" ".join(body[0])),
                                    title is None,
                                    when, words))
    else:
        n = 1 if kind == "single" else rng.randint(2, 6)
        between = rng.random() < 0.3 and kind == "index"
        for _k in range(n):
            pkind = _post_kind(rng, kind == "single")
            title = _title(rng)
            line = len(lines) + 1
            words = []
            put([title], words)
            if rng.random() < 0.2:
                put([_subtitle(rng)], words)
            for block in _post_blocks(rng, pkind, title):
                put(block, words)
            posts.append(PostAnswer(line, title, False, None, words, pkind,
                                    posts[-1].kind if posts else ""))
            if between or kind == "single":
                for f in rng.choice(INDEX_FURNITURE[:-1] if kind == "index" else
                                    [["No Comments"], ["4 Comments"], ["Share this:"]]):
                    put([f], None)
                if kind == "single" and not furniture[-1].endswith(("Comments", "Comment")):
                    put(["2 Comments"], None)
        if kind == "index":
            total = rng.randint(2, 60)
            page = rng.randint(1, total)
            put([f"Page {page} of {total}"], None)
            put(["".join(str(k) for k in range(max(1, page - 2), min(total, page + 2) + 1))
                 + ("…" if total > page + 2 else "") + str(total)], None)
    newline = rng.choice(["\n", "\r\n"])
    return newline.join(lines) + newline, PageAnswer(kind, posts, furniture)


def blog_pages(kind: str | None = None):
    """Hypothesis strategy: ``(text, PageAnswer)`` of one generated page."""
    return st.randoms(use_true_random=False).map(lambda rng: blog_page(rng, kind))
