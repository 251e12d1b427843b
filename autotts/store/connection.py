"""Opening the DuckDB store (waiting while another process holds it) and writing in single transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from autotts.errors import StoreError
from autotts.store.engine import duckdb
from autotts.store.locking import wait_for_store
from autotts.store.schema import ddl_for

__all__ = ["CONFINED", "DEFAULT_STORE", "open_store", "transaction"]

DEFAULT_STORE = Path("data/traces.duckdb")

# New files keep DuckDB 1.5's storage format, so the DuckDB CLI that PyPI ships (duckdb-cli 1.5.x) opens them.
_STORAGE: dict[str, Any] = {"storage_compatibility_version": "v1.5.0"}

# What ``autotts sql`` runs under: no file but the store (no ATTACH, COPY, EXPORT, read_csv of other files),
# no extension installed or loaded, and none of this can be SET back within the session.
CONFINED: dict[str, Any] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}


def open_store(
    path: str | Path = DEFAULT_STORE, *, read_only: bool = False, confined: bool = False
) -> duckdb.DuckDBPyConnection:
    """Connect to the store at ``path``, creating it (and its tables) if writable.

    A read-only open of a missing file is an error rather than an empty store,
    so a typo in ``--store`` is reported instead of answering with no rows.
    ``confined`` (read-only) reaches nothing but the store. While another
    process holds the file, this waits as :func:`~autotts.store.locking.store_access` says.
    """
    path = Path(path)
    read_only = read_only or confined
    if read_only and not path.exists():
        raise StoreError(f"{path}: no trace store here (create one with `autotts ingest`)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = {**_STORAGE, **(CONFINED if confined else {})}
    try:
        con = wait_for_store(
            path, lambda: duckdb.connect(str(path), read_only=read_only, config=config),
            purpose="read" if read_only else "write",
        )
    except duckdb.Error as exc:
        raise StoreError(f"{path}: cannot open the store: {first_line(exc)}") from exc
    if not read_only:
        with transaction(con):  # one commit for every table, not one each: a third less CPU on every write
            existing = {name for (name,) in con.execute(_OWN_TABLES).fetchall()}
            con.execute(ddl_for(existing))
    return con


# The store's own tables: not temporary ones, nor those of another attached database.
_OWN_TABLES = ("SELECT table_name FROM duckdb_tables() "
               "WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary")


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


def first_line(exc: BaseException) -> str:
    """An error's first line: DuckDB appends hints and links that a one-line message leaves out."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
