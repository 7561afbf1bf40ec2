"""Issue 14, the site in a real browser: Debian's headless Chromium (through Playwright) loads the
pages `syndicate serve` serves (run as a user runs it: a subprocess on a free port, stopped with
Ctrl-C) and plays, seeks, reads and tabs through them.

The project is the repository's sample (an episode with chapters and a VTT transcript) with a
hostile site title and a post with a hostile title, so every test also checks that no title ran
as script: no dialog, ``window.__x`` never set, no request but to the preview's own address.
"""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest
from browser import PHONE, browser_fixture, open_page, serving  # noqa: F401  (fixture)

from conftest import REPO

# each half, if it ever ran, sets window.__x or opens a dialog
SITE_TITLE = ("</script><script>window.__x=1;alert(1)</script> \"><img src=x "
              "onerror=\"window.__x=2;alert(2)\"> & <b>Tide</b>")
POST_TITLE = ("\"><img src=x onerror=\"window.__x=3;alert(3)\"> "
              "</script><script>window.__x=4;alert(4)</script>")
HOSTILE_POST = "posts/hostile-title/"
EPISODE = "episodes/001-first-light/"
POST = "posts/field-recording-kit/"


def _yaml_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The sample project served by ``syndicate serve --port 0``: its address."""
    root = tmp_path_factory.mktemp("browser") / "sample"
    root.mkdir()
    for name in ("posts", "episodes"):
        shutil.copytree(REPO / name, root / name)
    config = (REPO / "config.yaml").read_text()
    config = config.replace("title: Low Tide Notes", "title: " + _yaml_text(SITE_TITLE))
    assert SITE_TITLE[:20] in config
    (root / "config.yaml").write_text(config)
    (root / "posts" / "2026-10-05-hostile.md").write_text(
        f"---\ntitle: {_yaml_text(POST_TITLE)}\nslug: hostile-title\ntags: [gear]\n---\n\n"
        "A post whose title is markup.\n", encoding="utf-8")
    with serving("--config", str(root / "config.yaml")) as (url, _running):
        yield url


def _clean(seen, base: str) -> None:
    """Nothing went wrong on the page: no console error, no failed request, no dialog, no
    request leaving the preview's own address, and no hostile title ran."""
    assert seen.console_errors == []
    assert seen.failed == []
    assert seen.dialogs == []  # no title ran as script
    outside = [u for u in seen.requests
               if not u.startswith(base) or urlsplit(u).hostname != "127.0.0.1"]
    assert outside == []  # nothing third-party, nothing off this machine
    assert seen.page.evaluate("typeof window.__x") == "undefined"


def _ready(page) -> None:
    page.wait_for_function("document.querySelector('audio').readyState >= 1")  # metadata read


def test_episode_page_loads_with_no_console_errors_and_no_failed_requests(browser, site):
    seen = open_page(browser, site + EPISODE)
    page = seen.page
    _ready(page)
    assert page.evaluate("document.querySelector('audio').duration") > 5
    assert page.title() == "First light · Low Tide Radio"
    assert page.locator(".chapters a[data-start]").count() >= 2
    assert page.locator(".transcript li").count() >= 3
    _clean(seen, site)
    page.context.close()


def test_pressing_play_advances_current_time(browser, site):
    seen = open_page(browser, site + EPISODE)
    page = seen.page
    _ready(page)
    page.locator("audio").focus()
    page.keyboard.press("Space")  # the player's own control, from the keyboard
    try:
        page.wait_for_function("document.querySelector('audio').currentTime > 0.5",
                               timeout=5000)
    except Exception:  # a player that takes no key: its play, after a real click
        page.locator("audio").click()
        page.evaluate("document.querySelector('audio').play()")
        page.wait_for_function("document.querySelector('audio').currentTime > 0.5")
    assert not page.evaluate("document.querySelector('audio').paused")
    _clean(seen, site)
    page.context.close()


def test_clicking_a_chapter_seeks_the_player(browser, site):
    seen = open_page(browser, site + EPISODE)
    page = seen.page
    _ready(page)
    link = page.locator(".chapters a[data-start]").nth(1)
    start = float(link.get_attribute("data-start"))
    assert start > 0
    assert link.get_attribute("href") == f"#t={start:g}"
    link.click()
    page.wait_for_function(f"document.querySelector('audio').currentTime >= {start}")
    assert page.evaluate("location.hash") == f"#t={start:g}"
    _clean(seen, site)
    page.context.close()


def test_the_transcript_cue_being_heard_is_highlighted(browser, site):
    seen = open_page(browser, site + EPISODE)
    page = seen.page
    _ready(page)
    cues = page.locator(".transcript li")
    cue = cues.nth(cues.count() - 2)  # the last cue but one: playing on reaches the last
    start, end = float(cue.get_attribute("data-start")), float(cue.get_attribute("data-end"))
    cue.locator("a").click()
    page.wait_for_function("document.querySelectorAll('.transcript li.current').length == 1")
    current = page.locator(".transcript li.current")
    assert float(current.get_attribute("data-start")) == start
    assert current.get_attribute("aria-current") == "true"
    assert start <= page.evaluate("document.querySelector('audio').currentTime") < end + 1
    # as it plays on, the highlight moves to the cue heard next, and only there
    last = cues.nth(cues.count() - 1)
    page.wait_for_function("document.querySelector('.transcript li:last-child.current')",
                           timeout=30_000)
    assert page.locator(".transcript li.current").count() == 1
    assert last.get_attribute("aria-current") == "true"
    assert float(last.get_attribute("data-start")) <= \
        page.evaluate("document.querySelector('audio').currentTime")
    _clean(seen, site)
    page.context.close()


_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  if (e.tagName === 'AUDIO') return 'player';
  if (e.matches('.chapters a[data-start]')) return 'chapter ' + e.getAttribute('data-start');
  return e.tagName.toLowerCase();
}"""


def test_tab_reaches_the_player_and_each_chapter_and_enter_seeks(browser, site):
    seen = open_page(browser, site + EPISODE)
    page = seen.page
    _ready(page)
    starts = page.locator(".chapters a[data-start]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-start'))")
    wanted = ["player"] + [f"chapter {s}" for s in starts]
    reached: list[str] = []
    for _ in range(300):  # bounded: a page whose Tab never gets there fails, it does not hang
        page.keyboard.press("Tab")
        where = page.evaluate(_FOCUSED)
        if where in wanted and where not in reached:
            reached.append(where)
        if reached == wanted or where == f"chapter {starts[-1]}":
            break
    assert reached == wanted  # the player first, then every chapter, in order
    assert page.evaluate(_FOCUSED) == f"chapter {starts[-1]}"
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('audio').currentTime >= {starts[-1]}")
    assert page.evaluate("location.hash") == f"#t={float(starts[-1]):g}"
    _clean(seen, site)
    page.context.close()


def test_a_link_with_a_time_opens_the_episode_at_that_time(browser, site):
    seen = open_page(browser, site + EPISODE + "#t=6")
    page = seen.page
    page.wait_for_function("document.querySelector('audio').currentTime >= 6")
    _clean(seen, site)
    page.context.close()


# elements reaching past the window's right edge, but for those inside a box that scrolls
# sideways (a wide code block or table scrolls within the page, as it should)
_STICKING_OUT = """[...document.body.querySelectorAll('*')].filter(e => {
  if (e.getBoundingClientRect().right <= window.innerWidth + 0.5) return false;
  for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
    if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) return false;
  }
  return true;
}).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""


def _tag_page(browser, site) -> str:
    seen = open_page(browser, site + POST)
    hrefs = seen.page.locator("a[href*='/tags/']").evaluate_all("els => els.map(e => e.href)")
    seen.page.context.close()
    assert hrefs, "the post shows no tag link"
    return hrefs[0].removeprefix(site)


@pytest.mark.parametrize("kind", ["home", "episode", "post", "hostile post", "episode archive",
                                  "post archive", "tag", "404"])
def test_pages_at_phone_width_do_not_overflow(browser, site, kind):
    path = {"home": "", "episode": EPISODE, "post": POST, "hostile post": HOSTILE_POST,
            "episode archive": "episodes/", "post archive": "posts/",
            "404": "no-such-page/"}.get(kind) or _tag_page(browser, site)
    seen = open_page(browser, site + path, viewport=PHONE)
    page = seen.page
    assert page.locator("main, [role=main]").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth") == PHONE["width"]
    assert page.evaluate(_STICKING_OUT) == []  # nor is anything cut off at the edge
    if kind == "404":  # the page itself answers 404, and nothing else fails
        assert seen.failed == [f"{site + path} 404"]
        assert [e for e in seen.console_errors if "404" not in e] == []
        assert len(seen.console_errors) <= 1
        seen.failed.clear()
        seen.console_errors.clear()
    _clean(seen, site)
    page.context.close()


def test_hostile_site_and_post_titles_are_shown_as_text(browser, site):
    for path in ("", HOSTILE_POST):
        seen = open_page(browser, site + path)
        page = seen.page
        assert page.locator("header .site-name").inner_text() == SITE_TITLE
        if path:
            assert page.locator("main h1").first.inner_text() == POST_TITLE
            assert page.title().startswith(POST_TITLE)
        else:
            assert page.title() == SITE_TITLE
            assert POST_TITLE in page.locator("main").inner_text()  # listed as text
        assert page.evaluate("document.querySelectorAll('b, img[src=\"x\"]').length") == 0
        # every script is one of ours: JSON-LD, the theme's files, the preview's reload
        scripts = page.evaluate("[...document.scripts].map(s => [s.type, s.src, s.text])")
        for kind, src, text in scripts:
            assert kind == "application/ld+json" or src.startswith(site + "static/") \
                or text.startswith("/* syndicate serve: reload"), (kind, src, text)
        _clean(seen, site)
        page.context.close()


def test_pages_work_without_javascript(browser, site):
    seen = open_page(browser, site + EPISODE, javascript=False)
    page = seen.page
    assert page.locator("audio[controls]").count() == 1
    hrefs = page.locator(".chapters a").evaluate_all("els => els.map(e => e.href)")
    assert hrefs and all("#t=" in h for h in hrefs)
    assert page.locator(".transcript li").count() >= 3
    page.context.close()
