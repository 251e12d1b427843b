"""The brief every proposer reads: the fixed rules (``brief_v2.md``) and an objective section made for the run.

The objective section says how this run scores a candidate (the chosen
objective with its own settings, e.g. the frontier's token window), and what
there is to beat: SC@64 and CMC on the search models, replayed on the
search seeds, with the scores the objective gives them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autotts.controllers.cmc import CMC
from autotts.controllers.self_consistency import SelfConsistency
from autotts.discover.selection import Curves, Objective
from autotts.evaluate.runner import run_episodes
from autotts.replay.matrix import ReplayMatrix

__all__ = ["BRIEF", "References", "brief", "objective_section", "references"]

BRIEF = Path(__file__).with_name("brief_v2.md")


@dataclass(frozen=True, slots=True)
class References:
    """What a candidate has to beat, per search model: ``(beta, accuracy %, avg tokens)`` rows."""

    sc64: Curves  # one row each (beta 1.0 stands for SC's only setting)
    cmc: Curves  # a row per beta of the run's sweep
    seeds: int


def references(matrices: Sequence[ReplayMatrix], betas: Sequence[float], seeds: int) -> References:
    """SC@64 and CMC (at every beta of the sweep) replayed on the search models, as a candidate is."""
    sc, cmc = {}, {}
    for m in matrices:
        r = run_episodes(m, SelfConsistency(k=64), seeds=seeds, trace_seeds=0)
        sc[m.model] = [(1.0, r.accuracy, r.avg_tokens)]
        rows = []
        for beta in betas:
            r = run_episodes(m, CMC(beta=beta), seeds=seeds, trace_seeds=0)
            rows.append((beta, r.accuracy, r.avg_tokens))
        cmc[m.model] = rows
    return References(sc, cmc, seeds)


def brief(objective: Objective, refs: References) -> str:
    """The whole brief: the rules, then this run's objective section."""
    return BRIEF.read_text().rstrip() + "\n\n" + objective_section(objective, refs) + "\n"


def objective_section(objective: Objective, refs: References) -> str:
    lines = ["## Objective", "", _scoring(objective), "",
             f"To beat (mean over the search models {', '.join(sorted(refs.cmc))}, {refs.seeds} seeds each):", "",
             "| controller | beta | accuracy % | avg tokens |", "|---|---|---|---|"]
    sc = _mean_rows(refs.sc64)
    lines += [f"| SC@64 | - | {a:.2f} | {t:,.0f} |" for _, a, t in sc]
    lines += [f"| CMC | {b:g} | {a:.2f} | {t:,.0f} |" for b, a, t in _mean_rows(refs.cmc)]
    lines += ["", f"Under this objective CMC scores {objective.score_curves(refs.cmc):.3f} and SC@64 "
                  f"{objective.score_curves(refs.sc64):.3f}; a candidate is worth keeping only above CMC."]
    return "\n".join(lines)


def _scoring(objective: Objective) -> str:
    """How ``objective`` scores a curve, in its own settings."""
    if objective.name == "frontier":
        low, high = objective.low, objective.high  # type: ignore[attr-defined]
        return (
            "The score is the area under attainable accuracy against log tokens, between "
            f"{low:,.0f} and {high:,.0f} average tokens per question, of the mean curve over the search models "
            "(at each beta, accuracy and tokens averaged over the models: one beta serves every model). "
            "Attainable accuracy at a budget is the best accuracy of any beta costing at most that much; points "
            f"cheaper than {low:,.0f} count as costing {low:,.0f}, points dearer than {high:,.0f} earn nothing. "
            "So both ends matter: cheap low-beta points that are already accurate, and a high top end within the "
            "window."
        )
    if objective.name == "penalized":
        gamma = objective.gamma  # type: ignore[attr-defined]
        return (f"The score is, per search model, the best over the beta sweep of accuracy (percent) minus {gamma:g} "
                "points per 1,000 average tokens, averaged over the models: spend tokens only where they buy "
                "accuracy.")
    if objective.name == "worst_gain":
        budgets = ", ".join(f"{b / 1000:,.0f}k" for b in objective.budgets)  # type: ignore[attr-defined]
        return ("The score is the smallest, over the budgets of " + budgets + " average tokens per question, of "
                "your accuracy minus CMC's at that budget (accuracy a budget can buy: the best beta costing at most "
                "that, or a mix of two betas; 0 where no beta is that cheap), on the mean curve over the search "
                "models. Only the budget where you trail CMC most counts: beat it everywhere, the cheap end "
                "and the top end alike.")
    if objective.name == "accuracy":
        return ("The score is the accuracy at the largest beta, averaged over the search models: only the top end "
                "counts, whatever it costs (within the rules).")
    return f"The score ({objective.name}): {(type(objective).__doc__ or '').strip()}"


def _mean_rows(curves: Mapping[str, Sequence[tuple[float, float, float]]]) -> list[tuple[float, float, float]]:
    by_beta: dict[float, list[tuple[float, float]]] = {}
    for rows in curves.values():
        for beta, accuracy, tokens in rows:
            by_beta.setdefault(beta, []).append((accuracy, tokens))
    return [(beta, float(np.mean([a for a, _ in pairs])), float(np.mean([t for _, t in pairs])))
            for beta, pairs in sorted(by_beta.items())]
