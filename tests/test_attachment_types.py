"""Files linked beside a post are served with their own type (h20 V7): a PDF as
``application/pdf`` (so ``notes.pdf#page=2`` opens at page 2), a video as ``video/mp4``, a table
as ``text/csv``..., not as ``application/octet-stream`` (which makes browsers save them).
Checked on moto's S3 server through the real boto3, as the tester saw it."""

from __future__ import annotations

import requests

from conftest import BUCKET, post
from conftest import s3_config as _config
from conftest import s3_files as _files

ATTACHMENTS = {
    "notes.pdf": ("application/pdf", b"%PDF-1.4\n%%EOF\n"),
    "clip.mp4": ("video/mp4", b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom"),
    "clip.webm": ("video/webm", b"\x1aE\xdf\xa3webm"),
    "data.csv": ("text/csv; charset=utf-8", b"a,b\n1,2\n"),
    "lyrics.txt": ("text/plain; charset=utf-8", b"la la la\n"),
    "README.md": ("text/markdown; charset=utf-8", b"# notes\n"),
    "pic.avif": ("image/avif", b"\0\0\0\x1cftypavif"),
    "map.svg": ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    "book.epub": ("application/epub+zip", b"PK\x03\x04epub"),
    "take.wav": ("audio/wav", b"RIFF\0\0\0\0WAVE"),
    "blob.qqq": ("application/octet-stream", b"unknown kind"),  # the unknown stays so
}


def test_files_beside_a_post_are_served_with_their_type(make_project, s3_endpoint, bucket):
    body = " ".join(f"[{n}](2026-10-05-att/{n}{'#page=2' if n.endswith('.pdf') else ''})"
                    for n in ATTACHMENTS)
    files = {**_files(), "posts/2026-10-05-att.md": post("Att", "2026-10-05", body)}
    files.update({f"posts/2026-10-05-att/{n}": data for n, (_, data) in ATTACHMENTS.items()})
    proj = make_project(files, config=_config(s3_endpoint))
    result = proj.run("publish")
    assert result.exit_code == 0 and "Error" not in result.output, result.output
    for name, (kind, data) in ATTACHMENTS.items():
        key = f"site/posts/att/2026-10-05-att/{name}"
        head = bucket.head_object(Bucket=BUCKET, Key=key)
        assert head["ContentType"] == kind, name
        got = requests.get(f"{s3_endpoint}/{BUCKET}/{key}", timeout=10)
        assert got.status_code == 200 and got.content == data, name
        assert got.headers["Content-Type"] == kind, name
