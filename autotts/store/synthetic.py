"""Stores made for benchmarks: a synthetic store of any size, made by repeating a real store's questions (for
memory and speed), and a copy of one (model, benchmark)'s traces (for timing a command that writes the store).

The copies keep every trace as it is (same branches, probes and answers), so
replaying them costs what replaying real data costs; only the question count
differs. Rows are written copy after copy, in question order, so reading a
range of questions touches only that part of the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from autotts.errors import StoreError
from autotts.store.connection import open_store, transaction
from autotts.store.schema import TRACE_TABLES

__all__ = ["SYNTHETIC_MODEL", "build_synthetic_store", "copy_traces", "synthetic_benchmark"]

SYNTHETIC_MODEL = "synthetic"

# (table, the columns copied as they are); model, benchmark and question_idx are rewritten
_COPIED = (
    ("questions", ("question", "gold_answer", "probe_freq")),
    ("branches", ("branch_idx", "branch_tokens", "final_answer", "n_probes")),
    ("probes", ("branch_idx", "probe_idx", "answer")),
)


def synthetic_benchmark(questions: int) -> str:
    return f"tiled-{questions}"


def build_synthetic_store(source: Path, out: Path, questions: int) -> bool:
    """Write ``out`` with ``questions`` questions cycling through every question of ``source``.

    Reuses ``out`` when it already holds that synthetic store (returns False);
    otherwise builds it under a temporary name and renames it into place
    (returns True), so an interrupted build leaves nothing half-written.
    """
    if questions < 1:
        raise StoreError(f"a synthetic store needs at least 1 question, got {questions}")
    benchmark = synthetic_benchmark(questions)
    if out.exists():
        con = open_store(out, read_only=True)
        try:
            row = con.execute("SELECT n_questions FROM sources WHERE model = ? AND benchmark = ?",
                              [SYNTHETIC_MODEL, benchmark]).fetchone()
        finally:
            con.close()
        if row is not None and row[0] == questions:
            return False
        raise StoreError(f"{out}: exists and is not a synthetic store of {questions} questions; remove it first")
    if not source.exists():
        raise StoreError(f"{source}: no trace store here (create one with `autotts ingest`)")
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = open_store(tmp)
    try:
        _fill(con, source, questions, benchmark)
    finally:
        con.close()
    tmp.replace(out)
    return True


def _fill(con: duckdb.DuckDBPyConnection, source: Path, questions: int, benchmark: str) -> None:
    con.execute("SET enable_progress_bar = false")
    con.execute("ATTACH ? AS src (READ_ONLY)", [str(source)])
    # k: the source question's position over every (model, benchmark) of the source, in sorted order
    con.execute("""CREATE TEMP TABLE positions AS SELECT model, benchmark, question_idx,
                   (row_number() OVER (ORDER BY model, benchmark, question_idx) - 1)::INTEGER AS k
                   FROM src.questions""")
    row = con.execute("SELECT count(*) FROM positions").fetchone()
    per_copy = int(row[0]) if row else 0
    if per_copy == 0:
        raise StoreError(f"{source}: holds no questions to copy")
    for table, columns in _COPIED:
        picked = ", ".join(f"t.{c}" for c in columns)
        con.execute(f"""CREATE TEMP TABLE one_{table} AS SELECT p.k, {picked} FROM src.{table} t
                        JOIN positions p USING (model, benchmark, question_idx) ORDER BY p.k""")
    for start in range(0, questions, per_copy):
        for table, columns in _COPIED:
            named = ", ".join(columns)
            con.execute(f"INSERT INTO {table} (model, benchmark, question_idx, {named}) "
                        f"SELECT ?, ?, k + ?, {named} FROM one_{table} WHERE k < ?",
                        [SYNTHETIC_MODEL, benchmark, start, questions - start])
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    con.execute("INSERT INTO sources (model, benchmark, source, sha256, n_questions) VALUES (?, ?, ?, ?, ?)",
                [SYNTHETIC_MODEL, benchmark, f"{source} repeated", digest, questions])


def copy_traces(source: Path, out: Path, model: str, benchmark: str) -> None:
    """Write a new store ``out`` holding the traces of (model, benchmark) in ``source`` and nothing else."""
    if out.exists():
        raise StoreError(f"{out}: exists; a copy of traces is written to a new file only")
    con = open_store(out)
    try:
        con.execute("ATTACH ? AS src (READ_ONLY)", [str(source)])
        with transaction(con):
            for table in TRACE_TABLES:  # the new file's columns: an older store may hold one since dropped
                description = con.execute(f"SELECT * FROM {table} LIMIT 0").description or []
                columns = ", ".join(column for column, *_ in description)
                con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM src.{table} "
                            "WHERE model = ? AND benchmark = ?", [model, benchmark])
    finally:
        con.close()
