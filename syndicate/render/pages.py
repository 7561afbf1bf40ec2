"""The site's pages, rendered with Jinja2 (autoescaped) from a theme: the default theme shipped
in the package, overridden file by file by the project's ``theme:`` folder (its ``templates/``
and ``static/``), as Pelican and MkDocs themes are."""

from __future__ import annotations

import hashlib
import json
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..errors import ItemError
from ..markup import paired_bidi, xml_safe
from ..when import local
from .deadline import TookTooLong, within

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"
TEMPLATE_LIMIT = 1 << 20  # bytes


def clean(value: object) -> str:
    """Text fit for a page: characters no HTML or XML document may carry removed, and bidi
    controls not paired within the text (so a title cannot turn the direction of what follows
    it in ``<title>`` or on the page); the templates escape the rest."""
    return paired_bidi(xml_safe("" if value is None else str(value)))


def jsonld(value: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` element: ``<``, ``>`` and ``&`` as
    JSON escapes, so no text in it can end the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return Markup(text)


def clock(seconds: float | None) -> str:
    """``1:02:03`` or ``2:03``: a duration or a chapter start as a player shows it."""
    if seconds is None:
        return ""
    total = int(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def megabytes(size: int | None) -> str:
    return "" if not size else f"{size / 1_000_000:.1f} MB"


@dataclass
class Item:
    """What a template knows of a post or an episode in a list (and of a page's neighbours)."""

    title: str
    date: str  # ISO 8601 with its offset (shown in site.timezone by the ``day`` filter)
    url: str
    kind: str = "post"
    summary: str = ""
    preview: str | None = None  # "draft" or "queued" in a `serve --drafts` preview
    tags: list[tuple[str, str]] = field(default_factory=list)  # (name, url)
    season: int | None = None
    number: int | None = None

    _hashed: str | None = field(default=None, repr=False, compare=False)

    def key(self) -> list:
        """What a page shows of this item, for the hash of every page that lists it."""
        return [self.title, self.date, self.url, self.summary, self.preview, self.tags,
                self.season, self.number]

    def hashed(self) -> str:
        """``key()`` as JSON, made once (a page's hash, its neighbours' and its lists' use it):
        asked only once the item is complete (its tags set)."""
        if self._hashed is None:
            self._hashed = json.dumps(self.key(), sort_keys=True, default=str)
        return self._hashed


class _ThemeLoader(FileSystemLoader):
    """Templates read as sources are: from inside their theme folder once links are resolved,
    regular files of bounded size (a link leading out is refused, never rendered)."""

    def get_source(self, environment, template):
        from ..sourcefiles import confine

        folder = Path(self.searchpath[0])
        path = folder.joinpath(*split_template_path(template))
        if path.is_file():  # (a pipe or a device is not: the loader never opens one)
            confine(path, folder, str(path), what="the template")
            if path.stat().st_size > TEMPLATE_LIMIT:
                raise ItemError(str(path), f"over {TEMPLATE_LIMIT >> 20} MB: too large for a "
                                           "template")
        return super().get_source(environment, template)


RENDER_SECONDS = 15  # one page; the default theme makes one in milliseconds
PAGE_LIMIT = 64 << 20  # characters one page may come to
VALUE_LIMIT = 4 << 20  # characters (or items) a `*` in a template may make


class TooBig(SecurityError):
    """A value or a page past the sandbox's limits (not a reach for Python internals)."""


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's sandbox, which keeps a theme (perhaps someone else's) from Python internals,
    files and commands: no ``_`` attributes (``__globals__``, ``__subclasses__``), no calls
    that change a value. Reaching for an unsafe attribute is an error at once, not an empty
    value, so the author learns the theme tried. ``*`` and ``**`` are checked before they run
    (and so never worked out while a template is compiled): a string or list of millions, or a
    number of thousands of digits, is refused."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | bytes | list | tuple) and isinstance(times, int) \
                        and len(seq) * times > VALUE_LIMIT:
                    raise TooBig(f"a value of {len(seq) * times:,} characters or items "
                                        f"(at most {VALUE_LIMIT:,})")
        if operator == "**" and isinstance(right, int) and isinstance(left, int | float) \
                and abs(right) > 256 and abs(left) not in (0, 1):
            raise TooBig(f"a power of {right:,}")
        return super().call_binop(context, operator, left, right)

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


SANDBOXED = ("a theme may not reach Python internals, files or commands (templates are "
             "rendered in a sandbox); remove that expression")


class Theme:
    """The templates and static files of the default theme with the project's over them."""

    def __init__(self, folder: Path | None, zone: str, root: Path | None = None):
        self.folders = ([folder] if folder else []) + [DEFAULT_THEME]
        self.root = root  # the project: messages name templates relative to it
        self.zone = zone
        self.env = _Sandbox(
            loader=ChoiceLoader([_ThemeLoader(str(f / "templates")) for f in self.folders]),
            autoescape=select_autoescape(["html", "xml"], default_for_string=True),
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.env.filters.update(day=self.day, jsonld=jsonld, clock=clock, mb=megabytes,
                                clean=clean, urlhost=lambda u: urlsplit(u).hostname or u)
        self._fingerprint: str | None = None
        self._too_slow: dict[str, ItemError] = {}  # templates past their time, said once

    def day(self, iso: str) -> str:
        """``20 October 2026``: the day an instant falls on in the site's time zone."""
        when = local(iso, self.zone)
        return f"{when.day} {when:%B %Y}"

    def files(self, part: str, warnings: list[str] | None = None) -> dict[str, Path]:
        """Relative name: path of every file under ``part`` (templates or static), the
        project's theme taking precedence over the default one. A file whose link leads out of
        its theme folder, or that is not a regular file, is left out (a warning naming it)."""
        from ..sourcefiles import is_inside

        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            base = folder / part
            if not base.is_dir():
                continue
            real = os.path.realpath(folder)
            for path in sorted(base.rglob("*")):
                if path.name.startswith(".") or path.is_dir():
                    continue
                shown = self._shown(path)
                if not is_inside(path, real):
                    if warnings is not None:
                        warnings.append(f"{shown}: leads outside the theme folder; not used")
                    continue
                if not path.is_file():
                    if warnings is not None:
                        warnings.append(f"{shown}: not a regular file; not used")
                    continue
                found[path.relative_to(base).as_posix()] = path
        return dict(sorted(found.items()))

    def _shown(self, path: Path) -> str:
        if self.root is not None and path.is_relative_to(self.root):
            return str(path.relative_to(self.root))
        return str(path)

    def fingerprint(self) -> str:
        """A hash of every template in effect: a page is rendered again when one changes."""
        if self._fingerprint is None:
            h = hashlib.sha256()
            for name, path in self.files("templates").items():
                h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
            self._fingerprint = h.hexdigest()
        return self._fingerprint

    def render(self, name: str, **context) -> bytes:
        """The template ``name`` rendered; a template that fails is an ItemError naming its
        file and line (a page cannot be made: its last published version stays)."""
        if name in self._too_slow:  # once is enough: not another 15 s for every page
            raise self._too_slow[name]
        template = None
        try:
            template = self.env.get_template(name)
            return self._generated(template, context).encode("utf-8")
        except TookTooLong:
            self._too_slow[name] = self._error(
                getattr(template, "filename", None) or name, None,
                f"a page took over {RENDER_SECONDS} s to render (a loop that "
                "runs too long?); every page of this template is left as last published")
            raise self._too_slow[name] from None
        except TemplateSyntaxError as exc:
            raise self._error(exc.filename or name, exc.lineno, exc.message or str(exc)) \
                from None
        except (TemplateError, TypeError, ValueError, AttributeError, KeyError,
                ArithmeticError, RecursionError) as exc:
            # the template line it happened on: Jinja2 puts template frames in the traceback
            roots = [str(f / "templates") for f in self.folders]
            frames = [f for f in traceback.extract_tb(exc.__traceback__)
                      if any(f.filename.startswith(r) for r in roots)]
            where, line = (frames[-1].filename, frames[-1].lineno) if frames else \
                (getattr(template, "filename", None) or name, None)
            if isinstance(exc, RecursionError):
                what = "it calls, includes or extends itself without end"
            elif isinstance(exc, TooBig):
                what = f"{exc}: too large for a page; make it smaller"
            elif isinstance(exc, SecurityError):
                what = f"the sandbox refused {str(exc).rstrip('.')}: {SANDBOXED}"
            else:
                what = f"{type(exc).__name__}: {exc}"
            raise self._error(where, line, what) from None

    @staticmethod
    def _generated(template, context: dict) -> str:
        """The page, made within ``RENDER_SECONDS`` and up to ``PAGE_LIMIT`` characters."""
        parts, size = [], 0
        with within(RENDER_SECONDS):
            for part in template.generate(**context):
                size += len(part)
                if size > PAGE_LIMIT:
                    raise TooBig(f"a page of over {PAGE_LIMIT >> 20} M characters")
                parts.append(part)
        return "".join(parts)

    def _error(self, path: str, line: int | None, what: str) -> ItemError:
        """One line naming the template file and line (carried in the path, so the message
        keeps it wherever it is passed on), what went wrong and what to do."""
        shown = self._shown(Path(path))
        where = f"{shown}:{line}" if line else shown
        return ItemError(where, f"template error: {what}; fix the template")
