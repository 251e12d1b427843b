"""The task runner a flow fans out on, chosen in params.yaml (``prefect.task_runner``)."""

from __future__ import annotations

from typing import Any

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from autotts.errors import ConfigError
from stages.params import PrefectParams

__all__ = ["task_runner"]


def task_runner(params: PrefectParams) -> TaskRunner[Any]:
    """Local processes (default), threads, or a Ray cluster (``prefect-ray``; a local one if no address)."""
    if params.task_runner == "process":
        return ProcessPoolTaskRunner(max_workers=params.max_workers)
    if params.task_runner == "thread":
        return ThreadPoolTaskRunner(max_workers=params.max_workers)
    try:
        from prefect_ray import RayTaskRunner
    except ImportError as exc:
        raise ConfigError("params prefect.task_runner: ray needs `pip install -e '.[ray]'`") from exc
    if params.ray_address is None:
        return RayTaskRunner(init_kwargs={"num_cpus": params.max_workers, "include_dashboard": False})
    return RayTaskRunner(address=params.ray_address)
