"""Recording evaluations (figures, episodes, trace events) in the store."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

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
    """The evaluation's three tables as NumPy columns: recording needs no dataframe library (polars alone
    would cost a one-store ``autotts eval`` a third of its CPU)."""
    key = {"eval_id": ev.eval_id}
    r = ev.results
    figures = {name: np.array([value], dtype=object) for name, value in {
        "eval_id": ev.eval_id, "model": ev.model, "benchmark": ev.benchmark, "controller": ev.controller,
        "controller_hash": ev.controller_hash, "params": json.dumps(ev.params, sort_keys=True),
        "beta": None if ev.beta is None else float(ev.beta), "seeds": ev.seeds, "accuracy": r.accuracy,
        "avg_tokens": r.avg_tokens, "avg_sequential_tokens": r.avg_sequential_tokens, "episodes": r.episodes,
        "created_at": datetime.now(UTC), "origin": ev.origin,
    }.items()}
    seeds, questions = r.tokens.shape
    episodes = {
        "eval_id": np.full(seeds * questions, ev.eval_id, dtype=object),
        "seed": np.repeat(np.arange(seeds), questions),
        "question_idx": np.tile(np.arange(questions), seeds),
        "answer": np.array([None if a is None else str(a) for a in r.answers.ravel().tolist()], dtype=object),
        "correct": r.correct.ravel(),
        "tokens": r.tokens.ravel(),
        "sequential_tokens": r.sequential_tokens.ravel(),
        "branches_opened": r.branches_opened.ravel(),
    }
    rows = [
        (ev.eval_id, seed, q, step, *event)
        for (seed, q), events in sorted(r.traces.items())
        for step, event in enumerate(events)
    ]
    columns = zip(_EVENT_COLUMNS, zip(*rows, strict=True), strict=True)
    events = {name: np.array(column, dtype=object) for name, column in columns} if rows else None
    return [Replace("trace_events", key, events), Replace("episodes", key, episodes),
            Replace("evaluations", key, figures)]
