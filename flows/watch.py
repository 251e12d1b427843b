"""A flow that runs the pipeline when new rollouts (or any changed source data) land.

Scheduled every few minutes by ``autotts serve``; it compares the source
files' hashes with those the store recorded at ingest, so it is cheap when
nothing changed and starts discovery when something did.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.logging import get_run_logger

from flows.layout import Layout
from flows.pipeline import PipelineRun, pipeline_flow
from stages.ingest import stale_sources
from stages.params import load_params

__all__ = ["rollout_watch_flow"]

stale_sources_task = task(name="stale-sources")(stale_sources)


@flow(name="autotts-rollout-watch")
def rollout_watch_flow(params_file: str = "params.yaml", root: str = ".") -> PipelineRun | None:
    """Run the pipeline if any selected store's source data changed since it was ingested."""
    logger = get_run_logger()
    params = load_params(params_file)
    changed = stale_sources_task(params.ingest, params.data, Layout(Path(root)).store)
    if not changed:
        logger.info("no new rollouts in %s", params.ingest.path)
        return None
    logger.info("new or changed source data for %s: running the pipeline", ", ".join(changed))
    return pipeline_flow(params_file=params_file, root=root)
