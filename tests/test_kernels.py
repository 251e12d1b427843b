"""The compiled fast paths give exactly what the readable controllers give, episode for episode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autotts.controllers import build_controller
from autotts.evaluate.api import load_matrices
from autotts.evaluate.runner import grade, replay_arrays, replay_controller
from autotts.replay.matrix import ReplayMatrix, load_matrix
from autotts.store.connection import open_store
from autotts.store.ingest import ingest_files
from tests.builders import branch, question, write_release

CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("sc", {"k": 64}),
    ("sc", {"k": 3}),
    ("asc", {"k": 64}),
    ("asc", {"k": 16, "threshold": 0.8}),
    ("esc", {"k": 64}),
    ("esc", {"k": 12, "window": 5}),
    ("esc", {"k": 4}),
    ("parallel-probe", {}),
    ("parallel-probe", {"n": 8, "T": 3, "patience": 2, "warm_up": 1}),
    ("cmc", {"beta": 0.0}),
    ("cmc", {"beta": 0.37}),
    ("cmc", {"beta": 1.0}),
]


def assert_same(matrix: ReplayMatrix, name: str, params: dict[str, Any], seeds: int) -> None:
    controller = build_controller(name, params)
    slow = grade(replay_controller(matrix.traces, controller, seeds=seeds, trace_seeds=0), matrix.gold_answers)
    fast = controller.replay_arrays(replay_arrays(matrix, seeds))
    assert fast is not None
    ids, tokens, sequential, opened = fast
    assert np.array_equal(matrix.answer_strings(ids), slow.answers), (name, params)
    assert np.array_equal(tokens, slow.tokens), (name, params)
    assert np.array_equal(sequential, slow.sequential_tokens), (name, params)
    assert np.array_equal(opened, slow.branches_opened), (name, params)


@pytest.mark.parametrize(("name", "params"), CONFIGS)
def test_fast_path_equals_solve_on_real_traces(name: str, params: dict[str, Any], bundled_store: Path) -> None:
    [matrix] = load_matrices(bundled_store, ["Qwen3-1.7B"], ["aime25"])
    assert_same(matrix, name, params, seeds=3)


answers = st.sampled_from(["1", "2", "3", "ERR"])
small_branch = st.builds(
    lambda probes, tokens, final: branch(probes, tokens, final),
    st.lists(answers, max_size=12),
    st.integers(0, 8000),
    answers,
)
small_store = st.lists(st.lists(small_branch, min_size=1, max_size=20), min_size=1, max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=small_store)
def test_fast_path_equals_solve_on_small_random_stores(data: list, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Few branches exercise the edges: pools running out, branches ending at their first probe."""
    tmp = tmp_path_factory.mktemp("random")
    store = tmp / "s.duckdb"
    ingest_files([write_release(tmp / "m" / "b.json", [question(bs, gold="2") for bs in data])], store)
    con = open_store(store, read_only=True)
    matrix = load_matrix(con, "m", "b")
    con.close()
    for name, params in CONFIGS:
        assert_same(matrix, name, params, seeds=4)
