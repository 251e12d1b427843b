"""Slot ``answer``: what the controller returns when it stops."""

from __future__ import annotations

from autotts.controllers.voting import majority
from autotts.discover.mechanisms.schedule import Schedule
from autotts.discover.mechanisms.state import Branch

__all__ = ["answer_completed", "answer_leader", "answer_window"]


def answer_completed(s: Schedule, pool: list[str], branches: list[Branch], leader: str | None) -> str | None:
    """Majority of completed answers; without any, of the latest answers of kept branches."""
    if pool:
        return majority(pool)
    return majority(b.latest for b in branches if not b.abandoned)


def answer_leader(s: Schedule, pool: list[str], branches: list[Branch], leader: str | None) -> str | None:
    """The tally's leader (weighted votes count as they were weighed); the kept branches' majority otherwise."""
    if leader is not None:
        return leader
    return majority(b.latest for b in branches if not b.abandoned)


def answer_window(s: Schedule, pool: list[str], branches: list[Branch], leader: str | None) -> str | None:
    """The newest ``window`` completed answers if they all agree; the majority of completed answers otherwise."""
    recent = pool[-s.window:]
    if len(recent) == s.window and len(set(recent)) == 1:
        return recent[0]
    return answer_completed(s, pool, branches, leader)
