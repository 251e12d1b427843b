"""run_rollout into the store: ingest's tables plus the rollout's own, resumable and deterministic."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from autotts.errors import RolloutError
from autotts.rollout import ProtocolConfig, run_rollout
from autotts.store.export import export_autotts_json, read_replay
from autotts.store.ingest import ingest_files
from tests.rollout.fakes import FakeBackend

pytest.importorskip("math_verify")

CONFIG = ProtocolConfig(samples=4, interval=10, max_tokens=60, max_probes=3, probe_tokens=8, seed=5)


@pytest.fixture
def bench(tmp_path: Path) -> Path:
    path = tmp_path / "toy.jsonl"
    path.write_text(
        '{"question": "What is 1/2?", "answer": "\\\\frac{1}{2}", "id": "a"}\n'
        '{"question": "What is 3+4?", "answer": "7"}\n'
        '{"question": "Half of one?", "answer": "0.5", "id": "c"}\n'
    )
    return path


def rows(store: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_fills_the_ingest_tables_and_the_rollout_tables(tmp_path: Path, bench: Path) -> None:
    store = tmp_path / "s.duckdb"
    summary = run_rollout("some/Model-1B", bench, store, config=CONFIG, backend=FakeBackend())
    assert (summary.model, summary.benchmark, summary.questions, summary.skipped) == ("Model-1B", "toy", 3, 0)
    assert rows(store, "SELECT model, benchmark, n_questions FROM sources") == [("Model-1B", "toy", 3)]
    assert rows(store, "SELECT question_idx, gold_answer, probe_freq FROM questions ORDER BY 1") == [
        (0, "\\frac{1}{2}", 10),
        (1, "7", 10),
        (2, "0.5", 10),
    ]
    assert rows(store, "SELECT count(*) FROM branches") == [(12,)]
    # Every branch has min(tokens // interval, cap) probes, and the probes table agrees.
    assert rows(store, "SELECT count(*) FROM branches WHERE n_probes <> least(branch_tokens // 10, 3)") == [(0,)]
    assert rows(store, "SELECT sum(n_probes) FROM branches") == rows(store, "SELECT count(*) FROM probes")
    assert rows(
        store,
        "SELECT count(*) FROM rollout_traces t JOIN branches b USING (model, benchmark, question_idx, "
        "branch_idx) WHERE t.tokens = b.branch_tokens AND length(t.text) = t.tokens",
    ) == [(12,)]
    assert rows(store, "SELECT question_idx, question_id FROM rollout_questions ORDER BY 1") == [
        (0, "a"),
        (1, None),
        (2, "c"),
    ]
    run = rows(store, "SELECT model_path, model_revision, backend, benchmark_sha256 FROM rollout_runs")[0]
    assert run[:3] == ("some/Model-1B", "fake-rev", "FakeBackend") and len(run[3]) == 64
    assert summary.generated_tokens == rows(store, "SELECT sum(tokens) FROM rollout_traces")[0][0]


def test_a_killed_run_resumes_where_it_stopped_and_matches_an_uninterrupted_one(tmp_path: Path, bench: Path) -> None:
    whole = tmp_path / "whole.duckdb"
    run_rollout("m", bench, whole, config=CONFIG, backend=FakeBackend())
    resumed = tmp_path / "resumed.duckdb"
    with pytest.raises(KeyboardInterrupt):
        run_rollout("m", bench, resumed, config=CONFIG, backend=FakeBackend(fail_after=2))
    assert rows(resumed, "SELECT count(*) FROM questions") == [(2,)]  # two finished questions were committed
    second = FakeBackend()
    summary = run_rollout("m", bench, resumed, config=CONFIG, backend=second)
    assert (summary.skipped, summary.questions, second.trace_batches) == (2, 3, 1)
    with duckdb.connect(str(whole), read_only=True) as a, duckdb.connect(str(resumed), read_only=True) as b:
        assert read_replay(a, "m", "toy") == read_replay(b, "m", "toy")
    assert rows(whole, "SELECT text, seed FROM rollout_traces ORDER BY question_idx, branch_idx") == rows(
        resumed, "SELECT text, seed FROM rollout_traces ORDER BY question_idx, branch_idx"
    )


def test_a_finished_run_does_no_work_and_limit_extends_later(tmp_path: Path, bench: Path) -> None:
    store = tmp_path / "s.duckdb"
    assert run_rollout("m", bench, store, config=CONFIG, backend=FakeBackend(), limit=1).questions == 1
    backend = FakeBackend()
    assert run_rollout("m", bench, store, config=CONFIG, backend=backend).skipped == 1
    again = FakeBackend()
    assert run_rollout("m", bench, store, config=CONFIG, backend=again).skipped == 3
    assert again.requests == []


def test_resuming_with_other_settings_is_refused(tmp_path: Path, bench: Path) -> None:
    store = tmp_path / "s.duckdb"
    run_rollout("m", bench, store, config=CONFIG, backend=FakeBackend(), limit=1)
    other = ProtocolConfig(**{**CONFIG.as_dict(), "temperature": 1.0})
    with pytest.raises(RolloutError, match="the store's rollout used sampling"):
        run_rollout("m", bench, store, config=other, backend=FakeBackend())
    bench.write_text(bench.read_text() + '{"question": "new", "answer": "1"}\n')
    with pytest.raises(RolloutError, match="benchmark_sha256"):
        run_rollout("m", bench, store, config=CONFIG, backend=FakeBackend())


def test_a_run_that_finished_nothing_does_not_bind_the_settings(tmp_path: Path, bench: Path) -> None:
    store = tmp_path / "s.duckdb"
    with pytest.raises(RolloutError, match="needs a server"):
        run_rollout("m", bench, store, config=CONFIG, backend="openai")
    assert run_rollout("m", bench, store, config=CONFIG, backend=FakeBackend()).questions == 3
    assert rows(store, "SELECT backend FROM rollout_runs") == [("FakeBackend",)]


def test_names_holding_ingested_traces_are_refused(tmp_path: Path, bench: Path) -> None:
    store = tmp_path / "s.duckdb"
    release = tmp_path / "m" / "toy.json"
    export_src = tmp_path / "src.duckdb"
    run_rollout("m", bench, export_src, config=CONFIG, backend=FakeBackend())
    export_autotts_json(export_src, "m", "toy", release)
    ingest_files([release], store)
    with pytest.raises(RolloutError, match="ingested traces"):
        run_rollout("m", bench, store, config=CONFIG, backend=FakeBackend())


def test_the_same_seed_gives_the_same_store(tmp_path: Path, bench: Path) -> None:
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    run_rollout("m", bench, a, config=CONFIG, backend=FakeBackend())
    run_rollout("m", bench, b, config=CONFIG, backend=FakeBackend())
    sql = "SELECT question_idx, branch_idx, probe_idx, answer FROM probes ORDER BY ALL"
    assert rows(a, sql) == rows(b, sql)
