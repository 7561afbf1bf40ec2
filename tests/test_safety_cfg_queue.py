"""F15: `queue --at` reads a date alone as the start of that day in site.timezone, as the
README says every date is read; a past or out-of-range one says so."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import post


@pytest.fixture
def proj(make_project):
    p = make_project({"posts/winter.md": post("Winter", date="2026-12-01")})
    assert p.run("collect").exit_code == 0
    return p


def _status(proj) -> dict:
    rows = json.loads(proj.run("status", "--json").output)
    return {r["source"]: r for r in rows}


@pytest.mark.parametrize("day, utc", [
    ("2026-12-15", "2026-12-15T00:00:00+00:00"),  # GMT in December
    ("2027-06-15", "2027-06-14T23:00:00+00:00"),  # BST: midnight in London is 23:00 UTC
])
def test_a_date_alone_is_the_start_of_that_day_in_the_site_zone(proj, day, utc):
    result = proj.run("queue", "winter", "--at", day)
    assert result.exit_code == 0, result.output
    assert f"for {day} 00:00" in result.output
    row = _status(proj)["posts/winter.md"]
    assert row["state"] == "queued" and row["release_utc"] == utc
    assert "Nothing is due" in proj.run("release-due", now="2026-11-30T00:00:00Z").output


@pytest.mark.parametrize("day, words", [
    ("2020-01-01", "'2020-01-01' (2020-01-01 00:00 GMT) is in the past; nothing was queued"),
    ("2026-11-01", "is in the past"),  # today's date: its start has passed
    ("9999-01-01", "the year 9999 is out of range; dates run from 1900 to 9998"),
    ("1899-12-31", "the year 1899 is out of range"),
    ("2027-02-29", "'2027-02-29' is not a valid date and time (day is out of range"),
])
def test_a_past_or_impossible_date_says_so(proj, day, words):
    before = _status(proj)
    result = proj.run("queue", "winter", "--at", day)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and words in lines[0], lines
    assert _status(proj) == before


_dates = st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999),
                   st.integers(0, 13), st.integers(0, 32))
_hostile = st.one_of(_dates, st.text(max_size=40),
                     st.builds(lambda a, b: a + b, _dates, st.text(max_size=12)))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=_hostile)
def test_any_at_is_queued_or_one_clear_error(proj, at):
    if "\x00" in at or at.strip().lower() == "now":
        at = at.replace("\x00", "\x01") + "x"
    result = proj.run("queue", "winter", "--at", at)
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code:
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    else:
        assert _status(proj)["posts/winter.md"]["state"] == "queued"
