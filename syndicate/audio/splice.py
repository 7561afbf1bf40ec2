"""Join MP3s encoded in parts into one stream, as one encoder would have made it.

Each part of a long episode is its own LAME encode (see ``parts``), started on a frame boundary
of the whole programme a little before the previous part stops, so that around each joint both
parts hold frames of the same stretch of audio, frame for frame. The join takes the earlier part
up to a frame ``k`` and the later part from its own frame ``k`` on. Two things make that a valid
stream with nothing to hear at the joint:

- MP3's bit reservoir: a frame's data may begin in the frames before it (``main_data_begin``
  bytes back). The later part's first kept frame finds those bytes where the earlier part kept
  the start of *its* frame ``k``: the joint is chosen where the earlier part left at least as
  many such bytes, and they are overwritten with the later part's.
- The overlap of the transform: a decoder adds the second half of one granule to the first half
  of the next, so the joint is chosen where both sides use the long window there.

Only MPEG-1 Layer III (32, 44.1 and 48 kHz, 1,152 samples a frame) is joined; anything else is
a ``SpliceError`` and the episode is encoded in one pass instead.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from pathlib import Path

SAMPLES = 1152  # per MPEG-1 Layer III frame
_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0)
_RATES = (44100, 48000, 32000, 0)
_LONG_END = (0, 3)  # block types whose window ends long (normal, stop)
_LONG_START = (0, 1)  # block types whose window starts long (normal, start)


class SpliceError(Exception):
    """The parts cannot be joined here (the caller encodes in one pass instead)."""


@dataclass(frozen=True)
class Header:
    size: int  # bytes
    side_at: int  # offset of the side information in the frame
    side_len: int
    channels: int


def header(b: bytes) -> Header:
    if len(b) < 4:
        raise SpliceError("truncated frame")
    h = int.from_bytes(b[:4], "big")
    if h >> 21 != 0x7FF or (h >> 19) & 3 != 3 or (h >> 17) & 3 != 1:
        raise SpliceError("not an MPEG-1 Layer III frame")
    kbps, rate = _KBPS[(h >> 12) & 15], _RATES[(h >> 10) & 3]
    if not kbps or not rate:
        raise SpliceError("free-format or reserved frame")
    mono = (h >> 6) & 3 == 3
    side_at = 4 if (h >> 16) & 1 else 6  # a CRC follows the header when the bit is clear
    return Header(144000 * kbps // rate + ((h >> 9) & 1), side_at, 17 if mono else 32,
                  1 if mono else 2)


@dataclass(frozen=True)
class Frame:
    reservoir: int  # main_data_begin: bytes of its data in the frames before it
    first: tuple[int, ...]  # block type of granule 0, per channel
    last: tuple[int, ...]  # block type of granule 1, per channel
    data_at: int  # where its own bytes (after header and side information) begin
    size: int


def frame(b: bytes) -> Frame:
    h = header(b)
    side = int.from_bytes(b[h.side_at:h.side_at + h.side_len], "big")
    bits = h.side_len * 8

    def get(at: int, n: int) -> int:
        return (side >> (bits - at - n)) & ((1 << n) - 1)

    at = 9 + (3 if h.channels == 1 else 5) + 4 * h.channels
    types = []
    for _ in range(2 * h.channels):  # granule by granule, channel by channel; 59 bits each
        switching = get(at + 33, 1)
        types.append(get(at + 34, 2) if switching else 0)
        at += 59
    return Frame(get(0, 9), tuple(types[:h.channels]), tuple(types[h.channels:]),
                 h.side_at + h.side_len, h.size)


@dataclass
class Part:
    """One encoded part: its file, where its audio frames lie, and its first frame's place in
    the whole programme (in frames)."""

    path: Path
    first_frame: int
    offsets: array  # byte offset of each audio frame, and the end of the last
    info: bytes  # its Info (Xing/LAME) frame

    @classmethod
    def read(cls, path: Path, first_frame: int) -> Part:
        offsets = array("q")
        info = b""
        with open(path, "rb") as f:
            data, base, pos = b"", 0, 0
            while True:
                if pos + 4 > len(data):  # read on from the next frame
                    base += pos
                    f.seek(base)
                    data, pos = f.read(1 << 20), 0
                    if len(data) < 4:
                        break
                h = header(data[pos:pos + 4])
                if not info and not offsets:
                    f.seek(base + pos)
                    info = f.read(h.size)
                    _xing(info)  # (or SpliceError)
                else:
                    offsets.append(base + pos)
                pos += h.size
            end = base
        if not info:
            raise SpliceError("no Info frame")
        if end != path.stat().st_size:
            raise SpliceError("the encode ends in the middle of a frame")
        offsets.append(end)
        return cls(path, first_frame, offsets, info)

    @property
    def frames(self) -> int:
        return len(self.offsets) - 1

    def raw(self, local: int, count: int = 1) -> bytes:
        with open(self.path, "rb") as f:
            f.seek(self.offsets[local])
            return f.read(self.offsets[local + count] - self.offsets[local])

    def frame(self, k: int) -> Frame:
        """Frame ``k`` of the programme, as this part encoded it."""
        return frame(self.raw(k - self.first_frame))


def reservoir_bytes(part: Part, k: int, n: int) -> tuple[int, list[bytes]]:
    """The last ``n`` data bytes before the part's frame ``k`` (of the programme): the first
    local frame they lie in, and those frames (raw) with the bytes at their ends."""
    local = k - part.first_frame
    start = local
    have = 0
    while have < n:
        start -= 1
        if start < 0:
            raise SpliceError("reservoir reaches before the part's first frame")
        f = frame(part.raw(start))
        have += f.size - f.data_at
    return start, [part.raw(i) for i in range(start, local)]


def data_tail(frames: list[bytes], n: int) -> bytes:
    out = b""
    for raw in reversed(frames):
        if len(out) >= n:
            break
        out = raw[frame(raw).data_at:] + out
    return out[len(out) - n:] if n else b""


def put_tail(frames: list[bytes], tail: bytes) -> list[bytes]:
    """``frames`` with the last ``len(tail)`` bytes of their data replaced by ``tail``."""
    out = [bytearray(raw) for raw in frames]
    left = len(tail)
    for raw in reversed(out):
        if not left:
            break
        at = frame(bytes(raw)).data_at
        room = len(raw) - at
        take = min(room, left)
        raw[len(raw) - take:] = tail[left - take:left]
        left -= take
    return [bytes(raw) for raw in out]


def joint(a: Part, b: Part, lo: int, hi: int) -> int:
    """The first frame ``k`` in [lo, hi) of the programme where part ``b`` can take over from
    part ``a`` (see the module's note)."""
    for k in range(lo, hi):
        if k - a.first_frame + 1 >= a.frames or k - b.first_frame < 1:
            continue
        fa, fa_prev, fb = a.frame(k), a.frame(k - 1), b.frame(k)
        if fb.reservoir > fa.reservoir:
            continue
        if not all(t in _LONG_END for t in fa_prev.last):
            continue
        if not all(t in _LONG_START for t in fb.first):
            continue
        try:
            reservoir_bytes(b, k, fb.reservoir)
        except SpliceError:
            continue
        return k
    raise SpliceError(f"no frame in {lo}..{hi} where the parts can be joined")


def _xing(info: bytes) -> tuple[int, int]:
    """Where the Xing/Info tag begins in an Info frame, and its flags (1: a frame count,
    2: a byte count, 4: a seek table, 8: a quality)."""
    h = header(info)
    at = h.side_at + h.side_len
    if info[at:at + 4] not in (b"Info", b"Xing"):
        raise SpliceError("no Info frame")
    return at, int.from_bytes(info[at + 4:at + 8], "big")


def _lame_tag(info: bytes) -> int:
    """Where the LAME tag (encoder string, delays, ...) begins in an Info frame."""
    at, flags = _xing(info)
    at += 8 + 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4) + 4 * bool(
        flags & 8)
    if at + 36 > len(info):
        raise SpliceError("no LAME tag")
    return at


def delays(info: bytes) -> tuple[int, int]:
    """(encoder delay, padding) in samples, from an Info frame's LAME tag."""
    at = _lame_tag(info) + 21
    v = int.from_bytes(info[at:at + 3], "big")
    return v >> 12, v & 0xFFF


def stated_samples(info: bytes) -> int:
    """The samples an Info frame says its stream decodes to (frames less delay and padding)."""
    at, flags = _xing(info)
    if not flags & 1:
        raise SpliceError("no frame count in the Info frame")
    delay, padding = delays(info)
    return int.from_bytes(info[at + 8:at + 12], "big") * SAMPLES - delay - padding


def _with_totals(info: bytes, frames: int, size: int, padding: int) -> bytes:
    """An Info frame stating ``frames`` audio frames, ``size`` bytes and ``padding``."""
    at, flags = _xing(info)
    if not flags & 1 or not flags & 2:
        raise SpliceError("an Info frame without frame and byte counts")
    out = bytearray(info)
    out[at + 8:at + 12] = frames.to_bytes(4, "big")
    out[at + 12:at + 16] = size.to_bytes(4, "big")
    tag = _lame_tag(info) + 21
    out[tag:tag + 3] = ((delays(info)[0] << 12) | padding).to_bytes(3, "big")
    return bytes(out)


def join(parts: list[Part], windows: list[tuple[int, int]], dest: Path) -> int:
    """Write the parts as one stream to the file ``dest`` (each part's file is removed once
    copied), each joint chosen in its window
    (frames of the programme, one per joint); returns the programme's frame count. The Info
    frame states the totals and the last part's padding; its other fields (seek table, CRCs)
    are the first part's until the stream is muxed again."""
    if len({delays(p.info)[0] for p in parts}) != 1:
        raise SpliceError("the parts' encoder delays differ")
    joints = [joint(a, b, lo, hi) for a, b, (lo, hi) in zip(parts[:-1], parts[1:], windows,
                                                              strict=True)]
    # what each part gives: [from, to) in frames of the programme
    spans = [(p.first_frame if i == 0 else joints[i - 1],
              joints[i] if i < len(joints) else p.first_frame + p.frames)
             for i, p in enumerate(parts)]
    total = sum(to - fr for fr, to in spans)
    with open(dest, "wb") as out:
        out.write(parts[0].info)  # rewritten below, once the size is known
        for i, (p, (fr, to)) in enumerate(zip(parts, spans, strict=True)):
            stop = to - p.first_frame
            patched: list[bytes] = []
            if i < len(joints):  # the next part's reservoir bytes go at this part's end
                nxt = parts[i + 1]
                need = nxt.frame(to).reservoir
                first, mine = reservoir_bytes(p, to, need)
                _, theirs = reservoir_bytes(nxt, to, need)
                patched = put_tail(mine, data_tail(theirs, need))
                stop = first
            _copy(p, fr - p.first_frame, stop, out)
            for raw in patched:
                out.write(raw)
            p.path.unlink()  # copied: the disk never holds much more than one MP3 here
        size = out.tell()
        out.seek(0)
        out.write(_with_totals(parts[0].info, total, size, delays(parts[-1].info)[1]))
    return total


def _copy(part: Part, start: int, stop: int, out) -> None:
    """Copy the part's local frames [start, stop) to ``out``."""
    if stop <= start:
        return
    begin, end = part.offsets[start], part.offsets[stop]
    with open(part.path, "rb") as f:
        f.seek(begin)
        left = end - begin
        while left:
            chunk = f.read(min(left, 1 << 20))
            if not chunk:
                raise SpliceError("a part's file shrank")
            out.write(chunk)
            left -= len(chunk)
