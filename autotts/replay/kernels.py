"""The replay engine's rules as compiled (numba) primitives, for built-in controllers' fast paths.

These functions restate :class:`autotts.replay.episode.Episode` and the vote
helpers on integer answer ids, so a whole evaluation (every seed x question)
runs in one compiled loop. The pure-Python engine stays the specification:
the evaluator replays the traced seeds through it and checks that both agree.

Conventions: ``cursor[k]``/``charged[k]`` are per *opened* branch ``k``;
``order[k]`` is its stored index; answer id ``-1`` means no answer.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "abandon_dissenters",
    "ema_push",
    "episode_outputs",
    "explore",
    "insert_ranked",
    "probe_state",
    "read_whole",
    "record_episode",
    "tally_add",
    "tally_reset",
    "tally_stats",
]


@numba.njit(cache=True, nogil=True)
def episode_outputs(n_seeds, n_questions):  # type: ignore[no-untyped-def]
    """The four ``[seeds, questions]`` result arrays every kernel fills: answer ids (-1 = none),
    total tokens, sequential tokens, branches opened."""
    shape = (n_seeds, n_questions)
    return (
        np.full(shape, -1, dtype=np.int32),
        np.zeros(shape, dtype=np.int64),
        np.zeros(shape, dtype=np.int64),
        np.zeros(shape, dtype=np.int32),
    )


@numba.njit(inline="always", cache=True, nogil=True)
def record_episode(outputs, s, q, answer, total, charged, n_open):  # type: ignore[no-untyped-def]
    """Fill episode ``(s, q)`` of :func:`episode_outputs`' arrays; its sequential tokens are those of its
    deepest branch."""
    answers, totals, sequential, opened = outputs
    answers[s, q] = answer
    totals[s, q] = total
    deepest = 0
    for k in range(n_open):
        deepest = max(deepest, charged[k])
    sequential[s, q] = deepest
    opened[s, q] = n_open


@numba.njit(cache=True, nogil=True)
def probe_state(width):  # type: ignore[no-untyped-def]
    """The arrays a probing kernel keeps per opened branch, reused across episodes: read cursor, tokens
    charged, latest answer id, finished."""
    return (
        np.zeros(width, dtype=np.int32),
        np.zeros(width, dtype=np.int64),
        np.zeros(width, dtype=np.int32),
        np.zeros(width, dtype=np.bool_),
    )


@numba.njit(inline="always", cache=True, nogil=True)
def explore(k, probes_q, n_probes_q, tokens_q, finals_q, order_q, freq, cursor, charged):  # type: ignore[no-untyped-def]
    """One probe of opened branch ``k``: (answer id, finished, tokens charged)."""
    stored = order_q[k]
    c = cursor[k]
    if c < n_probes_q[stored]:
        cursor[k] = c + 1
        charged[k] += freq
        return probes_q[stored, c], False, freq
    cost = tokens_q[stored] - charged[k]
    if cost < 0:
        cost = 0
    charged[k] += cost
    return finals_q[stored], True, cost


@numba.njit(inline="always", cache=True, nogil=True)
def read_whole(k, n_probes_q, tokens_q, finals_q, order_q, cursor, charged):  # type: ignore[no-untyped-def]
    """Full read of newly opened branch ``k``: (final answer id, tokens charged)."""
    stored = order_q[k]
    cursor[k] = n_probes_q[stored]
    charged[k] = tokens_q[stored]
    return finals_q[stored], tokens_q[stored]


# A tally counts votes for answer ids and remembers first-seen order, which
# breaks ties exactly as Counter.most_common does: counts[V], seen[V] (ids in
# first-seen order), and n_seen held by the caller.


@numba.njit(inline="always", cache=True, nogil=True)
def tally_add(answer, counts, seen, n_seen):  # type: ignore[no-untyped-def]
    """Count one vote; returns the new number of distinct answers."""
    if counts[answer] == 0:
        seen[n_seen] = answer
        n_seen += 1
    counts[answer] += 1
    return n_seen


@numba.njit(inline="always", cache=True, nogil=True)
def tally_stats(counts, seen, n_seen):  # type: ignore[no-untyped-def]
    """(winner id or -1, top1, top2) with ties to the first seen."""
    winner = -1
    top1 = 0
    top2 = 0
    for i in range(n_seen):
        c = counts[seen[i]]
        if c > top1:
            top2 = top1
            top1 = c
            winner = seen[i]
        elif c > top2:
            top2 = c
    return winner, top1, top2


@numba.njit(inline="always", cache=True, nogil=True)
def tally_reset(counts, seen, n_seen):  # type: ignore[no-untyped-def]
    for i in range(n_seen):
        counts[seen[i]] = 0
    return 0


@numba.njit(inline="always", cache=True, nogil=True)
def ema_push(history, n_hist, t_ema, ema):  # type: ignore[no-untyped-def]
    """Append ``ema`` to ``history[:n_hist]``, keeping its last ``t_ema`` values; returns the new length."""
    history[n_hist] = ema
    n_hist += 1
    if n_hist > t_ema:
        drop = n_hist - t_ema
        for j in range(t_ema):
            history[j] = history[j + drop]
        n_hist = t_ema
    return n_hist


@numba.njit(inline="always", cache=True, nogil=True)
def insert_ranked(ranked, n_ranked, k, key):  # type: ignore[no-untyped-def]
    """Insert branch ``k`` into ``ranked[:n_ranked]``, kept in descending ``key`` order with ties in the order
    of insertion (a stable sort, one branch at a time); returns the new length."""
    pos = n_ranked
    while pos > 0 and key[ranked[pos - 1]] < key[k]:
        ranked[pos] = ranked[pos - 1]
        pos -= 1
    ranked[pos] = k
    return n_ranked + 1


@numba.njit(inline="always", cache=True, nogil=True)
def abandon_dissenters(live, n_live, disagree, patience, keep, ranked, abandoned):  # type: ignore[no-untyped-def]
    """Abandon the live branches whose ``disagree`` count reached ``patience``, most disagreeing first (ties
    in ``live`` order), as long as ``keep`` branches stay live; ``ranked`` is scratch space."""
    n_ranked = 0
    for j in range(n_live):
        k = live[j]
        if disagree[k] >= patience:
            n_ranked = insert_ranked(ranked, n_ranked, k, disagree)
    for j in range(min(n_ranked, max(0, n_live - keep))):
        abandoned[ranked[j]] = True
