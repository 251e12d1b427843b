"""The seeds protocol of the published evaluation.

Seed ``s`` orders a question's branches by ``random.Random(s).shuffle`` applied
to them in stored order; every question with the same number of branches gets
the same order for the same seed.
"""

from __future__ import annotations

import random
from functools import cache

import numpy as np

from autotts.replay.arrays import ReplayArrays
from autotts.replay.episode import ERR
from autotts.replay.matrix import ReplayMatrix

__all__ = ["DEFAULT_SEEDS", "branch_order", "branch_orders", "replay_arrays"]

DEFAULT_SEEDS = 100


@cache
def branch_order(seed: int, n_branches: int) -> tuple[int, ...]:
    """Stored indices of the branches in the order seed ``seed`` hands them out."""
    order = list(range(n_branches))
    random.Random(seed).shuffle(order)
    return tuple(order)


def branch_orders(seeds: int, n_branches: int) -> np.ndarray:
    """``[seeds, n_branches]`` int32 array of :func:`branch_order` for seeds 0..seeds-1."""
    return np.array([branch_order(s, n_branches) for s in range(seeds)], dtype=np.int32)


def replay_arrays(matrix: ReplayMatrix, seeds: int) -> ReplayArrays:
    """The gold-free arrays of ``matrix`` with every question's branch order for seeds 0..seeds-1."""
    n_q, width = matrix.probes.shape[:2]
    orders = np.zeros((seeds, n_q, width), dtype=np.int32)
    for q, nb in enumerate(matrix.n_branches.tolist()):
        orders[:, q, :nb] = branch_orders(seeds, nb)
    return ReplayArrays(
        probes=matrix.probes,
        n_probes=matrix.n_probes,
        tokens=matrix.branch_tokens,
        finals=matrix.final_ids,
        n_branches=matrix.n_branches,
        orders=orders,
        err_ids=np.array([words.index(ERR) if ERR in words else -1 for words in matrix.vocab], dtype=np.int32),
        probe_freq=matrix.probe_freq,
        vocab_size=max(len(v) for v in matrix.vocab),
    )
