"""Issue 14, the site's pages: rendered from the Jinja2 theme, with every head tag, escaped for
where each value lands, dates in site.timezone, subscribe links only where configured, the
project's theme over the default one, links that work in either link style, and pages that are
rendered again only when what they show changes.

Projects are generated and published through the CLI or the library; the assertions parse the
pages written (lxml).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_safety_render import assert_inert, yaml_str

from conftest import BASE_CONFIG, NOW_DT, Project, png_bytes, post, sidecar, tone
from syndicate.config import load_config
from syndicate.markup import tag_key, xml_safe
from syndicate.publish import publish
from syndicate.render.pages import jsonld
from syndicate.when import local

BASE = "https://example.test/"
SUBSCRIBE = {"apple": "Apple Podcasts", "spotify": "Spotify", "pocket_casts": "Pocket Casts",
             "overcast": "Overcast", "antennapod": "AntennaPod",
             "youtube_music": "YouTube Music"}


def new_project(root: Path, files: dict[str, str | bytes], config: str = BASE_CONFIG) -> Project:
    proj = Project(root)
    proj.root.mkdir(parents=True)
    proj.write("config.yaml", config)
    proj.write("cover.png", png_bytes(64, 64))
    (proj.root / "posts").mkdir()
    (proj.root / "episodes").mkdir()
    for rel, content in files.items():
        proj.write(rel, content)
    return proj


def doc(proj: Project, key: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(proj.read(key))


def pages(proj: Project) -> dict[str, lxml.html.HtmlElement]:
    public = proj.root / "public"
    return {p.relative_to(public).as_posix(): lxml.html.document_fromstring(p.read_bytes())
            for p in sorted(public.rglob("*.html"))}


def ld(page: lxml.html.HtmlElement) -> dict:
    (script,) = page.xpath("//script[@type='application/ld+json']")
    return json.loads(script.text)


def meta(page: lxml.html.HtmlElement, name: str) -> str | None:
    found = page.xpath(f"//head/meta[@property='{name}' or @name='{name}']/@content")
    assert len(found) <= 1, (name, found)
    return found[0] if found else None


def key_of(url: str) -> str:
    """The published file an address of the site leads to (a folder: its index.html)."""
    assert url.startswith(BASE), url
    path = urlsplit(url).path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


@pytest.fixture
def show(tmp_path):
    """A project with posts over two tags, an episode with chapters and a transcript, and one
    without either: published once."""
    vtt = ("WEBVTT\n\n00:00:00.000 --> 00:00:00.800\nFirst words &amp; more.\n\n"
           "00:00:00.800 --> 00:00:01.600\n<v Host>Second words.\n")
    files = {
        "posts/2026-10-20-river.md": post("River", date="2026-10-20 00:30", tags="[water, walks]",
                                          summary="By the river."),
        "posts/2026-10-02-kit.md": post("Kit", date="2026-10-02", tags="[gear]"),
        "posts/2026-09-14-why.md": post("Why", date="2026-09-14", tags="[walks]"),
        "episodes/one.mp3": tone(2.0), "episodes/one.vtt": vtt,
        "episodes/one.yaml": sidecar("One", date="2026-09-01 08:00", season=1, number=1,
                                     transcript="one.vtt", summary="The first.")
        + "chapters:\n  - start: 0\n    title: Start\n  - start: 1.5\n    title: Later\n",
        "episodes/two.mp3": tone(1.0),
        "episodes/two.yaml": sidecar("Two", date="2026-09-08 08:00", season=1, number=2),
    }
    proj = new_project(tmp_path / "show", files)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    return proj


def test_every_page_has_its_head_tags_and_json_ld(show):
    found = pages(show)
    assert {"index.html", "404.html", "episodes/one/index.html", "episodes/two/index.html",
            "posts/river/index.html", "posts/index.html", "episodes/index.html",
            "tags/walks/index.html"} <= set(found)
    for key, page in found.items():
        head = page.find("head")
        assert page.get("lang") == "en"
        assert head.findtext("title").strip(), key
        canonical = head.xpath("link[@rel='canonical']/@href")
        robots = head.xpath("meta[@name='robots']/@content")
        if key == "404.html":  # served at any missing address: it claims none (h20 V2)
            assert canonical == [] and meta(page, "og:url") is None, key
            assert robots == ["noindex"], key
            canonical = [None]
        else:
            assert len(canonical) == 1 and canonical[0].startswith(BASE), key
            assert key_of(canonical[0]) == key and robots == [], key
        types = head.xpath("link[@rel='alternate']/@type")
        assert types == ["application/rss+xml", "application/atom+xml", "application/rss+xml",
                         "application/feed+json", "application/feed+json"]
        assert meta(page, "og:title") == head.findtext("title")
        assert meta(page, "og:url") == canonical[0]
        assert meta(page, "twitter:card") in ("summary", "summary_large_image")
        assert meta(page, "og:image") and meta(page, "og:image").startswith(BASE)
        assert head.xpath("link[@rel='icon']/@href")
        for img in page.iter("img"):
            assert img.get("alt"), (key, img.get("src"))
    assert ld(found["index.html"])["@type"] == "PodcastSeries"
    episode = found["episodes/one/index.html"]
    data = ld(episode)
    assert data["@type"] == "PodcastEpisode" and data["name"] == "One"
    assert data["episodeNumber"] == 1
    audio = meta(episode, "og:audio")
    assert audio == data["associatedMedia"]["contentUrl"] == episode.xpath("//audio/@src")[0]
    assert meta(episode, "og:audio:type") == "audio/mpeg"
    assert meta(episode, "description") == "The first."
    blog = ld(found["posts/river/index.html"])
    assert blog["@type"] == "BlogPosting" and blog["headline"] == "River"
    assert sorted(blog["keywords"]) == ["walks", "water"]
    assert meta(found["posts/river/index.html"], "og:audio") is None


def test_episode_page_has_player_chapters_transcript_download_and_neighbours(show):
    page = doc(show, "episodes/one/index.html")
    (audio,) = page.xpath("//audio")
    assert audio.get("controls") is not None and audio.get("preload") == "metadata"
    assert audio.get("aria-label")
    assert audio.get("src") in page.xpath("//a[@download]/@href")
    chapters = page.xpath("//section[@class='chapters']//a")
    assert [(a.get("href"), a.text_content().split(None, 1)[1]) for a in chapters] == \
        [("#t=0", "Start"), ("#t=1.5", "Later")]
    cues = page.xpath("//section[@class='transcript']//li")
    assert [c.text_content().split(None, 1)[1] for c in cues] == ["First words & more.",
                                                                   "Host: Second words."]
    assert [c.get("data-start") for c in cues] == ["0.0", "0.8"]
    text = page.text_content()
    assert "Season 1" in text and "Episode 1" in text and "0:02" in text  # its duration
    assert page.xpath("//a[@rel='next']/@href") == [BASE + "episodes/two/"]
    assert page.xpath("//a[@rel='prev']") == []  # the oldest
    assert page.xpath("//script/@src") == [BASE + "static/player.js"]
    assert show.public("static/player.js").exists() and show.public("static/style.css").exists()


def test_post_page_has_tags_date_and_neighbours(show):
    page = doc(show, "posts/kit/index.html")
    assert page.xpath("//a[@rel='tag']/@href") == [BASE + "tags/gear/"]
    assert page.xpath("//a[@rel='prev']/@href") == [BASE + "posts/why/"]
    assert page.xpath("//a[@rel='next']/@href") == [BASE + "posts/river/"]
    walks = doc(show, "tags/walks/index.html")
    assert walks.xpath("//main//li/a/text()") == ["River", "Why"]


def test_a_post_of_20_october_shows_20_october(show):
    # 00:30 on 20 October in London is 23:30 on the 19th in UTC
    page = doc(show, "posts/river/index.html")
    (time,) = page.xpath("//article//time")
    assert time.get("datetime").startswith("2026-10-19T23:30")
    assert time.text == "20 October 2026"


@given(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1),
                    timezones=st.just(dt.UTC)),
       st.sampled_from(["Europe/London", "America/New_York", "Pacific/Kiritimati",
                        "Pacific/Pago_Pago", "Asia/Kolkata", "UTC", "Australia/Lord_Howe"]))
def test_the_day_shown_is_the_day_in_the_site_zone(when, zone):
    from syndicate.render.pages import Theme

    shown = Theme(None, zone).day(when.isoformat())
    there = local(when.isoformat(), zone)
    assert shown == f"{there.day} {there:%B} {there.year}"
    # (the same instant: compared as timestamps, since Python calls a time in a zone's
    # repeated hour unequal to any other zone's)
    assert there.utcoffset() is not None and there.timestamp() == when.timestamp()


@settings(max_examples=200)
@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12))
def test_json_ld_never_ends_its_script_element_and_reads_back_equal(value):
    text = str(jsonld(value))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == value


HOSTILE = ["</script><script>alert(1)", '"><img src=x onerror=alert(1)>', "]]> & <!--",
           "</title><script>x</script>", "Tom & \"Jerry\" 'quoted'"]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(site_title=st.sampled_from(HOSTILE) | st.text(
           alphabet=st.sampled_from(list("<>\"'&/=!-[] sx\u2028\U0001f600é")), min_size=1,
           max_size=30).filter(lambda t: t.strip() and t.strip() == t),
       post_title=st.sampled_from(HOSTILE))
def test_hostile_titles_stay_text_in_title_heading_meta_and_json_ld(site_title, post_title):
    config = BASE_CONFIG.replace("title: Test Site", f"title: {yaml_str(site_title)}")
    with tempfile.TemporaryDirectory() as tmp:
        proj = new_project(Path(tmp) / "p", {
            "posts/a.md": f"---\ntitle: {yaml_str(post_title)}\ndate: 2026-10-01\n---\nText.\n"},
            config)
        result = proj.run("publish")
        assert "Traceback" not in result.output
        assert result.exit_code == 0, result.output
        for key, page in pages(proj).items():
            assert_inert(proj.read(key))
            assert meta(page, "og:site_name") == xml_safe(site_title)
        home = doc(proj, "index.html")
        assert home.findtext(".//title") == xml_safe(site_title)
        page = doc(proj, "posts/a/index.html")
        assert page.findtext(".//title") == f"{post_title} · {xml_safe(site_title)}"
        assert page.xpath("string(//main//h1)") == post_title
        assert ld(page)["headline"] == post_title
        assert meta(page, "og:title") == f"{post_title} · {xml_safe(site_title)}"
        raw = proj.read("posts/a/index.html").decode()
        assert raw.count("<script") == 1  # the JSON-LD alone: the title opened none


@pytest.mark.parametrize("configured", [[], ["apple"], ["spotify", "youtube_music"],
                                        list(SUBSCRIBE)])
def test_subscribe_links_show_only_where_configured_and_rss_always(tmp_path, configured):
    lines = "".join(f"    {name}: https://{name.replace('_', '-')}.example/show/1\n"
                    for name in configured)
    config = BASE_CONFIG.replace("  explicit: false\n",
                                 "  explicit: false\n" + ("  subscribe:\n" + lines
                                                          if configured else ""))
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")}, config)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    links = doc(proj, "index.html").xpath("//ul[@class='subscribe']//a")
    want = [(SUBSCRIBE[n], f"https://{n.replace('_', '-')}.example/show/1")
            for n in SUBSCRIBE if n in configured] + [("RSS", BASE + "podcast.xml")]
    assert [(a.text, a.get("href")) for a in links] == want


@pytest.mark.parametrize("value, why", [
    ("http://podcasts.example/show", "https://"),
    ("https://user:pw@podcasts.example/show", "credential"),
    ("https://podcasts.example/show?token=abc", "credential"),
    ("javascript:alert(1)", "https://"),
    ("https://podcasts.example/a b", "percent-encode"),
])
def test_a_subscribe_link_that_is_not_a_plain_https_address_is_refused_naming_the_line(
        tmp_path, value, why):
    config = BASE_CONFIG.replace("  explicit: false\n",
                                 f"  explicit: false\n  subscribe:\n    spotify: '{value}'\n")
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")}, config)
    result = proj.run("publish")
    assert result.exit_code == 2 and "Traceback" not in result.output
    line = config.splitlines().index(f"    spotify: '{value}'") + 1
    assert f"config.yaml:{line}: 'podcast.subscribe.spotify'" in result.output, result.output
    assert why in result.output
    if "pw@" in value or "token" in value:
        assert "abc" not in result.output and ":pw@" not in result.output
    assert not proj.public("index.html").exists()


def test_the_projects_theme_overrides_a_template_and_a_static_file(tmp_path):
    proj = new_project(tmp_path / "p", {
        "posts/a.md": post("A"),
        "mytheme/templates/post.html": '{% extends "base.html" %}{% block main %}'
                                       '<h1 class="mine">{{ item.title }}</h1>{% endblock %}',
        "mytheme/static/style.css": "body { color: rebeccapurple; }\n",
        "mytheme/static/extra/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    }, BASE_CONFIG + "theme: mytheme\n")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert doc(proj, "posts/a/index.html").xpath("//h1[@class='mine']/text()") == ["A"]
    assert proj.read("static/style.css") == b"body { color: rebeccapurple; }\n"
    assert proj.public("static/extra/logo.svg").exists()
    assert proj.public("static/player.js").exists()  # the default's, not overridden
    assert doc(proj, "index.html").xpath("//ul[@class='subscribe']")  # the default home
    # a change to the theme renders again what it changed, and only that
    proj.write("mytheme/templates/post.html", '{% extends "base.html" %}{% block main %}'
                                              '<h1 class="new">{{ item.title }}</h1>{% endblock %}')
    assert proj.run("publish").exit_code == 0
    assert doc(proj, "posts/a/index.html").xpath("//h1[@class='new']/text()") == ["A"]


@pytest.mark.parametrize("template, line", [
    ("{% extends 'base.html' %}\n{% block main %}\n{{ item.title \n{% endblock %}", 4),
    ("{% extends 'base.html' %}\n{% block main %}\n{{ item.title | nosuchfilter }}\n"
     "{% endblock %}", 3),
    ("{% extends 'base.html' %}\n{% block main %}\n\n{{ 1 / 0 }}\n{% endblock %}", 4),
    # h18 Y17: a template that calls, includes or extends itself (was a RecursionError traceback)
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}\n", 1),
    ("{% include 'post.html' %}\n", 1),
    ("{% extends 'post.html' %}\n", 1),
])
def test_a_broken_theme_template_is_one_error_naming_its_file_and_line(tmp_path, template,
                                                                       line):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A"),
                                        "mytheme/templates/post.html": template},
                       BASE_CONFIG + "theme: mytheme\n")
    result = proj.run("publish")
    assert "Traceback" not in result.output
    assert result.exit_code != 0
    assert re.search(rf"mytheme/templates/post\.html:{line}: .*template error", result.output), \
        result.output
    assert "fix the template" in result.output
    assert proj.public("index.html").exists()  # the other pages are published


def test_a_theme_folder_that_does_not_exist_is_refused_naming_the_setting(tmp_path):
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")},
                       BASE_CONFIG + "theme: nothere\n")
    result = proj.run("publish")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'theme'" in result.output and "nothere" in result.output


@pytest.mark.parametrize("links", ["directory", "file"])
@pytest.mark.parametrize("posts, episodes", [(0, 0), (1, 1), (21, 3), (45, 22)])
def test_every_link_between_pages_leads_to_a_published_page_and_archives_lose_nothing(
        tmp_path, links, posts, episodes):
    files: dict[str, str | bytes] = {}
    for i in range(posts):
        files[f"posts/p{i:03d}.md"] = post(f"Post {i}", date=f"2026-0{1 + i % 9}-{1 + i % 28:02d}"
                                           f" {i % 24:02d}:00", tags=f"[t{i % 4}, all]")
    for i in range(episodes):
        files[f"episodes/e{i:03d}.mp3"] = tone(0.2, freq=300 + i)
        files[f"episodes/e{i:03d}.yaml"] = sidecar(f"Ep {i}", date=f"2025-{1 + i % 12:02d}-"
                                                   f"{1 + i % 28:02d} 08:{i:02d}")
    config = BASE_CONFIG.replace("  timezone: Europe/London\n",
                                 f"  timezone: Europe/London\n  links: {links}\n")
    proj = new_project(tmp_path / "p", files, config + "audio:\n  process: false\n")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    found = pages(proj)
    for key, page in found.items():
        for href in page.xpath("//a/@href | //link/@href | //script/@src | //img/@src"):
            if not href.startswith(BASE):
                continue
            if links == "file":
                assert not urlsplit(href).path.endswith("/"), (key, href)
            assert proj.public(key_of(href)).is_file(), (key, href)
    def listed(key: str) -> list[str]:  # an archive's rows, its pages followed
        out = []
        while True:
            page = found[key]
            out += page.xpath("//main//ul[@class='listing']/li/a/text()")
            older = page.xpath("//nav[@class='pages']/a[@rel='next']/@href")
            if not older:
                return out
            key = key_of(older[0])

    for folder, count, kind in (("posts", posts, "Post"), ("episodes", episodes, "Ep")):
        rows = listed(f"{folder}/index.html")
        assert sorted(rows) == sorted(f"{kind} {i}" for i in range(count))
        assert len(rows) == len(set(rows))
    tag_pages = 0  # a tag's posts are paginated as the archives are (h20 V10)
    for tag, members in [(f"t{t}", [i for i in range(posts) if i % 4 == t]) for t in range(4)] \
            + [("all", list(range(posts)))]:
        rows = listed(f"tags/{tag}/index.html") if members else []
        assert sorted(rows) == sorted(f"Post {i}" for i in members)
        assert len(rows) == len(set(rows))
        tag_pages += -(-len(members) // 20)
    sitemap = etree.fromstring(proj.read("sitemap.xml"))
    locs = sitemap.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/"
                                                             "sitemap/0.9"})
    archives = max(1, -(-posts // 20)) + max(1, -(-episodes // 20))  # every archive page
    assert len(locs) == len(set(locs)) == 1 + posts + episodes + tag_pages + archives
    assert all(proj.public(key_of(u)).is_file() for u in locs)
    robots = proj.read("robots.txt").decode()
    assert f"Sitemap: {BASE}sitemap.xml" in robots


def _written(settings, now) -> set[str]:
    result = publish(settings, now=now)
    assert result.ok, [str(e) for e in result.errors]
    return {w.output.key for w in result.plan.writes}


def test_a_page_is_rendered_again_only_when_what_it_shows_changes(tmp_path):
    files = {f"posts/p{i}.md": post(f"Post {i}", date=f"2026-01-0{i + 1}",
                                    tags="[odd]" if i % 2 else "[even]") for i in range(5)}
    proj = new_project(tmp_path / "p", files)
    settings = load_config(proj.root / "config.yaml")
    first = _written(settings, NOW_DT)
    assert "posts/p2/index.html" in first and "index.html" in first
    assert _written(settings, NOW_DT) == set()  # nothing changed: nothing written
    proj.write("posts/p2.md", post("Post two, renamed", date="2026-01-03", tags="[even]"))
    again = _written(settings, NOW_DT)
    # its page, its neighbours (their prev/next show its title), every list that shows it
    assert {k for k in again if k.endswith(".html")} == {
        "posts/p2/index.html", "posts/p1/index.html", "posts/p3/index.html",
        "posts/index.html", "tags/even/index.html", "index.html"}
    assert "tags/odd/index.html" not in again and "posts/p0/index.html" not in again
    assert doc(proj, "posts/p3/index.html").xpath("string(//a[@rel='prev'])") == \
        "← Post two, renamed"


def test_the_sample_project_pages_show_its_episode_with_chapters_and_transcript(
        sample_project):
    result = sample_project.run("publish")
    assert result.exit_code == 0, result.output
    page = lxml.html.document_fromstring(
        sample_project.read("episodes/001-first-light/index.html"))
    assert len(page.xpath("//section[@class='chapters']//a")) >= 2
    assert len(page.xpath("//section[@class='transcript']//li")) >= 2
    home = lxml.html.document_fromstring(sample_project.read("index.html"))
    assert home.xpath("//img[@class='cover']/@alt")
    assert local("2026-10-19T23:30:00+00:00", "Europe/London").day == 20


def test_a_theme_file_leading_outside_the_theme_is_never_published(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")},
                       BASE_CONFIG + "theme: mytheme\n")
    (proj.root / "mytheme/templates").mkdir(parents=True)
    (proj.root / "mytheme/static").mkdir(parents=True)
    (proj.root / "mytheme/templates/post.html").symlink_to(secret)
    (proj.root / "mytheme/static/leak.txt").symlink_to(secret)
    proj.write("mytheme/static/bad name.css", "x\n")
    result = proj.run("publish")
    assert "Traceback" not in result.output
    assert "mytheme/templates/post.html" in result.output and "leads outside" in result.output
    assert "mytheme/static/leak.txt: leads outside the theme folder; not used" in result.output
    assert "mytheme/static/bad name.css: not published" in result.output
    published = b"".join(p.read_bytes() for p in (proj.root / "public").rglob("*")
                         if p.is_file())
    assert b"TOP SECRET" not in published
    assert not proj.public("posts/a/index.html").exists()
    assert proj.public("index.html").exists()


def test_a_theme_folder_outside_the_project_is_refused(tmp_path):
    (tmp_path / "elsewhere/templates").mkdir(parents=True)
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A")},
                       BASE_CONFIG + "theme: ../elsewhere\n")
    result = proj.run("publish")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'theme'" in result.output and "outside the project" in result.output


def test_items_marked_for_a_preview_show_a_badge_and_the_site_a_banner():
    from syndicate.render.pages import Item, Theme

    items = [Item("Draft one", "2026-10-01T08:00:00+00:00", BASE + "posts/d/", preview="draft"),
             Item("Queued", "2026-10-02T08:00:00+00:00", BASE + "posts/q/", preview="queued"),
             Item("Live", "2026-09-01T08:00:00+00:00", BASE + "posts/l/")]
    site = {"title": "S", "url": BASE, "language": "en", "preview": True, "static": BASE,
            "rss": BASE, "atom": BASE, "podcast": BASE, "show": "Show"}
    page = lxml.html.document_fromstring(Theme(None, "UTC").render(
        "archive.html", site=site, heading="Posts", items=items, pages=None,
        page_meta={"title": "Posts", "canonical": BASE}))
    assert [b.text for b in page.xpath("//li//span[contains(@class, 'badge')]")] == \
        ["Draft", "Queued"]
    (banner,) = page.xpath("//*[@class='preview-banner']")
    # said of the whole preview, not of "this page", which may well be live (h20 V5)
    assert "preview of the site" in banner.text and "not published yet" not in banner.text
    site["preview"] = False
    items = [Item("Live", "2026-09-01T08:00:00+00:00", BASE + "posts/l/")]
    page = lxml.html.document_fromstring(Theme(None, "UTC").render(
        "archive.html", site=site, heading="Posts", items=items, pages=None,
        page_meta={"title": "Posts", "canonical": BASE}))
    assert not page.xpath("//*[contains(@class, 'badge')] | //*[@class='preview-banner']")


tag_text = st.text(alphabet=st.sampled_from(list("aZ9 -_+#.&<>\"'é漢🙂/\\")), min_size=1,
                   max_size=12).filter(lambda t: t.strip() and "," not in t)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(tags=st.lists(st.lists(tag_text, max_size=3), min_size=1, max_size=6),
       links=st.sampled_from(["directory", "file"]))
def test_every_tag_link_leads_to_a_page_listing_its_post(tags, links):
    """Tags of any spelling (symbols, other scripts, ones that read the same once made a
    folder name): each tag link on a post leads to a published page that lists the post; a
    tag given twice (in any case) is shown once; distinct tags never share a page."""
    files = {f"posts/p{i}.md": f"---\ntitle: Post {i}\ndate: 2026-03-{i + 1:02d}\n"
                               f"tags: {json.dumps(t, ensure_ascii=False)}\n---\nText.\n"
             for i, t in enumerate(tags)}
    config = BASE_CONFIG.replace("  timezone: Europe/London\n",
                                 f"  timezone: Europe/London\n  links: {links}\n")
    with tempfile.TemporaryDirectory() as tmp:
        proj = new_project(Path(tmp) / "p", files, config)
        result = proj.run("publish")
        assert "Traceback" not in result.output
        assert result.exit_code == 0, result.output
        tag_pages = {p.relative_to(proj.root / "public").as_posix()
                     for p in (proj.root / "public" / "tags").rglob("index.html")} \
            if (proj.root / "public" / "tags").exists() else set()
        linked = set()
        for i, post_tags in enumerate(tags):
            page = doc(proj, f"posts/p{i}/index.html")
            shown = page.xpath("//a[@rel='tag']")
            once: dict[str, str] = {}  # one of each tag, whatever its case
            for t in post_tags:
                once.setdefault(tag_key(xml_safe(t)), xml_safe(t).strip())
            assert [a.text for a in shown] == list(once.values())
            for a in shown:
                key = key_of(a.get("href"))
                linked.add(key)
                listed = doc(proj, key).xpath("//main//li/a/text()")
                assert f"Post {i}" in listed, (a.text, key, listed)
        assert tag_pages == linked  # no tag page that no post links to
        every = {tag_key(xml_safe(t)) for post_tags in tags for t in post_tags}
        assert len(tag_pages) == len(every)  # one page per tag


@pytest.mark.parametrize("count", [1, 20, 21, 45])
def test_the_sitemap_lists_every_page_written_archives_included(tmp_path, count):
    """Generated: with ``count`` posts (archives of one page or more), the sitemap's <loc>s are
    exactly the addresses of the pages written (404.html aside), each once."""
    files = {f"posts/p{n:02}.md": post(f"Post {n}", date=f"2026-0{1 + n % 9}-{1 + n % 27:02}",
                                       tags=f"[t{n % 3}]")
             for n in range(count)}
    proj = new_project(tmp_path / "p", files)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    public = proj.root / "public"
    written = {BASE + p.relative_to(public).parent.as_posix().removeprefix(".").strip("/")
               + "/" for p in public.rglob("index.html")}
    written = {u.replace(BASE + "/", BASE) for u in written}
    locs = etree.fromstring(proj.read("sitemap.xml")).xpath(
        "//*[local-name()='loc']/text()")
    assert len(locs) == len(set(locs))
    assert set(locs) == written
    assert (f"{BASE}posts/page/2/" in written) == (count > 20)


def test_an_episode_kept_at_the_old_host_asks_that_host_nothing_when_its_page_opens(tmp_path):
    """h20 V12: audio and art kept at their old addresses: the page loads neither (the player
    waits for play, the show's cover stands in), while the feed names both."""
    old = "https://old-host.example/show/"
    files = {"episodes/003-remote.yaml": sidecar(
        "Remote one", audio_url=f"{old}ep3.mp3", audio_length="123456", duration="61",
        image_url=f"{old}ep3.jpg"),
        "episodes/001-here.mp3": tone(0.5), "episodes/001-here.yaml": sidecar("Here one")}
    proj = new_project(tmp_path / "p", files)
    assert proj.run("publish").exit_code == 0
    found = pages(proj)
    remote = found["episodes/003-remote/index.html"]
    fetched = remote.xpath("//*[@src][not(self::audio or self::source)]/@src"
                           " | //link[@rel='stylesheet' or @rel='icon']/@href")
    assert fetched and not [u for u in fetched if "old-host" in u], fetched
    assert {a.get("preload") for a in remote.xpath("//audio")} == {"none"}
    assert remote.xpath("//a[@download]/@href") == [f"{old}ep3.mp3"]  # a link, not a load
    here = found["episodes/001-here/index.html"]
    assert {a.get("preload") for a in here.xpath("//audio")} == {"metadata"}
    feed = proj.read("podcast.xml").decode()
    assert f'href="{old}ep3.jpg"' in feed and f'url="{old}ep3.mp3"' in feed
