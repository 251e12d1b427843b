"""Slot ``widen``: how many new branches to open after a step that did not stop."""

from __future__ import annotations

from autotts.controllers.voting import vote_stats
from autotts.discover.mechanisms.schedule import Schedule
from autotts.discover.mechanisms.state import Reading

__all__ = ["widen_disagreement", "widen_doubt", "widen_flat_trend", "widen_low_conf", "widen_none", "widen_refill",
           "widen_refill_trend", "widen_unsure"]


def trend_wants_width(s: Schedule, step: int, r: Reading) -> bool:
    """CMC's widening test: confidence below the bar and rising slower than ``trend_thresh``, after half the
    warm-up."""
    return r.delta <= s.trend_thresh and step >= max(1, s.warm_up // 2) and r.ema < s.conf_thresh


def widen_flat_trend(s: Schedule, step: int, r: Reading, live: int, pool: list[str]) -> int:
    """``widen_burst`` more while confidence is low and not rising fast; none once nothing is live."""
    return s.widen_burst if live and trend_wants_width(s, step, r) else 0


def widen_low_conf(s: Schedule, step: int, r: Reading, live: int, pool: list[str]) -> int:
    """``widen_burst`` more whenever confidence is low, after half the warm-up; none once nothing is live."""
    wanted = step >= max(1, s.warm_up // 2) and r.ema < s.conf_thresh
    return s.widen_burst if live and wanted else 0


def widen_doubt(s: Schedule, step: int, r: Reading, live: int, pool: list[str]) -> int:
    """``widen_burst`` more once some answer is in but confidence is still low; none before the first.

    Opening many branches before anything has finished pays for width that easy questions never need.
    """
    wanted = 0.0 < r.ema < s.conf_thresh and step >= max(1, s.warm_up // 2)
    return s.widen_burst if live and wanted else 0


def widen_refill_trend(s: Schedule, step: int, r: Reading, live: int, pool: list[str]) -> int:
    """Keep ``n_init`` branches running, and open ``widen_burst`` more while confidence is low and flat.

    With a negative ``trend_thresh`` only the refill acts; raised, it adds CMC's early width.
    """
    wanted = live and trend_wants_width(s, step, r)
    return max(s.n_init - live, s.widen_burst if wanted else 0)


def widen_refill(s: Schedule, step: int, r: Reading, live: int, pool: list[str]) -> int:
    """Keep ``n_init`` branches running: a finished or pruned one is replaced by a fresh one.

    Branches started together finish in order of length, so the pool fills with the shortest traces first.
    """
    return s.n_init - live


def widen_unsure(s: Schedule, step: int, r: Reading, live: int, pool: list[str]) -> int:
    """``widen_burst`` more after every step that did not stop (adaptive and early-stopping consistency's way)."""
    return s.widen_burst


def widen_disagreement(s: Schedule, step: int, r: Reading, live: int, pool: list[str]) -> int:
    """Keep ``n_init`` branches running plus ``widen_burst`` for every completed answer that disagrees with the
    leader: width grows only where the answers split."""
    _winner, top1, _top2 = vote_stats(pool)
    return s.n_init + s.widen_burst * (len(pool) - top1) - live


def widen_none(s: Schedule, step: int, r: Reading, live: int, pool: list[str]) -> int:
    """Never open more than the first ``n_init`` branches."""
    return 0
