"""An image from another site in a post's body or an episode's notes is loaded from that site by
every reader's browser: publish says so, once for each address, naming the file, the line and
the host, and how to serve it from the site instead; the page still publishes with it. A link
to another site (``<a href>``) is followed only by a reader who clicks it: not warned."""

from __future__ import annotations

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
    st.tuples(st.just("data"), st.just("")),       # ![i](data:...): dropped, and said so
    st.tuples(st.just("root"), st.just("")),       # ![i](/img/p.png): the site's own
    st.tuples(st.just("backslash"), _host),        # https:\\HOST\b.png: browsers read / (h17 X7)
    st.tuples(st.just("angle"), _host),            # ![i](<https://HOST/a b.png>): warned too
)
_WRITE = {
    "remote": "![i](https://{}/p.png)", "html": '<img src="//{}/h.png" alt="">',
    "link": "[t](https://{}/)", "code": "`![i](https://{}/c.png)`",
    "data": "![i](data:image/png;base64,AAAA)", "root": "![i](/img/p.png)",
    "backslash": '<img src="https:\\\\{}\\b.png" alt="">',
    "angle": "![i](<https://{}/a b.png>)",
}
# the address as the warning names it (a space is encoded by the Markdown renderer)
_NAMED = {"remote": "https://{}/p.png", "html": "//{}/h.png", "backslash": "https:\\\\{}\\b.png",
          "angle": "https://{}/a%20b.png"}


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
    expected: dict[str, tuple[int, str]] = {}
    for n, (kind, host) in enumerate(pieces):
        if kind in _NAMED:  # the front matter and a blank line: 5
            expected.setdefault(_NAMED[kind].format(host), (6 + 2 * n, host))
    assert len(said) == len(expected), (said, expected)
    for address, (line, host) in expected.items():
        assert any(w.startswith(f"t.md:{line}: ") and repr(address) in w
                   and f"loaded from {host}:" in w for w in said), (address, line, said)
    # a data: image is taken out of the page (no address to fetch it by): said at the first
    data = [6 + 2 * n for n, (kind, _) in enumerate(pieces) if kind == "data"]
    dropped = [w for w in warnings if "data: image" in w]
    assert [w.split(":")[1] for w in dropped] == [str(line) for line in data[:1]], warnings


def test_a_backslashed_image_an_angle_bracket_one_and_a_data_image_are_each_said_at_their_line(
        tmp_path):
    """h17 X7: a browser reads `https:\\\\host\\x` as `https://host/x`; an address written in
    angle brackets with a space is named at its line; a data: image the page cannot keep is
    said to be removed, as the sanitiser's other removals are."""
    body = "\n".join([
        '<img src="https:\\\\a18.example\\z.png" alt="i">',  # line 6
        "",
        "![ang](<https://c1.example/a b.png>)",  # line 8
        "",
        "![d](data:image/png;base64,iVBORw0KGgo=)",  # line 10
    ])
    proj = new_project(tmp_path / "p", {"posts/2026-10-01-a.md": post("A", body=body)})
    result = proj.run("publish")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    name = "posts/2026-10-01-a.md"
    said = _remote_warnings(result.output)
    assert any(w.startswith(f"Warning: {name}:6: ") and "loaded from a18.example" in w
               for w in said), result.output
    assert any(w.startswith(f"Warning: {name}:8: ") and "loaded from c1.example" in w
               for w in said), result.output
    assert f"Warning: {name}:10: a data: image is removed from the page" in result.output
