"""Vote counting shared by the controllers.

Ties go to the answer seen first, which is what ``Counter.most_common`` gives
(it sorts stably by count over insertion order); the reference numbers depend
on that rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache

__all__ = ["MAX_VOTES", "beta_conf", "majority", "vote_stats"]

MAX_VOTES = 128


def majority(answers: Iterable[str | None]) -> str | None:
    """The most frequent answer (first seen wins ties); ``None`` for no answers."""
    top = Counter(answers).most_common(1)
    return top[0][0] if top else None


def vote_stats(answers: Iterable[str | None]) -> tuple[str | None, int, int]:
    """``(winner, top1, top2)``: the majority answer, its count, the runner-up's count."""
    top = Counter(answers).most_common(2)
    if not top:
        return None, 0, 0
    return top[0][0], top[0][1], top[1][1] if len(top) > 1 else 0


def beta_conf(top1: int, top2: int) -> float:
    """P(Beta(top1 + 1, top2 + 1) > 0.5): how sure the leader leads; 0 with no votes."""
    if top1 <= 0:
        return 0.0
    # For whole counts, BetaCDF(1/2; a, b) = P(Binomial(a + b - 1, 1/2) >= a), so the wanted tail is the
    # share of the 2**n outcomes with fewer than a successes: an exact ratio of integers, which Python
    # divides with one correct rounding (as float(Fraction(...)) does, at a fraction of the cost).
    a, n = top1 + 1, top1 + top2 + 1
    return _binomial_prefix_sums(n)[a] / (1 << n)


@cache
def _binomial_prefix_sums(n: int) -> tuple[int, ...]:
    """``sum(comb(n, j) for j < a)`` for a = 0..n+1, as exact integers (row n of Pascal's triangle, summed)."""
    sums, term = [0], 1
    for j in range(n + 1):
        sums.append(sums[-1] + term)
        term = term * (n - j) // (j + 1)
    return tuple(sums)
