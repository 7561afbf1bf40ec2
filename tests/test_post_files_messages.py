"""Messages about files beside posts say what happened, once: a file whose name has a space is
published (under files/) and not warned about; an image over the limit is one warning saying
the limit of files beside posts and that its link will not work."""

from __future__ import annotations

import os
import re

from test_pages import new_project

from conftest import png_bytes, post


def _warnings(output: str, name: str) -> list[str]:
    return [ln for ln in output.splitlines() if name in ln and "Warning" in ln]


def test_a_linked_file_with_a_space_is_published_and_not_warned_about(tmp_path):
    proj = new_project(tmp_path / "p", {
        "posts/2026-10-01-odd.md": post("Odd", body="![wide](<2026-10-01-odd/wide view.png>)"),
        "posts/2026-10-01-odd/wide view.png": png_bytes(8, 8),
        "posts/2026-10-01-odd/plain.png": png_bytes(4, 4),
    })
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert _warnings(result.output, "wide view") == [], result.output
    page = proj.read("posts/odd/index.html").decode()
    (src,) = re.findall(r'<img src="([^"]+)"', page)
    assert src.startswith("files/") and proj.public("posts/odd/" + src).is_file()


def test_an_image_over_the_limit_is_one_warning_in_words_fit_for_it(tmp_path):
    proj = new_project(tmp_path / "p", {
        "posts/2026-10-01-odd.md": post("Odd", body="![big](2026-10-01-odd/big.png)"),
    })
    big = proj.root / "posts" / "2026-10-01-odd" / "big.png"
    big.parent.mkdir()
    with open(big, "wb") as f:
        f.write(png_bytes(4, 4))
    os.truncate(big, 65 << 20)  # sparse: nothing of it is read
    result = proj.run("publish")
    assert "Traceback" not in result.output
    found = _warnings(result.output, "big.png")
    assert len(found) == 1, result.output
    assert "64 MB" in found[0] and "split it" not in found[0] and "sidecar" not in found[0]
    assert "link" in found[0] and "posts/2026-10-01-odd.md" in found[0]
    assert not list((proj.root / "public").rglob("big.png"))
