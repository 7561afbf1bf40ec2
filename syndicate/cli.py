"""The command line: parse arguments, load the config, call one library function, report.

Library errors (SyndicateError) become ``Error: ...`` lines with no traceback. Exit codes:
0 done, 1 some items or the publish failed (the rest was published), 2 bad config or usage.
"""

from __future__ import annotations

import atexit
import datetime as dt
import errno
import gc
import json
import os
import shlex
import sys
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from . import __version__, reports
from .errors import ConfigError, SyndicateError, printable
from .progress import EncodeBars, UploadBar
from .urls import redact_text
from .when import MAX_YEAR, MIN_YEAR, parse_day, stored

if TYPE_CHECKING:
    from .config import Settings

# The catalog, collect and publish load inside the commands that use them: a publish to S3 has
# its first requests on their way before they do (see publish.publish).

CONFIG_HELP = "Path of the config file [default: config.yaml]."
JSON_HELP = "Print one JSON document for scripts (errors too, with a non-zero exit)."

# A command runs once and ends: the cyclic collector's passes (a fifth of a no-change publish's
# time at the default threshold, for a few hundred objects found) run fifty times less often.
# What is freed by reference counting (nearly everything) is freed at once as before. The config
# (pydantic) loads after this, in _load.
gc.set_threshold(35_000, 20, 20)

# Every object lives until the process ends: the collector's last full pass over them all (the
# S3 client's service model alone is large) would only delay the exit by a tenth of a second.
atexit.register(gc.freeze)


def _now(value: str | None) -> dt.datetime:
    """The only place the wall clock is read."""
    if value:
        from .when import WhenError, parse_date

        try:
            return parse_date(value, "UTC")  # without an offset: UTC
        except WhenError as exc:
            raise click.BadParameter(str(exc), param_hint="'--now'") from None
    return dt.datetime.now(dt.UTC)


def config_option(f):
    """The old per-command ``--config``, kept (hidden) so scripts written for it still run;
    ``syndicate --config PATH COMMAND`` is the documented form."""
    return click.option("--config", "config_path", default=None, hidden=True,
                        help=CONFIG_HELP)(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help=JSON_HELP)(f)


def now_option(f):
    return click.option("--now", "now_text", hidden=True,
                        help="Pretend the time is this (ISO 8601).")(f)


def _config_path(given: str | None) -> str:
    """The command's own --config, else the group's, else ./config.yaml."""
    if given:
        return given
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root().params.get("config_path") if ctx else None
    return root or "config.yaml"


def _echo(text: str) -> None:
    """A line of a report printed directly (not through _Out): escaped as _Out.line does."""
    click.echo(printable(text))


class _Out:
    """Where a command's report goes: text lines on stdout, or with --json one document on
    stdout when the command ends; ``Warning:``/``Error:`` lines on stderr either way (the
    document carries them too, and under --json they follow it, as they always have)."""

    def __init__(self, command: str, as_json: bool):
        self.as_json = as_json
        self.doc = reports.envelope(command)
        self._said: list[str] = []  # stderr lines held until the document is out (--json)

    def line(self, text: str) -> None:
        """One line of the report: a name or title in it (a file name may hold a line break or
        a bidi control) cannot forge another line or reorder what the terminal shows."""
        if not self.as_json:
            click.echo(printable(text))

    def _say(self, text: str) -> None:
        text = "\n".join(printable(part) for part in text.split("\n"))  # (see line)
        if self.as_json:
            self._said.append(text)
        else:
            click.echo(text, err=True)

    def warn(self, message) -> None:
        """Said on stderr, and (--json) in the document's "warnings"."""
        self.doc["warnings"].append(reports.text(message))
        self._say(f"Warning: {redact_text(message)}")

    def error(self, message) -> None:
        """Said on stderr, and (--json) in the document's "errors"."""
        self.doc["errors"].append(reports.text(message))
        self._say(f"Error: {redact_text(message)}")

    def end(self, code: int = 0, **fields) -> None:
        """Print the document (--json) and exit with ``code`` if it is not 0."""
        if self.as_json:
            self.doc.update(fields)
            self.doc["ok"] = code == 0
            click.echo(json.dumps(self.doc, indent=2, ensure_ascii=False))
            self.flush()
        if code:
            raise SystemExit(code)

    def flush(self) -> None:
        """Say the held stderr lines (after a command's own JSON is out)."""
        for text in self._said:
            click.echo(text, err=True)
        self._said.clear()

    def fail(self, exc: SyndicateError) -> NoReturn:
        self.error(exc)
        self.end(exc.exit_code or 1)
        raise SystemExit(exc.exit_code or 1)  # (an exit code of 0 is no failure)


def _load(path: str | None, out: _Out | None = None) -> Settings:
    from .config import load_config

    out = out or _Out("", False)
    try:
        settings = load_config(_config_path(path))
    except ConfigError as exc:
        for problem in exc.problems:
            out.error(problem)
        out.end(exc.exit_code)
        raise SystemExit(exc.exit_code) from None
    for w in settings.warnings:
        out.warn(w)
    return settings


def _fail(exc: SyndicateError) -> NoReturn:
    """``Error: ...`` on stderr and the error's exit code (for a command with no --json)."""
    _Out("", False).fail(exc)


def _report(errors, warnings) -> None:
    """Warnings, then errors, on stderr (for a command with no --json)."""
    out = _Out("", False)
    for w in warnings:
        out.warn(w)
    for e in errors:
        out.error(e)


def _refresh(settings: Settings, out: _Out, now: dt.datetime | None = None) -> list[str]:
    """Import from the config's ``sources:`` (unchanged ones are not parsed); returns errors."""
    out.doc["sources"] = None  # (none configured)
    if not settings.config.sources:
        return []
    from .importer.refresh import refresh_sources

    try:
        report = refresh_sources(settings, now=now)
    except SyndicateError as exc:
        return [str(exc)]
    out.doc["sources"] = reports.sources(report)
    if report.created or report.merged or report.skipped:
        out.line(f"Sources: created {len(report.created)}, merged {len(report.merged)}, "
                 f"skipped {len(report.skipped)}, flagged {len(report.flagged)}")
    for e in report.skipped:
        out.warn(f"{e['source']}: {e['title']!r} skipped: {e['reason']}")
    for e in report.flagged:  # as a manual import says them; each is in the file's review:
        out.warn(f"{e.get('file') or e['source']}: {e['title']!r} to review: {e['reason']}")
    return report.errors


def _collect(settings: Settings, now_text: str | None, out: _Out):
    from .catalog import open_catalog
    from .collect import collect as collect_items

    bars = EncodeBars()
    try:
        with open_catalog(settings.catalog_path) as cat:
            return collect_items(settings, cat, now=_now(now_text), progress=bars)
    except SyndicateError as exc:
        out.fail(exc)
    finally:
        bars.close()


def _collect_line(report) -> str:
    return (f"Collected: {len(report.created)} new, {len(report.updated)} updated, "
            f"{report.unchanged} unchanged, {len(report.removed)} removed, "
            f"{len(report.errors)} failed")


class _Guarded:
    """A text stream whose write errors (a full disk under a log file, a closed pipe) end the
    output, not the command: the work goes on and its exit code stands."""

    def __init__(self, stream):
        self._stream = stream
        self.failed: OSError | None = None

    def write(self, text):
        if self.failed is None:
            try:
                return self._stream.write(text)
            except OSError as exc:
                self._fail(exc)
        return len(text)

    def flush(self) -> None:
        if self.failed is None:
            try:
                self._stream.flush()
            except OSError as exc:
                self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        import os

        self.failed = exc
        try:  # what is still buffered would fail again when Python exits
            fd = self._stream.fileno()
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)
            os.close(null)
        except (OSError, ValueError, AttributeError):
            pass

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _unforeseen(exc: OSError) -> None:
    """The last resort for a file the command met without a way of its own to name it (a
    folder that cannot be entered, a file made unreadable while it ran): one line naming the
    file and what to do, exit 1, never a traceback. What was published stays as it was: every
    write is a whole file renamed into place, and the next publish finishes what this began."""
    reason, hint = _unforeseen_words(exc)
    click.echo(f"Error: {reason} ({hint})", err=True)
    sys.exit(1)


def _unforeseen_words(exc: OSError) -> tuple[str, str]:
    from .sourcefiles import why_unreadable

    reason, hint = why_unreadable(exc, exc.filename)
    return f"{printable(os.fsdecode(exc.filename))}: {reason}", hint


class _Commands(click.Group):
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        """Run a command; output that cannot be written is said once, on stderr if it can
        be, as ``Error: cannot write output: ...``, with the command's own exit code. With
        --json, a usage error (a bad option, a missing argument) is a JSON document too."""

        argv = list(sys.argv[1:] if args is None else args)
        saved = sys.stdout, sys.stderr
        guards = sys.stdout, sys.stderr = _Guarded(saved[0]), _Guarded(saved[1])
        try:
            if "--json" not in argv or not standalone_mode:
                try:
                    return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
                except OSError as exc:
                    if exc.filename is None or not standalone_mode:
                        raise
                    _unforeseen(exc)
            try:
                code = super().main(argv, prog_name, complete_var, False, **extra)
            except click.ClickException as exc:
                doc = reports.envelope(self._command_name(argv))
                doc["ok"] = False
                doc["errors"].append(reports.text(exc.format_message()))
                click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
                click.echo(f"Error: {doc['errors'][0]}", err=True)
                sys.exit(exc.exit_code)
            except click.Abort:
                click.echo("Aborted!", err=True)
                sys.exit(1)
            except OSError as exc:
                if exc.filename is None:
                    raise
                doc = reports.envelope(self._command_name(argv))
                doc["ok"] = False
                reason, hint = _unforeseen_words(exc)
                doc["errors"].append(f"{reason} ({hint})")
                click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
                _unforeseen(exc)
            sys.exit(code if isinstance(code, int) else 0)
        finally:
            sys.stdout, sys.stderr = saved
            failed = [(name, g.failed) for name, g in zip(("output", "error output"), guards,
                                                             strict=True) if g.failed]
            if failed and guards[1].failed is None:
                from .space import FULL

                for name, exc in failed:
                    if exc.errno == errno.EPIPE:
                        continue  # the reader went away (| head): nothing to tell it
                    why = "no space left on the device it goes to" \
                        if exc.errno in FULL else (exc.strerror or str(exc))
                    try:
                        saved[1].write(f"Error: cannot write the {name}: {why}; the command "
                                       "itself ran (its exit code says how it went)\n")
                        saved[1].flush()
                    except OSError:
                        pass

    def _command_name(self, argv: list[str]) -> str:
        """The command named in ``argv`` ("publish", "new post"), as far as it goes."""
        words = [a for a in argv if not a.startswith("-")]
        group: click.Command = self
        names: list[str] = []
        for word in words:
            sub = group.commands.get(word) if isinstance(group, click.Group) else None
            if sub is None:
                if names:
                    break
                continue  # the value of a group option (--config PATH)
            names.append(word)
            group = sub
        return " ".join(names)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicate")
@click.option("--config", "config_path", default=None, metavar="PATH", help=CONFIG_HELP)
def main(config_path: str | None) -> None:
    """Publish one author's blog and podcast: collect posts and episodes, render the blog feeds
    (RSS and Atom) and the podcast feed, and write the site to its target."""


@main.command()
@click.argument("folder", required=False)
@config_option
@json_option
@now_option
def init(folder: str | None, config_path: str | None, as_json: bool,
         now_text: str | None) -> None:
    """Make a new project in FOLDER (default: here): a config.yaml explaining each setting, a
    sample post, an episodes/ folder and a placeholder cover. Publishes as it stands; never
    overwrites (a folder holding anything but hidden files is refused)."""
    from .scaffold import init_project

    out = _Out("init", as_json)
    chosen = config_path or click.get_current_context().find_root().params.get("config_path")
    if folder is not None and chosen and \
            Path(chosen).absolute().parent != Path(folder).absolute():
        out.error(f"init was given FOLDER {folder} and --config {chosen}, which is not directly "
                  "in it (a project's folder is its config's: posts/ and episodes/ sit beside "
                  "it): give FOLDER alone (its config.yaml is written inside), --config alone "
                  "(the project is made in its folder), or a --config directly in FOLDER")
        out.end(2)
    given = _config_path(config_path) if folder is None else chosen
    where = Path(folder) if folder is not None else Path(given).parent
    name = Path(given).name if given else "config.yaml"
    try:
        done = init_project(where, now=_now(now_text), config_name=name)
    except SyndicateError as exc:
        out.fail(exc)
    for rel in done.files:
        out.line(f"  created  {done.root / rel}")
    out.line(f"New project in {done.root}: edit {done.config} (the lines marked \"change "
             "this\"), then run syndicate publish")
    out.end(0, **reports.created_project(done))


@main.group()
def new() -> None:
    """Start a post or an episode: a file with today's date (and the next episode number),
    ready to edit."""


def _draft_line(item) -> str:
    return (" as a draft (remove 'draft: true' to publish it)" if item.draft else "")


@new.command("post")
@click.argument("title")
@click.option("--date", "date", default=None,
              help="The post's date [default: today in site.timezone]: YYYY-MM-DD, "
                   "YYYY-MM-DD HH:MM, or ISO 8601 with an offset.")
@click.option("--draft/--no-draft", default=True, show_default=True,
              help="Write 'draft: true', so no publish takes it before it is ready.")
@json_option
@config_option
@now_option
def new_post_cmd(title: str, date: str | None, draft: bool, as_json: bool,
                 config_path: str | None, now_text: str | None) -> None:
    """Write posts/YYYY-MM-DD-slug.md with TITLE and today's date in its front matter (never
    over an existing file: slug-2, slug-3...)."""
    from .newitems import new_post

    out = _Out("new post", as_json)
    settings = _load(config_path, out)
    try:
        item = new_post(settings, title, now=_now(now_text), date=date, draft=draft)
    except SyndicateError as exc:
        out.fail(exc)
    doc = reports.new_item(item, settings.root)
    out.line(f"Created {doc['file']}{_draft_line(item)}")
    out.end(0, **doc)


@new.command("episode")
@click.argument("audio_file", metavar="AUDIO")
@click.option("--title", required=True, help="The episode's title.")
@click.option("--number", type=int, default=None,
              help="Episode number [default: the highest in its season + 1].")
@click.option("--season", type=int, default=None,
              help="Season [default: the latest season, if the show has seasons].")
@click.option("--date", "date", default=None,
              help="The episode's date [default: today in site.timezone].")
@click.option("--draft/--no-draft", default=True, show_default=True,
              help="Write 'draft: true', so no publish takes it before it is ready.")
@json_option
@config_option
@now_option
def new_episode_cmd(audio_file: str, title: str, number: int | None, season: int | None,
                    date: str | None, draft: bool, as_json: bool, config_path: str | None,
                    now_text: str | None) -> None:
    """Write the YAML sidecar of the episode whose audio is AUDIO, with its title, today's
    date and the next episode number. Audio inside episodes/ stays where it is; audio from
    elsewhere is copied in as NNN-slug.EXT."""
    from .newitems import new_episode

    out = _Out("new episode", as_json)
    settings = _load(config_path, out)
    try:
        item = new_episode(settings, audio_file, title, now=_now(now_text), number=number,
                           season=season, date=date, draft=draft)
    except SyndicateError as exc:
        out.fail(exc)
    for w in item.warnings:
        out.warn(w)
    doc = reports.new_item(item, settings.root)
    season_text = f"season {item.season}, " if item.season is not None else ""
    copied = f" (copied from {audio_file})" if item.copied else ""
    out.line(f"Created {doc['file']} for {doc['audio']}{copied}: {season_text}episode "
             f"{item.number}{_draft_line(item)}")
    out.end(0, **doc)


@main.command()
@click.option("--dry-run", is_flag=True, help="Print what would be written; change nothing.")
@click.option("--force", is_flag=True, help="Allow removals the guards hold back (more than "
              "max_deletes, every live entry of a feed, live entries a new catalog would drop, a "
              "moved feed's old file), and overwriting files syndicate did not publish in the "
              "site folder. Also reads every source by its content, and hashes every live file "
              "of a site folder, putting back those edited by hand.")
@click.option("--overwrite", is_flag=True, help="Only overwrite files syndicate did not publish "
              "in the site folder; the guards on removals stay on.")
@click.option("--remove", "remove", multiple=True, metavar="ITEM",
              help="Confirm the removal of this live item (its title, slug, guid or file), gone "
                   "from its folder or set to draft: no guard holds it back; every other guard "
                   "stays on. Repeat for each item.")
@click.option("--verify", is_flag=True, help="S3: read every object's headers (one request "
              "each) and put back Content-Type / Cache-Control edited by hand.")
@json_option
@config_option
@now_option
def publish(dry_run: bool, force: bool, overwrite: bool, remove: tuple[str, ...], verify: bool,
            as_json: bool, config_path: str | None, now_text: str | None) -> None:
    """Collect the sources and publish the site to the configured target.

    Items dated in the future, and drafts, are left out. An item that fails to read is reported
    and keeps its last published version; everything else is still published.
    """
    from .publish import publish as publish_site

    out = _Out("publish", as_json)
    settings = _load(config_path, out)
    out.doc["sources"] = None
    source_errors = [] if dry_run else _refresh(settings, out, _now(now_text))
    bars, upload_bar = EncodeBars(), UploadBar()
    try:
        result = publish_site(settings, now=_now(now_text), dry_run=dry_run, force=force,
                              overwrite=overwrite, progress=bars, uploaded=upload_bar,
                              verify=verify, remove=remove)
    except SyndicateError as exc:
        out.fail(exc)
    finally:
        bars.close()
        upload_bar.close()
    plan = result.plan
    out.line(_collect_line(result.collected))
    if dry_run:
        out.line(f"Dry run: would write {len(plan.writes)} files ({plan.bytes:,} bytes), "
                 f"fix headers of {len(plan.header_fixes)}, delete {len(plan.deletes)}; "
                 f"{plan.unchanged} unchanged")
        for name in result.would_encode:
            out.line(f"  encode {name}  (new or changed audio: encoded, then published, "
                     "by a publish)")
        for line in plan.lines():
            out.line(f"  {line}")
        from .cdn import to_send

        sent, wide = to_send(settings, result.cdn_paths) if result.cdn_paths else ([], "")
        for path in sent:
            out.line(f"  invalidate {path}  ("
                     + (wide.split(": ", 1)[1] if wide else "changed")
                     + ": the CDN is told to forget it)")
    else:
        target = settings.config.target
        out.line(f"Published to {target}: wrote {len(plan.writes)} files ({plan.bytes:,} bytes),"
                 f" deleted {len(plan.deletes)}; {plan.unchanged} unchanged")
        if plan.held_deletes:
            out.error(f"{len(plan.held_deletes)} published files are no longer produced, "
                      f"more than max_deletes ({settings.config.max_deletes}); nothing was "
                      "deleted. Check the sources, then run again with --force.")
        for done in result.after:
            out.line(done)
    if result.held_items:
        n = len(result.held_items)
        out.error(f"{n} published {'item is' if n == 1 else 'items are'} gone from "
                  f"their sources, more than max_deletes ({settings.config.max_deletes}); "
                  f"{'it stays' if n == 1 else 'they stay'} published, feed entries and pages. "
                  "Check the sources; if they are meant to go, run `syndicate publish "
                  + " ".join(f"--remove {shlex.quote(name)}" for name in result.held_items)
                  + "` (it confirms these removals only; --force would lift every guard).")
    for w in result.warnings:
        if w not in settings.warnings:  # config warnings: said once, by _load
            out.warn(w)
    for e in [*source_errors, *result.errors]:
        out.error(e)
    out.end(1 if not result.ok or source_errors else 0,
            **reports.published(result, settings.config.target))


@main.command()
@json_option
@config_option
@now_option
def collect(as_json: bool, config_path: str | None, now_text: str | None) -> None:
    """Read posts/ and episodes/ into the catalog without publishing."""
    out = _Out("collect", as_json)
    settings = _load(config_path, out)
    source_errors = _refresh(settings, out, _now(now_text))
    report = _collect(settings, now_text, out)
    out.line(_collect_line(report))
    for w in report.warnings:
        out.warn(w)
    for e in [*source_errors, *report.errors]:
        out.error(e)
    out.end(1 if report.errors or source_errors else 0, collected=reports.collected(report))


def _left(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds <= 0:
        return "due now"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"in {days}d {hours}h"
    if hours:
        return f"in {hours}h {minutes:02d}m"
    return f"in {minutes}m {rest % 60:02d}s" if minutes else f"in {rest}s"


@main.command()
@json_option
@config_option
@now_option
def status(as_json: bool, config_path: str | None, now_text: str | None) -> None:
    """List every item: kind, state (draft, queued, released, failed, held, removed), release
    time in local time and UTC, time left, title and source. A held item is gone from its
    folder but still live, because a guard held its removal (the reason is printed under it).
    On a catalog on PostgreSQL, also the scheduler (`syndicate run`) releasing from it."""
    from .release import states

    out = _Out("status", as_json)
    settings = _load(config_path, out)
    try:
        items = states(settings, now=_now(now_text))
        if settings.catalog_on_server:
            from .leader import leader

            lead = leader(settings.catalog_path)
            for item in items:  # (the document stays a list of items)
                item["scheduler"] = lead
    except SyndicateError as exc:
        out.fail(exc)
    if as_json:  # a list of items, as it has always been (an error is the usual document)
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        out.flush()
        return
    zone = zoneinfo.ZoneInfo(settings.config.site.timezone)
    click.echo(f"{'KIND':<8} {'STATE':<9} {'RELEASE (' + zone.key + ')':<22} {'UTC':<17} "
               f"{'LEFT':<12} TITLE  [SOURCE]")
    for o in sorted(items, key=lambda o: o["release_utc"], reverse=True):
        local = stored(o["release_utc"]).astimezone(zone)
        local = f"{local:%Y-%m-%d %H:%M %Z}"
        flag = "  (error: see publish)" if o["error"] else ""
        click.echo(f"{o['kind']:<8} {o['state']:<9} {local:<22} "
                   f"{o['release_utc'][:16].replace('T', ' '):<17} {_left(o['seconds_left']):<12} "
                   f"{printable(o['title'])}  [{printable(o['source'])}]{flag}")
        if o["state"] == "failed":
            click.echo(f"         failed: {printable(o['reason'])}; next attempt "
                       f"{o['next_attempt'][:19]} UTC")
        elif o["state"] == "held":
            click.echo(f"         held: {printable(o['reason'])}")
        elif o["reason"]:
            click.echo(f"         {printable(o['reason'])}")
    if settings.catalog_on_server:
        click.echo(f"scheduler: pid {lead['pid']} on {printable(lead['host'])} releases from "
                   "this catalog" if lead else "scheduler: none runs on this catalog (start "
                   "`syndicate run` to release queued items on time)")
    try:  # what the steps after a publish have still to do (the CDN, the pings)
        from .publish.after import pending_lines

        for line in pending_lines(settings):
            _echo(line)
    except SyndicateError as exc:
        out.fail(exc)


@main.command()
@click.argument("items", nargs=-1, required=True)
@click.option("--at", "when", required=True,
              help="now, YYYY-MM-DD HH:MM in the site's time zone, or ISO 8601 with an offset.")
@json_option
@config_option
@now_option
def queue(items: tuple[str, ...], when: str, as_json: bool, config_path: str | None,
          now_text: str | None) -> None:
    """Queue ITEMS (each a file, slug or guid) for release at a time; again to move them.

    `syndicate run` (or `syndicate release-due` from cron) releases them then; until then
    nothing of them (feed entry, page, media) is published. With several items, either all are
    queued or, on any error, none.
    """
    from .release import queue_many

    out = _Out("queue", as_json)
    settings = _load(config_path, out)
    try:
        done = queue_many(settings, [(i, when) for i in items], now=_now(now_text))
    except SyndicateError as exc:
        out.fail(exc)
    for q in done:
        local = q.at.astimezone(zoneinfo.ZoneInfo(q.zone))
        moved = f" (moved from {q.moved_from[:16].replace('T', ' ')} UTC)" if q.moved_from \
            else ""
        out.line(f"Queued {q.item['kind']} {q.title!r} [{q.item['source']}] for "
                 f"{local:%Y-%m-%d %H:%M %Z} ({q.at:%Y-%m-%d %H:%M} UTC){moved}")
    out.end(0, queued=[reports.queued(q) for q in done])


@main.command()
@click.argument("item")
@json_option
@config_option
@now_option
def unqueue(item: str, as_json: bool, config_path: str | None, now_text: str | None) -> None:
    """Hold ITEM back: it is not released (at its queued time or its own date) until it is
    queued again."""
    from .release import unqueue as unqueue_item

    out = _Out("unqueue", as_json)
    settings = _load(config_path, out)
    try:
        row = unqueue_item(settings, item, now=_now(now_text))
    except SyndicateError as exc:
        out.fail(exc)
    out.line(f"Unqueued {row['kind']} [{row['source']}]: held back until queued again")
    out.end(0, unqueued={"kind": row["kind"], "source": row["source"]})


@main.command(name="release-due")
@json_option
@config_option
@now_option
def release_due_cmd(as_json: bool, config_path: str | None, now_text: str | None) -> None:
    """Release everything due in one publish, then exit (for cron or a systemd timer)."""
    from .release import release_due

    out = _Out("release-due", as_json)
    settings = _load(config_path, out)
    try:
        outcome = release_due(settings, now=_now(now_text))
    except SyndicateError as exc:
        out.fail(exc)
    for item in outcome.released:
        out.line(f"Released {item['kind']} {item['title']!r} [{item['source']}]")
    for done in outcome.after:  # the CDN told (see publish/after.py)
        out.line(done)
    for w in outcome.warnings:
        if w not in settings.warnings:  # config warnings: said once, by _load
            out.warn(w)
    if outcome.error:
        out.error(f"release failed: {outcome.error}; next attempt at "
                  f"{outcome.next_attempt:%Y-%m-%d %H:%M:%S} UTC")
        out.end(1, **reports.release_outcome(outcome))
    if not outcome.published:
        out.line("Nothing is due")
    out.end(0, **reports.release_outcome(outcome))


@main.group()
def db() -> None:
    """The catalog itself: bring it to this version's schema, copy it to PostgreSQL."""


@db.command("upgrade")
@json_option
@config_option
def db_upgrade(as_json: bool, config_path: str | None) -> None:
    """Bring the catalog to this syndicate's schema (every command does so on its own; this
    does only that). A catalog written by a newer syndicate is refused, unchanged."""
    from .catalog import upgrade_catalog

    out = _Out("db upgrade", as_json)
    settings = _load(config_path, out)
    try:
        before, after = upgrade_catalog(settings.catalog_path)
    except SyndicateError as exc:
        out.fail(exc)
    if before == after:
        out.line(f"{settings.catalog_path}: already at schema {after}")
    else:
        out.line(f"{settings.catalog_path}: schema {before} -> {after}")
    out.end(0, catalog=str(settings.catalog_path), schema_before=before, schema=after)


@db.command("copy")
@click.argument("source")
@click.argument("destination")
@click.option("--replace", is_flag=True,
              help="Empty a destination that already holds a catalog first (it is lost).")
@json_option
def db_copy(source: str, destination: str, replace: bool, as_json: bool) -> None:
    """Copy the catalog SOURCE (a SQLite file) into DESTINATION (postgresql://USER@HOST/DB,
    the password from PGPASSWORD or ~/.pgpass), with every guid, release time and published
    state. Then point 'catalog' in config.yaml at DESTINATION. An address with a password in
    it is refused; a destination that holds rows is refused unless --replace."""
    from .catalogcopy import copy_catalog
    from .engines import is_postgres, location, password_in

    out = _Out("db copy", as_json)
    for given in (source, destination):
        if is_postgres(given) and password_in(given):
            out.error("a catalog address holds a password (not shown); give it in PGPASSWORD "
                      "or ~/.pgpass instead, as for psql")
            out.end(2)
            raise SystemExit(2)
    src, dst = location(source), location(destination)
    if str(src) == str(dst):
        out.error("the source and the destination are the same catalog; give two")
        out.end(2)
        raise SystemExit(2)
    try:
        counts = copy_catalog(src, dst, replace=replace)
    except SyndicateError as exc:
        out.fail(exc)
    out.line(f"Copied {counts['items']} items, {counts['releases']} queued releases, "
             f"{counts['outputs']} published files and {counts['meta']} other records "
             f"to {dst}")
    out.end(0, copied=counts, destination=str(dst))


@main.command(name="import")
@click.argument("sources", nargs=-1, required=True)
@click.option("--date-by-order", "date_by_order", default=None, metavar="YYYY-MM-DD",
              help="Date undated posts by their order on the pages: the first gets this date, "
                   "each one after it a day earlier.")
@click.option("--audio", "audio_mode", type=click.Choice(["download", "keep-url"]),
              default=None, help="A podcast feed's audio: download it into episodes/, or keep "
                                 "it at its URL [default: import_audio in the config, else "
                                 "download].")
@click.option("--dry-run", is_flag=True, help="Report what would be written; write nothing.")
@json_option
@config_option
@now_option
def import_cmd(sources: tuple[str, ...], date_by_order: str | None, audio_mode: str | None,
               dry_run: bool, as_json: bool, config_path: str | None,
               now_text: str | None) -> None:
    """Import the old blog's posts into posts/ and the old show's episodes into episodes/: text
    exports, HTML pages, RSS, Atom and podcast feeds, WordPress exports (files or URLs). A post
    or episode seen before (from any source) is not written twice."""
    from .importer import import_sources

    out = _Out("import", as_json)
    settings = _load(config_path, out)
    start = None
    if date_by_order:
        start = parse_day(date_by_order)
        if start is None:
            out.error(f"--date-by-order {date_by_order!r}: expected a date YYYY-MM-DD "
                      f"from {MIN_YEAR} to {MAX_YEAR}")
            out.end(2)
    try:
        report = import_sources(settings, list(sources), date_by_order=start, dry_run=dry_run,
                                audio=audio_mode, now=_now(now_text))
    except SyndicateError as exc:
        out.fail(exc)
    if as_json:  # the report's own keys and the usual ones ("errors": filled below)
        out.doc.update({k: v for k, v in report.to_dict().items() if k != "errors"})
    else:
        verb = "would create" if dry_run else "created"
        _echo(f"Import: {verb} {len(report.created)}, merged {len(report.merged)}, "
              f"skipped {len(report.skipped)}, flagged {len(report.flagged)}, "
              f"errors {len(report.errors)}")
        for e in report.created:
            _echo(f"  created  {e['file']}  {e['title']!r}")
        for e in report.merged:
            _echo(f"  merged   {e['title']!r} from {e['source']} (already in {e['file']})")
        for e in report.skipped:
            _echo(f"  skipped  {e['title']!r} from {e['source']}: {e['reason']}")
        for e in report.flagged:
            _echo(f"  review   {e['file']}: {e['reason']}")
        for line in report.field_summary():
            _echo(f"  {line}")
        for e in report.left_behind:
            _echo(f"  left     {e['count']} {e['what']} in {e['source']}: {e['reason']}")
        for e in report.channel:
            _echo(f"  channel  {e['field']} from {e['source']} not published: {e['why']}")
        if report.podcast_guid:
            _echo(f"  channel  podcast:guid {report.podcast_guid} taken from the old feed: "
                  "podcast apps follow the show by it")
        for source in dict.fromkeys(e["source"] for e in report.media):
            files = [e for e in report.media if e["source"] == source]
            brought = sum(1 for e in files if e["shown_by"])
            _echo(f"  media    {len(files)} media-library items in {source}: {brought} "
                  f"shown by imported items and brought along with them, "
                  f"{len(files) - brought} shown by none and left on the old site "
                  "(each one in --json)")
    for err in report.errors:
        out.error(err)
    out.end(1 if report.errors else 0)


@main.command()
@config_option
def run(config_path: str | None) -> None:
    """Run the scheduler: release each queued item at its time and publish, until stopped
    (SIGTERM or Ctrl-C). Only one runs per catalog."""
    import logging

    from .runner import run as run_scheduler

    out = _Out("run", False)
    settings = _load(config_path, out)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        run_scheduler(settings)
    except SyndicateError as exc:
        out.fail(exc)


@main.command()
@click.option("--url", default=None, help="Address of the site or of a copy of it (default: "
              "site.url); links to site.url are read as the copy's own.")
@click.option("--external", is_flag=True,
              help="Also fetch the links to other sites (never followed further).")
@json_option
@config_option
def check(url: str | None, external: bool, as_json: bool, config_path: str | None) -> None:
    """Check the live site as a podcast directory and a visitor would.

    Fetches the feeds over HTTP: they must parse, the podcast channel must carry the tags Apple
    requires, every enclosure must answer HEAD with its length and type and a byte-range GET
    with 206, and the cover art must be a square JPEG or PNG of 1400 to 3000 px. Then every
    page, image, transcript and chapters file on the site that the feeds or the pages link to
    must answer 200; each broken link is named with the page that links it.
    """
    out = _Out("check", as_json)
    if url is not None:
        from .urls import site_base

        try:
            site_base(url, "https://staging.example.com/")
        except ValueError as exc:
            out.error(f"--url: {exc}")
            out.end(2)
    settings = _load(config_path, out)
    from .check import check_site  # requests and lxml: only this command needs them

    report = check_site(settings, base_url=url, external=external,
                        progress=None if as_json else lambda text: click.echo(text, err=True))
    others = f" ({report.external} links to other sites not fetched; --external fetches " \
        "them)" if report.external and not external else ""
    out.line(f"Checked {len(report.checked)} URLs: {len(report.problems)} problems{others}")
    for problem in report.problems:
        click.echo(f"Error: {problem}", err=True)  # (the document's "problems")
    out.end(0 if report.ok else 1, **reports.checked(report))


@main.command()
@config_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on.")
@click.option("--drafts", is_flag=True, help="Also show drafts and queued items, marked.")
def serve(config_path: str | None, port: int, host: str, drafts: bool) -> None:
    """Build the site into a preview folder and serve it at http://HOST:PORT/, rebuilding on
    every change to the posts, episodes, config and theme and reloading the open page.
    Nothing of the preview reaches the target or the catalog. Ctrl-C stops."""
    import signal

    from .serve import Server

    def report(level: str, text: str) -> None:
        prefix = {"error": "Error: ", "warning": "Warning: "}.get(level, "")
        shown = "\n".join(printable(part) for part in redact_text(text).split("\n"))
        click.echo(f"{prefix}{shown}", err=level != "info")

    if not host.strip():
        raise click.UsageError("--host needs an address to listen on, such as 127.0.0.1 "
                               "(this machine only) or 0.0.0.0 (every interface)")
    config_path = _config_path(config_path)
    _load(config_path)  # a broken config at the start: its problems, exit 2
    server = Server(config_path, host=host, port=port, drafts=drafts, report=report)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        server.start()
        click.echo(f"Serving the preview at {server.url} (Ctrl-C stops)")
        server.run()
    except KeyboardInterrupt:
        pass
    except SyndicateError as exc:
        _fail(exc)
    finally:
        server.close()
    click.echo("Stopped")


@main.group()
def audio() -> None:
    """Episode audio: loudness and peaks before and after processing."""


def _level(value, unit: str) -> str:
    return "   n/a" if value is None else f"{value:6.1f} {unit}"


@audio.command("report")
@json_option
@click.option("--verify", is_flag=True,
              help="Also decode each published MP3 and measure its true peak (slower).")
@config_option
@now_option
def audio_report(as_json: bool, verify: bool, config_path: str | None,
                 now_text: str | None) -> None:
    """Collect, then show each episode's loudness, peak and loudness range before and after.

    Before is the source; after is the audio as it went into the MP3 encoder (both with sample
    peaks). --verify measures each published MP3 as a podcast directory would: integrated
    loudness and true peak.
    """
    from .audio.report import loudness_rows

    out = _Out("audio report", as_json)
    settings = _load(config_path, out)
    report = _collect(settings, now_text, out)
    try:
        episodes = loudness_rows(settings, verify=verify)
    except SyndicateError as exc:
        out.fail(exc)
    if as_json:  # a list of episodes, as it has always been (each with its own "error")
        click.echo(json.dumps(episodes, indent=2, ensure_ascii=False))
    else:
        _loudness_table(episodes, verify)
    for w in report.warnings:
        out.warn(w)
    for e in report.errors:
        out.error(e)
    out.flush()
    if report.errors:
        raise SystemExit(1)


def _loudness_table(episodes: list[dict], verify: bool) -> None:
    click.echo(f"{'episode':<32} {'before: I':>12} {'LRA':>8} {'peak':>10}   "
               f"{'after: I':>11} {'LRA':>8} {'peak':>10} {'gain':>8}"
               + (f"   {'file: I':>11} {'true peak':>10}" if verify else ""))
    for e in episodes:
        b, a = e["before"] or {}, e["after"] or {}
        if e.get("url"):
            _echo(f"{e['source'][-32:]:<32} kept at {e['url']} (not processed)")
            continue
        gain = "passthrough" if e["gain"] is None else f"{e['gain']:+.1f} dB"
        _echo(f"{e['source'][-32:]:<32} {_level(b.get('integrated'), 'LUFS'):>12} "
              f"{_level(b.get('lra'), 'LU'):>8} {_level(b.get('peak'), 'dBFS'):>10}   "
              f"{_level(a.get('integrated'), 'LUFS'):>11} {_level(a.get('lra'), 'LU'):>8}"
              f" {_level(a.get('peak'), 'dBFS'):>10} {gain:>8}"
                   + (f"   {_level(p.get('integrated'), 'LUFS'):>11} "
                      f"{_level(p.get('peak'), 'dBTP'):>10}"
                      if verify and (p := e.get("published") or {}) is not None else ""))


# (`syndicate serve` is added here, beside the other commands.)


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=Path(__file__).parent.name)


def _day_option(value: str | None, flag: str) -> dt.date | None:
    """A --since/--until day (UTC), read by the one date parser."""
    if value is None:
        return None
    day = parse_day(value.strip())
    if day is None:
        raise click.BadParameter(f"{value!r} is not a day; give one such as 2026-05-01",
                                 param_hint=f"'{flag}'")
    return day


@main.command()
@click.option("--since", help="Count from this day on (YYYY-MM-DD, UTC).")
@click.option("--until", help="Count up to this day, included (YYYY-MM-DD, UTC).")
@click.option("--episode", "episode", metavar="ITEM",
              help="Only this episode (its file, slug or guid).")
@click.option("--by", type=click.Choice(["day", "week", "month", "app"]), default="day",
              show_default=True, help="Break each episode's downloads down by this.")
@click.option("--html", "html_path", metavar="FILE",
              help="Also write a self-contained report page (a chart and a table per episode).")
@json_option
@config_option
@now_option
def stats(since: str | None, until: str | None, episode: str | None, by: str,
          html_path: str | None, as_json: bool, config_path: str | None,
          now_text: str | None) -> None:
    """Downloads per episode, counted from the access logs in stats.logs by the IAB rules
    (see the README). Log files read before are not read again."""
    from .progress import FileBar
    from .stats import tables
    from .stats.count import count

    out = _Out("stats", as_json)
    first, last = _day_option(since, "--since"), _day_option(until, "--until")
    settings = _load(config_path, out)
    bar = FileBar("reading logs")
    try:
        doc, report = count(settings, now=_now(now_text), since=first, until=last,
                            episode=episode, by=by, progress=bar)
    except SyndicateError as exc:
        bar.close()
        out.fail(exc)
    bar.close()
    out.line(f"Read {report.files_read} new log file(s) ({report.lines} requests); "
             f"{report.files_known} read before. One download per listener per episode per "
             f"{doc['window']}.")
    for line in tables.text_lines(doc) if not as_json else []:
        out.line(line)
    if report.skips.count:
        out.warn(f"{report.skips.count} log line(s) could not be read and were skipped; the "
                 f"first: {'; '.join(report.skips.examples)}")
    for problem in report.problems:
        out.error(problem)
    if html_path:
        from .stats.html import page

        try:
            Path(html_path).write_text(page(doc, settings.config.site.title), encoding="utf-8")
        except OSError as exc:
            out.fail(SyndicateError(f"{html_path}: the report cannot be written "
                                    f"({exc.strerror}); give another --html path"))
        out.line(f"Report written to {html_path}")
    read = {"files_read": report.files_read, "files_known": report.files_known,
            "requests": report.lines, "skipped_lines": report.skips.count,
            "skipped_examples": report.skips.examples}
    out.end(1 if report.problems else 0, stats={**doc, "read": read})
