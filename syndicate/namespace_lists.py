"""The closed lists the Podcast Index namespace keeps beside its documents: the service slugs a
``podcast:block`` may name (serviceslugs.txt) and the protocols a ``podcast:chat`` may name
(chatprotocols.txt). Copied here because the package cannot read the namespace's repository at
run time; the copy in ../shared is compared with this one by the tests.
"""

from __future__ import annotations

import difflib

SERVICE_SLUGS = (
    "acast", "amazon", "anchor", "apple", "audible", "audioboom", "backtracks", "bitcoin",
    "blubrry", "buzzsprout", "captivate", "castos", "castopod", "facebook", "fireside", "fyyd",
    "google", "gpodder", "hypercatcher", "kasts", "libsyn", "mastodon", "megafono", "megaphone",
    "omnystudio", "overcast", "paypal", "pinecast", "podbean", "podcastaddict", "podcastguru",
    "podcastindex", "podcasts", "podchaser", "podcloud", "podfriend", "podiant", "podigee",
    "podnews", "podomatic", "podserve", "podverse", "redcircle", "relay", "resonaterecordings",
    "rss", "shoutengine", "simplecast", "slack", "soundcloud", "spotify", "spreaker", "tiktok",
    "transistor", "twitter", "whooshkaa", "youtube", "zencast",
)
CHAT_PROTOCOLS = ("irc", "xmpp", "nostr", "matrix")


def closest(word: str, known: tuple[str, ...]) -> str | None:
    """The listed word nearest to ``word`` by spelling, if one is near enough."""
    near = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return near[0] if near else None


def not_listed(word: str, known: tuple[str, ...], what: str, listed_in: str) -> str:
    """The one wording of a value outside a namespace list: what it is, a close match or the
    list itself."""
    near = closest(word, known)
    hint = (f"did you mean {near!r}?" if near
            else f"expected one of {', '.join(known)}")
    return f"unknown {what} {word!r} (not in the namespace's {listed_in}): {hint}"
