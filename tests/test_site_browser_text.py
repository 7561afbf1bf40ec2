"""Text on the episode and list pages as a reader meets it, in headless Chromium against
`syndicate serve`: right-to-left titles kept apart from the dates and numbers beside them,
`#t=` links in show notes seeking the player, and the transcript saying who speaks."""

from __future__ import annotations

import pytest
from browser import browser_fixture, open_page, serving  # noqa: F401  (fixture)

from conftest import BASE_CONFIG, png_bytes, sidecar, tone

RTL = "مرحبا بالعالم"
VTT = ("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Sam>Hello and welcome.</v>\n\n"
       "00:00:02.000 --> 00:00:04.000\n<v Sam>Still me.</v>\n\n"
       "00:00:04.000 --> 00:00:06.000\n<v.loud Bob Smith>Bob speaks.</v>\n\n"
       "00:00:06.000 --> 00:00:08.000\nNo voice given.\n")
JSON = ('{"version": "1.0.0", "segments": ['
        '{"startTime": 0, "endTime": 3, "speaker": "Alice", "body": "Hi Bob"}, '
        '{"startTime": 3, "endTime": 6, "speaker": "Bob", "body": "Hi Alice"}, '
        '{"startTime": 6, "endTime": 7.5, "speaker": "Bob", "body": "And more"}]}')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("text") / "p"
    (root / "posts").mkdir(parents=True)
    (root / "episodes").mkdir()
    (root / "config.yaml").write_text(BASE_CONFIG + "audio:\n  process: false\n")
    (root / "cover.png").write_bytes(png_bytes(1400, 1400))
    (root / "posts" / "2026-10-11-rtl.md").write_text(
        f"---\ntitle: {RTL}\ndate: 2026-10-11\nslug: rtl\n---\n\nWords.\n", encoding="utf-8")
    (root / "posts" / "2026-10-12-latin.md").write_text(
        "---\ntitle: Latin title\ndate: 2026-10-12\n---\n\nWords.\n", encoding="utf-8")
    (root / "episodes" / "one.mp3").write_bytes(tone(9.0))
    (root / "episodes" / "one.vtt").write_text(VTT)
    (root / "episodes" / "one.yaml").write_text(sidecar(
        "One", date="2026-10-01 08:00", transcript="one.vtt",
        notes="'Show notes: [jump to 5s](#t=5) and [back to 1s](#t=1), "
              "[to 0:03](#t=0:03) and [to 0:00:06](#t=0:00:06).'",
        chapters=f"\n  - start: 0\n    title: {RTL}\n  - start: 3\n    title: Later"))
    (root / "episodes" / "two.mp3").write_bytes(tone(8.0))
    (root / "episodes" / "two.json").write_text(JSON)
    (root / "episodes" / "two.yaml").write_text(sidecar("Two", date="2026-10-02 08:00",
                                                        transcript="two.json"))
    with serving("--config", str(root / "config.yaml")) as (url, _running):
        yield url


def _ready(page) -> None:
    page.wait_for_function("document.querySelector('audio').readyState >= 1")


# a title's run and the date beside it: the date stays one unbroken box after the title
_SPLIT = """() => [...document.querySelectorAll('ul.listing li')].map(li => {
  const a = li.querySelector('a'), t = li.querySelector('time');
  return {title: a.textContent, timeBoxes: t.getClientRects().length,
          after: t.getBoundingClientRect().left >= a.getBoundingClientRect().right - 0.5};
})"""


@pytest.mark.parametrize("path", ["", "posts/"])
def test_a_right_to_left_title_keeps_the_date_beside_it_whole(browser, site, path):
    seen = open_page(browser, site + path)
    rows = seen.page.evaluate(_SPLIT)
    seen.page.context.close()
    mine = [r for r in rows if r["title"] == RTL]
    assert mine, rows
    for row in rows:
        assert row["timeBoxes"] == 1 and row["after"], row


def test_a_time_link_in_the_show_notes_seeks_the_player(browser, site):
    seen = open_page(browser, site + "episodes/one/")
    page = seen.page
    _ready(page)
    page.locator(".notes a[href='#t=5'], main a[href='#t=5']").first.click()
    page.wait_for_function("document.querySelector('audio').currentTime >= 5")
    page.locator("main a[href='#t=1']").first.click()
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 1) < 0.9")
    page.locator("main a[href='#t=5']").first.click()
    page.wait_for_function("document.querySelector('audio').currentTime >= 5")
    page.locator("main a[href='#t=1']").first.click()  # the same link again seeks again
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 1) < 0.9")
    page.evaluate("location.hash = '#t=7'")  # an address typed or pasted: the same
    page.wait_for_function("document.querySelector('audio').currentTime >= 7")
    # M:SS and H:MM:SS, as podcasters write them in notes (h20 V1)
    page.locator("main a[href='#t=0:03']").first.click()
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 3) < 0.9")
    page.locator("main a[href='#t=0:00:06']").first.click()
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 6) < 0.9")
    page.evaluate("location.hash = '#t=0:02'")
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 2) < 0.9")
    assert seen.console_errors == []
    page.context.close()


@pytest.mark.parametrize("slug, shown", [
    ("one", [("Sam", "Hello and welcome."), ("", "Still me."), ("Bob Smith", "Bob speaks."),
             ("", "No voice given.")]),
    ("two", [("Alice", "Hi Bob"), ("Bob", "Hi Alice"), ("", "And more")]),
])
def test_the_transcript_names_who_speaks_when_the_speaker_changes(browser, site, slug, shown):
    seen = open_page(browser, site + f"episodes/{slug}/")
    rows = seen.page.evaluate("""() => [...document.querySelectorAll('.transcript li')].map(li => {
      const s = li.querySelector('.speaker');
      return [s ? s.textContent.replace(/:\\s*$/, '') : '', li.querySelector('bdi.cue, .cue')
              ? li.querySelector('bdi.cue, .cue').textContent : ''];
    })""")
    seen.page.context.close()
    assert [tuple(r) for r in rows] == shown
