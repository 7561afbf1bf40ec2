"""A byte that is not UTF-8 is named as it is, with its line and column, whether or not the
file starts with a BOM (h23 Z20): posts, transcripts and config.yaml.

Generated texts with a known answer: valid lines of any characters, one bad byte placed after
a known prefix of a known line, the file written with and without a BOM and with LF or CRLF."""

from __future__ import annotations

import json

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, NOW, png_bytes, sidecar, tone
from syndicate.cli import main

# characters a line may hold (no line breaks; any plane, so multi-byte UTF-8 is exercised)
CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x85\u2028\u2029")
# bytes that can never start a UTF-8 sequence, and a lead byte left without continuation
BAD = st.sampled_from([b"\xff", b"\xfe", b"\x80", b"\xc3(", b"\xe2\x82(", b"\xf0\x9f("])


def _run(root, *args):
    return CliRunner().invoke(main, ["--config", str(root / "config.yaml"), *args[:2],
                                     "--now", NOW, *args[2:]], catch_exceptions=False)


def _project(root):
    (root / "posts").mkdir(parents=True, exist_ok=True)
    (root / "episodes").mkdir(exist_ok=True)
    (root / "config.yaml").write_text(BASE_CONFIG)
    (root / "cover.png").write_bytes(png_bytes())
    return root


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(st.text(CHARS, max_size=12), max_size=4), prefix=st.text(CHARS, max_size=10),
       bad=BAD, bom=st.booleans(), crlf=st.booleans())
def test_the_bad_byte_of_a_post_is_named_with_its_line_and_column(tmp_path_factory, before,
                                                                   prefix, bad, bom, crlf):
    root = _project(tmp_path_factory.mktemp("p"))
    end = b"\r\n" if crlf else b"\n"
    head = [b"---", b'title: "BOM bad utf8"', b"date: 2026-10-06", b"---"]
    lines = [*head, *(s.encode() for s in before)]
    data = (b"\xef\xbb\xbf" if bom else b"") + end.join(
        [*lines, prefix.encode() + bad + b" after", b"body"]) + end
    (root / "posts/2026-10-06-bom.md").write_bytes(data)
    result = _run(root, "publish", "--json")
    assert result.exit_code != 0
    errors = json.loads(result.stdout)["errors"]
    line, column = len(lines) + 1, len(prefix) + 1
    assert errors == [f"posts/2026-10-06-bom.md:{line}: not UTF-8 text (byte 0x{bad[0]:02x} "
                      f"in column {column}) (save the file as UTF-8)"]


def test_a_transcript_and_config_name_the_bad_byte_after_a_bom(tmp_path):
    root = _project(tmp_path / "p")
    (root / "episodes/t.vtt").write_bytes(
        b"\xef\xbb\xbfWEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\nBOM caf\xe9\r\n")
    (root / "episodes/one.yaml").write_text(sidecar("One") + "transcript: t.vtt\n")
    (root / "episodes/one.mp3").write_bytes(tone(2.0))
    result = _run(root, "publish", "--json")
    (error,) = json.loads(result.stdout)["errors"]
    assert error.startswith("episodes/t.vtt:4: not UTF-8 text (byte 0xe9 in column 8) (save "
                            "the transcript as UTF-8")
    config = root / "config.yaml"
    config.write_bytes(b"\xef\xbb\xbf" + BASE_CONFIG.encode() + b"# caf\xe9\n")
    said = _run(root, "status")
    assert said.exit_code != 0
    line = BASE_CONFIG.count("\n") + 1
    assert f"{config}:{line}: not UTF-8 text (byte 0xe9 in column 6); save it as UTF-8" \
        in said.output
