"""The replay-vs-live check, end to end: roll a model out, replay a controller, run it live, compare.

All three steps use one model, one benchmark and one protocol (sampling,
interval, probe), so the only difference between the replay and the live
figures is the one under test: replay answers from stored samples, live
generates fresh ones (other seeds) as the controller asks. Everything lands in
one store: the rollout's traces, the replay evaluation and the live runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from autotts.evaluate.api import EvalRequest, evaluate_stores
from autotts.live.api import solve_benchmark
from autotts.live.compare import ReplayVsLive, compare_replay_live
from autotts.live.generators import Generator
from autotts.live.solve import LiveRun
from autotts.results import Evaluation
from autotts.rollout.api import run_rollout
from autotts.rollout.backends.base import Backend
from autotts.rollout.protocol import ProtocolConfig

__all__ = ["CheckResult", "check_replay_vs_live"]


@dataclass(frozen=True)
class CheckResult:
    comparison: ReplayVsLive
    evaluation: Evaluation
    live_runs: tuple[LiveRun, ...]  # one per live repeat


def check_replay_vs_live(
    backend: Backend,
    generator: Generator,
    model: str,
    benchmark: str | Path,
    store: str | Path,
    *,
    controller: str,
    params: Mapping[str, Any] | None = None,
    beta: float | None = None,
    config: ProtocolConfig,
    seeds: int = 100,
    live_runs: int = 1,
    concurrency: int = 16,
    read_ahead: int = 0,
    limit: int | None = None,
    model_name: str = "model",
    benchmark_name: str = "benchmark",
) -> CheckResult:
    """Roll out into ``store`` (resumable), replay ``controller`` on ``seeds`` branch orders, solve live
    ``live_runs`` times with seeds other than the rollout's, and compare per question.

    ``backend`` generates the rollout in batches, ``generator`` serves the live
    questions; for vLLM both wrap one engine (an idle
    :class:`~autotts.live.generators.EngineLoop` leaves it alone).
    """
    run_rollout(
        model,
        benchmark,
        store,
        config=config,
        backend=backend,
        model_name=model_name,
        benchmark_name=benchmark_name,
        limit=limit,
    )
    request = EvalRequest(controller, dict(params or {}), betas=(beta,), seeds=seeds)
    (evaluation,) = evaluate_stores(store, [request], models=[model_name], benchmarks=[benchmark_name], jobs=1)
    runs = tuple(
        solve_benchmark(
            controller,
            model,
            benchmark,
            params=params,
            beta=beta,
            config=replace(config, seed=config.seed + 1 + r),
            backend=generator,
            concurrency=concurrency,
            read_ahead=read_ahead,
            limit=limit,
            model_name=model_name,
            benchmark_name=benchmark_name,
            store=store,
        )
        for r in range(live_runs)
    )
    comparison = compare_replay_live(evaluation.results, [run.questions for run in runs])
    return CheckResult(comparison, evaluation, runs)
