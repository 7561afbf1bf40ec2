"""filehashes: a checkout's record of what its files hold. Generated contents are hashed as
hashlib says, also after a rewrite that keeps the size and the mtime, and after the record is
saved and read back; a folder, a named pipe or a missing file is '-', never a hang."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import guard
from syndicate.filehashes import FileHashes


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=4), st.binary(max_size=3000))
def test_generated_contents_hash_as_hashlib_says_through_rewrites_and_a_saved_record(texts, other):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = []
        for n, data in enumerate(texts):
            path = root / "posts" / f"p{n}.md"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            paths.append(path)
        hashes = FileHashes(root, root / ".state")
        assert [hashes.of(p) for p in paths] == [hashlib.sha256(t).hexdigest() for t in texts]
        hashes.save()
        again = FileHashes(root, root / ".state")
        assert again.had and all(again.ever_held(f"posts/p{n}.md") for n in range(len(texts)))
        first, st0 = paths[0], paths[0].stat()
        swapped = other[:len(texts[0])].ljust(len(texts[0]), b"x")  # the same size
        first.write_bytes(swapped)
        os.utime(first, ns=(st0.st_atime_ns, st0.st_mtime_ns))  # and the same mtime
        assert again.of(first) == hashlib.sha256(swapped).hexdigest()
        assert again.unchanged_here(first) == (swapped == texts[0])
        assert again.sig(*paths) == FileHashes(root, None, fresh=True).sig(*paths)


def test_a_folder_a_pipe_and_a_missing_file_are_no_content_and_never_block(tmp_path):
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "pipe")
    hashes = FileHashes(tmp_path, None)
    with guard(10):
        assert [hashes.of(tmp_path / n) for n in ("folder", "pipe", "gone")] == ["-"] * 3
