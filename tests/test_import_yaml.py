"""The front matter and sidecars an import writes: the fast writer for plain documents gives
byte for byte what libyaml's emitter gives, and what it writes reads back as it was given."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate.importer import _fast_yaml, _node, dump_yaml

ALPHABET = st.sampled_from([*"abcXYZ019 _-.,:;!?#'\"&%/()[]{}=+~@$*<>^|`\\\t\n",
                            "é", "ß", "日", "\u00a0", "\u0085", "\u2028", "\ufeff", "\U0001f600"])
TEXT = st.text(ALPHABET, max_size=40) | st.sampled_from(
    ["true", "no", "null", "~", "1.5", "0x1F", "2015-01-01T08:00:00+00:00", "2015-01-01 08:00",
     "http://old.example/?p=12&x=1", "Episode 3: Bees", "-a", "- a", "a #b", "a: ", "---",
     "...", "<<", "=", ".inf", "1_000", "a" * 300, "", " a", "a "])
# mostly text the fast writer takes, with the characters at the edge of what it takes
PLAIN = st.text(st.sampled_from([*"ab XY09_.,:-/?='!&()#*|é日", "\U0001d400"]), min_size=1,
                max_size=30)
# long lines: libyaml folds a line past its width (1,000 columns) at a space
PLAIN = PLAIN | st.integers(170, 260).map(lambda n: " ".join(["abcd"] * n))
# several lines: show notes, summaries (a literal block, or quoted where one cannot hold them)
LINES = st.lists(PLAIN | st.just("") | st.text(ALPHABET, max_size=8), min_size=1, max_size=5
                 ).map("\n".join) | st.lists(PLAIN, min_size=2, max_size=4).map(
                     lambda ls: "\n\n".join(ls) + "\n")
TEXT = PLAIN | LINES | TEXT
SCALAR = TEXT | st.booleans() | st.integers() | st.floats(allow_nan=False)
VALUE = SCALAR | st.lists(SCALAR, max_size=4)
META = st.dictionaries(TEXT, VALUE, max_size=6)


def libyaml(meta: dict) -> str:
    from yaml.nodes import MappingNode, ScalarNode

    root = MappingNode("tag:yaml.org,2002:map", [(ScalarNode("tag:yaml.org,2002:str", k), _node(v))
                                                 for k, v in meta.items()])
    return yaml.serialize(root, Dumper=yaml.CSafeDumper, allow_unicode=True, width=1000)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(META)
def test_dump_yaml_writes_what_libyaml_writes_and_reads_back(meta):
    text = dump_yaml(meta)
    assert text == libyaml(meta)
    if _fast_yaml(meta) is not None:  # written here: read back as given
        assert yaml.safe_load(text) == meta


def test_dump_yaml_fast_documents_are_plain():
    meta = {"title": "Post 1 about the bees", "date": "2015-01-01T08:00:00+00:00",
            "guid": "http://old.example/?p=1000", "tags": ["garden", "river"], "draft": True,
            "number": 3, "duration": 1.0, "imported_from": "http://127.0.0.1:8000/x.xml"}
    text = dump_yaml(meta)
    assert text == libyaml(meta)
    assert "date: '2015-01-01T08:00:00+00:00'\n" in text
    assert yaml.safe_load(text) == meta


def test_dump_yaml_escapes_what_is_beyond_the_bmp_as_libyaml_does():
    for meta in ({"X": "0\n\U0001f600"}, {"title": "Bees \U0001d400"}, {"t": ["\U0001f600"]}):
        assert dump_yaml(meta) == libyaml(meta)
        assert yaml.safe_load(dump_yaml(meta)) == meta


PLAIN_META = st.dictionaries(
    PLAIN, PLAIN | LINES | st.booleans() | st.integers() | st.floats(allow_nan=False) |
    st.lists(PLAIN | st.integers(), max_size=3), min_size=1, max_size=3)


@settings(max_examples=3000, deadline=None)
@given(PLAIN_META)
def test_dump_yaml_plain_documents_match_libyaml(meta):
    text = dump_yaml(meta)
    assert text == libyaml(meta)
    if _fast_yaml(meta) is not None:
        assert yaml.safe_load(text) == meta
