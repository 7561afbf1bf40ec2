"""An episode re-tagged (its title fixed) gets a new media key; the old one stays served until a
publish at least 72 hours later, so copies of the previous feed never point at a 404 (N28)."""

from __future__ import annotations

import datetime as dt
import io

import podcastparser

from conftest import png_bytes, post, sidecar, tone

T0 = "2026-11-01T12:00:00+00:00"


def _enclosure(proj, now=T0) -> str:
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    (ep,) = [e for e in feed["episodes"] if e["title"].startswith("Tides")]
    return ep["enclosures"][0]["url"].removeprefix("https://example.test/")


def _media(proj) -> set[str]:
    return {p.name for p in (proj.root / "public/media").iterdir()}


def test_a_retitled_episodes_old_media_stays_until_the_grace_period_is_over(make_project):
    proj = make_project({"episodes/tides.yaml": sidecar("Tides"),
                         "episodes/tides.mp3": tone(1.0),
                         "episodes/gone.yaml": sidecar("Gone", date="2026-10-02 08:00"),
                         "episodes/gone.mp3": tone(1.0, freq=550),
                         "posts/a.md": post("A")})
    assert proj.run("publish", now=T0).exit_code == 0
    old = _enclosure(proj)
    old_bytes = proj.read(old)
    gone_media = _media(proj) - {old.removeprefix("media/")}

    proj.write("episodes/tides.yaml", sidecar("Tides (fixed typo)"))
    (proj.root / "episodes/gone.yaml").unlink()  # removed: its audio goes at once
    result = proj.run("publish", now=T0)
    assert result.exit_code == 0, result.output
    new = _enclosure(proj)
    assert new != old
    assert proj.read(old) == old_bytes  # a cached copy of the old feed still works
    assert proj.public(new).is_file()
    assert not (gone_media & _media(proj))

    for hours in ("2026-11-02T12:00:00+00:00", "2026-11-04T11:59:00+00:00"):
        result = proj.run("publish", now=hours)
        assert result.exit_code == 0, result.output
        assert proj.read(old) == old_bytes, hours
    result = proj.run("publish", now="2026-11-04T12:00:00+00:00")  # 72 hours after
    assert result.exit_code == 0, result.output
    assert not proj.public(old).exists()
    assert _media(proj) == {new.removeprefix("media/")}


def test_force_deletes_superseded_media_at_once(make_project):
    proj = make_project({"episodes/tides.yaml": sidecar("Tides"),
                         "episodes/tides.mp3": tone(1.0)})
    assert proj.run("publish").exit_code == 0
    old = _enclosure(proj)
    proj.write("episodes/tides.yaml", sidecar("Tides again"))
    assert proj.run("publish", "--force").exit_code == 0
    assert not proj.public(old).exists() and proj.public(_enclosure(proj)).is_file()


def _images(proj) -> set[str]:
    public = proj.root / "public"
    return {p.relative_to(public).as_posix() for p in public.rglob("*")
            if p.name.startswith(("cover-", "favicon-"))}


def test_a_replaced_cover_favicon_and_episode_art_stay_for_the_grace_period(make_project):
    from conftest import png_bytes

    proj = make_project({"episodes/tides.yaml": sidecar("Tides", image="tides.png"),
                         "episodes/tides.png": png_bytes(1400, 1400, rgb=(1, 2, 3)),
                         "episodes/tides.mp3": tone(1.0), "posts/a.md": post("A")})
    proj.write("cover.png", png_bytes(1400, 1400, rgb=(9, 9, 9)))
    assert proj.run("publish", now=T0).exit_code == 0
    old = _images(proj)
    assert {k.split("-")[0] for k in old} == {"cover", "favicon", "episodes/tides/cover"}
    old_bytes = {k: proj.read(k) for k in old}
    proj.write("cover.png", png_bytes(1400, 1400, rgb=(200, 10, 10)))
    proj.write("episodes/tides.png", png_bytes(1400, 1400, rgb=(4, 5, 6)))
    result = proj.run("publish", "--json", now=T0)
    assert result.exit_code == 0, result.output
    new = _images(proj) - old
    assert len(new) == 3  # the new cover, favicon and art are published beside the old
    for hours in ("2026-11-02T12:00:00+00:00", "2026-11-04T11:59:00+00:00"):
        assert proj.run("publish", now=hours).exit_code == 0
        assert {k: proj.read(k) for k in old} == old_bytes, hours  # cached og:image still there
    assert proj.run("publish", now="2026-11-04T12:00:00+00:00").exit_code == 0
    assert _images(proj) == new


def test_old_versions_in_their_grace_never_count_against_max_deletes(make_project):
    """Re-tagging more episodes than max_deletes (a show-wide edit) leaves as many old files in
    their grace period: they are replaced, not lost, so no publish is held for them, before
    or after their time (R2)."""
    files = {f"episodes/ep{i}.yaml": sidecar(f"Tides {i}", date=f"2026-10-0{i} 08:00")
             for i in range(1, 5)}
    files.update({f"episodes/ep{i}.mp3": tone(1.0, freq=300 + 50 * i) for i in range(1, 5)})
    proj = make_project(files)
    proj.write("config.yaml", (proj.root / "config.yaml").read_text() + "max_deletes: 1\n")
    assert proj.run("publish", now=T0).exit_code == 0
    old = _media(proj)
    for i in range(1, 5):  # four MP3s re-tagged: four old versions, more than max_deletes
        proj.write(f"episodes/ep{i}.yaml", sidecar(f"Tides {i} (fixed)",
                                                   date=f"2026-10-0{i} 08:00"))
    for now in (T0, "2026-11-02T12:00:00+00:00"):  # the edit, then a publish with no change
        result = proj.run("publish", now=now)
        assert result.exit_code == 0 and "max_deletes" not in result.output, result.output
        assert old <= _media(proj), now  # every old version still served in its grace
    assert len(_media(proj)) == 8
    result = proj.run("publish", now="2026-11-04T12:00:00+00:00")  # 72 hours after
    assert result.exit_code == 0 and "max_deletes" not in result.output, result.output
    assert not (old & _media(proj)) and len(_media(proj)) == 4


def _archive_max_age() -> dt.timedelta:
    from syndicate.mediatypes import cache_policy

    (age,) = [p.split("=")[1] for p in cache_policy("archive").split(", ")
              if p.startswith("max-age=")]
    return dt.timedelta(seconds=int(age))


def _named_by_archive_page(proj) -> str:
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast-archive-1.xml")))
    (ep,) = feed["episodes"]
    return ep["enclosures"][0]["url"].removeprefix("https://example.test/")


def test_media_an_archive_page_named_outlives_every_cached_copy_of_that_page(make_project):
    """A full archive page is cached for its max-age (a week) by apps and CDNs: audio it named
    stays until that max-age plus the 72-hour grace after it left, so no cached page leads to a
    404; then it goes (Q18)."""
    files = {f"episodes/ep{i}.yaml": sidecar(f"Tides {i}", date=f"2026-10-0{i} 08:00")
             for i in range(1, 4)}
    files.update({f"episodes/ep{i}.mp3": tone(1.0, freq=300 + 50 * i) for i in range(1, 4)})
    proj = make_project(files)
    proj.write("config.yaml", (proj.root / "config.yaml").read_text().replace(
        "podcast:\n", "podcast:\n  feed_items: 1\n", 1))
    assert proj.run("publish", now=T0).exit_code == 0
    old = _named_by_archive_page(proj)
    old_bytes = proj.read(old)
    proj.write("episodes/ep1.yaml", sidecar("Tides 1 (fixed)", date="2026-10-01 08:00"))
    assert proj.run("publish", now=T0).exit_code == 0
    assert _named_by_archive_page(proj) != old  # the page was rewritten: cached copies differ

    left = dt.datetime.fromisoformat(T0)
    bound = left + _archive_max_age() + dt.timedelta(hours=72)
    for when in (left + dt.timedelta(hours=72), bound - dt.timedelta(minutes=1)):
        result = proj.run("publish", now=when.isoformat())
        assert result.exit_code == 0, result.output
        assert proj.read(old) == old_bytes, when  # a cached archive page may still name it
    result = proj.run("publish", now=bound.isoformat())
    assert result.exit_code == 0, result.output
    assert not proj.public(old).exists()
    assert len(_media(proj)) == 3


def test_media_outlives_archive_pages_cached_before_paging_was_turned_off(make_project):
    """Turning paging off deletes the archive pages, but copies cached in the week before still
    name their media: a re-tag in that week keeps the old file the long grace too (Q18)."""
    files = {f"episodes/ep{i}.yaml": sidecar(f"Tides {i}", date=f"2026-10-0{i} 08:00")
             for i in range(1, 4)}
    files.update({f"episodes/ep{i}.mp3": tone(1.0, freq=300 + 50 * i) for i in range(1, 4)})
    proj = make_project(files)
    plain = (proj.root / "config.yaml").read_text()
    proj.write("config.yaml", plain.replace("podcast:\n", "podcast:\n  feed_items: 1\n", 1))
    assert proj.run("publish", now=T0).exit_code == 0
    old = _named_by_archive_page(proj)
    old_bytes = proj.read(old)
    off = dt.datetime.fromisoformat(T0) + dt.timedelta(days=2)
    proj.write("config.yaml", plain)  # paging off: the archive pages go
    assert proj.run("publish", now=off.isoformat()).exit_code == 0
    assert not proj.public("podcast-archive-1.xml").exists()
    # a re-tag more than a week after paging began, less than a week after it ended
    left = off + _archive_max_age() - dt.timedelta(days=1)
    proj.write("episodes/ep1.yaml", sidecar("Tides 1 (fixed)", date="2026-10-01 08:00"))
    assert proj.run("publish", now=left.isoformat()).exit_code == 0
    later = left + dt.timedelta(hours=73)  # past the short grace, within the long one
    assert proj.run("publish", now=later.isoformat()).exit_code == 0
    assert proj.read(old) == old_bytes
    gone = left + _archive_max_age() + dt.timedelta(hours=72)
    assert proj.run("publish", now=gone.isoformat()).exit_code == 0
    assert not proj.public(old).exists()
def test_a_renamed_episodes_audio_stays_at_its_old_key_for_the_grace_period(make_project):
    proj = make_project({"episodes/tides.yaml": sidecar("Tides", image="art.png"),
                         "episodes/tides.mp3": tone(1.0),
                         "episodes/art.png": png_bytes(1400, 1400),
                         "posts/a.md": post("A")})
    assert proj.run("publish", now=T0).exit_code == 0
    old = _enclosure(proj)
    old_bytes = proj.read(old)
    for ext in ("yaml", "mp3"):  # renamed, nothing else changed: the same bytes, a new key
        (proj.root / f"episodes/tides.{ext}").rename(proj.root / f"episodes/tidal.{ext}")
    result = proj.run("publish", now=T0)
    assert result.exit_code == 0, result.output
    new = _enclosure(proj)
    assert new != old and proj.public(new).is_file()
    assert proj.read(old) == old_bytes  # a cached copy of the old feed still downloads it
    result = proj.run("publish", now="2026-11-04T11:59:00+00:00")
    assert result.exit_code == 0 and proj.read(old) == old_bytes
    result = proj.run("publish", now="2026-11-04T12:00:00+00:00")  # 72 hours after
    assert result.exit_code == 0, result.output
    assert not proj.public(old).exists()
    assert _media(proj) == {new.removeprefix("media/")}
