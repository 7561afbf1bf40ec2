"""An image from another site in a post's body or an episode's notes is loaded from that site by
every reader's browser: publish says so, once for each address, naming the file, the line and
the host, and how to serve it from the site instead; the page still publishes with it. A link
to another site (``<a href>``) is followed only by a reader who clicks it: not warned."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import BASE_CONFIG, post, sidecar, tone
from syndicate.collect.posts import parse_post


def _remote_warnings(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if "is loaded from" in ln]


def test_a_remote_image_is_one_warning_naming_file_line_and_host_and_the_page_publishes(
        tmp_path):
    body = "\n".join([
        "First [a link elsewhere](https://links.example/page) is fine.",  # line 6
        "",
        "![a marsh](https://evil.example/x.png)",  # line 8
        "",
        '<img src="//cdn.example/y.png" alt="y">',  # line 10
        "",
        "Again ![same](https://evil.example/x.png) and `![code](https://code.example/z.png)`.",
        "",
        "![c](https://bob:s3cret@cred.example/c.png)",  # line 14
    ])
    proj = new_project(tmp_path / "p", {
        "posts/2026-10-01-a.md": post("A", body=body),
        "episodes/one.yaml": sidecar("One", notes="'Art: ![art](https://notes.example/a.jpg)'"),
        "episodes/one.mp3": tone(1.0),
    }, config=BASE_CONFIG + "audio:\n  process: false\n")
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    said = _remote_warnings(result.output)
    assert len(said) == 4, result.output
    post_name = "posts/2026-10-01-a.md"
    assert any(f"{post_name}:8:" in w and "'https://evil.example/x.png'" in w and
               "loaded from evil.example" in w for w in said), said
    assert any(f"{post_name}:10:" in w and "loaded from cdn.example" in w for w in said), said
    assert any(f"{post_name}:14:" in w and "loaded from cred.example" in w for w in said)
    assert "s3cret" not in result.output  # the address is named without its password
    assert any("episodes/one.yaml:" in w and "loaded from notes.example" in w for w in said)
    for w in said:
        assert "copy the file beside" in w and "and link it by its name" in w
    assert "links.example" not in result.output and "code.example" not in result.output
    # the pages are published as written
    page = proj.read("posts/a/index.html").decode()
    assert 'src="https://evil.example/x.png"' in page and "//cdn.example/y.png" in page
    assert "https://notes.example/a.jpg" in proj.read("episodes/one/index.html").decode()


_host = st.from_regex(r"\A[a-z]{1,8}\.(example|test)\Z")
_piece = st.one_of(
    st.tuples(st.just("remote"), _host),           # ![i](https://HOST/p.png): warned
    st.tuples(st.just("html"), _host),             # <img src="//HOST/p.png">: warned
    st.tuples(st.just("link"), _host),             # [t](https://HOST/): not warned
    st.tuples(st.just("code"), _host),             # `![i](https://HOST/p.png)`: not an image
    st.tuples(st.just("data"), st.just("")),       # ![i](data:...): nothing fetched elsewhere
    st.tuples(st.just("root"), st.just("")),       # ![i](/img/p.png): the site's own
)
_WRITE = {
    "remote": "![i](https://{}/p.png)", "html": '<img src="//{}/h.png" alt="">',
    "link": "[t](https://{}/)", "code": "`![i](https://{}/c.png)`",
    "data": "![i](data:image/png;base64,AAAA)", "root": "![i](/img/p.png)",
}


@settings(max_examples=60, deadline=None)
@given(pieces=st.lists(_piece, max_size=8))
def test_exactly_the_remote_images_are_warned_each_at_its_line(tmp_path_factory, pieces):
    lines = [_WRITE[kind].format(host) for kind, host in pieces]
    text = post("T", "2026-10-01", "\n\n".join(lines))
    path = tmp_path_factory.mktemp("p") / "t.md"
    path.write_text(text, encoding="utf-8")
    warnings: list[str] = []
    parse_post(path, "t.md", "UTC", warnings)
    said = [w for w in warnings if "is loaded from" in w]
    expected: dict[str, int] = {}
    for n, (kind, host) in enumerate(pieces):
        if kind in ("remote", "html"):
            address = _WRITE[kind].format(host)
            address = re.search(r"(?:https:)?//[^)\"]+", address).group(0)
            expected.setdefault(address, 6 + 2 * n)  # the front matter and a blank line: 5
    assert len(said) == len(expected), (said, expected)
    for address, line in expected.items():
        host = re.match(r"(?:https:)?//([^/]+)", address).group(1)
        assert any(w.startswith(f"t.md:{line}: ") and repr(address) in w
                   and f"loaded from {host}:" in w for w in said), (address, line, said)
