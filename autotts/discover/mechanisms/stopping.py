"""Slot ``stop``: when the controller is sure enough to answer (once warm and ``min_complete`` answers are in)."""

from __future__ import annotations

from autotts.discover.mechanisms.schedule import Schedule
from autotts.discover.mechanisms.state import Branch, Reading

__all__ = ["stop_consensus", "stop_ema", "stop_ema_stable", "stop_raw", "stop_window"]


def stop_ema(s: Schedule, r: Reading, pool: list[str], branches: list[Branch]) -> bool:
    """Smoothed confidence high and not falling (CMC's rule)."""
    return r.ema >= s.conf_thresh and r.delta >= -s.delta_slack


def stop_ema_stable(s: Schedule, r: Reading, pool: list[str], branches: list[Branch]) -> bool:
    """Smoothed confidence high, not falling, and the leader unchanged for ``stable_steps``."""
    return r.ema >= s.conf_thresh and r.delta >= -s.delta_slack and r.stable >= s.stable_steps


def stop_raw(s: Schedule, r: Reading, pool: list[str], branches: list[Branch]) -> bool:
    """Current confidence high and the leader unchanged for ``stable_steps``."""
    return r.conf >= s.conf_thresh and r.stable >= s.stable_steps


def stop_window(s: Schedule, r: Reading, pool: list[str], branches: list[Branch]) -> bool:
    """The newest ``window`` completed answers all agree (early-stopping self-consistency's rule)."""
    return len(pool) >= s.window and len(set(pool[-s.window:])) == 1


def stop_consensus(s: Schedule, r: Reading, pool: list[str], branches: list[Branch]) -> bool:
    """The leader is the newest answer of at least ``consensus_share`` of the kept branches, finished or not,
    and has led for ``stable_steps``.

    Live branches' probes that already agree with the finished answers are evidence the vote will not turn,
    without paying for the rest of those traces.
    """
    kept = [b for b in branches if not b.abandoned]
    agreeing = sum(1 for b in kept if b.latest == r.winner)
    return r.winner is not None and agreeing >= s.consensus_share * len(kept) and r.stable >= s.stable_steps
