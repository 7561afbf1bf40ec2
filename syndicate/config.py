"""One typed schema for config.yaml.

Every key is declared here with its type, default and a description (the README's configuration
reference is checked against these descriptions). Loading reports every problem at once, each as
``config.yaml:LINE: 'key.path': what is wrong and what is expected``; unknown keys are warned about.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import utf8, yamlcheck
from .categories import parse_category
from .engines import PgLocation, is_postgres
from .errors import ConfigError, SyndicateError
from .markup import xml_safe
from .podcast_tags import (
    DESCRIPTION_BYTES,
    NODE_TEXT,
    TITLE_CHARS,
    ChannelTags,
    canonical_uuid,
    description_bytes,
    limited,
    person_warnings,
    too_long,
)
from .urls import (
    USERINFO,
    addresses_with_credentials,
    credential_in,
    public_url,
    redact,
    redact_credentials,
    site_base,
    web_url,
    without_credentials,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


def _check_link(value: str) -> str:
    return web_url(value)


def _check_public(value: str) -> str:
    """A link every feed or page shows: http(s), and no credential in it."""
    return public_url(value)


def _check_url(value: str) -> str:
    """A published base URL: always ends with one slash, so keys can be appended; no query
    and no fragment, which every address made from it would carry."""
    return site_base(_check_public(value)).rstrip("/") + "/"


def _visible(value: str | None) -> str | None:
    """Text that feeds and pages show must keep some once characters XML cannot carry go."""
    if value is not None and not xml_safe(value).strip():
        raise ValueError(f"must hold some visible text, got {value!r}")
    return value


def _check_email(value: str) -> str:
    if credential_in(value):  # user:password@host is no email address (no ':' before its @)
        raise ValueError(f"{redact(value)} holds {credential_in(value)}, and this address is "
                         "published for anyone to read; give an email address")
    if not _EMAIL.match(value):
        raise ValueError(f"expected an email address, got {value!r}")
    return value


class SiteConfig(_Section):
    title: str = Field(description="The site's name, used as the blog feed's title.")
    url: str = Field(description="Public base URL of the site, e.g. https://example.com/.")
    description: str = Field("", description="One line about the site (blog feed description).")
    language: str = Field("en", description="Language code of the content, e.g. en or en-GB.")
    author: str = Field(description="The author's name, as feeds show it.")
    email: str | None = Field(None, description="The author's public email (optional).")
    timezone: str = Field(
        "UTC", description="IANA zone for dates written without an offset, e.g. Europe/London."
    )

    links: Literal["directory", "file"] = Field(
        "directory", description="How pages link to pages: 'directory' (/episodes/x/, for a "
                                 "website endpoint, CDN or folder served with index documents) "
                                 "or 'file' (/episodes/x/index.html, for a plain S3 endpoint).")

    _url = field_validator("url")(_check_url)
    _text = field_validator("title", "author")(_visible)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        return None if v is None else _check_email(v)

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        if not _LANG.match(v):
            raise ValueError(f"expected a language code such as 'en' or 'en-GB', got {v!r}")
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {v!r}; use an IANA name such as 'Europe/London' or 'UTC'"
            ) from None
        return v


class BlogConfig(_Section):
    title: str | None = Field(None, description="Blog feed title (default: site.title).")
    description: str | None = Field(None, description="Blog feed description (default: site's).")
    feed_items: int = Field(20, ge=1, le=10000, description="How many newest posts the feeds hold.")
    archive_pages: bool = Field(
        False, description="Older posts go to RFC 5005 archive pages of feed_items posts each "
                           "(default: they leave the feeds).")
    rss_path: str = Field("feed.xml", description="Key of the RSS 2.0 blog feed in the site.")
    atom_path: str = Field("atom.xml", description="Key of the Atom 1.0 blog feed in the site.")
    json_path: str = Field("feed.json", description="Key of the JSON Feed 1.1 blog feed.")

    _text = field_validator("title")(_visible)


class OwnerConfig(_Section):
    name: str = Field(description="Owner's name (itunes:owner).")
    email: str = Field(description="Owner's email; directories send verification codes here.")

    _email = field_validator("email")(_check_email)
    _text = field_validator("name")(_visible)


class FundingConfig(_Section):
    url: str = Field(description="Where listeners can support the show.")
    text: str = Field("Support the show", description=f"Link text (max {NODE_TEXT}).")

    _url = field_validator("url")(_check_public)
    _limit = field_validator("text")(limited(NODE_TEXT, "Podcast Index"))


class SubscribeConfig(_Section):
    """Where listeners follow the show in their apps: each link is shown only when set."""

    apple: str | None = Field(None, description="The show's Apple Podcasts page.")
    spotify: str | None = Field(None, description="The show's Spotify page.")
    pocket_casts: str | None = Field(None, description="The show's Pocket Casts page.")
    overcast: str | None = Field(None, description="The show's Overcast page.")
    antennapod: str | None = Field(None, description="The show's AntennaPod page.")
    youtube_music: str | None = Field(None, description="The show's YouTube Music page.")

    @field_validator("*")
    @classmethod
    def _https(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if not (isinstance(v, str) and v.lower().startswith("https://")):
            raise ValueError(f"expected an https:// address such as "
                             f"'https://podcasts.example.com/show', got {v!r}")
        return _check_public(v)


class PodcastConfig(_Section, ChannelTags):
    title: str = Field(description="The show's title.")
    description: str = Field(description="The show's description (plain text or simple HTML).")
    author: str | None = Field(None, description="itunes:author (default: site.author).")
    owner: OwnerConfig = Field(description="itunes:owner: name and email.")
    image: str = Field(description="Cover art file (square JPEG/PNG, 1400-3000 px), relative path.")
    categories: list[str] = Field(
        min_length=1,
        description="Apple categories, 'Category' or 'Category > Subcategory'; the first counts.",
    )
    explicit: bool = Field(False, description="Whether the show is explicit (true/false).")
    type: Literal["episodic", "serial"] = Field("episodic", description="itunes:type.")
    locked: bool = Field(True, description="podcast:locked: refuse moves to other hosts.")
    language: str | None = Field(None, description="Language of the show (default: site's).")
    copyright: str | None = Field(None, description="Copyright line (optional).")
    guid: str | None = Field(
        None, description="podcast:guid override; by default derived from the feed URL."
    )
    feed_path: str = Field("podcast.xml", description="Key of the podcast feed in the site.")
    json_path: str = Field("podcast.json", description="Key of the podcast's JSON Feed 1.1.")
    feed_items: int | None = Field(
        None, ge=1, le=100000,
        description="Episodes the main feed holds (default: all); older ones go to RFC 5005 "
                    "archive pages of this many each.")
    media_base_url: str | None = Field(
        None, description="Base URL for enclosures, e.g. a CDN (default: site.url)."
    )
    measurement_prefix: str | None = Field(
        None, description="A download-counting redirect put before every enclosure of the "
                          "podcast feeds, e.g. https://op3.dev/e/ (default: none); guids never "
                          "change.")
    funding: list[FundingConfig] = Field(default_factory=list, description="podcast:funding links.")
    subscribe: SubscribeConfig = Field(
        default_factory=SubscribeConfig,
        description="Subscribe links the site shows (the RSS feed is always shown).")

    _text = field_validator("title", "description", "author")(_visible)

    @field_validator("title")
    @classmethod
    def _title_limit(cls, v: str) -> str:
        if len(v) > TITLE_CHARS:
            raise ValueError(too_long(TITLE_CHARS, len(v), "Apple Podcasts"))
        return v

    @field_validator("description")
    @classmethod
    def _description_limit(cls, v: str) -> str:
        if description_bytes(v) > DESCRIPTION_BYTES:
            raise ValueError(too_long(DESCRIPTION_BYTES, description_bytes(v),
                                      "Apple Podcasts", "bytes of UTF-8"))
        return v

    @field_validator("categories")
    @classmethod
    def _categories(cls, v: list[str]) -> list[str]:
        for c in v:
            parse_category(c)
        return v

    @field_validator("guid")
    @classmethod
    def _guid(cls, v: str | None) -> str | None:
        return None if v is None else canonical_uuid(v)

    @field_validator("media_base_url")
    @classmethod
    def _media(cls, v: str | None) -> str | None:
        return None if v is None else _check_url(v)

    @field_validator("measurement_prefix")
    @classmethod
    def _measurement(cls, v: str | None) -> str | None:
        from .measurement import check_prefix

        return None if v is None else check_prefix(v)


MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
MP3_BITRATES = (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
ALTERNATE_TITLE = 32  # characters: a rendition's name, shown in apps' menus


class AlternateConfig(_Section):
    codec: Literal["opus", "aac"] = Field(description="opus (Ogg Opus) or aac (AAC in M4A).")
    bitrate: int = Field(description="Bitrate in kbps, e.g. 48k (opus 6k-256k, aac 24k-320k).")
    title: str | None = Field(
        None, description=f"Name apps show for it (default e.g. 'Opus 48 kbps'; at most "
                          f"{ALTERNATE_TITLE}).")

    _title = field_validator("title")(limited(ALTERNATE_TITLE, "a name in apps' menus"))

    @field_validator("bitrate", mode="before")
    @classmethod
    def _kbps(cls, v: Any, info) -> int:
        from .audio.renditions import CODECS, parse_bitrate

        kbps = parse_bitrate(v)
        codec = CODECS.get(info.data.get("codec", ""))
        if codec and not codec.kbps[0] <= kbps <= codec.kbps[1]:
            low, high = codec.kbps
            raise ValueError(f"{info.data['codec']} takes {low}k to {high}k, got {v!r}")
        return kbps

    _text = field_validator("title")(_visible)


class AudioConfig(_Section):
    process: bool = Field(
        True, description="Make podcast-ready MP3s (false: publish MP3/M4A sources as they are)."
    )
    channels: Literal[1, 2] = Field(2, description="1 for mono, 2 for stereo output.")
    bitrate: int | None = Field(
        None, description="MP3 bitrate in kbps, constant (default: 128 stereo, 64 mono)."
    )
    sample_rate: int = Field(44100, description="Output sample rate in Hz.")
    loudness: float = Field(
        -16.0, ge=-36, le=-6, description="Target integrated loudness in LUFS."
    )
    true_peak: float = Field(-1.0, ge=-9, le=0, description="Highest true peak allowed, in dBTP.")
    max_gain: float = Field(
        30.0, ge=0, le=60, description="Most gain applied to a quiet recording, in dB."
    )
    intro: str | None = Field(None, description="Audio clip put before every episode (path).")
    outro: str | None = Field(None, description="Audio clip put after every episode (path).")
    crossfade: float = Field(
        0.5, ge=0, le=5, description="Seconds of crossfade between intro, episode and outro."
    )
    trim_silence: bool = Field(False, description="Cut leading and trailing silence.")
    silence_threshold: float = Field(
        -50.0, ge=-90, le=-20, description="Level in dBFS below which audio counts as silence."
    )
    workers: int | None = Field(
        None, ge=1, le=64, description="Episodes processed at once (default: the core count)."
    )
    alternates: list[AlternateConfig] = Field(
        default_factory=list, max_length=8,
        description="Further renditions beside the MP3, e.g. {codec: opus, bitrate: 48k}.",
    )

    @field_validator("alternates")
    @classmethod
    def _distinct(cls, v: list[AlternateConfig]) -> list[AlternateConfig]:
        seen = set()
        for alt in v:
            if (alt.codec, alt.bitrate) in seen:
                raise ValueError(f"{alt.codec} at {alt.bitrate}k is listed twice; remove one")
            seen.add((alt.codec, alt.bitrate))
        return v

    @field_validator("sample_rate")
    @classmethod
    def _rate(cls, v: int) -> int:
        if v not in MP3_RATES:
            raise ValueError(f"MP3 allows {', '.join(map(str, MP3_RATES))} Hz, got {v!r}")
        return v

    @field_validator("bitrate")
    @classmethod
    def _bitrate(cls, v: int | None) -> int | None:
        if v is not None and v not in MP3_BITRATES:
            raise ValueError(f"MP3 allows {', '.join(map(str, MP3_BITRATES))} kbps, got {v!r}")
        return v

    @property
    def kbps(self) -> int:
        return self.bitrate or (128 if self.channels == 2 else 64)


class S3Config(_Section):
    endpoint_url: str | None = Field(
        None, description="Endpoint of an S3-compatible store (MinIO, R2, B2...); empty for AWS."
    )

    @field_validator("endpoint_url", mode="before")
    @classmethod
    def _endpoint(cls, value: object) -> object:
        """An http(s) address with a host (empty: AWS's own), and no credential in it: those
        come from boto3's chain, never from the config."""
        if value is None or value == "":
            return None
        found = credential_in(value) if isinstance(value, str) else None
        if isinstance(value, str) and "@" in value.split("?", 1)[0].split("#", 1)[0]:
            # user@host however it is spelled (no password, a slash missing): no endpoint
            # has an @ of its own
            found = found or USERINFO
        if found:  # said before any other check, and never with the credential itself
            raise ValueError(
                f"{redact(value)} holds {found}, and a credential does not belong in the config; "
                "remove it (and replace it if the file was ever shared or committed). "
                + CREDENTIALS_BELONG)
        web_url(value, "https://s3.example.com")
        from urllib.parse import urlsplit

        from botocore.utils import is_valid_uri  # (only where an endpoint is given)

        if urlsplit(value).query or urlsplit(value).fragment or not is_valid_uri(value):
            raise ValueError("expected an endpoint such as 'https://s3.example.com' (a host "
                             "name or address, a port, a path; no ?query or #part), got "
                             f"{redact(value)!r}")
        return value

    region: str | None = Field(
        None, pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$",
        description="Region of the bucket (default: boto3's), e.g. us-east-1.")
    checksum: Literal["when_required", "when_supported"] = Field(
        "when_required",
        description="When boto3 adds checksums; when_supported breaks several S3-compatibles.",
    )
    max_attempts: int = Field(5, ge=1, le=20, description="Attempts per request (standard mode).")
    workers: int = Field(8, ge=1, le=64, description="Uploads at once.")
    acl: str | None = Field(None, description="Canned ACL to send, e.g. public-read (or none).")
    multipart_threshold_mb: int = Field(
        16, ge=5, le=5000, description="Files over this many MB upload in parts of this size."
    )
    site_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="Adopt the site with this id at the prefix (its catalog was lost); "
                    "normally unset: the id is made once and kept in the catalog.")


class PathsConfig(_Section):
    posts: str = Field("posts", description="Folder of blog posts (.md, .markdown, .txt).")
    episodes: str = Field("episodes", description="Folder of episode audio and YAML sidecars.")
    state: str = Field(".syndicate", description="Folder for the catalog and the media cache.")


class NotifyConfig(_Section):
    websub_hubs: list[str] = Field(
        default_factory=list,
        description="WebSub hubs told of each release (feeds also name them as rel=hub).")
    pubnotify: str | None = Field(
        None, description="A Podcast Index style pubnotify URL, called with ?url=<podcast feed>.")
    podping_url: str = Field(
        "https://podping.cloud/", description="The Podping HTTP endpoint told of the podcast "
        "feed when podcast.podping is true (the token: SYNDICATE_PODPING_TOKEN).")
    timeout: float = Field(10.0, gt=0, le=120, description="Seconds to wait for each ping.")

    @field_validator("websub_hubs")
    @classmethod
    def _hubs(cls, value: list[str]) -> list[str]:
        return [_check_link(v) for v in value]

    _pubnotify = field_validator("pubnotify", "podping_url")(
        lambda v: v if v is None else _check_link(v))

    @property
    def published_hubs(self) -> list[str]:
        """The hubs feeds name (rel="hub"): a hub whose address holds a credential is pinged,
        never published."""
        return [hub for hub in self.websub_hubs if credential_in(hub) is None]


PURGE_TOKEN = "SYNDICATE_PURGE_TOKEN"  # the environment variable a purge hook's token is in


def _check_purge_url(value: str | None) -> str | None:
    """A purge hook's address: http(s), and no credential in it (its token comes from the
    environment, so config.yaml can be shared)."""
    if value is None:
        return None
    found = credential_in(value) if isinstance(value, str) else None
    if found:  # said before any other check, and never with the credential itself
        raise ValueError(
            f"{redact(value)} holds {found}, and a credential does not belong in the config; "
            f"remove it (and replace it if the file was ever shared or committed), and put the "
            f"token in the environment variable {PURGE_TOKEN}: it is sent as the request's "
            "Authorization header")
    return web_url(value)


class CdnConfig(_Section):
    cloudfront_distribution: str | None = Field(
        None, description="A CloudFront distribution whose cached copies of the feeds and "
        "pages a publish changed are invalidated after it (credentials: boto3's chain).")
    purge_url: str | None = Field(
        None, description="A purge hook of another CDN, sent the changed paths after each "
        "publish as JSON {\"paths\": [...], \"urls\": [...]} (a token: SYNDICATE_PURGE_TOKEN).")
    purge_method: Literal["POST", "PUT"] = Field(
        "POST", description="The HTTP method of the purge hook's request.")
    wildcard_over: int = Field(
        500, ge=1, description="Past this many changed paths, one wildcard path (the site's "
        "path and *) is invalidated or purged instead of each.")
    timeout: float = Field(15.0, gt=0, le=120, description="Seconds the purge hook may take "
                           "in all; CloudFront, each answer.")

    @field_validator("cloudfront_distribution")
    @classmethod
    def _distribution(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Z0-9]{5,32}", v):
            raise ValueError("expected a CloudFront distribution id such as 'E2QWRUHAPOMQZL' "
                             "(capital letters and digits: the ID column of the CloudFront "
                             f"console), got {v[:40]!r}")
        return v

    _purge = field_validator("purge_url")(_check_purge_url)

    @property
    def on(self) -> bool:
        """Whether a publish tells any CDN of what it changed."""
        return bool(self.cloudfront_distribution or self.purge_url)


class SchedulerConfig(_Section):
    poll_seconds: float = Field(
        2.0, ge=0.2, le=60, description="How often `syndicate run` looks for queue changes "
        "(and, on PostgreSQL, that it still leads).")
    retry_seconds: float = Field(
        30.0, ge=1, description="First wait after a failed release; doubles up to an hour.")


class StatsConfig(_Section):
    logs: str | None = Field(
        None, description="Where the access logs are: a folder (relative to config.yaml), or "
                          "s3://bucket/prefix read with the s3: settings.")
    format: Literal["auto", "s3", "cloudfront", "combined"] = Field(
        "auto", description="The logs' format: s3 (server access logs), cloudfront (standard "
                            "logs), combined (nginx, Apache), or auto: told from each file.")

    @field_validator("logs")
    @classmethod
    def _logs(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if not v.strip():
            raise ValueError("expected a folder or s3://bucket/prefix, got an empty value")
        if "://" in v:
            from .publish.s3 import parse_target

            if not v.startswith("s3://"):
                raise ValueError(f"expected a folder or s3://bucket/prefix, got {v!r}")
            try:
                parse_target(v)
            except SyndicateError as exc:  # (its message says what is wrong)
                raise ValueError(str(exc).replace("target", "stats.logs", 1)) from None
        return v


class Config(_Section):
    # sections whose addresses may carry their secret in the path (webhooks, purge hooks): a
    # value there a message quotes shows only its scheme and host
    secret_paths: ClassVar[tuple[str, ...]] = ("notify", "cdn")
    site: SiteConfig = Field(description="The site and its author.")
    blog: BlogConfig = Field(default_factory=BlogConfig, description="The blog feeds.")
    podcast: PodcastConfig = Field(description="The podcast feed.")
    audio: AudioConfig = Field(default_factory=AudioConfig, description="Episode audio.")
    paths: PathsConfig = Field(default_factory=PathsConfig, description="Where sources live.")
    catalog: str | None = Field(
        None, description="Path of the SQLite catalog file (default: catalog.db in paths.state), "
                          "or a PostgreSQL address postgresql://USER@HOST:PORT/DATABASE (the "
                          "password from PGPASSWORD or ~/.pgpass, never here)."
    )
    target: str = Field(
        "public", description="Where to publish: a local folder, or s3://bucket/prefix."
    )
    s3: S3Config = Field(default_factory=S3Config, description="The S3 target's settings.")
    max_deletes: int = Field(
        50, ge=0, description="Most published files a run may delete, and most published "
                              "items it may remove, without --force."
    )
    sources: list[str] = Field(
        default_factory=list,
        description="Old blog pages and feeds (files or URLs) `syndicate collect` imports from "
                    "on every run; unchanged ones are not parsed again.")
    import_audio: Literal["download", "keep-url"] = Field(
        "download",
        description="What importing a podcast feed does with its audio: 'download' it into "
                    "episodes/ (then processed and hosted like any episode), or 'keep-url': "
                    "leave it on the old host and point the enclosures there (nothing "
                    "downloaded or processed).")
    notify: NotifyConfig = Field(default_factory=NotifyConfig,
                                 description="Who is told when an item is released.")
    cdn: CdnConfig = Field(default_factory=CdnConfig,
                           description="The CDN in front of the site, told what a publish "
                                       "changed.")
    scheduler: SchedulerConfig = Field(default_factory=SchedulerConfig,
                                       description="The release scheduler (`syndicate run`).")
    stats: StatsConfig = Field(default_factory=StatsConfig,
                               description="Download counts from access logs (`syndicate stats`).")
    theme: str | None = Field(
        None, description="A folder whose templates/ and static/ override any file of the "
                          "default theme (path relative to config.yaml).")

    @field_validator("blog", "audio", "paths", "s3", "notify", "cdn", "scheduler", "stats",
                     mode="before")
    @classmethod
    def _empty_is_defaults(cls, v: Any) -> Any:
        # a section whose keys are all commented out reads as null: its defaults, as if absent
        return {} if v is None else v


@dataclass(frozen=True)
class Settings:
    """A loaded config: the validated schema plus where it came from."""

    config: Config
    path: Path
    warnings: list[str] = field(default_factory=list)
    lines: dict = field(default_factory=dict, repr=False)  # key path: 0-based line in the file
    preview: bool = False  # built by `syndicate serve` (pages may carry what only a preview shows)

    def where(self, *key: str) -> str:
        """``config.yaml:LINE: 'key.path'``, for a message about a setting."""
        return (f"{self.path}:{yamlcheck.line_of(self.lines, key) + 1}: "
                f"'{yamlcheck.dotted(key)}'")

    @cached_property
    def root(self) -> Path:  # (asked thousands of times a build)
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        p = Path(relative).expanduser()
        return p if p.is_absolute() else (self.root / p)

    @property
    def posts_dir(self) -> Path:
        return self.resolve(self.config.paths.posts)

    @property
    def episodes_dir(self) -> Path:
        return self.resolve(self.config.paths.episodes)

    @property
    def state_dir(self) -> Path:
        return self.resolve(self.config.paths.state)

    @property
    def catalog_path(self) -> Path | PgLocation:
        """The SQLite file, or the PostgreSQL address, of the catalog."""
        if is_postgres(self.config.catalog):
            return PgLocation(self.config.catalog)
        return self.resolve(self.config.catalog) if self.config.catalog else (
            self.state_dir / "catalog.db")

    @property
    def catalog_on_server(self) -> bool:
        return is_postgres(self.config.catalog)

    @property
    def target_dir(self) -> Path:
        return self.resolve(self.config.target)


def load_config(path: str | Path = "config.yaml") -> Settings:
    """Read and validate config.yaml. Raises ConfigError listing every problem."""
    from .errors import CollectError
    from .sourcefiles import read_source

    path = Path(path)
    name = str(path)
    if not os.path.lexists(path):
        raise ConfigError([f"{name}: no such file; pass --config PATH or create it"])
    try:  # a plain file of bounded size: never a folder, a pipe or a device
        text = utf8.decode(read_source(path, name))
    except CollectError as exc:
        raise ConfigError([str(exc)]) from None
    except utf8.NotUtf8 as exc:
        raise ConfigError([f"{name}:{exc.line}: {exc}; save it as UTF-8"]) from None
    try:
        data = yamlcheck.parse(text, name)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise yamlcheck.YamlProblems([f"{name}:1: expected a mapping of settings"])
        refused = _credentials(data, text, name)
        try:
            config = yamlcheck.validate(Config, data, text, name)
        except yamlcheck.YamlProblems as exc:
            raise yamlcheck.YamlProblems(refused + exc.problems) from None
        if refused:
            raise yamlcheck.YamlProblems(refused)
        if said := _public_texts(data, text, name):  # (the texts without their credentials)
            config = yamlcheck.validate(Config, data, text, name)
    except yamlcheck.YamlProblems as exc:
        raise ConfigError(exc.problems) from None
    warnings = (yamlcheck.unknown_keys(config, text, name) + said
                + _public_secrets(config, text, name)
                + _idle_alternates(config, text, name)
                + person_warnings(config.podcast, text, name, ("podcast",)))
    settings = Settings(config=config, path=path.resolve(), warnings=warnings,
                        lines=yamlcheck.line_map(yamlcheck.compose(text)))
    from .layout import layout_problems

    if problems := layout_problems(settings) + _moved_to_itself(settings):
        raise ConfigError(problems)
    return settings


# keys that hold a credential, whatever section they are put in (their values are never shown)
_CREDENTIAL = re.compile(
    r"(secret|passw(or)?d|token|credential|api_?key|access_?key|private_?key|session_?key)",
    re.I)
CREDENTIALS_BELONG = (
    "syndicate takes credentials only from boto3's standard chain: the environment variables "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), a profile named by "
    "AWS_PROFILE, or an instance role")


def _credentials(data: Any, text: str, name: str) -> list[str]:
    """Find keys that look like credentials, take them (and their values) out of ``data`` so
    no later message can quote them, and say where credentials belong instead."""
    found: list[tuple] = []

    def walk(node: Any, loc: tuple) -> None:
        if isinstance(node, dict):
            for key in list(node):
                if _CREDENTIAL.search(str(key).replace("-", "_")):
                    found.append((*loc, str(key)))
                    del node[key]
                else:
                    walk(node[key], (*loc, key))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, (*loc, i))

    walk(data, ())
    if not found:
        return []
    lines = yamlcheck.line_map(yamlcheck.compose(text))
    file = Path(name).name
    return [f"{name}:{yamlcheck.line_of(lines, loc) + 1}: '{yamlcheck.dotted(loc)}': a "
            f"credential does not belong in {file}; remove it (and replace the credential if "
            f"{file} was ever shared or committed). {CREDENTIALS_BELONG}" for loc in found]


# the sections whose words the feeds and pages show, and the keys there that hold no words
# (an address there holding a credential is refused as it is checked)
_SHOWN = ("site", "blog", "podcast", "audio")
_NOT_WORDS = frozenset(("image", "intro", "outro", "rss_path", "atom_path", "feed_path",
                        "json_path", "email", "guid", "feed_guid", "item_guid"))


def _public_texts(data: dict, text: str, name: str) -> list[str]:
    """The words config.yaml gives the feeds and pages (the show's title, the site's
    description, a person's name, a funding link's text...) are published as an item's are:
    every address in them without its credential (``data`` is changed so), and a warning for
    each, with its line."""
    found: list[tuple[tuple, str]] = []

    def walk(node: Any, loc: tuple) -> None:
        items = node.items() if isinstance(node, dict) else \
            enumerate(node) if isinstance(node, list) else ()
        for key, value in list(items):
            if isinstance(value, str) and key not in _NOT_WORDS:
                if said := addresses_with_credentials(value):
                    found.append(((*loc, key), said[0][1]))
                    node[key] = redact_credentials(value, without_credentials)
            else:
                walk(value, (*loc, key))

    for section in _SHOWN:
        walk(data.get(section), (section,))
    if not found:
        return []
    lines = yamlcheck.line_map(yamlcheck.compose(text))
    file = Path(name).name
    return [f"{name}:{yamlcheck.line_of(lines, loc) + 1}: '{yamlcheck.dotted(loc)}': an address "
            f"holds {what}; it is published without it (pages and feeds are public): remove "
            f"it from {file}" for loc, what in found]


def _public_secrets(config: Config, text: str, name: str) -> list[str]:
    """Feeds name their hubs (rel="hub"); one whose address holds a credential is pinged but
    left out of the feeds, and said so (subscribers cannot find it there)."""
    found = [(i, credential_in(hub)) for i, hub in enumerate(config.notify.websub_hubs)]
    found = [(i, what) for i, what in found if what]
    if not found:
        return []
    lines = yamlcheck.line_map(yamlcheck.compose(text))
    return [f"{name}:{yamlcheck.line_of(lines, ('notify', 'websub_hubs', i)) + 1}: "
            f"'notify.websub_hubs[{i}]': {redact(config.notify.websub_hubs[i])} holds {what}: "
            "it is pinged but not named in the feeds (rel=\"hub\"), so subscribers cannot "
            "follow it there; use a hub address that holds no credential to have it named"
            for i, what in found]


def _moved_to_itself(settings: Settings) -> list[str]:
    """itunes:new-feed-url naming an address of this same site (the podcast feed itself, however
    spelt, the blog's feeds, a page, an archive page) tells apps the show moved where it is not:
    Apple moves the subscribers for good."""
    import posixpath
    from urllib.parse import unquote, urlsplit

    cfg = settings.config
    if not cfg.podcast.new_feed_url:
        return []

    def plain(url: str) -> tuple[str, str]:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port if parts.port not in (None, 80, 443) else None
        path = posixpath.normpath("/" + unquote(parts.path or "/").lstrip("/"))
        return (f"{host}:{port}" if port else host, path.rstrip("/") + "/")

    try:
        new_host, new_path = plain(cfg.podcast.new_feed_url)
        site_host, site_path = plain(cfg.site.url)
    except ValueError:
        return []
    if new_host != site_host or not new_path.startswith(site_path):
        return []
    line = yamlcheck.line_of(settings.lines, ("podcast", "new_feed_url")) + 1
    return [f"{settings.path}:{line}: 'podcast.new_feed_url': {cfg.podcast.new_feed_url} is "
            f"an address of this site ({cfg.site.url}), where this podcast feed and its pages "
            "are published; give the address of the feed the show moved to, or remove the "
            "setting if it has not moved"]


def _idle_alternates(config: Config, text: str, name: str) -> list[str]:
    """Alternates are encoded beside the processed MP3: with processing off none are made."""
    if config.audio.process or not config.audio.alternates:
        return []
    lines = yamlcheck.line_map(yamlcheck.compose(text))
    return [f"{name}:{yamlcheck.line_of(lines, ('audio', 'alternates')) + 1}: "
            "'audio.alternates': alternates are made only with audio.process: true; none are "
            "made or published now (set audio.process: true, or remove audio.alternates)"]


def schema_keys(model: type[BaseModel] = Config, prefix: str = "") -> dict[str, str]:
    """Every documented key path with its description (for the README reference and its test)."""
    out: dict[str, str] = {}
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        out[key] = info.description or ""
        ann: Any = info.annotation
        inner = getattr(ann, "__args__", (ann,))
        for t in inner:
            if isinstance(t, type) and issubclass(t, BaseModel) and not getattr(
                    t, "documented_whole", False):  # (a tag's attributes: one README row)
                out.update(schema_keys(t, key + "."))
    return out
