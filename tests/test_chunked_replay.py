"""Replaying a store in chunks of questions gives exactly what replaying it whole gives."""

from __future__ import annotations

import json
import shutil
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from autotts.cli import main
from autotts.errors import StoreError
from autotts.evaluate.api import EvalRequest, evaluate_stores
from autotts.evaluate.chunks import Chunk, batches
from autotts.replay.matrix import list_stores, load_matrix
from autotts.store.connection import open_store
from autotts.store.synthetic import build_synthetic_store

CONTROLLERS = Path(__file__).parent / "data" / "controllers"
ARRAYS = ("answers", "correct", "tokens", "sequential_tokens", "branches_opened")


@pytest.mark.parametrize(
    "request_",
    [
        EvalRequest("cmc", {}, betas=(0.2, 0.9), seeds=4, trace_seeds=1),  # compiled kernel, cross-checked on seed 0
        EvalRequest(str(CONTROLLERS / "release_sc.py"), {}, seeds=2, trace_seeds=2),  # solve() only, every seed traced
    ],
    ids=["kernel", "python-file"],
)
def test_chunked_replay_equals_the_whole_replay(bundled_store: Path, request_: EvalRequest) -> None:
    pick = partial(evaluate_stores, bundled_store, [request_], models=["Qwen3-0.6B", "Qwen3-8B"],
                   benchmarks=["aime25"], record=False, jobs=1)
    whole = pick(chunk_questions=1000)
    chunked = pick(chunk_questions=7)  # 30 questions: 7+7+7+7+2
    assert [(e.model, e.beta) for e in chunked] == [(e.model, e.beta) for e in whole]
    for a, b in zip(whole, chunked, strict=True):
        assert a.eval_id == b.eval_id
        for name in ARRAYS:
            assert np.array_equal(getattr(a.results, name), getattr(b.results, name)), name
        assert a.results.traces == b.results.traces and a.results.traces
        assert (a.results.accuracy, a.results.avg_tokens) == (b.results.accuracy, b.results.avg_tokens)


def test_a_range_of_questions_loads_as_those_rows_of_the_whole(bundled_store: Path) -> None:
    con = open_store(bundled_store, read_only=True)
    whole = load_matrix(con, "Qwen3-4B", "aime24")
    part = load_matrix(con, "Qwen3-4B", "aime24", range(11, 23))
    con.close()
    rows = whole.questions(11, 23)
    assert part.first_question == rows.first_question == 11
    assert part.vocab == rows.vocab and part.gold_answers == rows.gold_answers
    for name in ("probes", "n_probes", "branch_tokens", "final_ids", "gold_ids", "n_branches"):
        assert np.array_equal(getattr(part, name), getattr(rows, name)), name


def test_a_range_outside_the_store_is_an_error(bundled_store: Path) -> None:
    con = open_store(bundled_store, read_only=True)
    with pytest.raises(StoreError, match=r"questions 25\.\.34 are not within its 30 questions"):
        load_matrix(con, "Qwen3-4B", "aime24", range(25, 35))
    con.close()


def test_chunks_pack_small_stores_together_and_split_large_ones() -> None:
    plan = batches([("a", "x", 30), ("b", "x", 30), ("c", "x", 2500)], chunk_questions=1000, per_batch=2)
    assert plan == [
        [Chunk("a", "x", range(30)), Chunk("b", "x", range(30)), Chunk("c", "x", range(1000))],
        [Chunk("c", "x", range(1000, 2000)), Chunk("c", "x", range(2000, 2500))],
    ]


def test_bench_replays_a_synthetic_store_of_the_asked_size(
    bundled_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    synthetic = tmp_path / "synthetic.duckdb"
    args = ["bench", "--store", str(bundled_store), "--synthetic-questions", "250", "--synthetic-store",
            str(synthetic), "--seeds", "2", "--jobs", "1", "--chunk-questions", "100", "--json"]
    assert main(args) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (figures["episodes"], figures["built_seconds"] is not None) == (500, True)
    assert figures["peak_rss_mb"] > 0 and figures["episodes_per_second"] > 0
    con = open_store(synthetic, read_only=True)
    copy = load_matrix(con, "synthetic", "tiled-250", range(240, 250))  # the bundled store has 240 questions
    con.close()
    con = open_store(bundled_store, read_only=True)
    first = load_matrix(con, *list_stores(con)[0], range(0, 10))
    con.close()
    assert copy.vocab == first.vocab and np.array_equal(copy.probes, first.probes)
    assert main(args) == 0  # the second run reuses the store
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["built_seconds"] is None


def test_a_synthetic_store_never_overwrites_another_file(bundled_store: Path, tmp_path: Path) -> None:
    other = tmp_path / "mine.duckdb"
    shutil.copy(bundled_store, other)
    with pytest.raises(StoreError, match="is not a synthetic store of 50 questions"):
        build_synthetic_store(bundled_store, other, 50)
