"""Write a migrated podcast feed's episodes into episodes/: the audio (downloaded whole) and a
YAML sidecar beside it keeping the episode's guid, date, notes, season and number."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from .. import yamlcheck
from ..audio import PASSTHROUGH
from ..catalog import open_catalog
from ..config import Settings
from ..errors import SyndicateError
from ..markup import markdown_to_html, summarize
from ..mediatypes import TRANSCRIPT_SUFFIX_OF, of
from ..urls import credential_in, is_web_url, redact, redact_credentials
from . import (
    ImportReport,
    SourceError,
    _rel,
    _title_key,
    _write_atomic,
    date_problem,
    dump_yaml,
    free_stem,
    future_doubt,
    taken_slugs,
)
from .html import to_markdown
from .podcast import FeedEpisode, PodcastFeed, download
from .record import Records, deleted_reason, identities, source_key
from .twins import Here, Twins


def _known_guids(folder: Path, by_item: dict | None = None,
                 here: list | None = None) -> dict[str, Path]:
    """guid -> sidecar of the episodes in ``folder``; ``by_item`` (if given) is filled with
    (imported_from, title, date) -> sidecar, to know an imported episode by its own fields."""
    from . import _instant, _title_key

    known: dict[str, Path] = {}
    if not folder.is_dir():
        return known
    for path in sorted(folder.glob("*.y*ml")):
        try:
            meta = yamlcheck.parse(path.read_text(encoding="utf-8"), path.name)
        except (OSError, UnicodeDecodeError, yamlcheck.YamlProblems):
            continue
        if isinstance(meta, dict) and meta.get("guid"):
            known[str(meta["guid"])] = path
        if by_item is not None and isinstance(meta, dict) and meta.get("imported_from"):
            when = _instant(meta.get("date"), "UTC")
            key = (str(meta["imported_from"]), _title_key(str(meta.get("title") or "")), when)
            by_item.setdefault(key, path)
        if here is not None and isinstance(meta, dict):
            here.append((path, str(meta.get("title") or ""), _instant(meta.get("date"), "UTC"),
                         str(meta["imported_from"]) if meta.get("imported_from") else None))
    return known


def _where(ep: FeedEpisode, source: str) -> str:
    """An episode for a message: its title, the feed it is in and its line there."""
    line = f", line {ep.line}" if ep.line else ""
    return f"{ep.title!r} ({redact(source)}{line})"


def _recognised(episodes: list[FeedEpisode], known: dict[str, Path]) -> dict[int, str]:
    """id(episode) -> the guid its sidecar has, for each episode of a guid the feed gives more
    than one item and whose sidecar (that guid, or it with ``#2``, ``#3``...) has its title
    and its date or audio address."""
    count: dict[str, int] = {}
    for ep in episodes:
        count[ep.guid] = count.get(ep.guid, 0) + 1
    out: dict[int, str] = {}
    metas: dict[str, dict] = {}
    for ep in episodes:
        if count[ep.guid] < 2:
            continue
        for guid, path in known.items():
            if guid != ep.guid and not (guid.startswith(ep.guid + "#")
                                        and guid[len(ep.guid) + 1:].isdecimal()):
                continue
            if guid in out.values():
                continue
            if guid not in metas:
                try:
                    meta = yamlcheck.parse(path.read_text(encoding="utf-8"), path.name)
                except (OSError, UnicodeDecodeError, yamlcheck.YamlProblems):
                    meta = {}
                metas[guid] = meta if isinstance(meta, dict) else {}
            meta = metas[guid]
            date = ep.date.astimezone(dt.UTC).isoformat() if ep.date else None
            same = [str(meta.get("title")) == ep.title, str(meta.get("date")) == date,
                    meta.get("audio_url") == ep.audio_url]
            if sum(same) >= 2:
                out[id(ep)] = guid
                break
    return out


def import_podcast(settings: Settings, feed: PodcastFeed, source: str, report: ImportReport,
                   *, dry_run: bool = False, keep_url: bool = False,
                   now: dt.datetime | None = None) -> None:
    """Write the feed's new episodes into episodes/. ``keep_url``: leave the audio on the old
    host (the sidecar names its URL, size and duration) instead of downloading it. An
    episode dated more than a day after ``now`` is flagged."""
    owner = settings.config.podcast.owner.email
    if feed.locked and (feed.owner_email or "").strip().lower() != owner.strip().lower():
        report.errors.append(
            f"{source}: the feed is locked (podcast:locked yes) to its owner "
            f"{feed.owner_email or '(no email given in the feed)'}, and podcast.owner.email in "
            f"{settings.path.name} is {owner}; only the owner may move it: if the show is "
            "yours, set podcast.owner.email to the owner's address (or unlock the feed at the "
            "old host) and import again")
        return
    if feed.guid and not _a_uuid(feed.guid):
        report.channel.append({
            "source": source, "field": "podcast:guid",
            "why": f"the old feed's podcast:guid {feed.guid[:100]!r} is not a UUID, which apps "
                   "and the Podcast Index expect, so it was left out; this show gets its own "
                   "(derived from its feed address): to pin one, set podcast.guid in "
                   f"{settings.path.name} to a UUID"})
    show_guid = feed.guid if feed.guid and _a_uuid(feed.guid) else None
    if show_guid:
        with open_catalog(settings.catalog_path) as cat:
            kept = cat.get_meta("podcast_guid_imported")
        if kept and kept.strip().lower() != show_guid.strip().lower():
            report.errors.append(
                f"{source}: this is another show (podcast:guid {show_guid[:100]}): the show "
                f"here was migrated with podcast:guid {kept}, which podcast apps follow, and "
                "one site publishes one show; its episodes are not imported: import it into a "
                "site of its own (or, if it is this show under a new guid, remove the "
                "<podcast:guid> line from a copy of the feed and import that)")
            return
    take_guid = show_guid  # the old show's podcast:guid becomes this show's
    if show_guid:
        take_guid, refusal = _show_identity(settings, show_guid, source, report)
        if refusal:
            report.errors.append(refusal)
            return
    if feed.items and not feed.episodes and any(
            "enclosure URL" in left.get("reason", "") for left in feed.left_out):
        report.errors.append(  # a migration that imports nothing is no success
            f"{source}: none of the feed's {feed.items} items could be imported (see the "
            "skipped items)")
    report.channel += [{"source": source, **left} for left in feed.channel_left()]
    folder = settings.episodes_dir
    by_item: dict = {}
    shelf: list = []
    known = _known_guids(folder, by_item, shelf)
    on_disk = set(known.values()) | set(by_item.values())
    records = Records(settings)
    skey = source_key(source, settings)
    hit: set[str] = set()  # the recorded files this run's items named
    recorded = records.files_of(skey)
    origin = redact(source)
    taken = taken_slugs(folder.glob("*")) if folder.is_dir() else set()
    parts = settings.state_dir / "downloads"
    todo = []
    report.skipped += [{**left, "source": source} for left in feed.left_out]
    first: dict[str, str] = {}  # guid -> the title of the episode of this feed that has it
    in_feed = {ep.guid for ep in feed.episodes}
    clashes: dict[int, str] = {}  # id(episode) -> why its guid is a new one
    # an episode of a guid the old feed repeats, imported before: known by its own fields,
    # whatever its place in the feed now (a feed sorted the other way round)
    preset = _recognised(feed.episodes, known)
    reserved = set(preset.values())
    for ep in feed.episodes:
        # the item as the source gives it: its own guid, its enclosure address, its title
        # and date; any of them names it (audio moves host, a feed retitles an item)
        ident = records.once_all(identities(
            skey, guid=ep.guid if "guid" in ep.kept else None, enclosure=ep.audio_url,
            title=ep.title, date=ep.date))
        if id(ep) in preset:
            if preset[id(ep)] != ep.guid:
                ep.changed.append({"field": "guid", "why": (
                    f"the old feed gives other items the guid {ep.guid!r} too; this one was "
                    f"imported before as {preset[id(ep)]}")})
                ep.guid = preset[id(ep)]
                ep.kept = [k for k in ep.kept if k != "guid"]
        elif ep.guid in first or ep.guid in reserved:
            # the old feed gave two episodes one guid: the first keeps it
            clash, n = first.get(ep.guid, "another item"), 2
            while f"{ep.guid}#{n}" in first or f"{ep.guid}#{n}" in in_feed \
                    or f"{ep.guid}#{n}" in reserved:
                n += 1
            ep.changed.append({"field": "guid", "why": f"the old feed gave {clash!r} the same "
                               f"guid {ep.guid!r}; that one keeps it, this one is {ep.guid}#{n}"})
            ep.guid = f"{ep.guid}#{n}"
            ep.kept = [k for k in ep.kept if k != "guid"]
            clashes[id(ep)] = ep.changed[-1]["why"]
        first[ep.guid] = ep.title
        entry = {"title": ep.title, "source": source, "guid": ep.guid}
        if ep.guid in known:
            report.merged.append({**entry, "file": _rel(known[ep.guid], settings)})
            if not dry_run:
                records.put_all(ident, _rel(known[ep.guid], settings), ep.guid)
            hit.add(_rel(known[ep.guid], settings))
            continue
        record = records.find(ident)
        if record is not None:
            hit.add(record["file"])
        same = None  # the sidecar an earlier import wrote for this item, under another guid
        if record is not None:
            same = known.get(record.get("guid") or "\0")
            if same is None and settings.root / record["file"] in on_disk:
                same = settings.root / record["file"]
        if same is None and ep.date is not None:
            same = by_item.get((origin, _title_key(ep.title), ep.date))
            if same is not None and record is not None \
                    and _rel(same, settings) in records.all_files:
                # its own sidecar is gone, and this one was written for another item that
                # shares its title and date: its record says it, not its title
                same = None
        if same is not None:
            entry["file"] = _rel(same, settings)
            report.merged.append(entry)
            report.flagged.append({**entry, "reason": (
                f"the old feed's item is {entry['file']} (the same item, by what an earlier "
                f"import recorded or its title and date), now with the guid or audio address "
                f"{ep.guid[:200]!r}; the file keeps its own, nothing was written")})
            if not dry_run:
                records.put_all(ident, entry["file"], ep.guid)
            hit.add(entry["file"])
            continue
        if record is not None:  # the author deleted it: it stays deleted
            reason = deleted_reason(record["file"])
            report.skipped.append({**entry, "reason": reason, "deleted": record["file"]})
            continue
        if ep.date is None:
            report.skipped.append({**entry, "reason": date_problem(
                "pubDate", ep.date_text, ep.line, "correct it in the old feed")})
            continue
        later = None if ep.draft else future_doubt(ep.date, now)
        if later:
            ep.reviews.append(later)
        secret = credential_in(ep.audio_url) if keep_url else None
        if secret:  # kept at its URL, the address would be published: refused, never written
            report.errors.append(
                f"{_where(ep, source)}: its audio address {redact(ep.audio_url)} holds "
                f"{secret}; kept "
                "at its URL it would be published in the podcast feed, so the episode was not "
                "imported; import it with --audio download (the credential then only fetches "
                "the file), or give the old host's public address")
            continue
        stem = free_stem(ep.date, ep.title, taken)
        known[ep.guid] = folder / f"{stem}.yaml"
        entry["ident"] = ident
        todo.append((ep, entry, stem))

    extras: dict[int, dict] = {}  # id(episode) -> the sidecar keys of files brought in

    def fetch(job) -> tuple[str | None, str | None]:
        """(error, what a person should check) for one episode that needs the old host: its
        audio downloaded (and its art, transcript and chapters), or its size asked for.
        Several at once: the host's latency overlaps."""
        ep, _, stem = job
        if keep_url:  # the enclosure needs a size
            ep.audio_length, why = _remote_size(ep.audio_url, http)
            if ep.audio_length is None:
                return (f"{_where(ep, source)}: the {feed.kind} gives no enclosure length "
                        f"and {why}; "
                        "import with --audio download, or again later"), None
            return None, None
        dest = folder / f"{stem}{ep.audio_ext}"
        try:
            download(ep.audio_url, dest, parts, expected=ep.audio_length, http=http)
        except SourceError as exc:
            # no sidecar: the episode is not half there
            return f"{_where(ep, source)}: {exc}", None
        extras[id(ep)] = _companions(ep, folder, stem, parts, http)
        return None, _check_duration(dest, ep.duration)

    remote = [job for job in todo if (job[0].audio_length is None if keep_url else not dry_run)]
    outcomes: dict[int, tuple[str | None, str | None]] = {}
    if remote:
        from .fetch import session

        with session() as http, ThreadPoolExecutor(8) as pool:
            outcomes = dict(zip(map(id, remote), pool.map(fetch, remote), strict=True))
    twins = Twins([Here(_rel(p, settings), t, w, o) for p, t, w, o in shelf])
    vanished = recorded - hit
    for job in todo:  # the sidecars: CPU work, in this thread (threads would only contend)
        ep, entry, stem = job
        failure, doubt = outcomes.get(id(job), (None, None))
        if failure:
            report.errors.append(failure)
            continue
        if keep_url:
            extras[id(ep)] = _companions_at_urls(ep)
        if keep_url and ep.duration is None and ep.duration_text is not None:
            where = f" (line {ep.duration_line})" if ep.duration_line else ""
            doubt = (f"itunes:duration {ep.duration_text[:40]!r} is not a duration{where}, and "
                     "the audio is kept at its URL; add 'duration:' to the sidecar")
        elif keep_url and ep.duration is None:
            doubt = ("no itunes:duration in the feed for audio kept at its URL; add "
                     "'duration:' to the sidecar")
        # every reason it is flagged for, also in the sidecar's review: for the author
        maybe = twins.doubts(ep.title, ep.date, origin, vanished)
        reviews = list(dict.fromkeys(
            r for r in (clashes.get(id(ep)), doubt, *ep.reviews, *maybe) if r))
        sidecar = folder / f"{stem}.yaml"
        if not dry_run:
            try:
                _write_atomic(sidecar, dump_yaml(
                    _sidecar(ep, origin, keep_url, reviews, extras.get(id(ep), {}))))
            except OSError as exc:  # a full disk, a read-only folder: named, the rest goes on
                report.errors.append(f"{_rel(sidecar, settings)}: cannot write "
                                     f"it ({exc.strerror or exc}); {ep.title!r} was not "
                                     "imported")
                continue
        written = _rel(sidecar, settings)
        entry["file"] = written if keep_url else _rel(folder / f"{stem}{ep.audio_ext}", settings)
        if keep_url:
            entry["audio_url"] = ep.audio_url
        ident = entry.pop("ident")
        if not dry_run:
            records.put_all(ident, written, ep.guid)
        report.created.append({**entry, "kept": ep.kept, "changed": ep.changed,
                               "dropped": ep.dropped})
        for reason in reviews:
            report.flagged.append({**entry, "reason": reason})
    if not dry_run:
        records.save()
    if take_guid and not dry_run:
        with open_catalog(settings.catalog_path) as cat:
            cat.set_meta("podcast_guid", take_guid)
            cat.set_meta("podcast_guid_imported", take_guid)  # the show: no other replaces it
        report.podcast_guid = take_guid


def _a_uuid(text: str) -> bool:
    """Whether ``text`` is a UUID in a spelling podcast.guid accepts (braces, upper case, a URN,
    no hyphens): such a guid is kept as the old feed spelt it (apps compare the string)."""
    from ..podcast_tags import canonical_uuid

    try:
        canonical_uuid(text.strip())
    except ValueError:
        return False
    return True


def _same_guid(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def _show_identity(settings: Settings, imported: str, source: str,
                   report: ImportReport) -> tuple[str | None, str | None]:
    """(the show's podcast:guid if the old feed's becomes it, spelled as the live or chosen one
    where that is the same guid in other letters (apps compare the string); why the import is
    refused).
    podcast.guid in the config, where set, is the show's: another one in the feed is reported
    as not published. Else a show that is live (an episode published under its guid) keeps
    it: a feed under another guid is refused, since apps would see another show. A show never
    published takes the feed's: that is the migration."""
    name = settings.path.name
    chosen = settings.config.podcast.guid
    if chosen:
        if _same_guid(chosen, imported):
            return chosen.strip(), None
        report.channel.append({
            "source": source, "field": "podcast:guid",
            "why": f"the show's podcast:guid is {chosen}, chosen by podcast.guid in {name}; "
                   f"the old feed's {imported[:100]} is not published (set podcast.guid to it "
                   "to take the old show's identity)"})
        return None, None
    try:
        live = _live_guid(settings)
    except SyndicateError as exc:
        return None, (f"{source}: the feed names the show's podcast:guid {imported[:100]}, and "
                       f"whether this show is already live under another cannot be told: "
                       f"{exc}; set podcast.guid in {name} to choose the show's guid, or "
                       "import again when the published site can be read")
    if live is None:
        return imported.strip(), None
    if _same_guid(live, imported):
        return live, None  # the live spelling: the string apps and directories compare
    return None, (
        f"{source}: the show here is live under podcast:guid {live}, which podcast apps "
        f"follow; the old feed's is {imported[:100]}, and taking it would make the live show "
        f"another show to every app; nothing was imported. Choose in {name}: "
        f"'podcast.guid: {live}' keeps the live show's identity (the old episodes join it), "
        f"'podcast.guid: {imported[:100]}' takes the old show's (apps following the live feed "
        "may list it as a new show); then import again")


def _live_guid(settings: Settings) -> str | None:
    """The podcast:guid of the show as published with episodes: the catalog's, once an
    episode was published, else the live podcast feed's if it holds an episode (a catalog
    lost or made anew); None for a show never published."""
    from ..collect.recover import live_podcast_guid

    with open_catalog(settings.catalog_path) as cat:
        stored = cat.get_meta("podcast_guid")
        published = any(r["published_at"] for r in cat.all_items("episode"))
    if stored and published:
        return stored
    return live_podcast_guid(settings, with_episodes=True)


def _sidecar(ep: FeedEpisode, origin: str, keep_url: bool, reviews: list[str],
             extras: dict) -> dict:
    """An episode's sidecar; ``origin``: its source, redacted (no credential in a sidecar)."""
    meta = {"title": ep.title, "date": ep.date.astimezone(dt.UTC).isoformat(), "guid": ep.guid,
            "type": ep.type if ep.type in ("full", "trailer", "bonus") else "full"}
    if keep_url:
        meta["audio_url"] = ep.audio_url
        meta["audio_length"] = ep.audio_length
        meta["audio_type"] = PASSTHROUGH[ep.audio_ext][0]
        if ep.duration is not None:
            meta["duration"] = round(ep.duration, 3)
    if ep.season:
        meta["season"] = ep.season
    if ep.number:
        meta["number"] = ep.number
    if ep.explicit is not None:
        meta["explicit"] = ep.explicit
    if ep.notes_html:
        meta["notes"] = to_markdown(ep.notes_html)
    if ep.summary and ep.summary != summarize(markdown_to_html(meta.get("notes") or ep.title)):
        meta["summary"] = ep.summary  # (one the notes' opening gives again needs no key)
    meta.update(ep.tags)
    meta.update(extras)
    if ep.draft:
        meta["draft"] = True
    meta["imported_from"] = origin
    if reviews:
        meta["review"] = redact_credentials("; ".join(reviews))
    return meta


_BEST = {ext: n for n, ext in enumerate(TRANSCRIPT_SUFFIX_OF.values())}


def _best_first(companions: list[dict]) -> list[dict]:
    """Companions with transcripts in order of preference: timed captions before text."""
    return sorted(companions, key=lambda c: _BEST.get(c["ext"], 0)
                  if c["kind"] == "transcript" else 0)


def _companions(ep: FeedEpisode, folder: Path, stem: str, parts: Path, http) -> dict:
    """Bring the episode's art, one transcript (the best kind the feed offers) and its
    chapters beside the sidecar; the sidecar keys that name them. Each one brought in leaves
    the episode's dropped fields for its kept ones; one that fails stays dropped, saying why."""
    out: dict = {}
    for comp in _best_first(ep.companions):
        kind, entry = comp["kind"], comp["entry"]
        if kind in out:
            entry["why"] = (f"syndicate publishes one {kind} per episode: it keeps "
                            f"{out.get(kind)!s:.200}; this one was not downloaded "
                            f"({comp['url'][:200]})")
            continue
        name = f"{stem}{comp['ext']}" if kind != "image" else f"{stem}-art{comp['ext']}"
        dest = folder / (name if kind != "chapters" else f".{stem}.chapters.json")
        try:
            download(comp["url"], dest, parts, expected=None, http=http, audio=False)
            value, wrong = _check_companion(kind, dest, name)
        except SourceError as exc:
            value, wrong = None, str(exc)
        if wrong:
            dest.unlink(missing_ok=True)
            entry["why"] += f"; downloading it failed: {wrong[:300]}"
            ep.reviews.append(f"its {kind} ({comp['url'][:200]}) was not brought in: "
                              f"{wrong[:300]}")
            continue
        if kind == "chapters":
            dest.unlink(missing_ok=True)
        out[kind] = value
        if kind == "transcript" and comp.get("language"):
            out["transcript_language"] = comp["language"]
        ep.dropped.remove(entry)
        ep.kept.append(entry["field"])
    return out


def _companions_at_urls(ep: FeedEpisode) -> dict:
    """The sidecar keys that keep the episode's art, one transcript (the best kind the feed
    offers) and its chapters at their addresses, as the audio is; each kept leaves the
    episode's dropped fields for its kept ones. Nothing is fetched."""
    out: dict = {}
    for comp in _best_first(ep.companions):
        kind, entry = comp["kind"], comp["entry"]
        if f"{kind}_url" in out:
            entry["why"] = (f"syndicate publishes one {kind} per episode: it keeps "
                            f"{out[f'{kind}_url'][:200]}")
            continue
        secret = credential_in(comp["url"])
        if secret or not is_web_url(comp["url"]):
            entry["why"] += (f"; its address carries a credential ({secret}), which would be "
                             "published to every listener" if secret else
                             "; its address is not one a feed can carry")
            continue
        out[f"{kind}_url"] = comp["url"]
        if kind == "transcript":
            out["transcript_type"] = of(comp["ext"]).split(";")[0]
            if comp.get("language"):
                out["transcript_language"] = comp["language"]
        ep.dropped.remove(entry)
        ep.kept.append(entry["field"])
    return out


def _check_companion(kind: str, path: Path, name: str) -> tuple[object, str | None]:
    """(the sidecar's value for a downloaded companion file, or what is wrong with it)."""
    from ..errors import CollectError

    if kind == "image":
        from ..images import check_art

        wrong, _ = check_art(path, name)
        return name, wrong
    if kind == "transcript":
        from ..transcripts import read_transcript

        try:
            read_transcript(path, name)
        except CollectError as exc:
            return None, str(exc)
        return name, None
    return _chapters(path)


def _chapters(path: Path) -> tuple[list | None, str | None]:
    """A Podcast Index chapters file as the sidecar's ``chapters:`` list."""
    import json

    from pydantic import ValidationError

    from ..model import EpisodeMeta

    try:
        data = json.loads(path.read_bytes()[:5 * 2**20])
        found = data.get("chapters") if isinstance(data, dict) else None
        if not isinstance(found, list) or not found:
            return None, "no chapters in the file"
        out = []
        for ch in found:
            if not isinstance(ch, dict) or ch.get("toc") is False:
                continue
            one = {"start": ch.get("startTime"), "title": str(ch.get("title") or "").strip()}
            if isinstance(ch.get("url"), str) and ch["url"].startswith(("http://", "https://")):
                one["url"] = ch["url"]
            out.append(one)
        checked = EpisodeMeta.model_validate({"chapters": out}).chapters
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        return None, f"not a chapters file syndicate can read ({reason[:200]})"
    for one, ch in zip(out, checked, strict=True):
        one["start"] = int(ch.start) if float(ch.start).is_integer() else round(ch.start, 3)
    return out, None


def _remote_size(url: str, http) -> tuple[int | None, str]:
    """(the size the old host gives for ``url``, or None; and, when None, what happened:
    the host never reached, an error status, or an answer without a size)."""
    import requests

    from .fetch import TIMEOUT, unreachable

    host = urlsplit(url).hostname or url
    from .. import http as bounded
    from . import fetch as fetching

    try:
        with bounded.within(fetching.DEADLINE):  # however slowly its headers trickle
            resp = http.head(url, timeout=TIMEOUT, allow_redirects=True)
    except bounded.TimedOut:
        return None, f"the old host {host} gave no answer within {fetching.DEADLINE} s"
    except requests.RequestException as exc:
        return None, unreachable(host, exc)
    size = resp.headers.get("Content-Length", "")
    if not resp.ok:
        return None, (f"the old host {host} answered HTTP {resp.status_code} {resp.reason} "
                      f"for {url}")
    if size.isdecimal() and int(size) > 0:
        return int(size), ""
    return None, f"the old host {host} gave none for {url}"


DURATION_SLACK = 2.0  # seconds the feed's stated duration may be off before it is flagged


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def _check_duration(path: Path, stated: float | None) -> str | None:
    """What to review when the downloaded audio's length is not what the old feed said."""
    import mutagen

    try:
        info = mutagen.File(path)
        length = info.info.length if info is not None else None
    except (mutagen.MutagenError, OSError):
        length = None
    if not length:
        return (f"{path.name}: not audio that can be read (no duration found); check the "
                "file the old host sent")
    if stated is not None and abs(length - stated) > max(DURATION_SLACK, stated * 0.01):
        return (f"the old feed said {_clock(stated)}, the audio lasts {_clock(length)}; the "
                "published feed gives the audio's own duration")
    return None
