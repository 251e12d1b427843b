"""The pipeline as a Prefect flow: [rollouts ->] ingest -> baselines (fanned out) + discover -> heldout -> report.

It runs the same stage functions as ``dvc repro``, on the task runner params.yaml
names, and never calls DVC: DVC's lock allows one ``dvc repro`` per workspace,
so parallelism lives inside the flow's tasks, not in concurrent repro runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import Task, flow
from prefect.artifacts import create_markdown_artifact
from prefect.futures import wait
from prefect.logging import get_run_logger

from flows.layout import Layout
from flows.runners import task_runner
from flows.tasks import baselines_task, discover_task, heldout_task, ingest_task, report_task, rollout_task
from stages.params import Params, PrefectParams, load_params

__all__ = ["PipelineRun", "pipeline_flow", "run_stages"]


@dataclass(frozen=True, slots=True)
class PipelineRun:
    """What a pipeline run produced: where its files are and the end-of-run summary."""

    root: Path
    html: Path
    table: Path
    summary: str


@flow(name="autotts-pipeline", log_prints=True)
def pipeline_flow(params_file: str = "params.yaml", root: str = ".", refresh_evaluations: bool = False) -> PipelineRun:
    """Run every stage under ``root`` with the settings in ``params_file``.

    ``refresh_evaluations`` re-runs baselines, heldout and report even when their
    inputs are unchanged (the nightly re-evaluation); discovery stays cached.
    """
    params = load_params(params_file)
    stages = run_stages.with_options(task_runner=task_runner(params.prefect))
    return stages(params, Layout(Path(root)), refresh_evaluations)


@flow(name="autotts-stages", validate_parameters=False)
def run_stages(params: Params, layout: Layout, refresh_evaluations: bool = False) -> PipelineRun:
    """The stage graph; tasks whose inputs are unchanged come from Prefect's cache."""
    logger = get_run_logger()
    p = params
    rollouts = [
        _retrying(_fresh(rollout_task, [layout.rollout_store(name)]), p.prefect).submit(run, layout.rollout_store(name))
        for name, run in p.rollout.runs.items()
    ]
    for future in rollouts:
        logger.info("rollout %s", future.result())
    _fresh(ingest_task, [layout.store]).submit(p.ingest, p.data, layout.store).result()
    tables = [
        _fresh(baselines_task, [layout.baseline_table(m, b)], refresh_evaluations).submit(
            p.baselines, layout.store, m, b, layout.baseline_table(m, b))
        for m in p.data.models for b in p.data.benchmarks
    ]
    discovery = _retrying(_fresh(discover_task, [layout.discovery, layout.discover_metrics]), p.prefect).submit(
        p.discover, p.data, layout.store, layout.discovery, layout.discover_metrics)
    wait([*tables, discovery])
    for future in [*tables, discovery]:
        future.result()  # raise the first failure here, named by its task
    _fresh(heldout_task, [layout.heldout, layout.heldout_metrics], refresh_evaluations).submit(
        p.heldout, p.data, layout.store, layout.discovery, layout.baselines, layout.heldout, layout.heldout_metrics,
    ).result()
    out = layout.report
    summary = _fresh(report_task, [out.table, out.html, out.figures, out.curves, out.trajectory],
                     refresh_evaluations).submit(
        p.report, p.data, p.heldout.table_betas, layout.baselines, layout.heldout, out).result()
    create_markdown_artifact(key="autotts-table1", markdown=out.table.read_text(),
                             description="Table 1: accuracy and tokens, search vs held-out")
    logger.info("end of run:\n%s\nreport: %s", summary, out.html)
    return PipelineRun(layout.root, out.html, out.table, summary)


def _retrying(stage: Task[Any, Any], prefect: PrefectParams) -> Task[Any, Any]:
    """The task retried as params say: for calls to proposers and generation backends, which fail transiently."""
    return stage.with_options(retries=prefect.retries, retry_delay_seconds=prefect.retry_delay_seconds)


def _fresh(stage: Task[Any, Any], outputs: list[Path], refresh: bool = False) -> Task[Any, Any]:
    """The task, told to ignore its cache when asked to or when an output it would restore is gone."""
    if refresh or not all(o.exists() for o in outputs):
        return stage.with_options(refresh_cache=True)
    return stage
