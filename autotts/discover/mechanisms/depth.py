"""Slot ``depth``: which live branches are read further each step, and by how many intervals."""

from __future__ import annotations

from autotts.discover.mechanisms.schedule import Schedule
from autotts.discover.mechanisms.state import Branch, advance
from autotts.replay.episode import QuestionView

__all__ = ["deepen_aligned_focus", "deepen_focus", "deepen_most_invested", "deepen_uniform"]


def deepen_most_invested(question: QuestionView, s: Schedule, live: list[Branch], pool: list[str],
                         winner: str | None, warm: bool) -> None:
    """Most-probed branches first; those agreeing with the leader get ``burst`` intervals once warm."""
    for b in sorted(live, key=lambda b: b.probes, reverse=True):
        advance(question, b, pool, s.burst if warm and b.latest == winner else 1)


def deepen_aligned_focus(question: QuestionView, s: Schedule, live: list[Branch], pool: list[str],
                         winner: str | None, warm: bool) -> None:
    """Only ``focus`` branches advance: those agreeing with the leader first, then the most probed."""
    for b in sorted(live, key=lambda b: (b.latest != winner, -b.probes))[: s.focus]:
        advance(question, b, pool, s.burst if warm and b.latest == winner else 1)


def deepen_uniform(question: QuestionView, s: Schedule, live: list[Branch], pool: list[str],
                   winner: str | None, warm: bool) -> None:
    """Every live branch one interval, in the order they were opened: branches finish in order of length."""
    for b in live:
        advance(question, b, pool, 1)


def deepen_focus(question: QuestionView, s: Schedule, live: list[Branch], pool: list[str],
                 winner: str | None, warm: bool) -> None:
    """Only the ``focus`` most-probed branches advance, so a few finish early."""
    for b in sorted(live, key=lambda b: b.probes, reverse=True)[: s.focus]:
        advance(question, b, pool, s.burst if warm and b.latest == winner else 1)
