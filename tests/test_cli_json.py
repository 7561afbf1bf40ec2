"""--json on every command that reports: one JSON document on stdout with stable keys, errors
too (with a non-zero exit); `--config` once on the group, the per-command one kept as a hidden
alias for old scripts."""

from __future__ import annotations

import functools
import http.server
import json

import pytest
from click.testing import CliRunner

from conftest import BASE_CONFIG, NOW, png_bytes, post, serve, sidecar, tone
from syndicate.cli import main

ENVELOPE = {"command", "ok", "errors", "warnings"}
NEW_ITEM = ENVELOPE | {"kind", "file", "title", "date", "draft", "audio", "copied", "season",
                       "number"}
KEYS = {
    "init": ENVELOPE | {"root", "config", "files"},
    "new post": NEW_ITEM,
    "new episode": NEW_ITEM,
    "collect": ENVELOPE | {"collected", "sources"},
    "publish": ENVELOPE | {"collected", "sources", "dry_run", "target", "written", "bytes",
                           "deleted", "header_fixes", "unchanged", "held_deletes",
                           "held_items", "would_encode", "released", "cdn_paths", "after"},
    "queue": ENVELOPE | {"queued"},
    "unqueue": ENVELOPE | {"unqueued"},
    "release-due": ENVELOPE | {"released", "published", "next_attempt"},
    "import": ENVELOPE | {"podcast_guid", "created", "merged", "skipped", "flagged",
                          "left_behind", "media", "channel"},
    "check": ENVELOPE | {"checked", "problems"},
    "stats": ENVELOPE | {"stats"},
    "db upgrade": ENVELOPE | {"catalog", "schema_before", "schema"},
    "db copy": ENVELOPE | {"copied", "destination"},
}
COLLECTED = {"created", "updated", "unchanged", "removed", "failed"}
QUEUED = {"kind", "title", "source", "at_utc", "zone", "at_local", "moved_from"}
# status and audio report print a list of items, as they did before --json was everywhere
STATUS_ROW = {"kind", "title", "source", "guid", "release_utc", "release_local",
              "seconds_left", "queued", "error", "released_at", "reason", "next_attempt",
              "state"}
AUDIO_ROW = {"source", "title", "duration", "gain", "before", "after", "error"}
LISTS = {"status": STATUS_ROW, "audio report": AUDIO_ROW}
# commands that run until stopped, with nothing to report at an end
NOT_REPORTING = {"run", "serve"}

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Old</title>
<link>https://old.example/</link><item><title>An old post</title><guid>old-1</guid>
<pubDate>Fri, 01 May 2020 10:00:00 GMT</pubDate><description>Old words.</description></item>
</channel></rss>"""


def _commands() -> set[str]:
    out = set()
    for name, cmd in main.commands.items():
        subs = getattr(cmd, "commands", None)
        out |= {f"{name} {s}" for s in subs} if subs else {name}
    return out


def test_every_command_is_known_to_report_or_not():
    assert _commands() - NOT_REPORTING == set(KEYS) | set(LISTS)


def _json(root, *args, code=0, now=NOW):
    words = args[:2] if args[0] in ("new", "audio", "db") else args[:1]
    cmd = ["--config", str(root / "config.yaml"), *words, "--json", *args[len(words):]]
    if now is not None:
        cmd += ["--now", now]
    result = CliRunner().invoke(main, cmd, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def _checked(name: str, doc: dict, code: int = 0) -> dict:
    assert set(doc) == KEYS[name], set(doc) ^ KEYS[name]
    assert doc["command"] == name and doc["ok"] is (code == 0)
    assert all(isinstance(m, str) for m in doc["errors"] + doc["warnings"])
    return doc


@pytest.fixture
def site(tmp_path):
    """The project's public/ folder served on 127.0.0.1 (a plain file server)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(tmp_path / "p/public"))
    handler.log_message = lambda *a: None
    server, url = serve(handler)
    yield url + "/"
    server.shutdown()


def test_each_command_prints_one_document_with_stable_keys(tmp_path, site):
    init = _checked("init", _json(tmp_path / "p", "init", str(tmp_path / "p")))
    root = tmp_path / "p"
    assert init["config"] == str(root / "config.yaml")
    # the site's address is the local server's, so that check asks nothing of the internet
    (root / "config.yaml").write_text(BASE_CONFIG.replace("https://example.test/", site))
    (root / "cover.png").write_bytes(png_bytes())
    (tmp_path / "take.mp3").write_bytes(tone(1.5))
    (root / "posts/2027-01-05-later.md").write_text(post("Later", "2027-01-05"))
    made = _checked("new post", _json(root, "new", "post", "A note", "--no-draft"))
    assert made["file"] == "posts/2026-11-01-a-note.md" and made["draft"] is False
    ep = _checked("new episode", _json(root, "new", "episode", str(tmp_path / "take.mp3"),
                                      "--title", "One", "--no-draft"))
    assert (ep["number"], ep["copied"]) == (1, True)

    collected = _checked("collect", _json(root, "collect"))
    assert set(collected["collected"]) == COLLECTED and collected["sources"] is None
    assert len(collected["collected"]["created"]) == 4
    dry = _checked("publish", _json(root, "publish", "--dry-run"))
    assert dry["dry_run"] is True and dry["written"] and dry["would_encode"] == []
    published = _checked("publish", _json(root, "publish"))
    assert "podcast.xml" in published["written"] and published["bytes"] > 0
    assert set(published["collected"]) == COLLECTED

    rows = _json(root, "status")
    assert isinstance(rows, list) and len(rows) == 4
    assert all(set(r) == STATUS_ROW for r in rows)
    queued = _checked("queue", _json(root, "queue", "later", "--at", "2026-12-01 09:00"))
    assert [set(q) for q in queued["queued"]] == [QUEUED]
    assert queued["queued"][0]["at_utc"] == "2026-12-01T09:00:00+00:00"
    unqueued = _checked("unqueue", _json(root, "unqueue", "later"))
    assert unqueued["unqueued"] == {"kind": "post", "source": "posts/2027-01-05-later.md"}
    due = _checked("release-due", _json(root, "release-due"))
    assert due["released"] == [] and due["next_attempt"] is None

    upgraded = _checked("db upgrade", _json(root, "db", "upgrade", now=None))
    assert upgraded["schema"] == upgraded["schema_before"] > 0
    catalog = upgraded["catalog"]
    if not catalog.startswith("postgresql://"):
        copied = _checked("db copy", _json(root, "db", "copy", catalog, str(tmp_path / "c.db"),
                                           now=None))
        assert copied["copied"]["items"] == 4

    loud = _json(root, "audio", "report")
    assert [set(r) for r in loud] == [AUDIO_ROW]

    (tmp_path / "old.xml").write_text(RSS)
    imported = _checked("import", _json(root, "import", str(tmp_path / "old.xml"), now=None))
    assert [e["title"] for e in imported["created"]] == ["An old post"]

    result = CliRunner().invoke(main, ["--config", str(root / "config.yaml"), "check",
                                       "--json"])
    doc = _checked("check", json.loads(result.stdout), result.exit_code)
    assert doc["checked"] and doc["ok"] is (doc["problems"] == [])
    # (a plain file server answers no byte ranges: that is a problem the check names)
    assert any("206" in p or "range" in p.lower() for p in doc["problems"])


FAILING = [
    ("publish",), ("collect",), ("status",), ("queue", "x", "--at", "now"), ("unqueue", "x"),
    ("release-due",), ("import", "old.xml"), ("check",), ("audio", "report"),
    ("new", "post", "Title"), ("new", "episode", "a.mp3", "--title", "T"), ("stats",),
]


@pytest.mark.parametrize("args", FAILING, ids=lambda a: " ".join(a[:2]))
def test_an_error_is_a_json_document_too(tmp_path, args):
    missing = tmp_path / "nowhere.yaml"
    result = CliRunner().invoke(main, ["--config", str(missing), *args, "--json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert set(doc) == ENVELOPE and doc["ok"] is False and doc["warnings"] == []
    assert doc["errors"] == [f"{missing}: no such file; pass --config PATH or create it"]
    assert doc["command"] == " ".join(a for a in args[:2] if a in _words())
    assert "Traceback" not in result.output


def _words() -> set[str]:
    return {w for c in _commands() for w in c.split()}


def test_a_usage_error_under_json_is_a_json_document(tmp_path):
    result = CliRunner().invoke(main, ["queue", "x", "--json", "--at"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["command"] == "queue" and doc["ok"] is False
    assert "--at" in doc["errors"][0]
    bad = CliRunner().invoke(main, ["publish", "--json", "--now", "not a time"])
    assert bad.exit_code == 2 and "'--now'" in json.loads(bad.stdout)["errors"][0]


def test_config_on_the_group_and_the_old_per_command_option_both_work(make_project,
                                                                      monkeypatch):
    proj = make_project({"posts/a.md": post("First"), "episodes/e.yaml": sidecar("E"),
                         "episodes/e.mp3": tone(1.0)})
    cfg = str(proj.root / "config.yaml")
    new = CliRunner().invoke(main, ["--config", cfg, "publish", "--now", NOW])
    assert new.exit_code == 0, new.output
    assert "Published to public: wrote" in new.stdout
    old = CliRunner().invoke(main, ["publish", "--config", cfg, "--now", NOW])
    assert old.exit_code == 0, old.output
    assert "wrote 0 files" in old.stdout  # the same project, nothing changed
    # the command's own --config wins over the group's
    both = CliRunner().invoke(main, ["--config", "/nowhere.yaml", "status", "--config", cfg])
    assert both.exit_code == 0 and "First" in both.stdout
    monkeypatch.chdir(proj.root)  # neither: ./config.yaml
    here = CliRunner().invoke(main, ["status"])
    assert here.exit_code == 0 and "First" in here.stdout
    # the old option is hidden from help; the group's is documented
    assert "--config" not in CliRunner().invoke(main, ["publish", "--help"]).stdout
    assert "--config PATH" in CliRunner().invoke(main, ["--help"]).stdout


def test_warnings_under_json_are_in_the_document_and_on_stderr_after_it(make_project):
    proj = make_project({"posts/a.md": post("First")}, config=BASE_CONFIG + "colour: blue\n")
    cfg = ["--config", str(proj.root / "config.yaml")]
    result = CliRunner().invoke(main, [*cfg, "collect", "--json", "--now", NOW])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["warnings"]) == 1 and "colour" in doc["warnings"][0]
    assert result.stderr == f"Warning: {doc['warnings'][0]}\n"
    assert result.output.startswith("{")  # the document first, as import always did
    rows = CliRunner().invoke(main, [*cfg, "status", "--json"])
    assert [r["title"] for r in json.loads(rows.stdout)] == ["First"]
    assert rows.stderr == f"Warning: {doc['warnings'][0]}\n"
