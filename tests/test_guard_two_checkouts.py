"""Two checkouts of one project publishing to one site (a laptop and a desktop, one not pulled):
a publish never takes off a live entry its catalog has no record of, on this run or any later
one, until --force says so (h18 Y6: the checkout behind removed the other's new post, exit 0).
An entry whose guid this catalog gave up (its file named another) is its own, not foreign."""

from __future__ import annotations

import shutil

import feedparser

from conftest import BASE_CONFIG, Project, png_bytes, post


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
    b.write("posts/2026-09-03-third.md", post("Third", date="2026-09-03", body="Three."))
    held = b.run("publish")  # its own new post waits with the held feeds, X stays
    assert held.exit_code == 1 and "Post X from A" in _titles(site)
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
