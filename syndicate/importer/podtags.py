"""An item's Podcast Index tags, read back into the sidecar keys syndicate publishes them from
(see podcast_tags.EpisodeTags): what we publish, we import. A tag whose values the schema
refuses is reported dropped with the reason, never written into a sidecar that would fail."""

from __future__ import annotations

import re

from pydantic import ValidationError

from ..podcast_tags import ChannelTags, EpisodeTags
from .namespaces import PODCAST


def _attrs(el, **names: str) -> dict:
    """The element's attributes under their sidecar names (blank ones left out)."""
    out = {}
    for key, attr in names.items():
        value = (el.get(attr) or "").strip()
        if value:
            out[key] = value
    return out


def _text(el) -> str:
    return " ".join((el.text or "").split())


def _person(el) -> dict:
    return {"name": _text(el), **_attrs(el, role="role", group="group", img="img", href="href")}


def _location(el) -> dict:
    return {"name": _text(el), **_attrs(el, geo="geo", osm="osm", rel="rel", country="country")}


def _license(el) -> dict:
    return {"name": _text(el), **_attrs(el, url="url")}


def _soundbite(el) -> dict:
    out = {"start": (el.get("startTime") or "").strip(),
           "duration": (el.get("duration") or "").strip()}
    for key in ("start", "duration"):  # written as decimals; the sidecar takes seconds
        if re.fullmatch(r"\d{1,12}(\.\d{1,9})?", out[key]):
            out[key] = float(out[key])
    if _text(el):
        out["title"] = _text(el)
    return out


def _txt(el) -> dict:
    return {"text": (el.text or "").strip(), **_attrs(el, purpose="purpose")}


def _content_link(el) -> dict:
    return {"text": _text(el), **_attrs(el, href="href")}


def _social(el) -> dict:
    out = _attrs(el, protocol="protocol", uri="uri", account_id="accountId",
                 account_url="accountUrl")
    priority = (el.get("priority") or "").strip()
    if priority.isdecimal():
        out["priority"] = int(priority)
    return out


def _value(el) -> dict:
    recipients = []
    for r in el.iterfind(f"{{{PODCAST}}}valueRecipient"):
        one = _attrs(r, name="name", type="type", address="address", custom_key="customKey",
                     custom_value="customValue")
        split = (r.get("split") or "").strip()
        one["split"] = int(split) if split.isdecimal() else split
        one["fee"] = (r.get("fee") or "").strip().lower() == "true"
        recipients.append(one)
    return {**_attrs(el, type="type", method="method", suggested="suggested"),
            "recipients": recipients}


def _image(el) -> dict:
    out = _attrs(el, href="href", alt="alt", aspect_ratio="aspect-ratio", type="type",
                 purpose="purpose")
    for key in ("width", "height"):
        if (el.get(key) or "").strip().isdecimal():
            out[key] = int(el.get(key).strip())
    return out


# local name: (sidecar key, reader, whether the key holds a list)
READERS = {
    "person": ("persons", _person, True),
    "location": ("location", _location, False),
    "license": ("license", _license, False),
    "soundbite": ("soundbites", _soundbite, True),
    "txt": ("txt", _txt, True),
    "contentLink": ("content_links", _content_link, True),
    "socialInteract": ("social_interact", _social, True),
    "value": ("value", _value, False),
    "image": ("images", _image, True),
}


def _remote_items(el) -> list[dict]:
    return [_attrs(r, feed_guid="feedGuid", feed_url="feedUrl", item_guid="itemGuid",
                   medium="medium") for r in el.iterfind(f"{{{PODCAST}}}remoteItem")]


def _publisher(el) -> dict:
    """The publisher feed named by the first remoteItem (its medium is always publisher)."""
    items = _remote_items(el)
    return {k: v for k, v in (items[0] if items else {}).items() if k != "medium"}


def _block(el) -> dict:
    """One podcast:block: a service's slug (none: every directory) and yes or no."""
    return {**_attrs(el, id="id"), "block": _text(el).lower() != "no"}


def _update_frequency(el) -> dict:
    out = {"text": _text(el), **_attrs(el, rrule="rrule", dtstart="dtstart")}
    if (el.get("complete") or "").strip().lower() == "true":
        out["complete"] = True
    return out


# the show's tags, into the podcast section of config.yaml (the shared ones as an item's)
CHANNEL_READERS = {
    **{k: v for k, v in READERS.items() if k not in ("soundbite", "contentLink")},
    "medium": ("medium", _text, False),
    "updateFrequency": ("update_frequency", _update_frequency, False),
    "podroll": ("podroll", _remote_items, False),
    "chat": ("chat", lambda el: _attrs(el, server="server", protocol="protocol",
                                       account_id="accountId", space="space"), False),
    "publisher": ("publisher", _publisher, False),
    "podping": ("podping", lambda el: (el.get("usesPodping") or "").strip().lower() == "true",
                False),
    "block": ("block_services", _block, True),
}


def _why(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"][1:])
    msg = first["msg"].removeprefix("Value error, ")
    return f"{where + ': ' if where else ''}{msg}"[:200]


def read_tags(item, duration: float | None = None, *, channel: bool = False
              ) -> tuple[dict, list[str], list[dict]]:
    """(sidecar keys, the tags kept, the tags dropped with the reason) of one ``<item>``;
    ``duration``: the item's stated length in seconds (a soundbite past it is dropped).
    ``channel``: read a ``<channel>`` instead, into config.yaml's ``podcast`` keys."""
    readers, model = (CHANNEL_READERS, ChannelTags) if channel else (READERS, EpisodeTags)
    keys: dict = {}
    kept: list[str] = []
    dropped: list[dict] = []
    for child in item:
        if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{PODCAST}}}"):
            continue
        local = child.tag.split("}")[1]
        if local not in readers:
            continue
        key, reader, many = readers[local]
        name = f"podcast:{local}"
        if not many and key in keys:
            dropped.append({"field": name, "why": f"an episode has one {name}; the first "
                                                  "is kept"})
            continue
        value = reader(child)
        if local == "soundbite" and duration is not None:
            start, length = value["start"], value["duration"]
            if isinstance(start, float) and isinstance(length, float) \
                    and start + length > duration + 0.5:
                dropped.append({"field": name, "why": f"it runs to {start + length:g} s, past "
                                                      f"the episode's end ({duration:g} s)"})
                continue
        try:
            model.model_validate({key: [value] if many else value})
        except ValidationError as exc:
            dropped.append({"field": name, "why": f"syndicate would not publish it as it is "
                                                  f"({_why(exc)})"})
            continue
        if many:
            keys.setdefault(key, []).append(value)
        else:
            keys[key] = value
        if name not in kept:
            kept.append(name)
    if channel and keys.get("block_services"):  # a block naming no service: every directory
        every = [b for b in keys["block_services"] if "id" not in b]
        keys["block_services"] = [b for b in keys["block_services"] if "id" in b]
        if any(b["block"] for b in every):
            keys["block"] = True
        if not keys["block_services"]:
            del keys["block_services"]
    return keys, kept, dropped


READ = {f"{{{PODCAST}}}{local}" for local in READERS}
