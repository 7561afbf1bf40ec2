"""h23 Z22: an SVG or HTML file beside a post is served from the site's own address, so one that
holds anything a browser runs (a script, an event handler, a ``javascript:`` address, a frame,
a foreignObject) is not published: a warning names the post's line, the file and the line of
what it holds. Plain SVG drawings and HTML pages beside a post are published as before."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import post
from syndicate.activefiles import active_in

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
ACTIVE = {
    "script.svg": SVG + "<rect width='1' height='1'/>\n<script>alert(document.domain)</script>"
                        "\n</svg>\n",
    "onload.svg": SVG + '<circle r="4" onload="alert(1)"/>\n</svg>\n',
    "jslink.svg": SVG + '<a xlink:href=" JavaScript:alert(1)"><text>x</text></a>\n</svg>\n',
    "foreign.svg": SVG + "<foreignObject><p>hi</p></foreignObject>\n</svg>\n",
    "page.html": "<!doctype html>\n<title>t</title>\n<p>hello</p>\n"
                 "<script>alert(document.cookie)</script>\n",
    "frame.htm": "<p>a</p>\n<iframe src='https://example.org/'></iframe>\n",
    # h24 A7: a script in an entity a browser expands; SMIL setting a handler; XHTML
    "entity.svg": '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY s "&#60;script&#62;alert(1)'
                  '&#60;/script&#62;">]>\n' + SVG + "&s;<rect width='1' height='1'/>\n</svg>\n",
    "smil.svg": SVG + "<rect width='9' height='9'>\n<set attributeName='onmouseover' "
                      "to='alert(1)'/></rect>\n</svg>\n",
    "page.xhtml": '<html xmlns="http://www.w3.org/1999/xhtml">\n<body onload="alert(1)">'
                  "<p>x</p></body></html>\n",
}
CLEAN = {
    "drawing.svg": SVG + "<style>rect{fill:red}</style>\n<rect width='4' height='4'/>\n"
                         "<image href='data:image/png;base64,iVBORw0KGgo='/>\n"
                         "<a href='https://example.org/'><text>link</text></a>\n</svg>\n",
    "notes.html": "<!doctype html>\n<title>Notes</title>\n<h1>Notes</h1>\n<p>Plain.</p>\n",
}


def test_an_active_svg_or_html_beside_a_post_is_not_published_and_a_plain_one_is(tmp_path):
    names = [*ACTIVE, *CLEAN]
    body = "\n\n".join(f"[{n}](files/{n})" for n in names)  # line 6, 8, 10...
    files = {f"posts/2026-10-01-names/files/{n}": text for n, text in {**ACTIVE, **CLEAN}.items()}
    proj = new_project(tmp_path / "p", {
        "posts/2026-10-01-names.md": post("Names", body=body.replace("files/", "2026-10-01-"
                                                                      "names/files/")),
        **files})
    result = proj.run("publish")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    folder = proj.public("posts/names/2026-10-01-names/files")
    for i, name in enumerate(names):
        said = [ln for ln in result.output.splitlines()
                if f"posts/2026-10-01-names.md:{6 + 2 * i}:" in ln and name in ln]
        if name in ACTIVE:
            assert not (folder / name).exists(), name
            assert len(said) == 1 and "is not published" in said[0] \
                and "the site's own address" in said[0], (name, result.output)
        else:
            assert (folder / name).read_text() == CLEAN[name]
            assert said == [], said
    out = result.output
    assert "holds a <script> element (line 3)" in out and "(onload=)" in out
    assert "holds a <foreignobject> element" in out and "holds a <iframe> element (line 2)" in out
    assert "holds an entity declaration (a browser expands it" in out
    assert "holds a <set> that sets an event handler" in out


_safe = st.sampled_from([
    "<rect width='3' height='3'/>", "<circle r='2' fill='blue'/>", "<path d='M0 0L1 1'/>",
    "<text x='1'>words: javascript is a language</text>", "<g><title>on load</title></g>",
    "<style>.a{fill:red}</style>", "<image href='https://example.org/a.png'/>",
    "<image xlink:href='data:image/png;base64,AAAA'/>", "<a href='#frag'><text>in</text></a>",
    "<a href='mailto:me@example.org'><text>mail</text></a>", "<desc>onclick= is a word</desc>",
])
_active = st.one_of(
    st.sampled_from(["script", "svg:script", "SCRIPT", "iframe", "foreignObject", "embed",
                     "object", "handler"]).map(lambda t: f"<{t}>x</{t}>"),
    st.tuples(st.sampled_from(["rect", "g", "a", "svg"]),
              st.sampled_from(["onload", "onclick", "ONMOUSEOVER", "onbegin"]))
    .map(lambda p: f"<{p[0]} {p[1]}='alert(1)'/>"),
    st.tuples(st.sampled_from(["href", "xlink:href"]),
              st.sampled_from(["javascript:alert(1)", " JAVASCRIPT:x", "java\tscript:x",
                               "vbscript:x", "data:text/html,<script>x</script>"]))
    .map(lambda p: f"<a {p[0]}=\"{p[1]}\"><text>t</text></a>"),
    st.sampled_from(["to", "values"]).map(
        lambda a: f"<a><set attributeName='href' {a}='javascript:alert(1)'/></a>"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_safe, max_size=8), st.one_of(st.none(), _active), st.integers(0, 8))
def test_any_generated_svg_is_found_active_exactly_when_it_holds_something_that_runs(
        pieces, bad, at):
    body = list(pieces)
    if bad is not None:
        body.insert(min(at, len(body)), bad)
    data = (SVG + "\n".join(body) + "\n</svg>\n").encode()
    found = active_in(data)
    assert (found is not None) == (bad is not None), (data, found)
    if bad is not None:
        assert found[1] == 2 + body.index(bad), (data, found)  # the line of what runs
