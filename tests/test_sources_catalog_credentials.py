"""h13 T7: the catalog keeps what it needs of a ``sources:`` address (its conditional-GET state)
without any credential of it: none is written, and one left by an older syndicate is scrubbed
on the next run. Checked on the catalog file's bytes, as a backup would carry them."""

from __future__ import annotations

import sqlite3

from conftest import BASE_CONFIG, DATA, serve_folder

FEED = DATA / "import" / "blog-noguid.rss"
SECRETS = (b"WPSECRET1", b"TOKSECRET1", b"WPSECRET2", b"KEYSECRET2")


def _catalog_bytes(proj) -> bytes:
    return b"".join(p.read_bytes() for p in (proj.root / ".syndicate").glob("catalog.db*"))


def _set_source(proj, url: str) -> None:
    config = proj.root / "config.yaml"
    text = config.read_text(encoding="utf-8").split("sources:")[0]
    config.write_text(f"{text}sources:\n  - \"{url}\"\n", encoding="utf-8")


def test_a_source_credential_never_reaches_the_catalog_file(make_project, tmp_path):
    folder = tmp_path / "host"
    folder.mkdir()
    (folder / "wp2.xml").write_bytes(FEED.read_bytes())
    (folder / "wp2-renamed.xml").write_bytes(FEED.read_bytes())
    server, base, asked = serve_folder(folder)
    try:
        proj = make_project({}, config=BASE_CONFIG)
        host = base.replace("http://", "")
        _set_source(proj, f"http://wpuser:WPSECRET1@{host}/wp2.xml?token=TOKSECRET1")
        first = proj.run("publish")
        assert first.exit_code == 0, first.output
        assert (proj.root / "posts/2020-06-10-mending-a-fence.md").exists()
        _set_source(proj, f"http://wpuser:WPSECRET2@{host}/wp2-renamed.xml?api_key=KEYSECRET2")
        second = proj.run("publish")
        assert second.exit_code == 0, second.output
        assert any(p.startswith("/wp2-renamed.xml") for p in asked), asked
        data = _catalog_bytes(proj)
        assert data, "no catalog"
        for secret in SECRETS:
            assert secret not in data, secret
        # the source's state is still kept: an unchanged third run parses nothing again
        third = proj.run("publish")
        assert third.exit_code == 0 and "created" not in third.output.replace(
            "created 0", ""), third.output
    finally:
        server.shutdown()


def test_a_catalog_holding_a_source_credential_is_scrubbed_on_the_next_run(make_project):
    proj = make_project({}, config=BASE_CONFIG)
    assert proj.run("publish").exit_code == 0
    db = proj.root / ".syndicate" / "catalog.db"
    conn = sqlite3.connect(db)
    with conn:  # as a syndicate of schema 2 left it
        conn.execute("INSERT INTO meta (key, value) VALUES (?, '{}')",
                     ("source:http://wpuser:WPSECRET1@old.example/wp.xml?token=TOKSECRET1",))
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    assert b"WPSECRET1" in _catalog_bytes(proj)
    result = proj.run("status")
    assert result.exit_code == 0, result.output
    data = _catalog_bytes(proj)
    assert b"WPSECRET1" not in data and b"TOKSECRET1" not in data
