"""Opening the DuckDB store and writing to it in single transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from autotts.errors import StoreError
from autotts.store.schema import DDL

__all__ = ["DEFAULT_STORE", "open_store", "transaction"]

DEFAULT_STORE = Path("data/traces.duckdb")


def open_store(path: str | Path = DEFAULT_STORE, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect to the store at ``path``, creating it (and its tables) if writable.

    A read-only open of a missing file is an error rather than an empty store,
    so a typo in ``--store`` is reported instead of answering with no rows.
    """
    path = Path(path)
    if read_only:
        if not path.exists():
            raise StoreError(f"{path}: no trace store here (create one with `autotts ingest`)")
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(f"{path}: cannot open the store: {_first_line(exc)}") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise StoreError(f"{path}: cannot open the store: {_first_line(exc)}") from exc
    con.execute(DDL)
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction: all of its writes land, or none do."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
