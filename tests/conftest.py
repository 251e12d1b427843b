"""Shared fixtures: the bundled store, built once per session."""

from __future__ import annotations

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
