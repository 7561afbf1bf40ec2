"""Bad input: a clear error naming the file (and line), a non-zero exit, and everything else
still published with valid feeds."""

from __future__ import annotations

import feedparser
import podcastparser
import pytest

from conftest import post, sidecar, tone

GOOD = {
    "posts/good.md": post("Good post"),
    "episodes/good.yaml": sidecar("Good episode"),
    "episodes/good.mp3": None,  # filled with a tone
}


def _files(extra: dict) -> dict:
    files = {k: v for k, v in GOOD.items() if v is not None}
    files["episodes/good.mp3"] = tone(1.0)
    files.update(extra)
    return files


def _assert_rest_published(proj) -> None:
    rss = feedparser.parse(proj.read("feed.xml"))
    atom = feedparser.parse(proj.read("atom.xml"))
    pod = proj.read("podcast.xml")
    assert not rss.bozo and not atom.bozo and not feedparser.parse(pod).bozo
    assert "Good post" in [e.title for e in rss.entries]
    eps = podcastparser.parse("https://example.test/podcast.xml", _io(pod))["episodes"]
    assert "Good episode" in [e["title"] for e in eps]


def _io(raw: bytes):
    import io

    return io.BytesIO(raw)


CASES = {
    "malformed front matter": (
        {"posts/bad.md": "---\ntitle: Broken\ndate: [2026\n---\nbody\n"},
        "Error: posts/bad.md:4: invalid YAML: did not find expected ',' or ']'",
    ),
    "front matter not closed": (
        {"posts/bad.md": "---\ntitle: X\ndate: 2026-10-01\nbody\n"},
        "Error: posts/bad.md:1: front matter is not closed (end it with a line holding only ---)",
    ),
    "missing title": (
        {"posts/bad.md": "---\ndate: 2026-10-01\n---\nbody\n"},
        "Error: posts/bad.md:2: missing title (add 'title: ...' to the front matter)",
    ),
    "unparseable date": (
        {"posts/bad.md": "---\ntitle: X\ndate: next tuesday\n---\nbody\n"},
        "Error: posts/bad.md:3: 'date': expected a date such as 2024-05-01",
    ),
    "wrong type in front matter": (
        {"posts/bad.md": "---\ntitle: X\ndate: 2026-10-01\ndraft: perhaps\n---\nbody\n"},
        "Error: posts/bad.md:4: 'draft': expected true or false, got 'perhaps'",
    ),
    "duplicate slug": (
        {"posts/a.md": post("A", slug="same"), "posts/b.md": post("B", slug="same")},
        "Error: posts/b.md: slug 'same' is already used by posts/a.md",
    ),
    "text that is not UTF-8": (
        {"posts/bad.md": "---\ntitle: Caf\xe9\ndate: 2026-10-01\n---\n".encode("latin-1")},
        "Error: posts/bad.md:2: not UTF-8 text (byte 0xe9 in column 11) (save the file as UTF-8)",
    ),
    "missing audio file": (
        {"episodes/bad.yaml": sidecar("Bad", audio="nothere.mp3")},
        "Error: episodes/bad.yaml:3: audio file 'nothere.mp3' not found",
    ),
    "empty audio file": (
        {"episodes/bad.yaml": sidecar("Bad"), "episodes/bad.mp3": b""},
        "Error: episodes/bad.mp3: audio file is empty",
    ),
    "audio that is not audio": (
        {"episodes/bad.yaml": sidecar("Bad"), "episodes/bad.wav": "just words\n"},
        "Error: episodes/bad.wav: not readable audio: ",
    ),
    "sidecar without audio": (
        {"episodes/bad.yaml": sidecar("Bad")},
        "Error: episodes/bad.yaml:1: no audio file for this sidecar",
    ),
    "wrong type in sidecar": (
        {"episodes/bad.yaml": sidecar("Bad", season="two"), "episodes/bad.mp3": tone(1.0)},
        "Error: episodes/bad.yaml:3: 'season': expected a whole number, got 'two'",
    ),
    "chapter after the end": (
        {"episodes/bad.yaml": sidecar("Bad") + "chapters:\n  - {start: 0, title: A}\n"
         "  - {start: '1:00', title: B}\n", "episodes/bad.mp3": tone(1.0)},
        "Error: episodes/bad.yaml:5: 'chapters[1]' starts at 60 s, after the audio ends (1.0 s)",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_item_is_reported_and_the_rest_published(make_project, case):
    extra, message = CASES[case]
    proj = make_project(_files(extra))
    result = proj.run("publish")
    assert result.exit_code == 1
    assert message in result.output
    _assert_rest_published(proj)


def test_audio_without_sidecar_is_a_warning(make_project):
    proj = make_project(_files({"episodes/orphan.mp3": tone(1.0)}))
    result = proj.run("publish")
    assert result.exit_code == 0
    assert "Warning: episodes/orphan.mp3: audio without a sidecar, ignored" in result.output


def test_published_item_that_breaks_keeps_its_last_good_version(make_project):
    proj = make_project(_files({"posts/kept.md": post("Kept post", body="Original words."),
                                "episodes/kept.yaml": sidecar("Kept episode"),
                                "episodes/kept.mp3": tone(2.0, freq=330)}))
    assert proj.run("publish").exit_code == 0
    before_pod = podcastparser.parse("x", _io(proj.read("podcast.xml")))["episodes"]
    # break both: bad front matter, and the audio replaced by junk
    proj.write("posts/kept.md", "---\ntitle: Kept post\ndate: [oops\n---\nNew words.\n")
    proj.write("episodes/kept.mp3", b"not audio at all")
    result = proj.run("publish")
    assert result.exit_code == 1
    assert "Error: posts/kept.md:" in result.output
    assert "Error: episodes/kept.mp3: not readable audio" in result.output
    rss = feedparser.parse(proj.read("feed.xml"))
    kept = next(e for e in rss.entries if e.title == "Kept post")
    assert "Original words." in kept.content[0].value
    after_pod = podcastparser.parse("x", _io(proj.read("podcast.xml")))["episodes"]
    assert after_pod == before_pod
    enclosure = next(e for e in after_pod if e["title"] == "Kept episode")["enclosures"][0]
    media = proj.public(enclosure["url"].removeprefix("https://example.test/"))
    assert media.stat().st_size == enclosure["file_size"]
    # fixing the source brings the new version
    proj.write("posts/kept.md", post("Kept post", body="New words."))
    assert proj.run("publish").exit_code == 1  # the audio is still broken
    assert "New words." in feedparser.parse(proj.read("feed.xml")).entries[0].content[0].value


def test_config_of_the_wrong_type_publishes_nothing(make_project):
    from conftest import BASE_CONFIG

    proj = make_project(_files({}), config=BASE_CONFIG.replace("explicit: false",
                                                               "explicit: maybe"))
    result = proj.run("publish")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {proj.root / 'config.yaml'}:16: 'podcast.explicit': expected true or false, "
        "got 'maybe'\n"
    )
    assert not (proj.root / "public").exists()


def test_a_file_in_place_of_the_posts_folder_is_named_as_such(tmp_path):
    """h24 A10: not "not found" when something else is there; the live posts stay."""
    import shutil

    from test_pages import new_project

    proj = new_project(tmp_path / "p", {"posts/a.md": post("A", body="Words.")})
    assert proj.run("publish").exit_code == 0
    shutil.rmtree(proj.root / "posts")
    (proj.root / "posts").write_text("not a folder")
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "posts: posts folder is not a folder (a file of that name is in its place)" \
        in result.output, result.output
    assert b"Words." in proj.read("posts/a/index.html")
