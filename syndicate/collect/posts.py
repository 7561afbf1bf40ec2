"""Blog posts: Markdown with YAML front matter, or plain text whose first line is the title."""

from __future__ import annotations

import re
from pathlib import Path

from .. import yamlcheck
from ..errors import CollectError
from ..frontmatter import split_front_matter
from ..markup import (
    INVISIBLE_TITLE,
    plain_summary,
    public_text,
    render_markdown,
    summarize,
    tag_key,
    text_to_html,
    visible,
    xml_safe,
)
from ..model import Post, PostMeta
from ..sourcefiles import default_slug, key_line, read_text, split_name, strip_where
from ..urls import addresses_with_credentials
from ..when import parse_date
from .linked import linked_files

POST_SUFFIXES = {".md", ".markdown", ".txt"}
_DATE_LINE = re.compile(r"^date:\s*(.+)$", re.I)


def _date(value, name: str, line: int | None, zone: str, what: str = "date") -> str:
    try:
        return parse_date(value, zone).isoformat()
    except ValueError as exc:
        raise CollectError(name, f"'{what}': {exc}", line) from None


def parse_post(path: Path, name: str, zone: str, warnings: list[str],
               data: bytes | None = None, folder: Path | None = None) -> Post:
    """Parse one post file (or its ``data``, if read already); raises CollectError naming the
    file and line of the problem. Files the body links must lie in ``folder`` (default: the
    post's own).

    Unknown front matter keys are appended to ``warnings``.
    """
    text = read_text(path, name, data)
    name_date, _ = split_name(path.stem)
    if path.suffix.lower() == ".txt":
        post = _parse_txt(text, path, name, zone, name_date)
        _credentials_said(text, name, warnings)
        return post

    fm_text, body, _ = split_front_matter(text, name)
    meta = PostMeta()
    if fm_text is not None:
        try:
            data = yamlcheck.parse(fm_text, name, line_offset=1)
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise yamlcheck.YamlProblems([f"{name}:2: front matter must be key: value lines"])
            meta = yamlcheck.validate(PostMeta, data, fm_text, name, line_offset=1)
        except yamlcheck.YamlProblems as exc:
            raise CollectError(name, strip_where(exc.problems, name), exc.first_line) from None
        warnings += yamlcheck.unknown_keys(meta, fm_text, name, line_offset=1)
    title = meta.title
    title_line = key_line(fm_text, "title", first_line=2, default=2)
    if title is None:
        m = re.match(r"\s*#\s+(.+?)\s*#*\s*\n", body)
        if m:
            at = len(text) - len(body) + m.start(1)  # where the heading's text lies in the file
            title, body = m.group(1), body[m.end():]
            title_line = text.count("\n", 0, at) + 1
    if not title:
        raise CollectError(
            name, "missing title", 2 if fm_text is not None else 1,
            hint="add 'title: ...' to the front matter",
        )
    if not visible(xml_safe(str(title))):
        raise CollectError(name, INVISIBLE_TITLE, title_line, hint=TITLE_HINT)
    date_value = meta.date if meta.date is not None else name_date
    if date_value is None:
        raise CollectError(
            name, "missing date", 2 if fm_text is not None else 1,
            hint="add 'date: 2024-05-01' to the front matter or name the file 2024-05-01-slug.md",
        )
    date = _date(date_value, name, key_line(fm_text, "date", first_line=2, default=2), zone)
    updated = None
    if meta.updated is not None:
        line = key_line(fm_text, "updated", first_line=2, default=2)
        updated = _date(meta.updated, name, line, zone, "updated")
    html, removed, notes = render_markdown(body)
    body_line = text.count("\n", 0, len(text) - len(body))  # lines above the body
    for line, note in notes:
        warnings.append(f"{name}:{body_line + line}: {note}")
    for what, written in removed:
        at = text.lower().find(written.lower())
        line = text.count("\n", 0, at) + 1 if at >= 0 else 1
        warnings.append(f"{name}:{line}: {what} is removed from the page and the feeds (only "
                        "text, links and images with one src are kept); link the file instead")
    _credentials_said(text, name, warnings)
    files = linked_files(html, path, name, folder or path.parent, text, warnings)
    return Post(
        source=name,
        slug=meta.slug or default_slug(path),
        title=public_text(str(title)).strip(),
        date=date,
        html=html,
        summary=plain_summary(meta.summary) or summarize(html),
        tags=_tags(meta.tags, name, fm_text, warnings),
        draft=meta.draft,
        guid=meta.guid,
        updated=updated,
        link=meta.link,
        files=files,
    )


def _tags(given: list[str], name: str, fm_text: str | None, warnings: list[str]) -> list[str]:
    """The post's tags: one of each (tags differing only in case are one, the first spelling
    kept); a blank one is dropped, with a warning naming its line."""
    out: list[str] = []
    seen: set[str] = set()
    for tag in given:
        text = public_text(tag).strip()
        key = tag_key(text)
        if not key:
            line = key_line(fm_text or "", "tags", first_line=2, default=2)
            warnings.append(f"{name}:{line}: a blank tag is left out; remove it or give it a name")
            continue
        if key not in seen:
            seen.add(key)
            out.append(text)
    return out


def _credentials_said(text: str, name: str, warnings: list[str]) -> None:
    """A warning for each line of a post that writes an address with a credential (published
    without it: see markup.public_text and sanitize)."""
    for line, found in addresses_with_credentials(text):
        warnings.append(f"{name}:{line}: an address holds {found}; it is published without "
                        "it (pages and feeds are public): remove it from the file")


TITLE_HINT = "give the post a title that can be read"


def _parse_txt(text: str, path: Path, name: str, zone: str, name_date) -> Post:
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines or not xml_safe(lines[0]).strip():
        raise CollectError(name, "empty file", 1, hint="the first line is the post's title")
    title = lines[0].strip()
    if not visible(xml_safe(title)):
        raise CollectError(name, INVISIBLE_TITLE, text.split("\n").index(lines[0]) + 1,
                           hint="the first line is the post's title: write one that can be read")
    rest = lines[1:]
    date_value, date_line = name_date, 1
    for i, line in enumerate(rest[:3]):
        m = _DATE_LINE.match(line.strip())
        if m:
            date_value, date_line = m.group(1).strip(), i + 2
            del rest[i]
            break
    if date_value is None:
        raise CollectError(
            name, "missing date", 2,
            hint="add a line 'Date: 2024-05-01' under the title or name the file "
            "2024-05-01-slug.txt",
        )
    html = text_to_html("\n".join(rest))
    return Post(
        source=name,
        slug=default_slug(path),
        title=public_text(title),
        date=_date(date_value, name, date_line, zone),
        html=html,
        summary=summarize(html),
    )
