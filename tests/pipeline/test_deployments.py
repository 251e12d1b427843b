"""Deployments are registered on the Prefect server with the schedules params.yaml gives."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings

from autotts.cli import main
from flows.deployments import NIGHTLY, ROLLOUT_WATCH, register
from tests.pipeline.conftest import REPO, small_params


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


def test_serve_names_each_deployment_its_schedule_and_the_ui(
    prefect_server: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = small_params(tmp_path)
    assert main(["serve", "--register-only", "--project", str(REPO), "--params", str(params)]) == 0
    out = capsys.readouterr().out
    assert f"autotts-pipeline/{NIGHTLY}: cron '30 2 * * *' (UTC)" in out
    assert f"autotts-rollout-watch/{ROLLOUT_WATCH}: every 600 s (UTC)" in out
    assert re.search(r"Prefect UI: http://\S+/deployments", out)


def test_registering_without_a_server_is_a_one_line_error(
    prefect_server: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert main(["serve", "--register-only", "--project", str(REPO), "--params", str(small_params(tmp_path))]) == 1
    assert capsys.readouterr().err.strip() == (
        "autotts serve: error: no Prefect server to register on: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)"
    )
