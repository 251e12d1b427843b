"""Atomic output writing and the evaluation tables every stage exchanges.

Stage outputs are written under a temporary name next to their target and
renamed into place, so an interrupted stage never leaves a half-written file
that DVC or a later stage could mistake for a result.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from autotts.evaluate.results import Evaluation

__all__ = [
    "EVAL_SCHEMA",
    "atomic_dir",
    "atomic_path",
    "evaluation_frame",
    "write_json",
    "write_parquet",
    "write_text",
]

# One row per evaluation: what ran (family, label, params), where, and its figures.
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
        }
        for family, label, budget, ev in rows
    ]
    return pl.DataFrame(records, schema=EVAL_SCHEMA)


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; on success it replaces ``target`` whole."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the result is an ordinary folder
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old)
        else:
            os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_text(target: str | Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text)


def write_json(target: str | Path, data: Mapping[str, Any]) -> None:
    write_text(target, json.dumps(data, indent=2, sort_keys=True) + "\n")


def write_parquet(target: str | Path, frame: pl.DataFrame) -> None:
    with atomic_path(target) as tmp:
        frame.write_parquet(tmp)
