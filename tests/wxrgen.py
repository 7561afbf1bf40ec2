"""WordPress exports (WXR) with known answers: posts, pages, drafts, private, password-protected,
trashed and other items, podcast episodes in PowerPress's and Seriously Simple Podcasting's
fields, bodies in the classic editor (no <p>) or the block editor, under the export's 1.0, 1.1
and 1.2 namespaces, in CDATA or escaped. ``wxr_exports()`` draws ``(bytes, [Expected])``; the
benchmark calls ``export()`` directly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from hypothesis import strategies as st

SECRET = "zzsecretzz"  # in every private or password-protected item's body, nowhere else

WORDS = ["garden", "river", "bees", "hedge", "winter", "light", "tide", "boat", "field",
         "market", "bread", "kettle", "letter", "window", "orchard", "lane", "bridge",
         "meadow", "lantern", "café", "Straße", "R&D", "5<6", "naïve"]


@dataclass
class Expected:
    guid: str
    outcome: str  # 'post', 'draft' (a post written as a draft), 'episode', 'skipped'
    title: str
    date: dt.datetime | None  # UTC
    paragraphs: list[str]
    tags: list[str]
    season: int | None = None
    number: int | None = None
    audio_url: str | None = None
    audio_length: int | None = None
    gmt: bool = True  # the export gives its UTC time (not a draft's 0000-00-00)


@dataclass
class Item:
    n: int
    kind: str  # post, page, podcast, nav_menu_item
    status: str  # publish, draft, pending, future, private, trash
    password: str  # '' for none; blank space is a password too (WordPress checks empty())
    title: str
    paragraphs: list[str]
    date: dt.datetime  # UTC, whole seconds
    tags: list[str]
    blocks: bool  # block editor
    more: bool
    plugin: str | None  # 'powerpress', 'ssp' or None
    season: int | None = None
    number: int | None = None
    length: int = 1000
    cdata: bool = True


def expected(item: Item, base: str) -> Expected:
    guid = f"{base}?p={item.n}"
    if item.kind == "nav_menu_item" or item.status in ("private", "trash") or item.password:
        outcome = "skipped"
    elif item.plugin and item.kind != "page":
        outcome = "episode"
    elif item.kind == "page" or item.status in ("draft", "pending", "future"):
        outcome = "draft"
    else:
        outcome = "post"
    return Expected(guid, outcome, item.title, item.date, item.paragraphs, item.tags,
                    item.season if outcome == "episode" else None,
                    item.number if outcome == "episode" else None,
                    f"{base}audio/{item.n}.mp3" if outcome == "episode" else None,
                    item.length if outcome == "episode" else None, item.status != "draft")


def _body(item: Item) -> str:
    paras = [escape(p, quote=False) for p in item.paragraphs]
    if item.status in ("private",) or item.password:
        paras[0] = f"{SECRET} {paras[0]}"
    if item.blocks:
        parts = [f"<!-- wp:paragraph -->\n<p>{p}</p>\n<!-- /wp:paragraph -->" for p in paras]
        if item.more and len(parts) > 1:
            parts.insert(1, "<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->")
        return "\n\n".join(parts)
    parts = list(paras)
    if item.more and len(parts) > 1:
        parts[0] += "\n<!--more-->"
    return "\n\n".join(parts)


def _text(value: str, cdata: bool) -> str:
    return f"<![CDATA[{value}]]>" if cdata else escape(value, quote=False)


def render_item(item: Item, base: str) -> str:
    wall = item.date.strftime("%Y-%m-%d %H:%M:%S")
    local = (item.date + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    gmt = "0000-00-00 00:00:00" if item.status == "draft" else wall
    out = [f"<item><title>{_text(item.title, item.cdata)}</title>",
           f"<link>{base}?p={item.n}</link>",
           f'<dc:creator>{_text("author", item.cdata)}</dc:creator>',
           f'<guid isPermaLink="false">{base}?p={item.n}</guid>',
           f"<content:encoded>{_text(_body(item), item.cdata)}</content:encoded>",
           "<excerpt:encoded><![CDATA[]]></excerpt:encoded>",
           f"<wp:post_id>{item.n}</wp:post_id>",
           f"<wp:post_date>{local}</wp:post_date>",
           f"<wp:post_date_gmt>{gmt}</wp:post_date_gmt>",
           f"<wp:post_name>item-{item.n}</wp:post_name>",
           f"<wp:status>{item.status}</wp:status>",
           f"<wp:post_type>{item.kind}</wp:post_type>",
           f"<wp:post_password><![CDATA[{item.password}]]></wp:post_password>"]
    for k, tag in enumerate(item.tags):  # as WordPress 3+ and as WordPress 2.x wrote tags
        domain = ' domain="post_tag" nicename="t"' if item.n % 3 else ' domain="tag"'
        if k == 0 and item.n % 2:
            out.append(f"<category>{_text(tag, item.cdata)}</category>")  # 2.x: bare as well
        out.append(f"<category{domain}>{_text(tag, item.cdata)}</category>")
    url = f"{base}audio/{item.n}.mp3"
    if item.plugin == "powerpress":
        extras = (f'a:3:{{s:8:"duration";s:8:"00:01:05";s:6:"season";s:{len(str(item.season))}'
                  f':"{item.season}";s:10:"episode_no";s:{len(str(item.number))}:'
                  f'"{item.number}";}}')
        value = "\n".join([url, str(item.length), "audio/mpeg", extras])
        out.append("<wp:postmeta><wp:meta_key>enclosure</wp:meta_key><wp:meta_value>"
                   f"{_text(value, True)}</wp:meta_value></wp:postmeta>")
    elif item.plugin == "ssp":
        for key, value in (("audio_file", url), ("duration", "01:05"),
                           ("filesize_raw", str(item.length)),
                           ("itunes_season_number", str(item.season)),
                           ("itunes_episode_number", str(item.number))):
            out.append(f"<wp:postmeta><wp:meta_key>{key}</wp:meta_key><wp:meta_value>"
                       f"{_text(value, item.cdata)}</wp:meta_value></wp:postmeta>")
    out.append(f"<wp:comment><wp:comment_id>{item.n}</wp:comment_id><wp:comment_approved>1"
               "</wp:comment_approved></wp:comment>")
    out.append("</item>")
    return "".join(out)


def export(items: list[Item], base: str = "https://old.example/", version: str = "1.2") -> str:
    ns = f"http://wordpress.org/export/{version}/"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!-- generator="WordPress" -->\n'
            '<rss version="2.0" xmlns:excerpt="' + ns + 'excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="' + ns + '">\n<channel>'
            f"<title>Old blog</title><link>{base}</link><wp:wxr_version>{version}"
            f"</wp:wxr_version><wp:base_site_url>{base}</wp:base_site_url>"
            "<wp:author><wp:author_login>author</wp:author_login><wp:author_display_name>"
            "The Author</wp:author_display_name></wp:author>\n"
            + "\n".join(render_item(i, base) for i in items) + "\n</channel></rss>\n")


def _sentence(ws: list[str]) -> str:
    return " ".join([ws[0].capitalize(), *ws[1:]]) + "."


@st.composite
def items(draw, n: int) -> Item:
    kind = draw(st.sampled_from(["post", "post", "post", "page", "podcast", "nav_menu_item"]))
    plugin = draw(st.sampled_from([None, None, "powerpress", "ssp"])) if kind in (
        "post", "podcast") else None
    word = st.sampled_from(WORDS)
    paragraphs = [_sentence(draw(st.lists(word, min_size=3, max_size=10)))
                  for _ in range(draw(st.integers(1, 4)))]
    title = " ".join(draw(st.lists(word, min_size=1, max_size=5))).capitalize() + f" {n}"
    date = draw(st.datetimes(min_value=dt.datetime(2001, 1, 1),
                             max_value=dt.datetime(2030, 12, 31))).replace(microsecond=0)
    return Item(n=n, kind=kind,
                status=draw(st.sampled_from(["publish", "publish", "draft", "pending",
                                             "future", "private", "trash"])),
                password=draw(st.sampled_from(["", "", "", "pw", " ", "\t", " \n "])),
                title=title, paragraphs=paragraphs, date=date.replace(tzinfo=dt.UTC),
                tags=draw(st.lists(st.sampled_from(["news", "garden", "R&D", "Café"]),
                                   max_size=3, unique=True)),
                blocks=draw(st.booleans()), more=draw(st.booleans()), plugin=plugin,
                season=draw(st.integers(1, 9)), number=draw(st.integers(1, 500)),
                length=draw(st.integers(1, 10**9)), cdata=draw(st.booleans()))


@st.composite
def wxr_exports(draw, max_items: int = 10):
    count = draw(st.integers(1, max_items))
    its = [draw(items(100 + k)) for k in range(count)]
    version = draw(st.sampled_from(["1.0", "1.1", "1.2"]))
    base = "https://old.example/"
    answers = [expected(i, base) for i in its]
    # media-library items: each one of an item (imported or not), or of none
    parents = draw(st.lists(st.sampled_from([0, *range(100, 100 + count)]), max_size=3))
    media = []
    for k, parent in enumerate(parents):
        url = f"{base}wp-content/uploads/2020/01/file-{k}.png"
        held_by = next((a for a in answers if a.guid == f"{base}?p={parent}"), None)
        outcome = "skipped" if held_by is not None and held_by.outcome == "skipped" else "media"
        answers.append(Expected(url, outcome, f"file {k}", None, [], []))
        media.append(f"<item><title>file {k}</title><link>{base}?attachment_id={900 + k}</link>"
                     f"<guid>{base}?attachment_id={900 + k}</guid><wp:post_id>{900 + k}"
                     f"</wp:post_id><wp:post_parent>{parent}</wp:post_parent><wp:status>"
                     "inherit</wp:status><wp:post_type>attachment</wp:post_type>"
                     f"<wp:attachment_url>{url}</wp:attachment_url></item>")
    data = export(its, base, version).replace("\n</channel>", "\n" + "\n".join(media)
                                              + "\n</channel>", 1)
    return data.encode(), answers
