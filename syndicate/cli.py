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
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__
from .errors import ConfigError, SyndicateError
from .progress import EncodeBars, UploadBar
from .urls import redact_text
from .when import MAX_YEAR, MIN_YEAR, parse_day, stored

if TYPE_CHECKING:
    from .config import Settings

# The catalog, collect and publish load inside the commands that use them: a publish to S3 has
# its first requests on their way before they do (see publish.publish).

CONFIG_HELP = "Path of the config file."

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


def _load(path: str) -> Settings:
    from .config import load_config

    try:
        settings = load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"Error: {redact_text(problem)}", err=True)
        raise SystemExit(exc.exit_code) from None
    for w in settings.warnings:
        click.echo(f"Warning: {redact_text(w)}", err=True)
    return settings


def _fail(exc: SyndicateError) -> None:
    click.echo(f"Error: {redact_text(exc)}", err=True)
    raise SystemExit(exc.exit_code) from None


def _report(errors, warnings) -> None:
    for w in warnings:
        click.echo(f"Warning: {redact_text(w)}", err=True)
    for e in errors:
        click.echo(f"Error: {redact_text(e)}", err=True)


def _refresh(settings: Settings) -> list[str]:
    """Import from the config's ``sources:`` (unchanged ones are not parsed); returns errors."""
    if not settings.config.sources:
        return []
    from .importer.refresh import refresh_sources

    try:
        report = refresh_sources(settings)
    except SyndicateError as exc:
        return [str(exc)]
    if report.created or report.merged or report.skipped:
        click.echo(f"Sources: created {len(report.created)}, merged {len(report.merged)}, "
                   f"skipped {len(report.skipped)}")
    for e in report.skipped:
        click.echo(f"Warning: {e['source']}: {e['title']!r} skipped: {e['reason']}", err=True)
    return report.errors


def _collect(settings: Settings, now_text: str | None):
    from .catalog import open_catalog
    from .collect import collect as collect_items

    bars = EncodeBars()
    try:
        with open_catalog(settings.catalog_path) as cat:
            return collect_items(settings, cat, now=_now(now_text), progress=bars)
    except SyndicateError as exc:
        _fail(exc)
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


class _Commands(click.Group):
    def main(self, *args, **kwargs):
        """Run a command; output that cannot be written is said once, on stderr if it can
        be, as ``Error: cannot write output: ...``, with the command's own exit code."""
        import sys

        saved = sys.stdout, sys.stderr
        guards = sys.stdout, sys.stderr = _Guarded(saved[0]), _Guarded(saved[1])
        try:
            return super().main(*args, **kwargs)
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


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicate")
def main() -> None:
    """Publish one author's blog and podcast: collect posts and episodes, render the blog feeds
    (RSS and Atom) and the podcast feed, and write the site to its target."""


@main.command()
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
@click.option("--dry-run", is_flag=True, help="Print what would be written; change nothing.")
@click.option("--force", is_flag=True, help="Allow removals the guards hold back (more than "
              "max_deletes, every live entry of a feed, live entries a new catalog would drop, a "
              "moved feed's old file), and overwriting files syndicate did not publish in the "
              "site folder.")
@click.option("--overwrite", is_flag=True, help="Only overwrite files syndicate did not publish "
              "in the site folder; the guards on removals stay on.")
@click.option("--verify", is_flag=True, help="S3: read every object's headers (one request "
              "each) and put back Content-Type / Cache-Control edited by hand.")
@click.option("--now", "now_text", hidden=True, help="Pretend the time is this (ISO 8601).")
def publish(config_path: str, dry_run: bool, force: bool, overwrite: bool, verify: bool,
            now_text: str | None) -> None:
    """Collect the sources and publish the site to the configured target.

    Items dated in the future, and drafts, are left out. An item that fails to read is reported
    and keeps its last published version; everything else is still published.
    """
    from .publish import publish as publish_site

    settings = _load(config_path)
    source_errors = [] if dry_run else _refresh(settings)
    bars, upload_bar = EncodeBars(), UploadBar()
    try:
        result = publish_site(settings, now=_now(now_text), dry_run=dry_run, force=force,
                              overwrite=overwrite, progress=bars, uploaded=upload_bar,
                              verify=verify)
    except SyndicateError as exc:
        _fail(exc)
    finally:
        bars.close()
        upload_bar.close()
    plan = result.plan
    click.echo(_collect_line(result.collected))
    if dry_run:
        click.echo(f"Dry run: would write {len(plan.writes)} files ({plan.bytes:,} bytes), "
                   f"fix headers of {len(plan.header_fixes)}, delete {len(plan.deletes)}; "
                   f"{plan.unchanged} unchanged")
        for name in result.would_encode:
            click.echo(f"  encode {name}  (new or changed audio: encoded, then published, "
                       "by a publish)")
        for line in plan.lines():
            click.echo(f"  {line}")
    else:
        target = settings.config.target
        click.echo(f"Published to {target}: wrote {len(plan.writes)} files ({plan.bytes:,} bytes),"
                   f" deleted {len(plan.deletes)}; {plan.unchanged} unchanged")
        if plan.held_deletes:
            click.echo(f"Error: {len(plan.held_deletes)} published files are no longer produced, "
                       f"more than max_deletes ({settings.config.max_deletes}); nothing was "
                       "deleted. Check the sources, then run again with --force.", err=True)
    if result.held_items:
        n = len(result.held_items)
        click.echo(f"Error: {n} published {'item is' if n == 1 else 'items are'} gone from "
                   f"their sources, more than max_deletes ({settings.config.max_deletes}); "
                   f"{'it stays' if n == 1 else 'they stay'} published, feed entries and pages. "
                   "Check the sources, then run again with --force to remove them.", err=True)
    if result.released and not dry_run:
        from .notify import notify

        for w in notify(settings, result.released):
            click.echo(f"Warning: {redact_text(w)}", err=True)
    _report([*source_errors, *result.errors],  # config warnings: said once, by _load
            [w for w in result.warnings if w not in settings.warnings])
    if not result.ok or source_errors:
        raise SystemExit(1)


@main.command()
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
@click.option("--now", "now_text", hidden=True, help="Pretend the time is this (ISO 8601).")
def collect(config_path: str, now_text: str | None) -> None:
    """Read posts/ and episodes/ into the catalog without publishing."""
    settings = _load(config_path)
    source_errors = _refresh(settings)
    report = _collect(settings, now_text)
    click.echo(_collect_line(report))
    _report([*source_errors, *report.errors], report.warnings)
    if report.errors or source_errors:
        raise SystemExit(1)


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
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--now", "now_text", hidden=True, help="Pretend the time is this (ISO 8601).")
def status(config_path: str, as_json: bool, now_text: str | None) -> None:
    """List every item: kind, state (draft, queued, released, failed), release time in local
    time and UTC, time left, title and source."""
    from .release import states

    settings = _load(config_path)
    try:
        out = states(settings, now=_now(now_text))
    except SyndicateError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    zone = zoneinfo.ZoneInfo(settings.config.site.timezone)
    click.echo(f"{'KIND':<8} {'STATE':<9} {'RELEASE (' + zone.key + ')':<22} {'UTC':<17} "
               f"{'LEFT':<12} TITLE  [SOURCE]")
    for o in sorted(out, key=lambda o: o["release_utc"], reverse=True):
        local = stored(o["release_utc"]).astimezone(zone)
        local = f"{local:%Y-%m-%d %H:%M %Z}"
        flag = "  (error: see publish)" if o["error"] else ""
        click.echo(f"{o['kind']:<8} {o['state']:<9} {local:<22} "
                   f"{o['release_utc'][:16].replace('T', ' '):<17} {_left(o['seconds_left']):<12} "
                   f"{o['title']}  [{o['source']}]{flag}")
        if o["state"] == "failed":
            click.echo(f"         failed: {o['reason']}; next attempt {o['next_attempt'][:19]}"
                       " UTC")


@main.command()
@click.argument("items", nargs=-1, required=True)
@click.option("--at", "when", required=True,
              help="now, YYYY-MM-DD HH:MM in the site's time zone, or ISO 8601 with an offset.")
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
@click.option("--now", "now_text", hidden=True, help="Pretend the time is this (ISO 8601).")
def queue(items: tuple[str, ...], when: str, config_path: str, now_text: str | None) -> None:
    """Queue ITEMS (each a file, slug or guid) for release at a time; again to move them.

    `syndicate run` (or `syndicate release-due` from cron) releases them then; until then
    nothing of them (feed entry, page, media) is published. With several items, either all are
    queued or, on any error, none.
    """
    from .release import queue_many

    settings = _load(config_path)
    try:
        done = queue_many(settings, [(i, when) for i in items], now=_now(now_text))
    except SyndicateError as exc:
        _fail(exc)
    for q in done:
        local = q.at.astimezone(zoneinfo.ZoneInfo(q.zone))
        moved = f" (moved from {q.moved_from[:16].replace('T', ' ')} UTC)" if q.moved_from \
            else ""
        click.echo(f"Queued {q.item['kind']} {q.title!r} [{q.item['source']}] for "
                   f"{local:%Y-%m-%d %H:%M %Z} ({q.at:%Y-%m-%d %H:%M} UTC){moved}")


@main.command()
@click.argument("item")
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
@click.option("--now", "now_text", hidden=True, help="Pretend the time is this (ISO 8601).")
def unqueue(item: str, config_path: str, now_text: str | None) -> None:
    """Hold ITEM back: it is not released (at its queued time or its own date) until it is
    queued again."""
    from .release import unqueue as unqueue_item

    settings = _load(config_path)
    try:
        row = unqueue_item(settings, item, now=_now(now_text))
    except SyndicateError as exc:
        _fail(exc)
    click.echo(f"Unqueued {row['kind']} [{row['source']}]: held back until queued again")


@main.command(name="release-due")
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
@click.option("--now", "now_text", hidden=True, help="Pretend the time is this (ISO 8601).")
def release_due_cmd(config_path: str, now_text: str | None) -> None:
    """Release everything due in one publish, then exit (for cron or a systemd timer)."""
    from .release import release_due

    settings = _load(config_path)
    try:
        outcome = release_due(settings, now=_now(now_text))
    except SyndicateError as exc:
        _fail(exc)
    for item in outcome.released:
        click.echo(f"Released {item['kind']} {item['title']!r} [{item['source']}]")
    for w in outcome.warnings:
        if w not in settings.warnings:  # config warnings: said once, by _load
            click.echo(f"Warning: {redact_text(w)}", err=True)
    if outcome.error:
        click.echo(f"Error: release failed: {redact_text(outcome.error)}; next attempt at "
                   f"{outcome.next_attempt:%Y-%m-%d %H:%M:%S} UTC", err=True)
        raise SystemExit(1)
    if not outcome.published:
        click.echo("Nothing is due")


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
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
def import_cmd(sources: tuple[str, ...], date_by_order: str | None, audio_mode: str | None,
               dry_run: bool, as_json: bool, config_path: str) -> None:
    """Import the old blog's posts into posts/ and the old show's episodes into episodes/: text
    exports, HTML pages, RSS, Atom and podcast feeds, WordPress exports (files or URLs). A post
    or episode seen before (from any source) is not written twice."""
    from .importer import import_sources

    settings = _load(config_path)
    start = None
    if date_by_order:
        start = parse_day(date_by_order)
        if start is None:
            click.echo(f"Error: --date-by-order {date_by_order!r}: expected a date YYYY-MM-DD "
                       f"from {MIN_YEAR} to {MAX_YEAR}", err=True)
            raise SystemExit(2) from None
    try:
        report = import_sources(settings, list(sources), date_by_order=start, dry_run=dry_run,
                                audio=audio_mode)
    except SyndicateError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        verb = "would create" if dry_run else "created"
        click.echo(f"Import: {verb} {len(report.created)}, merged {len(report.merged)}, "
                   f"skipped {len(report.skipped)}, flagged {len(report.flagged)}, "
                   f"errors {len(report.errors)}")
        for e in report.created:
            click.echo(f"  created  {e['file']}  {e['title']!r}")
        for e in report.merged:
            click.echo(f"  merged   {e['title']!r} from {e['source']} (already in {e['file']})")
        for e in report.skipped:
            click.echo(f"  skipped  {e['title']!r} from {e['source']}: {e['reason']}")
        for e in report.flagged:
            click.echo(f"  review   {e['file']}: {e['reason']}")
        for line in report.field_summary():
            click.echo(f"  {line}")
        for e in report.left_behind:
            click.echo(f"  left     {e['count']} {e['what']} in {e['source']}: {e['reason']}")
        for e in report.channel:
            click.echo(f"  channel  {e['field']} from {e['source']} not published: {e['why']}")
        for source in dict.fromkeys(e["source"] for e in report.media):
            files = [e for e in report.media if e["source"] == source]
            brought = sum(1 for e in files if e["shown_by"])
            click.echo(f"  media    {len(files)} media-library items in {source}: {brought} "
                       f"shown by imported items and brought along with them, "
                       f"{len(files) - brought} shown by none and left on the old site "
                       "(each one in --json)")
    for err in report.errors:
        click.echo(f"Error: {redact_text(err)}", err=True)
    if report.errors:
        raise SystemExit(1)


@main.command()
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
def run(config_path: str) -> None:
    """Run the scheduler: release each queued item at its time and publish, until stopped
    (SIGTERM or Ctrl-C). Only one runs per catalog."""
    import logging

    from .runner import run as run_scheduler

    settings = _load(config_path)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        run_scheduler(settings)
    except SyndicateError as exc:
        _fail(exc)


@main.command()
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
@click.option("--url", default=None, help="Public address of the site (default: site.url).")
def check(config_path: str, url: str | None) -> None:
    """Check the live site as a podcast directory would.

    Fetches the feeds over HTTP: they must parse, the podcast channel must carry the tags Apple
    requires, every enclosure must answer HEAD with its length and type and a byte-range GET
    with 206, and the cover art must be a square JPEG or PNG of 1400 to 3000 px.
    """
    settings = _load(config_path)
    from .check import check_site  # requests and lxml: only this command needs them

    report = check_site(settings, base_url=url)
    click.echo(f"Checked {len(report.checked)} URLs: {len(report.problems)} problems")
    for problem in report.problems:
        click.echo(f"Error: {problem}", err=True)
    if not report.ok:
        raise SystemExit(1)


@main.command()
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on.")
@click.option("--drafts", is_flag=True, help="Also show drafts and queued items, marked.")
def serve(config_path: str, port: int, host: str, drafts: bool) -> None:
    """Build the site into a preview folder and serve it at http://HOST:PORT/, rebuilding on
    every change to the posts, episodes, config and theme and reloading the open page.
    Nothing of the preview reaches the target or the catalog. Ctrl-C stops."""
    import signal

    from .serve import Server

    def report(level: str, text: str) -> None:
        prefix = {"error": "Error: ", "warning": "Warning: "}.get(level, "")
        click.echo(f"{prefix}{redact_text(text)}", err=level != "info")

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
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--verify", is_flag=True,
              help="Also decode each published MP3 and measure its true peak (slower).")
@click.option("--now", "now_text", hidden=True, help="Pretend the time is this (ISO 8601).")
def audio_report(config_path: str, as_json: bool, verify: bool, now_text: str | None) -> None:
    """Collect, then show each episode's loudness, peak and loudness range before and after.

    Before is the source; after is the audio as it went into the MP3 encoder (both with sample
    peaks). --verify measures each published MP3 as a podcast directory would: integrated
    loudness and true peak.
    """
    from .catalog import loads, open_catalog

    settings = _load(config_path)
    report = _collect(settings, now_text)
    with open_catalog(settings.catalog_path, commit=False) as cat:
        rows = [r for r in cat.all_items("episode") if not r["missing"]]
    episodes = []
    for r in sorted(rows, key=lambda r: r["date"]):
        data = loads(r["data"])
        m = data["media"]
        if m.get("url"):  # kept at its URL: not ours, not measured
            episodes.append({"source": r["source"], "title": data["title"],
                             "duration": m.get("stated_duration"), "url": m["url"],
                             "gain": None, "before": None, "after": None, "error": r["error"]})
            continue
        row = {"source": r["source"], "title": data["title"],
               "duration": round(m["samples"] / m["sample_rate"], 3),
               "gain": m.get("gain"), "before": m.get("before"), "after": m.get("after"),
               "error": r["error"]}
        if verify:
            media = settings.state_dir / "media" / f"{m['sha256']}{m['extension']}"
            if m["passthrough"]:
                media = settings.root / data["audio"]
            from .audio import verify as measure

            row["published"] = measure(media).to_dict() if media.is_file() else None
        episodes.append(row)
    if as_json:
        click.echo(json.dumps(episodes, indent=2, ensure_ascii=False))
    else:
        click.echo(f"{'episode':<32} {'before: I':>12} {'LRA':>8} {'peak':>10}   "
                   f"{'after: I':>11} {'LRA':>8} {'peak':>10} {'gain':>8}"
                   + (f"   {'file: I':>11} {'true peak':>10}" if verify else ""))
        for e in episodes:
            b, a = e["before"] or {}, e["after"] or {}
            if e.get("url"):
                click.echo(f"{e['source'][-32:]:<32} kept at {e['url']} (not processed)")
                continue
            gain = "passthrough" if e["gain"] is None else f"{e['gain']:+.1f} dB"
            click.echo(f"{e['source'][-32:]:<32} {_level(b.get('integrated'), 'LUFS'):>12} "
                       f"{_level(b.get('lra'), 'LU'):>8} {_level(b.get('peak'), 'dBFS'):>10}   "
                       f"{_level(a.get('integrated'), 'LUFS'):>11} {_level(a.get('lra'), 'LU'):>8}"
                       f" {_level(a.get('peak'), 'dBFS'):>10} {gain:>8}"
                       + (f"   {_level(p.get('integrated'), 'LUFS'):>11} "
                          f"{_level(p.get('peak'), 'dBTP'):>10}"
                          if verify and (p := e.get("published") or {}) is not None else ""))
    _report(report.errors, report.warnings)
    if report.errors:
        raise SystemExit(1)


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=Path(__file__).parent.name)
