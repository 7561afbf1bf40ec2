"""ID3v2.3 tags for the published MP3: title, artist, album, track, date, comment, cover art and
chapters (CHAP frames listed in time order by a CTOC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TDRC,
    TIT2,
    TPE1,
    TRCK,
    WXXX,
    CTOCFlags,
)


@dataclass
class Tags:
    title: str
    artist: str
    album: str
    date: str  # YYYY-MM-DD
    comment: str = ""
    track: int | None = None
    cover: Path | None = None
    chapters: list[tuple[float, str, str | None]] = field(default_factory=list)  # start, title, url

    def fingerprint(self) -> str:
        import hashlib
        import json

        cover = self.cover.read_bytes() if self.cover else b""
        data = json.dumps([self.title, self.artist, self.album, self.date, self.comment,
                           self.track, self.chapters], sort_keys=True).encode()
        return hashlib.sha256(data + hashlib.sha256(cover).digest()).hexdigest()



ID3_CHAPTERS = 255  # the most an ID3 table of contents (CTOC) can list

def write_tags(path: Path, tags: Tags, duration: float) -> None:
    """Replace any tag in ``path`` with ours (ID3v2.3, which every podcast app reads)."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TDRC(encoding=3, text=tags.date))
    if tags.track is not None:
        id3.add(TRCK(encoding=3, text=str(tags.track)))
    if tags.comment:
        id3.add(COMM(encoding=3, lang="eng", desc="", text=tags.comment))
    if tags.cover is not None:
        data = tags.cover.read_bytes()
        mime = "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
        id3.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=data))
    if tags.chapters:
        total_ms = int(duration * 1000)
        ids = []
        chapters = tags.chapters[:ID3_CHAPTERS]  # (the rest: the chapters file and the page)
        for i, (start, title, url) in enumerate(chapters):
            end = chapters[i + 1][0] if i + 1 < len(chapters) else duration
            sub = [TIT2(encoding=3, text=title)]
            if url:
                sub.append(WXXX(encoding=3, desc="", url=url))
            element = f"chp{i:03d}"
            ids.append(element)
            id3.add(CHAP(element_id=element, start_time=int(start * 1000),
                         end_time=min(int(end * 1000), total_ms), sub_frames=sub))
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                     child_element_ids=ids, sub_frames=[TIT2(encoding=3, text="Chapters")]))
    id3.save(path, v2_version=3)
