"""The pipeline as a Prefect flow: [rollouts ->] ingest -> baselines (fanned out) + discover -> heldout -> report.

It runs the same stage functions as ``dvc repro``, on the task runner params.yaml
names, and never calls DVC: DVC's lock allows one ``dvc repro`` per workspace,
so parallelism lives inside the flow's tasks, not in concurrent repro runs.

Every task runs directly under the one flow run, and the run's artifacts (Table 1,
the figures, the discovery summary) are attached to it, so the run's page in the
UI shows the whole pipeline. The task runner comes from the params file, which
only the running flow reads; the flow therefore enters that runner itself
instead of declaring it, which would need it before the params are known.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import Task, flow
from prefect.futures import PrefectFuture, wait
from prefect.logging import get_run_logger
from prefect.task_runners import TaskRunner

from flows.artifacts import publish_report
from flows.layout import Layout
from flows.runners import task_runner
from flows.tasks import baselines_task, discover_task, heldout_task, ingest_task, report_task, rollout_task
from stages.cli import run_stage_main
from stages.params import Params, PrefectParams, load_params

__all__ = ["PipelineRun", "main", "pipeline_flow"]


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
    layout = Layout(Path(root))
    with task_runner(params.prefect) as runner:
        summary = _run_stages(_Submitter(runner, params.prefect, refresh_evaluations), params, layout)
    publish_report(layout.report)
    get_run_logger().info("report: %s", layout.report.html)
    return PipelineRun(layout.root, layout.report.html, layout.report.table, summary)


def _run_stages(submit: _Submitter, params: Params, layout: Layout) -> str:
    """The stage graph, each stage a task of the current flow run; the report's summary."""
    logger = get_run_logger()
    p = params
    rollouts = [
        submit(rollout_task, [layout.rollout_store(name)], retry=True, run=run, out=layout.rollout_store(name))
        for name, run in p.rollout.runs.items()
    ]
    for future in rollouts:
        logger.info("rollout: %s", future.result())
    stores = submit(ingest_task, [layout.store], params=p.ingest, data=p.data, store=layout.store).result()
    logger.info("ingest: %d stores into %s", len(stores), layout.store)
    tables = [
        submit(baselines_task, [layout.baseline_table(m, b)], refreshable=True, params=p.baselines,
               store=layout.store, model=m, benchmark=b, out=layout.baseline_table(m, b))
        for m in p.data.models for b in p.data.benchmarks
    ]
    discovery = submit(discover_task, [layout.discovery, layout.discover_metrics], retry=True, config=p.discover,
                       data=p.data, store=layout.store, out=layout.discovery, metrics=layout.discover_metrics)
    wait([*tables, discovery])
    logger.info("baselines: %d evaluations over %d stores", sum(f.result() for f in tables), len(tables))
    logger.info("discover:\n%s", discovery.result())  # raises the first failure here, named by its task
    sweep = submit(heldout_task, [layout.heldout, layout.heldout_metrics], refreshable=True, params=p.heldout,
                   data=p.data, store=layout.store, discovery=layout.discovery, baselines=layout.baselines,
                   out=layout.heldout, metrics=layout.heldout_metrics).result()
    logger.info("heldout: %d evaluations of the discovered controller", sweep.height)
    out = layout.report
    summary: str = submit(report_task, [out.table, out.html, out.figures, out.curves, out.trajectory, out.summary],
                          refreshable=True, params=p.report, data=p.data, heldout_params=p.heldout,
                          baselines=layout.baselines, heldout=layout.heldout, discovery=layout.discovery,
                          out=out).result()
    logger.info("end of run:\n%s", summary)
    return summary


@dataclass(frozen=True, slots=True)
class _Submitter:
    """Submits stage tasks to the flow's runner with the options the run calls for."""

    runner: TaskRunner[Any]
    prefect: PrefectParams
    refresh_evaluations: bool

    def __call__(self, stage: Task[Any, Any], outputs: list[Path], *, retry: bool = False,
                 refreshable: bool = False, **parameters: Any) -> PrefectFuture[Any]:
        """Submit ``stage`` with ``parameters``.

        ``retry``: retried as params say (proposer and generation calls fail transiently).
        The cache is ignored when an output it would restore is gone, or, for a
        ``refreshable`` stage, when the run re-evaluates on purpose.
        """
        if retry:
            stage = stage.with_options(retries=self.prefect.retries,
                                       retry_delay_seconds=self.prefect.retry_delay_seconds)
        if (refreshable and self.refresh_evaluations) or not all(o.exists() for o in outputs):
            stage = stage.with_options(refresh_cache=True)
        return self.runner.submit(stage, parameters)


def main(argv: list[str] | None = None) -> int:
    """``python -m flows.pipeline``: one run of the flow, on the server PREFECT_API_URL names (or a temporary one)."""
    parser = argparse.ArgumentParser(prog="python -m flows.pipeline", description=main.__doc__)
    parser.add_argument("--params", default="params.yaml", help="params file (default params.yaml)")
    parser.add_argument("--root", default=".", help="folder the stage outputs go under, as in dvc.yaml (default .)")
    parser.add_argument("--refresh-evaluations", action="store_true",
                        help="re-run baselines, heldout and report even if cached (discovery stays cached)")
    args = parser.parse_args(argv)

    def body() -> None:
        run = pipeline_flow(params_file=args.params, root=args.root, refresh_evaluations=args.refresh_evaluations)
        print(f"report: {run.html}")

    return run_stage_main("pipeline", body)


if __name__ == "__main__":
    raise SystemExit(main())
