"""The values inside the Podcast Index tags are checked as the namespace defines them, not only
their keys: UUIDs are published in one spelling (lower case, no braces), an updateFrequency
rrule's parts carry values RFC 5545 allows, an image's aspect ratio is CSS ratio syntax and a
value block pays somebody. Generated values: each valid one is read (and published as it should
be), each invalid one is one error naming config.yaml and its line (Q11)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import DATA
from syndicate.config import load_config
from syndicate.errors import ConfigError
from syndicate.publish import publish

PROJECT = DATA / "tags" / "project"
P = "https://podcastindex.org/namespace/1.0"
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
ROOT = Path(tempfile.mkdtemp(prefix="tag-values-")) / "project"
shutil.copytree(PROJECT, ROOT)
BASE = yaml.safe_load((PROJECT / "config.yaml").read_text())
FAST = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


def _load(change) -> tuple[object | None, str, str]:
    """(settings or None, the error, the config's text) with ``change`` applied to podcast:."""
    import copy

    cfg = copy.deepcopy(BASE)
    change(cfg["podcast"])
    text = yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True)
    (ROOT / "config.yaml").write_text(text, encoding="utf-8")
    try:
        return load_config(ROOT / "config.yaml"), "", text
    except ConfigError as exc:
        return None, str(exc), text


def _line(text: str, needle: str) -> int:
    return next(i for i, t in enumerate(text.splitlines(), 1) if needle in t)


def _refused(msg: str, text: str, needle: str, key: str) -> None:
    assert msg.count("config.yaml:") == 1 and "\n" not in msg, msg
    assert f"config.yaml:{_line(text, needle)}: '{key}" in msg, (msg, needle)
    assert "Traceback" not in msg and "pydantic" not in msg.lower()


# -- UUIDs ------------------------------------------------------------------------------------

def _spellings(u: uuid.UUID):
    return st.sampled_from([str(u), str(u).upper(), "{" + str(u) + "}", "{" + str(u).upper() + "}",
                            u.hex, u.hex.upper(), u.urn, u.urn.upper()])


@FAST
@given(data=st.data(), where=st.sampled_from(["publisher", "podroll", "guid"]))
def test_a_uuid_in_any_usual_spelling_is_read_as_lower_case_without_braces(data, where):
    u = data.draw(st.uuids())
    spelled = data.draw(_spellings(u))

    def change(p):
        if where == "publisher":
            p["publisher"]["feed_guid"] = spelled
        elif where == "podroll":
            p["podroll"][0]["feed_guid"] = spelled
        else:
            p["guid"] = spelled
    got, msg, _ = _load(change)
    assert got is not None, msg
    pod = got.config.podcast
    read = {"publisher": lambda: pod.publisher.feed_guid,
            "podroll": lambda: pod.podroll[0].feed_guid, "guid": lambda: pod.guid}[where]()
    assert read == str(u)


@FAST
@given(text=st.text(min_size=1, max_size=50).filter(lambda t: t.strip() == t))
def test_anything_else_given_as_a_feed_guid_is_one_error_naming_its_line(text):
    try:
        uuid.UUID(text)
        assume(not re.fullmatch(r"[0-9a-fA-F-{}:urnURN]+", text))
    except ValueError:
        pass
    assume(not isinstance(yaml.safe_load(yaml.safe_dump(text)), bool))

    def change(p):
        p["podroll"][1]["feed_guid"] = text
    got, msg, written = _load(change)
    assert got is None
    lines = [i for i, t in enumerate(written.splitlines(), 1) if "feed_guid:" in t]
    assert f"config.yaml:{lines[2]}: 'podcast.podroll[1].feed_guid'" in msg, msg
    assert "UUID" in msg and "Traceback" not in msg


def test_a_braced_upper_case_guid_is_published_lower_case_without_braces(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    text = (root / "config.yaml").read_text()
    text = text.replace("feed_guid: 917393e3-1b1e-5cef-ace4-edaa54e1f810",
                        'feed_guid: "{917393E3-1B1E-5CEF-ACE4-EDAA54E1F810}"')
    text = text.replace("feed_guid: 003af0a0-6a45-55cf-b765-68e3d349551a",
                        "feed_guid: 003AF0A06A4555CFB76568E3D349551A")
    (root / "config.yaml").write_text(text)
    assert publish(load_config(root / "config.yaml"), now=NOW).ok
    channel = etree.parse(str(root / "public" / "podcast.xml")).getroot().find("channel")
    guids = [e.get("feedGuid") for e in channel.iter(f"{{{P}}}remoteItem")]
    assert "917393e3-1b1e-5cef-ace4-edaa54e1f810" in guids
    assert "003af0a0-6a45-55cf-b765-68e3d349551a" in guids
    assert all(g == g.lower() and "{" not in g for g in guids)


# -- rrule --------------------------------------------------------------------------------------

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQS = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def _ints(lo, hi, signed=False):
    one = st.integers(lo, hi)
    if signed:
        one = st.one_of(one, one.map(lambda n: -n))
    return st.lists(one, min_size=1, max_size=3).map(lambda xs: ",".join(map(str, xs)))


@st.composite
def rrules(draw) -> tuple[str, bool]:
    """A valid rrule, and whether it has COUNT (which needs dtstart)."""
    freq = draw(st.sampled_from(FREQS))
    parts = [f"FREQ={freq}"]
    end = draw(st.sampled_from(["", "until-date", "until-time", "count"]))
    if end == "until-date":
        parts.append("UNTIL=" + draw(st.dates(dt.date(2000, 1, 1))).strftime("%Y%m%d"))
    elif end == "until-time":
        when = draw(st.datetimes(dt.datetime(2000, 1, 1)))
        parts.append("UNTIL=" + when.strftime("%Y%m%dT%H%M%S") + draw(st.sampled_from(["", "Z"])))
    elif end == "count":
        parts.append(f"COUNT={draw(st.integers(1, 10**6))}")
    optional = {
        "INTERVAL": st.integers(1, 1000).map(str),
        "BYSECOND": _ints(0, 60), "BYMINUTE": _ints(0, 59), "BYHOUR": _ints(0, 23),
        "BYDAY": st.lists(st.tuples(
            st.sampled_from(["", "+", "-"]) if freq in ("MONTHLY", "YEARLY") else st.just(""),
            st.integers(1, 53) if freq in ("MONTHLY", "YEARLY") else st.just(0),
            st.sampled_from(DAYS)), min_size=1, max_size=3).map(
            lambda ds: ",".join(f"{s}{n}{d}" if s or n else d for s, n, d in ds)),
        "BYMONTHDAY": _ints(1, 31, True), "BYYEARDAY": _ints(1, 366, True),
        "BYWEEKNO": _ints(1, 53, True), "BYMONTH": _ints(1, 12),
        "BYSETPOS": _ints(1, 366, True), "WKST": st.sampled_from(DAYS),
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=4)):
        parts.append(f"{name}={draw(optional[name])}")
    head, tail = parts[0], parts[1:]
    tail = draw(st.permutations(tail))
    return ";".join([head, *tail]), end == "count"


BROKEN = {"UNTIL": ["notadate", "2026-01-01", "20261301", "20260101T25", "yesterday"],
          "COUNT": ["0", "-1", "many", "1.5"], "INTERVAL": ["0", "-2", "x", ""],
          "BYDAY": ["XX", "MONDAY", "1XX", "0MO", "54MO", "MO,", "mo"],
          "BYMONTH": ["0", "13", "jan"], "BYHOUR": ["24", "-1"], "BYMINUTE": ["60"],
          "BYSECOND": ["61"], "BYMONTHDAY": ["0", "32", "-32"], "BYYEARDAY": ["367", "0"],
          "BYWEEKNO": ["54", "0"], "BYSETPOS": ["0", "367"], "WKST": ["XX", "1MO"]}


def _with_rule(rule: str, start: bool):
    def change(p):
        p["update_frequency"] = {"text": "Weekly", "rrule": rule,
                                 **({"dtstart": "2026-01-05"} if start else {})}
    return change


@FAST
@given(rule=rrules())
def test_any_rrule_rfc_5545_allows_is_published_as_given(rule):
    text, count = rule
    got, msg, _ = _load(_with_rule(text, count))
    assert got is not None, (text, msg)
    assert got.config.podcast.update_frequency.rrule == text


@FAST
@given(rule=rrules(), data=st.data())
def test_an_rrule_with_a_value_out_of_its_range_is_one_error_naming_its_line(rule, data):
    text, _ = rule
    name = data.draw(st.sampled_from(sorted(BROKEN)))
    bad = data.draw(st.sampled_from(BROKEN[name]))
    parts = [p for p in text.split(";") if not p.startswith(f"{name}=")]
    if name in ("UNTIL", "COUNT"):  # one or the other, never both (RFC 5545)
        parts = [p for p in parts if not p.startswith(("UNTIL=", "COUNT="))]
    parts.append(f"{name}={bad}")
    got, msg, written = _load(_with_rule(";".join(parts), True))
    assert got is None, ";".join(parts)
    _refused(msg, written, "rrule:", "podcast.update_frequency")
    assert name in msg


@pytest.mark.parametrize("rule", ["FREQ=WEEKLY;COUNT=3;UNTIL=20270101",
                                  "FREQ=WEEKLY;BYDAY=MO;BYDAY=TU", "FREQ=WEEKLY;BYDAY=1MO",
                                  "BYDAY=MO;FREQ=WEEKLY"])
def test_an_rrule_rfc_5545_forbids_is_refused_with_its_line(rule):
    got, msg, written = _load(_with_rule(rule, True))
    assert got is None, rule
    _refused(msg, written, "rrule:", "podcast.update_frequency")


# -- image aspect ratio ---------------------------------------------------------------------------

numbers = st.one_of(st.integers(1, 10**4).map(str),
                    st.tuples(st.integers(0, 999), st.integers(1, 999)).map(
                        lambda t: f"{t[0]}.{t[1]}").filter(lambda s: float(s) > 0))


@FAST
@given(w=numbers, h=numbers, space=st.sampled_from(["", " "]))
def test_an_aspect_ratio_in_css_ratio_syntax_is_read(w, h, space):
    ratio = f"{w}{space}/{space}{h}"

    def change(p):
        p["images"][0]["aspect_ratio"] = ratio
    got, msg, _ = _load(change)
    assert got is not None, (ratio, msg)
    assert got.config.podcast.images[0].aspect_ratio == f"{w}/{h}"


@FAST
@given(ratio=st.one_of(st.text(max_size=12), st.sampled_from(
    ["abc", "16:9", "16/", "/9", "0/1", "1/0", "-16/9", "16/9/1", "1e3/1", "wide"])))
def test_any_other_aspect_ratio_is_one_error_naming_its_line(ratio):
    assume(not re.fullmatch(r"\s*\d+(\.\d+)?\s*(/\s*\d+(\.\d+)?\s*)?", ratio))
    assume(isinstance(yaml.safe_load(yaml.safe_dump(ratio)), str))

    def change(p):
        p["images"][0]["aspect_ratio"] = ratio
    got, msg, written = _load(change)
    assert got is None, ratio
    _refused(msg, written, "aspect_ratio:", "podcast.images[0].aspect_ratio")


# -- value ----------------------------------------------------------------------------------

@FAST
@given(splits=st.lists(st.integers(0, 100), min_size=1, max_size=4))
def test_a_value_block_is_read_only_if_somebody_is_paid(splits):
    def change(p):
        p["value"]["recipients"] = [
            {"name": f"R{i}", "type": "lnaddress", "address": f"r{i}@example.com", "split": s}
            for i, s in enumerate(splits)]
    got, msg, written = _load(change)
    if any(splits):
        assert got is not None, msg
        assert [r.split for r in got.config.podcast.value.recipients] == splits
    else:
        assert got is None
        _refused(msg, written, "value:", "podcast.value")
        assert "split" in msg


# -- value recipients' node keys (Q2) -------------------------------------------------------------

HEX = "0123456789abcdefABCDEF"


@FAST
@given(key=st.tuples(st.sampled_from(["02", "03"]), st.text(HEX, min_size=64, max_size=64)))
def test_a_node_address_that_is_a_compressed_public_key_is_read_in_lower_case(key):
    address = "".join(key)

    def change(p):
        p["value"]["recipients"][0]["address"] = address
    got, msg, _ = _load(change)
    assert got is not None, msg
    assert got.config.podcast.value.recipients[0].address == address.lower()


@FAST
@given(address=st.one_of(
    st.text(min_size=1, max_size=80),
    st.tuples(st.sampled_from(["00", "04", "02", "03", "2"]),
              st.text(HEX, min_size=60, max_size=70)).map("".join),
    st.sampled_from(["abc", "02" + "g" * 64, "02" + "a" * 63, "03" + "a" * 65])))
def test_any_other_node_address_is_one_error_naming_its_line(address):
    assume(not re.fullmatch(r"0[23][0-9a-fA-F]{64}", address))
    assume(isinstance(yaml.safe_load(yaml.safe_dump(address)), str) and address.strip())

    def change(p):
        p["value"]["recipients"][1]["address"] = address
    got, msg, written = _load(change)
    assert got is None, address
    lines = [i for i, t in enumerate(written.splitlines(), 1) if "address:" in t]
    assert f"config.yaml:{lines[1]}: 'podcast.value.recipients[1].address'" in msg, msg
    assert "66 hexadecimal" in msg and "\n" not in msg and "Traceback" not in msg


# -- person roles and groups from the Podcast Taxonomy Project (Q2) ---------------------------

def _taxonomy():
    from syndicate.person_roles import TAXONOMY

    return TAXONOMY


def _cased(word: str):
    return st.sampled_from([word, word.lower(), word.upper(), word.title()])


@FAST
@given(data=st.data())
def test_a_role_and_group_of_the_taxonomy_in_any_case_is_read_without_a_warning(data):
    group = data.draw(st.sampled_from(sorted(_taxonomy())))
    role = data.draw(st.sampled_from(_taxonomy()[group]))
    role, group = data.draw(_cased(role)), data.draw(_cased(group))

    def change(p):
        p["persons"] = [{"name": "Jo", "role": role, "group": group}]
    got, msg, _ = _load(change)
    assert got is not None, msg
    assert not [w for w in got.warnings if "persons" in w], got.warnings
    assert got.config.podcast.persons[0].role == role  # published as written


@FAST
@given(word=st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")),
                    min_size=1, max_size=40), kind=st.sampled_from(["role", "group"]))
def test_a_role_or_group_not_in_the_taxonomy_is_a_warning_naming_its_line(word, kind):
    from syndicate.person_roles import GROUPS, ROLES

    assume(word.strip() and word.strip().lower() not in (ROLES if kind == "role" else GROUPS))
    assume(isinstance(yaml.safe_load(yaml.safe_dump(word)), str))

    def change(p):
        p["persons"] = ["Tag Author", {"name": "Jo", kind: word}]
    got, msg, written = _load(change)
    assert got is not None, msg  # the document asks for the list, it does not require it
    said = [w for w in got.warnings if "persons" in w]
    line = _line(written, f"{kind}:")
    assert len(said) == 1, said
    assert f"config.yaml:{line}: 'podcast.persons[1].{kind}'" in said[0], (said, written)
    assert "Taxonomy" in said[0]


def test_a_sidecars_unlisted_role_is_warned_with_the_sidecar_and_line(tmp_path):
    from syndicate.collect.episodes import read_sidecar

    shutil.copy(PROJECT / "episodes" / "01-guest.mp3", tmp_path / "ep.mp3")
    (tmp_path / "ep.yaml").write_text("title: T\ndate: 2026-01-01\npersons:\n  - name: Jo\n"
                                      "    role: Bogus\n  - name: Al\n    role: GUEST\n")
    warnings: list[str] = []
    read_sidecar(tmp_path / "ep.yaml", "episodes/ep.yaml", "UTC", warnings, tmp_path)
    said = [w for w in warnings if "persons" in w]
    assert len(said) == 1 and said[0].startswith("episodes/ep.yaml:5: 'persons[0].role'"), said


# -- closed lists of the namespace: block services, chat protocols (h14 U6, U10) ------------------

SHARED_NS = Path(__file__).resolve().parents[1].parent / "shared" / "podcast-namespace"


@pytest.mark.skipif(not (SHARED_NS / "serviceslugs.txt").is_file(), reason="no ../shared")
def test_the_service_slug_list_is_the_namespaces():
    from syndicate.namespace_lists import SERVICE_SLUGS

    listed = (SHARED_NS / "serviceslugs.txt").read_text().split()
    assert sorted(SERVICE_SLUGS) == sorted(listed)


@FAST
@given(data=st.data())
def test_a_listed_service_in_any_case_is_read_as_its_slug(data):
    from syndicate.namespace_lists import SERVICE_SLUGS

    slug = data.draw(st.sampled_from(SERVICE_SLUGS))
    spelled = data.draw(_cased(slug))

    def change(p):
        p["block_services"][1]["id"] = spelled
    got, msg, _ = _load(change)
    assert got is not None, msg
    assert got.config.podcast.block_services[1].id == slug


@FAST
@given(word=st.one_of(st.sampled_from(["spotfy", "all", "Spotifyy", "apple-podcasts", "youtub"]),
                      st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20)))
def test_a_block_service_not_in_the_slug_list_is_one_error_naming_its_line(word):
    from syndicate.namespace_lists import SERVICE_SLUGS

    assume(word.lower() not in SERVICE_SLUGS)
    assume(isinstance(yaml.safe_load(yaml.safe_dump(word)), str))

    def change(p):
        p["block_services"][1]["id"] = word
    got, msg, written = _load(change)
    assert got is None, word
    lines = [i for i, t in enumerate(written.splitlines(), 1) if "id:" in t]
    # block_services are the only `id:` keys of the test config
    assert any(f"config.yaml:{n}: 'podcast.block_services[1].id'" in msg for n in lines), msg
    assert "\n" not in msg and "Traceback" not in msg
    if word == "spotfy":
        assert "'spotify'" in msg
    if word == "all":
        assert "podcast.block: true" in msg


@FAST
@given(data=st.data())
def test_a_listed_chat_protocol_in_any_case_is_published_lower_case(data):
    protocol = data.draw(st.sampled_from(["irc", "xmpp", "nostr", "matrix"]))
    spelled = data.draw(_cased(protocol))

    def change(p):
        p["chat"]["protocol"] = spelled
    got, msg, _ = _load(change)
    assert got is not None, msg
    assert got.config.podcast.chat.protocol == protocol


@FAST
@given(word=st.one_of(st.sampled_from(["smoke-signals", "IRCv3", "ircc", "discord", "matrx"]),
                      st.text(min_size=1, max_size=30)))
def test_a_chat_protocol_not_in_the_list_is_one_error_naming_its_line(word):
    assume(word.strip().lower() not in ("irc", "xmpp", "nostr", "matrix"))
    assume(isinstance(yaml.safe_load(yaml.safe_dump(word)), str))

    def change(p):
        p["chat"]["protocol"] = word
    got, msg, written = _load(change)
    assert got is None, word
    line = _line(written, "server: irc.zeronode.net") + 1
    assert f"config.yaml:{line}: 'podcast.chat.protocol'" in msg, (msg, written)
    assert "chatprotocols.txt" in msg and "\n" not in msg
    if word == "matrx":
        assert "'matrix'" in msg


# -- Lightning Addresses and number limits (h14 U7) ---------------------------------------------

NAME = st.text("abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=20)
LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)


def _as_lnaddress(p, address):
    p["value"]["recipients"][1] = {"name": "Wallet", "type": "lnaddress", "address": address,
                                   "split": 10}


@FAST
@given(name=NAME, host=st.lists(LABEL, min_size=1, max_size=3),
       tld=st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6))
def test_a_lightning_address_is_read_as_written(name, host, tld):
    address = f"{name}@{'.'.join(host)}.{tld}"

    def change(p):
        _as_lnaddress(p, address)
    got, msg, _ = _load(change)
    assert got is not None, msg
    assert got.config.podcast.value.recipients[1].address == address


@FAST
@given(address=st.one_of(
    st.sampled_from(["not an address", "name@host", "@wallet.example", "name@", "a@b@c.example",
                     "name@wallet..example", "name@wallet.example/x", "02" + "a" * 64]),
    st.text(min_size=1, max_size=60)))
def test_anything_else_given_as_a_lightning_address_is_one_error_naming_its_line(address):
    assume(not re.fullmatch(r"[A-Za-z0-9._+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}", address.strip()))
    assume(isinstance(yaml.safe_load(yaml.safe_dump(address)), str) and address.strip())

    def change(p):
        _as_lnaddress(p, address)
    got, msg, written = _load(change)
    assert got is None, address
    lines = [i for i, t in enumerate(written.splitlines(), 1) if "address:" in t]
    assert f"config.yaml:{lines[1]}: 'podcast.value.recipients[1].address'" in msg, msg
    assert "\n" not in msg and "Traceback" not in msg
    assert ("type: node" if address.startswith("02") else "name@wallet.example") in msg


@FAST
@given(split=st.one_of(st.integers(max_value=-1), st.integers(min_value=10**9 + 1)))
def test_a_split_out_of_range_is_worded_like_the_other_limits(split):
    def change(p):
        p["value"]["recipients"][1]["split"] = split
    got, msg, written = _load(change)
    assert got is None
    line = _line(written, "split: " + str(split))
    assert f"config.yaml:{line}: 'podcast.value.recipients[1].split'" in msg, msg
    word = "at least 0" if split < 0 else "at most 1000000000"
    assert f"{word} (a recipient's split), got {split}:" in msg, msg
    assert "input should" not in msg.lower()


# -- a person's role within its group; bidi controls in a name (h14 U5) --------------------------

@FAST
@given(data=st.data())
def test_a_listed_role_under_another_listed_group_is_one_warning_naming_the_group_line(data):
    taxonomy = _taxonomy()
    group = data.draw(st.sampled_from(sorted(taxonomy)))
    role = data.draw(st.sampled_from(taxonomy[group]))
    homes = {g.lower() for g, roles in taxonomy.items() if role in roles}
    other = data.draw(st.sampled_from([g for g in sorted(taxonomy) if g.lower() not in homes]))
    role, other = data.draw(_cased(role)), data.draw(_cased(other))

    def change(p):
        p["persons"] = ["Tag Author", {"name": "Jo", "role": role, "group": other}]
    got, msg, written = _load(change)
    assert got is not None, msg
    said = [w for w in got.warnings if "persons" in w]
    assert len(said) == 1, said
    assert f"config.yaml:{_line(written, 'group:')}: 'podcast.persons[1].group'" in said[0], said
    assert repr(role) in said[0] and repr(other) in said[0]
    assert got.config.podcast.persons[1].group == other  # published as given


BIDI_OPEN = "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"
BIDI_CLOSE = "\u202c\u2069"


@FAST
@given(parts=st.lists(st.one_of(st.sampled_from(list(BIDI_OPEN + BIDI_CLOSE)),
                                st.text("Zoë 𝕏abc", min_size=1, max_size=4)),
                      min_size=1, max_size=12))
def test_a_persons_name_keeps_only_the_bidi_controls_paired_within_it(parts):
    from syndicate.markup import paired_bidi

    name = "Jo " + "".join(parts)

    def change(p):
        p["persons"] = [{"name": name, "role": "host"}]
    got, msg, _ = _load(change)
    assert got is not None, msg
    read = got.config.podcast.persons[0].name
    assert read == paired_bidi(name).strip()
    # nothing unpaired is left (dropping again drops nothing), every opener has a closer after
    # it and every closer an opener before it
    assert paired_bidi(read) == read
    for i, ch in enumerate(read):
        if ch in BIDI_OPEN:
            assert any(c in BIDI_CLOSE for c in read[i:]), read
        if ch in BIDI_CLOSE:
            assert any(c in BIDI_OPEN for c in read[:i]), read
    # nothing but the unpaired controls was dropped
    def shown(text):
        return "".join(c for c in text if c not in BIDI_OPEN + BIDI_CLOSE).strip()
    assert shown(read) == shown(name)


def test_an_unpaired_right_to_left_override_in_a_name_is_not_published(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    cfg = yaml.safe_load((root / "config.yaml").read_text())
    cfg["podcast"]["persons"] = [{"name": "Zoë \u202eevil", "role": "host"},
                                 {"name": "\u2067שלום\u2069 Ben", "role": "guest"}]
    (root / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))
    assert publish(load_config(root / "config.yaml"), now=NOW).ok
    channel = etree.parse(str(root / "public" / "podcast.xml")).getroot().find("channel")
    names = [e.text for e in channel.findall(f"{{{P}}}person")]
    assert names == ["Zoë evil", "\u2067שלום\u2069 Ben"], names
