"""Candidate evaluations on a Ray cluster: the whole per-candidate evaluation call runs on a worker.

The driver keeps the search (proposing, recording, selecting the finalists)
exactly as on one machine; only each candidate's evaluation moves. It is the
same evaluator, built on the worker by the factory the driver builds its
own with, so the checks, the sandbox and the grading there are the ones a
local run makes. The candidate travels as text (the workers need not share
the driver's disk) and is written to a private folder on the worker; the
factory and its search matrices go to the object store once, and each worker
process builds its evaluator on first use and keeps it for the run.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autotts.cluster import join_ray
from autotts.discover.evaluation import CandidateEvaluator, EvalSettings, Evaluated

__all__ = ["Evaluator", "RayEvaluator"]

_BUILT: dict[str, tuple[CandidateEvaluator, Path]] = {}  # on a worker process: run key -> (its evaluator, its folder)


class RayEvaluator:
    """Evaluates candidates on a Ray cluster, with the interface of the evaluator ``factory`` builds.

    ``evaluate(path, seeds, **options)`` blocks until the candidate's result is
    back, like the local evaluator, so the loop's ``jobs`` threads are the
    number of candidates in flight on the cluster at once.
    """

    def __init__(self, factory: Callable[[], CandidateEvaluator], settings: EvalSettings, address: str) -> None:
        self.settings = settings
        self._ray = join_ray(address, needed_by="--ray-address")
        self._factory = self._ray.put(factory)
        self._key = uuid.uuid4().hex  # one evaluator per run on each worker process
        self._task = self._ray.remote(num_cpus=1)(_evaluate_on_worker)

    def evaluate(self, path: Path, seeds: int, **options: Any) -> Evaluated:
        source = path.read_text()
        task = self._task.remote(self._key, self._factory, f"{path.parent.name}/{path.name}", source, seeds, options)
        return self._ray.get(task)


def _evaluate_on_worker(key: str, factory: Callable[[], CandidateEvaluator], name: str, source: str, seeds: int,
                        options: dict[str, Any]) -> Evaluated:
    """Runs on a Ray worker: the candidate written to a private folder, then the evaluator's own call."""
    if key not in _BUILT:
        folder = Path(tempfile.mkdtemp(prefix="autotts-ray-"))
        atexit.register(shutil.rmtree, folder, True)
        _BUILT[key] = (factory(), folder)
    evaluator, folder = _BUILT[key]
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        path = Path(scratch) / name
        path.parent.mkdir(parents=True)
        path.write_text(source)
        return evaluator.evaluate(path, seeds, **options)


Evaluator = CandidateEvaluator | RayEvaluator  # what the loop evaluates candidates with
