"""The DuckDB trace store: schema, ingest and the connection helpers.

This package is the only writer of SQL in the project.
"""

from autotts.store.autotts_json import ReplayFile, read_autotts_json
from autotts.store.connection import DEFAULT_STORE, open_store, transaction
from autotts.store.ingest import IngestedStore, ingest_files, write_replay

__all__ = [
    "DEFAULT_STORE",
    "IngestedStore",
    "ReplayFile",
    "ingest_files",
    "open_store",
    "read_autotts_json",
    "transaction",
    "write_replay",
]
