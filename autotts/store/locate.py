"""Which store a command uses when none is named: one rule, said aloud by the CLI.

``dvc repro`` builds the pipeline's store at :data:`PIPELINE_STORE` (its
``ingest`` stage's output, which DVC hashes); the CLI's own store is
:data:`~autotts.store.connection.DEFAULT_STORE`. A command that only reads
uses the CLI's store if there is one, else the pipeline's; a command that
writes never picks the pipeline's by default, since writing into a DVC output
makes the next ``dvc repro`` rebuild it and drop what was written.
"""

from __future__ import annotations

import os
from pathlib import Path

from autotts.store.connection import DEFAULT_STORE

__all__ = ["PIPELINE_STORE", "STORE_ENV", "default_store"]

PIPELINE_STORE = Path("data/pipeline/traces.duckdb")
STORE_ENV = "AUTOTTS_STORE"


def default_store(*, writes: bool) -> tuple[Path, str]:
    """The store to use and why, in words: ``$AUTOTTS_STORE``, the CLI's, or (to read) the pipeline's."""
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]), f"from ${STORE_ENV}"
    if not writes and not DEFAULT_STORE.exists() and PIPELINE_STORE.exists():
        return PIPELINE_STORE, "the pipeline's, built by dvc repro"
    return DEFAULT_STORE, "the default"
