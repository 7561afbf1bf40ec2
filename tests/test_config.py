"""config.yaml: one typed schema, every problem reported at once with its line."""

from __future__ import annotations

import pytest

from conftest import REPO
from syndicate.config import load_config, schema_keys
from syndicate.errors import ConfigError

BAD = """\
site:
  title: T
  url: not-a-url
  author: A
  timezone: Mars/Olympus
blog:
  feed_items: lots
podcast:
  title: Show
  description: D
  owner:
    name: O
  image: cover.png
  categories: [Technology, "Arts > Knitting"]
  explicit: maybe
  type: daily
  colour: blue
"""


def test_sample_config_is_valid():
    settings = load_config(REPO / "config.yaml")
    assert settings.warnings == []
    assert settings.config.podcast.categories[0] == "Society & Culture > Places & Travel"
    assert settings.target_dir == REPO / "public"


def test_every_problem_is_reported_at_once_with_its_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(BAD)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        f"{path}:3: 'site.url': expected an http(s) URL such as 'https://example.com/', "
        "got 'not-a-url'",
        f"{path}:5: 'site.timezone': unknown time zone 'Mars/Olympus'; use an IANA name such "
        "as 'Europe/London' or 'UTC'",
        f"{path}:7: 'blog.feed_items': expected a whole number, got 'lots'",
        f"{path}:11: 'podcast.owner.email': is required; add it",
        f"{path}:14: 'podcast.categories': 'Knitting' is not a subcategory of 'Arts'; choose one "
        "of: Books, Design, Fashion & Beauty, Food, Performing Arts, Visual Arts",
        f"{path}:15: 'podcast.explicit': expected true or false, got 'maybe'",
        f"{path}:16: 'podcast.type': expected 'episodic' or 'serial', got 'daily'",
    ]


def test_unknown_keys_are_warned_about_with_their_line(tmp_path):
    text = (REPO / "config.yaml").read_text().replace("  feed_items: 20\n",
                                                       "  feed_items: 20\n  feeditems: 5\n")
    path = tmp_path / "config.yaml"
    path.write_text(text)
    settings = load_config(path)
    line = text.splitlines().index("  feeditems: 5") + 1
    assert settings.warnings == [
        f"{path}:{line}: 'blog.feeditems': unknown key, ignored (check its spelling)"
    ]


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("site:\n  title: [unclosed\n  url: x\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems[0].startswith(f"{path}:3: invalid YAML: ")


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert info.value.problems == [
        f"{tmp_path / 'nope.yaml'}: no such file; pass --config PATH or create it"
    ]


def test_unknown_top_category_lists_apple_categories(tmp_path):
    text = (REPO / "config.yaml").read_text().replace("Science > Nature", "Gardening")
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    (problem,) = info.value.problems
    assert "'podcast.categories': 'Gardening' is not an Apple Podcasts category; choose one" in \
        problem
    assert "True Crime" in problem


def test_every_config_key_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text()
    missing = [key for key in schema_keys() if f"`{key}`" not in readme]
    assert missing == []
