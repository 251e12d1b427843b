"""Recording evaluations (figures, episodes, trace events) in the store."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from autotts.results import Evaluation
from autotts.store.batch import Batch, Replace, commit

__all__ = ["evaluation_batch", "record_evaluations"]

_EVENT_COLUMNS = ["eval_id", "seed", "question_idx", "step", "action", "branch", "depth", "answer", "finished", "cost"]


def record_evaluations(store: str | Path, evaluations: Sequence[Evaluation]) -> None:
    """Write (or replace, by eval_id) every evaluation in one short transaction, once they are all computed."""
    commit(store, evaluation_batch(evaluations))


def evaluation_batch(evaluations: Sequence[Evaluation]) -> Batch:
    """The rows of ``evaluations``, each replacing any earlier record with its eval_id."""
    what = f"{len(evaluations)} evaluation{'s' * (len(evaluations) != 1)}"
    return Batch(what, tuple(r for ev in evaluations for r in _replaces(ev)))


def _replaces(ev: Evaluation) -> list[Replace]:
    import polars as pl  # only a recording process pays for polars (``eval --no-record`` never loads it)

    key = {"eval_id": ev.eval_id}
    r = ev.results
    figures = pl.DataFrame([{
        "eval_id": ev.eval_id, "model": ev.model, "benchmark": ev.benchmark, "controller": ev.controller,
        "controller_hash": ev.controller_hash, "params": json.dumps(ev.params, sort_keys=True), "beta": ev.beta,
        "seeds": ev.seeds, "accuracy": r.accuracy, "avg_tokens": r.avg_tokens,
        "avg_sequential_tokens": r.avg_sequential_tokens, "episodes": r.episodes, "created_at": datetime.now(UTC),
        "origin": ev.origin,
    }], schema_overrides={"beta": pl.Float64})
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
    rows = [
        (ev.eval_id, seed, q, step, *event)
        for (seed, q), events in sorted(r.traces.items())
        for step, event in enumerate(events)
    ]
    events = pl.DataFrame(rows, schema=_EVENT_COLUMNS, orient="row") if rows else None
    return [Replace("trace_events", key, events), Replace("episodes", key, episodes),
            Replace("evaluations", key, figures)]
