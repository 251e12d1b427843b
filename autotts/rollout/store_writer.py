"""Recording a rollout in the store, one finished question per transaction.

The replay tables (questions, branches, probes, sources) are written by the
ingest code, from a :class:`ReplayFile` of every finished question, so a
rolled-out store and an ingested one cannot differ in shape. The rollout's own
tables keep what the release format drops: trace text, token counts, seeds and
the run's settings. Questions finish in benchmark order, so the finished ones
are always a prefix and a resumed run starts at the first missing one.
Rewriting the pair on every question costs rows squared over a run; at
release sizes (30 questions x 128 branches x 80 probes) that is seconds next
to hours of generation, and it keeps the store replayable at every moment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from autotts.errors import RolloutError
from autotts.rollout.protocol import QuestionRollout
from autotts.store.autotts_json import ReplayFile
from autotts.store.connection import transaction
from autotts.store.export import read_replay
from autotts.store.ingest import write_replay

__all__ = ["RunRecord", "record_question", "start_run"]


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What identifies a rollout: resuming under different settings would mix two samples."""

    model: str
    benchmark: str
    model_path: str
    model_revision: str
    backend: str
    sampling: dict
    benchmark_file: Path
    benchmark_sha256: str
    n_questions: int


def start_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> int:
    """Record the run (or check it matches the recorded one) and return how many questions are done."""
    key = [run.model, run.benchmark]
    done = con.execute("SELECT count(*) FROM rollout_questions WHERE model = ? AND benchmark = ?", key).fetchone()
    assert done is not None
    if done[0] == 0:
        # Nothing was generated under the recorded settings (say the backend failed to load): they bind nothing.
        con.execute("DELETE FROM rollout_runs WHERE model = ? AND benchmark = ?", key)
        if con.execute("SELECT count(*) FROM sources WHERE model = ? AND benchmark = ?", key).fetchone() != (0,):
            raise RolloutError(
                f"model {run.model!r}, benchmark {run.benchmark!r}: the store holds ingested traces under these names; "
                "choose other names (--model-name/--benchmark-name)"
            )
        con.execute(
            "INSERT INTO rollout_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                *key,
                run.model_path,
                run.model_revision,
                run.backend,
                json.dumps(run.sampling, sort_keys=True),
                str(run.benchmark_file),
                run.benchmark_sha256,
                run.n_questions,
                datetime.now(UTC),
            ],
        )
        return 0
    row = con.execute(
        "SELECT model_path, model_revision, backend, sampling, benchmark_sha256 FROM rollout_runs "
        "WHERE model = ? AND benchmark = ?",
        key,
    ).fetchone()
    assert row is not None, "finished questions always have their run recorded"
    recorded = {
        "model_path": row[0],
        "model_revision": row[1],
        "backend": row[2],
        "sampling": json.loads(row[3]),
        "benchmark_sha256": row[4],
    }
    for name, value in recorded.items():
        if value != getattr(run, name):
            raise RolloutError(
                f"model {run.model!r}, benchmark {run.benchmark!r}: the store's rollout used {name} {value!r}, "
                f"this run {getattr(run, name)!r}; resume with the same settings or choose other names"
            )
    return int(done[0])


def record_question(con: duckdb.DuckDBPyConnection, run: RunRecord, result: QuestionRollout) -> None:
    """Add one finished question to the store atomically: all of its rows, or none."""
    key = {"model": run.model, "benchmark": run.benchmark}
    traces = pl.DataFrame(
        {
            "question_idx": [result.question_idx] * len(result.traces),
            "branch_idx": list(range(len(result.traces))),
            "text": [t.text for t in result.traces],
            "tokens": [len(t.token_ids) for t in result.traces],
            "finish_reason": [t.finish_reason for t in result.traces],
            "seed": list(result.seeds),
        },
        schema={
            "question_idx": pl.Int32,
            "branch_idx": pl.Int32,
            "text": pl.String,
            "tokens": pl.Int64,
            "finish_reason": pl.String,
            "seed": pl.Int64,
        },
    ).with_columns(**{k: pl.lit(v) for k, v in key.items()})
    with transaction(con):
        done = read_replay(con, run.model, run.benchmark)
        assert len(done) == result.question_idx, "questions must be recorded in benchmark order"
        con.execute(
            "INSERT INTO rollout_questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.model,
                run.benchmark,
                result.question_idx,
                result.item.id,
                result.prompt_tokens,
                result.generated_tokens,
                result.probe_prompt_tokens,
                result.probe_cached_tokens,
                result.seconds,
                datetime.now(UTC),
            ],
        )
        con.register("rollout_traces_df", traces)
        con.execute("INSERT INTO rollout_traces BY NAME SELECT * FROM rollout_traces_df")
        con.unregister("rollout_traces_df")
        replay = ReplayFile(path=run.benchmark_file, sha256=run.benchmark_sha256, questions=(*done, result.stored))
        write_replay(con, replay, run.model, run.benchmark)
