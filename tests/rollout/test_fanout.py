"""The Ray fan-out of rollouts, on a real two-node Ray cluster on 127.0.0.1, against one machine's result.

The backend is the real OpenAI-compatible one, talking over HTTP to a scripted
completions server on 127.0.0.1 (each Ray worker builds its own client);
traces depend only on each request's seed, as a seeded sampler's do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from autotts.rollout import ProtocolConfig, RayOptions, run_rollout
from autotts.rollout.backends.base import ChatTokenizer, Request
from tests.openai_server import scripted_server
from tests.rollout.fakes import CharTokenizer, FakeBackend

pytest.importorskip("math_verify")
pytest.importorskip("openai")

TABLES = {
    "questions": "question_idx, question, gold_answer, probe_freq",
    "branches": "question_idx, branch_idx, branch_tokens, final_answer, n_probes",
    "probes": "question_idx, branch_idx, probe_idx, answer",
    "rollout_traces": "question_idx, branch_idx, text, tokens, finish_reason, seed",
    "rollout_questions": "question_idx, prompt_tokens, generated_tokens, probe_tokens, probe_cached_tokens",
}


def _completion(path: str, body: dict[str, Any]) -> dict[str, Any]:
    """What vLLM's server answers on /v1/completions, the text made as the fake backend makes it."""
    assert path == "/v1/completions"
    [done] = FakeBackend().generate([Request(tuple(body["prompt"]), body["max_tokens"], body["temperature"],
                                             body["seed"])])
    choice = {"index": 0, "text": done.text, "finish_reason": done.finish_reason, "logprobs": None,
              "token_ids": list(done.token_ids)}
    usage = {"prompt_tokens": len(body["prompt"]), "completion_tokens": len(done.token_ids),
             "total_tokens": len(body["prompt"]) + len(done.token_ids)}
    return {"id": "cmpl", "object": "text_completion", "created": 0, "model": body["model"], "choices": [choice],
            "usage": usage}


def _rows(store: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(store), read_only=True) as con:
        return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall() for t, cols in TABLES.items()}


def test_questions_fan_out_over_a_ray_cluster_and_store_what_one_machine_stores(
    tmp_path: Path, ray_cluster: str
) -> None:
    bench = tmp_path / "toy.jsonl"
    bench.write_text("".join(f'{{"question": "q{i}", "answer": "{i}"}}\n' for i in range(6)))
    config = ProtocolConfig(samples=3, interval=10, max_tokens=60, max_probes=3, probe_tokens=6)
    with scripted_server(_completion) as server:
        options = {"base_url": server.url, "tokenizer": ChatTokenizer(CharTokenizer()), "concurrency": 2}
        here = run_rollout("m", bench, tmp_path / "here.duckdb", config=config, backend="openai",
                           backend_options=options)
        spread = run_rollout("m", bench, tmp_path / "ray.duckdb", config=config, backend="openai",
                             backend_options=options, ray=RayOptions(workers=2, gpus_per_worker=0, address=ray_cluster))
    assert here.questions == spread.questions == 6
    assert (here.generated_tokens, here.probe_prompt_tokens) == (spread.generated_tokens, spread.probe_prompt_tokens)
    assert len(server.requests) == 2 * 6 * (3 + 3 * 3)  # per run and question: 3 traces and up to 3 probes each
    rows = _rows(tmp_path / "here.duckdb")
    assert rows == _rows(tmp_path / "ray.duckdb")
    assert [q for q, *_ in rows["questions"]] == list(range(6))


def test_ray_needs_a_backend_name_not_an_object(tmp_path: Path) -> None:
    from autotts.errors import RolloutError

    bench = tmp_path / "toy.jsonl"
    bench.write_text('{"question": "q", "answer": "1"}\n')
    with pytest.raises(RolloutError, match="give the backend by name"):
        run_rollout("m", bench, tmp_path / "s.duckdb", backend=FakeBackend(), ray=RayOptions(workers=2))
