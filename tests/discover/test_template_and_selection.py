"""The mechanism template reproduces CMC; objectives, the beta check and the bootstrap behave as specified."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from autotts.controllers import CMC
from autotts.controllers.loading import load_controller_file
from autotts.discover.history import CandidateRecord, Failure, TraceSummary, render_feedback
from autotts.discover.proposers import Proposal
from autotts.discover.selection import (
    CurvePoint,
    Frontier,
    WorstGain,
    as_curves,
    build_objective,
    compare,
    monotone_violation,
    rank_finalists,
)
from autotts.evaluate.api import load_matrices
from autotts.evaluate.runner import run_episodes


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_the_cmc_genome_renders_a_controller_that_acts_exactly_like_cmc(
    toy_store: Path, tmp_path: Path, cmc_source: str, beta: float
) -> None:
    path = tmp_path / "cmc_template.py"
    path.write_text(cmc_source)
    for matrix in load_matrices(toy_store, benchmarks=["toy"]):
        ours = run_episodes(matrix, load_controller_file(path, {"beta": beta}), seeds=3)
        theirs = run_episodes(matrix, CMC(beta=beta), seeds=3)
        assert (ours.answers == theirs.answers).all()
        assert (ours.tokens == theirs.tokens).all()


def _points(model: str, curve: list[tuple[float, float, float]], n: int = 4) -> list[CurvePoint]:
    return [CurvePoint(model, b, a, t, (a / 100,) * n, (t,) * n) for b, a, t in curve]


def test_frontier_is_the_mean_attainable_accuracy_over_log_tokens() -> None:
    f = Frontier(low=1e4, high=1e6)
    # 50% from 1e4 to 1e5 (half the log window), then 80% up to 1e6: mean 65
    assert f.score(_points("m", [(0.0, 50.0, 1e4), (1.0, 80.0, 1e5)])) == pytest.approx(65.0)
    # nothing attainable below the cheapest point; a point beyond the window earns nothing
    assert f.score(_points("m", [(0.0, 50.0, 1e5), (1.0, 90.0, 2e6)])) == pytest.approx(25.0)
    cheaper = _points("m", [(0.0, 50.0, 2e4), (1.0, 80.0, 2e5)])
    dearer = _points("m", [(0.0, 50.0, 4e4), (1.0, 80.0, 4e5)])
    assert f.score(cheaper) > f.score(dearer)
    assert math.isclose(build_objective("accuracy").score(cheaper), 80.0)


def test_frontier_scores_what_one_beta_gives_every_model_not_each_model_s_best() -> None:
    # the small model peaks at beta 0 and the large one at beta 1: no single beta gets both peaks
    split = _points("small", [(0.0, 50.0, 1e4), (1.0, 30.0, 1e5)]) + _points("large", [(0.0, 30.0, 1e4),
                                                                                      (1.0, 50.0, 1e5)])
    assert Frontier(low=1e4, high=1e6).score(split) == pytest.approx(40.0)


def test_worst_gain_scores_the_budget_where_a_curve_trails_its_reference_most() -> None:
    reference = _points("m", [(0.0, 50.0, 100e3), (1.0, 60.0, 300e3)])
    goal = WorstGain(budgets=(100e3, 300e3)).against(as_curves(reference))
    assert goal.score(reference) == pytest.approx(0.0)
    # 5 points ahead at 100k but 2 behind at 300k: the 300k loss is the score, not the +1.5 mean
    cheap_lead = _points("m", [(0.0, 55.0, 100e3), (1.0, 58.0, 300e3)])
    assert goal.score(cheap_lead) == pytest.approx(-2.0)
    assert build_objective("budgets", {"budgets": (100e3, 300e3), "margin": 0.0}).score(cheap_lead) == 56.5
    # no point as cheap as 100k: that budget counts as 0 accuracy, the whole reference lost there
    assert goal.score(_points("m", [(0.0, 70.0, 150e3), (1.0, 80.0, 300e3)])) == pytest.approx(-50.0)
    # unbound, it is the worst budget's own accuracy
    assert WorstGain(budgets=(100e3, 300e3)).score(cheap_lead) == pytest.approx(55.0)


def test_the_beta_check_allows_small_noise_and_reports_the_curve() -> None:
    flat = _points("m", [(0.0, 50.0, 1000.0), (0.5, 55.0, 990.0), (1.0, 60.0, 2000.0)])
    assert monotone_violation(flat, tolerance=0.02) is None
    falling = _points("m", [(0.0, 50.0, 1000.0), (0.5, 55.0, 900.0), (1.0, 60.0, 2000.0)])
    message = monotone_violation(falling, tolerance=0.02)
    assert message and "beta=0.5" in message and "on m" in message


def test_the_bootstrap_is_sure_of_a_clear_win_and_not_of_a_tie() -> None:
    rng = np.random.default_rng(0)
    goal = Frontier(low=1e4, high=1e6)

    def candidate(shift: float) -> list[CurvePoint]:
        correct = np.clip(rng.random(30) * 0.4 + shift, 0, 1)
        return [CurvePoint("m", b, float(correct.mean() * 100), t, tuple(correct), (t,) * 30)
                for b, t in ((0.0, 2e4), (1.0, 2e5))]

    strong, weak = candidate(0.5), candidate(0.1)
    assert compare(goal, strong, weak, draws=300).p_better == 1.0
    same = compare(goal, strong, strong, draws=300)
    assert same.p_better == 0.0 and same.difference == 0.0


def test_finalists_level_with_the_top_scorer_go_to_the_cheapest_and_clear_wins_stand() -> None:
    goal = Frontier(low=1e4, high=1e6)
    rng = np.random.default_rng(1)
    noise = rng.random(30) * 0.2

    def finalist(top: float, shift: float, tokens: float) -> list[CurvePoint]:
        correct = np.clip(noise + shift, 0, 1)
        at_top = np.clip(correct + top / 100, 0, 1)
        return [CurvePoint("m", 0.0, float(correct.mean() * 100), 2e4, tuple(correct), (2e4,) * 30),
                CurvePoint("m", 1.0, float(at_top.mean() * 100), tokens, tuple(at_top), (tokens,) * 30)]

    dear = finalist(1.0, 0.40, 3e5)
    one_question_worse = [*dear[:1], CurvePoint("m", 1.0, dear[1].accuracy - 0.5, 2e5,
                                                (*dear[1].q_correct[:-1], dear[1].q_correct[-1] - 0.15), (2e5,) * 30)]
    far_worse = finalist(1.0, 0.10, 1e5)
    assert goal.score(dear) > goal.score(one_question_worse) > goal.score(far_worse)
    order = rank_finalists(goal, {"dear": dear, "level": one_question_worse, "poor": far_worse})
    assert order == ["level", "dear", "poor"]  # a noise-level gap loses to 100k fewer tokens
    assert rank_finalists(goal, {"dear": dear, "poor": far_worse}) == ["dear", "poor"]


def test_feedback_shows_curves_failures_and_telling_episodes_within_budget() -> None:
    good = CandidateRecord(
        "r00c00", 0, 0, Proposal("def make_controller(beta): ...", "evolve"), "h", None,
        points=tuple(_points("m", [(0.0, 50.0, 1e4), (1.0, 80.0, 1e5)])),
        traces=(TraceSummary("m", 1.0, 0, 3, 12, 4, 20, 90_000, "early stop, 2 live", "7", False),),
        score=61.0,
    )
    failed = CandidateRecord("r00c01", 0, 1, Proposal(None, "openai"), None, Failure("no-code", "no code in reply"))
    text = render_feedback([good, failed], budget=4000)
    assert "| m | 1 | 80.00 | 100,000 |" in text
    assert "r00c01: no-code: no code in reply" in text
    assert "q3: opened 12, pruned 4" in text and "early stop, 2 live" in text
    assert len(render_feedback([good, failed], budget=200)) <= 200
