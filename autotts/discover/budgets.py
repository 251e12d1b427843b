"""Accuracy at matched token budgets, and a paired bootstrap of one controller's gain over another's there.

A controller with a budget knob gives a curve of (average tokens, accuracy)
points, one per beta. At a budget of ``B`` tokens a user can get any
point costing at most ``B``, and, by drawing between two betas question by
question, any mixture of two points: the attainable accuracy at ``B`` is the
upper concave hull of the points, read at ``B``, held flat past the dearest
point and undefined below the cheapest. Curves are the mean over models at
each beta (one beta serves every model). Two controllers replayed on the
same seeds and questions are compared by resampling questions: the same
draw of question indices for both, and for every model, since the models
answered the same problems.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from autotts.controllers.base import Controller
from autotts.evaluate.runner import run_episodes
from autotts.replay.matrix import ReplayMatrix
from autotts.results import EpisodeResults

__all__ = ["BUDGETS", "BudgetRow", "Sweep", "attainable", "budget_table", "render_budget_table", "sweep",
           "sweep_of"]

BUDGETS = (100_000, 150_000, 250_000, 350_000, 500_000, 650_000)  # tokens per question


@dataclass(frozen=True, eq=False)
class Sweep:
    """A controller's per-question figures over a beta sweep, ``[models, betas, questions]`` each."""

    models: tuple[str, ...]
    betas: tuple[float, ...]
    correct: np.ndarray  # fraction of seeds right
    tokens: np.ndarray  # mean tokens over seeds

    def mean_curve(self, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(tokens, accuracy %)`` per beta, means over models and (``weights``-resampled) questions;
        with ``weights`` of shape ``[draws, questions]``, one curve per draw."""
        correct, tokens = self.correct.mean(axis=0), self.tokens.mean(axis=0)  # [betas, questions]
        if weights is None:
            return tokens.mean(axis=1), correct.mean(axis=1) * 100
        n = weights.sum(axis=1, keepdims=True)
        return weights @ tokens.T / n, weights @ correct.T / n * 100


def sweep(matrices: Sequence[ReplayMatrix], build: Callable[[float], Controller], betas: Sequence[float], *,
          seeds: int, trace_seeds: int = 1) -> Sweep:
    """Replay ``build(beta)`` at every beta on every matrix (fast paths checked against ``solve`` on the traced
    seeds, as :func:`run_episodes` does)."""
    return sweep_of(matrices, betas, [run_episodes(matrix, build(beta), seeds=seeds, trace_seeds=trace_seeds)
                                      for matrix in matrices for beta in betas])


def sweep_of(matrices: Sequence[ReplayMatrix], betas: Sequence[float], results: Sequence[EpisodeResults]) -> Sweep:
    """The sweep made of ``results``, one per matrix and beta, matrix-major (replayed here or in the sandbox)."""
    correct = np.zeros((len(matrices), len(betas), matrices[0].n_questions))
    tokens = np.zeros_like(correct)
    for i, r in enumerate(results):
        m, b = divmod(i, len(betas))
        correct[m, b] = r.correct.mean(axis=0)
        tokens[m, b] = r.tokens.mean(axis=0)
    return Sweep(tuple(m.model for m in matrices), tuple(betas), correct, tokens)


def attainable(tokens: np.ndarray, accuracy: np.ndarray, budget: float) -> np.ndarray:
    """The upper concave hull of the points ``(tokens, accuracy)`` (last axis) at ``budget``: the best accuracy
    of a point, or of a mixture of two, costing at most ``budget``; NaN where every point costs more."""
    tokens, accuracy = np.atleast_2d(tokens), np.atleast_2d(accuracy)
    within = tokens <= budget
    best = np.where(within, accuracy, -np.inf).max(axis=-1)
    n = tokens.shape[-1]
    for i in range(n):
        for j in range(n):
            lo_t, hi_t = tokens[..., i], tokens[..., j]
            spans = (lo_t < budget) & (hi_t > budget)
            share = np.where(spans, (budget - lo_t) / np.where(spans, hi_t - lo_t, 1.0), 0.0)
            mixed = accuracy[..., i] + share * (accuracy[..., j] - accuracy[..., i])
            best = np.where(spans, np.maximum(best, mixed), best)
    return np.where(np.isfinite(best), best, np.nan)


@dataclass(frozen=True, slots=True)
class BudgetRow:
    """One budget of the table: both accuracies (model mean, %), the gain and its paired-bootstrap interval."""

    budget: float
    ours: float  # NaN: no point of ours costs this little
    theirs: float
    gain: float
    low: float  # 2.5th percentile of the resampled gain
    high: float  # 97.5th percentile
    p_better: float  # share of resamples where ours is higher

    @property
    def significant(self) -> bool:
        """The 95% interval excludes zero."""
        return bool(self.low > 0 or self.high < 0)


def budget_table(ours: Sweep, theirs: Sweep, budgets: Sequence[float] = BUDGETS, *, draws: int = 2000,
                 seed: int = 0) -> list[BudgetRow]:
    """``ours`` against ``theirs`` at each budget, with a 95% paired bootstrap over questions."""
    if ours.correct.shape[::2] != theirs.correct.shape[::2]:
        raise ValueError("the two sweeps must cover the same models and questions")
    n_questions = ours.correct.shape[2]
    rng = np.random.default_rng(seed)
    weights = np.stack([np.bincount(rng.integers(0, n_questions, n_questions), minlength=n_questions)
                        for _ in range(draws)]).astype(float)
    rows = []
    for budget in budgets:
        mine, other = attainable(*ours.mean_curve(), budget)[0], attainable(*theirs.mean_curve(), budget)[0]
        diffs = attainable(*ours.mean_curve(weights), budget) - attainable(*theirs.mean_curve(weights), budget)
        low, high = (np.nanpercentile(diffs, [2.5, 97.5]) if np.isfinite(diffs).any() else (np.nan, np.nan))
        rows.append(BudgetRow(float(budget), float(mine), float(other), float(mine - other), float(low), float(high),
                              float(np.mean(diffs > 0))))
    return rows


def render_budget_table(rows: Sequence[BudgetRow], ours: str = "winner", theirs: str = "CMC") -> str:
    """The table as text: one line per budget, gains in points with their 95% intervals."""
    lines = [f"{'budget':>8}  {ours:>8}  {theirs:>8}  {'gain':>7}  95% interval      significant"]
    for r in rows:
        if np.isnan(r.ours) or np.isnan(r.theirs):
            missing = ours if np.isnan(r.ours) else theirs
            lines.append(f"{r.budget / 1000:7.0f}k  {r.ours:8.2f}  {r.theirs:8.2f}  {'-':>7}  ({missing} has no point "
                         "this cheap)")
            continue
        lines.append(f"{r.budget / 1000:7.0f}k  {r.ours:8.2f}  {r.theirs:8.2f}  {r.gain:+7.2f}  "
                     f"[{r.low:+.2f}, {r.high:+.2f}]  {'yes' if r.significant else 'no'}")
    return "\n".join(lines)
