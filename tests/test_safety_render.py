"""Issue 12, unescaped text: every value is escaped for where it lands (HTML text and attributes,
XML, JSON), a summary is plain text, and every published URL is http(s).

Hostile titles, summaries and URLs are generated and published through the CLI; the assertions
read what the site holds afterwards.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import lxml.html
import podcastparser
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import BASE_CONFIG, Project, png_bytes, post, sidecar, tone
from syndicate.markup import paired_bidi, plain_summary, xml_safe
from syndicate.urls import web_url

HOSTILE = [
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    "]]><evil/>",
    "</title><script>x</script>",
    "A \x00 NUL, \x01 and \x1b controls",
    "lone \ud800 surrogate \udfff",
    "RTL \u202e mark \u200f and \ufeff BOM",
    "&amp; &lt;b&gt; &#x27; &",
    "javascript:alert(1)",
    "x" * 5000,
    "tab\tand\nnewline",
]
# text with every character class that has broken a writer somewhere
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.sampled_from(list('<>"\'&;/=:]x \t\n\x00\x07\x1f\x7f\x85\u2028'
                                          '\u202e\ud800\udc00\ufffe\uffff\U0001f600é')),
            min_size=1, max_size=60),
    st.text(min_size=1, max_size=80),
)


def yaml_str(value: str) -> str:
    """A YAML double-quoted scalar holding ``value`` exactly: printable characters as they are,
    the rest as escapes (YAML refuses surrogates even escaped: that config is then refused)."""
    out = []
    for c in value:
        n = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif (0x20 <= n <= 0x7E or 0xA0 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD
              or n >= 0x10000) and n not in (0x2028, 0x2029, 0xFEFF):
            out.append(c)
        elif n < 0x100:
            out.append(f"\\x{n:02x}")
        else:
            out.append(f"\\u{n:04x}")
    return '"' + "".join(out) + '"'


def seen(value: str) -> str:
    """What a reader sees of a value on a page: XML-illegal characters removed, bidi controls
    left unpaired removed (README, "Pages"), newlines as LF (HTML and XML parsers both
    normalise CR)."""
    return paired_bidi(xml_safe(value)).replace("\r\n", "\n").replace("\r", "\n")


def project(root: Path, config: str, files: dict[str, str | bytes]) -> Project:
    proj = Project(root)
    proj.root.mkdir()
    (proj.root / "config.yaml").write_bytes(config.encode())
    proj.write("cover.png", png_bytes())
    (proj.root / "posts").mkdir()
    (proj.root / "episodes").mkdir()
    for rel, content in files.items():
        path = proj.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return proj


def assert_inert(page: bytes) -> lxml.html.HtmlElement:
    """No script but the theme's own (JSON-LD data that parses as JSON, and the player script
    loaded from the site's static/ folder), no event handler, no javascript: URL anywhere in a
    published page."""
    doc = lxml.html.document_fromstring(page)
    for script in doc.xpath("//script"):
        if script.get("type") == "application/ld+json":
            assert not script.get("src")
            json.loads(script.text)  # data, whole: nothing in it ended the element early
        else:
            assert not (script.text or "").strip(), script.text
            assert re.fullmatch(r"https?://[^\s\"<>]+/static/player\.js", script.get("src", ""),
                                re.IGNORECASE)  # (a scheme in capitals is the same scheme)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (name, value)
            if name.lower() in ("href", "src", "action", "formaction", "poster", "srcset"):
                plain = re.sub(r"[\x00-\x20]", "", value).lower()
                if ":" in plain.split("/", 1)[0]:  # a scheme: only web and mail links
                    assert plain.startswith(("https:", "http:", "mailto:")), value
    return doc


def published_pages(proj: Project) -> list[Path]:
    return sorted((proj.root / "public").rglob("*.html"))


def config_with(site_title: str, show_title: str) -> str:
    return (BASE_CONFIG.replace("title: Test Site", f"title: {yaml_str(site_title)}")
            .replace("title: Test Show", f"title: {yaml_str(show_title)}"))


@settings(max_examples=40, deadline=20000,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(site_title=hostile_text, show_title=hostile_text, summary=hostile_text,
       post_title=hostile_text)
@example(site_title='Tom "the" <b>', show_title="</title><script>alert(1)</script>",
         summary="<b>bold</b> &lt;script&gt;alert(1)&lt;/script&gt; & more",
         post_title='"><img src=x onerror=alert(1)>')
def test_hostile_titles_and_summaries_land_escaped(site_title, show_title, summary, post_title):
    front = (f"---\ntitle: {yaml_str(post_title)}\ndate: 2026-10-01\n"
             f"summary: {yaml_str(summary)}\n---\n\nBody *text*.\n")
    with tempfile.TemporaryDirectory() as tmp:
        proj = project(Path(tmp) / "p", config_with(site_title, show_title),
                       {"posts/a.md": front})
        result = proj.run("publish")
        assert "Traceback" not in result.output
        event(f"exit {result.exit_code}")
        if result.exit_code != 0:  # refused: one clear line naming the file
            errors = [line for line in result.output.splitlines() if line.startswith("Error")]
            assert errors and ("config.yaml" in result.output or "posts/a.md" in result.output)
            assert not (proj.root / "public" / "feed.xml").exists() or result.exit_code == 1
            return
        pages = published_pages(proj)
        assert pages
        for page in pages:
            assert_inert(page.read_bytes())
        home = assert_inert(proj.read("index.html"))
        # the visible site name equals what was configured (after XML-character cleaning)
        assert home.xpath("string(//header/a)") == seen(site_title)
        assert home.findtext(".//title") == seen(site_title)
        links = home.xpath("//link[@rel='alternate']/@title")
        assert links == [f"{seen(site_title)} (RSS)", f"{seen(site_title)} (Atom)",
                         f"{seen(show_title)} (podcast)", f"{seen(site_title)} (JSON Feed)",
                         f"{seen(show_title)} (podcast, JSON Feed)"]
        page = assert_inert(proj.read("posts/a/index.html"))
        if seen(post_title).strip():  # (the title as read: blank space around it goes)
            assert page.xpath("string(//h1)") == seen(xml_safe(post_title).strip())

        rss = etree.fromstring(proj.read("feed.xml"))
        assert rss.findtext("channel/title") == xml_safe(site_title)  # XML keeps a CR
        item = rss.find("channel/item")
        if seen(post_title).strip():
            assert item.findtext("title") == xml_safe(post_title).strip()
        # the summary is plain text: nothing in <description> an HTML reader would take as markup
        description = item.findtext("description")
        wrapper = lxml.html.fragment_fromstring(description or " ", create_parent="div")
        assert [el.tag for el in wrapper.iter()] == ["div"], description
        want = plain_summary(summary)
        if want:
            assert description == want
        atom = etree.fromstring(proj.read("atom.xml"))
        assert atom.findtext("{http://www.w3.org/2005/Atom}title") == xml_safe(site_title)


def test_summary_markup_never_reaches_description(make_project):
    summary = '"<p>Hello <b>there</b> <script>alert(1)</script>&amp;lt;i&amp;gt; AT&T</p>"'
    proj = make_project({"posts/a.md": post("A", summary=summary)})
    assert proj.run("publish").exit_code == 0
    item = etree.fromstring(proj.read("feed.xml")).find("channel/item")
    # entities decoded once: '&amp;lt;' is the text '&lt;', which a reader shows as '<'
    assert item.findtext("description") == "Hello there &lt;i&gt; AT&T"
    atom = etree.fromstring(proj.read("atom.xml"))
    summary = atom.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert summary.text == "Hello there &lt;i&gt; AT&T" and summary.get("type") in (None, "text")


def test_a_summary_that_only_spells_a_tag_falls_back_to_the_body(make_project):
    proj = make_project({"posts/a.md": post(
        "A", summary="'&lt;script&gt;alert(1)&lt;/script&gt;'", body="The first paragraph.")})
    assert proj.run("publish").exit_code == 0
    item = etree.fromstring(proj.read("feed.xml")).find("channel/item")
    assert item.findtext("description") == "The first paragraph."


def test_podcast_title_reads_back_equal_in_the_podcast_feed(make_project):
    show = 'Pod "cast" <script>alert(1)</script> ]]> & co'
    proj = make_project({"episodes/e.mp3": tone(), "episodes/e.yaml": sidecar("E")},
                        config=config_with("Site", show))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    with open(proj.public("podcast.xml"), "rb") as f:
        parsed = podcastparser.parse("https://example.test/podcast.xml", f)
    assert parsed["title"] == show
    channel = etree.fromstring(proj.read("podcast.xml")).find("channel")
    assert channel.findtext("image/title") == show
    for page in published_pages(proj):
        assert_inert(page.read_bytes())
    doc = assert_inert(proj.read("episodes/e/index.html"))
    assert doc.findtext(".//title") == f"E · {show}"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>x</script>",
                                 "file:///etc/passwd", "//evil.example/", "https://",
                                 'https://x.example/"onmouseover=alert(1)',
                                 "https://x.example/\x01", "ftp://x.example/"])
def test_chapter_url_that_is_not_http_is_refused_naming_the_line(make_project, url):
    text = (sidecar("E") + "chapters:\n  - start: 0\n    title: One\n"
            f"    url: {yaml_str(url)}\n")
    proj = make_project({"episodes/e.mp3": tone(), "episodes/e.yaml": text,
                         "posts/a.md": post("A")})
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "episodes/e.yaml:6: 'chapters[0].url': expected an http(s) URL" in result.output
    assert not proj.public("episodes/e/chapters.json").exists()
    assert proj.public("posts/a/index.html").exists()  # the rest is published


def test_chapter_url_error_keeps_the_last_published_chapters(make_project):
    good = sidecar("E") + "chapters:\n  - start: 0\n    title: One\n    url: https://ok.example/\n"
    proj = make_project({"episodes/e.mp3": tone(), "episodes/e.yaml": good})
    assert proj.run("publish").exit_code == 0
    before = proj.read("episodes/e/chapters.json")
    proj.write("episodes/e.yaml", good.replace("https://ok.example/", "javascript:alert(1)"))
    result = proj.run("publish")
    assert result.exit_code == 1 and "episodes/e.yaml:6" in result.output
    assert proj.read("episodes/e/chapters.json") == before
    assert "javascript" not in proj.read("podcast.xml").decode()


@pytest.mark.parametrize("key,value,line", [
    ("funding", "\n    - url: 'javascript:alert(1)'\n      text: Give", 18),
    ("media_base_url", " 'data:,x'", 17),
])
def test_config_urls_are_http_only(make_project, key, value, line):
    config = BASE_CONFIG.replace("  explicit: false\n", f"  explicit: false\n  {key}:{value}\n")
    proj = make_project({"posts/a.md": post("A")}, config=config)
    result = proj.run("publish")
    assert result.exit_code == 2
    assert f"config.yaml:{line}: 'podcast.{key}" in result.output
    assert "expected an http(s) URL" in result.output
    assert not proj.public("podcast.xml").exists()


@settings(max_examples=300, deadline=5000)
@given(st.one_of(st.text(max_size=60),
                 st.builds(lambda s, rest: s + rest,
                           st.sampled_from(["http://", "https://", "HTTPS://", "javascript:",
                                            "http:", "https:///", "data:", " https://"]),
                           st.text(max_size=40))))
def test_web_url_passes_only_http_urls_that_cannot_break_out(value):
    try:
        url = web_url(value)
    except ValueError as exc:
        assert "expected an http(s) URL" in str(exc)
        return
    assert url.lower().startswith(("http://", "https://"))
    assert not any(c in url for c in '"<>\\ `\x00\n\r\t')
    assert xml_safe(url) == url


def test_channel_descriptions_carry_no_active_markup(make_project):
    config = (BASE_CONFIG.replace("description: A site for tests.",
                                  "description: 'Notes <script>alert(1)</script> & <b>more</b>'")
              .replace("description: A show for tests.",
                       "description: '<p onclick=\"x()\">A <em>show</em></p><iframe src=x>'"))
    proj = make_project({"posts/a.md": post("A"), "episodes/e.mp3": tone(),
                         "episodes/e.yaml": sidecar("E")}, config=config)
    assert proj.run("publish").exit_code == 0
    blog = etree.fromstring(proj.read("feed.xml")).findtext("channel/description")
    show = etree.fromstring(proj.read("podcast.xml")).findtext("channel/description")
    assert blog == "Notes  &amp; <b>more</b>"
    assert show == "<p>A <em>show</em></p>"
    with open(proj.public("podcast.xml"), "rb") as f:
        assert "script" not in podcastparser.parse("https://example.test/podcast.xml",
                                                   f)["description"]


hostile_url = st.one_of(
    st.sampled_from(["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:x", "data:,x",
                     "vbscript:x", "file:///etc/passwd", "//evil.example/x", "https:evil",
                     'https://ok.example/"><script>x</script>', "https://ok.example/\x00",
                     "https://ok.example/a b", "http://[::1", "https://ok.example:99999/",
                     "https://ok.example/ok?a=1&b='2'", "https://ok.example/\u202e"]),
    st.builds(lambda scheme, rest: scheme + rest,
              st.sampled_from(["https://", "http://", "javascript:", "", "HTTP://"]),
              st.text(max_size=30)),
)


def mostly(*good: str) -> st.SearchStrategy:
    return st.one_of(*(st.just(g) for g in good), hostile_url)


@settings(max_examples=15, deadline=20000,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(chapter_url=hostile_url,
       funding_url=mostly("https://ok.example/give", "https://ok.example/give?a=1&b='2'"),
       site_url=mostly("https://example.test/", "https://ex.example/it's/"))
@example(chapter_url="javascript:alert(1)", funding_url="https://ok.example/give",
         site_url="https://example.test/")
@example(chapter_url="https://ok.example/c?a='1'", funding_url="https://ok.example/g",
         site_url="https://ex.example/it's/")
def test_hostile_urls_are_refused_or_land_inert(chapter_url, funding_url, site_url):
    config = (BASE_CONFIG.replace("url: https://example.test/", f"url: {yaml_str(site_url)}")
              .replace("  explicit: false\n", "  explicit: false\n  funding:\n"
                       f"    - url: {yaml_str(funding_url)}\n      text: Give\n")
              + "audio:\n  process: false\n")
    text = (sidecar("E") + "chapters:\n  - start: 0\n    title: One\n"
            f"    url: {yaml_str(chapter_url)}\n")
    with tempfile.TemporaryDirectory() as tmp:
        proj = project(Path(tmp) / "p", config, {"episodes/e.mp3": tone(), "episodes/e.yaml": text,
                                                 "posts/a.md": post("A")})
        result = proj.run("publish")
        assert "Traceback" not in result.output
        event(f"exit {result.exit_code}")
        errors = [line for line in result.output.splitlines() if line.startswith("Error")]
        if result.exit_code == 2:
            assert errors and "config.yaml:" in errors[0], result.output
            assert "'site.url'" in result.output or "'podcast.funding[0].url'" in result.output
            return
        published = list((proj.root / "public").rglob("*"))
        if result.exit_code == 1:
            assert len(errors) == 1, result.output
            assert "episodes/e.yaml:6: 'chapters[0].url': expected an http(s) URL" in errors[0] \
                or "episodes/e.yaml:6: 'chapters[0].url': https://***@ holds a user name" \
                in errors[0], errors  # (https://0@: a user name is said before the host)
            assert not proj.public("episodes/e/chapters.json").exists()
        else:
            assert result.exit_code == 0, result.output
            doc = json.loads(proj.read("episodes/e/chapters.json"))
            assert doc["chapters"][0]["url"] == chapter_url
            assert chapter_url.lower().startswith(("http://", "https://"))
        for page in published:
            if page.suffix == ".html":
                assert_inert(page.read_bytes())
        for feed in ("feed.xml", "atom.xml", "podcast.xml"):
            root = etree.fromstring(proj.read(feed))
            for el in root.iter():
                for name, value in el.attrib.items():
                    if name in ("href", "url"):
                        assert value.lower().startswith(("http://", "https://")), (feed, value)


@settings(max_examples=15, deadline=20000,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(title=hostile_text, notes=hostile_text, chapter=hostile_text, summary=hostile_text)
@example(title='"><script>alert(1)</script>', notes="<img src=x onerror=alert(1)> ]]>",
         chapter="</script><script>x()</script>", summary="<b>hi</b> &amp;lt;b&amp;gt;")
@example(title="RTL \u202e mark \u200f and \ufeff BOM", notes="n", chapter="c", summary="s")
def test_hostile_episode_text_lands_escaped(title, notes, chapter, summary):
    text = (f"title: {yaml_str(title)}\ndate: 2026-10-01 08:00\nsummary: {yaml_str(summary)}\n"
            f"notes: {yaml_str(notes)}\nchapters:\n  - start: 0\n    title: {yaml_str(chapter)}\n")
    with tempfile.TemporaryDirectory() as tmp:
        proj = project(Path(tmp) / "p", BASE_CONFIG + "audio:\n  process: false\n",
                       {"episodes/e.mp3": tone(), "episodes/e.yaml": text})
        result = proj.run("publish")
        assert "Traceback" not in result.output
        event(f"exit {result.exit_code}")
        if result.exit_code != 0:
            errors = [line for line in result.output.splitlines() if line.startswith("Error")]
            assert len(errors) == 1 and "episodes/e.yaml:" in errors[0], result.output
            assert not (proj.root / "public" / "episodes" / "e").exists()
            assert not list((proj.root / "public").glob("media/*"))
            return
        with open(proj.public("podcast.xml"), "rb") as f:
            [episode] = podcastparser.parse("https://example.test/podcast.xml", f)["episodes"]
        # podcastparser folds whitespace in titles
        assert " ".join(episode["title"].split()) == " ".join(xml_safe(title).split())
        for page in published_pages(proj):
            assert_inert(page.read_bytes())
        page = assert_inert(proj.read("episodes/e/index.html"))
        assert page.xpath("string(//h1)") == seen(xml_safe(title).strip())
        item = etree.fromstring(proj.read("podcast.xml")).find("channel/item")
        notes_html = lxml.html.fragment_fromstring(item.findtext("description") or " ",
                                                   create_parent="div")
        assert_inert(lxml.html.tostring(notes_html))
        doc = json.loads(proj.read("episodes/e/chapters.json"))
        assert doc["title"] == xml_safe(title).strip()
        assert doc["chapters"][0]["title"] == xml_safe(chapter)
