"""Slot ``split``: whether a vote that stays split falls back to plain voting.

While the fallback holds, the controller prunes nothing, opens nothing and
does not stop early: it reads the open branches to their end, so the answer
is a vote over all of them. Pruning on a split vote is where adaptive controllers lose to
plain self-consistency: the right answer is then often a weak plurality
carried by long branches.
"""

from __future__ import annotations

from autotts.discover.mechanisms.schedule import Schedule

__all__ = ["split_finish", "split_off"]


def split_off(s: Schedule, pool: list[str], conf: float) -> bool:
    """Never fall back."""
    return False


def split_finish(s: Schedule, pool: list[str], conf: float) -> bool:
    """Fall back once ``split_after`` answers are in and the leader is still less than ``split_conf`` sure."""
    return len(pool) >= s.split_after and conf < s.split_conf
