"""A site in a language written right to left is laid out right to left (h20 V18): every page's
``<html>`` carries ``dir="rtl"`` beside its ``lang``; a left-to-right one carries no ``dir``."""

from __future__ import annotations

import pytest
from test_pages import new_project, pages

from conftest import BASE_CONFIG, post


@pytest.mark.parametrize(("language", "direction"), [
    ("ar", "rtl"), ("he-IL", "rtl"), ("fa", "rtl"), ("ur-PK", "rtl"), ("ku-Arab", "rtl"),
    ("yi", "rtl"), ("en", None), ("de-CH", None), ("ku-Latn", None), ("az-Latn-AZ", None),
])
def test_every_page_takes_the_direction_of_the_sites_language(tmp_path, language, direction):
    assert "  language: en\n" in BASE_CONFIG
    config = BASE_CONFIG.replace("  language: en\n", f"  language: {language}\n")
    proj = new_project(tmp_path / "p", {"posts/a.md": post("A", tags="[walks]")}, config)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    found = pages(proj)
    assert {"index.html", "404.html", "posts/a/index.html", "tags/walks/index.html"} <= set(found)
    for key, page in found.items():
        if key.endswith("index.html") or key == "404.html":
            assert page.get("lang") == language, key
            assert page.get("dir") == direction, (key, language)
