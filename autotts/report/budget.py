"""The discovered controller's budget sweep against CMC at full budget and SC at its largest budget.

For each beta of the sweep, on one benchmark and averaged over models: its
accuracy and tokens, the accuracy difference to each reference with a 90%
interval, and the share of the reference's tokens it spends. Every figure comes
from the same questions and seeds, so the intervals come from a paired bootstrap
over questions (resampled per model, the same draw for both sides), as the
selection's comparisons do: on 30 questions a point or two is often noise, and
the interval says when it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from autotts.report.tables import Table

__all__ = ["BudgetRow", "Interval", "Reference", "budget_rows", "budget_table", "budget_verdicts"]

DRAWS = 2000
LEVEL = 90  # percent


@dataclass(frozen=True, slots=True)
class Interval:
    """A figure and its bootstrap interval."""

    value: float
    low: float
    high: float

    def excludes(self, point: float) -> bool:
        return not self.low <= point <= self.high


@dataclass(frozen=True, slots=True)
class Reference:
    """A method the sweep is held against, by its label in the evaluation tables."""

    label: str
    accuracy: float  # mean over models, %
    tokens_k: float


@dataclass(frozen=True, slots=True)
class BudgetRow:
    """The discovered controller at one beta, beside each reference."""

    beta: float
    accuracy: float  # mean over models, %
    tokens_k: float
    gain: tuple[Interval, ...]  # accuracy points minus each reference's
    token_share: tuple[Interval, ...]  # its tokens / each reference's


@dataclass(frozen=True, slots=True)
class _Method:
    """Per model: the per-question means over seeds, questions in store order."""

    correct: tuple[np.ndarray, ...]
    tokens: tuple[np.ndarray, ...]

    @property
    def accuracy(self) -> float:
        return float(np.mean([c.mean() for c in self.correct]) * 100)

    @property
    def tokens_k(self) -> float:
        return float(np.mean([t.mean() for t in self.tokens]) / 1000)


def budget_rows(
    evaluations: pl.DataFrame, benchmark: str, models: Sequence[str], sweep: Sequence[tuple[float, str]],
    references: Sequence[str], *, seed: int = 0,
) -> tuple[list[Reference], list[BudgetRow]]:
    """The references' figures and one row per ``(beta, label)`` of ``sweep``, on ``benchmark``.

    Only models with every method evaluated count, so each mean covers the same models.
    """
    labels = [label for _, label in sweep] + list(references)
    rows = evaluations.filter((pl.col("benchmark") == benchmark) & pl.col("label").is_in(labels))
    have = {(r["model"], r["label"]) for r in rows.select("model", "label").iter_rows(named=True)}
    used = [m for m in models if all((m, label) in have for label in labels)]
    if not used:
        return [], []
    methods = {label: _method(rows, label, used) for label in labels}
    refs = [Reference(label, methods[label].accuracy, methods[label].tokens_k) for label in references]
    out = []
    for beta, label in sweep:
        ours = methods[label]
        pairs = [_paired(ours, methods[ref], seed=seed) for ref in references]
        gains, shares = zip(*pairs, strict=True)
        out.append(BudgetRow(beta, ours.accuracy, ours.tokens_k, tuple(gains), tuple(shares)))
    return refs, out


def budget_table(references: Sequence[Reference], rows: Sequence[BudgetRow]) -> Table:
    """References first, then the sweep; per reference: accuracy difference and token share, each with its
    interval in parentheses."""
    header = ["Method", "accuracy %", "tokens k"]
    for ref in references:
        header += [f"accuracy vs {ref.label} (points)", f"tokens / {ref.label}"]
    blank = ("",) * (2 * len(references))
    body = [(ref.label, f"{ref.accuracy:.2f}", f"{ref.tokens_k:.1f}", *blank) for ref in references]
    for row in rows:
        cells = [f"Discovered(beta={row.beta:g})", f"{row.accuracy:.2f}", f"{row.tokens_k:.1f}"]
        for gain, share in zip(row.gain, row.token_share, strict=True):
            cells += [f"{gain.value:+.2f} ({gain.low:+.2f} .. {gain.high:+.2f})",
                      f"{share.value:.0%} ({share.low:.0%} .. {share.high:.0%})"]
        body.append(tuple(cells))
    return Table(tuple(header), tuple(body), label_columns=1)


def budget_verdicts(references: Sequence[Reference], rows: Sequence[BudgetRow], *, token_bar: Sequence[float]
                    ) -> list[str]:
    """Per reference, in words: the bar (its accuracy, with fewer tokens than ``token_bar`` of its own, or at
    most that share), whether the sweep clears it and where, and whether the difference is more than noise."""
    out = []
    for i, (ref, bar) in enumerate(zip(references, token_bar, strict=True)):
        spend = "fewer tokens" if bar >= 1 else f"at most {bar:.0%} of its tokens"
        head = (f"Against {ref.label} ({ref.accuracy:.2f}% at {ref.tokens_k:,.1f}k tokens; the bar: its accuracy "
                f"with {spend})")
        reaching = sorted((r for r in rows if r.gain[i].value >= 0), key=lambda r: r.tokens_k)
        if not reaching:
            best = max(rows, key=lambda r: r.gain[i].value)
            out.append(f"{head}: not met, no beta reaches its accuracy; the closest, beta={best.beta:g}, is "
                       f"{_points(best.gain[i])}.")
            continue
        hit = reaching[0]
        share = hit.token_share[i]
        met = share.value < bar if bar >= 1 else share.value <= bar
        out.append(f"{head}: {'met' if met else 'not met'}; the cheapest beta reaching its accuracy, "
                   f"beta={hit.beta:g}, gives {hit.accuracy:.2f}% ({_points(hit.gain[i])}) with {share.value:.0%} "
                   f"of its tokens ({LEVEL}% interval {share.low:.0%} .. {share.high:.0%}).")
    return out


def _points(gain: Interval) -> str:
    """An accuracy difference, its interval, and what the interval says."""
    if gain.low == gain.high == 0:
        return "+0.00 points: the same accuracy on every question"
    verdict = ("a gain the interval confirms" if gain.low > 0 else "a loss the interval confirms" if gain.high < 0
               else "within noise: the interval includes zero")
    return f"{gain.value:+.2f} points, {LEVEL}% interval {gain.low:+.2f} .. {gain.high:+.2f}, {verdict}"


def _method(rows: pl.DataFrame, label: str, models: Sequence[str]) -> _Method:
    mine = {r["model"]: r for r in rows.filter(pl.col("label") == label).iter_rows(named=True)}
    return _Method(tuple(np.asarray(mine[m]["q_correct"], dtype=float) for m in models),
                   tuple(np.asarray(mine[m]["q_tokens"], dtype=float) for m in models))


def _paired(ours: _Method, ref: _Method, *, seed: int) -> tuple[Interval, Interval]:
    """(accuracy difference in points, token share), each with its paired-bootstrap interval."""
    rng = np.random.default_rng(seed)
    gains = np.zeros(DRAWS)
    our_tokens, ref_tokens = np.zeros(DRAWS), np.zeros(DRAWS)
    for a_correct, a_tokens, b_correct, b_tokens in zip(ours.correct, ours.tokens, ref.correct, ref.tokens,
                                                        strict=True):
        idx = rng.integers(0, len(a_correct), (DRAWS, len(a_correct)))
        gains += (a_correct[idx].mean(axis=1) - b_correct[idx].mean(axis=1)) * 100
        our_tokens += a_tokens[idx].mean(axis=1)
        ref_tokens += b_tokens[idx].mean(axis=1)
    n = len(ours.correct)
    tail = (100 - LEVEL) / 2
    gain = Interval(ours.accuracy - ref.accuracy, *_percentiles(gains / n, tail))
    share = Interval(ours.tokens_k / ref.tokens_k, *_percentiles(our_tokens / ref_tokens, tail))
    return gain, share


def _percentiles(draws: np.ndarray, tail: float) -> tuple[float, float]:
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high)
