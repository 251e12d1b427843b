"""The canary folder (with the store in it), shared by every attack in this folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotts.store.ingest import ingest_files
from tests.builders import branch, question, write_release
from tests.security.harness import build_vault


@pytest.fixture(scope="session")
def vault_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store; its folder is the canary: attacks that find the store find the folder too."""
    return build_vault(tmp_path_factory.mktemp("sec") / "vault")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one question, for attacks that must leave a store unchanged."""
    folder = tmp_path_factory.mktemp("store")
    store = folder / "s.duckdb"
    ingest_files([write_release(folder / "M" / "bench.json", [question([branch(["1"], 10, "1")])])], store)
    return store
