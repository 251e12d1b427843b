"""Named objectives over a candidate's scaling curves, the beta check, and how sure a pick is.

Objectives score the per-model curves (accuracy and average tokens at each
beta of the sweep): ``accuracy`` and ``penalized`` per model, then the mean;
``frontier`` and ``budgets`` the mean curve over models, as one beta serves
them all.
Because every candidate is replayed on the same seeds and questions, two
candidates can be compared by a paired bootstrap over questions: resample
question indices once per draw, recompute both curves from their
per-question figures, and count how often the pick still wins.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from autotts.discover.budgets import BUDGETS, attainable
from autotts.errors import ConfigError
from autotts.rules import TOKEN_TOLERANCE, first_token_drop

__all__ = [
    "Comparison",
    "CurvePoint",
    "Objective",
    "as_curves",
    "build_objective",
    "compare",
    "monotone_violation",
    "rank_finalists",
    "registered_objectives",
]


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """A candidate's figures on one search model at one beta, with the per-question means behind them."""

    model: str
    beta: float
    accuracy: float  # percent
    avg_tokens: float
    q_correct: tuple[float, ...]  # per question: fraction of seeds right
    q_tokens: tuple[float, ...]  # per question: mean tokens over seeds
    avg_opened: float = 0.0  # branches opened per episode
    avg_sequential: float = 0.0  # tokens of the deepest branch per episode: the wall-clock cost in parallel


Curves = Mapping[str, Sequence[tuple[float, float, float]]]  # model -> [(beta, accuracy %, avg tokens)]


class Objective(ABC):
    """Higher is better."""

    name: ClassVar[str] = ""

    @abstractmethod
    def score_curves(self, curves: Curves) -> float: ...

    def score(self, points: Sequence[CurvePoint]) -> float:
        return self.score_curves(as_curves(points))

    def against(self, reference: Curves) -> Objective:
        """This objective scoring relative to ``reference`` (a controller replayed on the same questions and
        seeds as the candidates it will score); objectives that score a curve on its own ignore it."""
        return self


class AccuracyAtFullBudget(Objective):
    """Mean over models of the accuracy at the largest beta."""

    name = "accuracy"

    def score_curves(self, curves: Curves) -> float:
        return float(np.mean([max(c)[1] for c in curves.values()]))


class Penalized(Objective):
    """Best over the sweep of accuracy minus ``gamma`` points per 1,000 tokens, mean over models."""

    name = "penalized"

    def __init__(self, gamma: float = 0.01) -> None:
        self.gamma = float(gamma)

    def score_curves(self, curves: Curves) -> float:
        return float(np.mean([max(a - self.gamma * t / 1000 for _, a, t in c) for c in curves.values()]))


class Frontier(Objective):
    """Area under attainable accuracy vs. log tokens between ``low`` and ``high`` of the search set's mean curve.

    The curve is the one a user of the controller gets: at each beta, the
    accuracy and average tokens averaged over the search models. One beta
    serves every model, so a controller whose small models peak at one beta
    and large ones at another is scored on what a single beta delivers, not on
    a per-model best that no setting reaches. Attainable accuracy at budget t
    is the best accuracy of any beta costing at most t (0 below the cheapest),
    so a curve earns credit both for cheap low-beta points and for a high top
    end. The default window runs from a fifth of SC@64's cost on AIME-length
    traces (~200k tokens) to SC@64's cost (~1M): the regime where adaptive
    controllers compete with SC@64. Points cheaper than ``low`` count as
    costing ``low``; with a lower ``low``, the log scale lets savings on
    already-cheap points outweigh the top end.
    """

    name = "frontier"

    def __init__(self, low: float = 2e5, high: float = 1e6) -> None:
        if not 0 < low < high:
            raise ConfigError(f"objective 'frontier': need 0 < low < high, got {low}, {high}")
        self.low, self.high = float(low), float(high)

    def score_curves(self, curves: Curves) -> float:
        return self._area(_mean_curve(curves))

    def _area(self, curve: Sequence[tuple[float, float, float]]) -> float:
        lo, hi = math.log(self.low), math.log(self.high)
        steps = sorted((math.log(max(t, self.low)), a) for _, a, t in curve if t <= self.high)
        area, best = 0.0, 0.0
        for i, (x, a) in enumerate(steps):
            best = max(best, a)
            end = steps[i + 1][0] if i + 1 < len(steps) else hi
            area += best * (end - x)
        return area / (hi - lo)


def _mean_curve(curves: Curves) -> list[tuple[float, float, float]]:
    """``(beta, accuracy, tokens)`` averaged over models at each beta every model was run at."""
    by_beta: dict[float, list[tuple[float, float]]] = {}
    for curve in curves.values():
        for beta, accuracy, tokens in curve:
            by_beta.setdefault(beta, []).append((accuracy, tokens))
    return [(beta, float(np.mean([a for a, _ in pairs])), float(np.mean([t for _, t in pairs])))
            for beta, pairs in sorted(by_beta.items()) if len(pairs) == len(curves)]


class Budgets(Objective):
    """Mean over ``budgets`` of the accuracy the search set's mean curve attains at each (0 where it has no
    point that cheap): the budget table's figures, so a curve is rewarded for beating CMC where users spend.

    Attainable accuracy mixes two betas where no single one costs exactly the budget
    (:func:`autotts.discover.budgets.attainable`); a curve with no point below the smallest budget scores 0
    there, which pushes the search to a cheap low-beta end. Costs are read ``margin`` higher than measured:
    on questions the search never scored they run higher (on AIME24's pick fold, 15-45% above the search
    fold's for CMC, SC and a searched winner), and a curve tuned to sit just under a budget on the search
    questions would miss it on new ones.
    """

    name = "budgets"

    def __init__(self, budgets: Sequence[float] = BUDGETS, margin: float = 0.3) -> None:
        if not budgets or any(b <= 0 for b in budgets):
            raise ConfigError(f"objective 'budgets': need positive token budgets, got {list(budgets)}")
        if margin < 0:
            raise ConfigError(f"objective 'budgets': margin must be >= 0, got {margin}")
        self.budgets = tuple(float(b) for b in budgets)
        self.margin = float(margin)

    def score_curves(self, curves: Curves) -> float:
        return float(np.mean(self._attained(curves)))

    def _attained(self, curves: Curves) -> np.ndarray:
        """The mean curve's attainable accuracy at each budget, costs read ``margin`` high (0 where none is
        that cheap)."""
        mean = _mean_curve(curves)
        tokens = np.array([t for _, _, t in mean]) * (1 + self.margin)
        accuracy = np.array([a for _, a, _ in mean])
        return np.array([np.nan_to_num(attainable(tokens, accuracy, b)[0]) for b in self.budgets])


class WorstGain(Budgets):
    """The smallest, over ``budgets``, gain in attainable accuracy over a reference controller (CMC, in a
    discovery) replayed on the same questions and seeds: beat it at every budget, not on average.

    Why the worst budget and not the mean: a mean of accuracies lets a curve buy a large lead where it is cheap
    with a loss at the top end, and on AIME24 that trade did not carry over to questions the search never
    scored: among a default search's 800 best candidates, the ``budgets`` score ranked them against their
    worst gain over CMC on the held-back fold (Spearman -0.44), the worst search-fold gain ranked them with it
    (+0.11 over the 800, +0.58 over the top 60). Costs are read as measured (``margin`` 0): both curves shift
    alike on new questions. Without a reference (:meth:`against` not called), the gain is over nothing: the
    worst budget's accuracy.
    """

    name = "worst_gain"

    def __init__(self, budgets: Sequence[float] = BUDGETS, margin: float = 0.0) -> None:
        super().__init__(budgets, margin)
        self.reference: np.ndarray = np.zeros(len(self.budgets))

    def against(self, reference: Curves) -> WorstGain:
        bound = WorstGain(self.budgets, self.margin)
        bound.reference = self._attained(reference)
        return bound

    def score_curves(self, curves: Curves) -> float:
        return float(np.min(self._attained(curves) - self.reference))


_OBJECTIVES: dict[str, Callable[..., Objective]] = {
    cls.name: cls for cls in (AccuracyAtFullBudget, Penalized, Frontier, Budgets, WorstGain)
}


def registered_objectives() -> list[str]:
    return sorted(_OBJECTIVES)


def build_objective(name: str, params: Mapping[str, Any] | None = None) -> Objective:
    if name not in _OBJECTIVES:
        raise ConfigError(f"unknown objective {name!r}; registered: {', '.join(registered_objectives())}")
    try:
        return _OBJECTIVES[name](**dict(params or {}))
    except TypeError as exc:
        raise ConfigError(f"objective {name!r}: bad params {dict(params or {})}: {exc}") from exc


def monotone_violation(points: Sequence[CurvePoint], tolerance: float = TOKEN_TOLERANCE) -> str | None:
    """Where avg tokens fall as beta grows by more than ``tolerance`` (relative), on any model; else ``None``."""
    for model, curve in as_curves(points).items():
        drop = first_token_drop([(b, t) for b, _, t in curve], tolerance)
        if drop is not None:
            (b0, t0), (b1, t1) = drop
            shown = ", ".join(f"beta={b:g}: {t:,.0f}" for b, _, t in curve)
            return f"avg tokens fall from {t0:,.0f} at beta={b0:g} to {t1:,.0f} at beta={b1:g} on {model} ({shown})"
    return None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Paired bootstrap of (pick - rival) objective scores over resampled questions."""

    difference: float
    low: float  # 5th percentile of the difference
    high: float  # 95th percentile
    p_better: float  # share of draws where the pick still scores higher
    p_tie: float  # share of draws where both score the same (to rounding)
    draws: int


_SAME = 1e-9  # score differences below this are float noise, not a win


def compare(objective: Objective, pick: Sequence[CurvePoint], rival: Sequence[CurvePoint], *, draws: int = 1000,
            seed: int = 0) -> Comparison:
    """How sure it is that ``pick`` beats ``rival`` on the same episodes."""
    rng = np.random.default_rng(seed)
    n_questions = {p.model: len(p.q_correct) for p in pick}
    diffs = np.empty(draws)
    for d in range(draws):
        idx = {m: rng.integers(0, n, n) for m, n in n_questions.items()}
        diffs[d] = objective.score_curves(_resampled(pick, idx)) - objective.score_curves(_resampled(rival, idx))
    base = objective.score(pick) - objective.score(rival)
    return Comparison(base, float(np.percentile(diffs, 5)), float(np.percentile(diffs, 95)),
                      float(np.mean(diffs > _SAME)), float(np.mean(np.abs(diffs) <= _SAME)), draws)


def rank_finalists(objective: Objective, finals: Mapping[str, Sequence[CurvePoint]], *,
                   seed: int = 0) -> list[str]:
    """Finalist ids, the pick first: the top scorer, or the finalist the bootstrap cannot tell from it whose
    best accuracy costs the fewest tokens.

    Scores this close are mostly which questions happened to fall which way; when the top scorer's 90%
    interval against a rival includes zero, what the best accuracy costs is the better reason to choose:
    it is the budget a user pays for the most the controller can give. The rest follow by score.
    """
    order = sorted(finals, key=lambda cid: (-objective.score(finals[cid]), cid))
    top = order[0]
    level = [cid for cid in order[1:] if compare(objective, finals[top], finals[cid], seed=seed).low <= _SAME]
    pick = min([top, *level], key=lambda cid: (_cost_of_best(finals[cid]), cid))
    return [pick, *(cid for cid in order if cid != pick)]


def _cost_of_best(points: Sequence[CurvePoint]) -> float:
    """Mean tokens of the cheapest beta reaching the top accuracy of the mean curve over models."""
    curve = _mean_curve(as_curves(points))
    best = max(a for _, a, _ in curve)
    return min(t for _, a, t in curve if a == best)


def as_curves(points: Sequence[CurvePoint]) -> dict[str, list[tuple[float, float, float]]]:
    """Per model, its (beta, accuracy %, avg tokens) rows in beta order: what objectives score."""
    out: dict[str, list[tuple[float, float, float]]] = {}
    for p in sorted(points, key=lambda p: (p.model, p.beta)):
        out.setdefault(p.model, []).append((p.beta, p.accuracy, p.avg_tokens))
    return out


def _resampled(points: Sequence[CurvePoint], idx: Mapping[str, np.ndarray]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple[float, float, float]]] = {}
    for p in sorted(points, key=lambda p: (p.model, p.beta)):
        i = idx[p.model]
        acc = float(np.asarray(p.q_correct)[i].mean()) * 100
        out.setdefault(p.model, []).append((p.beta, acc, float(np.asarray(p.q_tokens)[i].mean())))
    return out
