"""Read YAML written by anyone, and validate it against a pydantic model, reporting problems as
``file:LINE: 'key': message``.

Shared by config.yaml, post front matter and episode sidecars (chapters included), so every file
speaks the same way and no YAML reaches a parser before it is checked: characters YAML cannot
hold, nesting deeper than ``MAX_DEPTH`` and aliases that would expand past ``MAX_ALIAS_VALUES``
(a "billion laughs") are refused from one streaming pass over the events, before anything is
built. Timestamps stay text: dates are read by ``when.parse_date``, the one date parser.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .urls import origins_only

M = TypeVar("M", bound=BaseModel)
MAX_DEPTH = 40  # levels of nested lists and mappings
MAX_ALIAS_VALUES = 2000  # values that aliases may add to a document, all expanded
_REPR_MAX = 80  # characters of a bad value quoted back in a message

# what YAML 1.1 can carry raw: tab, newlines, printable ASCII, NEL and printable Unicode
_UNPRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's, where PyYAML has it
    """The safe loader, with timestamps left as text for ``when.parse_date``: YAML's own
    resolver raises from deep inside on ``2026-02-30`` and builds instants that overflow."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        lambda loader, node: loader.construct_scalar(node))


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A mapping names one key twice (PyYAML would silently keep the last)."""

    def __init__(self, key: str, first: yaml.Mark, second: yaml.Mark):
        super().__init__(None, None, f"the key {key!r} appears twice", second)
        self.key, self.first, self.second = key, first.line, second.line


def _construct_mapping(loader, node, deep=False):
    seen: dict = {}  # each key as the mapping will hold it (so 1 and true are one key, as
    for key_node, _ in node.value:  # in the dict they build) -> where it was first written
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            key = loader.construct_object(key_node)
            try:
                first = seen.get(key)
            except TypeError:  # unhashable: the constructor reports it
                continue
            if first is not None:
                raise _DuplicateKey(key_node.value, first, key_node.start_mark)
            seen[key] = key_node.start_mark
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep)


_Loader.construct_mapping = _construct_mapping


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


def compose(text: str) -> yaml.Node | None:
    """The node tree of text ``parse`` has already accepted (for the lines of its keys)."""
    return yaml.compose(text, Loader=_Loader)


def line_of(lines: dict, loc: tuple) -> int:
    """The 0-based line of ``loc`` (or of the nearest enclosing key found) in ``line_map``."""
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
        return f"expected true or false, got {shown(value)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {shown(value)}"
    if kind in ("float_parsing", "float_type"):
        return f"expected a number, got {shown(value)}"
    if kind == "string_type":
        return f"expected text, got {shown(value)}"
    if kind == "list_type":
        return f"expected a list, got {shown(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys, got {shown(value)}"
    if kind == "literal_error":
        return f"expected {err['ctx']['expected']}, got {shown(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "too_short", "too_long"):
        return err["msg"][0].lower() + err["msg"][1:] + f", got {shown(value)}"
    return _short(err["msg"].removeprefix("Value error, "), 4 * _REPR_MAX)  # (quotes a value)


def _problem(name: str, line: int, text: str) -> YamlProblems:
    return YamlProblems([f"{name}:{line}: {text}"], line)


def _check_characters(text: str, name: str, line_offset: int) -> None:
    bad = _UNPRINTABLE.search(text)
    if bad is None:
        return
    at = bad.start()
    line = text.count("\n", 0, at) + 1 + line_offset
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    code = ord(bad.group())
    what = "a NUL character" if code == 0 else f"a control character (U+{code:04X})"
    raise _problem(name, line, f"{what} at column {column}, which YAML cannot hold; remove it "
                               f"(or write it as \"\\u{code:04x}\" in double quotes)")


def _check_shape(text: str, name: str, line_offset: int) -> None:
    """One pass over the events: refuse deep nesting, self-reference and alias bombs."""
    stack: list[list] = []  # open collections: [expanded size, closed?]
    latest: dict[str, list] = {}  # anchor -> the node it names now: [expanded size, closed?]
    added = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 + line_offset
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _problem(name, line, f"nested more than {MAX_DEPTH} levels deep; "
                                           "flatten it")
            frame = [1, False]
            stack.append(frame)
            if event.anchor:
                latest[event.anchor] = frame
        elif isinstance(event, yaml.CollectionEndEvent):
            frame = stack.pop()
            frame[1] = True
            if stack:
                stack[-1][0] += frame[0]
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                latest[event.anchor] = [1, True]
            if stack:
                stack[-1][0] += 1
        elif isinstance(event, yaml.AliasEvent):
            target = latest.get(event.anchor)
            if target is None:
                continue  # undefined: the loader reports it with its line
            if not target[1]:
                raise _problem(name, line, f"the alias *{event.anchor} refers to a value that "
                                           "contains it; YAML that refers to itself cannot be "
                                           "read")
            added += target[0]
            if added > MAX_ALIAS_VALUES:
                raise _problem(name, line, f"aliases (*{event.anchor}) would expand to more than "
                                           f"{MAX_ALIAS_VALUES} values; write the values out or "
                                           "use fewer aliases")
            if stack:
                stack[-1][0] += target[0]


def parse(text: str, name: str, line_offset: int = 0) -> Any:
    """Parse YAML written by anyone; every problem becomes YamlProblems naming the file and
    line: a syntax error, a character YAML cannot hold, deep nesting, an alias bomb, a value
    its tag cannot take (``!!int x``), a number too long to read."""
    _check_characters(text, name, line_offset)
    try:
        _check_shape(text, name, line_offset)
        return yaml.load(text, Loader=_Loader)
    except _DuplicateKey as exc:
        first, second = exc.first + 1 + line_offset, exc.second + 1 + line_offset
        raise _problem(name, second, f"the key {_short(repr(exc.key))} appears twice (lines "
                                     f"{first} and {second}); keep one") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + 1 + line_offset
        problem = exc.problem or exc.context or "syntax error"
        raise _problem(name, line, f"invalid YAML: {problem}") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        line = 1 + line_offset
        raise _problem(name, line, f"invalid YAML: {_short(str(exc))}") from None


def _short(text: str, most: int = _REPR_MAX) -> str:
    return text if len(text) <= most else text[:most - 3] + "..."


def shown(value: Any) -> str:
    """A bad value as a message quotes it: its repr, cut short."""
    return _short(repr(value))


def as_written(data: Any, text: str, keys: tuple[str, ...]) -> Any:
    """``data`` with each of ``keys`` that YAML read as a number or a yes/no (``slug: 2024``,
    ``slug: 007``, ``slug: no``) given back as the text written there: for keys that are text
    whatever characters they hold."""
    if not isinstance(data, dict) or not any(isinstance(data.get(k), int | float)
                                             for k in keys):  # (a bool is an int)
        return data
    node = compose(text)
    written = {k.value: v.value for k, v in getattr(node, "value", ())
               if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)
               and k.value in keys and v.tag.endswith((":int", ":float", ":bool"))}
    return {**data, **{k: v for k, v in written.items()
                       if isinstance(data.get(k), int | float)}}


def validate(model: type[M], data: Any, text: str, name: str, line_offset: int = 0) -> M:
    """Validate parsed YAML; on failure report every problem with its line (composed lazily).
    The keys a model names in ``written_as_text`` are read as the text written (see
    ``as_written``)."""
    data = as_written(data, text, getattr(model, "written_as_text", ()))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = line_map(compose(text))
        problems, first = [], None
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = line_of(lines, loc) + 1 + line_offset
            first = line if first is None else first
            said = message(err)
            if loc and loc[0] in getattr(model, "secret_paths", ()):
                said = origins_only(said)
            problems.append(f"{name}:{line}: '{dotted(loc)}': {said}")
        raise YamlProblems(problems, first) from None


def unknown_keys(model: BaseModel, text: str, name: str, line_offset: int = 0) -> list[str]:
    """Warnings for keys the schema does not declare (models with extra='allow')."""
    found = _unknown(model)
    if not found:
        return []
    lines = line_map(compose(text))
    return [
        f"{name}:{line_of(lines, loc) + 1 + line_offset}: '{dotted(loc)}': unknown key, "
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
