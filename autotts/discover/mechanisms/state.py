"""What a template controller knows about each branch it opened, and the two ways to read one further."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from autotts.replay.episode import QuestionView

__all__ = ["Branch", "Reading", "advance", "live_branches", "open_probed", "open_read"]

@dataclass(slots=True)
class Branch:
    """One opened branch: its newest answer (final once finished), and how it got there."""

    index: int
    latest: str
    finished: bool
    previous: str | None = None
    abandoned: bool = False
    probes: int = 1
    disagree: int = 0
    streak: int = 1  # reads in a row, up to the newest, that gave ``latest``


class Reading(NamedTuple):
    """What a step's second tally says: the leader, its confidence, their smoothed trend, how long it has led."""

    winner: str | None
    conf: float
    ema: float
    delta: float  # newest smoothed confidence minus the oldest one kept
    stable: int  # steps in a row the leader stayed the same


def live_branches(branches: list[Branch]) -> list[Branch]:
    """Branches still being read: neither finished (or settled) nor abandoned, in the order they were opened."""
    return [b for b in branches if not (b.finished or b.abandoned)]


def advance(question: QuestionView, b: Branch, pool: list[str], times: int) -> None:
    """Up to ``times`` more intervals of ``b``; a branch that ends puts its final answer in the pool."""
    for _ in range(times):
        obs = question.continue_branch(b.index)
        b.streak = b.streak + 1 if obs.answer == b.latest else 1
        b.previous, b.latest = b.latest, obs.answer
        b.probes += 1
        if obs.finished:
            b.finished = True
            pool.append(obs.answer)
            return


def open_probed(question: QuestionView, branches: list[Branch], pool: list[str], count: int) -> None:
    """Open up to ``count`` branches, one interval each; answers of branches that end at once join the pool."""
    for _ in range(count):
        try:
            obs = question.branch()
        except ValueError:
            return
        branches.append(Branch(obs.branch, obs.answer, obs.finished))
        if obs.finished:
            pool.append(obs.answer)


def open_read(question: QuestionView, branches: list[Branch], pool: list[str], count: int) -> None:
    """Open up to ``count`` branches read to their end at once: each costs its whole trace, no probe overhead."""
    for _ in range(count):
        try:
            obs = question.read_new()
        except ValueError:
            return
        branches.append(Branch(obs.branch, obs.answer, True))
        pool.append(obs.answer)
