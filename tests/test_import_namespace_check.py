"""A feed whose namespaces are all spelled as the readers spell them is not walked element by
element to rename them (``spelled_as_read``): on generated feeds that declare the iTunes,
Podcast Index and content namespaces in every spelling real feeds use (case, https, a trailing
slash, the old GitHub address, a character reference, white space), on the root or deeper,
the check never says "nothing to rename" where renaming would change an element or an
attribute; and where every spelling is the readers' own it does say so."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from syndicate.importer.namespaces import normalise, spelled_as_read
from syndicate.render.podcast_ext import ITUNES, PODCAST

CONTENT = "http://purl.org/rss/1.0/modules/content/"
OWN = [ITUNES, PODCAST, CONTENT, "http://www.w3.org/2005/Atom", "http://example.org/mine"]
OTHER = ["http://www.itunes.com/DTDs/Podcast-1.0.dtd", "https://www.itunes.com/dtds/podcast-1.0.dtd",
         "http://itunes.com/dtds/podcast-1.0.dtd/", "http://podcastindex.org/namespace/1.0",
         "https://podcastindex.org/namespace/1.0/",
         "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
         "HTTP://PURL.ORG/RSS/1.0/MODULES/CONTENT", " " + ITUNES, ITUNES + "\n",
         "&#104;ttp://www.itunes.com/dtds/podcast-1.0.dtd",
         "http://www.itunes.com/dtds/podcast-1.0.dtd".replace("dtds", "DTDS")]


def _names(root) -> list:
    return [(el.tag, sorted(el.attrib.keys())) for el in root.iter()]


@st.composite
def _feed(draw):
    uris = draw(st.lists(st.sampled_from(OWN + OTHER), min_size=1, max_size=4))
    quote = draw(st.sampled_from(['"', "'"]))
    decls = "".join(f" xmlns:n{k}={quote}{u}{quote}" for k, u in enumerate(uris[:-1]))
    deep = draw(st.booleans())  # the last one declared on an item, not on the root
    last = f" xmlns:n{len(uris) - 1}={quote}{uris[-1]}{quote}"
    items = []
    for k in range(draw(st.integers(1, 4))):
        p = draw(st.integers(0, len(uris) - 1))
        attr = f' n{p}:href="x{k}"' if draw(st.booleans()) else ""
        items.append(f"<item{last if deep else ''}><n{p}:tag{attr}>t{k}</n{p}:tag>"
                     f"<title>i{k}</title></item>")
    if draw(st.booleans()):  # a default namespace somewhere
        items.append(f'<x xmlns={quote}{draw(st.sampled_from(OWN + OTHER))}{quote}><y/></x>')
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if draw(st.booleans()) else ""
    return (f'{head}<rss version="2.0"{decls}{"" if deep else last}><channel>'
            f"<title>t</title>{''.join(items)}</channel></rss>").encode()


@settings(max_examples=500, deadline=None)
@given(_feed())
def test_nothing_to_rename_is_said_only_where_nothing_is_renamed(data):
    try:  # as the importer reads a feed; a broken one as a WordPress export's is read
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        root = etree.fromstring(data, etree.XMLParser(recover=True))
    before = _names(root)
    normalise(root)
    if spelled_as_read(data):
        assert _names(root) == before


def test_the_readers_own_spellings_need_no_renaming():
    data = (f'<rss xmlns:itunes="{ITUNES}" xmlns:podcast=\'{PODCAST}\' '
            f'xmlns:content="{CONTENT}" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
            "<itunes:author>a</itunes:author></channel></rss>").encode()
    assert spelled_as_read(data)
    for other in OTHER:
        assert not spelled_as_read(data.replace(ITUNES.encode(), other.encode(), 1)), other
    assert not spelled_as_read(data.decode().encode("utf-16"))  # not ASCII-compatible
