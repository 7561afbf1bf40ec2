"""Lists and quotes nested deeper than a page can show: their text kept, their depth capped.

Two limits. The parser reads ``PARSE_DEPTH`` levels (markdown-it stops at its ``maxNesting`` and
drops the rest of the container, here the rest of a post): text past it is kept as one plain
paragraph, never dropped. The page shows ``SHOWN_DEPTH`` levels of lists and quotes: deeper
ones are flattened into the deepest shown, their items kept as paragraphs, so a phone never
scrolls sideways. Each is noted with its line.
"""

from __future__ import annotations

PARSE_DEPTH = 100  # parser levels: a list level takes two (list, item), a quote one
SHOWN_DEPTH = 8  # lists and quotes one inside another on a page

_CONTAINERS = {"bullet_list", "ordered_list", "blockquote", "list_item"}


def guard(md) -> None:
    """Make ``md``'s block parser keep, as plain text, what lies past its nesting limit (noted
    in ``env["too_deep"]``, the 0-based line) instead of dropping it."""
    tokenize = md.block.tokenize

    def guarded(state, start_line: int, end_line: int) -> None:
        line = state.skipEmptyLines(start_line)
        if state.level < state.md.options.maxNesting or line >= end_line \
                or state.sCount[line] < state.blkIndent:
            return tokenize(state, start_line, end_line)
        stop = line
        while stop < end_line and (state.isEmpty(stop) or state.sCount[stop] >= state.blkIndent):
            stop += 1
        state.env.setdefault("too_deep", line)
        state.push("paragraph_open", "p", 1).map = [line, stop]
        inline = state.push("inline", "", 0)
        inline.content = state.getLines(line, stop, state.blkIndent, False).strip()
        inline.map = [line, stop]
        inline.children = []
        state.push("paragraph_close", "p", -1)
        state.line = stop
        return None

    md.block.tokenize = guarded


def flatten(tokens) -> int | None:
    """Lists and quotes past ``SHOWN_DEPTH`` taken out of ``tokens`` (in place), their text left
    in the deepest one shown, a tight list's items as paragraphs. Returns the 0-based line of
    the first one flattened, or None."""
    stack: list[bool] = []  # for each open container: whether it is taken out
    depth = 0  # lists and quotes shown around the current token
    first: int | None = None
    kept = []
    for token in tokens:
        kind = token.type.rsplit("_", 1)[0]
        if kind in _CONTAINERS and token.nesting == 1:
            counts = kind != "list_item"
            drop = (counts and depth >= SHOWN_DEPTH) or (not counts and bool(stack) and stack[-1])
            stack.append(drop)
            if drop:
                if first is None and token.map:
                    first = token.map[0]
                continue
            depth += counts
        elif kind in _CONTAINERS and token.nesting == -1:
            drop = stack.pop()
            if drop:
                continue
            depth -= kind != "list_item"
        elif kind == "paragraph" and stack and stack[-1]:
            token.hidden = False  # an item of a tight list: its own paragraph once flattened
        kept.append(token)
    tokens[:] = kept
    return first
