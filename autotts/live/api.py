"""``solve_benchmark``: a controller, a model and a benchmark file in; a recorded live run out.

The library face of ``autotts solve``. The controller is resolved (its
parameters checked, a sandbox found for an untrusted file) and the benchmark
validated before the model loads, so a
typo fails in a second; the run is recorded in one transaction after every
question has an outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autotts.errors import ConfigError
from autotts.live.controllers import live_controller
from autotts.live.generators import Generator, load_generator
from autotts.live.solve import LiveRun, new_run_id, run_live
from autotts.rollout.benchmark_file import read_benchmark
from autotts.rollout.protocol import ProtocolConfig
from autotts.store.connection import open_store
from autotts.store.live_runs import record_live_run

__all__ = ["solve_benchmark"]


def solve_benchmark(
    controller: str,
    model: str,
    benchmark: str | Path,
    *,
    params: Mapping[str, Any] | None = None,
    beta: float | None = None,
    config: ProtocolConfig | None = None,
    backend: str | Generator = "vllm",
    backend_options: Mapping[str, Any] | None = None,
    concurrency: int = 16,
    read_ahead: int = 0,
    timeout: float | None = None,
    limit: int | None = None,
    model_name: str | None = None,
    benchmark_name: str | None = None,
    store: str | Path | None = None,
    unsafe_no_isolation: bool = False,
) -> LiveRun:
    """Solve the benchmark's first ``limit`` questions (all by default) live; record the run in ``store``.

    ``backend`` is a backend name (built with ``backend_options``, and closed
    afterwards) or a ready generator (left open, so tests and benchmarks can
    reuse one engine). Names in the store default as for rollouts: the model
    path's last part and the benchmark file's name. A controller file autotts
    did not write runs sandboxed, one worker per question
    (``unsafe_no_isolation``: without OS isolation, at the user's risk).
    """
    config = config or ProtocolConfig()
    full = {**(params or {}), **({"beta": beta} if beta is not None else {})}
    chosen = live_controller(controller, full, unsafe_no_isolation=unsafe_no_isolation, timeout=timeout)
    bench = read_benchmark(benchmark)
    if limit is not None and limit < 1:
        raise ConfigError(f"limit must be at least 1, got {limit}")
    if concurrency < 1:
        raise ConfigError(f"concurrency must be at least 1, got {concurrency}")
    items = bench.items if limit is None else bench.items[:limit]
    generator = load_generator(backend, model, backend_options or {}) if isinstance(backend, str) else backend
    try:
        questions, seconds = run_live(
            generator,
            chosen,
            items,
            config,
            concurrency=concurrency,
            timeout=timeout,
            read_ahead=read_ahead,
        )
    finally:
        if isinstance(backend, str):
            generator.close()
    run = LiveRun(
        run_id=new_run_id(),
        model=model_name or Path(model.rstrip("/")).name,
        benchmark=benchmark_name or bench.name,
        model_path=model,
        model_revision=generator.revision,
        backend=generator.name,
        controller=chosen.spec.name,
        controller_hash=chosen.spec.source_hash,
        origin=chosen.origin,
        params={k: v for k, v in chosen.spec.params.items() if k != "beta"},
        beta=beta,
        config=config,
        concurrency=concurrency,
        read_ahead=read_ahead,
        questions=tuple(questions),
        seconds=seconds,
    )
    if store is not None:
        con = open_store(store)
        try:
            record_live_run(con, run)
        finally:
            con.close()
    return run
