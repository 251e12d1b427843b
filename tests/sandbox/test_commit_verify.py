"""Commit, then verify, end to end: honest candidates pass with the in-process figures; peekers, chance and
tampering are rejected with their true reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autotts.controllers.loading import load_controller_source
from autotts.discover.proposers.template import CMC_GENOME, render
from autotts.discover.sandbox import (
    SEARCH,
    Group,
    Isolation,
    SandboxLimits,
    UntrustedRunner,
    WorkerFailure,
    is_template_source,
    isolation_problem,
)
from autotts.evaluate.api import load_matrices
from autotts.evaluate.runner import run_episodes
from autotts.replay.matrix import ReplayMatrix
from tests import candidates

pytestmark = pytest.mark.skipif(isolation_problem() is not None, reason=f"no OS isolation: {isolation_problem()}")


@pytest.fixture(scope="module")
def matrices(toy_store: Path) -> list[ReplayMatrix]:
    return load_matrices(toy_store, benchmarks=["toy"])


def _run(matrices: list[ReplayMatrix], source: str, seeds: int, params: tuple = ({},)):
    runner = UntrustedRunner(matrices, Isolation.BUBBLEWRAP, SandboxLimits(cpu_seconds=60, wall_seconds=120))
    groups = [Group(m, p) for m in range(len(matrices)) for p in params]
    return runner.run(source, groups, seeds, level=SEARCH)


def test_an_honest_controller_scores_the_same_sandboxed_and_in_process(matrices: list[ReplayMatrix]) -> None:
    source = render(CMC_GENOME, "CMC, but run as if a stranger wrote it.") + "\n"
    assert not is_template_source(source)
    betas = (0.0, 1.0)
    sandboxed = _run(matrices, source, seeds=2, params=tuple({"beta": b} for b in betas))
    assert not isinstance(sandboxed, WorkerFailure), sandboxed
    in_process = [
        run_episodes(m, load_controller_source(source, "c.py", {"beta": b}), seeds=2, trace_seeds=1)
        for m in matrices
        for b in betas
    ]
    for ours, theirs in zip(sandboxed, in_process, strict=True):
        for name in ("answers", "correct", "tokens", "sequential_tokens", "branches_opened"):
            assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name
        assert ours.accuracy == theirs.accuracy and ours.avg_tokens == theirs.avg_tokens
        assert ours.traces == theirs.traces


def test_a_candidate_that_peeks_on_some_episodes_is_caught_as_peeking(
    matrices: list[ReplayMatrix],
) -> None:
    outcome = _run(matrices, candidates.source(candidates.PEEKS_SOMETIMES, PERIOD=3), seeds=60)
    assert isinstance(outcome, WorkerFailure)
    assert outcome.kind == "peeked", outcome
    assert "strict mode" in outcome.message and "seed" in outcome.message


@pytest.mark.parametrize(
    "candidate", ["by_chance", "by_the_day", "stateful"], ids=["chance", "the day's date", "state across episodes"]
)
def test_a_candidate_that_does_not_repeat_itself_is_rejected_as_nondeterministic(
    matrices: list[ReplayMatrix], candidate: str
) -> None:
    outcome = _run(matrices, candidates.source(candidate), seeds=3)
    assert isinstance(outcome, WorkerFailure)
    assert outcome.kind == "nondeterministic", outcome


def test_patching_its_own_engine_changes_nothing_that_is_recorded(matrices: list[ReplayMatrix]) -> None:
    tampered, honest = (_run(matrices, candidates.source(name), seeds=2) for name in ("tampers", "majority_of_k"))
    assert not isinstance(tampered, WorkerFailure) and not isinstance(honest, WorkerFailure)
    for a, b in zip(tampered, honest, strict=True):
        assert np.array_equal(a.tokens, b.tokens) and a.tokens.min() > 1000


@pytest.mark.parametrize(
    ("candidate", "said"),
    [
        ("endless_free_actions", "in one episode, the most its branches allow"),
        ("unchecked_free_actions", "question 0: 50001 actions, more than the"),
    ],
    ids=["the worker stops it", "the parent refuses it"],
)
def test_an_episode_of_endless_free_actions_is_refused(matrices: list[ReplayMatrix], candidate: str, said: str) -> None:
    outcome = _run(matrices, candidates.source(candidate), seeds=1)
    assert isinstance(outcome, WorkerFailure) and outcome.kind == "actions", outcome
    assert said in outcome.message, outcome.message
