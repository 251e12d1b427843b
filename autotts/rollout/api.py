"""``run_rollout``: a benchmark file and a model in, a replay store out.

A pure function of its parameters and paths, so the CLI, ``stages/rollout.py``
and a Prefect task all call this same thing. It is resumable: every finished
question is committed on its own, and a second call with the same settings
skips them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autotts.errors import RolloutError
from autotts.rollout.backends import Backend, load_backend
from autotts.rollout.benchmark_file import read_benchmark
from autotts.rollout.fanout import run_local, run_on_ray
from autotts.rollout.protocol import ProtocolConfig, QuestionRollout
from autotts.rollout.revision import model_revision
from autotts.rollout.store_writer import RunRecord, record_question, start_run
from autotts.store.connection import open_store

__all__ = ["RayOptions", "RolloutSummary", "run_rollout"]


@dataclass(frozen=True, slots=True)
class RayOptions:
    """Fan out over a Ray cluster: ``workers`` model replicas of ``gpus_per_worker`` GPUs each."""

    workers: int
    gpus_per_worker: float = 1.0
    address: str | None = None


@dataclass(frozen=True, slots=True)
class RolloutSummary:
    model: str
    benchmark: str
    questions: int  # finished questions in the store after the run
    skipped: int  # already finished before it
    generated_tokens: int  # by this run
    probe_prompt_tokens: int
    probe_cached_tokens: int | None
    seconds: float = field(default=0.0)


def run_rollout(
    model: str,
    benchmark: str | Path,
    store: str | Path,
    *,
    config: ProtocolConfig | None = None,
    backend: str | Backend = "vllm",
    backend_options: Mapping[str, Any] | None = None,
    model_name: str | None = None,
    benchmark_name: str | None = None,
    limit: int | None = None,
    ray: RayOptions | None = None,
) -> RolloutSummary:
    """Roll ``model`` out on the benchmark's first ``limit`` questions (all by default) into ``store``.

    ``backend`` is a backend name (built with ``backend_options``) or a ready
    backend object; the store's (model, benchmark) names default to the model
    path's last part and the benchmark file's name.
    """
    config = config or ProtocolConfig()
    bench = read_benchmark(benchmark)
    if limit is not None and limit < 1:
        raise RolloutError(f"limit must be at least 1, got {limit}")
    if ray is not None and not isinstance(backend, str):
        raise RolloutError("Ray fan-out builds one backend per worker: give the backend by name")
    options = dict(backend_options or {})
    names = (model_name or Path(model.rstrip("/")).name, benchmark_name or bench.name)
    wanted = len(bench.items) if limit is None else min(limit, len(bench.items))
    backend_name = backend if isinstance(backend, str) else type(backend).__name__
    run = RunRecord(
        model=names[0],
        benchmark=names[1],
        model_path=model,
        model_revision=_revision(backend, model, options),
        backend=backend_name,
        sampling=config.as_dict(),
        benchmark_file=bench.path,
        benchmark_sha256=bench.sha256,
        n_questions=len(bench.items),
    )
    con = open_store(store)
    try:
        done = start_run(con, run)
        pending = list(enumerate(bench.items))[done:wanted]
        results: Iterator[QuestionRollout]
        if not pending:
            results = iter(())
        elif ray is not None:
            results = run_on_ray(
                backend_name,
                model,
                options,
                pending,
                config,
                workers=ray.workers,
                gpus_per_worker=ray.gpus_per_worker,
                address=ray.address,
            )
        else:
            # Loaded only when there is work: re-running a finished rollout takes a second.
            ready = load_backend(backend, model, options) if isinstance(backend, str) else backend
            results = run_local(ready, pending, config)
        generated = prompt_probe = 0
        cached: int | None = 0
        seconds = 0.0
        for result in results:
            record_question(con, run, result)
            generated += result.generated_tokens
            prompt_probe += result.probe_prompt_tokens
            cached = (
                None if cached is None or result.probe_cached_tokens is None else cached + result.probe_cached_tokens
            )
            seconds += result.seconds
        return RolloutSummary(names[0], names[1], done + len(pending), done, generated, prompt_probe, cached, seconds)
    finally:
        con.close()


def _revision(backend: str | Backend, model: str, options: Mapping[str, Any]) -> str:
    """The weights' revision, known before loading them (the openai backend's are its tokenizer's)."""
    if not isinstance(backend, str):
        return backend.revision
    tokenizer = options.get("tokenizer")
    return model_revision(tokenizer if isinstance(tokenizer, str) else model, options.get("revision"))
