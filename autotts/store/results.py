"""Recording evaluations (figures, episodes, trace events) in the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import polars as pl

from autotts.results import Evaluation
from autotts.store.connection import transaction

__all__ = ["record_evaluations"]


def record_evaluations(con: duckdb.DuckDBPyConnection, evaluations: list[Evaluation]) -> None:
    """Write (or replace, by eval_id) every evaluation in one transaction."""
    with transaction(con):
        for ev in evaluations:
            _record(con, ev)


def _record(con: duckdb.DuckDBPyConnection, ev: Evaluation) -> None:
    for table in ("trace_events", "episodes", "evaluations"):
        con.execute(f"DELETE FROM {table} WHERE eval_id = ?", [ev.eval_id])
    r = ev.results
    con.execute(
        "INSERT INTO evaluations (eval_id, model, benchmark, controller, controller_hash, params, beta, seeds, "
        "accuracy, avg_tokens, avg_sequential_tokens, episodes, created_at, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ev.eval_id,
            ev.model,
            ev.benchmark,
            ev.controller,
            ev.controller_hash,
            json.dumps(ev.params, sort_keys=True),
            ev.beta,
            ev.seeds,
            r.accuracy,
            r.avg_tokens,
            r.avg_sequential_tokens,
            r.episodes,
            datetime.now(UTC),
            ev.origin,
        ],
    )
    seeds, questions = r.tokens.shape
    episodes = pl.DataFrame(
        {
            "eval_id": [ev.eval_id] * (seeds * questions),
            "seed": [s for s in range(seeds) for _ in range(questions)],
            "question_idx": list(range(questions)) * seeds,
            "answer": r.answers.ravel().tolist(),
            "correct": r.correct.ravel(),
            "tokens": r.tokens.ravel(),
            "sequential_tokens": r.sequential_tokens.ravel(),
            "branches_opened": r.branches_opened.ravel(),
        },
        schema_overrides={"answer": pl.String},
    )
    con.register("episodes_df", episodes)
    con.execute("INSERT INTO episodes BY NAME SELECT * FROM episodes_df")
    con.unregister("episodes_df")
    rows = [
        (ev.eval_id, seed, q, step, *event)
        for (seed, q), events in sorted(r.traces.items())
        for step, event in enumerate(events)
    ]
    if rows:
        columns = ["eval_id", "seed", "question_idx", "step", "action", "branch", "depth", "answer", "finished", "cost"]
        events = pl.DataFrame(rows, schema=columns, orient="row")
        con.register("events_df", events)
        con.execute("INSERT INTO trace_events BY NAME SELECT * FROM events_df")
        con.unregister("events_df")
