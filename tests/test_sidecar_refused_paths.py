"""Every file a sidecar names that leads outside episodes/ is named in the one error of one run,
each with its line (h20 V19: `audio:`, then `image:`, then `transcript:` came a run apiece),
as refused links in a body already are."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pages import new_project

from conftest import png_bytes, tone

GOOD = {"audio": ("ep.wav", None), "image": ("art.png", None), "transcript": ("ep.vtt", None)}
SUFFIX = {"audio": ".wav", "image": ".png", "transcript": ".vtt"}


def _outside(kind: str, key: str, root: Path) -> str:
    name = f"outside{SUFFIX[key]}"
    if kind == "dotdot":
        return f"../{name}"
    if kind == "absolute":
        return str(root / name)
    return f"link-{key}{SUFFIX[key]}"  # a link beside the sidecar, leading out


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(bad=st.dictionaries(st.sampled_from(["audio", "image", "transcript"]),
                           st.sampled_from(["dotdot", "absolute", "link"]), min_size=1),
       order=st.permutations(["audio", "image", "transcript"]))
def test_every_refused_path_of_a_sidecar_is_named_in_one_run(bad, order):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        files = {"episodes/ep.wav": tone(0.5, fmt="wav"), "episodes/art.png": png_bytes(1400, 1400),
                 "episodes/ep.vtt": "WEBVTT\n\n00:00.000 --> 00:00.400\nHello\n",
                 "outside.wav": tone(0.5, fmt="wav"), "outside.png": png_bytes(1400, 1400),
                 "outside.vtt": "WEBVTT\n"}
        lines = ["title: Ep", "date: 2026-10-01 08:00"]
        values = {}
        for key in order:
            values[key] = _outside(bad[key], key, root) if key in bad else GOOD[key][0]
            lines.append(f"{key}: {values[key]!r}")
        proj = new_project(root, {**files, "episodes/ep.yaml": "\n".join(lines) + "\n"})
        for key, kind in bad.items():
            if kind == "link":
                (root / "episodes" / values[key]).symlink_to(root / f"outside{SUFFIX[key]}")
        result = proj.run("publish")
        assert "Traceback" not in result.output
        assert result.exit_code == 1, result.output
        errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
        assert len(errors) == 1 and "episodes/ep.yaml" in errors[0], result.output
        for key in bad:
            line = lines.index(f"{key}: {values[key]!r}") + 1
            assert f"'{key}'" in errors[0], (key, errors[0])
            assert re.search(rf"(ep\.yaml:{line}: '{key}'|line {line}: '{key}')", errors[0]), \
                (key, line, errors[0])
        assert not any((root / "public").rglob("*.mp3")) if (root / "public").exists() else True
