"""Validate YAML against a pydantic model and report problems as ``file:LINE: 'key': message``.

Shared by config.yaml, post front matter and episode sidecars, so every file speaks the same way.
"""

from __future__ import annotations

from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblems(Exception):
    """Problems found in one YAML document, each already a full message."""

    def __init__(self, problems: list[str], first_line: int | None = None):
        self.problems = problems
        self.first_line = first_line
        super().__init__("\n".join(problems))


def line_map(node: yaml.Node | None, prefix: tuple = (), out: dict | None = None) -> dict:
    """Map every key path in a composed YAML document to its 0-based line."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, key.value)
            out[path] = key.start_mark.line
            line_map(value, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            path = (*prefix, i)
            out[path] = value.start_mark.line
            line_map(value, path, out)
    return out


def _line_for(lines: dict, loc: tuple) -> int:
    for n in range(len(loc), 0, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 0


def dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def message(err: dict) -> str:
    """Say what is wrong and what is expected, in the author's terms rather than pydantic's."""
    kind, value = err["type"], err.get("input")
    if kind == "missing":
        return "is required; add it"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {value!r}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {value!r}"
    if kind in ("float_parsing", "float_type"):
        return f"expected a number, got {value!r}"
    if kind == "string_type":
        return f"expected text, got {value!r}"
    if kind == "list_type":
        return f"expected a list, got {value!r}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys, got {value!r}"
    if kind == "literal_error":
        return f"expected {err['ctx']['expected']}, got {value!r}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "too_short", "too_long"):
        return err["msg"][0].lower() + err["msg"][1:] + f", got {value!r}"
    return err["msg"].removeprefix("Value error, ")


def parse(text: str, name: str, line_offset: int = 0) -> Any:
    """Parse YAML; a syntax error becomes YamlProblems naming the file and line."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line = (exc.problem_mark.line if exc.problem_mark else 0) + 1 + line_offset
        problem = exc.problem or exc.context or "syntax error"
        raise YamlProblems([f"{name}:{line}: invalid YAML: {problem}"], line) from None


def validate(model: type[M], data: Any, text: str, name: str, line_offset: int = 0) -> M:
    """Validate parsed YAML; on failure report every problem with its line (composed lazily)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = line_map(yaml.compose(text, Loader=_Loader))
        problems, first = [], None
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = _line_for(lines, loc) + 1 + line_offset
            first = line if first is None else first
            problems.append(f"{name}:{line}: '{dotted(loc)}': {message(err)}")
        raise YamlProblems(problems, first) from None


def unknown_keys(model: BaseModel, text: str, name: str, line_offset: int = 0) -> list[str]:
    """Warnings for keys the schema does not declare (models with extra='allow')."""
    found = _unknown(model)
    if not found:
        return []
    lines = line_map(yaml.compose(text, Loader=_Loader))
    return [
        f"{name}:{_line_for(lines, loc) + 1 + line_offset}: '{dotted(loc)}': unknown key, "
        "ignored (check its spelling)"
        for loc in found
    ]


def _unknown(model: BaseModel, loc: tuple = ()) -> list[tuple]:
    found = [(*loc, k) for k in (model.model_extra or {})]
    for fname in type(model).model_fields:
        value = getattr(model, fname)
        if isinstance(value, BaseModel):
            found += _unknown(value, (*loc, fname))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, BaseModel):
                    found += _unknown(v, (*loc, fname, i))
    return found
