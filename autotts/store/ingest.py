"""Writing validated replay data into the store: computed first, committed in one short transaction.

Into an existing store, each (model, benchmark) replaces what it held. A store
that does not exist yet is built whole in a private folder, with one thread,
and renamed into place, so the same inputs give a byte-identical file
(:mod:`autotts.store.canonical`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from autotts.errors import IngestError
from autotts.store.autotts_json import ReplayFile, default_names, read_autotts_json
from autotts.store.batch import Batch, Replace, commit
from autotts.store.canonical import stamp_identifier
from autotts.store.connection import open_store, transaction
from autotts.store.names import check_name

__all__ = ["MAX_BATCH_BYTES", "IngestedStore", "build_store", "ingest_files", "replay_batch", "write_replay"]

_TRACE_TABLES = ("probes", "branches", "questions", "sources")
# Rows held for one ingest call. Release files' rows take 1.7 bytes per byte of JSON, and the worst
# shape measured (empty probes) 4, so this is 64-150 MiB of JSON: some 50 files of the bundled size.
# The model and benchmark names count on every row (:func:`_held_bytes`): the bundled files' rows double.
MAX_BATCH_BYTES = 256 * 2**20


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
    whole: bool = False,
) -> list[IngestedStore]:
    """Validate every file, then replace their (model, benchmark) pairs in one transaction.

    Any bad file aborts the whole call before the store is touched, so a failed
    ingest leaves the store exactly as it was. ``whole`` replaces the store file
    itself with one holding these files alone (what a new store gets anyway).
    Files are parsed one at a time and only their rows are kept, at most
    :data:`MAX_BATCH_BYTES` of them, so memory stays bounded however many files come.
    """
    if not paths:
        raise IngestError("no input files given")
    results: list[IngestedStore] = []
    replaces: list[Replace] = []
    seen: dict[tuple[str, str], Path] = {}
    held = 0
    for path in paths:
        size, rows, source = _file_rows(Path(path), model, benchmark)
        key = (size.model, size.benchmark)
        if key in seen:
            raise IngestError(f"{source}: model {key[0]!r}, benchmark {key[1]!r} also comes from {seen[key]}")
        seen[key] = source
        held += sum(_held_bytes(r) for r in rows)
        if held > MAX_BATCH_BYTES:
            raise IngestError(f"{source}: the files before it and it make more than {MAX_BATCH_BYTES / 2**20:g} MiB "
                              "of rows to hold at once; ingest them in several calls")
        results.append(size)
        replaces += rows
    batch = Batch(f"{len(results)} ingested file{'s' * (len(results) != 1)}", tuple(replaces))
    if whole or not Path(store).exists():
        build_store(store, batch)
    else:
        commit(store, batch)
    return results


def _held_bytes(replace: Replace) -> int:
    """What ``replace``'s rows take on their way into the store: the frame holds its key's names once, but the
    scan to DuckDB and DuckDB's rows copy them onto every row (128-character names on a file of empty probes
    took 160 bytes per byte of JSON)."""
    if not isinstance(replace.rows, pl.DataFrame):
        return 0
    return int(replace.rows.estimated_size()) + replace.height * sum(len(str(v).encode()) for v in replace.key.values())


def _file_rows(path: Path, model: str | None, benchmark: str | None) -> tuple[IngestedStore, tuple[Replace, ...], Path]:
    """One file's rows (its parsed objects freed on return), its size, and the path it was read from."""
    replay = read_autotts_json(path)
    default_model, default_benchmark = default_names(replay.path)
    m = check_name("model", model or default_model, replay.path)
    b = check_name("benchmark", benchmark or default_benchmark, replay.path)
    size, rows = replay_batch(replay, m, b)
    return size, rows, replay.path


def build_store(store: str | Path, batch: Batch) -> None:
    """Create ``store`` holding ``batch`` alone, replacing any file there whole; same batch, same bytes."""
    store = Path(store)
    store.parent.mkdir(parents=True, exist_ok=True)
    # DuckDB records the file's name in it: build under the final name, in a private folder beside it.
    folder = Path(tempfile.mkdtemp(prefix=f".{store.name}.", suffix=".tmp", dir=store.parent))
    try:
        built = folder / store.name
        con = open_store(built)
        try:
            con.execute("SET threads = 1")  # one writer thread: the same row layout on every build
            with transaction(con):
                batch.apply(con)
        finally:
            con.close()
        stamp_identifier(built)
        built.chmod(0o644)
        os.replace(built, store)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_replay(con: duckdb.DuckDBPyConnection, replay: ReplayFile, model: str, benchmark: str) -> IngestedStore:
    """Replace (model, benchmark) with ``replay`` on an open connection; the caller owns the transaction."""
    size, replaces = replay_batch(replay, model, benchmark)
    Batch(f"{model}/{benchmark}", replaces).apply(con)
    return size


def replay_batch(replay: ReplayFile, model: str, benchmark: str) -> tuple[IngestedStore, tuple[Replace, ...]]:
    """The rows of ``replay`` as (model, benchmark), replacing whatever the pair held; and their counts."""
    questions, branches, probes = _frames(replay, model, benchmark)
    source = pl.DataFrame({"model": [model], "benchmark": [benchmark], "source": [str(replay.path)],
                           "sha256": [replay.sha256], "n_questions": [len(replay.questions)]},
                          schema_overrides={"n_questions": pl.Int32})
    key = {"model": model, "benchmark": benchmark}
    rows = {"probes": probes, "branches": branches, "questions": questions, "sources": source}
    size = IngestedStore(model, benchmark, questions.height, branches.height, probes.height)
    return size, tuple(Replace(table, key, rows[table]) for table in _TRACE_TABLES)


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
