"""Deployments are registered on the Prefect server with the schedules params.yaml gives."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from prefect.client.orchestration import get_client

from flows.deployments import NIGHTLY, ROLLOUT_WATCH, register
from tests.pipeline.conftest import small_params


async def _read(names: list[str]):
    async with get_client() as client:
        return [await client.read_deployment_by_name(name) for name in names]


def test_deployments_read_back_with_their_schedules(prefect_server: None, tmp_path: Path) -> None:
    params = small_params(tmp_path)  # nightly at 02:30 UTC, rollouts polled every 600 s
    ids = register(params, tmp_path)
    nightly, watch = asyncio.run(_read([f"autotts-pipeline/{NIGHTLY}", f"autotts-rollout-watch/{ROLLOUT_WATCH}"]))
    assert {nightly.id, watch.id} == set(ids)
    (cron,) = [s.schedule for s in nightly.schedules]
    assert cron.cron == "30 2 * * *" and cron.timezone == "UTC"
    assert nightly.parameters["refresh_evaluations"] is True
    (interval,) = [s.schedule for s in watch.schedules]
    assert interval.interval == timedelta(seconds=600)
    assert watch.parameters == {"params_file": str(params), "root": str(tmp_path)}
