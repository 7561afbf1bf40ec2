"""Issue 14, the site in a real browser: Debian's headless Chromium (through Playwright) loads the
published pages from a local server (site.url pointed at it) and plays, seeks and reads them.

The project is the repository's sample (an episode with chapters and a VTT transcript), with a
hostile site title, so every test also checks that no title ran as script.
"""

from __future__ import annotations

import shutil

import pytest
from browser import PHONE, browser_fixture, open_page, serve_folder  # noqa: F401  (fixture)

from conftest import NOW, REPO, free_port
from syndicate.cli import main

HOSTILE = "</script><script>alert(1)</script> & <b>Tide</b>"
EPISODE = "episodes/001-first-light/"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("browser") / "sample"
    root.mkdir()
    for name in ("posts", "episodes"):
        shutil.copytree(REPO / name, root / name)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    config = (REPO / "config.yaml").read_text()
    config = config.replace("url: https://lowtide.example.org/", f"url: {base}")
    config = config.replace("title: Low Tide Notes", "title: '" + HOSTILE.replace("'", "''") + "'")
    (root / "config.yaml").write_text(config)
    result = CliRunner().invoke(main, ["publish", "--config", str(root / "config.yaml"),
                                       "--now", NOW])
    assert result.exit_code == 0, result.output
    server, served = serve_folder(root / "public", port)
    assert served == base
    yield base
    server.shutdown()
    server.server_close()


def _clean(seen, base: str) -> None:
    assert seen.console_errors == []
    assert seen.failed == []
    assert seen.dialogs == []  # no title ran as script
    assert [u for u in seen.requests if not u.startswith(base)] == []  # nothing third-party


def test_episode_page_loads_with_no_console_errors_and_no_failed_requests(browser, site):
    seen = open_page(browser, site + EPISODE)
    page = seen.page
    page.wait_for_function("document.querySelector('audio').readyState >= 1")  # metadata read
    assert page.evaluate("document.querySelector('audio').duration") > 5
    assert page.title() == "First light · Low Tide Radio"
    _clean(seen, site)
    page.context.close()


def test_pressing_play_advances_current_time(browser, site):
    seen = open_page(browser, site + EPISODE)
    page = seen.page
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
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    link = page.locator(".chapters a").nth(1)
    start = float(link.get_attribute("data-start"))
    assert link.get_attribute("href") == f"#t={start:g}"
    link.click()
    page.wait_for_function(f"document.querySelector('audio').currentTime >= {start}")
    assert page.evaluate("location.hash") == f"#t={start:g}"
    _clean(seen, site)
    page.context.close()


def test_the_transcript_cue_being_heard_is_highlighted(browser, site):
    seen = open_page(browser, site + EPISODE)
    page = seen.page
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    cue = page.locator(".transcript li").nth(2)
    start, end = float(cue.get_attribute("data-start")), float(cue.get_attribute("data-end"))
    cue.locator("a").click()
    page.wait_for_function("document.querySelectorAll('.transcript li.current').length == 1")
    current = page.locator(".transcript li.current")
    assert float(current.get_attribute("data-start")) == start
    assert current.get_attribute("aria-current") == "true"
    assert start <= page.evaluate("document.querySelector('audio').currentTime") < end + 1
    _clean(seen, site)
    page.context.close()


def test_a_link_with_a_time_opens_the_episode_at_that_time(browser, site):
    seen = open_page(browser, site + EPISODE + "#t=6")
    page = seen.page
    page.wait_for_function("document.querySelector('audio').currentTime >= 6")
    _clean(seen, site)
    page.context.close()


@pytest.mark.parametrize("path", ["", EPISODE, "posts/field-recording-kit/", "episodes/"])
def test_pages_at_phone_width_do_not_overflow(browser, site, path):
    seen = open_page(browser, site + path, viewport=PHONE)
    page = seen.page
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth") == PHONE["width"]
    _clean(seen, site)
    page.context.close()


def test_hostile_site_title_is_shown_as_text(browser, site):
    seen = open_page(browser, site)
    page = seen.page
    assert page.title() == HOSTILE
    assert page.locator("header .site-name").inner_text() == HOSTILE
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # the JSON-LD
    assert page.evaluate("document.querySelectorAll('b').length") == 0
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
