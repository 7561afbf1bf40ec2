"""The words config.yaml gives the feeds and pages (the show's title, the site's description, a
person's name...) are published as an item's are: an address in them holding a credential is
published without it and said with config.yaml:LINE; and ``site.url``, the base of every
published address, is refused with its line if it has a query or a fragment (h19 Z12: a
``podcast.title`` holding ``https://u:pw@...`` was in 53 places, a ``site.url`` with
``#access_token=`` in every link)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, post

SHAPES = {"userinfo": "https://u:{s}@ex.org/p", "no scheme": "//u:{s}@ex.org/p",
          "bare": "u:{s}@ex.org", "query": "https://ex.org/?token={s}",
          "fragment": "https://ex.org/#access_token={s}"}

# key path -> how to write it into BASE_CONFIG (the text replaced, and what replaces it)
KEYS = {
    "site.title": ("  title: Test Site\n", "  title: Site {a}\n"),
    "site.description": ("  description: A site for tests.\n", "  description: see {a}\n"),
    "site.author": ("  author: Test Author\n", "  author: Author {a}\n"),
    "blog.title": ("target: public\n", "target: public\nblog:\n  title: Blog {a}\n"),
    "blog.description": ("target: public\n", "target: public\nblog:\n  description: >\n"
                                              "    About {a} here\n"),
    "podcast.title": ("  title: Test Show\n", "  title: Radio {a}\n"),
    "podcast.description": ("  description: A show for tests.\n",
                            "  description: '<p>Hear <a href=\"{a}\">it</a></p>'\n"),
    "podcast.author": ("  explicit: false\n", "  explicit: false\n  author: By {a}\n"),
    "podcast.copyright": ("  explicit: false\n", "  explicit: false\n  copyright: (c) {a}\n"),
    "podcast.owner.name": ("    name: Test Owner\n", "    name: Owner {a}\n"),
    "podcast.funding[0].text": ("  explicit: false\n",
                                "  explicit: false\n  funding:\n"
                                "    - url: https://example.test/support\n"
                                "      text: Give {a}\n"),
    "podcast.persons[0].name": ("  explicit: false\n",
                                "  explicit: false\n  persons:\n    - name: Ann {a}\n"),
}


def _config(key: str, address: str) -> str:
    old, new = KEYS[key]
    assert old in BASE_CONFIG
    return BASE_CONFIG.replace(old, new.format(a=address), 1)


def _line(text: str, secret: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if secret in ln)


def _key_line(text: str, secret: str) -> int:
    """The line of the key whose value holds ``secret`` (a folded value: the key above it)."""
    at = _line(text, secret)
    return at - 1 if text.splitlines()[at - 1].startswith("    About") else at


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(key=st.sampled_from(sorted(KEYS)), shape=st.sampled_from(sorted(SHAPES)),
       secret=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=16))
def test_every_shown_config_text_loads_without_its_credential_and_says_its_line(
        tmp_path_factory, key, shape, secret):
    from syndicate.config import load_config

    secret = "KSEC" + secret
    text = _config(key, SHAPES[shape].format(s=secret))
    root = tmp_path_factory.mktemp("cfg")
    (root / "config.yaml").write_text(text, encoding="utf-8")
    settings_ = load_config(root / "config.yaml")
    assert secret not in settings_.config.model_dump_json()  # no value holds it any more
    assert "ex.org" in settings_.config.model_dump_json()  # the address stays, without it
    said = [w for w in settings_.warnings if "an address holds" in w]
    assert len(said) == 1, settings_.warnings
    assert f"config.yaml:{_key_line(text, secret)}: '{key}': an address holds" in said[0], said
    assert secret not in said[0]


def _everything(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (root / "public").rglob("*") if p.is_file())


@pytest.mark.parametrize("key", ["podcast.title", "site.description", "podcast.persons[0].name",
                                 "podcast.description"])
def test_a_credential_in_a_show_text_is_published_nowhere(make_project, key):
    """h19 Z12's repro through the CLI: the feeds, pages and JSON feeds carry the text without
    the credential, the publish succeeds and the warning names config.yaml and the line."""
    text = _config(key, "https://u:KSEC6@ex.org/p")
    proj = make_project({"posts/a.md": post("A post")}, config=text)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert f"config.yaml:{_key_line(text, 'KSEC6')}: '{key}': an address holds" \
        in result.output, result.output
    assert "KSEC6" not in result.output
    published = _everything(proj.root)
    assert b"KSEC6" not in published
    assert b"ex.org/p" in published


@pytest.mark.parametrize("url", ["https://example.test/#access_token=KSEC4",
                                 "https://example.test/#top", "https://example.test/?v=KSEC4",
                                 "https://example.test/blog/?lang=en"])
def test_a_site_url_with_a_query_or_fragment_is_refused_with_its_line(make_project, url):
    """site.url is the base of every address published: a query or a fragment in it would end
    up in (or break) every link, so it is refused at load, naming its line, nothing written."""
    proj = make_project({"posts/a.md": post("A post")},
                        config=BASE_CONFIG.replace("url: https://example.test/", f"url: {url}"))
    result = proj.run("publish")
    assert result.exit_code == 2, result.output
    assert "config.yaml:3: 'site.url':" in result.output, result.output
    assert "KSEC4" not in result.output
    assert not (proj.root / "public").exists()
