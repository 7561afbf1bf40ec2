"""Posts and episodes: the schemas their files must follow, and the items the catalog stores."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from .markup import SLUG_RE, xml_safe
from .mediatypes import ENCLOSURE_TYPES, TRANSCRIPT_TYPES
from .podcast_tags import EpisodeTags
from .urls import credential_in, public_url
from .yamlcheck import shown

UTC = dt.UTC
MAX_SECONDS = 1_000_000  # a chapter start or a duration: about 277 hours


def parse_timestamp(value: Any) -> float:
    """A chapter start or a duration: seconds, or ``HH:MM:SS(.mmm)`` / ``MM:SS``."""
    wrong = f"expected a time such as 12:30 or 1:02:03, got {shown(value)}"
    if isinstance(value, bool):
        raise ValueError(wrong)
    if isinstance(value, int | float):
        seconds = float(min(value, MAX_SECONDS + 1))  # (an int too big for a float)
    elif isinstance(value, str) and re.fullmatch(r"\d{1,12}(:\d{1,2}){0,2}(\.\d{1,9})?",
                                                 value.strip()):
        seconds = 0.0
        for part in value.strip().split(":"):
            seconds = seconds * 60 + float(part)
    else:
        raise ValueError(wrong)
    if seconds < 0:
        raise ValueError(f"a time cannot be negative, got {shown(value)}")
    if not math.isfinite(seconds) or seconds > MAX_SECONDS:
        raise ValueError(f"expected a time under {MAX_SECONDS // 3600} hours, got "
                         f"{shown(value)}")
    return seconds


MAX_SLUG = 200  # a file name holds 255 bytes: the slug, and a hash and an extension after it


class _Meta(BaseModel):
    # schemas are built when a file is first parsed: a run with nothing changed never builds them
    model_config = ConfigDict(extra="allow", defer_build=True)

    title: str | None = None
    date: Any = None
    slug: str | None = None
    summary: str | None = None
    guid: str | None = None
    draft: bool = False
    imported_from: str | None = None  # where `syndicate import` found it
    review: str | None = None  # what a person should check (set by `syndicate import`)

    written_as_text: ClassVar[tuple[str, ...]] = ("slug",)  # slug: 2024 is the text "2024"

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str | None) -> str | None:
        if v is not None and not SLUG_RE.match(v):
            raise ValueError("expected lowercase letters (a-z) and digits, words joined by "
                             "single dashes: no double dashes and no dash at either end, got "
                             f"{shown(v)}")
        if v is not None and len(v) > MAX_SLUG:  # a folder and a file name are made of it
            raise ValueError(f"at most {MAX_SLUG} characters (it names the item's folder and "
                             f"files), got {len(v)}: shorten it")
        return v

    @field_validator("title", "guid", "summary")
    @classmethod
    def _not_blank(cls, v: str | None) -> str | None:
        if v is not None and not xml_safe(str(v)).strip():
            raise ValueError("must not be empty")
        return v

    @field_validator("guid")
    @classmethod
    def _guid(cls, v: str | None) -> str | None:
        found = credential_in(str(v)) if v is not None else None
        if found:  # a guid is an id, published as it is: never rewritten, refused
            raise ValueError(f"holds {found}, and a guid is published in every feed for anyone "
                             "to read; remove the credential (and change it if it was ever "
                             "shared)")
        return v


class PostMeta(_Meta):
    """Front matter of a post (``---`` fenced YAML at the top of a Markdown file)."""

    tags: list[str] = Field(default_factory=list)
    updated: Any = None
    link: str | None = None  # a link post: the address it points at (feeds link there)

    @field_validator("link")
    @classmethod
    def _link(cls, v: str | None) -> str | None:

        # (published as the feeds' item link: never one carrying a credential)
        return None if v is None else public_url(v, "https://example.com/an-article")
    author: str | None = None  # who wrote it, where not the site's author (kept by imports)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [t.strip() for t in v.split(",") if t.strip()]
        return [] if v is None else v


class ChapterMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    start: Any
    title: str
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return None if v is None else public_url(v, "https://example.org/")

    @field_validator("start")
    @classmethod
    def _start(cls, v: Any) -> float:
        return parse_timestamp(v)


class EpisodeMeta(_Meta, EpisodeTags):
    """An episode's YAML sidecar, beside its audio file."""

    audio: str | None = None
    # audio kept where it already is (an imported show's old host): no download, no processing
    audio_url: str | None = None
    audio_length: int | None = Field(None, ge=1, le=10**13)  # bytes, for the enclosure
    audio_type: str | None = None  # one of mediatypes.ENCLOSURE_TYPES
    duration: Any = None  # seconds or HH:MM:SS, as the old feed stated it
    notes: str | None = None
    season: int | None = Field(None, ge=1, le=1_000_000)
    number: int | None = Field(None, ge=1, le=1_000_000)
    type: Literal["full", "trailer", "bonus"] = "full"
    explicit: bool | None = None
    image: str | None = None
    transcript: str | None = None
    transcript_language: str | None = None
    chapters: list[ChapterMeta] = Field(default_factory=list)
    # art, a transcript and chapters kept where they already are (an imported show's old host),
    # published at that address: nothing fetched, nothing checked but the address
    image_url: str | None = None
    transcript_url: str | None = None
    transcript_type: str | None = None  # one of mediatypes.TRANSCRIPT_TYPES
    chapters_url: str | None = None  # a Podcast Index chapters file (JSON)

    @field_validator("audio_url")
    @classmethod
    def _remote(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"https?://[^\s/]+/\S*", v):
            raise ValueError(f"expected an http:// or https:// address, got {v!r}")
        return None if v is None else public_url(v, "https://example.org/show/ep1.mp3")

    @field_validator("image_url", "transcript_url", "chapters_url")
    @classmethod
    def _kept_at(cls, v: str | None) -> str | None:
        return None if v is None else public_url(v, "https://example.org/show/ep1.jpg")

    @field_validator("transcript_type")
    @classmethod
    def _transcript_type(cls, v: str | None) -> str | None:
        if v is not None and v not in TRANSCRIPT_TYPES:
            raise ValueError(f"expected {', '.join(TRANSCRIPT_TYPES)}, got {shown(v)}")
        return v

    @field_validator("audio_type")
    @classmethod
    def _audio_type(cls, v: str | None) -> str | None:
        if v is not None and v not in ENCLOSURE_TYPES:
            raise ValueError(f"expected {', '.join(ENCLOSURE_TYPES)}, got {shown(v)}")
        return v

    @field_validator("duration")
    @classmethod
    def _duration(cls, v: Any) -> float | None:
        return None if v is None else parse_timestamp(v)

    @field_validator("chapters", mode="wrap")
    @classmethod
    def _ordered(cls, v: Any, handler) -> list[ChapterMeta]:
        """Each chapter checked, and their order, in one pass: every problem of the list is
        told at once, each at its chapter's line (an order cannot wait for a bad address)."""
        if isinstance(v, list) and len(v) > MAX_CHAPTERS:
            raise ValueError(f"{len(v):,} chapters; an episode may have at most "
                             f"{MAX_CHAPTERS:,} (no app lists more)")
        problems = _order_problems(v)
        try:
            chapters = handler(v)
            errors = []
        except ValidationError as exc:
            errors = [InitErrorDetails(type=e["type"], loc=tuple(e["loc"]), input=e["input"],
                                       ctx=e.get("ctx", {})) for e in exc.errors()]
        if errors or problems:
            raise ValidationError.from_exception_data("chapters", errors + [
                InitErrorDetails(type=PydanticCustomError("chapter_order", what),
                                 loc=(i, "start"), input=start) for i, start, what in problems])
        return chapters


MAX_CHAPTERS = 5000


def _order_problems(raw: Any) -> list[tuple[int, Any, str]]:
    """(index, start, what is wrong) of chapters out of order, or a first one not at 0:00, read
    from the sidecar's list as written (a start that is no time is the chapter's own error)."""
    if not isinstance(raw, list):
        return []
    starts = []
    for i, item in enumerate(raw):
        try:
            starts.append((i, parse_timestamp(item.get("start"))))
        except (AttributeError, TypeError, ValueError):
            continue
    out = []
    if starts and starts[0][0] == 0 and starts[0][1] != 0:
        out.append((0, starts[0][1], "the first chapter must start at 0:00"))
    latest = None
    for i, start in starts:
        if latest is not None and start < latest:
            out.append((i, start, "starts before the chapter above it: chapters must be "
                                  "listed in order of their start times"))
        latest = start if latest is None else max(latest, start)
    return out


@dataclass
class Chapter:
    start: float
    title: str
    url: str | None = None


@dataclass
class Post:
    source: str
    slug: str
    title: str
    date: str  # ISO 8601, UTC
    html: str
    summary: str
    tags: list[str] = field(default_factory=list)
    draft: bool = False
    guid: str | None = None
    updated: str | None = None
    link: str | None = None  # a link post's target: feeds and the page link there
    # files the body links beside the source: {path as linked: path in the project}
    files: dict[str, str] = field(default_factory=dict)
    preview: str | None = None  # "draft" or "queued", shown so only by `syndicate serve --drafts`

    kind = "post"

    def to_dict(self) -> dict:
        data = asdict(self)
        if data["link"] is None:  # (as the catalog held posts before link posts: unchanged)
            del data["link"]
        if not data["files"]:  # (and before linked files)
            del data["files"]
        if data["preview"] is None:  # (only a preview's throwaway catalog holds one)
            del data["preview"]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Post:
        return cls(**data)


@dataclass
class Media:
    """The published audio file of an episode."""

    sha256: str
    size: int
    content_type: str
    extension: str
    samples: int
    sample_rate: int
    channels: int
    passthrough: bool  # published straight from the source file, else from the media cache
    offset: float = 0.0  # seconds the source timeline moved by in the output (intro, trims)
    gain: float | None = None  # dB applied to reach the loudness target
    before: dict | None = None  # the source's loudness: integrated LUFS, LRA, sample peak dBFS
    after: dict | None = None  # the output's: integrated LUFS, LRA, true peak dBTP
    url: str | None = None  # kept at this address (not ours to publish): nothing measured
    stated_duration: float | None = None  # what the sidecar says, for media kept at a URL
    bitrate: int | None = None  # kbps the MP3 was encoded at, where we made it
    sri: str | None = None  # SRI hash (sha384-...) of the published file, where we made it
    # audio.alternates made from the same source: codec, bitrate (kbps), title, key (its cache
    # key), extension, content_type, codecs (RFC 6381), sha256, sri, size
    alternates: list[dict] = field(default_factory=list)

    @property
    def known_duration(self) -> float | None:
        """Seconds: measured from the samples, else as stated for media kept at a URL."""
        return self.samples / self.sample_rate if self.sample_rate else self.stated_duration

    @property
    def duration(self) -> float:
        return self.known_duration or 0.0

    @property
    def whole_seconds(self) -> int | None:
        """The duration feeds and pages give, in whole seconds (rounded, and at least 1 for
        any audio at all: a 0.4 s clip is not announced as lasting 0)."""
        seconds = self.known_duration
        if seconds is None:
            return None
        return max(int(seconds + 0.5), 1) if seconds > 0 else 0


# an episode's companions kept at their addresses (stored only when given)
KEPT_AT_URLS = ("image_url", "transcript_url", "transcript_type", "chapters_url")


@dataclass
class Episode:
    source: str  # the sidecar, relative to the project
    audio: str | None  # the source audio file, relative to the project (None: kept at a URL)
    audio_sha256: str
    media: Media
    slug: str
    title: str
    date: str
    html: str
    summary: str
    season: int | None = None
    number: int | None = None
    type: str = "full"
    explicit: bool | None = None
    image: str | None = None
    image_sha256: str | None = None
    transcript: str | None = None
    transcript_sha256: str | None = None
    transcript_language: str | None = None
    chapters: list[Chapter] = field(default_factory=list)
    draft: bool = False
    guid: str | None = None
    # kept at these addresses (see EpisodeMeta): published as they are
    image_url: str | None = None
    transcript_url: str | None = None
    transcript_type: str | None = None
    chapters_url: str | None = None
    # files the notes link beside the sidecar (see Post.files)
    files: dict[str, str] = field(default_factory=dict)
    preview: str | None = None  # "draft" or "queued", shown so only by `syndicate serve --drafts`
    # Podcast Index tags from the sidecar (see podcast_tags.ITEM_TAGS), as plain data
    tags: dict = field(default_factory=dict)

    kind = "episode"

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in (*KEPT_AT_URLS, "preview"):  # (as the catalog held episodes before them)
            if data[key] is None:
                del data[key]
        for key in ("files", "tags"):
            if not data[key]:
                del data[key]
        for key in ("bitrate", "sri", "alternates"):  # (as the catalog held media before them)
            if not data["media"][key]:
                del data["media"][key]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Episode:
        data = dict(data)
        data["chapters"] = [Chapter(**c) for c in data.get("chapters", [])]
        data["media"] = Media(**data["media"])
        return cls(**data)


# where an item's files lie in the project: a move or rename changes these and nothing published
# (media, art and transcripts are published by their hashes)
LOCATIONS = ("source", "audio", "image", "transcript")


def published_part(data: dict) -> dict:
    """An item's stored dict without where its files lie: equal for an item moved or renamed
    without an edit, so its feed entry keeps its <updated>."""
    out = {k: v for k, v in data.items() if k not in LOCATIONS}
    if data.get("transcript"):  # its kind of file is published (transcript.vtt, .srt...)
        out["transcript"] = data["transcript"].rsplit(".", 1)[-1].lower()
    if "files" in data:  # the links as the body writes them, not where the files are
        out["files"] = sorted(data["files"])
    return out


def item_from_dict(kind: str, data: dict) -> Post | Episode:
    return Post.from_dict(data) if kind == "post" else Episode.from_dict(data)
