"""CMC over all episodes in one compiled loop (mirrors controllers/cmc.py step for step)."""

from __future__ import annotations

import numba
import numpy as np

from autotts.replay.arrays import ReplayArrays
from autotts.replay.kernels import (
    abandon_dissenters,
    ema_push,
    episode_outputs,
    explore,
    insert_ranked,
    probe_state,
    record_episode,
    tally_add,
    tally_reset,
    tally_stats,
)

__all__ = ["replay_cmc"]


def replay_cmc(
    arrays: ReplayArrays, knobs: np.ndarray, floats: np.ndarray, conf: np.ndarray, max_steps: int
) -> tuple[np.ndarray, ...]:
    """``knobs`` = (n_init, max_branch_use, warm_up, abandon_patience, t_ema, burst_aligned, widen_burst,
    min_complete); ``floats`` = (alpha, conf_thresh, delta_slack, trend_thresh)."""
    return _kernel(arrays.probing(), knobs, floats, conf, max_steps)


@numba.njit(inline="always", cache=True, nogil=True)
def _open_branches(count, n_open, nb, question, freq, branches, counts, seen, pool_seen, n_pool):  # type: ignore[no-untyped-def]
    """Open up to ``count`` branches (no more than the question has), each with fresh state and one
    probe; a branch that ends at once joins the pool. ``question`` is the episode's (probes, n_probes,
    tokens, finals, order), ``branches`` the per-branch arrays (cursor, charged, latest, finished,
    abandoned, n_probed, disagree). Returns (n_open, tokens, pool_seen, n_pool)."""
    probes_q, n_probes_q, tokens_q, finals_q, order_q = question
    cursor, charged, latest, finished, abandoned, n_probed, disagree = branches
    spent = 0
    for _ in range(count):
        if n_open >= nb:
            break
        k = n_open
        n_open += 1
        cursor[k] = 0
        charged[k] = 0
        a, fin, cost = explore(k, probes_q, n_probes_q, tokens_q, finals_q, order_q, freq, cursor, charged)
        spent += cost
        latest[k] = a
        finished[k] = fin
        abandoned[k] = False
        n_probed[k] = 1
        disagree[k] = 0
        if fin:
            pool_seen = tally_add(a, counts, seen, pool_seen)
            n_pool += 1
    return n_open, spent, pool_seen, n_pool


@numba.njit(cache=True, nogil=True)
def _kernel(replay, knobs, floats, conf, max_steps):  # type: ignore[no-untyped-def]
    probes, n_probes, tokens, finals, n_branches, orders, freq, vocab = replay
    n_init, max_use, warm_up, patience, t_ema, burst, widen_burst, min_complete = (
        knobs[0],
        knobs[1],
        knobs[2],
        knobs[3],
        knobs[4],
        knobs[5],
        knobs[6],
        knobs[7],
    )
    alpha, conf_thresh, delta_slack, trend_thresh = floats[0], floats[1], floats[2], floats[3]
    n_s, n_q, width = orders.shape
    outputs = episode_outputs(n_s, n_q)
    cursor, charged, latest, finished = probe_state(width)
    abandoned = np.zeros(width, dtype=np.bool_)
    n_probed = np.zeros(width, dtype=np.int32)
    disagree = np.zeros(width, dtype=np.int32)
    branches = (cursor, charged, latest, finished, abandoned, n_probed, disagree)
    live = np.zeros(width, dtype=np.int32)
    dissent = np.zeros(width, dtype=np.int32)
    history = np.zeros(max(t_ema, 1) + 1, dtype=np.float64)
    counts = np.zeros(vocab, dtype=np.int32)
    seen = np.zeros(width, dtype=np.int32)
    for s in range(n_s):
        for q in range(n_q):
            order_q = orders[s, q]
            probes_q, n_probes_q, tokens_q, finals_q = probes[q], n_probes[q], tokens[q], finals[q]
            question = (probes_q, n_probes_q, tokens_q, finals_q, order_q)
            nb = n_branches[q]
            # 1. open n_init branches
            n_open, total, pool_seen, n_pool = _open_branches(
                n_init, 0, nb, question, freq, branches, counts, seen, 0, 0
            )
            result = -1
            decided = False
            if n_open > 0:
                ema = 0.0
                n_hist = 0
                for step in range(max_steps):
                    winner, t1, t2 = tally_stats(counts, seen, pool_seen)
                    warm = step >= warm_up
                    ema = (1 - alpha) * ema + alpha * (conf[t1, t2] if t1 > 0 else 0.0)
                    n_hist = ema_push(history, n_hist, t_ema, ema)
                    # 2.2 disagreement and abandonment
                    if warm and winner >= 0:
                        n_live = 0
                        for k in range(n_open):
                            if not finished[k] and not abandoned[k]:
                                disagree[k] = disagree[k] + 1 if latest[k] != winner else 0
                                live[n_live] = k
                                n_live += 1
                        abandon_dissenters(live, n_live, disagree, patience, 2, dissent, abandoned)  # two stay live
                    # 2.3 deepen live branches, most probed first (stable)
                    n_live = 0
                    for k in range(n_open):
                        if not finished[k] and not abandoned[k]:
                            n_live = insert_ranked(live, n_live, k, n_probed)
                    for j in range(n_live):
                        k = live[j]
                        reps = burst if (warm and latest[k] == winner) else 1
                        for _ in range(reps):
                            a, fin, cost = explore(
                                k, probes_q, n_probes_q, tokens_q, finals_q, order_q, freq, cursor, charged
                            )
                            total += cost
                            latest[k] = a
                            n_probed[k] += 1
                            if fin:
                                finished[k] = True
                                pool_seen = tally_add(a, counts, seen, pool_seen)
                                n_pool += 1
                                break
                    # 2.4 - 2.5 second EMA update, trend, stop
                    winner, t1, t2 = tally_stats(counts, seen, pool_seen)
                    ema = (1 - alpha) * ema + alpha * (conf[t1, t2] if t1 > 0 else 0.0)
                    history[n_hist - 1] = ema
                    delta = history[n_hist - 1] - history[0] if n_hist >= 2 else 0.0
                    if warm and n_pool >= min_complete and ema >= conf_thresh and delta >= -delta_slack:
                        result = winner
                        decided = True
                        break
                    done = True
                    for k in range(n_open):
                        if not finished[k] and not abandoned[k]:
                            done = False
                            break
                    if done:
                        break
                    # 2.7 widen
                    if (
                        n_open < max_use
                        and delta <= trend_thresh
                        and step >= max(1, warm_up // 2)
                        and ema < conf_thresh
                    ):
                        count = min(widen_burst, max_use - n_open)
                        n_open, spent, pool_seen, n_pool = _open_branches(
                            count, n_open, nb, question, freq, branches, counts, seen, pool_seen, n_pool
                        )
                        total += spent
                if not decided:
                    if n_pool > 0:
                        result = tally_stats(counts, seen, pool_seen)[0]
                    else:
                        tally_reset(counts, seen, pool_seen)
                        pool_seen = 0
                        for k in range(n_open):
                            if not abandoned[k]:
                                pool_seen = tally_add(latest[k], counts, seen, pool_seen)
                        result = tally_stats(counts, seen, pool_seen)[0]
            tally_reset(counts, seen, pool_seen)
            record_episode(outputs, s, q, result, total, charged, n_open)
    return outputs
