"""The paper's Table 1: its methods as evaluation requests, and its published figures."""

from __future__ import annotations

import csv
from pathlib import Path

from autotts.bundled import bundled_files
from autotts.evaluate.api import load_matrices
from autotts.evaluate.parallel import EvalConfig, OnProgress, evaluate_configs
from autotts.evaluate.results import Evaluation
from autotts.evaluate.seeds import DEFAULT_SEEDS
from autotts.replay.matrix import list_stores
from autotts.store.connection import open_store
from autotts.store.ingest import ingest_files
from autotts.store.results import record_evaluations

__all__ = ["PAPER_METHODS", "REFERENCE_DIR", "evaluate_paper_table", "published_table"]

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"

# Table 1's method labels -> (controller, params, beta)
PAPER_METHODS: dict[str, tuple[str, dict[str, int], float | None]] = {
    "SC@64": ("sc", {"k": 64}, None),
    "ASC": ("asc", {"k": 64}, None),
    "ESC": ("esc", {"k": 64}, None),
    "Parallel-Probe": ("parallel-probe", {"n": 64}, None),
    "CMC(beta=0.5)": ("cmc", {}, 0.5),
    "CMC(beta=1.0)": ("cmc", {}, 1.0),
}


def evaluate_paper_table(
    store: str | Path, *, seeds: int = DEFAULT_SEEDS, on_progress: OnProgress | None = None
) -> list[tuple[str, Evaluation]]:
    """Evaluate Table 1's methods on every store and record them; ingest the bundled data first
    if the store has none. Returns (method label, evaluation) pairs, store by store."""
    con = open_store(store)
    try:
        empty = not list_stores(con)
    finally:
        con.close()
    if empty:
        ingest_files(bundled_files(), store)
    matrices = load_matrices(store)
    configs = [EvalConfig(controller, params, beta) for controller, params, beta in PAPER_METHODS.values()]
    evaluations = evaluate_configs(matrices, configs, seeds=seeds, on_progress=on_progress)
    con = open_store(store)
    try:
        record_evaluations(con, evaluations)
    finally:
        con.close()
    return list(zip(list(PAPER_METHODS) * len(matrices), evaluations, strict=True))


def published_table() -> dict[tuple[str, str, str], tuple[float, float]]:
    """(model, benchmark, method) -> (accuracy, tokens in thousands), as published in the paper."""
    path = REFERENCE_DIR / "paper_table1.csv"
    if not path.exists():
        return {}
    with path.open() as fh:
        return {
            (r["model"], r["benchmark"], r["method"]): (float(r["accuracy"]), float(r["tokens_k"]))
            for r in csv.DictReader(fh)
        }
