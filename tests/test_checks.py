"""The shipped contract checkers pass on everything registered and catch what they promise."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotts.checks import check_controller, check_environment
from autotts.controllers import registered
from autotts.evaluate.api import load_matrices
from autotts.replay.matrix import ReplayMatrix
from tests import candidates


@pytest.fixture(scope="module")
def matrix(bundled_store: Path) -> ReplayMatrix:
    [m] = load_matrices(bundled_store, ["Qwen3-4B"], ["aime24"])
    return m


def test_environment_contract_holds_on_bundled_data(matrix: ReplayMatrix) -> None:
    assert check_environment(matrix, episodes=30) == ()


@pytest.mark.parametrize("name", sorted(registered()))
def test_every_registered_controller_honours_the_contract(name: str, matrix: ReplayMatrix) -> None:
    assert check_controller(name, matrix, seeds=1) == ()


def test_controller_violations_are_reported(matrix: ReplayMatrix) -> None:
    problems = " | ".join(check_controller(str(candidates.path("greedy")), matrix, seeds=1))
    assert "opened 100 branches" in problems
    assert "returned int answers" in problems
    assert "not deterministic" in problems
    assert "avg tokens fall" in problems
