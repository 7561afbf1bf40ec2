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


SEGMENT = st.one_of(st.just(".."), st.text("abcxyz019-_.", min_size=1, max_size=6).filter(
    lambda t: t not in (".", "..") and not t.startswith(".")))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SEGMENT, min_size=1, max_size=3), st.sampled_from(["png", "txt", "pdf"]),
       st.booleans(), st.integers(0, 3))
def test_a_path_with_backslashes_is_named_as_written_with_its_line(folders, suffix, image,
                                                                    before):
    written = "\\".join([*folders, f"secret.{suffix}"])
    link = f"{'!' if image else ''}[x]({written})"
    with tempfile.TemporaryDirectory() as tmp:
        proj = new_project(Path(tmp) / "p", {
            "secret.txt": "not to be published\n",
            "posts/a.md": post("A", body="\n\n".join([*["Text."] * before, link])),
        })
        result = proj.run("publish")
        assert result.exit_code == 0, result.output
        line = 6 + 2 * before
        want = f"posts/a.md:{line}: the {'image' if image else 'link'} '{written}' has " \
            f"backslashes: an address on the web separates folders with '/'"
        assert want in result.output, result.output
        assert f"write it as '{written.replace(chr(92), '/')}'" in result.output
        assert not [p for p in (proj.root / "public").rglob("*")
                    if p.is_file() and b"not to be published" in p.read_bytes()]
