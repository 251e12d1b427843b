"""The discover stage alone, as the pipeline flow runs it (the real task, its cache key and retries).

Run as ``python -m tests.pipeline.discover_flow PARAMS STORE ROOT`` so a test can
kill the process running it and run it again.
"""

from __future__ import annotations

import sys
from pathlib import Path

from prefect import flow

from flows.layout import Layout
from flows.tasks import discover_task
from stages.params import load_params


@flow(name="autotts-discover-only")
def discover_only(params_file: str, store: str, root: str) -> str:
    """Discovery on ``store`` into ``root``'s layout, retried as params.yaml's prefect section says."""
    params = load_params(params_file)
    layout = Layout(Path(root))
    task = discover_task.with_options(retries=params.prefect.retries,
                                      retry_delay_seconds=params.prefect.retry_delay_seconds)
    return task(params.discover, params.data, Path(store), layout.discovery, layout.discover_metrics)


if __name__ == "__main__":
    discover_only(*sys.argv[1:4])
