"""Per-call cost: the CLI loads only the command it runs, an evaluation checks its kernel on a sample, and
`autotts bench` measures a call without changing the store."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from duckdb import DuckDBPyConnection

from autotts.cli import main
from autotts.controllers.self_consistency import SelfConsistency
from autotts.errors import StoreError
from autotts.evaluate import api
from autotts.evaluate.api import load_matrices
from autotts.evaluate.bench import measure_call_costs
from autotts.evaluate.runner import checked_episodes, run_episodes
from autotts.evaluate.seeds import branch_orders
from autotts.replay.arrays import ReplayArrays
from autotts.store import batch
from autotts.store.batch import Batch, Replace, commit
from autotts.store.connection import open_store
from autotts.store.synthetic import copy_traces


def _imported(*arguments: str) -> set[str]:
    """Modules a fresh ``python -m autotts ARGS`` imports (read from ``-X importtime``, which lists what
    ``import`` statements load, not the command module that ``importlib`` loads itself)."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "autotts", *arguments],
                         capture_output=True, text=True, check=True)
    return {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}


def test_the_process_entry_loads_with_one_blas_thread_and_freezes_what_it_imported(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(sys, "argv", ["autotts", "--help"])
    try:
        with pytest.raises(SystemExit):
            main()
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        os.environ.pop("OPENBLAS_NUM_THREADS", None)


def test_a_caller_of_main_keeps_its_process_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    frozen = gc.get_freeze_count()
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    assert gc.isenabled() and gc.get_freeze_count() == frozen


@pytest.mark.parametrize("module", ["autotts", "autotts.cli"])
def test_python_dash_m_runs_the_command_line(module: str) -> None:
    done = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("usage: autotts ")


def test_help_loads_no_command_and_no_heavy_library() -> None:
    loaded = _imported("--help")
    assert not {"numpy", "duckdb", "numba", "polars", "prefect"} & loaded
    light = {"autotts.cli", "autotts.errors", "autotts.terminal"}  # the last escapes error lines (stdlib only)
    assert not [m for m in loaded if m.startswith("autotts.") and m not in light]


def test_an_evaluation_loads_neither_discovery_nor_prefect(bundled_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "traces.duckdb"  # the session's store is shared: this evaluation records into a copy
    shutil.copyfile(bundled_store, store)
    loaded = _imported("eval", "--store", str(store), "--controller", "sc", "--model", "Qwen3-8B",
                       "--benchmark", "aime24", "--seeds", "2")
    assert {"autotts.evaluate.api", "autotts.store.results"} <= loaded
    assert not {"autotts.discover.api", "autotts.discover.proposers", "prefect"} & loaded
    # SC is plain NumPy and a record is NumPy columns: numba (~0.6 CPU-s) or polars would double the call
    assert not {"numba", "polars", "autotts.discover.sandbox.runner"} & loaded
    # DuckDB's engine alone: the duckdb package's Python layer (relations, Arrow scans) is ~0.1 CPU-s of imports
    assert "_duckdb" in loaded and "duckdb" not in loaded
    # nor what a one-process run of a built-in never uses: each is 2-20 ms of a call that must stay < 0.5 CPU-s
    # (numpy.ma comes with np.unique; the isolation module with the opt-out flag's name)
    assert not {"numpy.ma", "multiprocessing", "autotts.discover.sandbox.isolation",
                "autotts.store.autotts_json"} & loaded


def test_a_one_store_evaluation_opens_the_store_once_to_read(bundled_store: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[bool] = []

    def counted(path: str | Path, *, read_only: bool = False, confined: bool = False) -> DuckDBPyConnection:
        opened.append(read_only)
        return open_store(path, read_only=read_only, confined=confined)

    monkeypatch.setattr(api, "open_store", counted)
    (evaluation,) = api.evaluate_stores(bundled_store, [api.EvalRequest("sc", {"k": 8}, seeds=2)],
                                        models=["Qwen3-8B"], benchmarks=["aime24"], record=False, jobs=1)
    assert opened == [True]  # listing, counting and loading share one connection (each open is ~0.03 CPU-s)
    assert evaluation.results.episodes == 2 * 30


def test_one_questions_traces_are_those_of_the_whole_matrix(bundled_store: Path) -> None:
    (matrix,) = load_matrices(bundled_store, ["Qwen3-8B"], ["aime24"])
    alone = [matrix.question_traces(q) for q in range(matrix.n_questions)]  # built one by one, before the rest
    assert alone == list(matrix.traces)
    assert matrix.question_traces(5) is matrix.traces[5]  # once every question is built, they are reused


@dataclass(frozen=True)
class _Drifted(SelfConsistency):
    """SC whose fast path overcharges one episode: the kind of drift the sampled check must catch."""

    def replay_arrays(self, arrays: ReplayArrays) -> tuple[np.ndarray, ...]:
        ids, tokens, sequential, opened = super().replay_arrays(arrays)
        seed, question = checked_episodes(arrays.seeds, tokens.shape[1])[-1]
        tokens = tokens.copy()
        tokens[seed, question] += 1
        return ids, tokens, sequential, opened


def test_a_fast_path_that_drifts_from_solve_fails_without_any_traced_seed(bundled_store: Path) -> None:
    (matrix,) = load_matrices(bundled_store, ["Qwen3-8B"], ["aime24"])
    honest = run_episodes(matrix, SelfConsistency(k=8), seeds=10)
    assert honest.traces == {}  # nothing traced by default: the check is not paid for with a whole seed
    with pytest.raises(RuntimeError, match=r"disagrees with solve\(\) on tokens"):
        run_episodes(matrix, _Drifted(k=8), seeds=10)


def test_the_checked_sample_spreads_over_seeds_and_questions() -> None:
    sample = checked_episodes(100, 30)
    assert len(sample) == 4 and len({s for s, _ in sample}) == 4 and len({q for _, q in sample}) == 4
    assert checked_episodes(1, 2) == [(0, 0), (0, 1)]


def test_branch_orders_are_built_once_and_shared_read_only() -> None:
    orders = branch_orders(7, 128)
    assert branch_orders(7, 128) is orders
    with pytest.raises(ValueError):
        orders[0, 0] = 1


def test_bench_call_costs_record_into_a_copy_and_leave_the_store_as_it_was(bundled_store: Path) -> None:
    before = bundled_store.stat()
    costs = measure_call_costs(bundled_store, "Qwen3-8B", "aime24", rounds=1)
    after = bundled_store.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert 0 < costs.startup.median < costs.eval.least  # an eval pays its start-up and more
    assert costs.eval_recorded.least > 0 and costs.eval_store == "Qwen3-8B/aime24" and costs.rounds == 1


def test_a_copy_of_traces_holds_that_pair_alone_and_replays_the_same(bundled_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "one.duckdb"
    copy_traces(bundled_store, copy, "Qwen3-8B", "aime24")
    (original,) = load_matrices(bundled_store, ["Qwen3-8B"], ["aime24"])
    (copied,) = load_matrices(copy)  # every pair of the copy: there is one
    assert (copied.model, copied.benchmark, copied.vocab) == (original.model, original.benchmark, original.vocab)
    for name in ("probes", "n_probes", "branch_tokens", "final_ids", "gold_ids", "n_branches"):
        assert np.array_equal(getattr(copied, name), getattr(original, name)), name
    with pytest.raises(StoreError, match="exists"):
        copy_traces(bundled_store, copy, "Qwen3-8B", "aime24")


def test_a_write_loads_the_duckdb_package_for_polars_rows_alone(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    layers: list[bool] = []
    monkeypatch.setattr(batch, "with_python_layer", lambda: layers.append(True))
    store = tmp_path / "traces.duckdb"
    columns = {"model": ["m"], "benchmark": ["b"], "source": ["f"], "sha256": ["0"], "n_questions": [1]}
    arrays = {k: np.array(v) for k, v in columns.items()}
    commit(store, Batch("numpy rows", (Replace("sources", {"model": "m"}, arrays),)))
    assert layers == []  # NumPy columns go through the engine alone
    commit(store, Batch("polars rows", (Replace("sources", {"model": "m"}, pl.DataFrame(columns)),)))
    assert layers == [True]
    with open_store(store, read_only=True) as con:
        assert con.execute("SELECT model, n_questions FROM sources").fetchall() == [("m", 1)]
