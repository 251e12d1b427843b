"""The canary folder (with the store in it), shared by every attack in this folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.harness import build_vault


@pytest.fixture(scope="session")
def vault_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store; its folder is the canary: attacks that find the store find the folder too."""
    return build_vault(tmp_path_factory.mktemp("sec") / "vault")
