"""The README's "Guarantees" section names the tests that hold each promise: every file and test
it names must exist, so a renamed or deleted test cannot leave a promise unheld in silence."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _guarantees() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Guarantees")
    return text[start:text.index("\n## ", start + 1)]


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test_")}


def test_every_test_the_guarantees_name_exists():
    section = _guarantees()
    named = re.findall(r"`(test_\w+\.py)((?:::\w+)?)`|`::(test_\w+)`", section)
    assert len(named) > 20
    current = None
    missing = []
    for file, func, bare in named:
        if file:
            current = file
            path = ROOT / "tests" / file
            if not path.is_file():
                missing.append(file)
                continue
            if func and func[2:] not in _tests_in(path):
                missing.append(f"{file}{func}")
        elif bare:  # `::name` continues the file named just before it
            assert current is not None
            if bare not in _tests_in(ROOT / "tests" / current):
                missing.append(f"{current}::{bare}")
    assert missing == []
