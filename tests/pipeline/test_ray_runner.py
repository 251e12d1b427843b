"""With ``prefect.task_runner: ray`` the stage tasks fan out over a Ray cluster: the session's real two-node one."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from prefect import flow

from flows.layout import Layout
from flows.runners import task_runner
from flows.tasks import baselines_task, ingest_task
from stages.params import load_params
from tests.pipeline.conftest import small_params

pytest.importorskip("prefect_ray")


def test_baselines_fan_out_over_a_ray_cluster(prefect_server: None, ray_cluster: str, tmp_path: Path) -> None:
    params = load_params(small_params(tmp_path, **{"prefect.task_runner": "ray", "prefect.ray_address": ray_cluster,
                                                   "baselines.methods": ["sc"]}))
    layout = Layout(tmp_path)

    @flow(task_runner=task_runner(params.prefect))
    def fan_out() -> list[int]:
        ingest_task.submit(params.ingest, params.data, layout.store).result()
        futures = [
            baselines_task.with_options(refresh_cache=True).submit(
                params.baselines, layout.store, model, benchmark, layout.baseline_table(model, benchmark))
            for model in params.data.models for benchmark in params.data.benchmarks
        ]
        return [f.result() for f in futures]

    assert fan_out() == [5, 5]  # SC at 3 budgets + CMC at 2 betas, on each benchmark
    table = pl.read_parquet(layout.baseline_table("Qwen3-8B", "aime25"))
    assert table.get_column("label").to_list()[:3] == ["SC@1", "SC@4", "SC@16"]
