"""Evaluating a controller on stores of the trace store: the library face of ``autotts eval``."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import product
from pathlib import Path
from typing import Any

from autotts.controllers.base import registered
from autotts.controllers.loading import ControllerSpec, resolve_controller
from autotts.errors import ConfigError, StoreError
from autotts.evaluate.chunks import DEFAULT_CHUNK_QUESTIONS, Chunk, batches, merge_evaluations
from autotts.evaluate.parallel import EvalConfig, OnProgress, evaluate_configs, shifted
from autotts.evaluate.runner import run_episodes
from autotts.evaluate.seeds import DEFAULT_SEEDS
from autotts.evaluate.untrusted import TRUSTED, ControllerFile, evaluate_untrusted, read_controller_file
from autotts.replay.matrix import ReplayMatrix, count_questions, list_stores, load_matrix
from autotts.results import EpisodeResults, Evaluation
from autotts.store.connection import open_store
from autotts.store.engine import duckdb
from autotts.store.results import record_evaluations

__all__ = ["EvalRequest", "evaluate_matrix", "evaluate_stores", "load_matrices", "renamed", "select_stores"]



@dataclass(frozen=True, slots=True)
class EvalRequest:
    """One controller configuration: a name or file, its params, and the betas to sweep."""

    controller: str
    params: Mapping[str, Any]
    betas: Sequence[float | None] = (None,)
    seeds: int = DEFAULT_SEEDS
    trace_seeds: int = 0
    unsafe_no_isolation: bool = False  # run an untrusted file without OS isolation (still accounted, verified)


def evaluate_matrix(
    matrix: ReplayMatrix,
    controller: str,
    params: Mapping[str, Any],
    *,
    beta: float | None = None,
    seeds: int = DEFAULT_SEEDS,
    trace_seeds: int = 0,
    unsafe_no_isolation: bool = False,
) -> Evaluation:
    """Evaluate one controller configuration (at one beta) on one store.

    Built-in controllers and files the mechanism template rendered run here; any other file is
    untrusted and runs in the OS-isolated sandbox, with its results accounted, graded and verified
    here (``unsafe_no_isolation`` drops the OS isolation, never the accounting or the verification).
    """
    if seeds < 1:
        raise ConfigError(f"seeds must be at least 1, got {seeds}")
    if trace_seeds < 0:
        raise ConfigError(f"trace seeds must be 0 or more, got {trace_seeds}")
    full = dict(params)
    if beta is not None:
        full["beta"] = beta
    started = time.process_time()
    if controller in registered():
        built, spec = resolve_controller(controller, full)
        results, origin = run_episodes(matrix, built, seeds=seeds, trace_seeds=trace_seeds), TRUSTED
    else:
        file = read_controller_file(controller)
        spec = ControllerSpec(controller, full, file.digest)
        if file.trusted:
            from autotts.discover.sandbox import trusted_controller  # the sandbox imports this package

            built = trusted_controller(file.source, controller, full)
            results, origin = run_episodes(matrix, built, seeds=seeds, trace_seeds=trace_seeds), TRUSTED
        else:
            [results], origin = evaluate_untrusted(file, [matrix], [full], seeds=seeds, trace_seeds=trace_seeds,
                                                   unsafe_no_isolation=unsafe_no_isolation)
    return _evaluation(matrix, spec, beta, seeds, results, time.process_time() - started, origin)


def _evaluation(matrix: ReplayMatrix, spec: ControllerSpec, beta: float | None, seeds: int,
                results: EpisodeResults, cpu_seconds: float, origin: str) -> Evaluation:
    shown = {k: v for k, v in spec.params.items() if k != "beta"}
    return Evaluation(
        eval_id=_eval_id(matrix.model, matrix.benchmark, spec.name, spec.source_hash, shown, beta, seeds),
        model=matrix.model,
        benchmark=matrix.benchmark,
        controller=spec.name,
        controller_hash=spec.source_hash,
        params=shown,
        beta=beta,
        seeds=seeds,
        results=results,
        cpu_seconds=cpu_seconds,
        origin=origin,
    )


def _eval_id(model: str, benchmark: str, controller: str, source_hash: str, params: Mapping[str, Any],
             beta: float | None, seeds: int) -> str:
    """The id an evaluation is recorded under: a hash of everything that defines the run."""
    key = json.dumps([model, benchmark, controller, source_hash, params, beta, seeds], sort_keys=True, default=str)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def renamed(evaluation: Evaluation, controller: str) -> Evaluation:
    """``evaluation`` as if its controller file had been given as ``controller``: for an output that must
    not depend on how the file's path was spelled (a pipeline stage's tables, written by `dvc repro` and by
    a flow run given an absolute root alike)."""
    ev = evaluation
    return replace(ev, controller=controller, eval_id=_eval_id(ev.model, ev.benchmark, controller, ev.controller_hash,
                                                               ev.params, ev.beta, ev.seeds))


def _check_request(req: EvalRequest) -> ControllerFile | None:
    """Fail before any work starts: a built-in must build at every beta, a file must be readable source
    (an untrusted file's own errors show when it runs, in the sandbox). The file as read, if it is one."""
    if req.controller in registered():
        for beta in req.betas:
            resolve_controller(req.controller, {**req.params, **({"beta": beta} if beta is not None else {})})
        return None
    if Path(req.controller).suffix != ".py" and not Path(req.controller).exists():
        known = ", ".join(sorted(registered()))
        raise ConfigError(f"unknown controller {req.controller!r}: not registered ({known}) and not a Python file")
    return read_controller_file(req.controller)


def _evaluate_untrusted_batch(matrices: Sequence[ReplayMatrix], req: EvalRequest,
                              file: ControllerFile) -> list[Evaluation]:
    """Every beta of ``req`` on every matrix (matrix-major), in one isolated run with one verification."""
    params = [{**req.params, **({"beta": beta} if beta is not None else {})} for beta in req.betas]
    started = time.process_time()
    results, origin = evaluate_untrusted(file, matrices, params, seeds=req.seeds, trace_seeds=req.trace_seeds,
                                         unsafe_no_isolation=req.unsafe_no_isolation)
    cpu_seconds = (time.process_time() - started) / len(results)
    pairs = [(m, beta, p) for m in matrices for beta, p in zip(req.betas, params, strict=True)]
    return [_evaluation(m, ControllerSpec(file.path, p, file.digest), beta, req.seeds, r, cpu_seconds, origin)
            for (m, beta, p), r in zip(pairs, results, strict=True)]


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


@contextmanager
def _reading(store: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_store(store, read_only=True)
    try:
        yield con
    finally:
        con.close()


def _questions(con: duckdb.DuckDBPyConnection, model: str, benchmark: str) -> int:
    n = count_questions(con, model, benchmark)
    if n == 0:
        raise StoreError(f"store has no traces for model {model!r}, benchmark {benchmark!r}")
    return n


def load_matrices(store: str | Path, models: Sequence[str] = (), benchmarks: Sequence[str] = ()) -> list[ReplayMatrix]:
    """Load the selected stores' arrays, once."""
    with _reading(store) as con:
        return [load_matrix(con, m, b) for m, b in select_stores(list_stores(con), models, benchmarks)]


def _load_batch(con: duckdb.DuckDBPyConnection, batch: Sequence[Chunk]) -> list[ReplayMatrix]:
    return [load_matrix(con, c.model, c.benchmark, c.span) for c in batch]


def evaluate_stores(
    store: str | Path,
    requests: Sequence[EvalRequest],
    *,
    models: Sequence[str] = (),
    benchmarks: Sequence[str] = (),
    record: bool = True,
    jobs: int | None = None,
    chunk_questions: int = DEFAULT_CHUNK_QUESTIONS,
    on_progress: OnProgress | None = None,
) -> list[Evaluation]:
    """Evaluate every request at every beta on every selected store (on ``jobs`` processes);
    record them all in one transaction.

    Stores are loaded and replayed ``chunk_questions`` questions at a time (``jobs`` chunks at once),
    so memory stays bounded however many questions a store holds; the results are those of a whole replay.
    """
    files = [_check_request(req) for req in requests]
    with _reading(store) as con:  # closed again before any worker forks
        chosen = select_stores(list_stores(con), models, benchmarks)
        sizes = [(m, b, _questions(con, m, b)) for m, b in chosen]
        plan = batches(sizes, chunk_questions, jobs or os.cpu_count() or 1)
        matrices = _load_batch(con, plan[0])  # on this connection: a one-batch eval opens the store once to read
    # One progress count over every chunk of every request: the work is known before any is loaded.
    total = sum(len(batch) for batch in plan) * sum(len(req.betas) for req in requests)
    done = 0
    parts: dict[tuple[int, str, str, int], list[tuple[int, Evaluation]]] = defaultdict(list)
    for index, batch in enumerate(plan):
        if index > 0:
            with _reading(store) as con:
                matrices = _load_batch(con, batch)
        for r, (req, file) in enumerate(zip(requests, files, strict=True)):
            configs = [EvalConfig(req.controller, req.params, beta, req.unsafe_no_isolation) for beta in req.betas]
            if file is not None and not file.trusted:
                results = _evaluate_untrusted_batch(matrices, req, file)
                if on_progress is not None:  # one isolated run per batch: it counts when it is done
                    on_progress(done + len(results), total)
            else:
                results = evaluate_configs(matrices, configs, seeds=req.seeds, trace_seeds=req.trace_seeds,
                                           jobs=jobs, on_progress=shifted(on_progress, done, total))
            done += len(results)
            for (chunk, (i, _config)), ev in zip(product(batch, enumerate(configs)), results, strict=True):
                parts[(r, chunk.model, chunk.benchmark, i)].append((chunk.span.start, ev))
    evaluations = [
        merge_evaluations(parts[(r, m, b, i)])
        for r, req in enumerate(requests) for m, b in chosen for i in range(len(req.betas))
    ]
    if record:
        record_evaluations(store, evaluations)
    return evaluations
