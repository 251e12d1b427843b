"""Deployments of the flows, with schedules from params.yaml, for ``autotts serve``.

``register`` only records them on the Prefect server (they then show in the
UI and can be triggered there); ``serve`` also runs this process as their
worker, executing scheduled and triggered runs until stopped. Stopping it
pauses the schedules on the server (Prefect's ``pause_on_shutdown``), so no
run piles up with nobody to execute it; registering or serving again resumes
them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import cast
from uuid import UUID

from prefect import serve as prefect_serve
from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Interval
from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

from autotts.errors import ConfigError
from flows.pipeline import pipeline_flow
from flows.watch import rollout_watch_flow
from stages.params import load_params

__all__ = ["NIGHTLY", "ROLLOUT_WATCH", "build_deployments", "describe", "register", "serve"]

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


def describe(deployments: list[RunnerDeployment]) -> list[str]:
    """What a person starting ``autotts serve`` needs to know: each deployment's name and
    schedule, and where the UI is (or that no server is configured)."""
    lines = [f"  {d.flow_name}/{d.name}: {', '.join(_when(s.schedule) for s in d.schedules or ())}\n"
             f"      {d.description}" for d in deployments]
    ui, api = PREFECT_UI_URL.value(), PREFECT_API_URL.value()
    if ui:
        lines.append(f"Prefect UI: {ui}/deployments (server {api})")
    else:
        lines.append("no Prefect server configured: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api after "
                     "`prefect server start`) to keep runs and see them in the UI")
    return lines


def _when(schedule: object) -> str:
    if isinstance(schedule, CronSchedule):
        return f"cron '{schedule.cron}' ({schedule.timezone})"
    if isinstance(schedule, IntervalSchedule):
        return f"every {schedule.interval.total_seconds():g} s ({schedule.timezone})"
    return str(schedule)


def register(params_file: str | Path = "params.yaml", root: str | Path = ".") -> list[UUID]:
    """Create or update the deployments on the configured Prefect server; their ids."""
    if not PREFECT_API_URL.value():
        # Prefect would register them on a temporary server that vanishes when this process ends.
        raise ConfigError("no Prefect server to register on: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)")
    return [cast(UUID, d.apply()) for d in build_deployments(params_file, root)]


def serve(params_file: str | Path = "params.yaml", root: str | Path = ".") -> None:
    """Register the deployments and execute their runs here until interrupted (which pauses their schedules)."""
    prefect_serve(*build_deployments(params_file, root), print_starting_message=False)
