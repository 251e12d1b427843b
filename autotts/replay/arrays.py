"""The gold-free arrays a compiled fast path replays, with the seeds' branch orders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ReplayArrays"]


@dataclass(frozen=True, eq=False)
class ReplayArrays:
    """A matrix's gold-free arrays plus the branch orders of seeds 0..seeds-1
    (built by :func:`autotts.evaluate.runner.replay_arrays`)."""

    probes: np.ndarray  # int32 [Q, B, D]
    n_probes: np.ndarray  # int32 [Q, B]
    tokens: np.ndarray  # int64 [Q, B]
    finals: np.ndarray  # int32 [Q, B]
    n_branches: np.ndarray  # int32 [Q]
    orders: np.ndarray  # int32 [S, Q, B]
    err_ids: np.ndarray  # int32 [Q]: the id of ERR in each question's answers, -1 where it does not occur
    probe_freq: int
    vocab_size: int

    @property
    def seeds(self) -> int:
        return int(self.orders.shape[0])

    def probing(self) -> tuple[Any, ...]:
        """What every probing kernel reads, as its first argument: (probes, n_probes, tokens, finals,
        n_branches, orders, probe_freq, vocab_size)."""
        return (
            self.probes,
            self.n_probes,
            self.tokens,
            self.finals,
            self.n_branches,
            self.orders,
            self.probe_freq,
            self.vocab_size,
        )
