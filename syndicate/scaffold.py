"""`syndicate init`: a new project that publishes as it stands.

It writes a config.yaml that explains each setting a new author needs (with its default), one
sample post, an empty episodes/ folder with a short note, and a placeholder cover (the podcast
feed needs one). It never overwrites: a folder holding anything but hidden entries (``.git``)
is refused with one error naming what is there.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SyndicateError, printable

COVER = "cover.png"
COVER_SIDE = 1400  # the smallest square Apple Podcasts takes

CONFIG = """\
# syndicate's configuration. Change the values marked "change this" before publishing for real.
# Every setting is listed in the README ("Configuration"); a commented line shows an optional
# setting with an example value: remove the "# " in front of it to use it.

site:
  title: My Site                     # change this: the site's name, shown by feeds and pages
  url: https://example.com/          # change this: the public address the site is served at
  description: A new site.           # one line about the site
  language: en                       # language code of the content, e.g. en or en-GB
  author: Your Name                  # change this: the author, as feeds show it
  # email: you@example.com           # the author's public email (optional)
  timezone: UTC                      # IANA zone for dates written without one, e.g. Europe/London
  # links: file                      # pages link to x/index.html: for a plain S3 endpoint,
                                     # which has no index documents (default: directory, x/)

blog:
  feed_items: 20                     # how many newest posts the blog feeds hold
  rss_path: feed.xml                 # where the RSS feed goes in the site
  atom_path: atom.xml                # where the Atom feed goes in the site

podcast:
  title: My Show                     # change this: the show's title
  description: A new show.           # change this: what the show is about
  owner:
    name: Your Name                  # change this: itunes:owner, for podcast directories
    email: you@example.com           # change this: directories send verification codes here
  image: cover.png                   # replace the placeholder: square JPEG/PNG, 1400-3000 px
  categories:                        # Apple Podcasts categories; the first counts
    - Society & Culture
  explicit: false                    # whether the show is explicit
  type: episodic                     # episodic (newest first) or serial (in order)
  locked: true                       # podcast:locked: refuse moves of the show to other hosts
  feed_path: podcast.xml             # where the podcast feed goes in the site
  # author: Your Name                # itunes:author (default: site.author)
  # copyright: © Your Name           # copyright line (optional)
  # media_base_url: https://cdn.example.com/   # where the audio is served (default: site.url)
  # subscribe:                       # the site's subscribe links, each shown only where set
  #   apple: https://podcasts.apple.com/podcast/id000000000      # the show's Apple page
  #   spotify: https://open.spotify.com/show/XXXXXXXX            # its Spotify page
  #   pocket_casts: https://pca.st/XXXXXXXX                      # its Pocket Casts page
  #   overcast: https://overcast.fm/itunes000000000              # its Overcast page
  #   antennapod: https://antennapod.org/deeplink/subscribe?url=example.com/podcast.xml  # its page
  #   youtube_music: https://music.youtube.com/playlist?list=XXXXXXXX  # its YouTube Music page

audio:
  loudness: -16                      # target loudness of episodes, in LUFS
  channels: 2                        # 1 for mono, 2 for stereo
  # bitrate: 128                     # MP3 kbps (default: 128 stereo, 64 mono)

paths:
  posts: posts                       # folder of blog posts
  episodes: episodes                 # folder of episode audio and their YAML sidecars

# theme: theme                       # a folder whose templates/ and static/ replace any file
                                     # of the default theme (see "The website" in the README)
target: public                       # where to publish: a folder, or s3://bucket/prefix
max_deletes: 50                      # most published files one publish may delete unasked
"""

EPISODES_NOTE = """\
# Episodes

Put each episode's audio here with a YAML sidecar of the same name beside it
(`001-first.mp3` and `001-first.yaml`), or let syndicate make the sidecar:

    syndicate new episode ~/recordings/first.wav --title "First episode"

The README's "Episodes" section lists every key a sidecar may hold.
"""

POST = """\
---
title: Hello, world
date: {when}
tags: [welcome]
---

This is the first post. Edit it, or add more with `syndicate new post "A title"`,
then run `syndicate publish`.
"""


class InitError(SyndicateError):
    """The folder already holds a project or other files: nothing was written."""

    exit_code = 2


@dataclass
class Created:
    root: Path
    config: Path
    files: list[str] = field(default_factory=list)  # relative to root, in the order written


def placeholder_cover(side: int = COVER_SIDE) -> bytes:
    """A plain square PNG: the podcast feed needs art, and this one is replaced later."""
    row = b"\x00" + bytes((52, 92, 120)) * side

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * side, 9)) + chunk(b"IEND", b""))


def _refuse_if_taken(root: Path, config: Path) -> None:
    if os.path.lexists(config):
        raise InitError(f"{printable(str(config))} already exists; nothing was written (init "
                        "never overwrites: run it in a new or empty folder)")
    if not os.path.lexists(root):
        return
    if not root.is_dir():
        raise InitError(f"{printable(str(root))} is not a folder; nothing was written (give "
                        "a new or empty folder)")
    try:
        present = sorted(e for e in os.listdir(root) if not e.startswith("."))
    except OSError as exc:
        raise InitError(f"{printable(str(root))} cannot be read ({exc.strerror}); nothing "
                        "was written") from None
    if present:
        shown = ", ".join(printable(p) for p in present[:5]) + (", ..." if len(present) > 5
                                                                else "")
        raise InitError(f"{printable(str(root))} is not empty (it holds {shown}); nothing was "
                        "written (init never overwrites: give a new or empty folder)")


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet (never replaces one made meanwhile)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def init_project(folder: str | Path, *, now: dt.datetime,
                 config_name: str = "config.yaml") -> Created:
    """Make a new project in ``folder`` (made if missing): config, a sample post dated
    ``now`` (its minute, in UTC: live in whatever zone the config is given), episodes/ with a
    note, a placeholder cover.
    Raises InitError, writing nothing, when the folder is not new or empty."""
    root = Path(folder)
    config = root / config_name
    _refuse_if_taken(root, config)
    utc = now.astimezone(dt.UTC)
    day = utc.date().isoformat()
    # dated at this minute with its offset, not by the day alone: a day alone is read in
    # site.timezone, and west of UTC today's UTC date is still to come (the post then waits)
    when = utc.strftime("%Y-%m-%dT%H:%M:00Z")
    files = {
        config_name: CONFIG.encode(),
        f"posts/{day}-hello-world.md": POST.format(when=when).encode(),
        "episodes/README.md": EPISODES_NOTE.encode(),
        COVER: placeholder_cover(),
    }
    done = Created(root=root, config=config)
    try:
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_new(path, data)
            done.files.append(rel)
    except FileExistsError as exc:
        raise InitError(f"{printable(str(exc.filename))} appeared while init ran; stopped "
                        f"(written so far: {', '.join(done.files) or 'nothing'})") from None
    except OSError as exc:
        raise InitError(f"cannot write {printable(str(exc.filename or root))}: "
                        f"{exc.strerror or exc} (written so far: "
                        f"{', '.join(done.files) or 'nothing'})") from None
    return done
