"""Writing validated replay data into the store, one transaction per call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from autotts.errors import IngestError
from autotts.store.autotts_json import ReplayFile, default_names, read_autotts_json
from autotts.store.connection import open_store, transaction

__all__ = ["IngestedStore", "ingest_files", "write_replay"]

_TRACE_TABLES = ("probes", "branches", "questions", "sources")


@dataclass(frozen=True, slots=True)
class IngestedStore:
    """What one ingested file became: a (model, benchmark) pair and its size."""

    model: str
    benchmark: str
    questions: int
    branches: int
    probes: int


def ingest_files(
    paths: Sequence[str | Path],
    store: str | Path,
    *,
    model: str | None = None,
    benchmark: str | None = None,
) -> list[IngestedStore]:
    """Validate every file, then replace their (model, benchmark) pairs in one transaction.

    Any bad file aborts the whole call before the store is touched, so a failed
    ingest leaves the store exactly as it was.
    """
    if not paths:
        raise IngestError("no input files given")
    files = [read_autotts_json(p) for p in paths]
    keys = []
    for f in files:
        default_model, default_benchmark = default_names(f.path)
        keys.append((model or default_model, benchmark or default_benchmark))
    seen: dict[tuple[str, str], Path] = {}
    for key, f in zip(keys, files, strict=True):
        if key in seen:
            raise IngestError(f"{f.path}: model {key[0]!r}, benchmark {key[1]!r} also comes from {seen[key]}")
        seen[key] = f.path
    con = open_store(store)
    try:
        with transaction(con):
            return [write_replay(con, f, m, b) for f, (m, b) in zip(files, keys, strict=True)]
    finally:
        con.close()


def write_replay(con: duckdb.DuckDBPyConnection, replay: ReplayFile, model: str, benchmark: str) -> IngestedStore:
    """Replace (model, benchmark) with ``replay``; the caller owns the transaction."""
    questions, branches, probes = _frames(replay, model, benchmark)
    for table in _TRACE_TABLES:
        con.execute(f"DELETE FROM {table} WHERE model = ? AND benchmark = ?", [model, benchmark])
    con.register("questions_df", questions)
    con.register("branches_df", branches)
    con.register("probes_df", probes)
    con.execute("INSERT INTO questions BY NAME SELECT * FROM questions_df")
    con.execute("INSERT INTO branches BY NAME SELECT * FROM branches_df")
    con.execute("INSERT INTO probes BY NAME SELECT * FROM probes_df")
    for name in ("questions_df", "branches_df", "probes_df"):
        con.unregister(name)
    con.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?)",
        [model, benchmark, str(replay.path), replay.sha256, len(replay.questions), datetime.now(UTC)],
    )
    return IngestedStore(model, benchmark, questions.height, branches.height, probes.height)


def _frames(replay: ReplayFile, model: str, benchmark: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    q_rows: dict[str, list] = {"question_idx": [], "question": [], "gold_answer": [], "probe_freq": []}
    b_rows: dict[str, list] = {
        "question_idx": [],
        "branch_idx": [],
        "branch_tokens": [],
        "final_answer": [],
        "n_probes": [],
    }
    p_rows: dict[str, list] = {"question_idx": [], "branch_idx": [], "probe_idx": [], "answer": []}
    for qi, q in enumerate(replay.questions):
        q_rows["question_idx"].append(qi)
        q_rows["question"].append(q.question)
        q_rows["gold_answer"].append(q.gold_answer)
        q_rows["probe_freq"].append(q.probe_freq)
        for bi, branch in enumerate(q.branches):
            n = len(branch.probe_answers)
            b_rows["question_idx"].append(qi)
            b_rows["branch_idx"].append(bi)
            b_rows["branch_tokens"].append(branch.branch_tokens)
            b_rows["final_answer"].append(branch.final_answer)
            b_rows["n_probes"].append(n)
            p_rows["question_idx"].extend([qi] * n)
            p_rows["branch_idx"].extend([bi] * n)
            p_rows["probe_idx"].extend(range(n))
            p_rows["answer"].extend(branch.probe_answers)
    schema_q = {"question_idx": pl.Int32, "question": pl.String, "gold_answer": pl.String, "probe_freq": pl.Int32}
    schema_b = {
        "question_idx": pl.Int32,
        "branch_idx": pl.Int32,
        "branch_tokens": pl.Int64,
        "final_answer": pl.String,
        "n_probes": pl.Int32,
    }
    schema_p = {"question_idx": pl.Int32, "branch_idx": pl.Int32, "probe_idx": pl.Int32, "answer": pl.String}
    keys = {"model": model, "benchmark": benchmark}
    return (
        pl.DataFrame(q_rows, schema=schema_q).with_columns(**{k: pl.lit(v) for k, v in keys.items()}),
        pl.DataFrame(b_rows, schema=schema_b).with_columns(**{k: pl.lit(v) for k, v in keys.items()}),
        pl.DataFrame(p_rows, schema=schema_p).with_columns(**{k: pl.lit(v) for k, v in keys.items()}),
    )
