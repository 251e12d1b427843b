"""SC@k over all episodes at once, in NumPy alone.

SC never stops early, so every episode reads the same prefix of its branch
order and the whole evaluation is a handful of array operations. Keeping it
out of numba spares a one-store ``autotts eval --controller sc`` the ~0.6 CPU-s
that loading numba and its compiled-code cache costs a process, which is more
than the evaluation itself.
"""

from __future__ import annotations

import numpy as np

from autotts.replay.arrays import ReplayArrays

__all__ = ["replay_majority"]


def replay_majority(arrays: ReplayArrays, k: int) -> tuple[np.ndarray, ...]:
    """Read the first ``k`` branches of every episode whole; answer with their most common final answer.

    Ties go to the answer seen first, as :func:`autotts.controllers.voting.majority` breaks them. Returns the
    kernels' four ``[seeds, questions]`` arrays: answer ids (-1 = none), total tokens, sequential tokens and
    branches opened.
    """
    n_s, n_q, width = arrays.orders.shape
    reads = min(k, width)
    opened = np.minimum(arrays.n_branches, k).astype(np.int32)  # [Q]
    order = arrays.orders[:, :, :reads]  # [S, Q, R]: the stored index of each episode's r-th read
    read = np.arange(reads)[None, None, :] < opened[None, :, None]  # [1, Q, R]: within this question's budget
    rows = np.arange(n_q)[None, :, None]
    answer = arrays.finals[rows, order]
    cost = np.where(read, arrays.tokens[rows, order], 0)
    # votes[s, q, r]: how many of the episode's reads gave the answer of its r-th read (0 where not read)
    slot = np.arange(n_s * n_q).reshape(n_s, n_q, 1) * arrays.vocab_size + answer
    tally = np.bincount(slot[np.broadcast_to(read, slot.shape)], minlength=n_s * n_q * arrays.vocab_size)
    votes = np.where(read, tally[slot], 0)
    # the first read holding the most votes is the first-seen of the most common answers
    first = votes.argmax(axis=2)[..., None]
    winner = np.where(opened[None, :] > 0, np.take_along_axis(answer, first, axis=2)[..., 0], -1)
    return (
        winner.astype(np.int32),
        cost.sum(axis=2, dtype=np.int64),
        cost.max(axis=2, initial=0).astype(np.int64),
        np.broadcast_to(opened, (n_s, n_q)).copy(),
    )
