"""The site's pages, rendered with Jinja2 (autoescaped) from a theme: the default theme shipped
in the package, overridden file by file by the project's ``theme:`` folder (its ``templates/``
and ``static/``), as Pelican and MkDocs themes are."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    FileSystemLoader,
    TemplateError,
    TemplateSyntaxError,
    meta,
    nodes,
    select_autoescape,
)
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from markupsafe import Markup

from ..errors import ItemError, SyndicateError
from ..markup import paired_bidi, shows_anything, xml_safe
from ..when import local
from .deadline import TookTooLong, TookTooMuch, within
from .sandbox import Sandbox, TooBig
from .sitemap import sitemap_problem

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


class _Compiled(BytecodeCache):
    """Templates compiled once a process: Jinja2 takes the code kept for a template's name and
    file only while the source's checksum is the one it was compiled from, so an edited
    template is compiled again (the scheduler publishes on every release: the theme is not
    parsed and compiled each time). Every Theme's environment is made alike (see Theme)."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Compiled()


RENDER_SECONDS = 15  # one page; the default theme makes one in milliseconds
RENDER_MEMORY = 512 << 20  # bytes the process may grow by while one page renders
PAGE_LIMIT = 64 << 20  # characters one page may come to
SANDBOXED = ("a theme may not reach Python internals, files or commands (templates are "
             "rendered in a sandbox); remove that expression")


class Theme:
    """The templates and static files of the default theme with the project's over them."""

    def __init__(self, folder: Path | None, zone: str, root: Path | None = None):
        self.folders = ([folder] if folder else []) + [DEFAULT_THEME]
        self.root = root  # the project: messages name templates relative to it
        self.zone = zone
        self.env = Sandbox(
            loader=ChoiceLoader([_ThemeLoader(str(f / "templates")) for f in self.folders]),
            autoescape=select_autoescape(["html", "xml"], default_for_string=True),
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            bytecode_cache=_COMPILED)
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
            if not self._folder_there(folder, base):
                continue
            real = os.path.realpath(folder)
            for path in self._walk(base):
                if path.name.startswith("."):
                    continue
                shown = self._shown(path)
                if not is_inside(path, real):
                    if warnings is not None:
                        warnings.append(f"{shown}: leads outside the theme folder; not used")
                    continue
                try:
                    regular = stat.S_ISREG(os.stat(path).st_mode)
                except (FileNotFoundError, NotADirectoryError):
                    regular = False  # (a link leading nowhere)
                except OSError as exc:
                    raise self.unreadable(path, exc) from None
                if not regular:
                    if warnings is not None:
                        warnings.append(f"{shown}: not a regular file; not used")
                    continue
                found[path.relative_to(base).as_posix()] = path
        return dict(sorted(found.items()))

    def _folder_there(self, folder: Path, base: Path) -> bool:
        """Whether the theme has the folder ``base`` (templates or static); a theme folder
        that cannot be read is an error naming it: the site keeps its last version rather
        than lose the theme's files or pages."""
        for place in (folder, base):
            try:
                st = os.stat(place)
            except (FileNotFoundError, NotADirectoryError):
                return False
            except OSError as exc:
                raise self.unreadable(place, exc) from None
            if not stat.S_ISDIR(st.st_mode):
                return False
        return True

    def _walk(self, base: Path) -> list[Path]:
        """Every file and link below ``base``, in order, a linked folder followed once; a
        folder that cannot be listed is an error naming it (never a theme file taken as gone,
        which would take its published copy off the site)."""
        out: list[Path] = []
        seen: set[str] = set()
        todo = [base]
        while todo:
            here = todo.pop()
            real = os.path.realpath(here)
            if real in seen:
                continue
            seen.add(real)
            try:
                entries = sorted(os.scandir(here), key=lambda e: e.name)
            except OSError as exc:
                raise self.unreadable(here, exc) from None
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError as exc:
                    raise self.unreadable(Path(entry.path), exc) from None
                (todo if is_dir else out).append(Path(entry.path))
        return sorted(out)

    def unreadable(self, path: Path, exc: OSError) -> SyndicateError:
        from ..sourcefiles import why_unreadable

        reason, hint = why_unreadable(exc, path)
        return SyndicateError(f"{self._shown(path)}: {reason} (of the theme); nothing is "
                              "published until it reads, since its pages and files would "
                              f"change or go: the live site stays as it is ({hint})")

    def _shown(self, path: Path) -> str:
        if self.root is not None and path.is_relative_to(self.root):
            return str(path.relative_to(self.root))
        return str(path)

    def fingerprint(self) -> str:
        """A hash of every template in effect: a page is rendered again when one changes."""
        if self._fingerprint is None:
            h = hashlib.sha256()
            for name, path in self.files("templates").items():
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    raise self.unreadable(path, exc) from None
                h.update(name.encode() + b"\0" + data + b"\0")
            self._fingerprint = h.hexdigest()
        return self._fingerprint

    def render(self, name: str, **context) -> bytes:
        """The template ``name`` rendered; a template that fails is an ItemError naming its
        file and line (a page cannot be made: its last published version stays)."""
        stopped = self._stopped(name)
        if stopped is not None:  # once is enough: not another 15 s for every page using it
            raise stopped
        template = None
        try:
            template = self.env.get_template(name)
            page = self._generated(template, context)
        except TookTooLong as exc:
            where, line = self._where(exc, template, name)
            what = (f"a page took over {RENDER_MEMORY >> 20} MB of memory to render (values "
                    "piling up in a loop?)" if isinstance(exc, TookTooMuch) else
                    f"a page took over {RENDER_SECONDS} s to render (a loop that runs too "
                    "long?)")
            error = self._error(where, line, f"{what}; every page using this template is "
                                             "left as last published")
            self._too_slow[where] = error
            raise error from None
        except TemplateSyntaxError as exc:
            raise self._error(exc.filename or name, exc.lineno, exc.message or str(exc)) \
                from None
        except (TemplateError, TypeError, ValueError, AttributeError, KeyError,
                ArithmeticError, RecursionError, MemoryError) as exc:
            where, line = self._where(exc, template, name)
            lacking = self._lacking_import(exc)
            if lacking is not None:  # the author's override of an imported template: named
                raise lacking from None
            if isinstance(exc, RecursionError):
                what = ("it calls, includes or extends itself without end, or holds values "
                        "nested too deep")
            elif isinstance(exc, ValueError) and "int_max_str_digits" in str(exc):
                what = "a number of more than 4,300 digits cannot be written; make it smaller"
            elif isinstance(exc, TooBig):
                what = f"{exc}: too large for a page; make it smaller"
            elif isinstance(exc, MemoryError):
                what = "it needs more memory than this machine gives a page; make it smaller"
            elif isinstance(exc, SecurityError):
                what = f"the sandbox refused {str(exc).rstrip('.')}: {SANDBOXED}"
            else:
                what = f"{type(exc).__name__}: {exc}"
            raise self._error(where, line, what) from None
        filename = getattr(template, "filename", None) or name
        if name.endswith(".html") and not shows_anything(page):
            raise self._error(filename, None, "the page it makes shows nothing (no text, no "
                                              "image); a half-saved template?")
        data = page.encode("utf-8")
        if name == "sitemap.xml":
            site = context.get("site") or {}
            home = str(site.get("url", "")) if isinstance(site, dict) else ""
            problem = sitemap_problem(data, home[:home.rfind("/") + 1])  # (its folder: a
            # site linking files names its home page index.html)
            if problem:
                raise self._error(filename, None, problem)
        return data

    _IMPORT = re.compile(r"the template '([^']+)' \(imported on line \d+ in '([^']+)'\) "
                         r"does not export the requested name")

    def _lacking_import(self, exc: BaseException) -> ItemError | None:
        """A template of the project's theme that overrides one the default theme's templates
        import, without a macro they import from it: one error naming that file and every
        macro it lacks (not one per page template, each naming a file of the package)."""
        found = self._IMPORT.search(str(exc))
        if not found or len(self.folders) < 2:
            return None
        imported = found.group(1)
        try:
            _, path, _ = self.env.loader.get_source(self.env, imported)
        except (TemplateError, OSError, ItemError):
            return None
        default = DEFAULT_THEME / "templates" / imported
        if Path(path) == default or not default.is_file():
            return None

        def macros(source: str) -> set[str]:
            try:
                return {m.name for m in self.env.parse(source).find_all(nodes.Macro)}
            except TemplateError:
                return set()

        own = macros(Path(path).read_text(encoding="utf-8", errors="replace"))
        missing = sorted(macros(default.read_text(encoding="utf-8")) - own)
        if not missing:
            return None
        names = ", ".join(f"'{m}'" for m in missing)
        return self._error(path, None, f"it overrides the default theme's {imported} but does "
                                       f"not define {names}, which the default templates "
                                       "import from it; copy them from the default theme's "
                                       f"{imported} (or override the templates importing them)")

    def _where(self, exc: BaseException, template, name: str) -> tuple[str, int | None]:
        """The theme file (and line) a failure happened in: the deepest template frame of its
        traceback (the author's base.html, not the page template extending it)."""
        roots = [str(f / "templates") for f in self.folders]
        # Jinja2 gives its own exceptions' tracebacks the template's lines; an interruption
        # it never sees carries the compiled code's
        mapped = not isinstance(exc, TookTooLong)
        for frame, line in reversed(list(traceback.walk_tb(exc.__traceback__))):
            filename = frame.f_code.co_filename
            if any(filename.startswith(r) for r in roots):
                return filename, line if mapped else self._template_line(filename, line)
        return getattr(template, "filename", None) or name, None

    def _template_line(self, filename: str, pyline: int) -> int | None:
        """A line of a template's compiled code as the line of the template (Jinja2 maps its
        own tracebacks so; an interruption it never sees is mapped here)."""
        for tmpl in list(self.env.cache.values()) if self.env.cache is not None else []:
            if getattr(tmpl, "filename", None) == filename:
                try:
                    return tmpl.get_corresponding_lineno(pyline)
                except (AttributeError, ValueError):
                    return None
        return None

    def _stopped(self, name: str) -> ItemError | None:
        """The error of a template stopped before (too slow or too large) that ``name`` is,
        or extends, includes or imports (whatever the depth)."""
        if not self._too_slow:
            return None
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            try:
                source, filename, _ = self.env.loader.get_source(self.env, current)
            except (TemplateError, OSError, ItemError):
                continue
            if filename in self._too_slow:
                return self._too_slow[filename]
            try:
                refs = meta.find_referenced_templates(self.env.parse(source))
            except TemplateError:
                continue
            todo += [r for r in refs if isinstance(r, str)]
        return None

    @staticmethod
    def _generated(template, context: dict) -> str:
        """The page, made within ``RENDER_SECONDS`` and ``RENDER_MEMORY``, up to ``PAGE_LIMIT``
        characters."""
        parts, size = [], 0
        with within(RENDER_SECONDS, RENDER_MEMORY):
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
