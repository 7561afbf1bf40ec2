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


def test_every_refused_link_of_a_post_is_named_in_one_run(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    body = ("Intro.\n\n"
            "![a](2026-10-01-odd/out.png)\n\n"
            "[b](../config.yaml)\n\n"
            f"[c]({outside})\n\n"
            "![d](2026-10-01-odd/fine.png)\n")
    proj = new_project(tmp_path / "p", {
        "posts/2026-10-01-odd.md": post("Odd", body=body),
        "posts/2026-10-01-odd/fine.png": png_bytes(4, 4),
    })
    (proj.root / "posts" / "2026-10-01-odd" / "out.png").symlink_to(outside)
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, result.output
    lines = {n for n, text in enumerate(post("Odd", body=body).split("\n"), 1)
             if "out.png" in text or "config.yaml" in text or str(outside) in text}
    assert len(lines) == 3
    for n in lines:
        assert re.search(rf"(:|line ){n}\b", errors[0]), (n, errors[0])
    assert not proj.public("posts/odd/index.html").exists()  # nothing of it is published


def test_video_picture_and_srcset_removed_from_a_post_are_each_warned_with_their_line(tmp_path):
    body = ("Intro.\n\n"
            '<img src="2026-10-01-odd/a.png" srcset="2026-10-01-odd/a.png 1x" alt="s">\n\n'
            '<picture><source srcset="2026-10-01-odd/a.png"><img src="2026-10-01-odd/a.png" '
            'alt="p"></picture>\n\n'
            '<video src="2026-10-01-odd/a.png"></video>\n\n'
            "```html\n<video src=shown-as-code.mp4></video>\n```\n")
    proj = new_project(tmp_path / "p", {
        "posts/2026-10-01-odd.md": post("Odd", body=body),
        "posts/2026-10-01-odd/a.png": png_bytes(4, 4),
    })
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    text = post("Odd", body=body).split("\n")
    for what, needle in (("srcset", "srcset="), ("<picture>", "<picture>"),
                         ("<video>", '<video src="')):
        line = next(n for n, t in enumerate(text, 1) if needle in t)
        found = [w for w in _warnings(result.output, f"posts/2026-10-01-odd.md:{line}:")
                 if what in w]
        assert len(found) == 1, (what, result.output)
    assert "shown-as-code" not in result.output
    page = proj.read("posts/odd/index.html").decode()
    assert "<video" not in page and "srcset" not in page  # as warned
