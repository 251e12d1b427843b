"""The real vLLM path on CPU, with a random-weight model built at test time (nothing downloaded).

Runs where vLLM is installed (``scripts/ci_vllm.sh`` builds such an
environment); skipped elsewhere.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("vllm")
pytest.importorskip("math_verify")

from autotts.cli import main
from autotts.rollout import ProtocolConfig, run_rollout
from autotts.rollout.backends.vllm_backend import VllmBackend
from autotts.rollout.tiny_model import build_tiny_model

# In-process engine, small KV cache, no graph capture: starts in seconds on a 2-core machine.
os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")

ENGINE_ARGS = {"max_model_len": 512, "enforce_eager": True, "dtype": "float32"}
# Traces of up to 96 tokens: up to 6 cuts, capped at 5; the later probes pass vLLM-cpu's 128-token
# cache block, so prefix caching has whole blocks of trace to reuse.
CONFIG = ProtocolConfig(samples=4, interval=16, max_tokens=96, max_probes=5, probe_tokens=8, seed=11)


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-llama")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "toy.jsonl"
    lines = [
        {"question": "What is 2+3?", "answer": "5", "id": "a"},
        {"question": "Half of 1?", "answer": "0.5"},
        {"question": "What is 10*10?", "answer": 100},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.fixture(scope="module")
def backend(model: Path) -> VllmBackend:
    return VllmBackend(str(model), ENGINE_ARGS)


def rows(store: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_cli_rollout_fills_the_store_and_eval_runs_on_it(
    tmp_path: Path, model: Path, bench: Path, capsys: pytest.CaptureFixture
) -> None:
    store = tmp_path / "s.duckdb"
    args = [
        "rollout",
        "--model",
        str(model),
        "--benchmark",
        str(bench),
        "--store",
        str(store),
        "--backend",
        "vllm",
        "--samples",
        "4",
        "--interval",
        "16",
        "--max-tokens",
        "96",
        "--max-probes",
        "5",
        "--probe-tokens",
        "8",
        "--seed",
        "11",
        "--max-model-len",
        "512",
        "--engine-arg",
        "enforce_eager=true",
        "--engine-arg",
        "dtype=float32",
    ]
    assert main(args) == 0
    assert rows(store, "SELECT model, benchmark, n_questions FROM sources") == [("tiny-llama", "toy", 3)]
    assert rows(store, "SELECT count(*) FROM branches") == [(12,)]
    # Traces were generated and cut: one probe per full 16 tokens, at most 5, and the probes table agrees.
    assert rows(store, "SELECT min(branch_tokens) > 0 FROM branches") == [(True,)]
    assert rows(store, "SELECT count(*) FROM branches WHERE n_probes <> least(branch_tokens // 16, 5)") == [(0,)]
    assert rows(store, "SELECT sum(n_probes) FROM branches") == rows(store, "SELECT count(*) FROM probes")
    assert rows(store, "SELECT sum(n_probes) > 0 FROM branches") == [(True,)]
    assert rows(
        store,
        "SELECT count(*) FROM rollout_traces t JOIN branches b "
        "USING (model, benchmark, question_idx, branch_idx) WHERE t.tokens = b.branch_tokens",
    ) == [(12,)]
    ((revision, sampling),) = rows(store, "SELECT model_revision, sampling FROM rollout_runs")
    assert revision.startswith("local:") and json.loads(sampling) == CONFIG.as_dict()
    # Probes went out as token-id prompts sharing the trace prefix: the prefix cache served some of them.
    assert rows(store, "SELECT sum(probe_cached_tokens) > 0 FROM rollout_questions") == [(True,)]
    capsys.readouterr()
    assert main(["eval", "--store", str(store), "--controller", "sc", "--param", "k=2", "--seeds", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (result["model"], result["benchmark"]) == ("tiny-llama", "toy")
    assert result["episodes"] == 9


def test_same_seed_gives_the_same_traces_and_a_resumed_run_matches(
    tmp_path: Path, bench: Path, backend: VllmBackend
) -> None:
    partial, whole = tmp_path / "partial.duckdb", tmp_path / "whole.duckdb"
    assert run_rollout("tiny", bench, partial, config=CONFIG, backend=backend, limit=1).questions == 1
    run_rollout("tiny", bench, whole, config=CONFIG, backend=backend)
    summary = run_rollout("tiny", bench, partial, config=CONFIG, backend=backend)
    assert (summary.skipped, summary.questions) == (1, 3)
    sql = "SELECT question_idx, branch_idx, text, tokens, seed FROM rollout_traces ORDER BY ALL"
    assert rows(partial, sql) == rows(whole, sql)
    probes = "SELECT question_idx, branch_idx, probe_idx, answer FROM probes ORDER BY ALL"
    assert rows(partial, probes) == rows(whole, probes)
    assert len({text for *_, text, _, _ in rows(whole, sql)}) == 12  # distinct seeds, distinct traces
