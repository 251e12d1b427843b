"""The evaluation tables every stage exchanges, and the stages' output writers.

Stage outputs go through :mod:`autotts.files`, so an interrupted stage never
leaves a half-written file that DVC or a later stage could mistake for a result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from autotts.files import atomic_path, atomic_write
from autotts.results import Evaluation

__all__ = [
    "EVAL_SCHEMA",
    "evaluation_frame",
    "write_json",
    "write_parquet",
]

# One row per evaluation: what ran (family, label, params), where, and its figures. The per-question
# means (over seeds) let the report put intervals on differences by resampling questions.
EVAL_SCHEMA: dict[str, Any] = {
    "model": pl.String,
    "benchmark": pl.String,
    "family": pl.String,
    "label": pl.String,
    "controller": pl.String,
    "params": pl.String,
    "budget": pl.Int64,
    "beta": pl.Float64,
    "seeds": pl.Int64,
    "accuracy": pl.Float64,
    "avg_tokens": pl.Float64,
    "avg_sequential_tokens": pl.Float64,
    "episodes": pl.Int64,
    "eval_id": pl.String,
    "q_correct": pl.List(pl.Float64),
    "q_tokens": pl.List(pl.Float64),
}


def evaluation_frame(rows: Sequence[tuple[str, str, int | None, Evaluation]]) -> pl.DataFrame:
    """``(family, label, budget, evaluation)`` tuples as a table in :data:`EVAL_SCHEMA`."""
    records = [
        {
            "model": ev.model,
            "benchmark": ev.benchmark,
            "family": family,
            "label": label,
            "controller": ev.controller,
            "params": json.dumps(ev.params, sort_keys=True, default=str),
            "budget": budget,
            "beta": ev.beta,
            "seeds": ev.seeds,
            "accuracy": ev.results.accuracy,
            "avg_tokens": ev.results.avg_tokens,
            "avg_sequential_tokens": ev.results.avg_sequential_tokens,
            "episodes": ev.results.episodes,
            "eval_id": ev.eval_id,
            "q_correct": ev.results.correct.mean(axis=0).tolist(),
            "q_tokens": ev.results.tokens.mean(axis=0).tolist(),
        }
        for family, label, budget, ev in rows
    ]
    return pl.DataFrame(records, schema=EVAL_SCHEMA)


def write_json(target: str | Path, data: Mapping[str, Any]) -> None:
    atomic_write(target, json.dumps(data, indent=2, sort_keys=True) + "\n")


def write_parquet(target: str | Path, frame: pl.DataFrame) -> None:
    with atomic_path(target) as tmp:
        frame.write_parquet(tmp)
