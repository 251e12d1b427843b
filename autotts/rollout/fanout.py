"""Where a question's rollout runs: here, or on a Ray cluster, one model replica per worker.

Both yield finished questions in benchmark order, which is what lets the store
record them one by one and resume at the first missing one. On a cluster each
worker loads its own backend (give each one GPU, or ``tensor_parallel_size``
of them) and questions go to whichever worker is free; the driver alone writes
the store, so the store file need only be reachable from the driver.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from autotts.cluster import join_ray
from autotts.rollout.backends import Backend, load_backend
from autotts.rollout.benchmark_file import BenchmarkItem
from autotts.rollout.protocol import ProtocolConfig, QuestionRollout, rollout_question

__all__ = ["run_local", "run_on_ray"]


def run_local(
    backend: Backend, pending: Sequence[tuple[int, BenchmarkItem]], config: ProtocolConfig
) -> Iterator[QuestionRollout]:
    for idx, item in pending:
        yield rollout_question(backend, item, idx, config)


def run_on_ray(
    backend_name: str,
    model: str,
    options: Mapping[str, Any],
    pending: Sequence[tuple[int, BenchmarkItem]],
    config: ProtocolConfig,
    *,
    workers: int,
    gpus_per_worker: float = 1.0,
    address: str | None = None,
) -> Iterator[QuestionRollout]:
    """Fan questions out over ``workers`` Ray actors on the cluster at ``address`` ("auto": the one this
    machine is a node of; ``None``: a private one here)."""
    ray = join_ray(address, needed_by="--ray-workers")
    from ray.util import ActorPool

    @ray.remote(num_gpus=gpus_per_worker)
    class Worker:
        def __init__(self) -> None:
            self.backend = load_backend(backend_name, model, options)

        def run(self, idx: int, item: BenchmarkItem) -> QuestionRollout:
            return rollout_question(self.backend, item, idx, config)

    pool = ActorPool([Worker.remote() for _ in range(workers)])  # type: ignore[attr-defined]
    yield from pool.map(lambda actor, job: actor.run.remote(*job), list(pending))
