"""Slot ``tally``: which answers vote, with what weight, and how sure the leader is.

Every variant returns ``(leader, confidence)``; confidence is the Beta
probability that the leader's (rounded) vote beats the runner-up's.
"""

from __future__ import annotations

from autotts.controllers.voting import beta_conf, vote_stats
from autotts.discover.mechanisms.schedule import Schedule
from autotts.discover.mechanisms.state import Branch
from autotts.replay.episode import ERR

__all__ = ["tally_completed", "tally_consistent", "tally_latest", "tally_probes", "tally_settled", "tally_short"]


def leading(counts: dict[str, float]) -> tuple[str | None, float]:
    """The answer with the most (weighted) votes, first counted on ties, and its Beta confidence, counts rounded."""
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked:
        return None, 0.0
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0], beta_conf(round(ranked[0][1]), round(second))


def weighted_leader(pool: list[str], voters: list[Branch], weight: float) -> tuple[str | None, float]:
    """Leader and confidence of completed answers (weight 1) plus the latest probes of ``voters`` (``weight``)."""
    counts: dict[str, float] = {}
    for answer in pool:
        counts[answer] = counts.get(answer, 0.0) + 1.0
    for b in voters:
        counts[b.latest] = counts.get(b.latest, 0.0) + weight
    return leading(counts)


def tally_completed(s: Schedule, pool: list[str], branches: list[Branch]) -> tuple[str | None, float]:
    """Completed answers only, one vote each."""
    winner, top1, top2 = vote_stats(pool)
    return winner, beta_conf(top1, top2)


def tally_probes(s: Schedule, pool: list[str], branches: list[Branch]) -> tuple[str | None, float]:
    """Completed answers, plus every live branch's latest extracted probe at weight ``probe_weight``."""
    voters = [b for b in branches if not (b.finished or b.abandoned) and b.latest != ERR]
    return weighted_leader(pool, voters, s.probe_weight)


def tally_settled(s: Schedule, pool: list[str], branches: list[Branch]) -> tuple[str | None, float]:
    """Completed answers, plus live branches whose last two probes agree, at weight ``probe_weight``."""
    voters = [b for b in branches if not (b.finished or b.abandoned) and b.latest != ERR and b.latest == b.previous]
    return weighted_leader(pool, voters, s.probe_weight)


def tally_short(s: Schedule, pool: list[str], branches: list[Branch]) -> tuple[str | None, float]:
    """Completed answers, each weighing (shortest finished length / its length) ** ``length_power``.

    Among traces of one question the short ones are right more often: long ones are where a model loops and
    second-guesses itself.
    """
    done = [b for b in branches if b.finished]
    if not done:
        return None, 0.0
    shortest = min(b.probes for b in done)
    counts: dict[str, float] = {}
    for b in done:
        counts[b.latest] = counts.get(b.latest, 0.0) + (shortest / b.probes) ** s.length_power
    return leading(counts)


def tally_consistent(s: Schedule, pool: list[str], branches: list[Branch]) -> tuple[str | None, float]:
    """Completed answers, each weighing (share of its branch's reads that ended on it) ** ``consistency_power``.

    A branch whose probes reached its final answer early and kept it is less likely to have stumbled on it.
    """
    counts: dict[str, float] = {}
    for b in branches:
        if b.finished:
            counts[b.latest] = counts.get(b.latest, 0.0) + (b.streak / b.probes) ** s.consistency_power
    return leading(counts)


def tally_latest(s: Schedule, pool: list[str], branches: list[Branch]) -> tuple[str | None, float]:
    """The newest answer of every kept branch, finished or not, one vote each (Parallel-Probe's vote)."""
    winner, top1, top2 = vote_stats(b.latest for b in branches if not b.abandoned)
    return winner, beta_conf(top1, top2)
