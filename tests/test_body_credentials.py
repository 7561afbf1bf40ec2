"""An address with a credential in a post's body or an episode's notes (an image from a
private host with user:password@, a link with ?access_token=, as an old blog's export may
carry) is published without the credential, and the file and line are said (h13 T10)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import post, sidecar, tone

SECRETS = ("hunter2secret", "TOKSECRET99")


def _everything(proj) -> bytes:
    return b"".join(p.read_bytes() for p in (proj.root / "public").rglob("*") if p.is_file())


def test_a_post_body_and_show_notes_publish_no_credential(make_project):
    body = ("An image: ![kit](https://editor:hunter2secret@img.example.org/kit.png)\n\n"
            "A [link](https://files.example.org/report.pdf?access_token=TOKSECRET99&page=2) "
            "and [a plain one](https://example.org/?p=118).\n")
    proj = make_project({
        "posts/kit.md": post("Kit", body=body),
        "episodes/one.yaml": sidecar("One", notes='"See https://u:hunter2secret@x.example/a"'),
        "episodes/one.mp3": tone(0.5)})
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    published = _everything(proj)
    for secret in SECRETS:
        assert secret.encode() not in published
        assert secret not in result.output
    assert b"https://example.org/?p=118" in published  # no secret: kept as written
    assert "posts/kit.md:6: an address holds" in result.output
    assert "posts/kit.md:8: an address holds" in result.output
    assert "episodes/one.yaml:3: an address holds" in result.output


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from(["token", "access_token", "api_key", "X-Amz-Signature", "sig",
                             "password", "auth"]),
       value=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=8, max_size=20),
       userinfo=st.booleans())
def test_no_generated_credential_reaches_the_html(name, value, userinfo):
    from syndicate.markup import markdown_to_html
    from syndicate.urls import credential_in

    secret = "S3CR" + value
    url = (f"https://me:{secret}@h.example/x.png" if userinfo
           else f"https://h.example/x.png?{name}={secret}")
    html = markdown_to_html(f"![a]({url}) and [b]({url})")
    if userinfo or credential_in(url):
        assert secret not in html
    else:
        assert secret in html  # a parameter that is no credential is kept


def test_an_address_whose_credentials_syndicate_hid_already_is_not_warned(make_project):
    """The `imported_from:` an import writes (its source address with the credentials made
    ***) holds no secret: no warning to remove it (h15 V3); a real one beside it still is."""
    proj = make_project({"posts/old.md": post(
        "Old", imported_from="http://***@127.0.0.1:5151/wp2.xml?token=***",
        body="See https://u:hunter2secret@x.example/a for more.")})
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    warned = [ln for ln in result.output.splitlines() if "an address holds" in ln]
    assert warned == [ln for ln in warned if ln.startswith("Warning: posts/old.md:7:")], warned
    assert len(warned) == 1, result.output


ADDRESSES = {"userinfo": "https://morwenna:hunter2secret@old.example/a",
             "token": "https://old.example/a?p=42&access_token=TOKSECRET99",
             # h19 Z11: the scheme left out, and a token in the fragment
             "no scheme": "//morwenna:hunter2secret@old.example/a",
             "fragment": "https://old.example/a#access_token=TOKSECRET99"}
POST_FIELDS = {  # where the address is written -> (file, text)
    "title": ("posts/g.md", lambda a: post(f"Post {a}", date="2026-10-01")),
    "summary": ("posts/g.md", lambda a: post("Post", date="2026-10-01",
                                            summary=f'"see {a} for more"')),
    "tags": ("posts/g.md", lambda a: post("Post", date="2026-10-01", tags=f"[{a}]")),
    "body": ("posts/g.md", lambda a: post("Post", date="2026-10-01",
                                          body=f"See {a} and [this]({a}) and ![i]({a}).")),
    "txt title": ("posts/g.txt", lambda a: f"Post {a}\nDate: 2026-10-01\n\nBody.\n"),
    "txt body": ("posts/g.txt", lambda a: f"Post\nDate: 2026-10-01\n\nSee {a} now.\n"),
    "episode title": ("episodes/one.yaml", lambda a: sidecar(f'"One {a}"')),
    "episode summary": ("episodes/one.yaml", lambda a: sidecar("One", summary=f'"see {a}"')),
    "chapter title": ("episodes/one.yaml", lambda a: sidecar(
        "One", chapters=f'[{{start: 0, title: "Intro {a}"}}]')),
}


@pytest.mark.parametrize("address", sorted(ADDRESSES))
@pytest.mark.parametrize("field", sorted(POST_FIELDS))
def test_no_field_publishes_a_credential_and_each_is_said_with_its_line(make_project, field,
                                                                        address):
    """h18 Y19: a title, summary, tag, .txt post or chapter title holding an address with a
    credential was published with it, while the warning said it was published without."""
    name, text = POST_FIELDS[field]
    files = {name: text(ADDRESSES[address])}
    if name.startswith("episodes/"):
        files["episodes/one.mp3"] = tone(0.5)
    proj = make_project(files)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    published = _everything(proj)
    for secret in SECRETS:
        assert secret.encode() not in published, field
        assert secret not in result.output
    assert f"{name}:" in result.output and "an address holds" in result.output, result.output
    assert b"old.example/a" in published  # the address itself stays, without its credential


@pytest.mark.parametrize("address", sorted(ADDRESSES))
@pytest.mark.parametrize("kind", ["post", "episode"])
def test_a_guid_holding_a_credential_is_refused_with_its_line(make_project, kind, address):
    """A guid is an id, published as it is: one holding a credential is refused (never rewritten,
    which would make it another item), the item left out, the rest published."""
    files = {"posts/other.md": post("Other", date="2026-10-01")}
    if kind == "post":
        files["posts/g.md"] = post("Post", date="2026-10-01", guid=ADDRESSES[address])
        name = "posts/g.md"
    else:
        files["episodes/one.yaml"] = sidecar("One", guid=ADDRESSES[address])
        files["episodes/one.mp3"] = tone(0.5)
        name = "episodes/one.yaml"
    proj = make_project(files)
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    assert f"{name}:" in result.output and "guid" in result.output, result.output
    for secret in SECRETS:
        assert secret.encode() not in _everything(proj)
        assert secret not in result.output
    assert b"Other" in proj.read("feed.xml")
