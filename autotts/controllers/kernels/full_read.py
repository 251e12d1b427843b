"""ASC and ESC over all episodes at once: they only ever read whole branches (SC: ``majority.py``)."""

from __future__ import annotations

import numba
import numpy as np

from autotts.replay.arrays import ReplayArrays
from autotts.replay.kernels import episode_outputs, read_whole, tally_add, tally_reset, tally_stats

__all__ = ["replay_full_read"]

ASC, ESC = 1, 2


def replay_full_read(
    arrays: ReplayArrays, mode: int, k: int, threshold: float, window: int, conf: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Run ASC (mode 1) or ESC (2) on every episode of ``arrays``."""
    return _kernel(
        arrays.n_probes,
        arrays.tokens,
        arrays.finals,
        arrays.n_branches,
        arrays.orders,
        arrays.vocab_size,
        mode,
        k,
        threshold,
        window,
        conf,
    )


@numba.njit(cache=True, nogil=True)
def _kernel(n_probes, tokens, finals, n_branches, orders, vocab, mode, k, threshold, window, conf):  # type: ignore[no-untyped-def]
    n_s, n_q, width = orders.shape
    answers, totals, sequential, opened = episode_outputs(n_s, n_q)
    cursor = np.zeros(width, dtype=np.int32)
    charged = np.zeros(width, dtype=np.int64)
    counts = np.zeros(vocab, dtype=np.int32)
    seen = np.zeros(width, dtype=np.int32)
    window_ids = np.zeros(max(window, 1), dtype=np.int32)
    for s in range(n_s):
        for q in range(n_q):
            order_q = orders[s, q]
            limit = min(k, n_branches[q])
            n_seen = 0
            n_open = 0
            total = 0
            deepest = 0
            answer = -1
            decided = False
            if mode == ESC:
                for _ in range(k // window):
                    size = min(window, n_branches[q] - n_open)
                    for j in range(size):
                        a, cost = read_whole(n_open, n_probes[q], tokens[q], finals[q], order_q, cursor, charged)
                        n_open += 1
                        total += cost
                        deepest = max(deepest, cost)
                        n_seen = tally_add(a, counts, seen, n_seen)
                        window_ids[j] = a
                    unanimous = size > 0
                    for j in range(1, size):
                        if window_ids[j] != window_ids[0]:
                            unanimous = False
                    if unanimous:
                        answer = window_ids[0]
                        decided = True
                        break
            else:
                for _ in range(limit):
                    a, cost = read_whole(n_open, n_probes[q], tokens[q], finals[q], order_q, cursor, charged)
                    n_open += 1
                    total += cost
                    deepest = max(deepest, cost)
                    n_seen = tally_add(a, counts, seen, n_seen)
                    if n_open >= 2:
                        w, t1, t2 = tally_stats(counts, seen, n_seen)
                        if t1 > 0 and conf[t1, t2] > threshold:
                            answer = w
                            decided = True
                            break
            if not decided:
                answer = tally_stats(counts, seen, n_seen)[0]
            tally_reset(counts, seen, n_seen)
            answers[s, q] = answer
            totals[s, q] = total
            sequential[s, q] = deepest
            opened[s, q] = n_open
    return answers, totals, sequential, opened
