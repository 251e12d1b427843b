"""Built-in controllers reproduce the reference numbers; file controllers run unchanged."""

from __future__ import annotations

import csv
from fractions import Fraction
from math import comb
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autotts.controllers import CMCSchedule, build_controller, registered, resolve_controller
from autotts.controllers.voting import beta_conf, majority, vote_stats
from autotts.errors import ConfigError, ControllerError
from autotts.evaluate.api import evaluate_matrix, load_matrices
from autotts.evaluate.runner import run_episodes
from autotts.paper import REFERENCE_DIR
from autotts.replay.matrix import ReplayMatrix

CONTROLLER_FILES = Path(__file__).parent / "data" / "controllers"

# reference label -> (controller, params)
METHODS: dict[str, tuple[str, dict[str, Any]]] = {
    "SC@64": ("sc", {}),
    "ASC@64": ("asc", {}),
    "ESC@64": ("esc", {}),
    "ParallelProbe@64": ("parallel-probe", {}),
}


def reference_rows() -> list[dict[str, str]]:
    with (REFERENCE_DIR / "reference_semantics.csv").open() as fh:
        return list(csv.DictReader(fh))


def method_spec(label: str) -> tuple[str, dict[str, float]]:
    if label.startswith("CMC(beta="):
        return "cmc", {"beta": float(label[len("CMC(beta=") : -1])}
    return METHODS[label]


@pytest.fixture(scope="module")
def qwen8b_aime24(bundled_store: Path) -> ReplayMatrix:
    [matrix] = load_matrices(bundled_store, ["Qwen3-8B"], ["aime24"])
    return matrix


SAMPLED = ["SC@64", "ASC@64", "ESC@64", "ParallelProbe@64", "CMC(beta=0.0)", "CMC(beta=0.3)", "CMC(beta=1.0)"]


@pytest.mark.parametrize("label", SAMPLED)
def test_reference_numbers_reproduced(label: str, qwen8b_aime24: ReplayMatrix) -> None:
    [row] = [r for r in reference_rows() if (r["model"], r["dataset"], r["method"]) == ("Qwen3-8B", "aime24", label)]
    name, params = method_spec(label)
    results = run_episodes(qwen8b_aime24, build_controller(name, params), seeds=100, trace_seeds=0)
    assert results.accuracy == pytest.approx(float(row["accuracy"]), abs=0.005)
    assert results.avg_tokens == pytest.approx(float(row["avg_tokens"]), abs=1.0)


def test_every_registered_controller_answers_within_64_branches(qwen8b_aime24: ReplayMatrix) -> None:
    for name in registered():
        results = run_episodes(qwen8b_aime24, build_controller(name, {}), seeds=2, trace_seeds=0)
        assert results.branches_opened.max() <= 64, name
        assert (results.tokens > 0).all(), name


def test_cmc_cost_grows_with_beta(qwen8b_aime24: ReplayMatrix) -> None:
    costs = [
        run_episodes(qwen8b_aime24, build_controller("cmc", {"beta": b}), seeds=5).avg_tokens for b in (0.0, 0.5, 1.0)
    ]
    assert costs == sorted(costs)


def test_cmc_schedule_matches_the_paper_table() -> None:
    s = CMCSchedule.from_beta(0.5)
    assert (s.n_init, s.max_branch_use, s.warm_up, s.abandon_patience, s.t_ema) == (5, 34, 6, 8, 5)
    assert (s.alpha, s.conf_thresh, s.delta_slack, s.trend_thresh) == (0.5, 0.91, 0.025, 0.025)
    assert (s.burst_aligned, s.widen_burst, s.min_complete) == (2, 2, 4)  # round half to even


def test_voting_ties_go_to_the_first_seen() -> None:
    assert majority(["b", "a", "a", "b"]) == "b"
    assert majority([]) is None
    assert vote_stats(["x", "y", "x"]) == ("x", 2, 1)
    assert vote_stats(["x"]) == ("x", 1, 0)


def test_beta_conf_is_the_beta_tail() -> None:
    assert beta_conf(0, 5) == 0.0
    assert beta_conf(1, 0) == pytest.approx(0.75)  # Beta(2, 1): P(X > 1/2) = 1 - 1/4
    assert beta_conf(3, 3) == pytest.approx(0.5)
    assert beta_conf(10, 0) > 0.999


def test_beta_conf_is_the_exactly_rounded_binomial_tail_for_every_count_pair() -> None:
    """The reference figures depend on the last bit: every pair up to 128 votes, against exact fractions."""
    for top1 in range(1, 129, 7):
        for top2 in range(0, 129, 5):
            a, n = top1 + 1, top1 + top2 + 1
            assert beta_conf(top1, top2) == float(Fraction(sum(comb(n, j) for j in range(a)), 2**n))


def test_release_api_class_file_runs_unchanged(qwen8b_aime24: ReplayMatrix) -> None:
    from_file = evaluate_matrix(qwen8b_aime24, str(CONTROLLER_FILES / "release_sc.py"), {"k": 8}, seeds=10)
    builtin = evaluate_matrix(qwen8b_aime24, "sc", {"k": 8}, seeds=10)
    assert np.array_equal(from_file.results.answers, builtin.results.answers)
    assert np.array_equal(from_file.results.tokens, builtin.results.tokens)


def test_release_api_function_file_runs_unchanged(qwen8b_aime24: ReplayMatrix) -> None:
    probed = evaluate_matrix(qwen8b_aime24, str(CONTROLLER_FILES / "release_probe_to_end.py"), {"k": 4}, seeds=5)
    read = evaluate_matrix(qwen8b_aime24, "sc", {"k": 4}, seeds=5)
    assert np.array_equal(probed.results.answers, read.results.answers)
    assert (probed.results.tokens >= read.results.tokens).all()  # probing charges whole intervals


def test_unknown_controller_and_parameter_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown controller 'nope'"):
        resolve_controller("nope", {})
    with pytest.raises(ConfigError, match="unknown parameter 'kk'"):
        build_controller("sc", {"kk": 3})
    with pytest.raises(ConfigError, match="expected int"):
        build_controller("sc", {"k": "many"})
    with pytest.raises(ConfigError, match=r"beta must be in \[0, 1\]"):
        build_controller("cmc", {"beta": 1.5})
    broken = tmp_path / "broken.py"
    broken.write_text("def solve(q):\n  return (\n")
    with pytest.raises(ControllerError, match=r"broken\.py:"):
        resolve_controller(str(broken), {})


def test_dataclass_controller_file_with_postponed_annotations_loads(qwen8b_aime24: ReplayMatrix) -> None:
    from_file = evaluate_matrix(qwen8b_aime24, str(CONTROLLER_FILES / "dataclass_future.py"), {"k": 3}, seeds=2)
    builtin = evaluate_matrix(qwen8b_aime24, "sc", {"k": 3}, seeds=2)
    assert np.array_equal(from_file.results.answers, builtin.results.answers)


def test_esc_below_one_window_reads_k_branches(qwen8b_aime24: ReplayMatrix) -> None:
    esc = run_episodes(qwen8b_aime24, build_controller("esc", {"k": 4}), seeds=3, trace_seeds=0)
    assert (esc.branches_opened <= 4).all() and (esc.branches_opened >= 1).all()
    assert esc.accuracy > 0
