"""The paper's Table 1: its methods as evaluation requests, its published figures, and where ours differ."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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

__all__ = [
    "PAPER_SEEDS", "PAPER_TOLERANCE", "REFERENCE_DIR", "Figures", "Mismatch", "compare_with_paper", "differs",
    "evaluate_paper_table", "not_compared", "published_table", "summarize_mismatches",
]

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
PAPER_SEEDS = DEFAULT_SEEDS  # branch orders per question in the paper's protocol: only such figures are compared

Figures = Mapping[tuple[str, str, str], tuple[float, float]]  # (model, benchmark, label) -> (acc %, kilo-tokens)

# How far our figure may sit from the paper's before it is flagged: just beyond the paper's own rounding
# (accuracy to 0.1 points, tokens to 0.1k of a few hundred k). Replay of the same traces on the same 100
# seeds agrees to that rounding, so a flag means a different protocol, data or controller.
PAPER_TOLERANCE = (0.06, 0.001)  # (accuracy points, relative tokens)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One Table 1 figure where ours and the paper's differ by more than :data:`PAPER_TOLERANCE`."""

    model: str
    benchmark: str
    label: str
    figure: str  # "accuracy" | "tokens"
    ours: float
    paper: float

    def describe(self) -> str:
        if self.figure == "accuracy":
            return f"accuracy {self.ours:.2f}% vs the paper's {self.paper:.1f}% ({self.ours - self.paper:+.2f} points)"
        return (f"tokens {self.ours:,.1f}k vs the paper's {self.paper:,.1f}k "
                f"({self.ours / self.paper - 1:+.1%})")


def differs(ours: float, paper: float, figure: int) -> bool:
    """Whether figure ``figure`` (0: accuracy %, 1: kilo-tokens) of ours is beyond the paper's rounding."""
    accuracy_points, token_share = PAPER_TOLERANCE
    return abs(ours - paper) > accuracy_points if figure == 0 else abs(ours / paper - 1) > token_share


def compare_with_paper(ours: Figures, published: Figures) -> list[Mismatch]:
    """Every (model, benchmark, method, figure) where ours and the paper's differ beyond the tolerance."""
    out = []
    for (model, benchmark, label), figures in sorted(ours.items()):
        ref = published.get((model, benchmark, label))
        for i, figure in ((0, "accuracy"), (1, "tokens")):
            if ref is not None and differs(figures[i], ref[i], i):
                out.append(Mismatch(model, benchmark, label, figure, figures[i], ref[i]))
    return out


def summarize_mismatches(mismatches: Sequence[Mismatch], *, lines: bool = False) -> str:
    """What a reader is told of the comparison: every figure that differs, or that none does; in one sentence
    (a report's paragraph), or with ``lines`` one figure a line (a terminal)."""
    if not mismatches:
        return "Every figure the paper reports agrees with ours to its rounding."
    head = f"{len(mismatches)} figure(s) differ from the paper's beyond its rounding:"
    items = [f"{m.model} {m.label} on {m.benchmark}, {m.describe()}" for m in mismatches]
    return "\n  ".join([head, *items]) if lines else f"{head} {'; '.join(items)}."


def not_compared(seeds: Sequence[int]) -> str:
    """Why figures on other seed counts are not set against the paper's."""
    return (f"Not compared with the paper: these figures use {', '.join(map(str, seeds))} seed(s) per question; "
            f"the paper's use {PAPER_SEEDS}.")


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
