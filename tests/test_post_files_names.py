"""Names of files beside posts as other systems write them (h23 Z12): a file copied from a Mac
has its name in decomposed Unicode (NFD) while the body links it composed (NFC), or the other
way round: the same name, published; a `file:` address (a file on the author's computer) is
a warning naming the line, as it never loads for a reader. Generated: names in either form."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pages import doc, new_project

from conftest import png_bytes, post

IMG = png_bytes(12, 8, (10, 120, 30))
# letters with a decomposed form, among plain ones
LETTERS = st.sampled_from(list("éèüñåçøÅÉÖ") + list("abz09-"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LETTERS, min_size=1, max_size=8).map("".join),
       st.sampled_from(["NFC", "NFD"]), st.booleans())
def test_a_file_named_in_the_other_unicode_form_than_its_link_is_published(stem, disk_form,
                                                                          in_folder):
    link_form = "NFD" if disk_form == "NFC" else "NFC"
    name = f"{stem}.png"
    on_disk = unicodedata.normalize(disk_form, name)
    linked = unicodedata.normalize(link_form, name)
    folder = "d/" if in_folder else ""
    with tempfile.TemporaryDirectory() as tmp:
        proj = new_project(Path(tmp) / "p", {
            f"posts/{folder}{on_disk}": IMG,
            "posts/a.md": post("A", body=f"![pic]({folder}{linked})"),
        })
        result = proj.run("publish")
        assert result.exit_code == 0, result.output
        assert "names no file beside" not in result.output, result.output
        (src,) = doc(proj, "posts/a/index.html").xpath("//main//img/@src")
        assert (proj.root / "public/posts/a" / src).resolve().read_bytes() == IMG


def test_a_file_address_is_warned_with_its_line(tmp_path):
    proj = new_project(tmp_path / "p", {
        "posts/a.md": post("A", body="Text.\n\n![b](file:///etc/passwd)\n\n"
                                     "[notes](FILE://localhost/home/me/notes.pdf)\n\n"
                                     '<img alt="c" src="file:///C:/Users/me/c.png">'),
    })
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    # (the post's text starts on line 6: front matter, then a blank line)
    assert "posts/a.md:8: the image 'file:///etc/passwd' is a file on this computer" \
        in result.output, result.output
    assert "posts/a.md:10: the link 'FILE://localhost/home/me/notes.pdf' is a file on this " \
        "computer" in result.output, result.output
    assert "posts/a.md:12: the image 'file:///C:/Users/me/c.png' is a file on this computer" \
        in result.output, result.output
    page = doc(proj, "posts/a/index.html")
    assert not [v for v in page.xpath("//@src | //@href") if v.lower().startswith("file:")]
