"""The pages, the lists and the feeds agree on what is published: an item whose page cannot be
made (a broken theme template) is on no list, in no feed or sitemap, and its audio is not sent;
a broken template is one error, however many pages it fails."""

from __future__ import annotations

import json
import re

import pytest
from test_pages import new_project, pages

from conftest import BASE_CONFIG, post, sidecar, tone

BROKEN = '{% extends "base.html" %}\n{% block main %%\n'


def _every_text(proj) -> str:
    """Every list page, the sitemap and the feeds, as one text to search for an address."""
    texts = [p.read_text("utf-8") for p in sorted((proj.root / "public").rglob("*"))
             if p.suffix in (".html", ".xml")]
    return "\n".join(texts)


@pytest.mark.parametrize("kind", ["post", "episode"])
@pytest.mark.parametrize("old, new", [(0, 1), (2, 1), (3, 3)])
def test_an_item_whose_page_fails_is_on_no_list_feed_or_sitemap_and_its_audio_not_sent(
        tmp_path, kind, old, new):
    files: dict[str, str | bytes] = {}
    for i in range(old):
        files[f"posts/old{i}.md"] = post(f"Old post {i}", date=f"2026-09-0{i + 1}",
                                         tags="[shared]")
        files[f"episodes/old{i}.mp3"] = tone(0.2, freq=300 + i)
        files[f"episodes/old{i}.yaml"] = sidecar(f"Old ep {i}", date=f"2026-09-0{i + 1} 08:00")
    proj = new_project(tmp_path / "p", files,
                       BASE_CONFIG + "theme: mytheme\naudio:\n  process: false\n")
    (proj.root / "mytheme" / "templates").mkdir(parents=True)
    assert proj.run("publish").exit_code == 0
    template = "post.html" if kind == "post" else "episode.html"
    proj.write(f"mytheme/templates/{template}", BROKEN)
    for i in range(new):
        if kind == "post":
            proj.write(f"posts/fresh{i}.md", post(f"Fresh {i}", date=f"2026-10-0{i + 1}",
                                                  tags="[shared, newtag]"))
        else:
            proj.write(f"episodes/fresh{i}.mp3", tone(0.3, freq=500 + i))
            proj.write(f"episodes/fresh{i}.yaml", sidecar(f"Fresh {i}",
                                                          date=f"2026-10-0{i + 1} 08:00"))
    result = proj.run("publish", "--json")
    assert result.exit_code == 1 and "Traceback" not in result.output


    report = json.loads(result.stdout)
    errors = [e if isinstance(e, str) else json.dumps(e) for e in report["errors"]]
    # one error for the one broken template, naming its file and line and what happened
    assert len(errors) == 1, errors
    assert re.search(rf"mytheme/templates/{template}:2", errors[0]), errors
    assert "fix the template" in errors[0]
    assert f"{new} " in errors[0] or new == 1, errors
    folder = "posts" if kind == "post" else "episodes"
    text = _every_text(proj)
    for i in range(new):
        assert f"fresh{i}" not in text and f"Fresh {i}" not in text
        assert not (proj.root / "public" / folder / f"fresh{i}").exists()
    assert "newtag" not in text and not (proj.root / "public" / "tags" / "newtag").exists()
    assert not list((proj.root / "public" / "media").glob("fresh*"))
    # every page a list links to exists, and the old items are all still listed
    found = pages(proj)
    listing = found[f"{folder}/index.html"].xpath("//main//ul[@class='listing']/li/a/text()")
    assert sorted(listing) == sorted((f"Old post {i}" if kind == "post" else f"Old ep {i}")
                                     for i in range(old))
    status = proj.run("status").output
    for i in range(new):
        assert re.search(rf"queued .* Fresh {i} ", status), status  # not released
    # the template fixed: the items are published, listed and in the feeds
    (proj.root / "mytheme" / "templates" / template).unlink()
    assert proj.run("publish").exit_code == 0
    text = _every_text(proj)
    for i in range(new):
        assert (proj.root / "public" / folder / f"fresh{i}" / "index.html").is_file()
        assert text.count(f"Fresh {i}") >= 3


def test_a_broken_template_of_many_published_pages_is_one_error_with_their_count(tmp_path):
    files = {f"posts/p{i}.md": post(f"Post {i}", date=f"2026-09-{i + 1:02d}") for i in range(7)}
    proj = new_project(tmp_path / "p", files, BASE_CONFIG + "theme: mytheme\n")
    proj.write("mytheme/templates/post.html", '{% extends "base.html" %}{% block main %}'
                                              '<h1>{{ item.title }}</h1>{% endblock %}')
    assert proj.run("publish").exit_code == 0
    proj.write("mytheme/templates/post.html", '{% extends "base.html" %}\n{% block main %}\n'
                                              '{{ item.title | nosuchfilter }}\n{% endblock %}')
    result = proj.run("publish")
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, result.output
    assert "mytheme/templates/post.html:3" in lines[0] and "7 pages" in lines[0], lines
    assert "last published version" in lines[0]
    for i in range(7):
        assert b"<h1>Post" in proj.read(f"posts/p{i}/index.html")
