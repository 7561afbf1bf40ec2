"""An address with a credential in a post's body or an episode's notes (an image from a
private host with user:password@, a link with ?access_token=, as an old blog's export may
carry) is published without the credential, and the file and line are said (h13 T10)."""

from __future__ import annotations

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
    assert "episodes/one.yaml:" in result.output and "in the notes holds" in result.output


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
