"""Hypothesis strategies that write the old blog's sources with known answers: text export
pages, HTML pages, RSS 2.0 and Atom feeds and podcast feeds, each in many spellings (encodings
with and without a byte order mark, declared Latin-1, CDATA or escaped markup, namespace
prefixes, comments and blank lines before the root). Each strategy draws ``(data, answer)``:
the bytes of the source and what an import must recover from it."""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
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
        # a post runs at least MIN_POST_PARAGRAPHS before the next title can begin
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
