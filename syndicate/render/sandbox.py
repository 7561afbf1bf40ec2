"""The sandbox a theme's templates run in, and its limits on what one operation may make.

Jinja2's sandbox keeps a theme (perhaps someone else's) from Python internals, files and
commands. What it does not bound is size: ``"a"|center(3000000000)``, ``"%3000000000s" % x``, a
string doubled by ``~`` in a loop. Here every operation that can make a value much larger than
its inputs is checked before it runs (``*``, ``**``, ``+``, ``%``, ``~``; the filters and string
methods that pad, repeat, replace, join or format), so no single step makes more than
``VALUE_LIMIT`` characters or items. What many small steps add up to is the watchdog's
(``deadline.within``: time and memory) and the page's own cap.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from jinja2 import filters as jinja_filters
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment

VALUE_LIMIT = 4 << 20  # characters (or items) one operation of a template may make
POWER_LIMIT = 256  # the largest exponent of `**` (beyond 0 and 1 as bases)


class TooBig(SecurityError):
    """A value or a page past the sandbox's limits (not a reach for Python internals)."""


def _refuse(size: int) -> None:
    if size > VALUE_LIMIT:
        raise TooBig(f"a value of {size:,} characters or items (at most {VALUE_LIMIT:,})")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_size(value: object) -> int:
    return len(value) if isinstance(value, str) else len(str(value))


# a `%` conversion: its width and precision (digits, or `*` taken from the arguments)
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")


def check_percent(fmt: str, args: object) -> None:
    """``fmt % args`` refused where a width or precision would make a value too large."""
    values = args if isinstance(args, tuple) else (args,)
    for m in _PERCENT.finditer(fmt):
        for part in m.groups():
            if part == "*":
                for v in values:
                    if _is_int(v):
                        _refuse(abs(v))
            elif part:
                _refuse(int(part))


def check_format(fmt: str, args: Iterable = (), kwargs: dict | None = None) -> None:
    """``fmt.format(...)`` refused where a field's width or precision would be too large (a
    width given by another field is checked against every number among the arguments)."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # (str.format says what is wrong with it)
    for _literal, _name, spec, _conversion in fields:
        if not spec:
            continue
        for digits in re.findall(r"\d+", spec):
            _refuse(int(digits))
        if "{" in spec:
            for v in [*args, *(kwargs or {}).values()]:
                if _is_int(v):
                    _refuse(abs(v))


def _replaced_size(s: str, old: str, new: str, count: int | None) -> int:
    found = len(s) + 1 if old == "" else s.count(old)
    if count is not None and count >= 0:
        found = min(found, count)
    return len(s) + found * (len(new) - len(old))


def _joined_size(items: list, sep: str) -> int:
    return sum(_text_size(i) for i in items) + len(sep) * max(len(items) - 1, 0)


# -- filters and string methods that grow a value -------------------------------------------------
def _center(value, width=80):
    if _is_int(width):
        _refuse(width)
    return jinja_filters.do_center(value, width)


def _indent(s, width=4, first=False, blank=False):
    text = str(s)
    pad = width if _is_int(width) else len(str(width))
    _refuse(len(text) + pad * (text.count("\n") + 1))
    return jinja_filters.do_indent(s, width, first, blank)


def _format(value, *args, **kwargs):
    check_percent(str(value), kwargs or tuple(args))
    return jinja_filters.do_format(value, *args, **kwargs)


def _replace(eval_ctx, s, old, new, count=None):
    _refuse(_replaced_size(str(s), str(old), str(new), count))
    return jinja_filters.do_replace(eval_ctx, s, old, new, count)


def _join(eval_ctx, value, d="", attribute=None):
    items = list(value)
    _refuse(len(items))
    if attribute is None:
        _refuse(_joined_size(items, str(d)))
    return jinja_filters.do_join(eval_ctx, items, d, attribute)


_replace.jinja_pass_arg = jinja_filters.do_replace.jinja_pass_arg  # (eval_ctx first)
_join.jinja_pass_arg = jinja_filters.do_join.jinja_pass_arg
FILTERS = {"center": _center, "indent": _indent, "format": _format, "replace": _replace,
           "join": _join}


def check_str_call(obj: str, name: str, args: tuple, kwargs: dict) -> tuple:
    """A call of the string method ``name`` of ``obj``, refused where it would make a value
    too large; returns its arguments (what ``join`` is given, made a list: it was read)."""
    first = args[0] if args else None
    if name in ("center", "ljust", "rjust", "zfill") and _is_int(first):
        _refuse(first)
    elif name == "expandtabs":
        size = kwargs.get("tabsize", first if first is not None else 8)
        if _is_int(size):
            _refuse(abs(size))
            _refuse(len(obj) + max(size, 0) * obj.count("\t"))
    elif name == "replace" and len(args) >= 2:
        count = args[2] if len(args) > 2 else kwargs.get("count")
        _refuse(_replaced_size(obj, str(args[0]), str(args[1]),
                               count if _is_int(count) else None))
    elif name == "join" and args:
        items = list(args[0])
        _refuse(len(items))
        _refuse(_joined_size(items, obj))
        return (items, *args[1:])
    return args


# -- containers: their weight (what printing, comparing or encoding them walks) -------------
class _WList(list):
    """A list a template made, knowing its weight."""


class _WTuple(tuple):
    """A tuple a template made, knowing its weight."""


class _WDict(dict):
    """A dict a template made, knowing its weight."""


_WEIGHED = {list: _WList, tuple: _WTuple, dict: _WDict}


def weight(value: object) -> int:
    """What ``value`` comes to when printed, compared or encoded: a text its length, a list,
    tuple or dict its entries and theirs, counted through every reference (a list holding
    itself twice, doubled forty times, weighs 2^40, though each holds two items); anything
    else 1. A container a template made knows its own; past the limit the count stops."""
    known = getattr(value, "_weight", None)
    if known is not None:
        return known
    if isinstance(value, str | bytes):
        return len(value) + 1
    if isinstance(value, list | tuple | dict):
        total = len(value) + 1
        for part in (value.items() if isinstance(value, dict) else value):
            total += weight(part)
            if total > VALUE_LIMIT:
                break
        return total
    return 1


def weighed(value):
    """A list, tuple or dict a template made (a literal, a sum), refused when it weighs too
    much, else marked with its weight (so what holds it is weighed without walking it)."""
    size = weight(value)
    _refuse(size)
    kind = _WEIGHED.get(type(value))
    if kind is None:
        return value
    out = kind(value)
    out._weight = size
    return out


INT_BITS = 1 << 16  # the largest whole number one operation may make (some 20,000 digits)


def _check_int(operator: str, left: object, right: object) -> None:
    if not (_is_int(left) and _is_int(right)):
        return
    if operator == "*":
        bits = left.bit_length() + right.bit_length()
    elif operator == "**":
        bits = left.bit_length() * max(right, 0) if abs(left) > 1 else 0
    else:
        bits = max(left.bit_length(), right.bit_length()) + 1
    if bits > INT_BITS:
        raise TooBig(f"a number of about {int(bits * 0.30103):,} digits (at most "
                     f"{int(INT_BITS * 0.30103):,})")


class _LimitedGenerator(CodeGenerator):
    """Templates compiled with every ``~`` checked before its parts are joined, and every
    list, tuple and dict they write weighed as it is made."""

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.concat_limited(context.eval_ctx, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def visit_List(self, node, frame) -> None:
        self.write("environment.weighed(")
        super().visit_List(node, frame)
        self.write(")")

    def visit_Dict(self, node, frame) -> None:
        self.write("environment.weighed(")
        super().visit_Dict(node, frame)
        self.write(")")

    def visit_Tuple(self, node, frame) -> None:
        if node.ctx != "load":  # (a target: `for a, b in ...`)
            super().visit_Tuple(node, frame)
            return
        self.write("environment.weighed(")
        super().visit_Tuple(node, frame)
        self.write(")")


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox: no ``_`` attributes (``__globals__``, ``__subclasses__``),
    no calls that change a value; reaching for an unsafe attribute is an error at once, not an
    empty value, so the author learns the theme tried. Operations that grow a value are
    checked before they run (and so never worked out while a template is compiled)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _LimitedGenerator

    def __init__(self, **options):
        super().__init__(**options)
        self.filters.update(FILTERS)

    def weighed(self, value):
        return weighed(value)

    def call_binop(self, context, operator, left, right):
        _check_int(operator, left, right)
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | bytes | list | tuple) and _is_int(times):
                    _refuse(len(seq) * times)
                    if isinstance(seq, list | tuple):
                        _refuse(weight(seq) * max(times, 0))
                        return weighed(super().call_binop(context, operator, left, right))
        elif operator == "**":
            if _is_int(right) and isinstance(left, int | float) and abs(right) > POWER_LIMIT \
                    and abs(left) not in (0, 1):
                raise TooBig(f"a power of {right:,}")
        elif operator == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                _refuse(len(left) + len(right))
                if isinstance(left, list | tuple):
                    _refuse(weight(left) + weight(right))
                    return weighed(super().call_binop(context, operator, left, right))
        elif operator == "%" and isinstance(left, str):
            check_percent(left, right)
        return super().call_binop(context, operator, left, right)

    def concat_limited(self, eval_ctx, parts: tuple) -> str:
        """``a ~ b ~ ...``: refused when the parts come to more than the limit."""
        _refuse(sum(_text_size(p) for p in parts))
        join = markup_join if eval_ctx.volatile or eval_ctx.autoescape else str_join
        return join(parts)

    def call(__self, __context, __obj, *args, **kwargs):
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and not isinstance(owner, type):
            args = check_str_call(owner, getattr(__obj, "__name__", ""), args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, list | tuple | dict):  # (dict(d, a=d): a container made by a
            _refuse(weight(result))  # call can hold its arguments many times over)
        return result

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__
        is_map = value.__name__ == "format_map"

        def checked(*args, **kwargs):
            if is_map:
                check_format(fmt, (), args[0] if args and isinstance(args[0], dict) else {})
            else:
                check_format(fmt, args, kwargs)
            return wrapped(*args, **kwargs)

        return checked

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(f"{attribute!r} of {type(obj).__name__!r}")

    def getattr(self, obj, attribute):
        if attribute.startswith("__"):  # refused whether the value has it or not
            self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        if isinstance(argument, str) and argument.startswith("__"):
            self.unsafe_undefined(obj, argument)
        return super().getitem(obj, argument)
