"""The seeds protocol of the published evaluation.

Seed ``s`` orders a question's branches by ``random.Random(s).shuffle`` applied
to them in stored order; every question with the same number of branches gets
the same order for the same seed.
"""

from __future__ import annotations

import random
from functools import cache

import numpy as np

__all__ = ["DEFAULT_SEEDS", "branch_order", "branch_orders"]

DEFAULT_SEEDS = 100


@cache
def branch_order(seed: int, n_branches: int) -> tuple[int, ...]:
    """Stored indices of the branches in the order seed ``seed`` hands them out."""
    order = list(range(n_branches))
    random.Random(seed).shuffle(order)
    return tuple(order)


@cache
def branch_orders(seeds: int, n_branches: int) -> np.ndarray:
    """``[seeds, n_branches]`` int32 array of :func:`branch_order` for seeds 0..seeds-1 (read-only: it is
    built once per process and shared by every evaluation with these seeds)."""
    orders = np.array([branch_order(s, n_branches) for s in range(seeds)], dtype=np.int32)
    orders.flags.writeable = False
    return orders
