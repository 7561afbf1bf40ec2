"""H2, H5, H1: the catalog records what each import wrote (a source item's identity -> the
file), so a later import of the same source knows its items whatever the author or the old
feed did since: an item whose file is there is merged into it (never a -2 file), one whose
file the author deleted stays deleted."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import BASE_CONFIG, DATA

IMPORT = DATA / "import"
NOGUID = (IMPORT / "blog-noguid.rss").read_text(encoding="utf-8")
EXTRA = ("<item><title>A new one</title><pubDate>Fri, 26 Jun 2020 10:00:00 +0100</pubDate>"
         "<description>&lt;p&gt;Written after the rest, about the salt marsh at low tide and "
         "the birds on it.&lt;/p&gt;</description></item>\n</channel>")


def _posts(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "posts").rglob("*.md"))


def test_a_deleted_imported_post_is_not_written_back_by_a_manual_import(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    feed = proj.write("old/feed.rss", NOGUID)
    cfg = ["--config", str(proj.root / "config.yaml")]
    assert proj.run("import", str(feed), *cfg).exit_code == 0
    gone = "posts/2020-06-10-mending-a-fence.md"
    (proj.root / gone).unlink()
    feed.write_text(NOGUID.replace("</channel>", EXTRA), encoding="utf-8")  # the old feed grew
    again = proj.run("import", str(feed), *cfg)
    assert again.exit_code == 0, again.output
    assert "created 1," in again.output, again.output
    assert f"skipped  'Mending a fence' from {feed}: deleted here; not imported again" \
        in again.output, again.output
    assert not (proj.root / gone).exists()
    assert not any("mending" in p for p in _posts(proj.root))
    doc = json.loads(proj.run("import", str(feed), "--json", *cfg).output)
    assert [e["deleted"] for e in doc["skipped"]] == [gone]
    assert "deleted here; not imported again" in doc["skipped"][0]["reason"]


def test_a_deleted_imported_post_stays_off_the_site_through_sources(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    feed = proj.write("old/feed.rss", NOGUID)
    with open(proj.root / "config.yaml", "a", encoding="utf-8") as f:
        f.write("sources:\n  - old/feed.rss\n")
    first = proj.run("publish")
    assert first.exit_code == 0, first.output
    assert b"Mending a fence" in proj.read("feed.xml")
    (proj.root / "posts/2020-06-10-mending-a-fence.md").unlink()
    assert proj.run("publish").exit_code == 0
    feed.write_text(NOGUID.replace("</channel>", EXTRA), encoding="utf-8")
    third = proj.run("publish")
    assert third.exit_code == 0, third.output
    assert "Sources: created 1, merged 2, skipped 1" in third.output, third.output
    assert "'Mending a fence' skipped: deleted here; not imported again" in third.output
    live = proj.read("feed.xml")
    assert b"Mending a fence" not in live and b"A new one" in live
    assert not any("mending" in p for p in _posts(proj.root))


def test_an_imported_text_post_retitled_redated_and_rewritten_is_merged_not_copied(
        make_project):
    """H1's first case: seed-like text export dated by order; the author fixes the title and
    the date and rewrites the body; the same export imported again writes nothing."""
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    args = [str(IMPORT / "index-page.txt"), "--date-by-order", "2021-06-01", *cfg]
    first = json.loads(proj.run("import", *args, "--json").output)
    before = _posts(proj.root)
    rel = first["created"][0]["file"]
    path = proj.root / rel
    path.write_text("---\ntitle: A better title\ndate: 2019-03-04 10:00\n"
                    f"imported_from: {IMPORT / 'index-page.txt'}\n---\n\nRewritten.\n",
                    encoding="utf-8")
    path.rename(path.with_name("renamed.md"))
    again = proj.run("import", *args)
    assert again.exit_code == 0, again.output
    assert "created 0," in again.output, again.output
    assert _posts(proj.root) == sorted([*(p for p in before if p != rel),
                                        rel.rsplit("/", 1)[0] + "/renamed.md"])


def _show(base: str, lengths: dict[str, int], *, guids: bool = False, query: str = "") -> str:
    """A podcast feed of three episodes whose audio lies under ``base``."""
    items = "".join(
        f"<item><title>Episode {n}</title>"
        + (f'<guid isPermaLink="false">ep-{n}</guid>' if guids else "")
        + f"<pubDate>Mon, 0{n} Jun 2020 08:00:00 +0000</pubDate>"
        f"<itunes:duration>00:00:01</itunes:duration><description>Notes of {n}.</description>"
        f'<enclosure url="{base}/ep{n}.mp3{query}" length="{lengths.get(f"ep{n}.mp3", 1000)}" '
        'type="audio/mpeg"/></item>\n' for n in (1, 2, 3))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
            "<title>Old show</title><link>https://old.example/</link><description>d"
            f"</description>\n{items}</channel></rss>\n")


def _episodes(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "episodes").iterdir())


def test_an_old_feed_without_guids_whose_audio_moved_host_makes_no_second_episode(
        make_project):
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    feed = proj.write("old/show.xml", _show("https://old.example/audio", {}))
    first = proj.run("import", str(feed), "--audio", "keep-url", *cfg)
    assert "created 3," in first.output, first.output
    before = _episodes(proj.root)
    for host in ("https://cdn.example/media", "https://cdn2.example/m"):
        feed.write_text(_show(host, {}), encoding="utf-8")
        again = proj.run("import", str(feed), "--audio", "keep-url", *cfg)
        assert again.exit_code == 0, again.output
        assert "created 0, merged 3" in again.output, again.output
        assert _episodes(proj.root) == before
    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    assert proj.read("podcast.xml").count(b"<title>Episode 2</title>") == 1


def test_a_sidecar_whose_guid_the_author_removed_or_changed_is_not_imported_twice(
        make_project):
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    feed = proj.write("old/show.xml", _show("https://old.example/audio", {}, guids=True))
    assert "created 3," in proj.run("import", str(feed), "--audio", "keep-url", *cfg).output
    before = _episodes(proj.root)
    one, two = (proj.root / "episodes" / n for n in before[:2])
    one.write_text("\n".join(line for line in one.read_text().splitlines()
                             if not line.startswith("guid:")) + "\n")
    two.write_text(two.read_text().replace("guid: ep-2", "guid: my-own-guid"))
    again = proj.run("import", str(feed), "--audio", "keep-url", *cfg)
    assert again.exit_code == 0, again.output
    assert "created 0, merged 3" in again.output, again.output
    assert _episodes(proj.root) == before


def test_a_download_import_after_the_audio_moved_downloads_no_second_copy(make_project):
    import http.server

    from conftest import serve, tone

    audio = {f"ep{n}.mp3": tone(1.0, freq=300 + 50 * n) for n in (1, 2, 3)}
    gets = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            name = self.path.split("?")[0].rsplit("/", 1)[-1]
            gets.append(name)
            body = audio.get(name)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server, url = serve(Handler)
    try:
        proj = make_project({}, config=BASE_CONFIG)
        cfg = ["--config", str(proj.root / "config.yaml")]
        lengths = {k: len(v) for k, v in audio.items()}
        feed = proj.write("old/show.xml", _show(f"{url}/show", lengths))
        first = proj.run("import", str(feed), "--audio", "download", *cfg)
        assert "created 3," in first.output, first.output
        before, fetched = _episodes(proj.root), len(gets)
        moved = url.replace("127.0.0.1", "localhost")
        feed.write_text(_show(f"{moved}/media", lengths, query="?src=feed"), encoding="utf-8")
        again = proj.run("import", str(feed), "--audio", "download", *cfg)
        assert again.exit_code == 0, again.output
        assert "created 0, merged 3" in again.output, again.output
        assert _episodes(proj.root) == before and len(gets) == fetched
        mp3s = [p.read_bytes() for p in (proj.root / "episodes").glob("*.mp3")]
        assert len(mp3s) == len(set(mp3s)) == 3
    finally:
        server.shutdown()
        server.server_close()


def test_a_deleted_imported_episode_is_not_imported_again(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    feed = proj.write("old/show.xml", _show("https://old.example/audio", {}))
    assert "created 3," in proj.run("import", str(feed), "--audio", "keep-url", *cfg).output
    gone = sorted((proj.root / "episodes").glob("*episode-2*"))
    assert gone
    for p in gone:
        p.unlink()
    feed.write_text(_show("https://cdn.example/media", {}), encoding="utf-8")
    again = proj.run("import", str(feed), "--audio", "keep-url", *cfg)
    assert again.exit_code == 0, again.output
    assert "created 0, merged 2, skipped 1" in again.output, again.output
    assert "skipped  'Episode 2' from" in again.output
    assert "deleted here; not imported again" in again.output
    assert not list((proj.root / "episodes").glob("*episode-2*"))


# -- H1 as a property: whatever the author and the old feed did, one file per source item ----

def _feed_with_links(posts) -> bytes:
    import email.utils
    from html import escape

    items = "".join(
        f"<item><title>{escape(p.title, quote=False)}</title>"
        f"<link>https://old.example/p/{i}/</link>"
        f"<pubDate>{email.utils.format_datetime(p.date)}</pubDate><description>"
        f"{escape(''.join(f'<p>{escape(para)}</p>' for para in p.body), quote=False)}"
        "</description></item>\n" for i, p in enumerate(posts))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Old'
            "</title><link>https://old.example/</link><description>x</description>\n"
            f"{items}</channel></rss>\n").encode()


def _edit(path: Path, title: str | None, date, body: str | None, rename: bool) -> None:
    import yaml

    head, old_body = path.read_text(encoding="utf-8")[4:].split("\n---\n", 1)
    meta = yaml.safe_load(head)
    if title is not None:
        meta["title"] = title
    if date is not None:
        meta["date"] = date.strftime("%Y-%m-%d %H:%M")
    text = f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n\n{body or old_body}"
    path.write_text(text, encoding="utf-8")
    if rename:
        path.rename(path.with_name(f"renamed-{path.stem[-12:]}.md"))


def test_whatever_the_author_and_the_old_feed_change_an_item_is_never_written_twice():
    import dataclasses
    import tempfile

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from importgen import LATIN, blog_posts, dates, paragraphs, titles

    from conftest import bare_settings
    from syndicate.importer import import_sources

    maybe = st.none() | st.just(True)
    author = st.tuples(maybe.flatmap(lambda m: titles() if m else st.none()),
                       maybe.flatmap(lambda m: dates if m else st.none()),
                       st.none() | st.text(max_size=200), st.booleans())
    feed = st.tuples(maybe.flatmap(lambda m: titles() if m else st.none()),
                     maybe.flatmap(lambda m: dates if m else st.none()),
                     maybe.flatmap(lambda m: paragraphs() if m else st.none()))

    @settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])
    @given(posts=blog_posts(LATIN, 1, 5), data=st.data())
    def check(posts, data):
        posts = [dataclasses.replace(p, date=_by_2025(p.date)) for p in posts]
        with tempfile.TemporaryDirectory() as tmp:
            settings_ = bare_settings(tmp)
            src = Path(tmp) / "old.rss"
            src.write_bytes(_feed_with_links(posts))
            first = import_sources(settings_, [str(src)])
            assert first.errors == []
            count = len(list((Path(tmp) / "posts").rglob("*.md")))
            assert count == len(first.created)
            for path in sorted((Path(tmp) / "posts").rglob("*.md")):
                _edit(path, *data.draw(author))
            changed = []
            for p in posts:
                title, date, body = data.draw(feed)
                changed.append(dataclasses.replace(
                    p, title=title or p.title, body=body or p.body,
                    date=_by_2025(date or p.date)))
            src.write_bytes(_feed_with_links(changed))
            again = import_sources(settings_, [str(src)])
            assert again.errors == [] and again.created == [], again.created
            assert len(list((Path(tmp) / "posts").rglob("*.md"))) == count

    check()


def _by_2025(when):
    """A generated date moved back to 2025 at the latest (29 February kept a real day)."""
    return when if when.year <= 2025 else when.replace(year=2025, day=min(when.day, 28))


# -- N6, N2: an episode's enclosure address is one of its keys; what no key names is flagged --

def test_a_deleted_episode_the_old_feed_only_retitles_stays_deleted(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    feed = proj.write("old/show.xml", _show("https://old.example/audio", {}))
    assert "created 3," in proj.run("import", str(feed), "--audio", "keep-url", *cfg).output
    for p in (proj.root / "episodes").glob("*episode-2*"):
        p.unlink()
    for change in ("<title>Episode 2 (fixed)</title>", "REDATE"):
        text = _show("https://old.example/audio", {})
        text = (text.replace("<title>Episode 2</title>", change) if change != "REDATE" else
                text.replace("Tue, 02 Jun 2020", "Fri, 05 Jun 2020").replace(
                    "Mon, 02 Jun 2020", "Fri, 05 Jun 2020"))
        feed.write_text(text, encoding="utf-8")
        again = proj.run("import", str(feed), "--audio", "keep-url", *cfg)
        assert again.exit_code == 0, again.output
        assert "created 0, merged 2, skipped 1" in again.output, again.output
        assert "deleted here; not imported again" in again.output
        assert not list((proj.root / "episodes").glob("*episode-2*"))
    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    assert b"Episode 2" not in proj.read("podcast.xml")


def test_an_episode_retitled_while_its_audio_moved_is_flagged_as_maybe_the_same(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    feed = proj.write("old/show.xml", _show("https://old.example/audio", {}))
    assert "created 3," in proj.run("import", str(feed), "--audio", "keep-url", *cfg).output
    first = sorted(p.name for p in (proj.root / "episodes").glob("*episode-1*"))
    feed.write_text(_show("https://cdn.example/media", {}).replace(
        "<title>Episode 1</title>", "<title>Episode 1 (remastered)</title>"), encoding="utf-8")
    doc = json.loads(proj.run("import", str(feed), "--audio", "keep-url", "--json",
                              *cfg).output)
    made = [e["file"] for e in doc["created"]]
    for file in made:  # a second file may be written, but never silently
        reasons = [f["reason"] for f in doc["flagged"] if f.get("file") == file]
        assert any(f"may be the same as episodes/{first[0]}" in r for r in reasons), doc
        assert "may be the same as" in (proj.root / file).read_text(encoding="utf-8")
    text = proj.run("import", str(feed), "--audio", "keep-url", *cfg)
    assert text.exit_code == 0, text.output


def _rewrite_body(path: Path, title: str | None = None) -> None:
    head, _ = path.read_text(encoding="utf-8")[4:].split("\n---\n", 1)
    if title is not None:
        head = "\n".join(f"title: {title}" if line.startswith("title:") else line
                         for line in head.splitlines())
    path.write_text(f"---\n{head}\n---\n\nTotally new words of the author's own.\n",
                    encoding="utf-8")


def test_a_feed_that_changed_every_guid_and_link_writes_no_second_copy_of_an_edited_post(
        make_project):
    """N5: the old blog moved domain (new guids, new links) while the author rewrote a post."""
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    def numbered(host: str) -> str:  # each item its own guid and link on ``host``
        count = iter(range(100))
        return re.sub(r"</title><pubDate>", lambda _: (
            f"</title><guid>g-{host}-{next(count)}</guid>"
            f"<link>https://{host}.example/p/{next(count)}/</link><pubDate>"), NOGUID)

    feed = proj.write("old/feed.rss", numbered("old"))
    assert "created 3," in proj.run("import", str(feed), *cfg).output
    _rewrite_body(proj.root / "posts/2020-06-10-mending-a-fence.md")
    feed.write_text(numbered("new"), encoding="utf-8")
    again = proj.run("import", str(feed), *cfg)
    assert again.exit_code == 0, again.output
    assert "created 0, merged 3" in again.output, again.output
    assert len(_posts(proj.root)) == 3
    assert proj.run("publish").exit_code == 0
    assert proj.read("feed.xml").count(b"<title>Mending a fence</title>") == 1


def test_an_item_no_key_names_any_more_is_created_flagged_never_silently(make_project):
    """N1: neither guid nor link; the author retitled and rewrote a post while the old feed
    retitled and redated it: nothing names it, so a new file, flagged with the one it may be."""
    proj = make_project({}, config=BASE_CONFIG)
    cfg = ["--config", str(proj.root / "config.yaml")]
    feed = proj.write("old/feed.rss", NOGUID)
    assert "created 3," in proj.run("import", str(feed), *cfg).output
    mine = "posts/2020-06-10-mending-a-fence.md"
    _rewrite_body(proj.root / mine, title="Boats")
    feed.write_text(NOGUID.replace("<title>Mending a fence</title><pubDate>Wed, 10 Jun",
                                   "<title>Mending a fence (updated)</title><pubDate>Fri, 12 Jun"),
                    encoding="utf-8")
    doc = json.loads(proj.run("import", str(feed), "--json", *cfg).output)
    assert len(doc["created"]) == 1, doc
    made = doc["created"][0]["file"]
    reasons = [f["reason"] for f in doc["flagged"] if f.get("file") == made]
    assert any(f"may be the same as {mine}" in r and "delete one" in r for r in reasons), doc
    assert "may be the same as" in (proj.root / made).read_text(encoding="utf-8")


# -- N5/N2/N1 as a property: a created item that shares a title with one here is flagged ----

def _feed_on(posts, host: str, ids: bool) -> bytes:
    import email.utils
    from html import escape

    items = "".join(
        f"<item><title>{escape(p.title, quote=False)}</title>"
        + (f"<guid>{host}-{i}</guid><link>https://{host}.example/p/{i}/</link>" if ids else "")
        + f"<pubDate>{email.utils.format_datetime(p.date)}</pubDate><description>"
        f"{escape(''.join(f'<p>{escape(para)}</p>' for para in p.body), quote=False)}"
        "</description></item>\n" for i, p in enumerate(posts))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Old'
            "</title><link>https://old.example/</link><description>x</description>\n"
            f"{items}</channel></rss>\n").encode()


def test_a_reimport_from_moved_guids_links_or_hosts_flags_every_created_namesake():
    import dataclasses
    import tempfile

    import yaml
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from importgen import LATIN, blog_posts, dates, paragraphs, titles

    from conftest import bare_settings
    from syndicate.importer import import_sources

    def key(title: str) -> str:
        return " ".join(re.findall(r"\w+", title.lower()))

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(posts=blog_posts(LATIN, 1, 5), ids=st.tuples(st.booleans(), st.booleans()),
           data=st.data())
    def check(posts, ids, data):
        posts = [dataclasses.replace(p, date=_by_2025(p.date))
                 for p in posts]
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            settings_ = bare_settings(tmp)
            src = root / "old.rss"
            src.write_bytes(_feed_on(posts, "old", ids[0]))
            assert import_sources(settings_, [str(src)]).errors == []
            for path in sorted((root / "posts").rglob("*.md")):  # the author's edits
                if data.draw(st.booleans()):
                    _edit(path, None, None, data.draw(st.text(LATIN, min_size=1,
                                                              max_size=80)), False)
            here = {}
            for path in (root / "posts").rglob("*.md"):
                meta = yaml.safe_load(path.read_text(encoding="utf-8")[4:].split("\n---\n")[0])
                here[path.relative_to(root).as_posix()] = key(str(meta["title"]))
            changed = [dataclasses.replace(
                p, title=data.draw(st.sampled_from([p.title, p.title.upper(), " " + p.title])
                                   | titles()),
                date=data.draw(st.just(p.date) | dates).replace(year=min(p.date.year, 2025)),
                body=data.draw(st.just(p.body) | paragraphs())) for p in posts]
            src.write_bytes(_feed_on(changed, "new", ids[1]))
            again = import_sources(settings_, [str(src)])
            assert again.errors == []
            for made in again.created:
                twins = [f for f, t in here.items() if t == key(made["title"])]
                if not twins:
                    continue
                reasons = [f["reason"] for f in again.flagged if f.get("file") == made["file"]]
                assert any("may be the same as" in r and r.split(" (")[0][19:] in twins
                           for r in reasons), (made, reasons, twins)

    check()
