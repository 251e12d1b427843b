"""Shared fixtures: the bundled store, built once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autotts.bundled import bundled_files
from autotts.store.ingest import ingest_files


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding all bundled replay data (built once per test session)."""
    store = tmp_path_factory.mktemp("bundled") / "traces.duckdb"
    ingest_files(bundled_files(), store)
    return store


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[str]:
    """A real two-node Ray cluster on 127.0.0.1 for the whole session (~10-15 s to start); its address."""
    pytest.importorskip("ray")
    from tests.ray_cluster import local_cluster

    with local_cluster() as address:
        yield address
