"""Writes as data: every writer computes a :class:`Batch` first, then commits it in one short transaction.

A batch is a list of row replacements (delete what matches a key, insert the
new rows), so it can be applied to the store, or, when the store stays busy
past the lock timeout, saved whole to a side file beside the store and applied
later by ``autotts ingest pending``. No computed result is lost to a lock.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autotts.errors import StoreBusyError, StoreError
from autotts.store.connection import CONFINED, first_line, open_store, transaction
from autotts.store.engine import duckdb, with_python_layer
from autotts.store.schema import TABLES

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

__all__ = ["Batch", "Replace", "commit", "pending_dir", "pending_files", "record_pending"]

_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")  # a key column, as the schema names them
# The values a saved batch may hold (as text, 8 bytes at least each): above what a writer saves (an
# ingest holds at most 256 MiB of rows), far below the machine's memory. A hand-written file packs millions
# of equal rows into a few KiB (5 million 100-character rows: 1.5 MB on disk, 1.2 GB loaded).
MAX_SAVED_BYTES = 2**29  # loaded as frames, about 2.3 bytes a byte of it


@dataclass(frozen=True)
class Replace:
    """Delete the rows of ``table`` whose ``key`` columns equal its values, then insert ``rows``.

    ``rows`` is anything DuckDB scans by column name: a polars frame, or equal-length NumPy columns (what a
    writer that must not load polars passes)."""

    table: str
    key: Mapping[str, Any]
    rows: pl.DataFrame | Mapping[str, np.ndarray] | None = None

    @property
    def height(self) -> int:
        """How many rows it inserts."""
        if self.rows is None:
            return 0
        if isinstance(self.rows, Mapping):
            return len(next(iter(self.rows.values()), ()))
        return self.rows.height


@dataclass(frozen=True)
class Batch:
    """Replacements applied together, and what they are in a user's words (``3 evaluations``)."""

    what: str
    replaces: Sequence[Replace] = field(default_factory=tuple)

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        """Apply every replacement on ``con``; the caller owns the transaction."""
        for r in self.replaces:
            where = " AND ".join(f"{column} = ?" for column in r.key)
            con.execute(f"DELETE FROM {r.table} WHERE {where}", list(r.key.values()))
            if r.height:
                with _registered(con, r):
                    con.execute(f"INSERT INTO {r.table} BY NAME SELECT * FROM batch_rows")


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, replace: Replace) -> Iterator[None]:
    """``replace``'s rows readable as ``batch_rows`` within the block (a polars frame through the duckdb package's
    Arrow scans, NumPy columns by the engine alone)."""
    if not isinstance(replace.rows, Mapping):
        with_python_layer()
    con.register("batch_rows", replace.rows)
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):  # the failed transaction refuses it and drops the scan on rollback
            con.unregister("batch_rows")  # (its own error would hide the one that says what went wrong)
        raise
    con.unregister("batch_rows")


def commit(store: str | Path, batch: Batch) -> None:
    """Apply ``batch`` to ``store`` in one transaction; if the store stays busy, save it aside and say so."""
    store = Path(store)
    try:
        con = open_store(store)
    except StoreBusyError as busy:
        saved = _save_pending(store, batch)
        raise StoreBusyError(f"{busy}; {batch.what} saved in {saved}: record them with "
                             f"`autotts ingest pending --store {store}`") from None
    try:
        with transaction(con):
            batch.apply(con)
    finally:
        con.close()


def pending_dir(store: str | Path) -> Path:
    """The folder beside ``store`` that holds batches saved while it was busy."""
    store = Path(store)
    return store.with_name(f"{store.name}.pending")


def pending_files(store: str | Path) -> list[Path]:
    """The saved batches waiting for ``store``, oldest first."""
    return sorted(pending_dir(store).glob("*.duckdb"))


def record_pending(store: str | Path, files: Sequence[Path] = ()) -> list[tuple[Path, str]]:
    """Commit saved batches (``files``, or every one waiting for ``store``) in order; each is removed once recorded."""
    done = []
    for path in files or pending_files(store):
        batch = _load_pending(Path(path))
        try:
            commit(store, batch)
        except duckdb.Error as exc:  # rows that do not fit their table: the transaction rolled back
            raise StoreError(f"{path}: cannot record the saved batch: {first_line(exc)}") from exc
        Path(path).unlink()
        done.append((Path(path), batch.what))
    return done


def _save_pending(store: Path, batch: Batch) -> Path:
    """Write ``batch`` as a small DuckDB file in the store's pending folder (under a temporary name, then renamed)."""
    folder = pending_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = folder / f"{stamp}-{os.getpid()}.duckdb"
    tmp = folder / f".{target.name}.tmp"
    con = duckdb.connect(str(tmp))
    try:
        con.execute("CREATE TABLE batch (what VARCHAR)")
        con.execute("INSERT INTO batch VALUES (?)", [batch.what])
        con.execute("CREATE TABLE replaces (op INTEGER, tbl VARCHAR, key VARCHAR, has_rows BOOLEAN)")
        for op, r in enumerate(batch.replaces):
            con.execute("INSERT INTO replaces VALUES (?, ?, ?, ?)", [op, r.table, json.dumps(dict(r.key)),
                                                                     r.rows is not None])
            if r.rows is not None:
                with _registered(con, r):
                    con.execute(f"CREATE TABLE rows_{op} AS SELECT * FROM batch_rows")
    finally:
        con.close()
    os.replace(tmp, target)
    return target


def _load_pending(path: Path) -> Batch:
    with_python_layer()  # the rows come back as polars frames
    try:  # confined: a hand-written file's ``rows_0`` may be a view that reads other files or loads extensions
        con = duckdb.connect(str(path), read_only=True, config=CONFINED)
    except duckdb.Error as exc:
        raise StoreError(f"{path}: cannot open the saved batch: {first_line(exc)}") from exc
    try:
        (what,) = con.execute("SELECT what FROM batch").fetchone() or ("",)
        replaces, held = [], 0
        for op, table, key, has_rows in con.execute("SELECT op, tbl, key, has_rows FROM replaces ORDER BY op"
                                                    ).fetchall():
            checked = _checked(path, op, table, key)
            if has_rows:  # measured by a streaming scan before any row is loaded
                held += sum(n or 0 for n in con.execute(
                    f"SELECT sum(coalesce(strlen(CAST(COLUMNS(*) AS VARCHAR)), 0) + 8) FROM rows_{op}"
                ).fetchall()[0])
                if held > MAX_SAVED_BYTES:
                    raise StoreError(f"{path}: the saved batch holds more than {MAX_SAVED_BYTES / 2**20:g} MiB of "
                                     "values; autotts saves none that large")
            replaces.append(Replace(*checked, con.sql(f"SELECT * FROM rows_{op}").pl() if has_rows else None))
    except duckdb.Error as exc:
        raise StoreError(f"{path}: not a saved batch of autotts: {first_line(exc)}") from exc
    finally:
        con.close()
    return Batch(str(what), tuple(replaces))


def _checked(path: Path, op: Any, table: Any, key: Any) -> tuple[str, dict[str, Any]]:
    """A saved replacement's table and key columns, refused unless they name a store table and plain columns.

    They become SQL text, and a batch file may come from elsewhere (``autotts ingest pending FILE``): a table
    named ``sources; COPY ... TO ...`` would run its own statements on the writable store."""
    try:
        columns = json.loads(key)
    except (TypeError, ValueError):
        columns = None
    if not (isinstance(op, int) and table in TABLES and isinstance(columns, dict) and columns
            and all(_COLUMN.fullmatch(c) for c in columns)):
        raise StoreError(f"{path}: not a saved batch of autotts: replacement {op!r} names table {table!r}, "
                         f"key {key!r}")
    return table, columns
