"""An address with a credential in a post's body or an episode's notes (an image from a
private host with user:password@, a link with ?access_token=, as an old blog's export may
carry) is published without the credential, and the file and line are said (h13 T10)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import post, sidecar, tone
from syndicate.urls import (
    USERINFO,
    addresses_with_credentials,
    redact,
    redact_credentials,
    without_credentials,
)

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
             "fragment": "https://old.example/a#access_token=TOKSECRET99",
             # h19 Z1: user:password@host written with no scheme at all
             "bare": "morwenna:hunter2secret@old.example/a"}
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
    # a sidecar's Podcast Index tags (warned, but published with it before)
    "person name": ("episodes/one.yaml", lambda a: sidecar(
        "One", persons=f'[{{name: "Ann {a}"}}]')),
    "location name": ("episodes/one.yaml", lambda a: sidecar(
        "One", location=f'{{name: "Pier {a}"}}')),
    "soundbite title": ("episodes/one.yaml", lambda a: sidecar(
        "One", soundbites=f'[{{start: 0, duration: 0.4, title: "Bite {a}"}}]')),
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


# -- h19 Z1: user:password@host written without a scheme -----------------------------------------
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
                 min_size=1, max_size=12)
_HOSTS = st.one_of(
    st.builds(lambda a, b: f"{a}.{b}", _WORD, st.sampled_from(["org", "example", "io", "co.uk"])),
    st.builds(lambda *n: ".".join(map(str, n)), *[st.integers(0, 255)] * 4),
    st.just("localhost"))
_FILLER = st.lists(st.one_of(_WORD, st.sampled_from(["Note:", "see", "(at", "10:30", "-", "and"])),
                   max_size=6).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(user=_LABEL, secret=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789!$%&*+=_~.-",
                                   min_size=1, max_size=16),
       host=_HOSTS, tail=st.sampled_from(["", ":5177", "/x", ":8080/db?ssl=1", "/a/b.png"]),
       before=_FILLER, after=_FILLER, end=st.sampled_from(["", ".", ",", ")", "!"]),
       lines=st.integers(0, 3))
def test_a_user_and_password_without_a_scheme_is_found_and_taken_out_of_text(
        user, secret, host, tail, before, after, end, lines):
    """Whatever the user, password, host and the words around it, ``user:password@host`` with
    no scheme is said (on its line) and published without the user and password."""
    assume(user.lower() not in {"mailto", "sip", "sips", "xmpp", "acct", "im", "pres", "tag",
                                "mid", "cid", "news", "nntp", "snews", "email", "e-mail",
                                "mail", "contact", "from", "to", "cc", "bcc", "reply-to", "re",
                                "fw", "fwd"})
    assume(not (user.isdigit() and len(user) <= 2 and secret.isdigit() and len(secret) == 2))
    password = "PW" + secret
    address = f"{user}:{password}@{host}{tail}"
    text = "\n" * lines + f"{before} {address}{end} {after}"
    published = redact_credentials(text, without_credentials)
    assert password not in published
    assert f"{host}{tail}" in published  # the address stays, without its credential
    assert (lines + 1, USERINFO) in addresses_with_credentials(text)
    assert password not in redact(address)


_ORDINARY = st.one_of(
    _WORD,
    st.builds(lambda a, h: f"{a}@{h}", _WORD, _HOSTS),  # an email address
    st.builds(lambda w, a, h: f"{w}: {a}@{h}", st.sampled_from(["Note", "Email", "Me"]), _WORD,
              _HOSTS),
    st.builds(lambda s, a, h: f"{s}:{a}@{h}", st.sampled_from(
        ["mailto", "MAILTO", "xmpp", "sip", "acct", "Email", "contact", "tag"]), _WORD, _HOSTS),
    st.builds(lambda h, m, w: f"{h}:{m:02d}@{w}", st.integers(0, 23), st.integers(0, 59),
              st.one_of(_WORD, _HOSTS)),  # a time: 10:30@home
    st.builds(lambda h, w: f"https://{h}/{w}?p=1", _HOSTS, _WORD),
    st.builds(lambda a, b: f"{a}:{b}", _WORD, _WORD),  # ratio, label:value
    st.sampled_from(["@home", "me@", "a:@b.org", ":x@y.org", "user:pass", "1:2"]))


@settings(max_examples=300, deadline=None)
@given(words=st.lists(_ORDINARY, max_size=12),
       seps=st.lists(st.sampled_from([" ", ", ", ". ", "\n", " (", ") "]), min_size=12,
                     max_size=12))
def test_ordinary_text_with_colons_and_at_signs_is_left_as_written(words, seps):
    """No false alarm: email addresses, "Note: see me@...", mailto:, times like 10:30@home
    and plain addresses are published as written and warned of nowhere."""
    text = "".join(w + s for w, s in zip(words, seps, strict=False))
    assert redact_credentials(text, without_credentials) == text
    assert addresses_with_credentials(text) == []


@pytest.mark.parametrize("guid", ["u:GSEC3@old.example", "https://old.example/#access_token=GSEC3"])
def test_a_guid_of_the_shapes_h19_found_is_refused_with_its_line(make_project, guid):
    """h19 Z1/Z11: these two guids were published in every blog feed with no error."""
    proj = make_project({"posts/other.md": post("Other", date="2026-10-01"),
                         "posts/g.md": post("Post", date="2026-10-01", guid=f'"{guid}"')})
    result = proj.run("publish")
    assert result.exit_code == 1, result.output
    assert "posts/g.md:4: 'guid': holds" in result.output, result.output
    assert "GSEC3" not in result.output
    assert b"GSEC3" not in _everything(proj)
    assert b"Other" in proj.read("feed.xml")
