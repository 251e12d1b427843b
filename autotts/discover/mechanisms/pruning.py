"""Slots ``dissent`` and ``overlong``: which live branches are abandoned, for disagreeing or for running long.

Both act only once the controller is warm, the leader is at least
``prune_conf`` sure, ``prune_after`` answers are in and the vote is not
split; dissent acts first.
"""

from __future__ import annotations

from autotts.discover.mechanisms.schedule import Schedule
from autotts.discover.mechanisms.state import Branch
from autotts.replay.episode import QuestionView

__all__ = ["dissent_off", "dissent_patience", "overlong_off", "overlong_ratio"]


def dissent_off(question: QuestionView, s: Schedule, live: list[Branch], winner: str) -> None:
    """Never abandon a branch for disagreeing with the leader."""


def dissent_patience(question: QuestionView, s: Schedule, live: list[Branch], winner: str) -> None:
    """Abandon branches that disagreed with the leader ``patience`` steps running, most stubborn first,
    never leaving fewer than ``min_kept`` live."""
    for b in live:
        b.disagree = b.disagree + 1 if b.latest != winner else 0
    dissenters = sorted((b for b in live if b.disagree >= s.patience), key=lambda b: b.disagree, reverse=True)
    for b in dissenters[: max(0, len(live) - s.min_kept)]:
        b.abandoned = True
        question.prune(b.index)


def overlong_off(question: QuestionView, s: Schedule, live: list[Branch], branches: list[Branch]) -> None:
    """Never abandon a branch for its length."""


def overlong_ratio(question: QuestionView, s: Schedule, live: list[Branch], branches: list[Branch]) -> None:
    """Abandon live branches already ``length_ratio`` times longer than the shortest finished one.

    Long traces are the ones most often wrong, and the first to finish sets the scale for this question.
    """
    shortest = min((b.probes for b in branches if b.finished), default=None)
    if shortest is None:
        return
    for b in live:
        if b.probes > s.length_ratio * shortest:
            b.abandoned = True
            question.prune(b.index)
