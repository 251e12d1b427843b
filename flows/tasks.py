"""The stage functions as Prefect tasks: same code as ``dvc repro`` runs, cached on their inputs.

Each task *is* a stage function (``task(fn)``), so a flow adds retries,
caching and visibility without a line of pipeline logic of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task

from flows.caching import stage_cache_key
from stages.baselines import baselines
from stages.discover import discover
from stages.heldout import heldout
from stages.ingest import ingest
from stages.report import report
from stages.rollout import rollout

__all__ = ["baselines_task", "discover_task", "heldout_task", "ingest_task", "report_task", "rollout_task"]


def _ingest_source(parameters: dict[str, Any]) -> list[Path]:
    return [Path(parameters["params"].path)]


def _benchmark_file(parameters: dict[str, Any]) -> list[Path]:
    return [Path(parameters["run"].benchmark_file)]


# Each task run is named after its stage (and its store or rollout), so the UI shows the stages by name.
# Generation calls (a model server, an API) can fail transiently: the flow sets retries from params.
rollout_task = task(name="rollout", task_run_name="rollout {out.stem}",
                    cache_key_fn=stage_cache_key("rollout", outputs=("out",), inputs=_benchmark_file))(rollout)
ingest_task = task(name="ingest", task_run_name="ingest",
                   cache_key_fn=stage_cache_key("ingest", outputs=("store",), inputs=_ingest_source))(ingest)
baselines_task = task(name="baselines", task_run_name="baselines {model}/{benchmark}",
                      cache_key_fn=stage_cache_key("baselines", outputs=("out",)))(baselines)
# Proposer calls (LLM APIs in online proposers) can fail transiently: the flow sets retries from params.
discover_task = task(name="discover", task_run_name="discover",
                     cache_key_fn=stage_cache_key("discover", outputs=("out", "metrics")))(discover)
heldout_task = task(name="heldout", task_run_name="heldout",
                    cache_key_fn=stage_cache_key("heldout", outputs=("out", "metrics")))(heldout)
report_task = task(name="report", task_run_name="report",
                   cache_key_fn=stage_cache_key("report", outputs=("out",)))(report)
