"""The paper's Table 1: its methods as evaluation requests, and its published figures."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from autotts.bundled import bundled_files
from autotts.evaluate.api import load_matrices
from autotts.evaluate.parallel import OnProgress, evaluate_configs
from autotts.evaluate.seeds import DEFAULT_SEEDS
from autotts.methods import PAPER_TABLE1, method_label, parse_label
from autotts.replay.matrix import list_stores
from autotts.results import Evaluation
from autotts.store.connection import open_store
from autotts.store.ingest import ingest_files
from autotts.store.results import record_evaluations

__all__ = ["REFERENCE_DIR", "evaluate_paper_table", "published_table"]

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"


def evaluate_paper_table(
    store: str | Path, *, seeds: int = DEFAULT_SEEDS, on_progress: OnProgress | None = None,
    on_ingest: Callable[[], object] | None = None,
) -> list[tuple[str, Evaluation]]:
    """Evaluate Table 1's methods (:data:`PAPER_TABLE1`) on every store and record them; ingest the bundled
    data first if the store has none (calling ``on_ingest`` before, so a user who mistyped the store hears
    of it). Returns (method label, evaluation) pairs, store by store."""
    con = open_store(store)
    try:
        empty = not list_stores(con)
    finally:
        con.close()
    if empty:
        if on_ingest is not None:
            on_ingest()
        ingest_files(bundled_files(), store)
    matrices = load_matrices(store)
    evaluations = evaluate_configs(matrices, PAPER_TABLE1, seeds=seeds, on_progress=on_progress)
    record_evaluations(store, evaluations)
    return list(zip([method_label(c) for c in PAPER_TABLE1] * len(matrices), evaluations, strict=True))


def published_table() -> dict[tuple[str, str, str], tuple[float, float]]:
    """(model, benchmark, method label) -> (accuracy, tokens in thousands), as published in the paper."""
    path = REFERENCE_DIR / "paper_table1.csv"
    if not path.exists():
        return {}
    with path.open() as fh:
        return {
            (r["model"], r["benchmark"], method_label(parse_label(r["method"]))): (float(r["accuracy"]),
                                                                                   float(r["tokens_k"]))
            for r in csv.DictReader(fh)
        }
