"""Two checkouts of one project publishing to one site (a laptop and a desktop, one not pulled):
a publish never takes off a live entry its catalog has no record of, on this run or any later
one, until --force says so (h18 Y6: the checkout behind removed the other's new post, exit 0).
An entry whose guid this catalog gave up (its file named another) is its own, not foreign.
The other checkout's posts stay listed while this one's own posts go out beside them (h19 Z4);
`--remove` naming one confirms its removal (Z15); its source brought here, even renamed, is that
post, same guid (Z5)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, Project, guard, png_bytes, post


def _checkout(root, target) -> Project:
    proj = Project(root)
    root.mkdir()
    proj.write("config.yaml", BASE_CONFIG.replace("target: public", f"target: {target}"))
    proj.write("cover.png", png_bytes())
    (root / "episodes").mkdir()
    proj.write("posts/2026-09-01-first.md", post("First", date="2026-09-01", body="One."))
    proj.write("posts/2026-09-02-second.md", post("Second", date="2026-09-02", body="Two."))
    return proj


def _titles(site) -> list[str]:
    return sorted(e.title for e in feedparser.parse((site / "feed.xml").read_bytes()).entries)


def test_a_checkout_behind_never_takes_off_the_other_checkouts_post(tmp_path):
    site = tmp_path / "www"
    a = _checkout(tmp_path / "a", site)
    assert a.run("publish").exit_code == 0
    b = Project(tmp_path / "b")
    shutil.copytree(a.root, b.root)
    shutil.rmtree(b.root / ".syndicate")
    adopted = b.run("publish")
    assert adopted.exit_code in (0, 1), adopted.output
    a.write("posts/2026-10-20-x.md", post("Post X from A", date="2026-10-20", body="x body"))
    assert a.run("publish").exit_code == 0
    assert "Post X from A" in _titles(site)
    for _ in range(2):  # not once: ever
        result = b.run("publish")
        assert result.exit_code == 1, result.output
        assert "no record of it ('Post X from A')" in result.output, result.output
        assert "another checkout" in result.output and "--force" in result.output
        assert "Post X from A" in _titles(site)
        assert (site / "posts/x/index.html").exists()
    page = (site / "posts/x/index.html").read_bytes()
    b.write("posts/2026-09-03-third.md", post("Third", date="2026-09-03", body="Three."))
    beside = b.run("publish")  # h19 Z4: its own new post goes out beside X, which stays
    assert beside.exit_code == 1 and "no record of it ('Post X from A')" in beside.output
    assert _titles(site) == ["First", "Post X from A", "Second", "Third"], beside.output
    assert "released" in next(line for line in b.run("status").output.splitlines()
                              if "Third" in line)
    home, sitemap = (site / "index.html").read_text(), (site / "sitemap.xml").read_text()
    assert "Post X from A" in home and "Third" in home
    assert "posts/x/" in sitemap and "posts/third/" in sitemap
    assert (site / "posts/x/index.html").read_bytes() == page  # its page left as it is
    forced = b.run("publish", "--force")
    assert forced.exit_code == 0, forced.output
    assert _titles(site) == ["First", "Second", "Third"]


def test_an_entry_whose_guid_was_given_up_in_this_checkout_is_not_held(make_project):
    proj = make_project({"posts/2026-09-01-first.md": post("First", date="2026-09-01"),
                         "posts/2026-09-02-second.md": post("Second", date="2026-09-02")})
    assert proj.run("publish").exit_code == 0
    proj.write("posts/2026-09-01-first.md",
               post("First", date="2026-09-01").replace("title: First",
                                                        "title: First\nguid: my-own-guid-1"))
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    entries = feedparser.parse(proj.read("feed.xml")).entries
    assert "my-own-guid-1" in [e.id for e in entries]


def test_a_site_is_never_published_inside_another_sites_folder_nor_over_one_below(tmp_path):
    """h18 Y16: a second site published into a folder of the first (tags/zzz), then each
    overwrote the other's home page with exit 0."""
    site = tmp_path / "www"
    a = _checkout(tmp_path / "a", site)
    assert a.run("publish").exit_code == 0
    g = _checkout(tmp_path / "g", site / "tags" / "zzz")
    g.write("config.yaml", (g.root / "config.yaml").read_text().replace(
        "https://example.test/", "https://other.example/"))
    inside = g.run("publish")
    assert inside.exit_code == 1 and "lies inside the folder of another site" in inside.output
    assert not (site / "tags/zzz/index.html").exists()
    # the other way: a site already there, below, is never overwritten by the one above
    below = tmp_path / "www2" / "tags" / "zzz"
    g2 = _checkout(tmp_path / "g2", below)
    g2.write("config.yaml", (g2.root / "config.yaml").read_text().replace(
        "https://example.test/", "https://other.example/"))
    assert g2.run("publish").exit_code == 0
    home = (below / "index.html").read_bytes()
    a2 = _checkout(tmp_path / "a2", tmp_path / "www2")
    a2.write("posts/2026-10-07-zzz.md", post("Tagged", date="2026-10-07", tags="[zzz]"))
    over = a2.run("publish")
    assert over.exit_code == 1 and "holds another site" in over.output, over.output
    assert (below / "index.html").read_bytes() == home


def _tree(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_a_site_may_share_its_folder_with_one_below_but_never_writes_into_it(tmp_path):
    """h19 Z9: a site published over a folder that holds another site in a folder below it
    publishes beside it, never touching it; a feed key that lands in the other's folder
    (rss_path: inner/feed.xml) is refused naming the other site and the key before anything
    is read or written (it was refused by the feed guard as foreign entries, after the cover,
    favicon and podcast feed had been written)."""
    outer = tmp_path / "outer"
    inner = outer / "inner"
    a = _checkout(tmp_path / "a", inner)
    assert a.run("publish").exit_code == 0
    before = _tree(inner)
    b = _checkout(tmp_path / "b", outer)
    b.write("config.yaml", (b.root / "config.yaml").read_text().replace(
        "https://example.test/", "https://other.example/"))
    beside = b.run("publish")
    assert beside.exit_code == 0, beside.output
    assert (outer / "feed.xml").exists() and _tree(inner) == before
    config = (b.root / "config.yaml").read_text()
    for key in ("rss_path: inner/feed.xml", "json_path: inner/deeper/feed.json"):
        shutil.rmtree(outer)
        assert a.run("publish", "--force").exit_code == 0
        before = _tree(inner)
        b.write("config.yaml", config + f"blog:\n  {key}\n")
        shutil.rmtree(b.root / ".syndicate", ignore_errors=True)
        for args in (("publish", "--dry-run"), ("publish",)):
            refused = b.run(*args)
            assert refused.exit_code == 1, refused.output
            assert f"{inner} holds another site (https://example.test/)" in refused.output
            assert key.split(": ")[1] in refused.output and "no record" not in refused.output
            assert sorted(p.name for p in outer.iterdir()) == ["inner"]  # nothing written
            assert _tree(inner) == before


def _two_checkouts(tmp_path, target, config=None):
    """A publishes; B is a copy of A (its catalog too); A then publishes Post X, which B has no
    record of; B's next publish says so."""
    a = _checkout(tmp_path / "a", target)
    if config is not None:
        a.write("config.yaml", config)
    assert a.run("publish").exit_code == 0
    b = Project(tmp_path / "b")
    shutil.copytree(a.root, b.root)
    a.write("posts/2026-10-20-x.md", post("Post X from A", date="2026-10-20", body="x body"))
    assert a.run("publish").exit_code == 0
    return a, b


def test_a_checkout_behind_publishes_its_own_post_beside_the_other_checkouts_on_s3(
        tmp_path, s3_endpoint, bucket):
    """h19 Z4 (the repro was on S3): B's new post Y is published, X stays, exit 1 naming X."""
    from conftest import BUCKET, s3_config

    def live(key: str) -> bytes:
        return bucket.get_object(Bucket=BUCKET, Key=f"site/{key}")["Body"].read()

    a, b = _two_checkouts(tmp_path, "s3://x", s3_config(s3_endpoint))
    guid = {e.title: e.id for e in feedparser.parse(live("feed.xml")).entries}["Post X from A"]
    first = b.run("publish")  # behind: told so once (X stays)
    assert first.exit_code == 1 and "Post X from A" in first.output
    b.write("posts/2026-10-22-y.md", post("Post Y from B", date="2026-10-22", body="y body"))
    for _ in range(2):
        result = b.run("publish")
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "no record of it ('Post X from A')" in result.output, result.output
        entries = {e.title: e.id for e in feedparser.parse(live("feed.xml")).entries}
        assert {"Post X from A", "Post Y from B"} <= set(entries), result.output
        assert entries["Post X from A"] == guid
        assert b"Post Y from B" in live("index.html") and b"Post X from A" in live("index.html")
        assert live("posts/x/index.html")  # its page stays
    assert "released" in next(line for line in b.run("status").output.splitlines()
                              if "Post Y from B" in line)
    # A, publishing next, keeps B's post the same way (it has no record of it either)
    again = a.run("publish")
    assert again.exit_code == 1 and "no record of it ('Post Y from B')" in again.output
    assert {"Post X from A", "Post Y from B"} <= {
        e.title for e in feedparser.parse(live("feed.xml")).entries}


def test_remove_naming_the_other_checkouts_post_confirms_its_removal(tmp_path):
    """h19 Z15: in the checkout behind, `--remove` naming the other's entry (the command the
    error gives) takes it off, exit 0, lifting no other guard; a dry run changes nothing."""
    site = tmp_path / "www"
    _a, b = _two_checkouts(tmp_path, site)
    held = b.run("publish")
    assert held.exit_code == 1 and "--remove 'Post X from A'" in held.output, held.output
    feed = (site / "feed.xml").read_bytes()
    dry = b.run("publish", "--dry-run", "--remove", "Post X from A")
    assert dry.exit_code == 0 and "confirmed nothing" not in dry.output, dry.output
    assert (site / "feed.xml").read_bytes() == feed
    (b.root / "posts/2026-09-01-first.md").unlink()  # one of its own too: max_deletes still
    b.write("config.yaml", (b.root / "config.yaml").read_text() + "max_deletes: 0\n")
    other = b.run("publish", "--remove", "Post X from A")
    assert other.exit_code == 1 and "max_deletes" in other.output, other.output
    assert "First" in _titles(site)  # the guard on its own removal stays on
    done = b.run("publish", "--remove", "Post X from A", "--remove", "First")
    assert done.exit_code == 0, done.output
    assert "posts/x/ (published from another checkout) is taken off" in done.output
    assert _titles(site) == ["Second"]
    assert "Post X from A" not in (site / "index.html").read_text()
    assert b.run("publish").exit_code == 0 and _titles(site) == ["Second"]
    nothing = b.run("publish", "--dry-run", "--remove", "No such post")
    assert "confirmed nothing" in nothing.output


def test_the_other_checkouts_post_brought_here_renamed_keeps_its_guid(tmp_path):
    """Z5 through the advice "bring its sources here": pulled under another file name, the post
    is the live one (same guid, its old address leading to it), not a new item; exit 0."""
    site = tmp_path / "www"
    a, b = _two_checkouts(tmp_path, site)
    assert b.run("publish").exit_code == 1
    guid = {e.title: e.id for e in feedparser.parse((site / "feed.xml").read_bytes()).entries}
    shutil.copy(a.root / "posts/2026-10-20-x.md", b.root / "posts/2026-10-20-x-pulled.md")
    result = b.run("publish")
    assert result.exit_code == 0, result.output
    now = {e.title: e.id for e in feedparser.parse((site / "feed.xml").read_bytes()).entries}
    assert now == guid
    assert b.run("publish").exit_code == 0


# -- generated: two checkouts adding, renaming, pulling, restoring and publishing ------------------

_STEP = st.tuples(st.sampled_from(["add", "rename", "pull", "pull-renamed", "publish", "restore"]),
                  st.sampled_from(["a", "b"]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(_STEP, min_size=3, max_size=9))
@example(steps=[("add", "a"), ("publish", "a"), ("publish", "b"), ("add", "b")])  # h19 Z4
@example(steps=[("add", "a"), ("publish", "a"), ("rename", "a"), ("restore", "a")])  # Z5
@example(steps=[("add", "a"), ("publish", "a"), ("publish", "b"), ("pull-renamed", "b")])
def test_two_checkouts_never_lose_or_change_a_live_post_and_publish_their_own(steps):
    """Whatever each checkout does (adds posts, renames its files, pulls the other's live posts,
    perhaps under other names, restores its catalog from a backup) and in whatever order they
    publish: every run exits 0 or 1 with errors that name a file, no live entry is lost, no live
    post changes its guid or is listed twice, and a checkout's own posts are live after its
    publish unless a warning held them back (a restored or stale catalog)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = tmp / "www"
        a = _checkout(tmp / "a", site)
        assert a.run("publish").exit_code == 0
        b = Project(tmp / "b")
        shutil.copytree(a.root, b.root)
        who = {"a": a, "b": b}
        backup = {k: tmp / f"{k}.db" for k in who}
        for k, proj in who.items():
            shutil.copy(proj.root / ".syndicate/catalog.db", backup[k])
        guid_of: dict[str, str] = {}  # title -> the guid it went live with
        held: set[str] = set()  # titles a warning held back
        made = 0
        for action, k in [*steps, ("publish", "a"), ("publish", "b")]:
            proj, other = who[k], who["b" if k == "a" else "a"]
            posts = proj.root / "posts"
            if action == "add":
                made += 1
                proj.write(f"posts/2026-10-{made:02d}-n{made}.md",
                           post(f"New {made} by {k}", date=f"2026-10-{made:02d}",
                                body=f"words of post {made} written in {k}"))
            elif action == "rename":
                mine = sorted(posts.glob("*.md"))
                if mine:
                    mine[-1].rename(posts / f"{mine[-1].stem}-r.md")
            elif action.startswith("pull"):
                titles = set(guid_of)
                for path in sorted((other.root / "posts").glob("*.md")):
                    title = path.read_text().split("title: ", 1)[1].split("\n", 1)[0]
                    have = {p.read_text().split("title: ", 1)[1].split("\n", 1)[0]
                            for p in posts.glob("*.md")}
                    if title in titles and title not in have:  # live there, not here yet
                        name = f"{path.stem}-p.md" if action == "pull-renamed" else path.name
                        shutil.copy(path, posts / name)
            elif action == "restore":
                state = proj.root / ".syndicate"
                for name in ("catalog.db-wal", "catalog.db-shm"):
                    (state / name).unlink(missing_ok=True)
                shutil.copy(backup[k], state / "catalog.db")
            else:
                before = _live(site)
                result = proj.run("publish")
                out = result.output
                assert result.exit_code in (0, 1) and "Traceback" not in out, out
                errors = [line for line in out.splitlines() if line.startswith("Error: ")]
                assert (result.exit_code == 1) == bool(errors), out
                assert all(line.split(": ", 2)[1].strip() for line in errors), out
                said = [line for line in out.splitlines() if "held back" in line]
                held |= set(said)
                live_before = {t for t, _ in before}
                for line in said:  # "not shown yet" is said only of what the site does not show
                    if "does not show this post yet" in line:
                        name = line.removeprefix("Warning: ").split(": held back", 1)[0]
                        text = (proj.root / name).read_text()
                        assert text.split("title: ", 1)[1].split("\n", 1)[0] not in live_before, \
                            out
                after = _live(site)
                titles = [t for t, _ in after]
                assert len(titles) == len(set(titles)), out  # no post listed twice
                assert {g for _, g in before} <= {g for _, g in after}, out  # nothing lost
                for title, guid in after:
                    assert guid_of.setdefault(title, guid) == guid, out  # no guid changes
                for path in posts.glob("*.md"):
                    title = path.read_text().split("title: ", 1)[1].split("\n", 1)[0]
                    if not any(path.stem.removesuffix("-r") in h for h in held):
                        assert title in titles, out


def _live(site) -> list[tuple[str, str]]:
    return [(e.title, e.id) for e in feedparser.parse((site / "feed.xml").read_bytes()).entries]


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)  # (XML holds no Cc)
_ENTRY = st.fixed_dictionaries({
    "title": st.one_of(_TEXT, st.just("")),
    "slug": st.one_of(st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,4})?", fullmatch=True),
                      _TEXT, st.just("first")),
    "guid": st.one_of(_TEXT, st.uuids().map(str)),
    "date": st.sampled_from(["Tue, 20 Oct 2026 10:00:00 +0000", "Sun, 31 Feb 2026 25:61:61 +0000",
                             "Fri, 01 Jan 9999 00:00:00 +0000", "not a date", "",
                             "Mon, 01 Jan 0001 00:00:00 +0000", "Thu, 31 Dec 2026 23:59:60 +0000"]),
    "body": _TEXT,
    "tags": st.lists(_TEXT, max_size=2),
})


def _rss(entries: list[dict]) -> bytes:
    from xml.sax.saxutils import escape

    def text(s: str) -> str:
        return escape("".join(c for c in s if c in "\t\n\r" or (c >= " " and c != "\ufffe"
                              and c != "\uffff")))

    items = "".join(
        f"<item><title>{text(e['title'])}</title>"
        f"<link>https://example.test/posts/{text(e['slug'])}/</link>"
        f"<guid isPermaLink='false'>{text(e['guid'])}</guid><pubDate>{e['date']}</pubDate>"
        f"<description>{text(e['body'])}</description>"
        + "".join(f"<category>{text(t)}</category>" for t in e["tags"]) + "</item>"
        for e in entries)
    return (f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>t</title>"
            f"<link>https://example.test/</link><description>d</description>{items}"
            "</channel></rss>").encode()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(_ENTRY, max_size=4))
def test_whatever_another_checkout_left_in_the_live_feed_one_clear_answer(entries):
    """The live feed is outside input: whatever entries another hand left there (odd titles,
    slugs, guids, impossible dates), a publish exits 0 or 1 with errors naming a file, never a
    traceback, writes feeds that parse, and every entry it carries keeps its guid."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = tmp / "www"
        a = _checkout(tmp / "a", site)
        assert a.run("publish").exit_code == 0
        (site / "feed.xml").write_bytes(_rss(entries))
        a.write("posts/2026-10-25-mine.md", post("Mine", date="2026-10-25", body="mine"))
        for _ in range(2):
            with guard():  # (a hang is a failure, not a wait)
                result = a.run("publish")
            out = result.output
            assert result.exit_code in (0, 1) and "Traceback" not in out, out
            errors = [line for line in out.splitlines() if line.startswith("Error: ")]
            assert (result.exit_code == 1) == bool(errors), out
            assert all(str(site) in line for line in errors), out
            parsed = feedparser.parse((site / "feed.xml").read_bytes())
            assert not parsed.bozo, out
            live = {e.id: e.title for e in parsed.entries}
            # its own post goes out beside what the feed held, unless an entry it cannot
            # carry (no date a page can show, an address no post has) holds the feed as it is
            assert "Mine" in live.values() or "keeps its last published version" in out, out
            carried = [e for e in entries if e["guid"].strip() and e["title"].strip()
                       and e["date"].startswith("Tue") and e["slug"] not in ("first", "second")
                       and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", e["slug"])]
            if carried and "Mine" in live.values():  # each kept with its guid and title
                assert {e["guid"].strip() for e in carried} <= set(live), out


@pytest.mark.parametrize("edit", [("One.", "0ne."), ("One.", "One, and then some more.")],
                         ids=["same-size", "other-size"])
def test_a_page_the_other_checkout_rewrote_is_put_back_and_said_whatever_its_size(
        tmp_path, edit):
    """B (a copy of A, its catalog too) edits a post and publishes to the shared folder; A,
    whose sources do not say so, publishes next: each file B changed is put back as A has it
    and named in a warning that says another checkout may have published it, whatever the
    byte size (h25 B4: a same-size rewrite was left silently, another size rolled back
    silently)."""
    site = tmp_path / "www"
    a = _checkout(tmp_path / "a", site)
    assert a.run("publish").exit_code == 0
    ours = {p: p.read_bytes() for p in site.rglob("*")
            if p.is_file() and ".syndicate" not in p.parts}
    b = Project(tmp_path / "b")
    shutil.copytree(a.root, b.root)
    old, new = edit
    path = b.root / "posts/2026-09-01-first.md"
    path.write_text(path.read_text().replace(old, new))
    assert b.run("publish").exit_code == 0
    changed = {p for p in ours if p.read_bytes() != ours[p]}
    assert site / "feed.xml" in changed and site / "posts/first/index.html" in changed
    result = a.run("publish")
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in ours} == ours  # as this checkout has it
    said = [ln for ln in result.output.splitlines() if "another checkout" in ln
            and "put back" in ln]
    assert {Path(ln.removeprefix("Warning: ").split(": ", 1)[0]) for ln in said} == changed, \
        result.output
    assert "another checkout" not in a.run("publish").output


def test_on_s3_a_page_the_other_checkout_rewrote_is_put_back_and_said(
        tmp_path, s3_endpoint, bucket):
    """h26 C9 (h25 B4 on S3): B, a copy of A, edits a post and publishes to the bucket; A's
    next publish puts the page and feeds back as A has them and names each one."""
    from conftest import BUCKET, s3_config

    def live() -> dict[str, bytes]:
        listing = bucket.list_objects_v2(Bucket=BUCKET, Prefix="site/")["Contents"]
        return {o["Key"]: bucket.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read()
                for o in listing if "/.syndicate/" not in o["Key"]}

    a = _checkout(tmp_path / "a", "s3://x")
    a.write("config.yaml", s3_config(s3_endpoint))
    assert a.run("publish").exit_code == 0
    ours = live()
    b = Project(tmp_path / "b")
    shutil.copytree(a.root, b.root)
    path = b.root / "posts/2026-09-01-first.md"
    path.write_text(path.read_text().replace("One.", "0ne."))
    assert b.run("publish").exit_code == 0
    changed = {k for k, v in live().items() if ours.get(k) != v}
    assert "site/feed.xml" in changed and "site/posts/first/index.html" in changed
    result = a.run("publish")
    assert result.exit_code == 0, result.output
    assert live() == ours
    said = {ln.split(": ", 2)[1] for ln in result.output.splitlines()
            if "another checkout" in ln and "put back" in ln}
    assert said == {f"s3://{BUCKET}/{k}" for k in changed}, result.output
