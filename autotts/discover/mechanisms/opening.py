"""Slot ``opening``: how a new branch starts, probed interval by interval or read whole."""

from __future__ import annotations

from autotts.discover.mechanisms.state import Branch, open_probed, open_read
from autotts.replay.episode import QuestionView

__all__ = ["open_probe", "open_whole", "open_whole_first"]


def open_probe(question: QuestionView, branches: list[Branch], pool: list[str], count: int, initial: bool) -> None:
    """Every branch starts with one interval and a probe, so it can be steered, pruned or settled early."""
    open_probed(question, branches, pool, count)


def open_whole(question: QuestionView, branches: list[Branch], pool: list[str], count: int, initial: bool) -> None:
    """Every branch is read to its end at once (self-consistency's way): no probe overhead, no early exit."""
    open_read(question, branches, pool, count)


def open_whole_first(question: QuestionView, branches: list[Branch], pool: list[str], count: int,
                     initial: bool) -> None:
    """The first ``n_init`` branches are read whole, later ones probed.

    A few whole answers settle easy questions at self-consistency's cost; the probed branches opened after
    them are where the controller races and prunes on the questions whose first answers disagree.
    """
    (open_read if initial else open_probed)(question, branches, pool, count)
