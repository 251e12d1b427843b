"""Untrusted candidates: every way to break the rules ends as a recorded failure with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotts.discover.evaluation import CandidateEvaluator, EvalSettings
from autotts.discover.sandbox import SandboxLimits, WorkerFailure, check_source, run_worker
from tests.discover import candidates as bad


def _evaluate(evaluator: CandidateEvaluator, tmp_path: Path, source: str):
    path = tmp_path / "cand" / "candidate.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(source)
    return evaluator.evaluate(path, seeds=1)


def _worker(evaluator: CandidateEvaluator, tmp_path: Path, source: str, *, audit: bool = False):
    path = tmp_path / "raw" / "candidate.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(source)
    return run_worker(evaluator.job(path, 1, first_pass=audit), evaluator.settings.limits)


def test_template_sources_pass_the_static_check(cmc_source: str) -> None:
    assert check_source(cmc_source) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (bad.GOLD_BY_INTROSPECTION, "dunder attribute access '__class__'"),
        (bad.OPENS_A_FILE, "use of 'open'"),
        (bad.IMPORTS["os"], "import of 'os'"),
        (bad.IMPORTS["socket"], "import of 'socket'"),
        (bad.IMPORTS["subprocess"], "import of 'subprocess'"),
        (bad.PEEKS, "private name '_LIVE'"),
        ("def solve(question:\n", "syntax error"),
    ],
)
def test_static_violations_are_rejected_before_anything_runs(
    evaluator: CandidateEvaluator, tmp_path: Path, source: str, expected: str
) -> None:
    result = _evaluate(evaluator, tmp_path, source)
    assert result.failure is not None
    assert result.failure.reason == "static"
    assert expected in result.failure.message


def test_getattr_and_string_dunders_are_refused() -> None:
    assert check_source("x = getattr(int, 'real')")
    assert check_source("x = '{0.__class__}'")


def test_exceptions_are_recorded_with_the_candidates_traceback(evaluator: CandidateEvaluator, tmp_path: Path) -> None:
    result = _evaluate(evaluator, tmp_path, bad.RAISES)
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

    ev = CandidateEvaluator(load_matrices(toy_store, ["toy-a"], ["toy"]), EvalSettings((0.0, 1.0), limits=limits),
                            tmp_path / "w")
    result = _evaluate(ev, tmp_path, bad.LOOPS_FOREVER)
    assert result.failure is not None and result.failure.reason == "timeout"
    assert which in result.failure.message


def test_allocating_10_gb_is_a_memory_failure(evaluator: CandidateEvaluator, tmp_path: Path) -> None:
    result = _evaluate(evaluator, tmp_path, bad.ALLOCATES_10GB)
    assert result.failure is not None and result.failure.reason == "memory"


def test_tokens_falling_as_beta_grows_is_rejected_with_the_curve(
    evaluator: CandidateEvaluator, tmp_path: Path
) -> None:
    result = _evaluate(evaluator, tmp_path, bad.NOT_MONOTONE)
    assert result.failure is not None and result.failure.reason == "non-monotone"
    assert "beta=0:" in result.failure.message and "beta=1:" in result.failure.message


def test_a_rule_abiding_candidate_gets_a_point_per_model_and_beta(
    evaluator: CandidateEvaluator, tmp_path: Path
) -> None:
    result = _evaluate(evaluator, tmp_path, bad.GOOD_SC4)
    assert result.failure is None
    assert sorted((p.model, p.beta) for p in result.points) == [
        (m, b) for m in ("toy-a", "toy-b") for b in (0.0, 0.5, 1.0)
    ]
    assert all(t.stop for t in result.traces)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (bad.OPENS_A_FILE_UNCHECKED, "file access refused"),
        (bad.SOCKET_UNCHECKED, "socket"),
        (bad.SUBPROCESS_UNCHECKED, "subprocess.Popen refused"),
    ],
)
def test_the_audit_hook_refuses_files_sockets_and_subprocesses(
    evaluator: CandidateEvaluator, tmp_path: Path, source: str, expected: str
) -> None:
    # These skip the static check on purpose: the hook is the second, independent wall.
    result = _worker(evaluator, tmp_path, source)
    assert isinstance(result, WorkerFailure) and result.kind == "audit"
    assert expected in result.message


def test_the_peeking_audit_flags_a_candidate_that_reads_unrevealed_answers(
    evaluator: CandidateEvaluator, tmp_path: Path
) -> None:
    result = _worker(evaluator, tmp_path, bad.PEEKS, audit=True)
    assert isinstance(result, dict)
    assert result["peek"] and result["peek"].startswith("peeked:")


def test_the_peeking_audit_passes_an_honest_controller(
    evaluator: CandidateEvaluator, tmp_path: Path, cmc_source: str
) -> None:
    result = _worker(evaluator, tmp_path, cmc_source, audit=True)
    assert isinstance(result, dict) and result["peek"] is None
