"""Running a controller over every (seed, question) episode, then grading outside it.

:func:`replay_controller` needs only the gold-free :class:`QuestionTraces`, so it
can run where gold answers never are (the discovery sandbox); :func:`grade`
compares its answers with the gold ones afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from autotts.controllers.base import Controller
from autotts.evaluate.seeds import branch_order, branch_orders
from autotts.replay.arrays import ReplayArrays
from autotts.replay.episode import ERR, Episode, TraceEvent, live_view
from autotts.replay.matrix import QuestionTraces, ReplayMatrix
from autotts.results import EpisodeResults

__all__ = ["CHECKED_EPISODES", "ReplayOutcome", "checked_episodes", "grade", "replay_arrays", "replay_controller",
           "run_episodes"]

CHECKED_EPISODES = 4
"""Episodes of every fast-path evaluation also replayed through ``solve`` when no seed is traced.

The test suite checks the kernels against ``solve`` on whole stores; this sample catches a kernel that
drifts from its controller at the price of a few Python episodes instead of a whole seed."""


@dataclass(frozen=True, eq=False)
class ReplayOutcome:
    """Ungraded per-episode results, ``[seeds, questions]`` arrays."""

    answers: np.ndarray  # object
    tokens: np.ndarray  # int64
    sequential_tokens: np.ndarray  # int64
    branches_opened: np.ndarray  # int32
    traces: dict[tuple[int, int], list[TraceEvent]] = field(default_factory=dict)


def replay_controller(
    questions: Sequence[QuestionTraces], controller: Controller, *, seeds: int, trace_seeds: int = 0
) -> ReplayOutcome:
    """Replay ``controller`` on seeds 0..seeds-1 x every question; trace the first ``trace_seeds`` seeds."""
    shape = (seeds, len(questions))
    answers = np.empty(shape, dtype=object)
    tokens = np.zeros(shape, dtype=np.int64)
    sequential = np.zeros(shape, dtype=np.int64)
    opened = np.zeros(shape, dtype=np.int32)
    traces = {}
    for seed in range(seeds):
        for q, question in enumerate(questions):
            answers[seed, q], episode = _play(question, controller, seed, record=seed < trace_seeds)
            tokens[seed, q] = episode.total
            sequential[seed, q] = episode.sequential_tokens
            opened[seed, q] = episode.opened
            if episode.events is not None:
                traces[(seed, q)] = episode.events
    return ReplayOutcome(answers, tokens, sequential, opened, traces)


def _play(question: QuestionTraces, controller: Controller, seed: int, *, record: bool) -> tuple[str | None, Episode]:
    """One episode through ``solve``: its answer, and the engine with its charges (and events if recorded)."""
    episode = Episode(question, branch_order(seed, len(question.finals)), record=record)
    with live_view(episode) as view:
        answer = controller.solve(view)
    return answer, episode


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
    trace_seeds: int = 0,
    arrays: ReplayArrays | None = None,
) -> EpisodeResults:
    """Replay and grade ``controller`` on ``matrix``, through its compiled fast path if it has one.

    With a fast path, the first ``trace_seeds`` seeds also go through ``solve`` (for their execution
    traces); without traced seeds, :data:`CHECKED_EPISODES` episodes spread over the seeds and questions
    do. Either way the two must agree episode for episode, or the evaluation fails.
    """
    fast = controller.replay_arrays(arrays if arrays is not None else replay_arrays(matrix, seeds))
    if fast is None:
        outcome = replay_controller(matrix.traces, controller, seeds=seeds, trace_seeds=trace_seeds)
        return grade(outcome, matrix.gold_answers)
    ids, tokens, sequential, opened = fast
    outcome = ReplayOutcome(matrix.answer_strings(ids), tokens, sequential, opened)
    if trace_seeds > 0:
        traced = replay_controller(matrix.traces, controller, seeds=min(trace_seeds, seeds), trace_seeds=trace_seeds)
        outcome = replace(outcome, traces=traced.traces)
        episodes = [(s, q) for s in range(traced.tokens.shape[0]) for q in range(matrix.n_questions)]
        _check_agreement(controller, outcome, episodes, lambda s, q: _figures(traced, s, q))
    else:
        def played(seed: int, q: int) -> tuple[object, ...]:
            answer, episode = _play(matrix.question_traces(q), controller, seed, record=False)
            return answer, episode.total, episode.sequential_tokens, episode.opened

        _check_agreement(controller, outcome, checked_episodes(seeds, matrix.n_questions), played)
    return grade(outcome, matrix.gold_answers)


def checked_episodes(seeds: int, questions: int, count: int = CHECKED_EPISODES) -> list[tuple[int, int]]:
    """Up to ``count`` distinct (seed, question) episodes on a diagonal over both, starting with (0, 0)."""
    k = min(count, seeds * questions)
    return sorted({(i * seeds // k, i * questions // k) for i in range(k)})


_FIELDS = ("answers", "tokens", "sequential_tokens", "branches_opened")


def _figures(outcome: ReplayOutcome, seed: int, q: int) -> tuple[object, ...]:
    return tuple(getattr(outcome, name)[seed, q] for name in _FIELDS)


def _check_agreement(controller: Controller, fast: ReplayOutcome, episodes: Sequence[tuple[int, int]],
                     slow: Callable[[int, int], tuple[object, ...]]) -> None:
    for seed, q in episodes:
        for name, ours, theirs in zip(_FIELDS, _figures(fast, seed, q), slow(seed, q), strict=True):
            if ours != theirs:
                raise RuntimeError(f"{type(controller).__name__}: compiled fast path disagrees with solve() on "
                                   f"{name} (seed {seed}, question {q}: {ours!r} vs {theirs!r})")


def replay_arrays(matrix: ReplayMatrix, seeds: int) -> ReplayArrays:
    """The gold-free arrays of ``matrix`` with every question's branch order for seeds 0..seeds-1."""
    n_q, width = matrix.probes.shape[:2]
    orders = np.zeros((seeds, n_q, width), dtype=np.int32)
    # One block per branch count (usually one in all). Not np.unique: it loads numpy.ma, 0.02 CPU-s a process.
    for nb in sorted(set(matrix.n_branches.tolist())):
        questions = np.flatnonzero(matrix.n_branches == nb)
        orders[:, questions, :nb] = branch_orders(seeds, nb)[:, None, :]
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
