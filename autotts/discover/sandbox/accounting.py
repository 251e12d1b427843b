"""Trusted accounting: the parent replays a worker's action logs on its own arrays.

Whatever a worker claims about tokens, branches or answers counts for
nothing: :func:`account` charges every logged action with the engine's
rules (the compiled primitives of :mod:`autotts.replay.kernels`), refuses
the first action the engine would have refused, and grades the answers
against gold answers that never left this process. The traced episodes are
replayed once more through the pure-Python :class:`Episode`, which gives
their execution traces and cross-checks the compiled replay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np

from autotts.discover.sandbox.protocol import BRANCH, CONTINUE, READ, EpisodeLogs, describe_action
from autotts.evaluate.runner import ReplayOutcome, grade
from autotts.replay.arrays import ReplayArrays
from autotts.replay.episode import Episode, QuestionEngine, TraceEvent
from autotts.replay.kernels import explore, read_whole
from autotts.replay.matrix import ReplayMatrix
from autotts.results import EpisodeResults

__all__ = ["IllegalAction", "account", "apply_action", "replay_traced"]


@dataclass(frozen=True, slots=True)
class IllegalAction:
    """The first logged action the engine refuses: which episode, which step, what."""

    seed: int
    question: int
    step: int
    action: str

    def __str__(self) -> str:
        return (f"seed {self.seed}, question {self.question}: action {self.step}, {self.action}, is not legal "
                f"there (the worker's engine must have been tampered with)")


def account(matrix: ReplayMatrix, arrays: ReplayArrays, episodes: np.ndarray, logs: EpisodeLogs,
            trace_seeds: int) -> EpisodeResults | IllegalAction:
    """Charge and grade the logged episodes ``episodes`` (``[E, 2]`` seed, question pairs covering
    every seed x question of ``arrays`` once); trace seeds below ``trace_seeds``."""
    totals, sequential, opened, bad = _replay(
        arrays.probes, arrays.n_probes, arrays.tokens, arrays.finals, arrays.n_branches, arrays.orders,
        arrays.probe_freq, episodes, logs.codes, logs.starts)
    wrong = np.flatnonzero(bad >= 0)
    if wrong.size:
        i = int(wrong[0])
        seed, q = (int(x) for x in episodes[i])
        return IllegalAction(seed, q, int(bad[i]), describe_action(int(logs.codes[logs.starts[i] + bad[i]])))
    shape = (arrays.seeds, matrix.n_questions)
    answers = np.empty(shape, dtype=object)
    at = episodes[:, 0], episodes[:, 1]
    answers[at] = logs.answers
    outcome = ReplayOutcome(answers, _place(totals, at, shape), _place(sequential, at, shape),
                            _place(opened, at, shape).astype(np.int32))
    traced = [i for i in range(len(episodes)) if episodes[i, 0] < trace_seeds]
    traces = replay_traced(matrix, arrays, episodes[traced], [logs.log(i) for i in traced])
    for i, events in zip(traced, traces, strict=True):
        if sum(e.cost for e in events) != totals[i]:
            raise RuntimeError("compiled log replay disagrees with the engine")  # an internal invariant
    outcome.traces.update({(int(episodes[i, 0]), int(episodes[i, 1])): ev for i, ev in zip(traced, traces,
                                                                                          strict=True)})
    return grade(outcome, matrix.gold_answers)


def replay_traced(matrix: ReplayMatrix, arrays: ReplayArrays, episodes: np.ndarray,
                  logs: Sequence[Sequence[int]]) -> list[list[TraceEvent]]:
    """Each logged episode replayed through the Python engine, as its execution trace."""
    out = []
    for (seed, q), log in zip(episodes.tolist(), logs, strict=True):
        question = matrix.traces[q]
        episode = Episode(question, tuple(arrays.orders[seed, q, : len(question.finals)].tolist()), record=True)
        for code in log:
            apply_action(episode, code)
        assert episode.events is not None
        out.append(episode.events)
    return out


def apply_action(episode: QuestionEngine, code: int) -> tuple[str | None, bool]:
    """Apply one protocol action to ``episode``: what it revealed (``ValueError`` where the engine refuses)."""
    op, k = code & 3, code >> 2
    if op in (BRANCH, READ) and k:
        raise ValueError(f"malformed action code {code}")
    if op == BRANCH:
        return episode.explore(episode.open(), "branch")
    if op == CONTINUE:
        return episode.explore(k)
    if op == READ:
        return episode.read_whole()[1], True
    episode.prune(k)
    return None, False


def _place(values: np.ndarray, at: tuple[np.ndarray, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """``values`` of the episodes at (seeds, questions) ``at``, as a ``[seeds, questions]`` array."""
    out = np.zeros(shape, dtype=np.int64)
    out[at] = values
    return out


@numba.njit(cache=True, nogil=True)
def _replay(probes, n_probes, tokens, finals, n_branches, orders, freq, episodes, codes, starts):  # type: ignore[no-untyped-def]
    """Per episode: total tokens, sequential tokens, branches opened, and the first illegal step (-1: none)."""
    n = episodes.shape[0]
    width = orders.shape[2]
    totals = np.zeros(n, dtype=np.int64)
    sequential = np.zeros(n, dtype=np.int64)
    opened = np.zeros(n, dtype=np.int64)
    bad = np.full(n, -1, dtype=np.int64)
    cursor = np.zeros(width, dtype=np.int32)
    charged = np.zeros(width, dtype=np.int64)
    pruned = np.zeros(width, dtype=np.bool_)
    for i in range(n):
        s = episodes[i, 0]
        q = episodes[i, 1]
        order_q = orders[s, q]
        n_open = 0
        total = 0
        for step in range(starts[i + 1] - starts[i]):
            code = codes[starts[i] + step]
            op = code & 3
            k = code >> 2
            if op in (BRANCH, READ):
                if k != 0 or n_open >= n_branches[q]:
                    bad[i] = step
                    break
                k = n_open
                n_open += 1
                cursor[k] = 0
                charged[k] = 0
                pruned[k] = False
                if op == BRANCH:
                    total += explore(k, probes[q], n_probes[q], tokens[q], finals[q], order_q, freq, cursor, charged)[2]
                else:
                    total += read_whole(k, n_probes[q], tokens[q], finals[q], order_q, cursor, charged)[1]
            elif k < 0 or k >= n_open or (op == CONTINUE and pruned[k]):
                bad[i] = step
                break
            elif op == CONTINUE:
                total += explore(k, probes[q], n_probes[q], tokens[q], finals[q], order_q, freq, cursor, charged)[2]
            else:
                pruned[k] = True
        deepest = 0
        for k in range(n_open):
            deepest = max(deepest, charged[k])
        totals[i] = total
        sequential[i] = deepest
        opened[i] = n_open
    return totals, sequential, opened, bad
