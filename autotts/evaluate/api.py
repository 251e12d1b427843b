"""Evaluating a controller on stores of the trace store: the library face of ``autotts eval``."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autotts.controllers.loading import resolve_controller
from autotts.errors import ConfigError, StoreError
from autotts.evaluate.parallel import EvalConfig, OnProgress, evaluate_configs, shifted
from autotts.evaluate.results import Evaluation
from autotts.evaluate.runner import run_episodes
from autotts.evaluate.seeds import DEFAULT_SEEDS
from autotts.replay.matrix import ReplayMatrix, list_stores, load_matrix
from autotts.store.connection import open_store
from autotts.store.results import record_evaluations

__all__ = ["EvalRequest", "evaluate_matrix", "evaluate_stores", "load_matrices", "select_stores"]


@dataclass(frozen=True, slots=True)
class EvalRequest:
    """One controller configuration: a name or file, its params, and the betas to sweep."""

    controller: str
    params: Mapping[str, Any]
    betas: Sequence[float | None] = (None,)
    seeds: int = DEFAULT_SEEDS
    trace_seeds: int = 1


def evaluate_matrix(
    matrix: ReplayMatrix,
    controller: str,
    params: Mapping[str, Any],
    *,
    beta: float | None = None,
    seeds: int = DEFAULT_SEEDS,
    trace_seeds: int = 1,
) -> Evaluation:
    """Evaluate one controller configuration (at one beta) on one store."""
    if seeds < 1:
        raise ConfigError(f"seeds must be at least 1, got {seeds}")
    full = dict(params)
    if beta is not None:
        full["beta"] = beta
    built, spec = resolve_controller(controller, full)
    started = time.process_time()
    results = run_episodes(matrix, built, seeds=seeds, trace_seeds=trace_seeds)
    cpu_seconds = time.process_time() - started
    shown = {k: v for k, v in spec.params.items() if k != "beta"}
    key = json.dumps(
        [matrix.model, matrix.benchmark, spec.name, spec.source_hash, shown, beta, seeds], sort_keys=True, default=str
    )
    return Evaluation(
        eval_id=hashlib.sha256(key.encode()).hexdigest()[:16],
        model=matrix.model,
        benchmark=matrix.benchmark,
        controller=spec.name,
        controller_hash=spec.source_hash,
        params=shown,
        beta=beta,
        seeds=seeds,
        results=results,
        cpu_seconds=cpu_seconds,
    )


def select_stores(
    available: Sequence[tuple[str, str]], models: Sequence[str] = (), benchmarks: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """Filter (model, benchmark) pairs; naming one the store lacks is an error."""
    for m in models:
        if all(m != am for am, _ in available):
            raise StoreError(
                f"model {m!r} is not in the store (models: {', '.join(sorted({a for a, _ in available}))})"
            )
    for b in benchmarks:
        if all(b != ab for _, ab in available):
            raise StoreError(
                f"benchmark {b!r} is not in the store (benchmarks: {', '.join(sorted({a for _, a in available}))})"
            )
    chosen = [(m, b) for m, b in available if (not models or m in models) and (not benchmarks or b in benchmarks)]
    if not chosen:
        raise StoreError("no (model, benchmark) pair in the store matches the selection")
    return chosen


def load_matrices(store: str | Path, models: Sequence[str] = (), benchmarks: Sequence[str] = ()) -> list[ReplayMatrix]:
    """Load the selected stores' arrays, once."""
    con = open_store(store, read_only=True)
    try:
        return [load_matrix(con, m, b) for m, b in select_stores(list_stores(con), models, benchmarks)]
    finally:
        con.close()


def evaluate_stores(
    store: str | Path,
    requests: Sequence[EvalRequest],
    *,
    models: Sequence[str] = (),
    benchmarks: Sequence[str] = (),
    record: bool = True,
    jobs: int | None = None,
    on_progress: OnProgress | None = None,
) -> list[Evaluation]:
    """Evaluate every request at every beta on every selected store (on ``jobs`` processes);
    record them all in one transaction."""
    matrices = load_matrices(store, models, benchmarks)
    evaluations: list[Evaluation] = []
    for req in requests:
        # Resolve once up front so a bad name or parameter fails before any work starts.
        for beta in req.betas:
            resolve_controller(req.controller, {**req.params, **({"beta": beta} if beta is not None else {})})
    # One progress count over every request: the work is known once the stores are loaded.
    total = len(matrices) * sum(len(req.betas) for req in requests)
    for req in requests:
        configs = [EvalConfig(req.controller, req.params, beta) for beta in req.betas]
        evaluations += evaluate_configs(matrices, configs, seeds=req.seeds, trace_seeds=req.trace_seeds, jobs=jobs,
                                        on_progress=shifted(on_progress, len(evaluations), total))
    if record:
        con = open_store(store)
        try:
            record_evaluations(con, evaluations)
        finally:
            con.close()
    return evaluations
