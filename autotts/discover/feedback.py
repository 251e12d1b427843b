"""Prompt sections, and fitting them to a size budget by dropping whole sections.

Feedback for a proposer is a list of sections, most useful first. When they
do not all fit, the least useful ones are left out whole: a section cut in
the middle (half a table, a source without its end) misleads a model more
than a missing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Section", "fit_sections"]


@dataclass(frozen=True, slots=True)
class Section:
    """One titled part of a prompt; ``quotes`` is the candidate source it shows, if it shows one."""

    title: str
    body: str
    quotes: str | None = None

    def render(self) -> str:
        return f"## {self.title}\n{self.body}"


def fit_sections(sections: Sequence[Section], budget: int) -> list[Section]:
    """The sections that fit in ``budget`` characters (rendered, blank line between), taken most useful first,
    in their given order; one that does not fit is dropped whole and the smaller ones after it still get in."""
    kept, used = [], 0
    for section in sections:
        size = len(section.render()) + 2
        if used + size <= budget:
            kept.append(section)
            used += size
    return kept
