"""The DuckDB trace store: schema, ingest and the connection helpers.

This package is the only writer of SQL in the project. The re-exported names
load on first use, so a command that only opens the store does not load the
release-format reader and polars with it.
"""

from __future__ import annotations

from typing import Any

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


def __getattr__(name: str) -> Any:
    if name in __all__:
        from autotts.store import autotts_json, connection, ingest

        return next(getattr(m, name) for m in (autotts_json, connection, ingest) if hasattr(m, name))
    raise AttributeError(f"module 'autotts.store' has no attribute {name!r}")
