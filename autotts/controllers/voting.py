"""Vote counting shared by the controllers.

Ties go to the answer seen first, which is what ``Counter.most_common`` gives
(it sorts stably by count over insertion order); the reference numbers depend
on that rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from fractions import Fraction
from functools import cache
from math import comb

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
    return _beta_conf_exact(top1, top2)


@cache
def _beta_conf_exact(top1: int, top2: int) -> float:
    # For integer a, b: BetaCDF(1/2; a, b) = P(Binomial(a + b - 1, 1/2) >= a), so
    # the tail is a finite binomial sum, computed exactly and rounded once.
    a, n = top1 + 1, top1 + top2 + 1
    return float(Fraction(sum(comb(n, j) for j in range(a)), 2**n))
