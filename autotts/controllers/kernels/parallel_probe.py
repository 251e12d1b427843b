"""Parallel-Probe over all episodes in one compiled loop (mirrors controllers/parallel_probe.py)."""

from __future__ import annotations

import numba
import numpy as np

from autotts.replay.arrays import ReplayArrays
from autotts.replay.kernels import (
    episode_outputs,
    explore,
    probe_state,
    record_episode,
    tally_add,
    tally_reset,
    tally_stats,
)

__all__ = ["replay_parallel_probe"]


def replay_parallel_probe(
    arrays: ReplayArrays, n: int, T: int, patience: int, warm_up: int, max_steps: int
) -> tuple[np.ndarray, ...]:
    return _kernel(arrays.probing(), n, T, patience, warm_up, max_steps)


@numba.njit(inline="always", cache=True, nogil=True)
def _majority_of_unpruned(n, latest, pruned, counts, seen):  # type: ignore[no-untyped-def]
    n_seen = 0
    for i in range(n):
        if not pruned[i]:
            n_seen = tally_add(latest[i], counts, seen, n_seen)
    winner = tally_stats(counts, seen, n_seen)[0]
    tally_reset(counts, seen, n_seen)
    return winner


@numba.njit(cache=True, nogil=True)
def _kernel(replay, n_chains, T, patience, warm_up, max_steps):  # type: ignore[no-untyped-def]
    probes, n_probes, tokens, finals, n_branches, orders, freq, vocab = replay
    n_s, n_q, width = orders.shape
    outputs = episode_outputs(n_s, n_q)
    cursor, charged, latest, finished = probe_state(width)
    pruned = np.zeros(width, dtype=np.bool_)
    off_track = np.zeros(width, dtype=np.int32)
    counts = np.zeros(vocab, dtype=np.int32)
    seen = np.zeros(width, dtype=np.int32)
    for s in range(n_s):
        for q in range(n_q):
            order_q = orders[s, q]
            probes_q, n_probes_q, tokens_q, finals_q = probes[q], n_probes[q], tokens[q], finals[q]
            n = min(n_chains, n_branches[q])
            total = 0
            for i in range(n):
                cursor[i] = 0
                charged[i] = 0
                pruned[i] = False
                off_track[i] = 0
                a, fin, cost = explore(i, probes_q, n_probes_q, tokens_q, finals_q, order_q, freq, cursor, charged)
                latest[i] = a
                finished[i] = fin
                total += cost
            previous = -1
            stable = 0
            result = -1
            decided = False
            for step in range(max_steps):
                for i in range(n):
                    if not pruned[i] and not finished[i]:
                        a, fin, cost = explore(
                            i, probes_q, n_probes_q, tokens_q, finals_q, order_q, freq, cursor, charged
                        )
                        latest[i] = a
                        finished[i] = fin
                        total += cost
                n_active = 0
                for i in range(n):
                    if not pruned[i]:
                        n_active += 1
                winner = _majority_of_unpruned(n, latest, pruned, counts, seen)
                if step >= warm_up and n_active > 1:
                    for i in range(n):
                        if not pruned[i] and not finished[i]:
                            off_track[i] = off_track[i] + 1 if latest[i] != winner else 0
                    dropped = False
                    for i in range(n):
                        if not pruned[i] and not finished[i] and off_track[i] >= patience:
                            pruned[i] = True
                            dropped = True
                    if dropped:
                        winner = _majority_of_unpruned(n, latest, pruned, counts, seen)
                stable = stable + 1 if winner == previous else 0
                if stable >= T:
                    result = winner
                    decided = True
                    break
                previous = winner
                done = True
                for i in range(n):
                    if not pruned[i] and not finished[i]:
                        done = False
                if done:
                    break
            record_episode(outputs, s, q, result if decided else previous, total, charged, n)
    return outputs
