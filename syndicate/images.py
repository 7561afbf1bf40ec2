"""Pixel size of PNG and JPEG images, read from their headers (no imaging library needed), and
whether their data decodes (with the bundled ffmpeg).

The header is read first, a few bytes at a time: an image that declares 20000 x 20000 pixels is
refused without ever being decoded into memory. Only then is it decoded, since a header can be
right while the data after it is damaged or cut short.
"""

from __future__ import annotations

import hashlib
import io
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# start-of-frame markers, the segments that carry a JPEG's size
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_MAX_SEGMENTS = 4096  # a real JPEG names its size within a few dozen segments

# Episode art: Apple asks for a square of 1400 to 3000 px. Past MAX_SIDE an app decoding the
# art (about 4 bytes a pixel) could run out of memory, so that is refused, not warned about.
MIN_SIDE, BEST_MAX_SIDE, MAX_SIDE = 1400, 3000, 6000
SUFFIX_KIND = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
IMAGE_LIMIT = 64 << 20  # bytes: far over any cover or episode art a directory takes
DAMAGED_DATA = "its header is right but its image data cannot be decoded (damaged or cut short)"
DAMAGED = f"{DAMAGED_DATA}; save or export it again"
_PROBE_SIDE = 16  # the image is decoded and scaled to this square of grey bytes


def read_header(f: BinaryIO) -> tuple[str, int, int] | None:
    """("PNG" or "JPEG", width, height) from the start of a file, or None for anything else."""
    head = f.read(24)
    if head[:8] == PNG_SIGNATURE:
        if head[12:16] != b"IHDR" or len(head) < 24:
            return None
        w, h = struct.unpack(">II", head[16:24])
        return "PNG", w, h
    if head[:2] != b"\xff\xd8":
        return None

    def read(pos: int, size: int) -> bytes:
        f.seek(pos)
        return f.read(size)

    frame = _frame_header(read)
    if frame is None:
        return None
    seg = read(frame[0], 9)
    if len(seg) < 9:
        return None
    h, w = struct.unpack(">HH", seg[5:9])
    return "JPEG", w, h


def _frame_header(read: Callable[[int, int], bytes]) -> tuple[int, int, int] | None:
    """(position, marker, length) of a JPEG's frame header (SOFn), walking its segments from
    after the start-of-image marker (``read(position, size)`` gives its bytes); None when the
    walk meets anything else first (a scan, the end, a broken marker)."""
    pos = 2
    for _ in range(_MAX_SEGMENTS):
        seg = read(pos, 4)
        if len(seg) < 4 or seg[0] != 0xFF:
            return None  # not at a marker: a broken file
        marker = seg[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            return None
        (length,) = struct.unpack(">H", seg[2:4])
        if marker in _SOF:
            return pos, marker, length
        if length < 2:
            return None
        pos += 2 + length
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG, or None for anything else."""
    found = read_header(io.BytesIO(data))
    return None if found is None else found[1:]


def check_art(path: Path, shown: str) -> tuple[str | None, list[str]]:
    """Check episode art by its content: (what is wrong, or None; warnings).

    Wrong: unreadable, not a PNG or JPEG, named for the other kind (its content type would lie),
    a side of 0 px or over MAX_SIDE, over IMAGE_LIMIT bytes, data that does not decode.
    Warned: not a square of 1400 to 3000 px, as for the cover.
    """
    try:
        with path.open("rb") as f:
            found = read_header(f)
    except OSError as exc:
        return f"{shown!r} cannot be read ({exc.strerror or exc})", []
    wrong = _header_problem(found, path.suffix, repr(shown))
    if wrong:
        return wrong, []
    _, w, h = found
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"{shown!r} cannot be read ({exc.strerror or exc})", []
    if size > IMAGE_LIMIT:
        return (f"{shown!r} is {size:,} bytes, too large for episode art (at most "
                f"{IMAGE_LIMIT >> 20} MB); export it smaller"), []
    damaged = decode_problem(path)
    if damaged:
        return f"{shown!r}: {damaged}", []
    if w != h or not MIN_SIDE <= w <= BEST_MAX_SIDE:
        return None, [f"{shown}: {w}x{h} px; Apple asks for a square image of {MIN_SIDE} to "
                      f"{BEST_MAX_SIDE} px"]
    return None, []


def _header_problem(found: tuple[str, int, int] | None, suffix: str, shown: str) -> str | None:
    """What is wrong with art by its header (``found``, from ``read_header``) and the suffix it
    is named with, or None."""
    want = SUFFIX_KIND.get(suffix.lower())
    if found is None:
        return f"{shown} is not a {want or 'JPEG or PNG'} image (its content is not)"
    kind, w, h = found
    if want is not None and kind != want:
        return f"{shown} is a {kind} image named as a {want}; rename it to match"
    if not (w and h):
        return f"{shown} declares {w}x{h} px: an image with no pixels"
    if not (w <= MAX_SIDE and h <= MAX_SIDE):
        return (f"{shown} declares {w}x{h} px; episode art must be at most {MAX_SIDE} px a "
                f"side (Apple asks for a square of {MIN_SIDE} to {BEST_MAX_SIDE} px)")
    return None


def served_art_problem(data: bytes, suffix: str) -> str | None:
    """What is wrong with art as a host serves it (``data``, its address ending in ``suffix``),
    judged as publish judges a new file (header, then a decode with the same damage rules),
    or None; said of "the image", for the caller to name the address."""
    wrong = _header_problem(read_header(io.BytesIO(data)), suffix, "the image")
    if wrong:
        return wrong
    if len(data) > IMAGE_LIMIT:
        return f"the image is {len(data):,} bytes, over the {IMAGE_LIMIT >> 20} MB art may be"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="syndicate-art-") as folder:
        path = Path(folder) / f"art{suffix.lower() if suffix.lower() in SUFFIX_KIND else ''}"
        path.write_bytes(data)
        damaged = decode_problem(path)
    if damaged == DAMAGED:
        return f"{DAMAGED_DATA}: the copy on the host is damaged; upload it again"
    return f"the image: {damaged}" if damaged else None


# what ffmpeg says (as a warning, the decode still "succeeding") of an image whose data ends
# early or is broken: a JPEG cut in half decodes to a grey lower half with only these
_DAMAGE_WORDS = ("premature end", "overread", "eoi missing", "truncat", "corrupt",
                 "invalid data", "error", "damaged", "incomplete", "out of range",
                 "without all image")  # a PNG zero-filled up to an intact IEND
_decoded: dict[str, str | None] = {}  # sha256 of the bytes -> what decode_problem said


def decode_problem(path: Path) -> str | None:
    """What is wrong with an image whose header was read (its data damaged or cut short), or
    None once the bundled ffmpeg decoded its first frame without an error or a warning of
    damage. The answer is remembered for the same bytes (a publish asks more than once)."""
    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if sha not in _decoded:
        _decoded[sha] = _decode(path) or _zero_tail(path)
    return _decoded[sha]


def _decode(path: Path) -> str | None:
    from .audio import ffmpeg_exe

    side = _PROBE_SIDE
    try:
        done = subprocess.run(
            # (crccheck: a PNG's chunks carry a CRC, and zeros written over a chunk break it
            # where the decode alone may only say "0 bytes left")
            [ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "warning",
             "-err_detect", "crccheck+explode", "-i", str(path), "-vf", f"scale={side}:{side}",
             "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
            capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return "it took over a minute to decode; save or export it again"
    except OSError as exc:
        return f"it cannot be decoded ({exc.strerror or exc})"
    said = done.stderr.decode("utf-8", "replace").lower()
    if (done.returncode != 0 or len(done.stdout) != side * side
            or any(word in said for word in _DAMAGE_WORDS)):
        return DAMAGED
    return None


# A JPEG encoder pads its last byte with one bits, so every byte it writes before the end marker
# is read by the decoder, and any bits it does not read there are ones. Zeros written over part
# of the data (a copy into a pre-allocated file that stopped, a block a sync tool never filled)
# decode as valid codes, so ffmpeg says nothing; but they decode to blocks at another rate than
# the data they replaced, so the image and the data do not end together: bytes put after the
# data are read (the image wanted more), or its last byte is not read (changing it changes no
# pixel), or only its first bits are and the rest are zero bits no encoder writes. A flat area
# can encode as zero bits, so a run of zeros alone is no proof; only these probes are. They are
# run only when the data holds such a run (the decodes they need are not paid for an ordinary
# image).
_ZERO_TAIL = 2  # bytes: zero tails shorter than this are not examined
_ZERO_RUN = 16  # bytes: zero runs inside the data shorter than this are not examined
_MORE = b"\x55" * 64  # bytes put after the data: a decoder done with the image reads none
_FLIPS = (0x80, 0xC0, 0xFF)  # the last byte with its first bit(s) changed: each changes a bit
# the decoder reads, if it reads that byte at all


def _zero_tail(path: Path) -> str | None:
    """DAMAGED when a JPEG whose image data holds a run of zero bytes (at its end, or a long
    one anywhere) does not end with its image: bytes put after it are read, changing its last
    byte changes no pixel, or a zero last bit of it is not read (an encoder pads with ones).
    (Named for the first case it caught: a zero-filled tail.)"""
    data = path.read_bytes()
    if data[:2] != b"\xff\xd8":
        return None
    whole = data.rstrip(b"\0")
    if whole.endswith(b"\xff\xd9"):  # zeros after the end marker are padding, not image
        data = whole
    end = len(data) - 2 if data.endswith(b"\xff\xd9") else len(data)
    scan = data.find(b"\xff\xda")
    if scan < 0 or end - scan < 4:
        return None
    if b"\xff\xc2" in data[:scan]:  # progressive: its scans refine one another, so bytes
        return _zero_tail_progressive(data, end)  # put after the last may well be read
    # (a run inside is looked for only in a file that ends at its end marker: anything after
    # the marker, a phone's appended video say, is no part of the image)
    if data[end - _ZERO_TAIL:end] != b"\0" * _ZERO_TAIL and (
            end == len(data) or data.find(b"\0" * _ZERO_RUN, scan, end) < 0):
        return None
    last = end - 1  # the data's last byte; a 0xFF in the data is followed by a stuffed 0x00
    if last > scan and data[last] == 0 and data[last - 1] == 0xFF:
        last -= 1
    value, width = data[last], 2 if data[last] == 0xFF else 1

    def with_last(byte: int) -> bytes:
        return data[:last] + (b"\xff\0" if byte == 0xFF else bytes([byte])) + \
            data[last + width:]

    data = _on_block_grid(data)  # (the same length: every offset above still holds)
    seen = _pixels(data)
    if seen is None:
        return None
    if _pixels(data[:end] + _MORE + data[end:]) != seen:
        return DAMAGED  # bytes put after the data are read: the image ends after it
    if all(_pixels(with_last(value ^ flip)) == seen for flip in _FLIPS):
        return DAMAGED  # the last byte is never read
    if not value & 1 and _pixels(with_last(value | 1)) == seen:
        return DAMAGED  # its last bit is padding, and zero
    return None


def _on_block_grid(data: bytes) -> bytes:
    """``data`` with the size its frame header declares rounded up to whole blocks (MCUs).

    An encoder codes whole blocks: of an image 1400 px high coded in 16 px blocks, the last
    row's lower half is coded too and cropped away when decoded, so its bytes (often the
    data's last ones) change no pixel that is shown. The probes need every coded byte shown:
    with the size rounded up, the decoder shows those blocks too, and reads the same data."""
    frame = _frame_header(lambda pos, size: data[pos:pos + size])
    if frame is None or frame[1] not in (0xC0, 0xC1):  # baseline or extended Huffman: probed
        return data
    return _frame_on_grid(data, frame[0], frame[2])


def _frame_on_grid(data: bytes, pos: int, length: int) -> bytes:
    frame = data[pos + 4:pos + 2 + length]  # precision, height, width, count, components
    if len(frame) < 6 or len(frame) < 6 + 3 * frame[5] or not frame[5]:
        return data
    (h, w), count = struct.unpack(">HH", frame[1:5]), frame[5]
    factors = [frame[6 + 3 * i + 1] for i in range(count)]
    scan = data.find(b"\xff\xda", pos)
    # a scan of one component codes blocks of 8 px whatever its factors say; one of several
    # codes units of the largest factors (units of 16 x 16 px for the common 2x2, say)
    one = scan > 0 and len(data) > scan + 4 and data[scan + 4] == 1
    across = 8 if one else 8 * max(f >> 4 for f in factors)
    down = 8 if one else 8 * max(f & 15 for f in factors)
    if not (across and down):
        return data
    h = -(-h // down) * down if h else h  # (a height of 0 is given by a later marker: kept)
    w = -(-w // across) * across
    if w > 0xFFFF or h > 0xFFFF:
        return data
    return data[:pos + 5] + struct.pack(">HH", h, w) + data[pos + 9:]


def _zero_tail_progressive(data: bytes, end: int) -> str | None:
    """A progressive JPEG is judged by its tail alone: DAMAGED when its data ends in zero
    bytes the decoder never reads (changing the last of them changes no pixel, whatever it
    becomes). A flat area of a progressive scan encodes as long zero runs, so runs inside are
    not judged (a zeroed middle there is not caught)."""
    if data[end - _ZERO_TAIL:end] != b"\0" * _ZERO_TAIL:
        return None
    seen = _pixels(data)
    if seen is None:
        return None
    for probe in (0xAA, 0xE3):  # each changes the first bit of that byte
        if _pixels(data[:end - 1] + bytes([probe]) + data[end:]) != seen:
            return None  # that byte is read: the zeros are the image's own data
    return DAMAGED


def _pixels(data: bytes) -> str | None:
    """A digest of the decoded first frame at full size, or None when it does not decode
    cleanly (ffmpeg fails or says anything)."""
    from .audio import ffmpeg_exe

    try:
        done = subprocess.run(
            [ffmpeg_exe(), "-nostdin", "-v", "warning", "-f", "jpeg_pipe", "-i", "-",
             "-frames:v", "1", "-f", "rawvideo", "-"], input=data, capture_output=True,
            timeout=60, check=False)
    except (subprocess.TimeoutExpired, OSError):
        return None
    if done.returncode != 0 or not done.stdout or done.stderr.strip():
        return None  # (a byte changed that the decoder reads may only show as its complaint)
    return hashlib.sha256(done.stdout).hexdigest()
