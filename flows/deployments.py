"""Deployments of the flows, with schedules from params.yaml, for ``autotts serve``.

``register`` only records them on the Prefect server (they then show in the
UI and can be triggered there); ``serve`` also runs this process as their
worker, executing scheduled and triggered runs until stopped.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import cast
from uuid import UUID

from prefect import serve as prefect_serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Interval

from flows.pipeline import pipeline_flow
from flows.watch import rollout_watch_flow
from stages.params import load_params

__all__ = ["NIGHTLY", "ROLLOUT_WATCH", "build_deployments", "register", "serve"]

NIGHTLY = "nightly-reevaluation"
ROLLOUT_WATCH = "discover-on-new-rollouts"


def build_deployments(params_file: str | Path = "params.yaml", root: str | Path = ".") -> list[RunnerDeployment]:
    """The nightly re-evaluation and the rollout watch, scheduled as params.yaml says."""
    schedules = load_params(params_file).prefect.schedules
    arguments = {"params_file": str(params_file), "root": str(root)}
    # Prefect's sync/async dispatch: called from sync code these return values, not coroutines.
    deployments = [
        pipeline_flow.to_deployment(
            name=NIGHTLY,
            description="Re-run baselines, held-out evaluation and report on the current code (discovery cached).",
            schedules=[Cron(schedules.nightly_cron, timezone=schedules.timezone)],
            parameters={**arguments, "refresh_evaluations": True},
            tags=["autotts"],
        ),
        rollout_watch_flow.to_deployment(
            name=ROLLOUT_WATCH,
            description="Run the pipeline (ingest, discovery, evaluation, report) when new rollouts land.",
            schedules=[Interval(timedelta(seconds=schedules.rollout_poll_seconds), timezone=schedules.timezone)],
            parameters=arguments,
            tags=["autotts"],
        ),
    ]
    return cast(list[RunnerDeployment], deployments)


def register(params_file: str | Path = "params.yaml", root: str | Path = ".") -> list[UUID]:
    """Create or update the deployments on the configured Prefect server; their ids."""
    return [cast(UUID, d.apply()) for d in build_deployments(params_file, root)]


def serve(params_file: str | Path = "params.yaml", root: str | Path = ".") -> None:
    """Register the deployments and execute their runs here until interrupted."""
    prefect_serve(*build_deployments(params_file, root))
