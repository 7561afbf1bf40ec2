"""Small input holes: a target with a scheme other than s3://, an S3 target with a query,
fragment or empty part, and a key written twice in config.yaml, front matter or a sidecar are
each refused with one line naming the file and line(s); nothing is published from them."""

from __future__ import annotations

import shutil

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_CONFIG, post, sidecar, tone
from syndicate import yamlcheck


def _errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


TARGET_LINE = BASE_CONFIG.splitlines().index("target: public") + 1


@pytest.mark.parametrize("target, words", [
    ("file:///tmp/x", "only s3://bucket/prefix or a local folder can be published to"),
    ("http://example.test/site", "only s3://bucket/prefix or a local folder"),
    ("S3://bucket/blog", "expected s3://bucket/prefix"),
    ("s3:bucket/blog", "expected s3://bucket/prefix"),
    ("s3://bucket/blog?x=1", "with no '?', ';', '#', port or user in it"),
    ("s3://bucket/blog#top", "with no '?', ';', '#', port or user in it"),
    ("s3://bucket//blog", "the prefix must not contain '..', '.' or empty parts"),
    ("s3://bucket/a//b/", "the prefix must not contain '..', '.' or empty parts"),
    ("s3://bucket/./blog", "the prefix must not contain '..', '.' or empty parts"),
])
def test_a_target_that_is_not_a_folder_or_an_s3_prefix_is_a_config_error(
        make_project, target, words):
    proj = make_project({"posts/a.md": post("A")},
                        config=BASE_CONFIG.replace("target: public", f"target: '{target}'"))
    for command in ("publish", "status"):
        result = proj.run(command)
        assert result.exit_code == 2, result.output
        errors = _errors(result)
        assert len(errors) == 1 and words in errors[0], result.output
        assert errors[0].startswith(f"Error: {proj.root / 'config.yaml'}:{TARGET_LINE}: "
                                    "'target': ")
    # no ./file:, ./http: or ./s3: folder made, nothing published
    assert {p.name for p in proj.root.iterdir()} == {"config.yaml", "cover.png", "posts",
                                                     "episodes"}


def test_plain_s3_targets_and_folders_are_still_accepted(make_project):
    for target in ("s3://bucket", "s3://bucket/", "s3://bucket/blog/", "site/out", "./out"):
        proj_config = BASE_CONFIG.replace("target: public", f"target: '{target}'")
        proj = make_project(config=proj_config)
        result = proj.run("status")
        assert result.exit_code == 0, (target, result.output)
        shutil.rmtree(proj.root)


def test_a_key_written_twice_in_config_is_refused_with_both_lines(make_project):
    config = BASE_CONFIG + "target: elsewhere\n"
    proj = make_project(config=config)
    result = proj.run("publish")
    assert result.exit_code == 2
    second = len(config.splitlines())
    assert _errors(result) == [
        f"Error: {proj.root / 'config.yaml'}:{second}: the key 'target' appears twice (lines "
        f"{TARGET_LINE} and {second}); keep one"]
    assert not (proj.root / "public").exists() and not (proj.root / "elsewhere").exists()


def test_a_key_written_twice_in_front_matter_or_a_sidecar_is_named_and_the_rest_published(
        make_project):
    proj = make_project({"posts/ok.md": post("Fine"),
                         "posts/dup.md": "---\ntitle: One\ndate: 2026-10-01\ntitle: Two\n---\nx\n",
                         "episodes/one.mp3": tone(1.0),
                         "episodes/one.yaml": sidecar("Ep", **{"episode": 1}) + "episode: 2\n"})
    result = proj.run("publish")
    assert result.exit_code == 1
    assert sorted(_errors(result)) == [
        "Error: episodes/one.yaml:4: the key 'episode' appears twice (lines 3 and 4); keep one",
        "Error: posts/dup.md:4: the key 'title' appears twice (lines 2 and 4); keep one"]
    feed = feedparser.parse(proj.read("feed.xml"))
    assert [e.title for e in feed.entries] == ["Fine"]


def test_merge_keys_may_still_override_what_they_merge():
    text = "base: &b {k: 1, j: 2}\nitem:\n  <<: *b\n  k: 3\n"
    assert yamlcheck.parse(text, "f.yaml") == {"base": {"k": 1, "j": 2}, "item": {"k": 3, "j": 2}}


_key = st.sampled_from(["a", "title", "'a'", '"a"', "1", "'1'", "true", "null", "~", "<<"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=st.lists(_key, min_size=1, max_size=6), nested=st.booleans())
def test_any_mapping_parses_or_names_the_repeated_key(keys, nested):
    indent = "  " if nested else ""
    text = ("outer:\n" if nested else "") + "".join(f"{indent}{k}: {i}\n"
                                                    for i, k in enumerate(keys))
    try:
        data = yamlcheck.parse(text, "f.yaml", line_offset=1)
    except yamlcheck.YamlProblems as exc:
        assert len(exc.problems) == 1 and exc.problems[0].startswith("f.yaml:")
        return
    inner = data["outer"] if nested else data
    assert isinstance(inner, dict) and len(inner) <= len(keys)
    if len(inner) < len(keys) and "<<" not in keys:
        raise AssertionError(f"a repeated key was dropped silently: {text!r}")
