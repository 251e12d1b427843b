"""Evaluating many (store, configuration) pairs on a pool of worker processes.

The matrices are loaded once in the parent and the workers are forked after
that, so every worker reads the same arrays (copy-on-write) instead of
receiving a copy per task; tasks name a matrix by its index. Compiled kernels
are warmed up in the parent first, so workers start with them ready.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autotts.evaluate.seeds import DEFAULT_SEEDS
from autotts.replay.matrix import ReplayMatrix
from autotts.results import Evaluation

__all__ = ["EvalConfig", "OnProgress", "evaluate_configs", "shifted"]

# Told ``(done, total)`` evaluations: once with done = 0 before the work, then after each one finishes.
OnProgress = Callable[[int, int], object]


@dataclass(frozen=True, slots=True)
class EvalConfig:
    """One controller configuration at one beta."""

    controller: str
    params: Mapping[str, Any]
    beta: float | None = None
    unsafe_no_isolation: bool = False


def shifted(on_progress: OnProgress | None, before: int, total: int) -> OnProgress | None:
    """``on_progress`` for one batch of a longer job: ``before`` evaluations already done of ``total``."""
    if on_progress is None:
        return None
    return lambda done, _batch_total: on_progress(before + done, total)


_SHARED: tuple[Sequence[ReplayMatrix], int, int] | None = None  # set in the parent just before forking


def evaluate_configs(
    matrices: Sequence[ReplayMatrix],
    configs: Sequence[EvalConfig],
    *,
    seeds: int = DEFAULT_SEEDS,
    trace_seeds: int = 0,
    jobs: int | None = None,
    on_progress: OnProgress | None = None,
) -> list[Evaluation]:
    """Every config on every matrix (matrix-major order), on ``jobs`` processes (default: all cores)."""
    tasks = [(m, c) for m in range(len(matrices)) for c in configs]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    global _SHARED
    _SHARED = (matrices, seeds, trace_seeds)
    try:
        if jobs == 1:
            return _collect(map(_evaluate, tasks), len(tasks), on_progress)
        import multiprocessing  # here: a one-process evaluation (one store, one config) never loads it

        _warm_up(matrices[0], configs)
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return _collect(pool.imap(_evaluate, tasks, chunksize=1), len(tasks), on_progress)
    finally:
        _SHARED = None


def _collect(results: Iterator[Evaluation], total: int, on_progress: OnProgress | None) -> list[Evaluation]:
    report = on_progress or (lambda _done, _total: None)
    report(0, total)
    out = []
    for evaluation in results:
        out.append(evaluation)
        report(len(out), total)
    return out


def _evaluate(task: tuple[int, EvalConfig]) -> Evaluation:
    from autotts.evaluate.api import evaluate_matrix

    assert _SHARED is not None
    matrices, seeds, trace_seeds = _SHARED
    index, config = task
    return evaluate_matrix(
        matrices[index], config.controller, config.params, beta=config.beta, seeds=seeds, trace_seeds=trace_seeds,
        unsafe_no_isolation=config.unsafe_no_isolation,
    )


def _warm_up(matrix: ReplayMatrix, configs: Sequence[EvalConfig]) -> None:
    """Compile (or load from numba's cache) each distinct built-in's kernel once, before forking."""
    from autotts.controllers.base import registered
    from autotts.evaluate.api import evaluate_matrix

    seen = set()
    for config in configs:
        if config.controller not in seen and config.controller in registered():
            seen.add(config.controller)
            evaluate_matrix(matrix, config.controller, config.params, beta=config.beta, seeds=1, trace_seeds=0)
