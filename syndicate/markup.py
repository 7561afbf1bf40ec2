"""Text hygiene: Markdown to sanitised HTML, plain summaries, slugs, XML-safe strings."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache

from .urls import credential_in, redact_credentials, without_credentials

# Characters XML 1.0 forbids (lxml refuses them): C0 controls but tab/LF/CR, surrogates, FFFE/FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# The Markdown parser and the sanitiser are loaded on first use: a publish with nothing to
# parse (the common case) never pays for importing them.
@cache
def _markdown():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    from .nesting import PARSE_DEPTH, guard

    md = MarkdownIt("commonmark", {"typographer": False, "maxNesting": PARSE_DEPTH})
    md = md.enable(["table", "strikethrough"]).use(footnote_plugin)
    guard(md)
    return md


@cache
def _nh3():
    import nh3

    tags = set(nh3.ALLOWED_TAGS) | {"section", "sup", "sub", "hr", "figure", "figcaption"}
    tags -= {"script", "iframe", "object", "embed", "style", "form", "input", "button"}
    attrs = {tag: set(a) for tag, a in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag in ("sup", "li", "section", "a", "ol", "hr", "h1", "h2", "h3", "h4", "h5", "h6"):
        attrs.setdefault(tag, set()).update({"id", "class"})
    attrs.setdefault("img", set()).update({"src", "alt", "title", "width", "height"})
    attrs.setdefault("a", set()).update({"href", "title"})
    return nh3, tags, attrs


def xml_safe(text: str | None) -> str:
    """Remove the characters XML 1.0 cannot carry."""
    return _XML_ILLEGAL.sub("", text or "")


# shown as nothing: controls, format characters (U+200B, U+2060, bidi controls), separators and
# spaces, marks with no letter to sit on, unassigned code points, and the fillers of Hangul
# and Braille that fonts draw blank (a private-use character may be an icon: it shows)
_UNSEEN = {"Cc", "Cf", "Cs", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"}
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


INVISIBLE_TITLE = ("the title shows nothing: only spaces, zero-width or format characters "
                   "(U+200B, U+2060, bidi controls)")


def visible(text: str) -> bool:
    """Whether ``text`` shows anything at all (a title of only U+200B or spaces does not)."""
    return any(unicodedata.category(ch) not in _UNSEEN and ch not in _BLANK_LETTERS
               and not ch.isspace() for ch in text)


_EMBED, _ISOLATE = frozenset("\u202a\u202b\u202d\u202e"), frozenset("\u2066\u2067\u2068")
_PDF, _PDI = "\u202c", "\u2069"
_ANY_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")  # every character of the four above


# languages written right to left, and the scripts that are (a script subtag decides: ku-Arab
# is, ku-Latn is not)
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ps", "sd",
                           "syr", "ug", "ur", "yi", "nqo", "prs", "pnb", "mzn", "lrc", "glk"})
RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg", "mand",
                         "samr", "mend"})


def text_direction(language: str) -> str:
    """``rtl`` for a BCP 47 language tag written right to left (``ar``, ``he-IL``,
    ``ku-Arab``), else ``ltr``: the ``dir`` of a page in that language."""
    parts = language.strip().lower().replace("_", "-").split("-")
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script is not None:
        return "rtl" if script in RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


def paired_bidi(text: str) -> str:
    """``text`` without the bidi controls that are not paired within it (an embedding or
    override with no U+202C after it, an isolate with no U+2069, a closer with no opener): a
    title can set the direction of its own words, never of what a page shows after it."""
    if not _ANY_BIDI.search(text):
        return text
    open_: list[tuple[int, bool]] = []  # (index, is an isolate)
    unpaired: set[int] = set()
    for i, ch in enumerate(text):
        if ch in _EMBED or ch in _ISOLATE:
            open_.append((i, ch in _ISOLATE))
        elif ch == _PDF:
            if open_ and not open_[-1][1]:
                open_.pop()
            else:
                unpaired.add(i)
        elif ch == _PDI:
            if any(isolate for _, isolate in open_):
                while not open_.pop()[1]:  # an isolate's end closes what is open inside it
                    pass
            else:
                unpaired.add(i)
    unpaired.update(i for i, _ in open_)
    return "".join(ch for i, ch in enumerate(text) if i not in unpaired)


_TAG = re.compile(r"(<[^>]*>)")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def paired_bidi_html(fragment: str) -> str:
    """An HTML fragment whose every text run (between two tags) and every tag (its attribute
    values) keeps only the bidi controls paired within it: a body or show notes can set the
    direction of words inside an element, never of what follows the element's end."""
    if not _BIDI.search(fragment):
        return fragment
    return "".join(paired_bidi(part) for part in _TAG.split(fragment))


def sanitize(fragment: str) -> str:
    """Keep ordinary markup; drop script, iframe, event handlers and javascript: URLs, and bidi
    controls left unpaired in a text run (see ``paired_bidi_html``)."""
    nh3, tags, attrs = _nh3()
    clean = nh3.clean(xml_safe(fragment), tags=tags, attributes=attrs, link_rel=None,
                      attribute_filter=_no_credential)
    # addresses written out in the text (not links) without their credentials too
    return paired_bidi_html(redact_credentials(clean, without_credentials))


def _no_credential(tag: str, attr: str, value: str) -> str:
    """An address in a body published without the credential it carries (a user:password@,
    a ``?access_token=``): a page or feed is for anyone to read."""
    if (attr in ("href", "src") and "://" in value and ("@" in value or "?" in value)
            and credential_in(value)):
        return without_credentials(value)
    return value


def markdown_to_html(text: str) -> str:
    return render_markdown(text)[0]


def render_markdown(text: str) -> tuple[str, list[tuple[str, str]], list[tuple[int, str]]]:
    """A Markdown body rendered once: its sanitised HTML; what the sanitiser took out of it
    (the embeds it dropped: ``<video>``, ``<iframe>``, ``<script>``... and an image's
    ``srcset``, read from the rendered HTML so markup shown in code is not counted); and notes
    of what the body's text was kept from (1-based line of ``text``, what was done): a tag
    that would swallow the text after it shown as text (see ``rawtags``), lists and quotes
    nested past what a page shows or the parser reads (see ``nesting``)."""
    from . import nesting, rawtags

    md, src = _markdown(), xml_safe(text)
    shown: list[tuple[int, str]] = []  # (0-based line, a tag written as text)
    for passes in range(rawtags.REPARSES + 1):  # each pass writes one more tag as text
        env: dict = {}
        tokens = md.parse(src, env)
        mended, reopen = rawtags.mend(tokens, src, reparse=passes < rawtags.REPARSES)
        if reopen is None:
            break
        src, tag = rawtags.escape_first(src, reopen)
        shown.append((reopen, tag))
    notes = [(line + 1, rawtags.note(tag)) for line, tag in shown + mended]
    if "too_deep" in env:
        notes.append((env["too_deep"] + 1, f"lists and quotes nested more than "
                      f"{nesting.PARSE_DEPTH} parser levels deep are shown as plain text from "
                      "here (all of it kept); nest less"))
    flat = nesting.flatten(tokens)
    if flat is not None:
        notes.append((flat + 1, f"lists and quotes nested more than {nesting.SHOWN_DEPTH} "
                      f"deep are shown {nesting.SHOWN_DEPTH} deep from here (all their text "
                      "kept); nest less"))
    raw = md.renderer.render(tokens, md.options, env)
    return sanitize(raw).strip(), _removed(raw), sorted(set(notes))


_REMOVED = re.compile(r"<(video|audio|picture|source|iframe|embed|object|track|script|style|"
                      r"template|math|svg|select|option|datalist|form|input|button)\b|"
                      r"<img\b[^>]*?\s(srcset)\s*=|"
                      r"<img\b[^>]*?\ssrc\s*=\s*[\"']?\s*(data):|"
                      r"(<\?)", re.IGNORECASE)


def _removed(raw: str) -> list[tuple[str, str]]:
    """(what was taken out, the text it is written with in the source, for its line)."""
    found: dict[str, str] = {}
    for m in _REMOVED.finditer(raw):
        if m.group(1):
            found.setdefault(f"<{m.group(1).lower()}>", "<" + m.group(1))
        elif m.group(2):
            found.setdefault("srcset", "srcset")
        elif m.group(4):  # <?php ... ?>: taken out with what it holds
            found.setdefault("a processing instruction (<?...?>)", "<?")
        else:  # (the sanitiser keeps no data: address)
            found.setdefault("a data: image", "data:")
    return list(found.items())


def text_to_html(text: str) -> str:
    """Plain text: paragraphs at blank lines, line breaks kept."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", xml_safe(text)) if p.strip()]
    return paired_bidi_html(
        "\n".join("<p>" + html.escape(redact_credentials(p, without_credentials))
                  .replace("\n", "<br>\n") + "</p>" for p in paras))


def _strip_tags(text: str, decode: bool) -> str:
    """``text`` without its tags (and without script and style content); entities decoded only
    when ``decode``, else kept as the characters they are."""
    if not decode:
        text = text.replace("&", "&amp;")
    return html.unescape(_nh3()[0].clean(text, tags=set()))


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, whitespace folded, entities decoded once.

    Text that spelled a tag with entities (``&lt;script&gt;``) would be a tag to a reader that
    takes the text for HTML (RSS ``description``), so what still parses as a tag is removed too.
    """
    text = _strip_tags(xml_safe(fragment), decode=True)
    for _ in range(8):  # each pass removes at least one tag; real text needs one or two
        again = _strip_tags(text, decode=False)
        if again == text:
            break
        text = again
    return xml_safe(" ".join(text.split()))


def plain_summary(text: str | None) -> str:
    """A summary an author wrote (front matter, sidecar) as plain text: markup stripped,
    entities decoded once, no credential in an address it holds; the feed writer escapes it
    for where it lands."""
    return public_text(plain_text(text or "")).strip()


def public_text(text: str | None) -> str:
    """A line of text a feed or page shows (a title, a tag, a chapter's title): what XML can
    carry, and every address in it without its credential (a user name and password, a
    token), as in bodies; the file's line is warned of when it is read."""
    return redact_credentials(xml_safe(text), without_credentials)


def public_data(value):
    """Plain data a feed shows (a sidecar's Podcast Index tags: a person's name, a location, a
    soundbite's title) with every address in its texts without its credential, as
    ``public_text`` does for a title; the rest as it was."""
    if isinstance(value, str):
        return redact_credentials(value, without_credentials)
    if isinstance(value, dict):
        return {k: public_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [public_data(v) for v in value]
    return value


def summarize(fragment: str, limit: int = 280) -> str:
    """A plain summary: the first paragraph's text, cut at a word boundary."""
    first = re.split(r"</p>|<br\s*/?>\s*<br\s*/?>", fragment, maxsplit=1)[0]
    text = plain_text(first) or plain_text(fragment)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-")
    return cut + "…"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "item"


def title_slug(text: str) -> str:
    """The slug of a new item, from its title in any script: transliterated to ASCII first
    (``Привет мир`` -> ``privet-mir``, ``Straße`` -> ``strasse``). Only names made now use it:
    the slug of a file already there is read from its name by ``slugify``, so no address
    published before changes."""
    from anyascii import anyascii

    return slugify(anyascii(unicodedata.normalize("NFC", text)))


def tag_key(tag: str) -> str:
    """What makes two tags one: the same letters whatever their case (``UPPER``, ``upper``)."""
    return " ".join(unicodedata.normalize("NFC", tag).casefold().split())


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


_HIDDEN = re.compile(r"<!--.*?-->|<(script|style|template|head)\b.*?</\1\s*>", re.S | re.I)
_SHOWN_ELEMENT = re.compile(r"<(img|audio|video|svg|picture|canvas|iframe)\b", re.I)


def shows_anything(page: str) -> bool:
    """Whether an HTML page shows a reader anything: text outside comments, scripts, styles
    and the head, or an image, a player or a drawing."""
    body = _HIDDEN.sub(" ", page)
    if _SHOWN_ELEMENT.search(body):
        return True
    return bool(re.sub(r"<[^>]*>", " ", body).replace("&nbsp;", " ").strip())
