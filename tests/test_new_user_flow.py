"""Issue 14, tried as a new user would, the way the README tells it: each command a fresh
``syndicate`` process (`init`, `new post`, `serve`, `publish`), the site looked at in Debian's
headless Chromium while `serve` runs, an edit seen in the open page, Ctrl-C to stop.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from browser import browser_fixture, open_page, serving, syndicate_command  # noqa: F401

TITLE = "Notes from the river"
EDITED = "The heron came back at dusk, twice."
# what only a preview's files hold: serve's address and reload script, the preview banner
PREVIEW_MARKS = ("/__syndicate/", "EventSource", 'class="preview-banner"', "127.0.0.1",
                 "Local preview of the site")


def syndicate(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([*syndicate_command(), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def _watch_clean(seen, base: str, left: int) -> None:
    """No console error, dialog or failed request; only requests still open when the page was
    left are cut (the reload's event stream, once each time: ``left``; a favicon still loading),
    as leaving a page ends its open requests; each of those others is there when asked again."""
    import urllib.request

    stream_cut = [f for f in seen.failed
                  if f.startswith(base + "__syndicate/events?") and "ERR_ABORTED" in f]
    assert len(stream_cut) <= left
    assert seen.console_errors == [] and seen.dialogs == []
    cut = [f for f in seen.failed if f not in stream_cut and f.endswith(" (net::ERR_ABORTED)")
           and f.startswith(base)] if left else []
    assert [f for f in seen.failed if f not in stream_cut and f not in cut] == []
    for f in cut:  # cut by the page being left, not missing
        with urllib.request.urlopen(f.removesuffix(" (net::ERR_ABORTED)"), timeout=30) as got:
            assert got.status == 200, f
    assert [u for u in seen.requests if not u.startswith(base)] == []


def test_init_new_post_serve_look_edit_stop_and_publish(browser, tmp_path):
    made = syndicate("init", "my-show", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "my-show"

    new = syndicate("new", "post", TITLE, cwd=project)
    assert new.returncode == 0, new.stderr
    (name,) = re.findall(r"posts/\S+\.md", new.stdout)
    post = project / name
    text = post.read_text(encoding="utf-8")
    assert "draft: true" in text and f"title: {TITLE}" in text
    post.write_text(text.replace("draft: true\n", ""), encoding="utf-8")  # as the README says

    with serving(cwd=project) as (url, running):
        home = open_page(browser, url)
        page = home.page
        link = page.get_by_role("link", name=TITLE).first
        link.click()
        page.wait_for_load_state("load")
        post_url = page.url
        assert post_url.startswith(url + "posts/") and post_url != url
        assert page.locator("main h1").first.inner_text() == TITLE
        assert EDITED not in page.inner_text("main")
        page.evaluate("window.__before_the_edit = true")
        post.write_text(post.read_text(encoding="utf-8").replace("Write here.", EDITED),
                        encoding="utf-8")
        # the page reloads by itself once the preview is rebuilt
        page.wait_for_function(f"document.body.innerText.includes({EDITED!r})",
                               timeout=60_000)
        assert page.evaluate("typeof window.__before_the_edit") == "undefined"  # a new page
        assert page.url == post_url
        # home left for the post, then the post left once for each rebuild after the first
        # build (an editor's save may reach the watcher as two writes, so two rebuilds)
        rebuilds = running.text().count("Built the preview") - 1
        assert rebuilds >= 1
        _watch_clean(home, url, left=1 + rebuilds)
        page.context.close()
        assert not (project / "public").exists()  # a preview publishes nothing
        slug = post_url.removeprefix(url + "posts/").strip("/").removesuffix("/index.html")
        previewed = next((project / ".syndicate" / "preview").rglob(f"posts/{slug}/index.html"))
        shown = previewed.read_text(encoding="utf-8")
        assert url in shown and 'class="preview-banner"' in shown  # the marks looked for below
    assert "Built the preview" in running.text()
    preview = project / ".syndicate" / "preview"

    published = syndicate("publish", cwd=project)
    assert published.returncode == 0, published.stdout + published.stderr
    public = project / "public"
    page_file = public / "posts" / slug / "index.html"
    assert page_file.is_file()
    html = page_file.read_text(encoding="utf-8")
    assert EDITED in html and TITLE in html
    # nothing of the preview is in public/: no file of it, no address or script of serve's
    files = [p for p in public.rglob("*") if p.is_file()]
    assert files and not [p for p in files if "preview" in p.relative_to(public).parts]
    for p in files:
        body = p.read_bytes()
        marks = [m for m in PREVIEW_MARKS if m.encode() in body]
        assert marks == [], (p, marks)
    if preview.exists():  # where the preview is built stays apart from the site
        assert not preview.resolve().is_relative_to(public.resolve())
