"""Reading answers out of generated text: ``\\boxed{...}`` with nested braces.

Two places need it: the final answer of a finished trace (its last complete
box) and a probe's greedy continuation, which starts just after the ``\\boxed{``
the probe suffix opened, so its answer runs up to the brace that closes depth 1.
LaTeX's escaped braces (``\\{``, ``\\}``) are content, not structure.
"""

from __future__ import annotations

import re

__all__ = ["BOX_OPENERS", "last_boxed", "read_open_box"]

BOX_OPENERS = re.compile(r"\\(?:boxed|fbox)\s*\{")


def read_open_box(text: str, start: int = 0) -> str | None:
    """The content from ``start`` up to the brace that closes an already open box, or None if none does."""
    depth = 1
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2  # an escaped character, \{ and \} included, never opens or closes
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start:i].strip()
        i += 1
    return None


def last_boxed(text: str) -> str | None:
    """The content of the last complete ``\\boxed{...}`` in ``text``; None if there is none.

    A box cut off by the token limit does not count, so a trace truncated while
    writing its answer falls back to the box before it.
    """
    for match in reversed(list(BOX_OPENERS.finditer(text))):
        content = read_open_box(text, match.end())
        if content is not None:
            return content
    return None
