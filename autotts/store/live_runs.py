"""Recording live runs (a controller solving a benchmark on a real model) beside replay evaluations.

The ``live_*`` tables use the same model and benchmark names as the rollout
and replay tables, so one query puts a controller's live accuracy, tokens and
latency next to what replay predicted for it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from autotts.store.connection import transaction

if TYPE_CHECKING:
    from autotts.live.solve import LiveRun

__all__ = ["record_live_run"]

_RUN_COLUMNS = (
    "run_id",
    "model",
    "benchmark",
    "model_path",
    "model_revision",
    "backend",
    "controller",
    "controller_hash",
    "params",
    "beta",
    "sampling",
    "concurrency",
    "questions",
    "accuracy",
    "avg_tokens",
    "avg_probe_tokens",
    "tokens_per_s",
    "latency_p50_s",
    "latency_p95_s",
    "seconds",
    "errors",
    "created_at",
    "origin",
    "read_ahead",
)
_EVENT_COLUMNS = ["run_id", "question_idx", "step", "action", "branch", "depth", "answer", "finished", "cost"]


def record_live_run(con: duckdb.DuckDBPyConnection, run: LiveRun) -> None:
    """Write the run, its questions and their actions in one transaction."""
    with transaction(con):
        con.execute(
            f"INSERT INTO live_runs ({', '.join(_RUN_COLUMNS)}) VALUES ({', '.join('?' * len(_RUN_COLUMNS))})",
            [
                run.run_id,
                run.model,
                run.benchmark,
                run.model_path,
                run.model_revision,
                run.backend,
                run.controller,
                run.controller_hash,
                json.dumps(dict(run.params), sort_keys=True, default=str),
                run.beta,
                json.dumps(run.config.as_dict(), sort_keys=True),
                run.concurrency,
                len(run.questions),
                run.accuracy,
                run.avg_tokens,
                run.avg_probe_tokens,
                run.tokens_per_second,
                run.latency(50),
                run.latency(95),
                run.seconds,
                run.errors,
                datetime.now(UTC),
                run.origin,
                run.read_ahead,
            ],
        )
        questions = pl.DataFrame(
            [
                {
                    "run_id": run.run_id,
                    "question_idx": q.question_idx,
                    "question_id": q.question_id,
                    "answer": q.answer,
                    "correct": q.correct,
                    "tokens": q.sample_tokens,
                    "sequential_tokens": q.sequential_tokens,
                    "probe_tokens": q.probe_tokens,
                    "probes": q.probes,
                    "prompt_tokens": q.prompt_tokens,
                    "cached_tokens": q.cached_tokens,
                    "branches_opened": q.branches_opened,
                    "branches_pruned": q.branches_pruned,
                    "seconds": q.seconds,
                    "error": q.error,
                    "speculative_tokens": q.speculative_tokens,
                }
                for q in run.questions
            ],
            schema_overrides={
                "question_id": pl.String,
                "answer": pl.String,
                "cached_tokens": pl.Int64,
                "error": pl.String,
            },
        )
        con.register("live_questions_df", questions)
        con.execute("INSERT INTO live_questions BY NAME SELECT * FROM live_questions_df")
        con.unregister("live_questions_df")
        rows = [
            (run.run_id, q.question_idx, step, *event) for q in run.questions for step, event in enumerate(q.events)
        ]
        if rows:
            events = pl.DataFrame(rows, schema=_EVENT_COLUMNS, orient="row")
            con.register("live_events_df", events)
            con.execute("INSERT INTO live_events BY NAME SELECT * FROM live_events_df")
            con.unregister("live_events_df")
