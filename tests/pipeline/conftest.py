"""Fixtures for the pipeline tests: one Prefect test server per session, and a small pipeline run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SMALL_PARAMS = Path(__file__).with_name("params_small.yaml")

# Before Prefect is imported: its telemetry heartbeat otherwise logs lock errors and DNS failures.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A temporary Prefect server and database for the whole session (~10 s to start, minutes when loaded)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=240):
        yield


def small_params(folder: Path, **overrides: object) -> Path:
    """params_small.yaml with an absolute data path (and ``section.key`` overrides), written to ``folder``."""
    raw = yaml.safe_load(SMALL_PARAMS.read_text())
    raw["ingest"]["path"] = str(REPO / "data" / "autotts-replay")
    for dotted, value in overrides.items():
        section, key = dotted.split(".")
        raw[section][key] = value
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.fixture(scope="session")
def pipeline_run(prefect_server: None, tmp_path_factory: pytest.TempPathFactory):  # -> (PipelineRun, Path)
    """The pipeline flow run once on the small slice; tests inspect what it left behind."""
    from flows.pipeline import pipeline_flow

    root = tmp_path_factory.mktemp("pipeline")
    params = small_params(root)
    return pipeline_flow(params_file=str(params), root=str(root)), params
