"""Running a controller over every (seed, question) episode, then grading outside it.

:func:`replay_controller` needs only the gold-free :class:`QuestionTraces`, so it
can run where gold answers never are (the discovery sandbox); :func:`grade`
compares its answers with the gold ones afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from autotts.controllers.base import Controller
from autotts.evaluate.seeds import branch_order, branch_orders
from autotts.replay.arrays import ReplayArrays
from autotts.replay.episode import ERR, Episode, TraceEvent, live_view
from autotts.replay.matrix import QuestionTraces, ReplayMatrix
from autotts.results import EpisodeResults

__all__ = ["ReplayOutcome", "grade", "replay_arrays", "replay_controller", "run_episodes"]


@dataclass(frozen=True, eq=False)
class ReplayOutcome:
    """Ungraded per-episode results, ``[seeds, questions]`` arrays."""

    answers: np.ndarray  # object
    tokens: np.ndarray  # int64
    sequential_tokens: np.ndarray  # int64
    branches_opened: np.ndarray  # int32
    traces: dict[tuple[int, int], list[TraceEvent]] = field(default_factory=dict)


def replay_controller(
    questions: Sequence[QuestionTraces], controller: Controller, *, seeds: int, trace_seeds: int = 1
) -> ReplayOutcome:
    """Replay ``controller`` on seeds 0..seeds-1 x every question; trace the first ``trace_seeds`` seeds."""
    shape = (seeds, len(questions))
    answers = np.empty(shape, dtype=object)
    tokens = np.zeros(shape, dtype=np.int64)
    sequential = np.zeros(shape, dtype=np.int64)
    opened = np.zeros(shape, dtype=np.int32)
    traces = {}
    for seed in range(seeds):
        record = seed < trace_seeds
        for q, question in enumerate(questions):
            episode = Episode(question, branch_order(seed, len(question.finals)), record=record)
            with live_view(episode) as view:
                answers[seed, q] = controller.solve(view)
            tokens[seed, q] = episode.total
            sequential[seed, q] = episode.sequential_tokens
            opened[seed, q] = episode.opened
            if episode.events is not None:
                traces[(seed, q)] = episode.events
    return ReplayOutcome(answers, tokens, sequential, opened, traces)


def grade(outcome: ReplayOutcome, gold_answers: Sequence[str]) -> EpisodeResults:
    """Exact string match of each episode's answer with its question's gold answer."""
    gold = np.empty(len(gold_answers), dtype=object)
    gold[:] = list(gold_answers)
    correct = (outcome.answers == gold[None, :]).astype(bool)
    return EpisodeResults(
        outcome.answers, correct, outcome.tokens, outcome.sequential_tokens, outcome.branches_opened, outcome.traces
    )


def run_episodes(
    matrix: ReplayMatrix,
    controller: Controller,
    *,
    seeds: int,
    trace_seeds: int = 1,
    arrays: ReplayArrays | None = None,
) -> EpisodeResults:
    """Replay and grade ``controller`` on ``matrix``, through its compiled fast path if it has one.

    With a fast path, the traced seeds also go through ``solve`` (for their
    execution traces), and the two must agree episode for episode.
    """
    fast = controller.replay_arrays(arrays if arrays is not None else replay_arrays(matrix, seeds))
    if fast is None:
        outcome = replay_controller(matrix.traces, controller, seeds=seeds, trace_seeds=trace_seeds)
        return grade(outcome, matrix.gold_answers)
    ids, tokens, sequential, opened = fast
    outcome = ReplayOutcome(matrix.answer_strings(ids), tokens, sequential, opened)
    if trace_seeds > 0:
        traced = replay_controller(matrix.traces, controller, seeds=min(trace_seeds, seeds), trace_seeds=trace_seeds)
        _check_agreement(controller, outcome, traced)
        outcome = replace(outcome, traces=traced.traces)
    return grade(outcome, matrix.gold_answers)


def _check_agreement(controller: Controller, fast: ReplayOutcome, slow: ReplayOutcome) -> None:
    n = slow.tokens.shape[0]
    for name in ("answers", "tokens", "sequential_tokens", "branches_opened"):
        if not np.array_equal(getattr(fast, name)[:n], getattr(slow, name)):
            raise RuntimeError(f"{type(controller).__name__}: compiled fast path disagrees with solve() on {name}")


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
