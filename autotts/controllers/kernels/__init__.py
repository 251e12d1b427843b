"""Compiled fast paths of the built-in controllers, one module per controller family.

Each kernel replays every (seed, question) episode of a :class:`ReplayArrays`
in one call and returns ``(answer_ids, tokens, sequential_tokens, opened)``
as ``[seeds, questions]`` arrays. They mirror the readable Python controllers
step for step; the evaluator cross-checks the two on the traced seeds.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from autotts.controllers.voting import beta_conf

__all__ = ["conf_table"]


@cache
def conf_table(max_votes: int) -> np.ndarray:
    """``beta_conf(t1, t2)`` for all counts up to ``max_votes``, tabulated once per size."""
    size = max_votes + 1
    return np.array([[beta_conf(t1, t2) for t2 in range(size)] for t1 in range(size)], dtype=np.float64)
