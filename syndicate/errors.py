"""The error hierarchy. The CLI turns any SyndicateError into ``Error: ...`` with no traceback."""

from __future__ import annotations

import unicodedata


def printable(name: str) -> str:
    """``name`` fit for one line of a message on a terminal: control characters, line
    separators, format characters (bidi controls such as U+202E, which reorder what a terminal
    shows, and zero-width ones such as U+200B, which hide) and bytes that are not UTF-8 (a
    file name's surrogate escapes) are shown as escapes. Only for what is printed: pages and
    feeds keep the author's text."""
    out = []
    for ch in name:
        if 0xDC80 <= ord(ch) <= 0xDCFF:  # a byte os.fsdecode could not decode
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


class SyndicateError(Exception):
    """Base of every error syndicate reports to the author."""

    exit_code = 1


class ConfigError(SyndicateError):
    """config.yaml is missing, unreadable or invalid; holds every problem found."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ItemError(SyndicateError):
    """A post or episode could not be read; names the file and, where known, the line."""

    def __init__(self, path: str, reason: str, line: int | None = None, hint: str = ""):
        self.path = str(path)
        self.line = line
        self.reason = reason
        self.hint = hint
        where = printable(self.path)
        where = f"{where}:{line}" if line else where
        text = f"{where}: {reason}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class CollectError(ItemError):
    """A post or episode source failed to parse or validate."""

    @classmethod
    def all_of(cls, errors: list[CollectError]) -> CollectError:
        """One error saying every one of ``errors`` (of one file), each with its line, so one
        run names them all: the first as it is, the others after it."""
        first = errors[0]
        if len(errors) == 1:
            return first
        more = "; ".join(f"line {e.line}: {e.reason}" if e.line else e.reason
                         for e in errors[1:])
        return cls(first.path, f"{first.reason}; also refused, {more}", first.line,
                   hint=first.hint)


class AudioError(ItemError):
    """An audio file is missing, empty, not audio, or could not be processed."""


class NotEncoded(AudioError):
    """A dry run met audio it would have to encode (a dry run encodes and caches nothing)."""


class PublishError(SyndicateError):
    """Rendering or writing the site failed; nothing half-written is left live."""


class SiteBlocked(PublishError):
    """Something put in a local site folder by hand (a folder where a file goes, a file where a
    folder goes, a link leading out) stands where the site must write: publishing again cannot
    help until it is moved away, so the message says what to move."""


class CannotListen(SyndicateError):
    """`syndicate serve` cannot listen where it was asked to (the port is taken, say)."""

    exit_code = 2
