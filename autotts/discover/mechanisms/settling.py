"""Slot ``settle``: whether a live branch whose probes keep agreeing is counted without reading it to the end."""

from __future__ import annotations

from autotts.discover.mechanisms.schedule import Schedule
from autotts.discover.mechanisms.state import Branch
from autotts.replay.episode import ERR

__all__ = ["settle_off", "settle_streak"]


def settle_off(s: Schedule, live: list[Branch], pool: list[str]) -> None:
    """Every branch is read until it ends (or is abandoned)."""


def settle_streak(s: Schedule, live: list[Branch], pool: list[str]) -> None:
    """A live branch whose last ``settle_probes`` reads gave the same extracted answer is settled: that answer
    joins the pool as if the branch had finished, and the branch is read no further.

    A trace that has stated one answer for thousands of tokens mostly ends on it; its remaining tokens buy little.
    """
    for b in live:
        if b.streak >= s.settle_probes and b.latest != ERR:
            b.finished = True
            pool.append(b.latest)
