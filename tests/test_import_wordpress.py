"""Importing a WordPress export (WXR): posts, drafts, pages, private items, attachments,
shortcodes and podcast-plugin episodes, from our own fixture served by a loopback host."""

from __future__ import annotations

import http.server
import io
import json

import feedparser
import podcastparser
import pytest
import yaml

from conftest import BASE_CONFIG, DATA, png_bytes, serve, tone

WXR = (DATA / "import" / "wordpress.xml").read_text()
SECRETS = ("SECRET-DIARY-WORDS", "SECRET-MEMBERS-WORDS")


class OldWordPress:
    """The old WordPress site: the export, its uploads and the podcast audio."""

    def __init__(self):
        self.files = {
            "/wp-content/uploads/2019/04/beds-640x480.jpg": b"\xff\xd8small-beds",
            "/wp-content/uploads/2019/04/beds.jpg": b"\xff\xd8large-beds",
            "/wp-content/uploads/2019/04/row.png": png_bytes(4, 4),
            "/wp-content/uploads/2018/01/old.gif": b"GIF89a-old",
            "/audio/ep1.mp3": tone(2.0, freq=330),
            "/audio/ep2.m4a": tone(3.0, freq=440, fmt="m4a"),
        }
        self.gets: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _body(self):
                if self.path == "/export.xml":
                    return site.export().encode()
                return site.files.get(self.path)

            def do_GET(self):
                body = self._body()
                site.gets.append(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_HEAD(self):
                body = self._body()
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()

        self.server, self.url = serve(Handler)

    def export(self) -> str:
        return (WXR.replace("{BASE}", self.url + "/")
                .replace("{LEN1}", str(len(self.files["/audio/ep1.mp3"])))
                .replace("{LEN2}", str(len(self.files["/audio/ep2.m4a"]))))

    def close(self):
        self.server.shutdown()


@pytest.fixture
def old_site():
    site = OldWordPress()
    yield site
    site.close()


def _import(proj, *args):
    result = proj.run("import", *args, "--json", "--config", str(proj.root / "config.yaml"))
    return result, (json.loads(result.output) if result.output.startswith("{") else None)


def _front(path) -> tuple[dict, str]:
    _, fm, body = path.read_text().split("---\n", 2)
    return yaml.safe_load(fm), body


def _all_text(root) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*")
                     if p.is_file() and p.suffix in (".md", ".yaml", ".html", ".xml"))


def test_a_wordpress_export_imports_posts_drafts_attachments_and_episodes(make_project,
                                                                          old_site):
    proj = make_project({}, config=BASE_CONFIG)
    result, report = _import(proj, old_site.url + "/export.xml")
    assert result.exit_code == 0, result.output
    base = old_site.url + "/"
    created = {e["guid"]: e["file"] for e in report["created"]}
    assert set(created) == {base + "?p=101", base + "?p=102", base + "?p=103", base + "?p=107",
                            base + "?p=108", base + "?page_id=2", base + "?p=401",
                            base + "?post_type=podcast&p=402", base + "?p=403"}
    skipped = {e["guid"]: e["reason"] for e in report["skipped"]}
    assert set(skipped) == {base + "?p=104", base + "?p=105", base + "?p=106", base + "?p=300"}
    assert "private" in skipped[base + "?p=104"] and "password" in skipped[base + "?p=105"]
    assert "trash" in skipped[base + "?p=106"] and "nav_menu_item" in skipped[base + "?p=300"]
    assert report["left_behind"] == [{"source": old_site.url + "/export.xml",
                                      "what": "comments", "count": 2, "reason": pytest.approx(
                                          report["left_behind"][0]["reason"])}]
    assert report["errors"] == []

    # the classic-editor post: slug, guid, date in UTC, author's name, categories and tags
    meta, body = _front(proj.root / created[base + "?p=101"])
    assert created[base + "?p=101"] == "posts/2019-04-01-planting-the-spring-beds.md"
    assert meta["guid"] == base + "?p=101" and meta["date"] == "2019-04-01T08:30:00+00:00"
    assert meta["author"] == "Jane Doe" and meta["tags"] == ["Garden", "peas", "R&D"]
    assert meta["summary"].startswith("The first warm week") and meta["summary"].endswith(
        "by the gate.")
    assert "draft" not in meta
    # paragraphs restored, shortcodes readable, block comments and <!--more--> gone
    assert "before I was.\n\nI sowed peas" in body
    assert "The raised beds in April" in body and "[caption" not in body
    assert "[Embedded: www.youtube.com](https://www.youtube.com/watch?v=abc123XYZ)" in body
    assert "[Embedded: vimeo.com](https://vimeo.com/123456)" in body
    assert "[Audio: birdsong.mp3](" in body and "<!--" not in body
    assert "row 1: peas\n\nrow 2: beans" in body  # <pre> kept whole
    # the images are downloaded next to the post, and the body (and the link to the
    # attachment's own page) points at them
    folder = proj.root / "posts" / "2019-04-01-planting-the-spring-beds"
    assert (folder / "beds-640x480.jpg").read_bytes() == b"\xff\xd8small-beds"
    assert (folder / "beds.jpg").read_bytes() == b"\xff\xd8large-beds"
    assert (folder / "row.png").read_bytes() == png_bytes(4, 4)
    assert "](2019-04-01-planting-the-spring-beds/beds-640x480.jpg)" in body
    assert "[the second photo](2019-04-01-planting-the-spring-beds/row.png)" in body
    assert old_site.url not in body.replace(base + "wp-content/uploads/2019/04/birdsong", "")

    meta, body = _front(proj.root / created[base + "?p=102"])
    assert meta["summary"] == "A summer of tomatoes." and meta["author"] == "Sam Guest"
    assert meta["title"] == "Block editor notes & more"  # a title is HTML: decoded, no tags
    # a link relative to the old site leads there; an upload no item of the export names is
    # downloaded too
    assert f"[the about page]({base}about/)" in body
    assert "![an old picture](2023-07-14-block-editor-notes/old.gif)" in body
    assert (proj.root / "posts/2023-07-14-block-editor-notes/old.gif").read_bytes() == \
        b"GIF89a-old"
    assert "## What grew" in body and "- Tomatoes" in body and "wp:" not in body

    # drafts, pending and scheduled posts and pages are drafts; a draft's local time is read
    # with the offset the export's dated posts show (winter: UTC)
    for guid in ("?p=103", "?p=107", "?p=108", "?page_id=2"):
        meta, _ = _front(proj.root / created[base + guid])
        assert meta["draft"] is True, guid
    assert _front(proj.root / created[base + "?p=103"])[0]["date"] == "2023-12-20T21:00:00+00:00"
    flagged = {f["guid"]: f["reason"] for f in report["flagged"]}
    assert "scheduled" in flagged[base + "?p=107"] and "pending" in flagged[base + "?p=108"]
    assert "page" in flagged[base + "?page_id=2"]
    # a video "episode" is a post linking to the video, flagged
    meta, body = _front(proj.root / created[base + "?p=403"])
    assert "video/diary.mp4" in body and "video/mp4" in flagged[base + "?p=403"]

    # the podcast plugins' episodes: PowerPress and Seriously Simple Podcasting fields
    ep1 = yaml.safe_load((proj.root / created[base + "?p=401"]).with_suffix(".yaml")
                         .read_text())
    assert (ep1["guid"], ep1["season"], ep1["number"], ep1["type"]) == (
        base + "?p=401", 2, 7, "full")
    assert ep1["date"] == "2021-05-03T06:00:00+00:00"
    assert ep1["notes"] == "We talk about soil.\n\nAnd worms.\n"  # no [powerpress] player
    ep2 = yaml.safe_load((proj.root / created[base + "?post_type=podcast&p=402"])
                         .with_suffix(".yaml").read_text())
    assert (ep2["season"], ep2["number"], ep2["type"], ep2["explicit"]) == (2, 8, "bonus", True)

    # nothing private reached the project
    assert not any(s in _all_text(proj.root) for s in SECRETS)

    # idempotent: everything is recognised again
    again, report2 = _import(proj, old_site.url + "/export.xml")
    assert again.exit_code == 0 and report2["created"] == []
    assert len(report2["merged"]) == len(created)

    # published: the posts keep their guids, the drafts and private posts stay out
    published = proj.run("publish")
    assert published.exit_code == 0, published.output
    assert "Warning" not in published.output, published.output  # every key is known
    rss = feedparser.parse(proj.read("feed.xml"))
    ids = {e.id for e in rss.entries}
    assert ids == {base + "?p=101", base + "?p=102", base + "?p=403"}
    feed = podcastparser.parse("x", io.BytesIO(proj.read("podcast.xml")))
    assert {e["guid"] for e in feed["episodes"]} == {base + "?p=401",
                                                     base + "?post_type=podcast&p=402"}
    assert not any(s in _all_text(proj.root / "public") for s in SECRETS)
    # the downloaded images are published beside the post's page, where its links lead
    page = proj.read("posts/planting-the-spring-beds/index.html").decode()
    assert 'src="2019-04-01-planting-the-spring-beds/beds-640x480.jpg"' in page
    for name in ("beds-640x480.jpg", "beds.jpg", "row.png"):
        assert proj.read(f"posts/planting-the-spring-beds/2019-04-01-planting-the-spring-beds/"
                         f"{name}") == (folder / name).read_bytes()


def test_keep_url_leaves_audio_and_images_on_the_old_site(make_project, old_site, tmp_path):
    proj = make_project({}, config=BASE_CONFIG)
    export = tmp_path / "export.xml"
    export.write_text(old_site.export())
    result, report = _import(proj, str(export), "--audio", "keep-url")
    assert result.exit_code == 0, result.output
    assert not [p for p in old_site.gets if p.startswith(("/wp-content", "/audio"))]
    files = {e["guid"].rsplit("/", 1)[1]: e["file"] for e in report["created"]}
    ep = yaml.safe_load((proj.root / files["?p=401"]).read_text())
    assert ep["audio_url"] == old_site.url + "/audio/ep1.mp3" and ep["duration"] == 2
    assert ep["audio_length"] == len(old_site.files["/audio/ep1.mp3"])
    _, body = _front(proj.root / files["?p=101"])
    assert f"]({old_site.url}/wp-content/uploads/2019/04/beds-640x480.jpg)" in body


def test_an_image_that_cannot_be_fetched_keeps_its_address_and_is_flagged(make_project,
                                                                          old_site):
    del old_site.files["/wp-content/uploads/2019/04/row.png"]
    proj = make_project({}, config=BASE_CONFIG)
    result, report = _import(proj, old_site.url + "/export.xml")
    assert result.exit_code == 0, result.output
    reasons = [f["reason"] for f in report["flagged"] if f["file"].endswith("beds.md")]
    assert any("row.png" in r and "404" in r for r in reasons)
    _, body = _front(proj.root / "posts/2019-04-01-planting-the-spring-beds.md")
    assert f"({old_site.url}/wp-content/uploads/2019/04/row.png)" in body


def test_an_export_with_stray_control_characters_is_read(make_project, old_site, tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(old_site.export().replace("before I was.", "before\x0b I was."))
    proj = make_project({}, config=BASE_CONFIG)
    result = proj.run("import", str(export), "--audio", "keep-url", "--config",
                      str(proj.root / "config.yaml"))
    assert result.exit_code == 0, result.output
    assert "Import: created 9, merged 0, skipped 4," in result.output
    assert f"left     2 comments in {export}: syndicate publishes no comments" in result.output
    assert "before I was." in (proj.root / "posts/2019-04-01-planting-the-spring-beds.md"
                               ).read_text()


def test_a_broken_export_is_named_with_its_line(make_project, old_site, tmp_path):
    text = old_site.export()
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if "Block editor notes" in line)
    lines[at] = lines[at].replace("</title>", "")
    export = tmp_path / "export.xml"
    export.write_text("\n".join(lines))
    proj = make_project({}, config=BASE_CONFIG)
    result = proj.run("import", str(export), "--config", str(proj.root / "config.yaml"))
    assert result.exit_code == 1
    assert f"{export}:" in result.output and "WordPress export is not well-formed XML" in \
        result.output and "Tools > Export" in result.output
    assert "Traceback" not in result.output
    assert not list((proj.root / "posts").iterdir())


def test_images_beside_a_post_are_published_and_the_odd_ones_named(make_project, tmp_path):
    from conftest import post

    outside = tmp_path / "secret.png"
    outside.write_bytes(png_bytes(2, 2))
    proj = make_project({"posts/2024-05-01-walk.md": post("Walk", "2024-05-01",
                                                         "![a](2024-05-01-walk/a.png)"),
                         "posts/2024-05-01-walk/a.png": png_bytes(3, 3),
                         "posts/2024-05-01-walk/b c.png": png_bytes(3, 3),
                         "posts/2024-05-01-walk/notes.pdf": "not an image"})
    (proj.root / "posts/2024-05-01-walk/link.png").symlink_to(outside)
    result = proj.run("publish")
    assert result.exit_code == 0, result.output
    assert proj.read("posts/walk/2024-05-01-walk/a.png") == png_bytes(3, 3)
    assert 'src="2024-05-01-walk/a.png"' in proj.read("posts/walk/index.html").decode()
    published = {p.name for p in proj.public("posts/walk/2024-05-01-walk").iterdir()}
    assert published == {"a.png"}
    assert "posts/2024-05-01-walk/b c.png: not published" in result.output
    assert "posts/2024-05-01-walk/link.png" in result.output and "outside" in result.output


def _one_item(extra: str, status: str = "<wp:status>publish</wp:status>",
              ns: str = "http://wordpress.org/export/1.1/") -> bytes:
    return (f'<rss version="2.0" xmlns:wp="{ns}" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            "<title>t</title><link>https://old.example/</link>"
            "<item><title>Hidden</title><guid>https://old.example/?p=9</guid>"
            f"<content:encoded>{SECRETS[0]} words</content:encoded>{status}"
            "<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>"
            f"<wp:post_type>post</wp:post_type>{extra}</item></channel></rss>").encode()


def test_an_item_whose_status_cannot_be_told_is_not_imported():
    from syndicate.importer.sources import parse

    got = parse(_one_item("", status=""), "old.xml")
    assert got.posts == [] and "no wp:status" in got.skipped[0]["reason"]
    assert parse(_one_item(""), "old.xml").posts[0].guid == "https://old.example/?p=9"


def test_an_export_in_a_foreign_wp_namespace_is_refused_not_read_as_a_feed():
    from syndicate.importer import SourceError
    from syndicate.importer.sources import parse

    with pytest.raises(SourceError, match=r"^old\.xml: a WordPress export whose 'wp' namespace"):
        parse(_one_item("<wp:wxr_version>1.2</wp:wxr_version>",
                        ns="http://wordpress.example/export/1.2/"), "old.xml")


def test_a_wordpress_export_listed_under_sources_is_imported_by_collect(make_project,
                                                                        old_site):
    proj = make_project({}, config=BASE_CONFIG + "import_audio: keep-url\nsources:\n"
                        f"  - {old_site.url}/export.xml\n")
    first = proj.run("collect")
    assert first.exit_code == 0, first.output
    assert "Sources: created 9" in first.output
    posts = sorted(p.name for p in (proj.root / "posts").glob("*.md"))
    assert "2019-04-01-planting-the-spring-beds.md" in posts and len(posts) == 7
    again = proj.run("collect")
    assert again.exit_code == 0 and "Sources:" not in again.output  # unchanged: not parsed


def test_a_dry_run_of_an_export_writes_and_fetches_nothing(make_project, old_site):
    proj = make_project({}, config=BASE_CONFIG)
    result, report = _import(proj, old_site.url + "/export.xml", "--dry-run")
    assert result.exit_code == 0, result.output
    assert len(report["created"]) == 9 and len(report["skipped"]) == 4
    assert old_site.gets == ["/export.xml"]  # no image, no audio
    assert [p for d in ("posts", "episodes") for p in (proj.root / d).iterdir()] == []


def test_an_unreadable_image_folder_is_named_once_and_the_post_publishes(make_project):
    from test_safety_collect import _unprivileged

    from conftest import post

    proj = make_project({"posts/2024-05-01-walk.md": post("Walk", "2024-05-01", "Words."),
                         "posts/2024-05-01-walk/a.png": png_bytes(3, 3)})
    folder = proj.root / "posts/2024-05-01-walk"
    folder.chmod(0)
    try:
        result = _unprivileged(proj, "publish")
    finally:
        folder.chmod(0o755)
    assert "Traceback" not in result.stderr
    said = [line for line in (result.stdout + result.stderr).splitlines()
            if "2024-05-01-walk" in line]
    assert len(said) == 1 and said[0].startswith("Error: posts/2024-05-01-walk: folder cannot "
                                                 "be read"), said
    assert proj.public("posts/walk/index.html").is_file()
