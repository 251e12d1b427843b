"""Read-only SQL over the store, confined by DuckDB's own settings: the library face of ``autotts sql``.

Confinement is DuckDB's, not a filter on the text: the connection is read-only,
external access is off (no ATTACH, COPY ... TO, EXPORT DATABASE, reading other
files), extensions are neither installed nor loaded, and the configuration is
locked so no statement can undo any of it. Several statements run in order and
their results are returned together, or the first failure is reported and
none is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from autotts.errors import StoreError
from autotts.store.connection import first_line, open_store

__all__ = ["QueryResult", "run_sql"]


@dataclass(frozen=True, slots=True)
class QueryResult:
    """One statement's text, and its result's column names and rows (none for a statement without a result)."""

    statement: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def run_sql(store: str | Path, text: str) -> list[QueryResult]:
    """Run every statement of ``text`` on the confined store; all their results, or a one-line :class:`StoreError`."""
    if not text.strip():
        raise StoreError("no SQL statement given")
    con = open_store(store, confined=True)
    try:
        try:
            statements = [s.query.strip().rstrip(";").strip() for s in con.extract_statements(text)]
        except duckdb.Error as exc:
            raise StoreError(f"query failed: {first_line(exc)}") from exc
        if not statements:
            raise StoreError("no SQL statement given")
        return [_run(con, statement, i, len(statements)) for i, statement in enumerate(statements, start=1)]
    finally:
        con.close()


def _run(con: duckdb.DuckDBPyConnection, statement: str, number: int, count: int) -> QueryResult:
    try:
        cursor = con.execute(statement)
        columns = tuple(d[0] for d in cursor.description or [])
        rows = cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        where = f"statement {number} of {count}" if count > 1 else "query"
        raise StoreError(f"{where} failed: {first_line(exc)}") from exc
    return QueryResult(statement, columns, rows)
