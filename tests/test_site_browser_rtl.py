"""h22 W9, W4 in a real browser (Debian's Chromium through Playwright): a right-to-left site
cannot be scrolled sideways at phone width (the hidden skip link stays inside the page, and
shows when tabbed to), and a table wider than the screen scrolls in its own box with its
headers' words whole."""

from __future__ import annotations

from browser import PHONE, browser_fixture, open_page, serving  # noqa: F401  (fixture)
from test_pages import new_project

from conftest import BASE_CONFIG, post

WIDE = "| " + " | ".join(f"column{i}" for i in range(30)) + " |\n|" + "---|" * 30 + "\n| " \
    + " | ".join(str(i) for i in range(30)) + " |\n"


def test_a_right_to_left_site_and_a_wide_table_fit_a_phone(browser, tmp_path):
    config = BASE_CONFIG.replace("language: en", "language: ar")
    assert "language: ar" in config
    proj = new_project(tmp_path / "p", {"posts/a.md": post("جدول", body=WIDE)}, config)
    with serving("--config", str(proj.root / "config.yaml")) as (url, _running):
        for path in ("", "posts/a/"):
            seen = open_page(browser, url + path, viewport=PHONE)
            page = seen.page
            assert page.evaluate("document.documentElement.dir") == "rtl"
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            page.keyboard.press("Tab")  # the skip link, shown where it can be read
            box = page.locator("a.skip").bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
            if path:
                head = page.locator("th").first
                line = page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                                     "'th')).lineHeight) || 24")
                assert head.bounding_box()["height"] < 2 * line  # "column0" on one line
                table = page.locator("table")
                assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # it scrolls
            assert seen.console_errors == [] and seen.failed == []
            page.context.close()


def test_english_labels_and_paragraphs_keep_their_order_on_a_right_to_left_site(browser,
                                                                              tmp_path):
    """h23 Z9: on an Arabic site the theme's English labels (the date line, the footer) and a
    tag such as C# read left to right, and an English paragraph of a post has its full stop at
    its end, in the browser's own layout."""
    config = BASE_CONFIG.replace("language: en", "language: ar")
    proj = new_project(tmp_path / "p", {"posts/a.md": post(
        "عنوان", body="Text before.\n\nنص عربي.", tags="[عربي, 'C#']")}, config)
    with serving("--config", str(proj.root / "config.yaml")) as (url, _running):
        seen = open_page(browser, url + "posts/a/", viewport=PHONE)
        page = seen.page
        assert page.evaluate("document.documentElement.dir") == "rtl"
        for selector in ("main .meta span", ".site-footer span"):
            assert page.locator(selector).first.evaluate(
                "e => getComputedStyle(e).direction") == "ltr", selector
        tag = page.locator("a[rel=tag]", has_text="C#")
        assert tag.evaluate("e => e.matches(':dir(ltr)')")
        # the English paragraph's last character (the full stop) is drawn at its right end
        ends = page.evaluate("""() => {
            const p = [...document.querySelectorAll('.body p')]
                .find(e => e.textContent.startsWith('Text before'));
            const r = document.createRange(), t = p.firstChild;
            r.setStart(t, t.length - 1); r.setEnd(t, t.length);
            const dot = r.getBoundingClientRect();
            r.setStart(t, 0); r.setEnd(t, 1);
            return [dot.left, r.getBoundingClientRect().left];
        }""")
        assert ends[0] > ends[1], ends  # the full stop right of the first letter
        assert seen.console_errors == [] and seen.failed == []
        page.context.close()
