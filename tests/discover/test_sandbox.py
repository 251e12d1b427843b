"""Candidates through the evaluator: every way to break the rules ends as a recorded failure with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotts.discover.evaluation import CandidateEvaluator, EvalSettings
from autotts.discover.sandbox import SandboxLimits, check_source, isolation_problem
from tests import candidates

pytestmark = pytest.mark.skipif(isolation_problem() is not None, reason=f"no OS isolation: {isolation_problem()}")


def _evaluate(evaluator: CandidateEvaluator, tmp_path: Path, source: str | bytes):
    path = tmp_path / "cand" / "candidate.py"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(source if isinstance(source, bytes) else source.encode())
    return evaluator.evaluate(path, seeds=1)


def test_template_sources_pass_the_static_check_and_run_in_process(
    evaluator: CandidateEvaluator, tmp_path: Path, cmc_source: str
) -> None:
    assert check_source(cmc_source) == []
    result = _evaluate(evaluator, tmp_path, cmc_source)
    assert result.failure is None and result.origin == "trusted"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (candidates.source("gold_by_introspection"), "dunder attribute access '__class__'"),
        (candidates.source("opens_a_file"), "use of 'open'"),
        (candidates.source("imports_subprocess"), "import of 'subprocess'"),
        (candidates.source("peeks_by_private_name"), "private name '_LIVE'"),
        ("def solve(question:\n", "syntax error"),
    ],
)
def test_static_violations_are_rejected_before_the_candidate_runs(
    evaluator: CandidateEvaluator, tmp_path: Path, source: str, expected: str
) -> None:
    result = _evaluate(evaluator, tmp_path, source)
    assert result.failure is not None and result.origin == "sandboxed"
    assert result.failure.reason == "static"
    assert expected in result.failure.message
    assert " | " in result.failure.excerpt  # the offending lines, numbered


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"# -*- coding: utf-7 -*-\ndef solve(q):\n    return None\n", "coding cookie"),
        (b"def solve(q):\n    return '\xff'\n", "not valid UTF-8"),
    ],
)
def test_sources_the_interpreter_would_read_differently_are_refused(
    evaluator: CandidateEvaluator, tmp_path: Path, source: bytes, expected: str
) -> None:
    result = _evaluate(evaluator, tmp_path, source)
    assert result.failure is not None and result.failure.reason == "source"
    assert expected in result.failure.message


def test_exceptions_are_recorded_with_the_candidates_traceback(evaluator: CandidateEvaluator, tmp_path: Path) -> None:
    result = _evaluate(evaluator, tmp_path, candidates.source("raises"))
    assert result.failure is not None and result.failure.reason == "exception"
    assert "RuntimeError: candidate gave up" in result.failure.message
    assert "in solve" in result.failure.excerpt


@pytest.mark.parametrize(("limits", "which"), [
    (SandboxLimits(cpu_seconds=30, wall_seconds=3.0), "wall-time"),
    (SandboxLimits(cpu_seconds=2, wall_seconds=30.0), "CPU-time"),
])
def test_an_endless_loop_is_killed_at_the_wall_clock_or_cpu_time_limit(
    toy_store: Path, tmp_path: Path, limits: SandboxLimits, which: str
) -> None:
    from autotts.evaluate.api import load_matrices

    ev = CandidateEvaluator(load_matrices(toy_store, ["toy-a"], ["toy"]), EvalSettings((0.0, 1.0), limits=limits))
    result = _evaluate(ev, tmp_path, candidates.source("loops_forever"))
    assert result.failure is not None and result.failure.reason == "timeout"
    assert which in result.failure.message


def test_allocating_10_gb_is_a_memory_failure(evaluator: CandidateEvaluator, tmp_path: Path) -> None:
    result = _evaluate(evaluator, tmp_path, candidates.source("allocates_10gb"))
    assert result.failure is not None and result.failure.reason == "memory"


def test_tokens_falling_as_beta_grows_is_rejected_with_the_curve(
    evaluator: CandidateEvaluator, tmp_path: Path
) -> None:
    result = _evaluate(evaluator, tmp_path, candidates.source("not_monotone"))
    assert result.failure is not None and result.failure.reason == "non-monotone"
    assert "beta=0:" in result.failure.message and "beta=1:" in result.failure.message


def test_a_rule_abiding_candidate_gets_a_point_per_model_and_beta(
    evaluator: CandidateEvaluator, tmp_path: Path
) -> None:
    result = _evaluate(evaluator, tmp_path, candidates.source(candidates.HONEST))
    assert result.failure is None and result.origin == "sandboxed"
    assert sorted((p.model, p.beta) for p in result.points) == [
        (m, b) for m in ("toy-a", "toy-b") for b in (0.0, 0.5, 1.0)
    ]
    assert all(t.stop for t in result.traces)
