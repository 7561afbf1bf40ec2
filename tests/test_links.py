"""Addresses in item bodies: files beside a post or a sidecar are published with the item, the
pages link them relatively and the feeds absolutely, and a link that would publish a file from
elsewhere is an error naming the file and line.

The property tests generate bodies with every kind of address and read what is published with
real feedparser and podcastparser: every address in every feed is absolute and leads where the
page's own address leads.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import podcastparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, png_bytes, post, sidecar, tone
from syndicate.config import load_config
from syndicate.links import absolute_urls, addresses, moved_urls, relative_url
from syndicate.publish import publish

SITE = "https://example.test/"
NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
CONFIG = BASE_CONFIG + "audio:\n  process: false\n"


class _Links(HTMLParser):
    """Every href, src and poster of a document, read by the standard library's parser (not
    by the code under test)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [v for k, v in attrs if k in ("href", "src", "poster") and v is not None]


def links_in(fragment: str) -> list[str]:
    parser = _Links()
    parser.feed(fragment)
    parser.close()
    return parser.found


def _body_of(page: str) -> str:
    """The item's body on its page: what lies inside <article>."""
    start = page.index("<article")
    return page[start: page.index("</article>", start)]


# -- the rewriter on any text ----------------------------------------------------------------

_PIECES = [*"<>=\"' /ahrefsc#:.?&;\t", "href", "src", "poster", "<a ", "<img ", "&amp;", "//"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
       st.sampled_from(["https://example.test/posts/a/", "https://example.test/b/x/index.html"]))
def test_the_rewriter_takes_any_text_and_changes_only_addresses(text, page_url):
    once = absolute_urls(text, page_url)
    assert absolute_urls(once, page_url) == once  # absolute stays absolute
    for address in addresses(once):
        parts = urlsplit(address.strip())
        assert parts.scheme and (parts.netloc or parts.scheme not in ("http", "https"))
    assert moved_urls(text, page_url, {}) == text


def test_only_link_attributes_change_never_text_that_looks_like_one():
    body = ('<p title="a href=&quot;x&quot;">see src=y and href="z"</p>'
            "<a title='b href=\"y\"' HREF=\"w?a=1&amp;b=2\">a</a><img alt=\"src=q\" src=q>")
    got = absolute_urls(body, "https://s.test/p/")
    assert got == ('<p title="a href=&quot;x&quot;">see src=y and href="z"</p>'
                   "<a title='b href=\"y\"' HREF=\"https://s.test/p/w?a=1&amp;b=2\">a</a>"
                   '<img alt="src=q" src="https://s.test/p/q">')
    assert links_in(got) == ["https://s.test/p/w?a=1&b=2", "https://s.test/p/q"]


@pytest.mark.parametrize("target, page, written", [
    ("https://s.test/posts/a/m.jpg", "https://s.test/posts/a/", "m.jpg"),
    ("https://s.test/posts/a/m.jpg", "https://s.test/posts/a/index.html", "m.jpg"),
    ("https://s.test/posts/b/", "https://s.test/posts/a/index.html", "../b/"),
    ("https://s.test/posts/a/", "https://s.test/posts/a/", "./"),
    ("https://other.test/x", "https://s.test/posts/a/", "https://other.test/x"),
    ("https://s.test/posts/a/c:d.png", "https://s.test/posts/a/", "./c:d.png"),
])
def test_a_relative_address_resolves_to_its_target_from_the_page(target, page, written):
    assert relative_url(target, page) == written
    assert urljoin(page, written) == target


_segment = st.text(alphabet="ab1-._~%20", min_size=1, max_size=6).filter(
    lambda x: x not in (".", ".."))
_key = st.lists(_segment, max_size=4).map("/".join)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["https://s.test/", "https://s.test/blog/", "http://127.0.0.1:8/x/"]),
       _key, st.booleans(), _key, st.sampled_from(["", "index.html"]),
       st.sampled_from(["", "?v=1", "#f", "?a=1#b"]))
def test_a_written_address_leads_from_any_page_to_its_file(site, target, folder_target, page,
                                                         page_style, rest):
    """Pages linked as folders ('posts/a/') or by their index.html ('posts/a/index.html')."""
    page_url = site + (page + "/" if page else "") + page_style
    target_url = site + target + ("/" if folder_target and target else "") + rest
    written = relative_url(target_url, page_url)
    assert not urlsplit(written).scheme and not urlsplit(written).netloc
    assert urljoin(page_url, written) == target_url


# -- files beside items ------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\nnot really"


def _project(make_project, files):
    proj = make_project(files, config=CONFIG)
    return proj


def test_files_beside_a_post_and_an_episode_are_published_and_linked(make_project):
    body = ("![a marsh](marsh.jpg) [notes](notes.pdf#page=2) ![up](shared/wide%20view.png)\n\n"
            "[a page](/about/) [a footnote](#top) [mail](mailto:me@example.test)")
    proj = _project(make_project, {
        "posts/2026-10-01-marsh.md": post("Marsh", "2026-10-01", body),
        "posts/marsh.jpg": b"jpeg bytes", "posts/notes.pdf": b"%PDF-1.4",
        "posts/shared/wide view.png": PNG,
        "episodes/ep.yaml": sidecar("Ep", notes="'See ![the map](map.png) here.'"),
        "episodes/ep.mp3": tone(), "episodes/map.png": PNG,
    })
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output, result.output
    for page_key, sources in (("posts/marsh/", {"marsh.jpg": "posts/marsh.jpg",
                                                "notes.pdf": "posts/notes.pdf",
                                                "wide view.png": "posts/shared/wide view.png"}),
                              ("episodes/ep/", {"map.png": "episodes/map.png"})):
        page_url = SITE + page_key
        page = proj.read(page_key + "index.html").decode()
        found = {}
        for link in links_in(_body_of(page)):
            target = urljoin(page_url, link)
            if target.startswith(page_url) and not link.startswith("#"):
                path = unquote(urlsplit(target).path).lstrip("/")
                found[path] = proj.public(path).read_bytes()
                assert not urlsplit(link).scheme  # relative on the page
        # every file the body links is published where the page's relative link leads
        assert sorted(found.values()) == sorted((proj.root / s).read_bytes()
                                                for s in sources.values())
    assert 'src="marsh.jpg"' in proj.read("posts/marsh/index.html").decode()
    # the feeds carry the same addresses, absolute, as real readers read them
    rss = feedparser.parse(proj.read("feed.xml"))
    body_links = links_in(rss.entries[0].content[0].value)
    assert SITE + "posts/marsh/marsh.jpg" in body_links
    assert SITE + "posts/marsh/notes.pdf#page=2" in body_links
    assert SITE + "about/" in body_links and SITE + "posts/marsh/#top" in body_links
    assert "mailto:me@example.test" in body_links
    pod = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    assert SITE + "episodes/ep/map.png" in links_in(pod["episodes"][0]["description_html"])


@pytest.mark.parametrize("link, setup, message", [
    ("../../secret.png", None, "leads outside posts/"),
    ("escape.png", "symlink", "leads outside posts/"),
    ("{secret}", None, "is an absolute path to a file on this computer"),
])
def test_a_link_to_a_file_outside_the_folder_is_an_error_naming_file_and_line(
        make_project, tmp_path, link, setup, message):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"private")
    link = link.format(secret=secret)
    proj = _project(make_project, {
        "posts/2026-10-01-walk.md": post("Walk", "2026-10-01", f"A line.\n\n![x]({link})"),
        "posts/2026-10-02-fine.md": post("Fine", "2026-10-02", "Fine."),
    })
    if setup == "symlink":
        (proj.root / "posts/escape.png").symlink_to(secret)
    result = proj.run("publish")
    assert result.exit_code == 1
    assert f"posts/2026-10-01-walk.md:8: the link {link!r} " in result.output
    assert message in result.output and "Traceback" not in result.output
    published = [p for p in (proj.root / "public").rglob("*") if p.is_file()]
    assert not any(p.read_bytes() == b"private" for p in published)
    assert proj.public("posts/fine/index.html").exists()  # the other items are published


def test_a_linked_file_that_is_missing_is_a_warning_and_the_link_is_kept(make_project):
    proj = _project(make_project, {
        "posts/a.md": post("A", "2026-10-01", "![gone](gone.png)\n\n[page](other-post/)\n\n"
                                              "[a page](next)\n\n<img src=x>\n\n![md](y)\n\n"
                                              "[gone too](gone.pdf)")})
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "posts/a.md:6: the image 'gone.png' names no file beside posts/a.md" in result.output
    assert "other-post" not in result.output and "'next'" not in result.output  # pages
    # h22 W10: an image is a file whatever its name: one without an extension is said too
    assert "posts/a.md:12: the image 'x' names no file beside posts/a.md" in result.output
    assert "posts/a.md:14: the image 'y' names no file beside posts/a.md" in result.output
    assert "posts/a.md:16: the link 'gone.pdf' names no file beside posts/a.md" in result.output
    assert 'src="gone.png"' in proj.read("posts/a/index.html").decode()


def test_each_image_naming_no_file_is_warned_on_its_own_line(make_project):
    """h23 Z7: the same missing name written twice is said at each line it is on; an image
    whose address is empty, only a fragment or a folder (the browser fetches the page itself,
    or the folder, as the image) is warned too."""
    proj = _project(make_project, {
        "posts/a.md": post("A", "2026-10-01", "<img src=x>\n\n![md](x)\n\n<img src=\"#frag\">"
                                              "\n\n<img src=\"./\">\n\n<img src=\"sub/\">\n\n"
                                              "<img src=\"\">\n\n![fine](sub/a.png)"),
        "posts/sub/a.png": png_bytes(8, 8)})
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    for line, address in ((6, "x"), (8, "x"), (10, "#frag"), (12, "./"), (14, "sub/")):
        said = f"posts/a.md:{line}: the image {address!r} names no "
        assert result.output.count(said) == 1, (said, result.output)
    assert "posts/a.md:16: the image '' names no image file" in result.output  # (h24 A10)
    assert "'sub/a.png'" not in result.output  # a real file is published, not warned
    assert proj.public("posts/a/sub/a.png").is_file()


def test_a_link_to_another_post_source_is_not_published(make_project):
    proj = _project(make_project, {
        "posts/a.md": post("A", "2026-10-01", "[b](b.md)"),
        "posts/b.md": post("B", "2026-10-01", "secret draft", draft="true")})
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert "posts/a.md:6: the link 'b.md' is not published" in result.output
    assert not any(p.read_bytes().startswith(b"---") for p in
                   (proj.root / "public").rglob("*") if p.is_file())


# -- the property: every address in every feed is absolute and leads where the page's does ------

FILES = {"a.png": PNG, "sub/b c.pdf": b"%PDF b", "../shared/s.jpg": b"jpeg s"}
_word = st.text(alphabet="abcXYZ019-._~", min_size=1, max_size=8)
_address = st.one_of(
    st.tuples(st.sampled_from(sorted(FILES)), st.sampled_from(["", "./"]),
              st.sampled_from(["", "?v=2", "#frag"])).map(
        lambda t: t[1] * (not t[0].startswith("..")) + t[0].replace(" ", "%20") + t[2]),
    _word.map(lambda w: f"{w}/"),  # another page, relative
    _word.map(lambda w: f"../{w}/"),
    _word.map(lambda w: f"/{w}/x?q={w}"),  # root-relative
    _word.map(lambda w: f"//cdn.example.test/{w}"),  # protocol-relative
    _word.map(lambda w: f"#{w}"),  # fragment only
    _word.map(lambda w: f"?page={w}"),
    _word.map(lambda w: f"mailto:{w}@example.test"),
    st.just("data:image/png;base64,iVBORw0KGgo="),
    _word.map(lambda w: f"https://elsewhere.example/{w}?a=1&b=2"),
)
_link = st.tuples(st.sampled_from(["md-a", "md-img", "html-a", "html-img"]), _address).map(
    lambda t: {"md-a": f"[t](<{t[1]}>)", "md-img": f"![t](<{t[1]}>)",
               "html-a": f'<a href="{html.escape(t[1])}">t</a>',
               "html-img": f'<img src="{html.escape(t[1])}" alt="t">'}[t[0]])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(_link, min_size=1, max_size=6), min_size=1, max_size=3),
       st.lists(_link, min_size=0, max_size=4))
def test_every_feed_address_is_absolute_and_leads_where_the_page_leads(tmp_path_factory,
                                                                       bodies, notes):
    root = tmp_path_factory.mktemp("links") / "proj"
    (root / "posts/sub").mkdir(parents=True)
    (root / "posts/shared").mkdir()
    (root / "episodes/sub").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG)
    shutil.copy(Path(__file__).parent / "data/golden/project/cover.png", root / "cover.png")
    for folder in ("posts/x", "episodes/x"):
        for name, data in FILES.items():
            path = (root / folder / name).resolve()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for i, links in enumerate(bodies):
        (root / f"posts/x/p{i}.md").write_text(post(f"P{i}", "2026-10-0" + str(i + 1),
                                                    "Text " + " and ".join(links)))
    (root / "episodes/x/ep.yaml").write_text(
        sidecar("Ep", notes=repr("Notes " + " and ".join(notes))))
    (root / "episodes/x/ep.mp3").write_bytes(tone())
    result = publish(load_config(root / "config.yaml"), now=NOW)
    assert result.ok, [str(e) for e in result.errors]
    public = root / "public"

    def page_links(url: str) -> list[str]:
        path = public / urlsplit(url).path.lstrip("/") / "index.html"
        return [urljoin(url, a) for a in links_in(_body_of(path.read_text()))]

    def check(entry_url: str, fragment: str, written: list[str]) -> None:
        got = links_in(fragment)
        for address in got:
            parts = urlsplit(address)
            assert parts.scheme in ("http", "https", "mailto"), address
            assert parts.scheme == "mailto" or parts.netloc, address
        # nothing lost: one address for each written (data: is never published)
        assert len(got) == sum("data:" not in w for w in written)
        # each leads where the page's own link does (an episode's page links its audio too)
        on_page = Counter(u for u in page_links(entry_url) if not u.startswith("data:"))
        assert not Counter(got) - on_page, (got, on_page)
        for address in got:  # a file beside the item is published where both lead
            parts = urlsplit(address)
            if address.startswith(entry_url) and parts.path.endswith((".png", ".pdf", ".jpg")):
                assert (public / unquote(parts.path).lstrip("/")).is_file(), address

    rss = feedparser.parse((public / "feed.xml").read_bytes())
    atom = feedparser.parse((public / "atom.xml").read_bytes())
    assert len(rss.entries) == len(atom.entries) == len(bodies)
    for entry in [*rss.entries, *atom.entries]:
        check(entry.link, entry.content[0].value, bodies[int(entry.title[1:])])
    raw = (public / "feed.xml").read_text()  # as written, before any reader resolves it
    for address in links_in(html.unescape(raw)):
        assert urlsplit(address).scheme in ("http", "https", "mailto"), address
    pod = podcastparser.parse("x", io.BytesIO((public / "podcast.xml").read_bytes()))
    (episode,) = pod["episodes"]
    check(episode["link"], episode["description_html"], notes)


# -- hostile link paths: success or one error naming the file and line, nothing from outside ---

_piece = st.sampled_from(["..", ".", "a.png", "sub", "%2e%2e", "%00", "%2F", "x y.png", "\\",
                          "..\\..", "esc.png", "loop.png", "~", "%", "é.png", "a" * 300, ".hidden"])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(_piece, min_size=1, max_size=6).map("/".join), min_size=1,
                max_size=4),
       st.booleans())
def test_any_link_path_ends_in_success_or_one_error_naming_file_and_line(
        tmp_path_factory, paths, leading_slash):
    top = tmp_path_factory.mktemp("hostile")
    secret = top / "secret.png"
    secret.write_bytes(b"SECRET-BYTES")
    root = top / "proj"
    (root / "posts/sub").mkdir(parents=True)
    (root / "episodes").mkdir()
    (root / "config.yaml").write_text(CONFIG)
    shutil.copy(Path(__file__).parent / "data/golden/project/cover.png", root / "cover.png")
    (root / "posts/a.png").write_bytes(PNG)
    (root / "posts/sub/a.png").write_bytes(PNG)
    (root / "posts/esc.png").symlink_to(secret)  # a link leading out of posts/
    (root / "posts/loop.png").symlink_to("loop.png")
    body = "\n\n".join(f"![i{i}](<{'/' * leading_slash}{p}>)" for i, p in enumerate(paths))
    (root / "posts/p.md").write_text(post("P", "2026-10-01", body))
    from click.testing import CliRunner

    from syndicate.cli import main

    result = CliRunner().invoke(main, ["publish", "--config", str(root / "config.yaml"),
                                       "--now", "2026-11-01T12:00:00+00:00"],
                                catch_exceptions=False)
    assert "Traceback" not in result.output
    published = [p for p in (root / "public").rglob("*") if p.is_file()]
    assert not any(p.read_bytes() == b"SECRET-BYTES" for p in published)
    if result.exit_code:
        errors = [x for x in result.output.splitlines() if x.startswith("Error:")]
        assert len(errors) == 1 and errors[0].startswith("Error: posts/p.md:"), result.output
        assert errors[0].split(":")[2].isdigit(), errors[0]  # its line
    else:
        assert (root / "public/posts/p/index.html").is_file()


def test_the_sample_feeds_carry_no_relative_address(sample_project):
    """The W3C validator warned about the sample's footnote links (href="#fn1") in feed.xml."""
    config = sample_project.root / "config.yaml"
    config.write_text(config.read_text() + "\naudio:\n  process: false\n")
    result = sample_project.run("publish")
    assert result.exit_code == 0, result.output
    for name in ("feed.xml", "atom.xml", "podcast.xml"):
        raw = sample_project.read(name).decode()
        found = links_in(html.unescape(raw))
        assert found and all(urlsplit(a).scheme in ("http", "https", "mailto") for a in found)
    rss = sample_project.read("feed.xml").decode()
    assert 'href="https://lowtide.example.org/posts/why-i-still-blog/#fn1"' in html.unescape(rss)
