"""Whether a file holds what a queued item keeps back until its time.

A queued (or held) item's content is not public: its words, and for an episode its audio and
its transcript. A file that holds that content under another name (a copy begun as the next
post, its title and date already changed; an episode's audio copied beside a new sidecar, or
named by one; a queued file copied over a released one's) would put it out early. Such a
file is found here by its content, not its name, title or date:

- an episode with the same audio bytes, or the same transcript bytes, as a queued episode;
- words: most of a queued item's words, in its order (``SHARE`` of them), when there are
  enough of them to tell (``TELLING``), or fewer with its title or date as well (a short text
  alike by chance is no copy), or all of a short text's words (``WHOLE`` or more) in a body
  not much longer: an announcement copied whole under a new title and date.

Content already public tells nothing, so it holds nothing back: a queued item whose words (or
audio) a live item already shows can be copied freely (a weekly post with the same caption as
last week's; a queued item copied over the very live post it quotes). What it holds beyond them
is still its own: a copy of a weekly post that is a live standing intro and one new line holds
that line, and is held.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from pathlib import Path

from ..catalog import loads
from .renames import TELLING, words

SHARE = 0.8  # of a queued item's words, in order, that make a file a copy of it
WHOLE = 8  # a short text held whole (and little more) is a copy, whatever its title and date
RUN = 3  # words in a row a live item shows of a queued one's that count as shown (not "the")
_FILES = (("audio_sha256", "audio"), ("transcript_sha256", "transcript"))


def covered(secret: list[str], text: list[str]) -> float:
    """The share of ``secret``'s words that ``text`` holds in the same order."""
    if not secret or not text:
        return 0.0
    if len(set(secret) & set(text)) < SHARE * len(set(secret)):
        return 0.0  # (cheap: most of the words are not even there)
    blocks = SequenceMatcher(None, secret, text, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(secret)


class KeptBack:
    """The queued items of a collect and what the live ones already show."""

    def __init__(self, queued: list[dict], live: list[dict], root: Path | None = None):
        self._rows = queued  # decoded when first asked (a collect that finds no file
        self._queued: list[tuple[dict, dict]] | None = None  # changed never asks)
        self._live = live
        self._live_data: list[tuple[dict, dict]] | None = None
        self._root = root  # the project: transcripts are read from it (None: not read)
        self._said_in: dict[str, list[str]] = {}  # a transcript's words, read once a run

    def holder(self, kind: str, row_id: int | None, data: dict) -> tuple[dict, str] | None:
        """The queued row (not ``row_id`` itself) whose kept-back content an item of ``kind``
        with ``data`` holds, with what it holds ("words", "audio", "transcript"); or None."""
        body = None
        if self._queued is None:
            self._queued = [(r, loads(r["data"])) for r in self._rows]
        for r, queued in self._queued:
            if r["kind"] != kind or r["id"] == row_id:
                continue
            for key, what in _FILES:
                if queued.get(key) and queued.get(key) == data.get(key) \
                        and not self._shown(key, queued[key]):
                    return r, what
            if kind == "episode" and self._transcript_copied(queued, data):
                return r, "transcript"
            secret = words(queued.get("html"))
            if not secret:
                continue
            if body is None:
                body = words(data.get("html"))
            share = covered(secret, body)
            if share >= SHARE and (
                    len(secret) >= TELLING or queued.get("title") == data.get("title")
                    or queued.get("date") == data.get("date")
                    or (share == 1.0 and len(secret) >= WHOLE and len(body) <= 1.5 * len(secret)))\
                    and not self._said(secret, body):
                return r, "words"
        return None

    def _transcript_copied(self, queued: dict, data: dict) -> bool:
        """Whether ``data``'s transcript holds most of the queued one's words in their order
        (the same transcript saved again in another format, or lightly edited), enough of them
        to tell, and no live episode's transcript shows them already."""
        if self._root is None or not queued.get("transcript") or not data.get("transcript") \
                or queued.get("transcript_sha256") == data.get("transcript_sha256"):
            return False
        secret = self._transcript_words(queued["transcript"])
        if len(secret) < TELLING or covered(secret, self._transcript_words(
                data["transcript"])) < SHARE:
            return False
        return not any(d.get("transcript") and covered(
            secret, self._transcript_words(d["transcript"])) >= SHARE for _, d in self._lives())

    def _transcript_words(self, rel: str) -> list[str]:
        if rel not in self._said_in:
            self._said_in[rel] = transcript_words(self._root / rel)
        return self._said_in[rel]

    def _lives(self) -> list[tuple[dict, dict]]:
        if self._live_data is None:
            self._live_data = [(r, loads(r["data"])) for r in self._live]
        return self._live_data

    def _shown(self, key: str, value: str) -> bool:
        """Whether a live item has this file already (the bytes are public)."""
        return any(data.get(key) == value for _, data in self._lives())

    def _said(self, secret: list[str], body: list[str]) -> bool:
        """Whether ``body`` holds nothing of ``secret`` that live items do not show already:
        the queued words no live item shows (in runs of ``RUN`` words or more: a standing
        intro, last week's caption) are what it keeps back, and a body holding most of them,
        however few, is a copy."""
        shown = [False] * len(secret)
        for _, data in self._lives():
            live = words(data.get("html"))
            if len(set(secret) & set(live)) < RUN:
                continue
            for b in SequenceMatcher(None, secret, live, autojunk=False).get_matching_blocks():
                if b.size >= RUN:
                    shown[b.a:b.a + b.size] = [True] * b.size
        unshown = [w for w, seen in zip(secret, shown, strict=True) if not seen]
        if not unshown:
            return True
        if len(unshown) == len(secret):
            return False  # (the body holds most of the secret: the caller found it)
        blocks = SequenceMatcher(None, unshown, body, autojunk=False).get_matching_blocks()
        return sum(b.size for b in blocks) < SHARE * len(unshown)


def transcript_words(path: Path) -> list[str]:
    """The words a transcript file says (its cues' text, for the timed formats; its text with
    the tags left out, for the others); none for a file that cannot be read or is larger than
    a transcript may be."""
    from ..transcripts import MAX_BYTES, cues, decode

    try:
        if path.stat().st_size > MAX_BYTES:
            return []
        text = decode(path.read_bytes(), str(path), lenient=True)
    except OSError:
        return []
    timed = cues(text, path.suffix)
    return words(" ".join(c[2] for c in timed) if timed else text)


COPY_HOLDS = "copy_holds"  # catalog meta: JSON, guid -> when a copy of kept-back content was held


def copy_holds(cat) -> dict[str, str]:
    """The items held for holding a queued item's content: guid -> the hold's time."""
    try:
        data = json.loads(cat.get_meta(COPY_HOLDS) or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(data, dict) else {}


def forget_copy_hold(cat, guid: str) -> None:
    """The author queued or unqueued the item: its hold (if any) is theirs now."""
    holds = copy_holds(cat)
    if holds.pop(guid, None) is not None:
        cat.set_meta(COPY_HOLDS, json.dumps(holds, sort_keys=True))
