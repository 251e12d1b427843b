"""Commit, then verify: how many episodes to re-run in strict mode, which ones, and what a mismatch means.

In fast mode the worker holds every trace, so it could read what its
actions have not revealed. Once its logs are committed, the parent re-runs
a secret uniform sample of those episodes in strict mode, where the worker
holds only what its actions revealed. An honest, deterministic controller
repeats itself exactly; one that peeked on an episode of the sample cannot
know, in strict mode, what it read, and diverges. The sample is drawn from
the operating system's randomness and never leaves the parent, so a
candidate cannot tell which of its episodes will be checked.

:func:`sample_size` sizes the sample so that a candidate altering at least
a fraction ``rate`` of its episodes is caught with probability ``power``
(sampling without replacement: the hypergeometric miss probability, which
for a large population approaches ``(1 - rate) ** n``).

A divergence alone does not say why: a controller that depends on chance, or
on the episodes it ran before, diverges too. So the same sample is run again
in fast mode, twice, in new processes: if a run departs from the commit the
candidate is ``nondeterministic``, if both repeat it, it ``peeked``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

__all__ = ["FINAL", "SEARCH", "VerifyLevel", "draw_sample", "miss_probability", "sample_size"]


@dataclass(frozen=True, slots=True)
class VerifyLevel:
    """Catch a candidate that alters at least ``rate`` of its episodes with probability ``power``."""

    rate: float
    power: float

    def size(self, population: int) -> int:
        return sample_size(population, self.rate, self.power)


SEARCH = VerifyLevel(rate=0.01, power=0.99)
FINAL = VerifyLevel(rate=0.005, power=0.999)  # finalists, best.py and `autotts eval`: the published numbers


def miss_probability(population: int, altered: int, n: int) -> float:
    """Probability that ``n`` episodes drawn without replacement out of ``population`` miss all ``altered``."""
    miss = 1.0
    for i in range(n):
        if population - i <= 0:
            return 0.0
        miss *= max(0, population - altered - i) / (population - i)
    return miss


def sample_size(population: int, rate: float, power: float) -> int:
    """The smallest sample catching ``ceil(rate * population)`` altered episodes with probability ``power``."""
    if population <= 0:
        return 0
    altered = max(1, math.ceil(rate * population - 1e-9))
    miss, n = 1.0, 0
    while miss > 1.0 - power and n < population:
        miss *= (population - altered - n) / (population - n)
        n += 1
    return n


def draw_sample(population: int, n: int, rng: random.Random | None = None) -> list[int]:
    """``n`` distinct indices out of ``population``, sorted; from the OS's randomness unless ``rng`` is given."""
    return sorted((rng or random.SystemRandom()).sample(range(population), min(n, population)))
